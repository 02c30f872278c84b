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
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import type { StoredParticipant } from '#core/records';
import { createObservability, HANDLER_METRICS, instrument, type Observability } from '#adapters/aws/observability';
import { SqsQueue, type MessageQueue } from '#adapters/aws/queue';
import { DispatchEnvSchema, readRuntimeConfig, type SenderEnv } from '#adapters/aws/runtime-config';
import { tokenSecretsFromEnv } from '#adapters/aws/secrets';
import { createSesClient, SesMailer } from '#adapters/aws/ses';
import type { MailSettings } from '#mail/compose';
import { requireComplete, type BuiltMail, type DeliveryReport } from '#app/deliver';
import { dispatch, type DispatchDeps } from '#app/run-job';
import { JobSchema, type Job, type JobKind } from '#core/jobs';
import type { Context } from 'aws-lambda';

/**
 * Kinds sent to participants, which a large series cuts into batches of recipients. A batch still
 * plans over the whole series (core dispatch applies `recipients` to the planner's output), so a
 * roll-up or wrap-up in a batch credits the same teammates as the whole send would. Digests go to
 * the few trainers and stay whole.
 */
export const FAN_OUT_KINDS: readonly JobKind[] = ['kickoff', 'training', 'reminder', 'rollup', 'follow-up', 'wrap-up'];

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

/** What the send workers and dispatch share: how to compose and send one job. */
export interface SendDeps {
  store: Store;
  send(mail: BuiltMail): Promise<string>;
  /** Resolved per invocation: the token secret may rotate under a warm container. */
  settings(): Promise<MailSettings>;
  now(): Date;
}

export interface DispatchHandlerDeps extends SendDeps {
  obs?: Observability;
  queue: MessageQueue;
  /** Recipients per queued batch; a send to more participants than this is fanned out. */
  batchSize: number;
}

export interface ReportSummary {
  sent: number;
  alreadySent: number;
  inFlight: number;
  skipped: number;
  failed: number;
}

export type DispatchResult =
  | { job: Job; fannedOut: { batches: number; recipients: number } }
  | { job: Job; report: ReportSummary };

export const summarize = (r: DeliveryReport): ReportSummary => ({
  sent: r.sent.length,
  alreadySent: r.alreadySent.length,
  inFlight: r.inFlight.length,
  skipped: r.skipped.length,
  failed: r.failed.length,
});

/** Runs one job in this invocation; throws when any email failed, after logging and counting the report. */
export async function runJob(job: Job, deps: SendDeps, obs: Observability = createObservability('dispatch')): Promise<ReportSummary> {
  const coreDeps: DispatchDeps = { store: deps.store, send: deps.send, settings: await deps.settings(), now: deps.now };
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

/** Who a job without a recipient list is about: the series' reachable participants in its group. */
function audience(job: Job, participants: readonly StoredParticipant[]): string[] {
  return participants
    .filter((p) => !p.unsubscribedAt && !p.bouncedAt)
    .filter((p) => (!job.timeZone || p.timeZone === job.timeZone) && (!job.workStart || p.workStart === job.workStart))
    .map((p) => p.email)
    .sort();
}

/** The correlation keys of a job on every log line of its invocation (never the recipients). */
export function jobKeys(job: Job): Record<string, string> {
  return { seriesId: job.seriesId, jobKind: job.kind, ...(job.trainingSlug ? { trainingSlug: job.trainingSlug } : {}) };
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

/** A job for the logs: a batch's recipients are counted, not listed (they are personal data). */
export function describe(job: Job): Record<string, unknown> {
  const { recipients, ...rest } = job;
  return recipients ? { ...rest, recipients: recipients.length } : rest;
}

/** The sending half of the deps, from the environment the stack sets. */
export function sendDepsFromEnv(env: SenderEnv, obs: Observability, maxSendRate = env.BATON_MAX_SEND_RATE): SendDeps {
  const secrets = tokenSecretsFromEnv();
  const mailer = new SesMailer({
    client: createSesClient({ region: env.AWS_REGION }),
    maxSendRate,
    onThrottle: () => obs.count(HANDLER_METRICS.sendThrottled),
  });
  return {
    store: createStore({ client: createDynamoClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME }),
    send: (mail) => mailer.send({ ...mail, configurationSet: env.BATON_CONFIGURATION_SET }),
    settings: async () => ({
      domain: env.BATON_DOMAIN,
      inboundDomain: env.BATON_INBOUND_DOMAIN,
      senderAddress: env.BATON_SENDER,
      linksBaseUrl: env.BATON_LINKS_BASE_URL,
      secrets: await secrets(),
    }),
    now: () => new Date(),
  };
}

let configured: ((event: unknown, context?: Context) => Promise<DispatchResult>) | undefined;

export async function handler(event: unknown, context?: Context): Promise<DispatchResult> {
  if (!configured) {
    const env = readRuntimeConfig(DispatchEnvSchema, 'dispatch');
    const obs = createObservability('dispatch');
    configured = createDispatchHandler({
      ...sendDepsFromEnv(env, obs),
      obs,
      queue: new SqsQueue({ queueUrl: env.BATON_FANOUT_QUEUE_URL, region: env.AWS_REGION }),
      batchSize: env.BATON_FANOUT_BATCH_SIZE,
    });
  }
  return configured(event, context);
}
