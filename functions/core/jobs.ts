// A job is what a schedule hands to `dispatch` when it fires: EventBridge Scheduler in AWS, the
// local clock on one machine. Both sides parse it with this schema, so a schedule written by an
// older publish that no longer fits fails loudly at the edge instead of half-sending.
import * as z from 'zod/mini';
import { EmailSchema, type EmailKind, LocalTimeSchema, ParticipantSchema, SlugSchema, TimeZoneSchema } from './model.ts';
import { builtOnFirstUse } from './built-on-first-use.ts';

/**
 * The email kinds a schedule sends; the others (ack, upload-link) answer events. Calendar updates
 * and cancellations are one-time jobs that re-publishing (or unenrolling) schedules at once.
 */
export const JobKindSchema = /* @__PURE__ */ builtOnFirstUse(() => z.enum([
  'kickoff',
  'training',
  'reminder',
  'rollup',
  'digest',
  'follow-up',
  'wrap-up',
  'update',
  'cancel',
] as const satisfies readonly EmailKind[]));
export type JobKind = z.infer<typeof JobKindSchema>;

/** Kinds that are about one training's window, so a job of that kind must name the training. */
export const TRAINING_JOB_KINDS: readonly JobKind[] = ['training', 'reminder', 'follow-up', 'update'];

export const JobSchema = /* @__PURE__ */ builtOnFirstUse(() =>
  z
    .object({
      kind: JobKindSchema,
      seriesId: SlugSchema,
      trainingSlug: z.optional(SlugSchema),
      /** Set when sends are split per time zone so each participant gets mail at a sensible local hour. */
      timeZone: z.optional(TimeZoneSchema),
      /** With timeZone: only participants whose day starts at this local time (training sends). */
      workStart: z.optional(LocalTimeSchema),
      /** With timeZone: only participants with this working week of their own (`mon,tue,wed,thu,sat`); absent: the series' week. */
      workDays: z.optional(z.string().check(z.regex(/^(mon|tue|wed|thu|fri|sat|sun)(,(mon|tue|wed|thu|fri|sat|sun))*$/))),
      /**
       * A fan-out batch: only these participants. The dispatch Lambda splits a large send into
       * batches on a queue so no send depends on one invocation finishing within 15 minutes.
       */
      recipients: z.optional(z.array(EmailSchema).check(z.minLength(1), z.maxLength(1000))),
      /** update / cancel: the calendar SEQUENCE the job announces; a job older than the stored one sends nothing. */
      sequence: z.optional(z.int().check(z.gte(0))),
      /**
       * cancel: a participant removed from the series. Their record is gone by the time the job runs,
       * so the job carries what their cancellation needs.
       */
      participant: z.optional(ParticipantSchema),
      /** training: a daily bite, part n of the training (bites.ts), for those who take it as bites. Absent: the training (or its overview). */
      part: z.optional(z.int().check(z.gte(1), z.lte(10))),
      /** cancel with participant: they stay, but turned calendar entries off; cancel what they hold. */
      calendarsOff: z.optional(z.literal(true)),
    })
    .check(
      z.refine((job) => !TRAINING_JOB_KINDS.includes(job.kind) || job.trainingSlug !== undefined, {
        path: ['trainingSlug'],
        message: 'is required for training, reminder, follow-up and update jobs: name the training the job is about',
      }),
      z.refine((job) => job.kind !== 'cancel' || job.trainingSlug !== undefined || job.participant !== undefined, {
        path: ['trainingSlug'],
        message: 'or participant is required for cancel jobs: name the removed training or the removed participant',
      }),
    ),
);
export type Job = z.infer<typeof JobSchema>;
