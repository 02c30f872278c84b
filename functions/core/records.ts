// The records Baton keeps between runs, as the domain sees them: a published series, a
// participant with their status, the delivery ledger, calendar sequences, the suppression list.
// They live in core rather than beside the DynamoDB adapter because the use cases and the audience
// rules reason about them (who is unsubscribed, what is sent, which SEQUENCE was announced) and
// the app may not import adapters. Their zod schemas come along: the store validates what it
// writes and parses what it reads against them, wrapping them in item schemas of its own.
import { z } from 'zod';
import { EmailSchema, type Participant, type Series, type Training } from './model.ts';

/** An instant given to the store: a Date or an ISO 8601 string. Stored as ISO strings. */
export type Instant = Date | string;

export interface PublishedSeries {
  series: Series;
  /** Ordered by `order`. */
  trainings: Training[];
  publishedAt: string;
  version: number;
}

export const ParticipantStatusSchema = z.object({
  unsubscribedAt: z.iso.datetime().optional(),
  bouncedAt: z.iso.datetime().optional(),
  /** Reminders pause until this instant (from an out-of-office auto-reply). */
  outOfOfficeUntil: z.iso.datetime().optional(),
});
export type ParticipantStatus = z.infer<typeof ParticipantStatusSchema>;

export type StoredParticipant = Participant &
  ParticipantStatus & {
    /** `participantKey(seriesId, email)`, what reply tokens carry. */
    key: string;
  };

/** A status change: an instant sets the field, null clears it, undefined leaves it alone. */
export type ParticipantStatusPatch = {
  [K in keyof ParticipantStatus]?: Instant | null;
};

export const SuppressionSchema = z.object({
  email: EmailSchema,
  reason: z.string(),
  at: z.iso.datetime(),
});
export type Suppression = z.infer<typeof SuppressionSchema>;

export type ClaimResult = 'claimed' | 'already-sent' | 'in-flight';

export const DeliverySchema = z.object({
  emailId: z.string().min(1),
  status: z.enum(['claimed', 'sent']),
  /** How many times it was claimed; above 1 means a sender died or gave up mid-send. */
  attempts: z.number().int().min(1),
  claimedAt: z.iso.datetime(),
  /** Epoch milliseconds; a claim whose lease has passed may be taken over. */
  leaseUntil: z.number().optional(),
  sesMessageId: z.string().optional(),
  sentAt: z.iso.datetime().optional(),
  lastError: z.string().optional(),
  /** Marked sent by SES's Send event, before (or instead of) its sender's completion. */
  acceptedBySes: z.boolean().optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

/**
 * A training's calendar as participants were last told it: its window and the SEQUENCE its events
 * carry. Kept after the training is removed, so its cancellation repeats what was announced and
 * a training added back later continues above the cancellation's SEQUENCE.
 */
export const CalendarStateSchema = z.object({
  slug: z.string().min(1),
  order: z.number().int().min(0),
  title: z.string().min(1),
  author: z.string().min(1),
  opens: z.string(),
  closes: z.string(),
  sequence: z.number().int().min(0),
  /** When the window last moved or the training was removed: the update / cancel job's time. */
  changedAt: z.iso.datetime().optional(),
  removedAt: z.iso.datetime().optional(),
});
export type CalendarState = z.infer<typeof CalendarStateSchema>;
