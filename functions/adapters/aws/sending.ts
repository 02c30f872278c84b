// What the dispatch and send-worker Lambdas share: reading a job from an event, running it in
// this invocation (logged and counted), and the sending ports built from the environment the
// stack sets. One module, so neither handler imports the other.
// Keep mjml out of the imports: templates are compiled at publish time, never here.
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createObservability, HANDLER_METRICS, type Observability } from '#adapters/aws/observability';
import type { SenderEnv } from '#adapters/aws/runtime-config';
import { tokenSecretsFromEnv } from '#adapters/aws/secrets';
import { createSesClient } from '#adapters/aws/ses';
import { pacedMailer } from '#adapters/aws/pace';
import { SEND_IN_FLIGHT, SEND_WORKER_CONCURRENCY } from '#contract/names';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { MailSettings } from '#mail/compose';
import { requireComplete, type BuiltMail, type DeliveryReport } from '#app/deliver';
import { dispatch, SeriesCache, type DispatchDeps } from '#app/run-job';
import type { Job } from '#core/jobs';
import { describe } from './jobs.ts';

// Reading a job and naming it in the logs: ./jobs.ts, which dispatch loads without the sending half.
export { describe, InvalidJobError, jobKeys, parseJob } from './jobs.ts';

/** What the send workers and dispatch share: how to compose and send one job. */
export interface SendDeps {
  store: Store;
  send(mail: BuiltMail): Promise<string>;
  /**
   * The same sends with their pace slot taken at 'priority' (adapters/aws/pace.ts), as the inbound
   * function's acknowledgements are: for a job about one person (a removal's or a calendars-off
   * cancellation), which must not wait behind a bulk backlog's reservations. Absent: `send`.
   */
  sendPriority?(mail: BuiltMail): Promise<string>;
  /** Resolved per invocation: the token secret may rotate under a warm container. */
  settings(): Promise<MailSettings>;
  now(): Date;
  /** Sends in flight at once within a job (the shared pace keeps the account's rate). */
  inFlight?: number;
  /** Templates and calendar states kept by this container between batches. */
  cache?: SeriesCache;
}

export interface ReportSummary {
  sent: number;
  alreadySent: number;
  inFlight: number;
  skipped: number;
  failed: number;
}

const summarize = (r: DeliveryReport): ReportSummary => ({
  sent: r.sent.length,
  alreadySent: r.alreadySent.length,
  inFlight: r.inFlight.length,
  skipped: r.skipped.length,
  failed: r.failed.length,
});

/** Runs one job in this invocation; throws when any email failed, after logging and counting the report. */
export async function runJob(job: Job, deps: SendDeps, obs: Observability = createObservability('dispatch')): Promise<ReportSummary> {
  const coreDeps: DispatchDeps = {
    store: deps.store,
    send: job.participant && deps.sendPriority ? deps.sendPriority : deps.send,
    settings: await deps.settings(),
    now: deps.now,
    ...(deps.inFlight ? { inFlight: deps.inFlight } : {}),
    ...(deps.cache ? { cache: deps.cache } : {}),
  };
  const report = await dispatch(job, coreDeps);
  const summary = summarize(report);
  obs.count(HANDLER_METRICS.emailsSent, summary.sent);
  obs.count(HANDLER_METRICS.emailsFailed, summary.failed);
  obs.count(HANDLER_METRICS.emailsAlreadySent, summary.alreadySent);
  (report.failed.length || report.inFlight.length ? obs.logger.error : obs.logger.info).call(obs.logger, 'job dispatched', { job: describe(job), ...summary });
  // Failed sends, or deliveries a (perhaps dead) run still holds, fail the invocation: the
  // scheduler's retry or the SQS redelivery then sends the rest and takes the held ones over.
  requireComplete(report, `${job.kind} emails of ${job.seriesId}`);
  return summary;
}

/**
 * The AWS clients and the clock a handler is built with. In Lambda every one is the default (the
 * SDK's clients for the region, real time); `npm run bench -- scale` hands in in-memory SES, SQS
 * and Secrets Manager, a dynalite client and a simulated clock, and so runs the handlers' own
 * wiring rather than a copy of it.
 */
export interface AwsIo {
  dynamo?: DynamoDBClient;
  ses?: SESv2Client;
  sqs?: SQSClient;
  secrets?: SecretsManagerClient;
  /** Milliseconds since the epoch. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The sending half of the deps, from the environment the stack sets. */
export function sendDepsFromEnv(env: SenderEnv, obs: Observability, io: AwsIo = {}): SendDeps {
  const secrets = tokenSecretsFromEnv(env, io.secrets);
  const clock = io.now ?? Date.now;
  const store = createStore({ client: io.dynamo ?? createDynamoClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME });
  const ses = io.ses ?? createSesClient({ region: env.AWS_REGION });
  const paced = (priority: 'bulk' | 'priority') =>
    pacedMailer({
      client: ses,
      slots: store,
      fallbackRate: env.BATON_MAX_SEND_RATE,
      priority,
      // Every send worker and a dispatch invocation, each with its sends in flight.
      bulkTakers: (SEND_WORKER_CONCURRENCY + 1) * SEND_IN_FLIGHT,
      obs,
      ...(io.now ? { now: io.now } : {}),
      ...(io.sleep ? { sleep: io.sleep } : {}),
    });
  const mailer = paced('bulk');
  // Built on first use: most containers never send a one-person cancellation.
  let priority: ReturnType<typeof paced> | undefined;
  return {
    store,
    inFlight: SEND_IN_FLIGHT,
    cache: new SeriesCache(),
    send: (mail) => mailer.send({ ...mail, configurationSet: env.BATON_CONFIGURATION_SET }),
    sendPriority: (mail) => (priority ??= paced('priority')).send({ ...mail, configurationSet: env.BATON_CONFIGURATION_SET }),
    settings: async () => ({
      domain: env.BATON_DOMAIN,
      inboundDomain: env.BATON_INBOUND_DOMAIN,
      senderAddress: env.BATON_SENDER,
      linksBaseUrl: env.BATON_LINKS_BASE_URL,
      secrets: await secrets(),
    }),
    now: () => new Date(clock()),
  };
}
