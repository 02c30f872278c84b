// A fan-out worker: SQS hands it a few messages, each one job with a batch of `recipients` that
// dispatch put on the queue. Each message succeeds or fails on its own: a failed one is reported
// in batchItemFailures, so SQS redelivers only it (and, after a few tries, moves it to the
// dead-letter queue), while the delivery ledger keeps a redelivery from sending anything twice.
import { readRuntimeConfig, SEND_WORKER_CONCURRENCY, SenderEnvSchema } from '#adapters/aws/runtime-config';
import { z } from 'zod';
import { describe, log, parseJob, runJob, sendDepsFromEnv, type SendDeps } from './dispatch.ts';

/** The fields of an SQS event this worker reads. */
export const SqsEventSchema = z.object({
  Records: z.array(z.object({ messageId: z.string().min(1), body: z.string() })),
});

export interface BatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

export function createSendWorker(deps: SendDeps): (event: unknown) => Promise<BatchResponse> {
  return async (event) => {
    const { Records } = SqsEventSchema.parse(event);
    const batchItemFailures: BatchResponse['batchItemFailures'] = [];
    for (const record of Records) {
      try {
        const job = parseJob(JSON.parse(record.body), 'send-worker');
        if (!job.recipients) throw new Error('a queued job must name its recipients: only dispatch puts batches on this queue');
        await runJob(job, deps);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log('ERROR', 'batch failed', { messageId: record.messageId, error: message, ...safeJob(record.body) });
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}

function safeJob(body: string): Record<string, unknown> {
  try {
    return { job: describe(parseJob(JSON.parse(body))) };
  } catch {
    return {};
  }
}

let configured: ((event: unknown) => Promise<BatchResponse>) | undefined;

export async function handler(event: unknown): Promise<BatchResponse> {
  if (!configured) {
    const env = readRuntimeConfig(SenderEnvSchema, 'send-worker');
    configured = createSendWorker(sendDepsFromEnv(env, env.BATON_MAX_SEND_RATE / SEND_WORKER_CONCURRENCY));
  }
  return configured(event);
}
