// The Lambda a schedule invokes when a job is due. EventBridge Scheduler passes the schedule's
// Input (the job as JSON) as the event itself.
//
// Primary course:
//   1. parse the job (a bad one throws, so the scheduler's retries and dead-letter queue keep it);
//   2. a job about many participants is cut into batches of recipients on the fan-out queue, so
//      no send depends on one invocation finishing within 15 minutes; the send workers run them;
//   3. otherwise dispatch it here: plan, compose, send once each through the delivery ledger;
//   4. any email that failed to send fails the invocation, so the retry sends the rest (the
//      ledger skips whoever already got theirs).
// Keep mjml out of the imports: templates are compiled at publish time, never here.
import type { StoredParticipant } from '#core/records';
import { createObservability, HANDLER_METRICS, instrument, type Observability } from '#adapters/aws/observability';
import { SqsQueue, type MessageQueue } from '#adapters/aws/queue';
import { DispatchEnvSchema, readRuntimeConfig } from '#adapters/aws/runtime-config';
import { describe, jobKeys, parseJob, runJob, sendDepsFromEnv, type AwsIo, type ReportSummary, type SendDeps } from '#adapters/aws/sending';
import type { Job, JobKind } from '#core/jobs';
import type { Context } from 'aws-lambda';
import { inGroup, isActive } from '#core/audience';

/**
 * Kinds sent to participants, which a large series cuts into batches of recipients. A batch still
 * plans over the whole series (core dispatch applies `recipients` to the planner's output), so a
 * roll-up or wrap-up in a batch credits the same teammates as the whole send would. Digests go to
 * the few trainers and stay whole.
 */
export const FAN_OUT_KINDS: readonly JobKind[] = ['kickoff', 'training', 'reminder', 'rollup', 'follow-up', 'wrap-up'];

export interface DispatchHandlerDeps extends SendDeps {
  obs?: Observability;
  queue: MessageQueue;
  /** Recipients per queued batch; a send to more participants than this is fanned out. */
  batchSize: number;
}

export type DispatchResult =
  | { job: Job; fannedOut: { batches: number; recipients: number } }
  | { job: Job; report: ReportSummary };

/** Who a job without a recipient list is about: the series' reachable participants in its group. */
function audience(job: Job, participants: readonly StoredParticipant[]): string[] {
  return participants
    // The same rules the planners apply (core/audience.ts), working week included, so a batch
    // never carries someone the job's planner would leave out.
    .filter((p) => isActive(p) && inGroup(job, p))
    .map((p) => p.email)
    .sort();
}

export function createDispatchHandler(deps: DispatchHandlerDeps): (event: unknown, context?: Context) => Promise<DispatchResult> {
  const obs = deps.obs ?? createObservability('dispatch');
  return instrument(obs, async (event) => {
    let job: Job;
    try {
      job = parseJob(event);
    } catch (error) {
      // Thrown on after counting: the scheduler invokes asynchronously, so Lambda retries and then
      // keeps the event on the dispatch failure queue, where baton dlq shows it. A job that never
      // ran must not look like one that did.
      obs.dropped('not a job', { error: (error as Error).message });
      throw error;
    }
    obs.logger.appendKeys(jobKeys(job));
    if (!job.recipients && FAN_OUT_KINDS.includes(job.kind)) {
      const emails = audience(job, await deps.store.listParticipants(job.seriesId));
      if (emails.length > deps.batchSize) {
        const batches: Job[] = [];
        for (let i = 0; i < emails.length; i += deps.batchSize) batches.push({ ...job, recipients: emails.slice(i, i + deps.batchSize) });
        await deps.queue.sendAll(batches.map((b) => JSON.stringify(b)));
        const fannedOut = { batches: batches.length, recipients: emails.length };
        obs.count(HANDLER_METRICS.batchesQueued, batches.length);
        obs.logger.info('job fanned out', { job: describe(job), ...fannedOut });
        return { job, fannedOut };
      }
    }
    return { job, report: await runJob(job, deps, obs) };
  });
}

/** One container's handler, from the environment the stack sets (and, in the scale bench, in-memory AWS). */
export function dispatchFromEnv(env: Record<string, string | undefined> = process.env, io: AwsIo = {}, obs = createObservability('dispatch')) {
  const config = readRuntimeConfig(DispatchEnvSchema, 'dispatch', env);
  return createDispatchHandler({
    ...sendDepsFromEnv(config, obs, config.BATON_MAX_SEND_RATE, io),
    obs,
    queue: new SqsQueue({ queueUrl: config.BATON_FANOUT_QUEUE_URL, region: config.AWS_REGION, ...(io.sqs ? { client: io.sqs } : {}) }),
    batchSize: config.BATON_FANOUT_BATCH_SIZE,
  });
}

let configured: ((event: unknown, context?: Context) => Promise<DispatchResult>) | undefined;

export async function handler(event: unknown, context?: Context): Promise<DispatchResult> {
  configured ??= dispatchFromEnv();
  return configured(event, context);
}
