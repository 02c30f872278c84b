// The records Baton keeps between runs, as the domain sees them: a published series, a
// participant with their status, the delivery ledger, calendar sequences, the suppression list.
// They live in core rather than beside the DynamoDB adapter because the use cases and the audience
// rules reason about them (who is unsubscribed, what is sent, which SEQUENCE was announced) and
// the app may not import adapters. Their zod schemas come along: the store validates what it
// writes and parses what it reads against them, wrapping them in item schemas of its own.
import * as z from 'zod/mini';
import { EmailSchema, IsoDateTimeSchema, TrainingSchema, type EmailKind, type Participant, type Series, type Training } from './model.ts';
import { builtOnFirstUse } from './built-on-first-use.ts';

/** An instant given to the store: a Date or an ISO 8601 string. Stored as ISO strings. */
export type Instant = Date | string;

export interface PublishedSeries {
  series: Series;
  /** Ordered by `order`. */
  trainings: Training[];
  publishedAt: string;
  version: number;
}

/**
 * Parts of a series a participant can stop without leaving it. Only opt-outs are stored
 * (`false`); a missing flag means the default, which is to get it. `calendar` is the invitations
 * and holds attached to trainings (honoured where calendars are built).
 */
export const PREFERENCE_FLAGS = ['reminders', 'rollups', 'checkIns', 'calendar'] as const;
export type PreferenceFlag = (typeof PREFERENCE_FLAGS)[number];
export const PreferencesSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  reminders: z.optional(z.boolean()),
  rollups: z.optional(z.boolean()),
  checkIns: z.optional(z.boolean()),
  calendar: z.optional(z.boolean()),
}));
export type Preferences = z.infer<typeof PreferencesSchema>;

export const ParticipantStatusSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  unsubscribedAt: z.optional(IsoDateTimeSchema),
  bouncedAt: z.optional(IsoDateTimeSchema),
  /** Reminders pause until this instant (from an out-of-office auto-reply). */
  outOfOfficeUntil: z.optional(IsoDateTimeSchema),
  preferences: z.optional(PreferencesSchema),
  /** They turned calendar entries off with the footer link: the emails come without them. */
  calendarsOffAt: z.optional(IsoDateTimeSchema),
  /** Everything from this series pauses until this instant (the preferences page). */
  pausedUntil: z.optional(IsoDateTimeSchema),
  /** Bites or whole trainings, whatever the series says (the preferences page); absent: the series' format. */
  format: z.optional(z.enum(['bites', 'whole'])),
  /**
   * Reminder fatigue: Baton stopped reminding them after trainings without a word from them,
   * and said so once (in that training's reminder). A reply of "resume" clears it.
   */
  remindersRestedAt: z.optional(IsoDateTimeSchema),
}));
export type ParticipantStatus = z.infer<typeof ParticipantStatusSchema>;

export type StoredParticipant = Participant &
  ParticipantStatus & {
    /** `participantKey(seriesId, email)`, what reply tokens carry. */
    key: string;
  };

/** A status change: an instant sets the field, null clears it, undefined leaves it alone. */
export type ParticipantStatusPatch = {
  [K in Exclude<keyof ParticipantStatus, 'preferences' | 'format'>]?: Instant | null;
} & { format?: 'bites' | 'whole' | null };

/**
 * A reply Baton could not record by itself, kept for a person to look at: `unclear` (no reading
 * Baton trusts: the trainer tags it, or the participant answers the ack's question), `request`
 * (a question or request about the series: the trainer answers), `rejoin` (an unsubscribed
 * participant asking back in: they got a resubscribe link, the trainer is told). The id derives
 * from the Message-ID, so a redelivery writes the same record.
 */
export const NeedsLookSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  id: z.string().check(z.minLength(1)),
  seriesId: z.string().check(z.minLength(1)),
  trainingSlug: z.string().check(z.minLength(1)),
  participantEmail: EmailSchema,
  kind: z.enum(['unclear', 'request', 'rejoin']),
  /** The trimmed reply, as the participant wrote it. */
  text: z.string(),
  /** Which email it answered (the reply address said): training, roll-up, check-in, ack … */
  answers: z.string(),
  /** Route context: the strategy a check-in asked about, the contribution a comment answered. */
  strategyId: z.optional(z.string()),
  targetResponseId: z.optional(z.string()),
  reason: z.optional(z.string()),
  source: z.string(),
  rawMessage: z.optional(z.string()),
  receivedAt: IsoDateTimeSchema,
  resolvedAt: z.optional(IsoDateTimeSchema),
  /** What it was tagged as ('adopt #2', 'nothing', 'answered by reply' …). */
  resolution: z.optional(z.string()),
  /** The response a tag recorded, so a second tag can replace it. */
  responseId: z.optional(z.string()),
}));
export type NeedsLook = z.infer<typeof NeedsLookSchema>;

export const SuppressionSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  email: EmailSchema,
  reason: z.string(),
  at: IsoDateTimeSchema,
}));
export type Suppression = z.infer<typeof SuppressionSchema>;

export type ClaimResult = 'claimed' | 'already-sent' | 'in-flight';

export const DeliverySchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  emailId: z.string().check(z.minLength(1)),
  status: z.enum(['claimed', 'sent']),
  /** How many times it was claimed; above 1 means a sender died or gave up mid-send. */
  attempts: z.int().check(z.gte(1)),
  claimedAt: IsoDateTimeSchema,
  /** Epoch milliseconds; a claim whose lease has passed may be taken over. */
  leaseUntil: z.optional(z.number()),
  sesMessageId: z.optional(z.string()),
  sentAt: z.optional(IsoDateTimeSchema),
  lastError: z.optional(z.string()),
  /** Marked sent by SES's Send event, before (or instead of) its sender's completion. */
  acceptedBySes: z.optional(z.boolean()),
}));
export type Delivery = z.infer<typeof DeliverySchema>;

/**
 * A training's calendar as participants were last told it: its window and the SEQUENCE its events
 * carry. Kept after the training is removed, so its cancellation repeats what was announced and
 * a training added back later continues above the cancellation's SEQUENCE.
 */
export const CalendarStateSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  slug: z.string().check(z.minLength(1)),
  order: z.int().check(z.gte(0)),
  title: z.string().check(z.minLength(1)),
  author: z.string().check(z.minLength(1)),
  opens: z.string(),
  closes: z.string(),
  sequence: z.int().check(z.gte(0)),
  /** When the window last moved or the training was removed: the update / cancel job's time. */
  changedAt: z.optional(IsoDateTimeSchema),
  removedAt: z.optional(IsoDateTimeSchema),
}));
export type CalendarState = z.infer<typeof CalendarStateSchema>;

/**
 * A change to one training made in the studio (its dates and title, or its text), kept from the
 * moment it is confirmed: the publish worker applies it (state pending → applying → applied or
 * failed), the studio shows its state, and `baton publish` from the folder refuses to overwrite an
 * applied one until the folder holds it too (`inFolderAt`), so the folder cannot silently revert it.
 */
export const STUDIO_EDIT_STATES = ['pending', 'applying', 'applied', 'failed'] as const;
export type StudioEditState = (typeof STUDIO_EDIT_STATES)[number];
export const StudioEditSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  id: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
  seriesId: z.string().check(z.minLength(1)),
  slug: z.string().check(z.minLength(1)),
  kind: z.enum(['dates', 'text']),
  /** The training as it is to be published. */
  training: TrainingSchema,
  /** The series version the edit was made against: applied only onto that version. */
  baseVersion: z.int().check(z.gte(0)),
  /** The trainer who confirmed it. */
  by: EmailSchema,
  requestedAt: IsoDateTimeSchema,
  state: z.enum(STUDIO_EDIT_STATES),
  /** The re-plan shown when it was confirmed. */
  plan: z.array(z.string()),
  appliedAt: z.optional(IsoDateTimeSchema),
  /** The series version the edit published. */
  version: z.optional(z.int()),
  /** Why it was not applied (failed). */
  error: z.optional(z.string()),
  /** When a publish from the folder carried the same training. */
  inFolderAt: z.optional(IsoDateTimeSchema),
}));
export type StudioEdit = z.infer<typeof StudioEditSchema>;

/**
 * Every email to one person about one thing has one id; the delivery ledger keys on it. `extra`
 * tells apart several of one kind per training and person (a check-in per adopted strategy).
 */
export function emailId(kind: EmailKind, trainingSlug: string | undefined, email: string, extra?: string): string {
  return `${kind}#${trainingSlug ?? '-'}#${email}${extra === undefined ? '' : `#${extra}`}`;
}
