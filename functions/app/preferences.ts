// The preferences page: one signed link in every participant footer (and in the answer to a reply
// of "preferences"), where someone chooses how much of the series reaches them without leaving it.
//
// Primary course:
//   1. GET (or HEAD) shows the form with their current choices and changes nothing: mail scanners
//      open every link, and a scanner must never pause or silence anyone;
//   2. POST reads the form; anything not understood is a 400 page that names the field and
//      changes nothing; a field left out keeps its value;
//   3. each choice that differs is stored (preferences by flag, format and pause as status);
//      turning calendars off also cancels the entries already placed (LinkDeps.onCalendarsOff);
//   4. the page shows what is now in force.
// Every planner honours the result through core/audience.ts (skipFor, formatFor, wantsCalendars).
// Unsubscribing stays its own one-step link (RFC 8058); this page only points at it.
import type { PublishedSeries, StoredParticipant } from '#core/records';
import type { LinkStore } from './ports.ts';
import { isPaused, wantsCalendars, formatFor } from '#core/audience';
import { addDays, formatDate, utcToZoned, zonedTimeToUtc } from '#core/time';
import { biteCount } from '#core/bites';
import { page, type PageContent, type PageControl, type PageReply } from '#mail/pages';

/** What the form shows and takes. `format: 'series'` leaves it to the trainers. */
export interface PreferenceChoices {
  reminders: 'on' | 'off';
  rollups: 'weekly' | 'never';
  calendar: 'on' | 'off';
  format: 'series' | 'bites' | 'whole';
  /** YYYY-MM-DD in their zone: nothing from the series before that day; '' for no pause. */
  pauseUntil: string;
}

/** The longest pause the page offers: a pause is for holidays and busy quarters, not for leaving. */
export const MAX_PAUSE_DAYS = 180;

export function currentChoices(p: StoredParticipant, now: Date): PreferenceChoices {
  return {
    reminders: p.preferences?.reminders === false ? 'off' : 'on',
    rollups: p.preferences?.rollups === false ? 'never' : 'weekly',
    calendar: wantsCalendars(p) ? 'on' : 'off',
    format: p.format ?? 'series',
    pauseUntil: p.pausedUntil && isPaused(p, now) ? utcToZoned(new Date(p.pausedUntil), p.timeZone).date : '',
  };
}

const ALLOWED: { [K in Exclude<keyof PreferenceChoices, 'pauseUntil'>]: readonly PreferenceChoices[K][] } = {
  reminders: ['on', 'off'],
  rollups: ['weekly', 'never'],
  calendar: ['on', 'off'],
  format: ['series', 'bites', 'whole'],
};

/**
 * The form's answer, or what is wrong with it. Fields left out keep `current`; `today` is their
 * own date, so "pause until" is checked in their zone.
 */
export function parseChoices(body: string, current: PreferenceChoices, today: string): { choices: PreferenceChoices } | { error: string } {
  const form = new URLSearchParams(body);
  const next: PreferenceChoices = { ...current };
  for (const field of Object.keys(ALLOWED) as Array<keyof typeof ALLOWED>) {
    const value = form.get(field);
    if (value === null) continue;
    if (!(ALLOWED[field] as readonly string[]).includes(value)) {
      return { error: `“${value.slice(0, 40)}” is not a choice for ${field}: pick one of ${ALLOWED[field].join(', ')}.` };
    }
    (next as unknown as Record<string, string>)[field] = value;
  }
  const pause = form.get('pauseUntil');
  if (pause !== null) {
    const date = pause.trim();
    if (date !== '') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || addDays(date, 0) !== date) return { error: `“${date.slice(0, 40)}” is not a date: write it as YYYY-MM-DD, such as ${addDays(today, 14)}.` };
      if (date <= today) return { error: `${formatDate(date)} is not after today: choose a later day to pause until, or leave it empty to get everything now.` };
      if (date > addDays(today, MAX_PAUSE_DAYS)) return { error: `${formatDate(date)} is more than ${MAX_PAUSE_DAYS} days away: choose an earlier day, or unsubscribe with the link in any email.` };
    }
    next.pauseUntil = date;
  }
  return { choices: next };
}

function controls(choices: PreferenceChoices, series: PublishedSeries, today: string): PageControl[] {
  const seriesFormat = series.series.format ?? 'whole';
  const biteable = series.trainings.some((t) => biteCount(t) > 0);
  const list: PageControl[] = [
    { kind: 'choice', name: 'reminders', legend: 'Reminders', value: choices.reminders, options: [{ value: 'on', label: 'One reminder before a training closes, if I have not answered' }, { value: 'off', label: 'No reminders' }] },
    { kind: 'choice', name: 'rollups', legend: 'Roll-ups of what teammates shared', value: choices.rollups, options: [{ value: 'weekly', label: 'Weekly' }, { value: 'never', label: 'Never' }] },
    { kind: 'choice', name: 'calendar', legend: 'Calendar entries', value: choices.calendar, options: [{ value: 'on', label: 'Invitations and focus time with the trainings' }, { value: 'off', label: 'No calendar entries' }] },
  ];
  if (biteable) {
    list.push({
      kind: 'choice',
      name: 'format',
      legend: 'How trainings arrive',
      value: choices.format,
      options: [
        { value: 'series', label: `As the trainers chose (${seriesFormat === 'bites' ? 'daily bites' : 'whole trainings'})` },
        { value: 'bites', label: 'Daily bites: a short overview, then one part a working day' },
        { value: 'whole', label: 'Whole trainings: one email each' },
      ],
    });
  }
  list.push({ kind: 'date', name: 'pauseUntil', legend: 'Pause everything', hint: 'Nothing from this series until this day (leave empty for no pause).', value: choices.pauseUntil, min: addDays(today, 1), max: addDays(today, MAX_PAUSE_DAYS) });
  return list;
}

function summary(choices: PreferenceChoices, series: PublishedSeries): string[] {
  const format = choices.format === 'series' ? (series.series.format ?? 'whole') : choices.format;
  return [
    `Reminders ${choices.reminders}; roll-ups ${choices.rollups === 'weekly' ? 'weekly' : 'never'}; calendar entries ${choices.calendar}; trainings ${format === 'bites' ? 'as daily bites' : 'whole'}.`,
    choices.pauseUntil ? `Paused: nothing from the series until ${formatDate(choices.pauseUntil)}.` : 'Not paused.',
  ];
}

export interface PreferencesRequest {
  method: string;
  body: string | undefined;
  token: string;
  series: PublishedSeries;
  participant: StoredParticipant;
}

export interface PreferencesDeps {
  store: LinkStore;
  now: Date;
  onCalendarsOff?: (seriesId: string, participant: StoredParticipant) => Promise<void>;
}

/** Answers the preferences link: the form on GET, the change on POST. */
export async function handlePreferences(req: PreferencesRequest, deps: PreferencesDeps): Promise<PageReply> {
  const { series, participant } = req;
  const context = series.series.title;
  const first = participant.name.trim().split(/\s+/)[0] ?? participant.name;
  const today = utcToZoned(deps.now, participant.timeZone).date;
  const current = currentChoices(participant, deps.now);
  const form = (choices: PreferenceChoices): PageContent['form'] => ({ action: `/l/${req.token}`, button: 'Save my choices', controls: controls(choices, series, today) });
  const unsubscribeNote = 'To stop everything for good, use “Unsubscribe” at the foot of any email from the series: one click, no form.';

  if (req.method !== 'POST') {
    return page(200, { context, heading: `What should “${context}” send you, ${first}?`, paragraphs: ['Change any of these; nothing changes until you save.'], form: form(current), note: unsubscribeNote });
  }
  const parsed = parseChoices(req.body ?? '', current, today);
  if ('error' in parsed) {
    return page(400, { context, heading: 'Nothing was changed', paragraphs: [parsed.error], form: form(current), note: unsubscribeNote });
  }
  const next = parsed.choices;
  const seriesId = series.series.id;
  const email = participant.email;
  let latest: StoredParticipant | undefined = participant;
  if (next.reminders !== current.reminders) latest = await deps.store.setPreference(seriesId, email, 'reminders', next.reminders === 'on');
  if (next.rollups !== current.rollups) latest = await deps.store.setPreference(seriesId, email, 'rollups', next.rollups === 'weekly');
  if (next.format !== current.format) latest = await deps.store.setParticipantStatus(seriesId, email, { format: next.format === 'series' ? null : next.format });
  if (next.pauseUntil !== current.pauseUntil) {
    latest = await deps.store.setParticipantStatus(seriesId, email, { pausedUntil: next.pauseUntil ? zonedTimeToUtc(next.pauseUntil, '00:00', participant.timeZone) : null });
  }
  let calendarNote: string | undefined;
  if (next.calendar !== current.calendar) {
    if (next.calendar === 'off') {
      latest = await deps.store.setPreference(seriesId, email, 'calendar', false);
      await deps.onCalendarsOff?.(seriesId, latest ?? participant);
      calendarNote = deps.onCalendarsOff ? 'One more email is on its way: it takes the entries Baton placed out of your calendar.' : undefined;
    } else {
      latest = await deps.store.setPreference(seriesId, email, 'calendar', true);
      if (participant.calendarsOffAt) latest = await deps.store.setParticipantStatus(seriesId, email, { calendarsOffAt: null });
      // The enrolment list itself said no calendar: only the trainers can change that.
      if (latest && !wantsCalendars(latest)) calendarNote = 'The trainers enrolled you without calendar entries; ask them by replying to any email to change that.';
    }
  }
  const now = latest ? currentChoices(latest, deps.now) : next;
  const format = formatFor(latest ?? participant, {}, series.series);
  return page(200, {
    context,
    heading: `Saved, ${first}.`,
    paragraphs: [...summary(now, series), ...(calendarNote ? [calendarNote] : []), format === 'bites' ? 'Trainings with parts come as bites; a training already under way finishes the way it started.' : 'Change your mind any time: the link is at the foot of every email.'],
    form: form(now),
    note: unsubscribeNote,
  });
}
