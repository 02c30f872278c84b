// A job is what a schedule hands to `dispatch` when it fires: EventBridge Scheduler in AWS, the
// local clock on one machine. Both sides parse it with this schema, so a schedule written by an
// older publish that no longer fits fails loudly at the edge instead of half-sending.
import { z } from 'zod';
import { EmailKindSchema, EmailSchema, LocalTimeSchema, SlugSchema, TimeZoneSchema } from './model.ts';

/** The email kinds a schedule sends; the others (ack, update, cancel, upload-link) answer events. */
export const JobKindSchema = EmailKindSchema.extract([
  'kickoff',
  'training',
  'reminder',
  'rollup',
  'digest',
  'follow-up',
  'wrap-up',
]);
export type JobKind = z.infer<typeof JobKindSchema>;

/** Kinds that are about one training's window, so a job of that kind must name the training. */
export const TRAINING_JOB_KINDS: readonly JobKind[] = ['training', 'reminder', 'follow-up'];

export const JobSchema = z
  .object({
    kind: JobKindSchema,
    seriesId: SlugSchema,
    trainingSlug: SlugSchema.optional(),
    /** Set when sends are split per time zone so each participant gets mail at a sensible local hour. */
    timeZone: TimeZoneSchema.optional(),
    /** With timeZone: only participants whose day starts at this local time (training sends). */
    workStart: LocalTimeSchema.optional(),
    /**
     * A fan-out batch: only these participants. The dispatch Lambda splits a large send into
     * batches on a queue so no send depends on one invocation finishing within 15 minutes.
     */
    recipients: z.array(EmailSchema).min(1).max(1000).optional(),
  })
  .refine((job) => !TRAINING_JOB_KINDS.includes(job.kind) || job.trainingSlug !== undefined, {
    path: ['trainingSlug'],
    message: 'is required for training, reminder and follow-up jobs: name the training the job is about',
  });
export type Job = z.infer<typeof JobSchema>;
