// A job as the handlers receive it (a schedule's input, a queue message): parsed, and named in the
// logs. Apart from adapters/aws/sending.ts, which re-exports it, so the deployed dispatch function
// reads and fans out a job without loading what runs one (issue 16, its cold start).
import { JobSchema, type Job } from '#core/jobs';

export class InvalidJobError extends Error {
  override name = 'InvalidJobError';
}

/** Parses a job from a schedule or a queue message; the error says what is wrong and what to do. */
export function parseJob(event: unknown, from = 'dispatch'): Job {
  const parsed = JobSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  throw new InvalidJobError(
    `${from} received an event that is not a job:\n` +
      parsed.error.issues.map((i) => `- ${i.path.join('.') || 'the event'}: ${i.message}\n`).join('') +
      `Received: ${JSON.stringify(event)}. Re-publish the series so its schedules carry valid jobs.`,
  );
}

/** The correlation keys of a job on every log line of its invocation (never the recipients). */
export function jobKeys(job: Job): Record<string, string> {
  return { seriesId: job.seriesId, jobKind: job.kind, ...(job.trainingSlug ? { trainingSlug: job.trainingSlug } : {}) };
}

/** A job for the logs: a batch's recipients are counted, not listed (they are personal data). */
export function describe(job: Job): Record<string, unknown> {
  const { recipients, ...rest } = job;
  return recipients ? { ...rest, recipients: recipients.length } : rest;
}
