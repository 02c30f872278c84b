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
import { createObservability, HANDLER_METRICS, instrument, type Observability } from '#adapters/aws/observability';
import { SqsQueue, type MessageQueue } from '#adapters/aws/queue';
import { DispatchEnvSchema, readRuntimeConfig } from '#adapters/aws/runtime-config';
import { onFirstUse } from '#adapters/aws/first-use';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { describe, jobKeys, parseJob } from '#adapters/aws/jobs';
import type { AwsIo, ReportSummary, SendDeps } from '#adapters/aws/sending';
import type { Job } from '#core/jobs';
import type { Context } from 'aws-lambda';
import { fanOutAudience } from '#app/fan-out';

/**
 * Kinds sent to participants, cut into batches of recipients (app/run-job.ts). A job split by zone
 * reads its group's members from the group pointers; a batch reads its recipients and, for a
 * reminder, roll-up or wrap-up, the few teammates it credits by name (their contributions come
 * from the responses, so it credits the same ones as the whole send would). Digests go to the
 * few trainers and stay whole.
 */
export { FAN_OUT_KINDS } from '#app/fan-out';

export interface DispatchHandlerDeps extends SendDeps {
  obs?: Observability;
  queue: MessageQueue;
  /** Recipients per queued batch. */
  batchSize: number;
  /**
   * A send to at most this many is sent here rather than queued (default: `batchSize`). The
   * deployed function queues everything (0): the workers' bounded concurrency is what lets 90
   * groups firing in one minute share the account's pace without any invocation's duration
   * growing with the backlog.
   */
  inlineUpTo?: number;
}

/**
 * The deployed function's deps: the store fanning out reads, and the sending half built on the
 * first job this container runs itself. Every participant kind is cut into batches on AWS
 * (`inlineUpTo` 0), so most containers never load the planners, the mail room or the SES client:
 * the bundle carries them in a chunk of their own (issue 16, the cold start).
 */
export interface LazyDispatchDeps extends Omit<DispatchHandlerDeps, keyof SendDeps> {
  store: Parameters<typeof fanOutAudience>[1];
  sending: () => Promise<SendDeps>;
}

export type DispatchResult =
  | { job: Job; fannedOut: { batches: number; recipients: number } }
  | { job: Job; report: ReportSummary };

export function createDispatchHandler(deps: DispatchHandlerDeps | LazyDispatchDeps): (event: unknown, context?: Context) => Promise<DispatchResult> {
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
    const emails = await fanOutAudience(job, deps.store);
    if (emails) {
      if (emails.length > (deps.inlineUpTo ?? deps.batchSize)) {
        const batches: Job[] = [];
        for (let i = 0; i < emails.length; i += deps.batchSize) batches.push({ ...job, recipients: emails.slice(i, i + deps.batchSize) });
        await deps.queue.sendAll(batches.map((b) => JSON.stringify(b)));
        const fannedOut = { batches: batches.length, recipients: emails.length };
        obs.count(HANDLER_METRICS.batchesQueued, batches.length);
        obs.logger.info('job fanned out', { job: describe(job), ...fannedOut });
        return { job, fannedOut };
      }
    }
    const [{ runJob }, sendDeps] = await Promise.all([import('#adapters/aws/sending'), 'sending' in deps ? deps.sending() : deps]);
    return { job, report: await runJob(job, sendDeps, obs) };
  });
}

/** One container's handler, from the environment the stack sets (and, in the scale bench, in-memory AWS). */
export function dispatchFromEnv(env: Record<string, string | undefined> = process.env, io: AwsIo = {}, obs = createObservability('dispatch')) {
  const config = readRuntimeConfig(DispatchEnvSchema, 'dispatch', env);
  const dynamo = io.dynamo ?? createDynamoClient({ region: config.AWS_REGION });
  return createDispatchHandler({
    store: createStore({ client: dynamo, tableName: config.TABLE_NAME }),
    sending: onFirstUse(async () => (await import('#adapters/aws/sending')).sendDepsFromEnv(config, obs, { ...io, dynamo })),
    obs,
    queue: new SqsQueue({ queueUrl: config.BATON_FANOUT_QUEUE_URL, region: config.AWS_REGION, ...(io.sqs ? { client: io.sqs } : {}) }),
    batchSize: config.BATON_FANOUT_BATCH_SIZE,
    inlineUpTo: 0,
  });
}

let configured: ((event: unknown, context?: Context) => Promise<DispatchResult>) | undefined;

export async function handler(event: unknown, context?: Context): Promise<DispatchResult> {
  configured ??= dispatchFromEnv();
  return configured(event, context);
}
