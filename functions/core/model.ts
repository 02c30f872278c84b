// The domain model every part of Baton shares: what a series, a training, a participant, a
// response and a delivery are once they have been parsed from the outside world. The series
// folder parser produces these; the data layer stores and returns them; emails, schedules and
// reports read them. Schemas are the single source of the types (`z.infer`).
//
// Written with zod/mini (functional checks, `z.optional(x)` rather than `x.optional()`), as is
// every schema the functions use (the series parser and the zone rules too): every Lambda bundle
// loads these, and mini tree-shakes to a few KB where classic zod weighs ~450 KB of a cold start.
// Each module-level schema is written builtOnFirstUse, so a function builds only those it reads,
// when it first reads them (./built-on-first-use.ts). The issues are the same either way (one
// core, one English locale: ./zod-english.ts), so the series validation messages the CLI prints
// do not change.
import * as z from 'zod/mini';
import './zod-english.ts';
import { builtOnFirstUse } from './built-on-first-use.ts';

// Building an Intl.DateTimeFormat costs ~0.35 ms; a 10,000-row CSV names a few dozen zones.
const knownTimeZones = new Map<string, boolean>();

/** True when `tz` is a time zone this runtime's ICU knows (IANA names and their aliases). */
export function isTimeZone(tz: string): boolean {
  if (!tz || tz.trim() !== tz) return false;
  let known = knownTimeZones.get(tz);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      known = true;
    } catch {
      known = false;
    }
    knownTimeZones.set(tz, known);
  }
  return known;
}

/**
 * An ISO 8601 instant in UTC. Schemas are immutable, so every record shares this one: each
 * z.iso.datetime() builds its own pattern, twenty-odd of them at every cold start (issue 16).
 */
export const IsoDateTimeSchema = /* @__PURE__ */ builtOnFirstUse(() => z.iso.datetime());

export const TimeZoneSchema = /* @__PURE__ */ builtOnFirstUse(() => z.string().check(z.refine(isTimeZone, { message: 'is not an IANA time zone (for example Europe/Berlin, Asia/Brunei)' })));

/** A calendar date without a time, as trainers write window dates: 2027-01-21. */
export const CalendarDateSchema = /* @__PURE__ */ builtOnFirstUse(() => z.string().check(
  z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD'),
  z.refine((d) => {
    const [y, m, day] = d.split('-').map(Number) as [number, number, number];
    const t = new Date(Date.UTC(y, m - 1, day));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === day;
  }, 'is not a real calendar date'),
));

/** A local wall-clock time, 24-hour: 09:00. */
export const LocalTimeSchema = /* @__PURE__ */ builtOnFirstUse(() => z.string().check(z.regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time written HH:MM, such as 09:00')));

export const SlugSchema = /* @__PURE__ */ builtOnFirstUse(() =>
  z.string().check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and dashes, such as q1-productivity')),
);

export const EmailSchema = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(z.string().check(z.trim(), z.toLowerCase()), z.email({ message: 'is not a valid email address' })));

export const WeekdaySchema = /* @__PURE__ */ builtOnFirstUse(() => z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']));

/** The days someone works, in week order; at least one. */
export const WorkDaysSchema = /* @__PURE__ */ builtOnFirstUse(() => z.array(WeekdaySchema).check(z.minLength(1, 'must name at least one working day')));

/**
 * The languages Baton speaks: those it reads replies in (lexicon/), so a participant is answered
 * in the language they were written to. Baton's own words only; the trainer's content stays as written.
 */
export const LANGUAGES = ['en', 'de', 'es', 'fr', 'pt', 'nl', 'ms', 'id', 'th', 'ar', 'ja'] as const;
export const LanguageSchema = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(
  z.string().check(z.trim(), z.toLowerCase()),
  z.enum(LANGUAGES, { message: `is not a language Baton speaks: use one of ${LANGUAGES.join(', ')}` }),
));
export type Language = (typeof LANGUAGES)[number];

export const TrainerSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  name: z.string().check(z.minLength(1)),
  email: EmailSchema,
  timeZone: TimeZoneSchema,
}));
export type Trainer = z.infer<typeof TrainerSchema>;

export const PoliciesSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  /** Days before a window closes that the quiet ones get their one reminder. */
  reminderDaysBeforeClose: z._default(z.int().check(z.gte(1), z.lte(13)), 3),
  /** Weeks after a window closes that adopters get a "how did it go?" check-in. */
  followUpWeeksAfterClose: z._default(z.int().check(z.gte(1), z.lte(26)), 3),
  /** When trainers get their weekly digest, in the trainer's own time zone. */
  digest: z._default(z.object({ day: z._default(WeekdaySchema, 'mon'), hour: z._default(z.int().check(z.gte(0), z.lte(23)), 9) }), { day: 'mon', hour: 9 }),
  /** When participants get the weekly roll-up of teammates' contributions, in their own time zone. */
  rollup: z._default(z.object({ day: z._default(WeekdaySchema, 'fri'), hour: z._default(z.int().check(z.gte(0), z.lte(23)), 10) }), { day: 'fri', hour: 10 }),
  /** "We encourage everyone to contribute to at least N of the M trainings." */
  encourage: z.optional(z.object({ atLeast: z.int().check(z.gte(1)), of: z.int().check(z.gte(1)) })),
  /** Whether a received contribution is acknowledged by email. */
  acknowledgeContributions: z._default(z.boolean(), true),
  /** Reminder fatigue: at most this many reminders a person gets in a week, across every series (absent: 2). */
  remindersPerWeek: z.optional(z.int().check(z.gte(0), z.lte(14))),
}));
export type Policies = z.infer<typeof PoliciesSchema>;

export const TrainingFormatSchema = /* @__PURE__ */ builtOnFirstUse(() => z.enum(['whole', 'bites']));

export const SeriesSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  id: SlugSchema,
  title: z.string().check(z.minLength(1)),
  /** Markdown shown in the kickoff email above the calendar. */
  intro: z.string(),
  trainers: z.array(TrainerSchema).check(z.minLength(1)),
  defaultTimeZone: TimeZoneSchema,
  /** Local time a participant's day starts when the CSV does not say. */
  defaultWorkStart: z._default(LocalTimeSchema, '09:00'),
  /**
   * The working week where the CSV does not give one: sends and focus holds land on these days.
   * Absent means Monday to Friday (audience.ts workDaysOf), so series stored before it still read.
   */
  defaultWorkDays: z.optional(WorkDaysSchema),
  /** Baton's own words to participants whose CSV row gives no language; absent means English. */
  language: z.optional(LanguageSchema),
  /**
   * How trainings are sent: `whole` (one email, the default) or `bites` (a short overview, then
   * one part a working day). A training's front matter and a participant's choice override it.
   */
  format: z.optional(TrainingFormatSchema),
  policies: PoliciesSchema,
}));
export type Series = z.infer<typeof SeriesSchema>;

export const StrategySchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  /** Stable across edits and reordering: a slug of the title unless the author fixes one. */
  id: SlugSchema,
  /** 1-based position as shown to participants ("Adopt #2"). */
  number: z.int().check(z.gte(1)),
  title: z.string().check(z.minLength(1)),
  /** Markdown explaining the strategy. */
  body: z.string(),
  /**
   * The title as the trainer also wrote it for readers of other languages (front matter
   * `strategyTitles`): a reply naming the strategy in those words names it as by its title.
   */
  aliases: z.optional(z.array(z.string().check(z.minLength(1)))),
}));
export type Strategy = z.infer<typeof StrategySchema>;

export const MediaSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  audio: z.optional(z.url()),
  video: z.optional(z.url()),
  slides: z.optional(z.url()),
}));

export const TrainingSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  /** From the file name `NN-slug.md`: the slug part, stable when files are renumbered. */
  slug: SlugSchema,
  /** From the file name's NN. */
  order: z.int().check(z.gte(0)),
  title: z.string().check(z.minLength(1)),
  /** First and last calendar day of the submission window (inclusive), in participants' own zones. */
  opens: CalendarDateSchema,
  closes: CalendarDateSchema,
  /** The author's name as shown in the email (usually one of the trainers). */
  author: z.string().check(z.minLength(1)),
  authorEmail: z.optional(EmailSchema),
  media: z._default(MediaSchema, {}),
  /** The article in Markdown, without the Strategies section. */
  body: z.string(),
  strategies: z.array(StrategySchema),
  /** Overrides the series' format for this training (front matter `format:`). */
  format: z.optional(TrainingFormatSchema),
}));
export type Training = z.infer<typeof TrainingSchema>;

export const ParticipantSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  email: EmailSchema,
  name: z.string().check(z.minLength(1)),
  timeZone: TimeZoneSchema,
  workStart: LocalTimeSchema,
  /** Their working week; absent means the series' defaultWorkDays. */
  workDays: z.optional(WorkDaysSchema),
  /** false: they turned calendar entries off (CSV column or the footer link); the emails stay. */
  calendars: z.optional(z.boolean()),
  /** The language Baton writes to them in (CSV column `language`); absent means the series' language. */
  language: z.optional(LanguageSchema),
  /** Their team (CSV column `team`), for the studio's participation by team; absent: no team. */
  team: z.optional(z.string().check(z.minLength(1), z.maxLength(100))),
}));
export type Participant = z.infer<typeof ParticipantSchema>;

export const IntentSchema = /* @__PURE__ */ builtOnFirstUse(() => z.enum(['read', 'strategy', 'adopt', 'comment', 'feedback', 'follow-up', 'unsubscribe']));
export type Intent = z.infer<typeof IntentSchema>;

export const AttachmentRefSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  /** Where the bytes are kept (S3 key, or a path under .data/ locally). */
  key: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.int().check(z.gte(0)),
}));
export type AttachmentRef = z.infer<typeof AttachmentRefSchema>;

export const ResponseSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  id: z.string().check(z.minLength(1)),
  seriesId: SlugSchema,
  trainingSlug: SlugSchema,
  participantEmail: EmailSchema,
  intent: IntentSchema,
  /** Trimmed, sanitized text the participant wrote for this intent. */
  text: z.string(),
  /** For `adopt` and `follow-up`: the strategy concerned. */
  strategyId: z.optional(SlugSchema),
  /** For `comment`: the response commented on (absent: a comment on the training itself). */
  targetResponseId: z.optional(z.string()),
  /** For `follow-up` (and check-in clicks): 1–5. */
  rating: z.optional(z.int().check(z.gte(1), z.lte(5))),
  links: z._default(z.array(z.string()), []),
  attachments: z._default(z.array(AttachmentRefSchema), []),
  /** Message-ID of the mail it came from, or the one-click token's id. */
  source: z.string(),
  /** Where the raw mail it came from is kept (S3 URL, or a path under .data/ locally). */
  rawMessage: z.optional(z.string()),
  receivedAt: IsoDateTimeSchema,
  /**
   * Set when the participant (or a trainer's tag) said it was not what they meant: the response
   * is kept for the record but no report, roll-up, digest or wiki shows it any more.
   */
  withdrawnAt: z.optional(IsoDateTimeSchema),
  /** The response that took its place, when it was corrected rather than withdrawn. */
  replacedBy: z.optional(z.string()),
}));
export type Response = z.infer<typeof ResponseSchema>;

export const EmailKindSchema = /* @__PURE__ */ builtOnFirstUse(() => z.enum([
  'kickoff',
  'training',
  'reminder',
  'rollup',
  'digest',
  'follow-up',
  'wrap-up',
  'ack',
  'update',
  'cancel',
  'upload-link',
]));
export type EmailKind = z.infer<typeof EmailKindSchema>;
