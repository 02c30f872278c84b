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
// The page, its choices and its errors are in the participant's language (messages/, `page.prefs.*`);
// the form's field names and values stay as the form posts them.
// Every planner honours the result through core/audience.ts (skipFor, formatFor, wantsCalendars).
// Unsubscribing stays its own one-step link (RFC 8058); this page only points at it.
import type { PublishedSeries, StoredParticipant } from '#core/records';
import type { LinkStore } from './ports.ts';
import { isPaused, wantsCalendars, formatFor } from '#core/audience';
import { addDays, utcToZoned, zonedTimeToUtc } from '#core/time';
import { biteCount } from '#core/bites';
import { page, pageDate, type PageContent, type PageControl, type PageReply } from '#mail/pages';
import { messagesFor } from '#mail/messages/index';
import type { Language } from '#core/model';

type Say = ReturnType<typeof messagesFor>;

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
export function parseChoices(body: string, current: PreferenceChoices, today: string, language: Language = 'en'): { choices: PreferenceChoices } | { error: string } {
  const say = messagesFor(language);
  const form = new URLSearchParams(body);
  const next: PreferenceChoices = { ...current };
  for (const field of Object.keys(ALLOWED) as Array<keyof typeof ALLOWED>) {
    const value = form.get(field);
    if (value === null) continue;
    if (!(ALLOWED[field] as readonly string[]).includes(value)) {
      return { error: say('page.prefs.notChoice', { value: value.slice(0, 40), field, choices: ALLOWED[field].join(', ') }) };
    }
    (next as unknown as Record<string, string>)[field] = value;
  }
  const pause = form.get('pauseUntil');
  if (pause !== null) {
    const date = pause.trim();
    if (date !== '') {
      if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || addDays(date, 0) !== date) return { error: say('page.prefs.notDate', { value: date.slice(0, 40), example: addDays(today, 14) }) };
      if (date <= today) return { error: say('page.prefs.notAfterToday', { date: pageDate(language, date) }) };
      if (date > addDays(today, MAX_PAUSE_DAYS)) return { error: say('page.prefs.tooFar', { date: pageDate(language, date), days: MAX_PAUSE_DAYS }) };
    }
    next.pauseUntil = date;
  }
  return { choices: next };
}

function controls(choices: PreferenceChoices, series: PublishedSeries, today: string, say: Say): PageControl[] {
  const seriesFormat = series.series.format ?? 'whole';
  const biteable = series.trainings.some((t) => biteCount(t) > 0);
  const list: PageControl[] = [
    { kind: 'choice', name: 'reminders', legend: say('page.prefs.reminders'), value: choices.reminders, options: [{ value: 'on', label: say('page.prefs.remindersOn') }, { value: 'off', label: say('page.prefs.remindersOff') }] },
    { kind: 'choice', name: 'rollups', legend: say('page.prefs.rollups'), value: choices.rollups, options: [{ value: 'weekly', label: say('page.prefs.weekly') }, { value: 'never', label: say('page.prefs.never') }] },
    { kind: 'choice', name: 'calendar', legend: say('page.prefs.calendar'), value: choices.calendar, options: [{ value: 'on', label: say('page.prefs.calendarOn') }, { value: 'off', label: say('page.prefs.calendarOff') }] },
  ];
  if (biteable) {
    list.push({
      kind: 'choice',
      name: 'format',
      legend: say('page.prefs.format'),
      value: choices.format,
      options: [
        { value: 'series', label: say('page.prefs.formatSeries', { format: say(seriesFormat === 'bites' ? 'page.prefs.dailyBites' : 'page.prefs.wholeTrainings') }) },
        { value: 'bites', label: say('page.prefs.formatBites') },
        { value: 'whole', label: say('page.prefs.formatWhole') },
      ],
    });
  }
  list.push({ kind: 'date', name: 'pauseUntil', legend: say('page.prefs.pause'), hint: say('page.prefs.pauseHint'), value: choices.pauseUntil, min: addDays(today, 1), max: addDays(today, MAX_PAUSE_DAYS) });
  return list;
}

function summary(choices: PreferenceChoices, series: PublishedSeries, say: Say, language: Language): string[] {
  const format = choices.format === 'series' ? (series.series.format ?? 'whole') : choices.format;
  return [
    say('page.prefs.summary', {
      reminders: say(choices.reminders === 'on' ? 'page.prefs.on' : 'page.prefs.off'),
      rollups: say(choices.rollups === 'weekly' ? 'page.prefs.weeklyWord' : 'page.prefs.neverWord'),
      calendar: say(choices.calendar === 'on' ? 'page.prefs.on' : 'page.prefs.off'),
      trainings: say(format === 'bites' ? 'page.prefs.asBites' : 'page.prefs.asWhole'),
    }),
    choices.pauseUntil ? say('page.prefs.paused', { date: pageDate(language, choices.pauseUntil) }) : say('page.prefs.notPaused'),
  ];
}

export interface PreferencesRequest {
  method: string;
  body: string | undefined;
  token: string;
  series: PublishedSeries;
  participant: StoredParticipant;
  /** The language the page is written in: the participant's (messages/languageOf). */
  language?: Language;
}

export interface PreferencesDeps {
  store: LinkStore;
  now: Date;
  onCalendarsOff?: (seriesId: string, participant: StoredParticipant) => Promise<void>;
}

/** Answers the preferences link: the form on GET, the change on POST. */
export async function handlePreferences(req: PreferencesRequest, deps: PreferencesDeps): Promise<PageReply> {
  const { series, participant } = req;
  const language = req.language ?? 'en';
  const say = messagesFor(language);
  const show = (status: number, content: PageContent) => page(status, { ...content, language });
  const context = series.series.title;
  const first = participant.name.trim().split(/\s+/)[0] ?? participant.name;
  const today = utcToZoned(deps.now, participant.timeZone).date;
  const current = currentChoices(participant, deps.now);
  const form = (choices: PreferenceChoices): PageContent['form'] => ({ action: `/l/${req.token}`, button: say('page.prefs.save'), controls: controls(choices, series, today, say) });
  const unsubscribeNote = say('page.prefs.unsubscribeNote');

  if (req.method !== 'POST') {
    return show(200, { context, heading: say('page.prefs.heading', { title: context, firstName: first }), paragraphs: [say('page.prefs.intro')], form: form(current), note: unsubscribeNote });
  }
  const parsed = parseChoices(req.body ?? '', current, today, language);
  if ('error' in parsed) {
    return show(400, { context, heading: say('page.prefs.unchanged'), paragraphs: [parsed.error], form: form(current), note: unsubscribeNote });
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
      calendarNote = deps.onCalendarsOff ? say('page.prefs.cancelling') : undefined;
    } else {
      latest = await deps.store.setPreference(seriesId, email, 'calendar', true);
      if (participant.calendarsOffAt) latest = await deps.store.setParticipantStatus(seriesId, email, { calendarsOffAt: null });
      // The enrolment list itself said no calendar: only the trainers can change that.
      if (latest && !wantsCalendars(latest)) calendarNote = say('page.prefs.trainersSaidNo');
    }
  }
  const now = latest ? currentChoices(latest, deps.now) : next;
  const format = formatFor(latest ?? participant, {}, series.series);
  return show(200, {
    context,
    heading: say('page.prefs.saved', { firstName: first }),
    paragraphs: [...summary(now, series, say, language), ...(calendarNote ? [calendarNote] : []), say(format === 'bites' ? 'page.prefs.bitesNote' : 'page.prefs.anyTime')],
    form: form(now),
    note: unsubscribeNote,
  });
}
