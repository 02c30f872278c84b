// A fan-out worker: SQS hands it a few messages, each one job with a batch of `recipients` that
// dispatch put on the queue. Each message succeeds or fails on its own: Powertools' batch
// processor reports a failed one in batchItemFailures, so SQS redelivers only it (and, after a
// few tries, moves it to the dead-letter queue), while the delivery ledger keeps a redelivery
// from sending anything twice. A job whose deliveries another run still holds fails the same way
// (`requireComplete` in app/deliver.ts), so the redelivery takes them over after the lease.
// A message that is not a job is reported the same way rather than dropped, so it ends on the
// dead-letter queue where baton dlq shows it; it is also logged and counted as DroppedEvents.
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { describeIssues, SqsBatchSchema } from '#adapters/aws/events';
import { createObservability, HANDLER_METRICS, instrument, type Observability } from '#adapters/aws/observability';
import { readRuntimeConfig, SenderEnvSchema } from '#adapters/aws/runtime-config';
import { describe, jobKeys, parseJob, runJob, sendDepsFromEnv, type AwsIo, type SendDeps } from '#adapters/aws/sending';
import type { Job } from '#core/jobs';

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export function createSendWorker(deps: SendDeps & { obs?: Observability }): (event: unknown, context?: Context) => Promise<BatchResponse> {
  const obs = deps.obs ?? createObservability('send-worker');

  const sendBatch = async (record: SQSRecord): Promise<void> => {
    obs.logger.appendKeys({ messageId: record.messageId });
    let job: Job;
    try {
      job = parseJob(JSON.parse(record.body), 'send-worker');
      if (!job.recipients) throw new Error('a queued job must name its recipients: only dispatch puts batches on this queue');
    } catch (error) {
      obs.dropped('queue message is not a batch job', { error: errorMessage(error) });
      throw error;
    }
    obs.logger.appendKeys(jobKeys(job));
    try {
      await runJob(job, deps, obs);
    } catch (error) {
      obs.logger.error('batch failed', { error: errorMessage(error), job: describe(job) });
      throw error;
    } finally {
      obs.logger.removeKeys(['seriesId', 'jobKind', 'trainingSlug']);
    }
  };

  return instrument(obs, async (event) => {
    const parsed = SqsBatchSchema.safeParse(event);
    if (!parsed.success) {
      // Not a batch at all: nothing to report per message, so the invocation fails and the event
      // source retries it.
      obs.dropped('not an SQS batch', { issues: describeIssues(parsed.error) });
      throw new Error(`send-worker received an event that is not an SQS batch:\n${describeIssues(parsed.error).map((i) => `- ${i}\n`).join('')}`);
    }
    // One processor per invocation. In order, one message at a time (its sends a few at a time,
    // behind the account's shared pace), so the log keys above belong to one message. A
    // batch that fails whole is still reported message by message rather than thrown, as before.
    const response = await processPartialResponse(parsed.data as unknown as SQSEvent, sendBatch, new BatchProcessor(EventType.SQS), {
      processInParallel: false,
      throwOnFullBatchFailure: false,
    });
    const batchItemFailures = response.batchItemFailures.map(({ itemIdentifier }) => ({ itemIdentifier }));
    if (batchItemFailures.length) obs.count(HANDLER_METRICS.batchItemFailures, batchItemFailures.length);
    return { batchItemFailures };
  });
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One container's handler, from the environment the stack sets (and, in the scale bench, in-memory AWS). */
export function sendWorkerFromEnv(env: Record<string, string | undefined> = process.env, io: AwsIo = {}, obs = createObservability('send-worker')) {
  const config = readRuntimeConfig(SenderEnvSchema, 'send-worker', env);
  return createSendWorker({ ...sendDepsFromEnv(config, obs, io), obs });
}

let configured: ((event: unknown, context?: Context) => Promise<BatchResponse>) | undefined;

export async function handler(event: unknown, context?: Context): Promise<BatchResponse> {
  configured ??= sendWorkerFromEnv();
  return configured(event, context);
}
