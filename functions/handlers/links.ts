// The one-click links' function URL: `${linksBaseUrl}/l/<token>`. Thin: parse the function URL
// event, call the links core, return its page. The core decides what a click records.
// A request that is not a function URL event is answered 400 and counted as DroppedEvents: an
// HTTP caller cannot be retried into success, and throwing would only turn it into a 502.
import { describeIssues, FunctionUrlEventSchema } from '#adapters/aws/events';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { createObservability, HANDLER_METRICS, instrument, type Observability } from '#adapters/aws/observability';
import { LinksEnvSchema, readRuntimeConfig } from '#adapters/aws/runtime-config';
import { tokenSecretsFromEnv } from '#adapters/aws/secrets';
import type { MessageQueue } from '#adapters/aws/queue';
import { onFirstUse } from '#adapters/aws/first-use';
import { handleLink, type LinkDeps, type LinkReply, type LinkStore } from '#app/click-link';
import type { Secrets } from '#core/tokens';
import type { Context } from 'aws-lambda';

export { FunctionUrlEventSchema };

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  /** Binary bodies (the audio) travel base64-encoded through the function URL. */
  isBase64Encoded?: boolean;
}

export interface LinksHandlerDeps {
  store: LinkStore;
  secrets: () => Promise<Secrets>;
  now: () => Date;
  /** Where the cancellation of placed calendar entries goes when someone turns calendars off. */
  queue?: MessageQueue;
  obs?: Observability;
  /** The bytes of a training's generated audio (`audio/<hash>.mp3`), or undefined when there is none. */
  audio?: (key: string) => Promise<Uint8Array | undefined>;
}

/** Generated audio keys only (app/audio.ts audioKey): nothing else of the bucket is reachable. */
const AUDIO_PATH = /^\/(audio\/[0-9a-f]{32}\.mp3)$/;

async function audioReply(key: string, audio: LinksHandlerDeps['audio']): Promise<FunctionUrlResult> {
  const bytes = await audio?.(key);
  if (!bytes) return { statusCode: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'No such audio version.\n' };
  return {
    statusCode: 200,
    headers: { 'content-type': 'audio/mpeg', 'cache-control': 'public, max-age=31536000, immutable' },
    body: Buffer.from(bytes).toString('base64'),
    isBase64Encoded: true,
  };
}

/**
 * Turning calendars off cancels what Baton had placed: the same cancel job the local clock runs,
 * handed to the send workers through the fan-out queue as a batch of one (a send worker runs only
 * jobs that name their recipients; without them the message was dropped to the dead-letter queue).
 * A job about one person takes its pace slot at 'priority' (sending.ts runJob), like an acknowledgement.
 */
function calendarsOffVia(queue: MessageQueue, now: () => Date): NonNullable<LinkDeps['onCalendarsOff']> {
  return async (seriesId, p) => {
    // The cancel planner composes mail (calendars, every language): loaded by this path only (issue 16).
    const { calendarsOffSchedule } = await import('#app/planners/cancel');
    const person = { email: p.email, name: p.name, timeZone: p.timeZone, workStart: p.workStart };
    await queue.sendAll([JSON.stringify({ ...calendarsOffSchedule(seriesId, person, now()).job, recipients: [p.email] })]);
  };
}

const toResult = (reply: LinkReply): FunctionUrlResult => ({ statusCode: reply.status, headers: reply.headers, body: reply.body });

export function createLinksHandler(deps: LinksHandlerDeps): (event: unknown, context?: Context) => Promise<FunctionUrlResult> {
  const obs = deps.obs ?? createObservability('links');
  return instrument(obs, async (event) => {
    const parsed = FunctionUrlEventSchema.safeParse(event);
    if (!parsed.success) {
      obs.dropped('not a function URL event', { issues: describeIssues(parsed.error) });
      return { statusCode: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Bad request.\n' };
    }
    const e = parsed.data;
    const audioKey = AUDIO_PATH.exec(e.rawPath)?.[1];
    if (audioKey && (e.requestContext.http.method === 'GET' || e.requestContext.http.method === 'HEAD')) {
      obs.logger.info('audio', { key: audioKey });
      return audioReply(audioKey, deps.audio);
    }
    const body = e.body === undefined ? '' : e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body;
    const reply = await handleLink(
      { method: e.requestContext.http.method, path: e.rawPath, body },
      { store: deps.store, secrets: await deps.secrets(), now: deps.now(), ...(deps.queue ? { onCalendarsOff: calendarsOffVia(deps.queue, deps.now) } : {}) },
    );
    // The path carries the signed token, which is as good as a password for one click: not logged.
    obs.logger.info('link', { method: e.requestContext.http.method, status: reply.status });
    obs.count(HANDLER_METRICS.linkClicks);
    return toResult(reply);
  });
}

let configured: ((event: unknown, context?: Context) => Promise<FunctionUrlResult>) | undefined;

/** The Lambda entry: TABLE_NAME and REPLY_TOKEN_SECRET_ARN come from the stack. */
export async function handler(event: unknown, context?: Context): Promise<FunctionUrlResult> {
  if (!configured) {
    const env = readRuntimeConfig(LinksEnvSchema, 'links');
    const queue = onFirstUse(async () => new (await import('#adapters/aws/queue')).SqsQueue({ queueUrl: env.BATON_FANOUT_QUEUE_URL, region: env.AWS_REGION }));
    const audio = onFirstUse(async () => (await import('#adapters/aws/mail-store')).s3AudioReader(env.ATTACHMENT_BUCKET, env.AWS_REGION));
    configured = createLinksHandler({
      store: createStore({ client: createDynamoClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME }),
      secrets: tokenSecretsFromEnv(env),
      now: () => new Date(),
      // The SQS and S3 clients are loaded by the clicks that use them (turning calendars off, playing
      // audio), not at every cold start: the bundle carries each in a chunk of its own (issue 16).
      queue: { sendAll: async (bodies) => (await queue()).sendAll(bodies) },
      audio: async (key) => (await audio())(key),
    });
  }
  return configured(event, context);
}
