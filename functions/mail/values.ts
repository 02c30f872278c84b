// Per-recipient values for the compiled templates: only what differs between participants (their
// name, their zone's deadline, their signed links). Everything else was baked in at compile time.
// Runtime code: no mjml here, nor in anything imported.
import type { Language, Participant, Series, Training } from '#core/model';
import { t } from './messages/index.ts';
import { formatDeadline, formatWindow, timeZoneName } from './dates.ts';
import { encodeMailtoAddress, escapeHtml } from './escape.ts';
import { light } from './palette.ts';

export interface RecipientLinks {
  /** Where replies go: the participant's signed reply address. */
  replyAddress: string;
  /** One-click unsubscribe URL (signed). */
  unsubscribe: string;
  /** One-click "no calendar entries" URL (signed): the preference link in every participant footer. */
  calendarsOff: string;
  /** The preferences page (signed): reminders, roll-ups, calendar, bites, a pause. */
  preferences: string;
}

export interface TrainingLinks extends RecipientLinks {
  /** One-click "mark as read" URL (signed). */
  read: string;
}

/** Values every email's layout needs. */
export interface LayoutValues extends Record<string, string> {
  unsubscribeUrl: string;
  calendarsOffUrl: string;
  preferencesUrl: string;
  timeZoneName: string;
}

export interface KickoffValues extends LayoutValues {
  firstName: string;
  replyAddress: string;
  replyTo: string;
}

export interface TrainingValues extends KickoffValues {
  window: string;
  deadline: string;
  readUrl: string;
}

/** What the email calls the participant: the first word of their name. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

/** `language`: the language of the template being filled (its zone name is written in it too). */
export function layoutValues(participant: Participant, links: RecipientLinks, at: Date, language: Language = 'en'): LayoutValues {
  return { unsubscribeUrl: links.unsubscribe, calendarsOffUrl: links.calendarsOff, preferencesUrl: links.preferences, timeZoneName: timeZoneName(participant.timeZone, at, language) };
}

function replyValues(links: RecipientLinks): { replyAddress: string; replyTo: string } {
  // replyTo goes inside mailto: hrefs, so it is percent-encoded; replyAddress is what people read.
  return { replyAddress: links.replyAddress, replyTo: encodeMailtoAddress(links.replyAddress) };
}

export function kickoffValues(input: {
  series: Series;
  trainings: readonly Training[];
  participant: Participant;
  links: RecipientLinks;
}): KickoffValues {
  const first = [...input.trainings].sort((a, b) => a.order - b.order)[0];
  // The zone's name as it will be when the series starts (summer and winter names differ).
  const at = first ? new Date(`${first.opens}T12:00:00Z`) : new Date(0);
  return {
    ...layoutValues(input.participant, input.links, at),
    firstName: firstName(input.participant.name),
    ...replyValues(input.links),
  };
}

export function trainingValues(input: {
  series: Series;
  training: Training;
  trainings: readonly Training[];
  participant: Participant;
  links: TrainingLinks;
}): TrainingValues {
  const { training, participant, links } = input;
  const tz = participant.timeZone;
  return {
    ...layoutValues(participant, links, new Date(`${training.closes}T12:00:00Z`)),
    firstName: firstName(participant.name),
    ...replyValues(links),
    window: formatWindow(training.opens, training.closes),
    deadline: formatDeadline(training.closes, tz),
    readUrl: links.read,
  };
}

// ---------------------------------------------------------------------------------------------
// Reminder, follow-up check-in and wrap-up.
//
// What teammates wrote differs per send, so it cannot be baked in at publish time: the compiled
// HTML has a raw slot (`{{{sharedHtml}}}`, filled without escaping) and the HTML for it is built
// here, once per send, only from our own tags with every piece of participant text escaped
// (braces too, so it cannot even look like a placeholder).

/** One teammate's contribution as a reminder or the wrap-up credits it. */
export interface SharedItem {
  /** Who to credit: a first name. */
  name: string;
  /** What they did, in our words: "shared a strategy", "will try: Write a shared agenda". */
  what: string;
  /** Their own words, whole; cut to an excerpt here. */
  text: string;
}

// Control characters and bidi overrides: a participant's text must not reorder ours.
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** A short single-line excerpt of user-written text, cut on a word boundary. */
export function excerpt(text: string, max = 160): string {
  const flat = text.replace(UNPRINTABLE, '').replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}…`;
}

/** Escapes text for HTML and also its braces, so nothing in it can read as a placeholder. */
function escapeText(s: string): string {
  return escapeHtml(s).replace(/\{/g, '&#123;').replace(/\}/g, '&#125;');
}

const moreLine = (more: number, language: Language) => t(language, 'reminder.more', { more });

/**
 * The contributions as HTML (a list of quotes with credit), or `empty` when there are none;
 * `more` counts those left out.
 */
export function sharedHtml(items: readonly SharedItem[], empty: string, more = 0, language: Language = 'en'): string {
  if (items.length === 0) return `<p style="margin:0;">${escapeText(empty)}</p>`;
  const tail = more > 0 ? `<p style="margin:0 0 12px;">${escapeText(moreLine(more, language))}</p>` : '';
  return items
    .map((item) => {
      const quoted = excerpt(item.text);
      return (
        `<p style="margin:0 0 12px;"><strong>${escapeText(excerpt(item.name, 40))}</strong> ${escapeText(excerpt(item.what, 120))}` +
        (quoted
          ? `<br><span class="bt-quote" style="display:inline-block;margin-top:4px;padding:0 0 0 12px;border-left:3px solid ${light.quoteBar};">“${escapeText(quoted)}”</span>`
          : '') +
        `</p>`
      );
    })
    .join('') + tail;
}

/** Wraps plain text at 76 columns; a runtime twin of markdown.ts's wrapText, which needs marked. */
export function wrapPlain(text: string, first = '', rest = first, width = 76): string {
  const out: string[] = [];
  let prefix = first;
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && prefix.length + line.length + 1 + word.length > width) {
      out.push(prefix + line);
      prefix = rest;
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  out.push(prefix + line);
  return out.join('\n');
}

/** The same contributions as plain text. */
export function sharedText(items: readonly SharedItem[], empty: string, more = 0, language: Language = 'en'): string {
  if (items.length === 0) return wrapPlain(excerpt(empty, 400));
  const tail = more > 0 ? `\n${moreLine(more, language)}` : '';
  return items
    .map((item) => {
      const quoted = excerpt(item.text);
      const head = wrapPlain(`${excerpt(item.name, 40)} ${excerpt(item.what, 120)}${quoted ? ':' : ''}`, '- ', '  ');
      return quoted ? `${head}\n${wrapPlain(`"${quoted}"`, '  ')}` : head;
    })
    .join('\n') + tail;
}

/** Trainings a person contributed to, against the series' "at least N of M" goal. */
export function progressLine(series: Series, trainings: readonly Training[], contributed: number, language: Language = 'en'): string {
  const e = series.policies.encourage;
  const of = e?.of ?? trainings.length;
  const sofar = t(language, 'progress.sofar', { contributed, of });
  if (!e) return t(language, 'progress.done', { sofar });
  if (contributed >= e.atLeast) return t(language, 'progress.reached', { sofar, atLeast: e.atLeast });
  return t(language, 'progress.closer', { sofar, atLeast: e.atLeast, missing: e.atLeast - contributed });
}

export interface ReminderValues extends KickoffValues {
  deadline: string;
  nudge: string;
  progress: string;
  shared: string;
  sharedHtml: string;
}

/** Said once, in the reminder after which reminders rest (reminder fatigue). */
export const LAST_REMINDER = t('en', 'reminder.lastForNow');

export function reminderValues(input: {
  series: Series;
  training: Training;
  trainings: readonly Training[];
  participant: Participant;
  links: RecipientLinks;
  /** They marked it read (but contributed nothing yet). */
  hasRead: boolean;
  /** Trainings of the series they contributed to. */
  contributed: number;
  /** sharedText() and sharedHtml() of the teammates' contributions, the same for the whole send. */
  shared: { text: string; html: string };
  /** The language of the template being filled. */
  language?: Language;
  /** Reminder fatigue: this is the last reminder until they reply "resume". */
  lastForNow?: boolean;
}): ReminderValues {
  const { training, participant, links } = input;
  const language = input.language ?? 'en';
  return {
    ...layoutValues(participant, links, new Date(`${training.closes}T12:00:00Z`), language),
    firstName: firstName(participant.name),
    ...replyValues(links),
    deadline: formatDeadline(training.closes, participant.timeZone, language),
    nudge: t(language, input.hasRead ? 'reminder.nudgeRead' : 'reminder.nudgeUnread') + (input.lastForNow ? ` ${t(language, 'reminder.lastForNow')}` : ''),
    progress: progressLine(input.series, input.trainings, input.contributed, language),
    shared: input.shared.text,
    sharedHtml: input.shared.html,
  };
}

export interface FollowUpLinks extends RecipientLinks {
  /** One-click rating URLs for 1 to 5, in order. */
  ratings: readonly [string, string, string, string, string];
}

export interface FollowUpValues extends KickoffValues {
  strategyTitle: string;
  rating1Url: string;
  rating2Url: string;
  rating3Url: string;
  rating4Url: string;
  rating5Url: string;
}

/** A strategy title as plain words: authors write titles in Markdown. */
export function plainTitle(title: string): string {
  return title.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*_`~]+/g, '').replace(/\s+/g, ' ').trim();
}

export function followUpValues(input: {
  training: Training;
  participant: Participant;
  strategy: { title: string };
  links: FollowUpLinks;
  now: Date;
  /** The language of the template being filled. */
  language?: Language;
}): FollowUpValues {
  const { participant, links } = input;
  const [r1, r2, r3, r4, r5] = links.ratings;
  return {
    ...layoutValues(participant, links, input.now, input.language),
    firstName: firstName(participant.name),
    ...replyValues(links),
    strategyTitle: plainTitle(input.strategy.title),
    rating1Url: r1,
    rating2Url: r2,
    rating3Url: r3,
    rating4Url: r4,
    rating5Url: r5,
  };
}

/** What the wrap-up says about the series as a whole: the same for every recipient. */
export interface WrapUpTotals {
  contributions: number;
  contributors: number;
  strategies: number;
  /** sharedText() and sharedHtml() per training, in training order. */
  sharedByTraining: ReadonlyArray<{ text: string; html: string }>;
}

export interface WrapUpValues extends KickoffValues {
  contributionCount: string;
  contributorCount: string;
  strategyCount: string;
  personal: string;
}

export function wrapUpValues(input: {
  series: Series;
  trainings: readonly Training[];
  participant: Participant;
  links: RecipientLinks;
  totals: WrapUpTotals;
  /** Trainings this person contributed to. */
  contributed: number;
  now: Date;
  /** The language of the template being filled. */
  language?: Language;
}): WrapUpValues {
  const { participant, links, totals } = input;
  const language = input.language ?? 'en';
  const values: WrapUpValues = {
    ...layoutValues(participant, links, input.now, language),
    firstName: firstName(participant.name),
    ...replyValues(links),
    contributionCount: t(language, 'count.contributions', { n: totals.contributions }),
    contributorCount: t(language, 'count.people', { n: totals.contributors }),
    strategyCount: t(language, 'count.strategies', { n: totals.strategies }),
    personal:
      input.contributed > 0
        ? t(language, 'wrapUp.personal', { contributed: input.contributed, of: input.trainings.length })
        : t(language, 'wrapUp.personalNone'),
  };
  totals.sharedByTraining.forEach((shared, i) => {
    values[`shared${i + 1}`] = shared.text;
    values[`sharedHtml${i + 1}`] = shared.html;
  });
  return values;
}
