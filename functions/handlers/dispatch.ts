// The Lambda a schedule invokes when a job is due. EventBridge Scheduler passes the schedule's
// Input (the job as JSON) as the event itself.
//
// For now it only validates and acknowledges the job: planning recipients, filling templates and
// sending arrive with the dispatch core in a later issue, which this handler will call. Keep it
// thin, and keep mjml out of its imports: templates are compiled at publish time, never here.
import { JobSchema, type Job } from '#core/jobs';

export async function handler(event: unknown): Promise<{ accepted: Job }> {
  const parsed = JobSchema.safeParse(event);
  if (!parsed.success) {
    // Throwing lets the scheduler's retry policy and dead-letter queue keep the bad job for a look.
    throw new Error(
      `dispatch received an event that is not a job:\n` +
        parsed.error.issues.map((i) => `- ${i.path.join('.') || 'the event'}: ${i.message}\n`).join('') +
        `Received: ${JSON.stringify(event)}. Re-publish the series so its schedules carry valid jobs.`,
    );
  }
  const job = parsed.data;
  log('INFO', 'job accepted', { job });
  return { accepted: job };
}

// One JSON object per line on stdout, so Lambda's JSON log format and Logs Insights read the
// fields as they are instead of wrapping them in a string.
function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
}
