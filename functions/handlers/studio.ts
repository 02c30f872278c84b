// The trainer studio's function URL: the same router as the local stack's /studio
// (adapters/http/studio.ts). Thin: turn the function URL event into a request, answer with the
// router's response. The studio's address is the function URL the request came in on (its
// requestContext.domainName), so the stack needs no output of its own function to configure it.
import { randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { describeIssues, FunctionUrlEventSchema } from '#adapters/aws/events';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { createObservability, instrument, type Observability } from '#adapters/aws/observability';
import { readRuntimeConfig, StudioEnvSchema } from '#adapters/aws/runtime-config';
import { tokenSecretsFromEnv } from '#adapters/aws/secrets';
import { onFirstUse } from '#adapters/aws/first-use';
import { handleStudio, MAX_STUDIO_BODY, STUDIO_BASE, type StudioRequest, type StudioResponse } from '#adapters/http/studio';
import type { StudioDeps } from '#app/studio/access';
import type { Context } from 'aws-lambda';

const StudioEventSchema = z.intersection(
  FunctionUrlEventSchema,
  z.looseObject({
    rawQueryString: z._default(z.string(), ''),
    headers: z._default(z.record(z.string(), z.string()), {}),
    cookies: z._default(z.array(z.string()), []),
    requestContext: z.looseObject({
      domainName: z.string().check(z.minLength(1)),
      http: z.looseObject({ sourceIp: z._default(z.string(), 'unknown') }),
    }),
  }),
);

export interface StudioResult {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded?: boolean;
}

export interface StudioHandlerDeps {
  deps: (studioUrl: string) => Promise<StudioDeps>;
  obs?: Observability;
}

const text = (statusCode: number, body: string): StudioResult => ({ statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body });

function toResult(reply: StudioResponse): StudioResult {
  const binary = Buffer.isBuffer(reply.body);
  return {
    statusCode: reply.status,
    headers: reply.headers,
    ...(reply.cookies.length ? { cookies: reply.cookies } : {}),
    body: binary ? (reply.body as Buffer).toString('base64') : (reply.body as string),
    ...(binary ? { isBase64Encoded: true } : {}),
  };
}

export function createStudioHandler(handlerDeps: StudioHandlerDeps): (event: unknown, context?: Context) => Promise<StudioResult> {
  const obs = handlerDeps.obs ?? createObservability('studio');
  return instrument(obs, async (event) => {
    const parsed = StudioEventSchema.safeParse(event);
    if (!parsed.success) {
      obs.dropped('not a function URL event', { issues: describeIssues(parsed.error) });
      return text(400, 'Bad request.\n');
    }
    const e = parsed.data;
    if (e.rawPath === '/' || e.rawPath === '') return { statusCode: 302, headers: { location: STUDIO_BASE }, body: '' };
    const body = e.body === undefined ? Buffer.alloc(0) : Buffer.from(e.body, e.isBase64Encoded ? 'base64' : 'utf8');
    if (body.length > MAX_STUDIO_BODY) return text(413, 'Request too large.\n');
    const headers: StudioRequest['headers'] = {};
    for (const [name, value] of Object.entries(e.headers)) headers[name.toLowerCase()] = value;
    // Function URLs move the Cookie header into `cookies`.
    if (e.cookies.length) headers.cookie = e.cookies.join('; ');
    const studioUrl = `https://${e.requestContext.domainName}${STUDIO_BASE}`;
    const reply = await handleStudio(
      { method: e.requestContext.http.method, path: e.rawPath, query: new URLSearchParams(e.rawQueryString), headers, body, ip: e.requestContext.http.sourceIp },
      () => handlerDeps.deps(studioUrl),
    );
    // Paths carry sign-in tokens: only the method and the outcome are logged.
    obs.logger.info('studio', { method: e.requestContext.http.method, status: reply.status });
    return toResult(reply);
  });
}

let configured: ((event: unknown, context?: Context) => Promise<StudioResult>) | undefined;

export async function handler(event: unknown, context?: Context): Promise<StudioResult> {
  if (!configured) {
    const env = readRuntimeConfig(StudioEnvSchema, 'studio');
    const store = createStore({ client: createDynamoClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME });
    // The SES, Scheduler and Lambda clients are built by the first request that uses each (a sign-in
    // or nudge mails, an enrolment schedules, an edit hands off to publish): most pages use none, and
    // the bundle carries each in a chunk of its own (issue 16, the cold start).
    const ses = onFirstUse(async () => {
      const m = await import('#adapters/aws/ses');
      return new m.SesMailer({ client: m.createSesClient({ region: env.AWS_REGION }), maxSendRate: env.BATON_MAX_SEND_RATE });
    });
    const schedules = onFirstUse(async () => {
      const m = await import('#adapters/aws/scheduler');
      return new m.EventBridgeSchedules(m.createSchedulerClient({ region: env.AWS_REGION }));
    });
    // Training edits are applied by the publish function, the one bundle with mjml.
    const publish = onFirstUse(async () => {
      const m = await import('#adapters/aws/publish-invoker');
      return new m.LambdaEditPublisher({ client: m.createLambdaClient({ region: env.AWS_REGION }), functionArn: env.BATON_PUBLISH_FUNCTION_ARN });
    });
    const targets = { targetArn: env.BATON_SCHEDULE_TARGET_ARN, roleArn: env.BATON_SCHEDULER_ROLE_ARN, dlqArn: env.BATON_SCHEDULER_DLQ_ARN };
    const secrets = tokenSecretsFromEnv(env);
    configured = createStudioHandler({
      deps: async (studioUrl) => {
        const s = await secrets();
        return {
          store,
          secrets: s,
          mailer: async (m) => (await ses()).send({ ...m, configurationSet: env.BATON_CONFIGURATION_SET }),
          now: new Date(),
          newId: () => randomBytes(18).toString('base64url'),
          publisher: { start: async (seriesId, editId) => (await publish()).start(seriesId, editId) },
          remote: {
            async apply(seriesId, diff) {
              const scheduler = await schedules();
              await scheduler.ensureGroup(seriesId);
              return scheduler.apply(seriesId, diff, targets);
            },
          },
          settings: {
            studioUrl,
            mail: { domain: env.BATON_DOMAIN, inboundDomain: env.BATON_INBOUND_DOMAIN, senderAddress: env.BATON_SENDER, linksBaseUrl: env.BATON_LINKS_BASE_URL, secrets: s },
          },
        };
      },
    });
  }
  return configured(event, context);
}
