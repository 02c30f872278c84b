// The domain model every part of Baton shares: what a series, a training, a participant, a
// response and a delivery are once they have been parsed from the outside world. The series
// folder parser produces these; the data layer stores and returns them; emails, schedules and
// reports read them. Schemas are the single source of the types (`z.infer`).
import { z } from 'zod';

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

export const TimeZoneSchema = z
  .string()
  .refine(isTimeZone, { message: 'is not an IANA time zone (for example Europe/Berlin, Asia/Brunei)' });

/** A calendar date without a time, as trainers write window dates: 2027-01-21. */
export const CalendarDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine((d) => {
    const [y, m, day] = d.split('-').map(Number) as [number, number, number];
    const t = new Date(Date.UTC(y, m - 1, day));
    return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === day;
  }, 'is not a real calendar date');

/** A local wall-clock time, 24-hour: 09:00. */
export const LocalTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a 24-hour time written HH:MM, such as 09:00');

export const SlugSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be lowercase letters, digits and dashes, such as q1-productivity');

export const EmailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'is not a valid email address' }));

export const WeekdaySchema = z.enum(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);

/** The days someone works, in week order; at least one. */
export const WorkDaysSchema = z.array(WeekdaySchema).min(1, 'must name at least one working day');

export const TrainerSchema = z.object({
  name: z.string().min(1),
  email: EmailSchema,
  timeZone: TimeZoneSchema,
});
export type Trainer = z.infer<typeof TrainerSchema>;

export const PoliciesSchema = z.object({
  /** Days before a window closes that the quiet ones get their one reminder. */
  reminderDaysBeforeClose: z.number().int().min(1).max(13).default(3),
  /** Weeks after a window closes that adopters get a "how did it go?" check-in. */
  followUpWeeksAfterClose: z.number().int().min(1).max(26).default(3),
  /** When trainers get their weekly digest, in the trainer's own time zone. */
  digest: z
    .object({ day: WeekdaySchema.default('mon'), hour: z.number().int().min(0).max(23).default(9) })
    .default({ day: 'mon', hour: 9 }),
  /** When participants get the weekly roll-up of teammates' contributions, in their own time zone. */
  rollup: z
    .object({ day: WeekdaySchema.default('fri'), hour: z.number().int().min(0).max(23).default(10) })
    .default({ day: 'fri', hour: 10 }),
  /** "We encourage everyone to contribute to at least N of the M trainings." */
  encourage: z.object({ atLeast: z.number().int().min(1), of: z.number().int().min(1) }).optional(),
  /** Whether a received contribution is acknowledged by email. */
  acknowledgeContributions: z.boolean().default(true),
  /** Reminder fatigue: at most this many reminders a person gets in a week, across every series (absent: 2). */
  remindersPerWeek: z.number().int().min(0).max(14).optional(),
});
export type Policies = z.infer<typeof PoliciesSchema>;

export const TrainingFormatSchema = z.enum(['whole', 'bites']);

export const SeriesSchema = z.object({
  id: SlugSchema,
  title: z.string().min(1),
  /** Markdown shown in the kickoff email above the calendar. */
  intro: z.string(),
  trainers: z.array(TrainerSchema).min(1),
  defaultTimeZone: TimeZoneSchema,
  /** Local time a participant's day starts when the CSV does not say. */
  defaultWorkStart: LocalTimeSchema.default('09:00'),
  /**
   * The working week where the CSV does not give one: sends and focus holds land on these days.
   * Absent means Monday to Friday (audience.ts workDaysOf), so series stored before it still read.
   */
  defaultWorkDays: WorkDaysSchema.optional(),
  /**
   * How trainings are sent: `whole` (one email, the default) or `bites` (a short overview, then
   * one part a working day). A training's front matter and a participant's choice override it.
   */
  format: TrainingFormatSchema.optional(),
  policies: PoliciesSchema,
});
export type Series = z.infer<typeof SeriesSchema>;

export const StrategySchema = z.object({
  /** Stable across edits and reordering: a slug of the title unless the author fixes one. */
  id: SlugSchema,
  /** 1-based position as shown to participants ("Adopt #2"). */
  number: z.number().int().min(1),
  title: z.string().min(1),
  /** Markdown explaining the strategy. */
  body: z.string(),
});
export type Strategy = z.infer<typeof StrategySchema>;

export const MediaSchema = z.object({
  audio: z.url().optional(),
  video: z.url().optional(),
  slides: z.url().optional(),
});

export const TrainingSchema = z.object({
  /** From the file name `NN-slug.md`: the slug part, stable when files are renumbered. */
  slug: SlugSchema,
  /** From the file name's NN. */
  order: z.number().int().min(0),
  title: z.string().min(1),
  /** First and last calendar day of the submission window (inclusive), in participants' own zones. */
  opens: CalendarDateSchema,
  closes: CalendarDateSchema,
  /** The author's name as shown in the email (usually one of the trainers). */
  author: z.string().min(1),
  authorEmail: EmailSchema.optional(),
  media: MediaSchema.default({}),
  /** The article in Markdown, without the Strategies section. */
  body: z.string(),
  strategies: z.array(StrategySchema),
  /** Overrides the series' format for this training (front matter `format:`). */
  format: TrainingFormatSchema.optional(),
});
export type Training = z.infer<typeof TrainingSchema>;

export const ParticipantSchema = z.object({
  email: EmailSchema,
  name: z.string().min(1),
  timeZone: TimeZoneSchema,
  workStart: LocalTimeSchema,
  /** Their working week; absent means the series' defaultWorkDays. */
  workDays: WorkDaysSchema.optional(),
  /** false: they turned calendar entries off (CSV column or the footer link); the emails stay. */
  calendars: z.boolean().optional(),
});
export type Participant = z.infer<typeof ParticipantSchema>;

export const IntentSchema = z.enum(['read', 'strategy', 'adopt', 'comment', 'feedback', 'follow-up', 'unsubscribe']);
export type Intent = z.infer<typeof IntentSchema>;

export const AttachmentRefSchema = z.object({
  /** Where the bytes are kept (S3 key, or a path under .data/ locally). */
  key: z.string(),
  filename: z.string(),
  contentType: z.string(),
  size: z.number().int().min(0),
});
export type AttachmentRef = z.infer<typeof AttachmentRefSchema>;

export const ResponseSchema = z.object({
  id: z.string().min(1),
  seriesId: SlugSchema,
  trainingSlug: SlugSchema,
  participantEmail: EmailSchema,
  intent: IntentSchema,
  /** Trimmed, sanitized text the participant wrote for this intent. */
  text: z.string(),
  /** For `adopt` and `follow-up`: the strategy concerned. */
  strategyId: SlugSchema.optional(),
  /** For `comment`: the response commented on (absent: a comment on the training itself). */
  targetResponseId: z.string().optional(),
  /** For `follow-up` (and check-in clicks): 1–5. */
  rating: z.number().int().min(1).max(5).optional(),
  links: z.array(z.string()).default([]),
  attachments: z.array(AttachmentRefSchema).default([]),
  /** Message-ID of the mail it came from, or the one-click token's id. */
  source: z.string(),
  /** Where the raw mail it came from is kept (S3 URL, or a path under .data/ locally). */
  rawMessage: z.string().optional(),
  receivedAt: z.iso.datetime(),
  /**
   * Set when the participant (or a trainer's tag) said it was not what they meant: the response
   * is kept for the record but no report, roll-up, digest or wiki shows it any more.
   */
  withdrawnAt: z.iso.datetime().optional(),
  /** The response that took its place, when it was corrected rather than withdrawn. */
  replacedBy: z.string().optional(),
});
export type Response = z.infer<typeof ResponseSchema>;

export const EmailKindSchema = z.enum([
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
]);
export type EmailKind = z.infer<typeof EmailKindSchema>;
