// What a Lambda learns from its environment, parsed once at cold start. The service stack sets
// these variables (both import the names from contract/env.ts, so the two cannot drift); a missing or
// malformed one fails the first invocation loudly, naming every problem, instead of defaulting to
// '' and sending mail from nowhere.
import * as z from 'zod/mini';
import '#core/zod-english';
import { ENV_NAMES } from '#contract/env';
import { FANOUT_BATCH_SIZE } from '#contract/names';
import { builtOnFirstUse } from '#core/built-on-first-use';

const text = /* @__PURE__ */ builtOnFirstUse(() => z.string().check(z.trim(), z.minLength(1, 'is empty')));
const hostname = /* @__PURE__ */ builtOnFirstUse(() => text.check(z.regex(/^[a-z0-9.-]+\.[a-z]{2,63}$/i, 'must be a domain name')));

export const TableEnvSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  [ENV_NAMES.tableName]: text,
  [ENV_NAMES.region]: text,
}));

/** What every function that composes and sends mail needs (dispatch and the fan-out workers). */
export const SenderEnvSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(TableEnvSchema, {
  [ENV_NAMES.replyTokenSecretArn]: text.check(z.startsWith('arn:', 'must be a Secrets Manager ARN')),
  [ENV_NAMES.domain]: hostname,
  [ENV_NAMES.inboundDomain]: hostname,
  [ENV_NAMES.sender]: text,
  [ENV_NAMES.linksBaseUrl]: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  [ENV_NAMES.maxSendRate]: z.coerce
    .number({ message: 'must be a positive number of emails per second' })
    .check(z.positive('must be a positive number of emails per second')),
  [ENV_NAMES.configurationSet]: text,
}));

export const DispatchEnvSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(SenderEnvSchema, {
  [ENV_NAMES.fanOutQueueUrl]: z.url({ protocol: /^https?$/, message: 'must be the fan-out queue URL' }),
  /** A send to more participants than this is split into queued batches of this size. */
  [ENV_NAMES.fanOutBatchSize]: z._default(
    z.coerce
      .number({ message: 'must be a whole number from 1 to 1000' })
      .check(
        z.int('must be a whole number from 1 to 1000'),
        z.gte(1, 'must be a whole number from 1 to 1000'),
        z.lte(1000, 'must be a whole number from 1 to 1000'),
      ),
    FANOUT_BATCH_SIZE,
  ),
}));

/** The links function: it reads and records clicks, and verifies the tokens in them. */
export const LinksEnvSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(TableEnvSchema, {
  [ENV_NAMES.replyTokenSecretArn]: text.check(z.startsWith('arn:', 'must be a Secrets Manager ARN')),
  /** Turning calendars off queues the cancellation of placed entries for the send workers. */
  [ENV_NAMES.fanOutQueueUrl]: z.url({ protocol: /^https?$/, message: 'must be the fan-out queue URL' }),
  /** The trainings' generated audio is read from its audio/ prefix. */
  [ENV_NAMES.attachmentBucket]: text,
}));

/** The studio sends its own mail (sign-in links, nudges, test sends) and plans schedules after enrolment changes. */
export const StudioEnvSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(SenderEnvSchema, {
  [ENV_NAMES.scheduleTargetArn]: text.check(z.startsWith('arn:', 'must be the dispatch function ARN')),
  [ENV_NAMES.schedulerRoleArn]: text.check(z.startsWith('arn:', 'must be the scheduler role ARN')),
  [ENV_NAMES.schedulerDlqArn]: text.check(z.startsWith('arn:', 'must be the scheduler dead-letter queue ARN')),
  /** Confirmed training edits are applied by the publish function, invoked asynchronously. */
  [ENV_NAMES.publishFunctionArn]: text.check(z.startsWith('arn:', 'must be the publish function ARN')),
}));

/**
 * The publish function (training edits from the studio): the store, the schedules it moves like
 * `baton publish --target aws`, and the audio it speaks into the attachment bucket's audio/ prefix,
 * served from the links function's address.
 */
export const PublishEnvSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(TableEnvSchema, {
  [ENV_NAMES.scheduleTargetArn]: text.check(z.startsWith('arn:', 'must be the dispatch function ARN')),
  [ENV_NAMES.schedulerRoleArn]: text.check(z.startsWith('arn:', 'must be the scheduler role ARN')),
  [ENV_NAMES.schedulerDlqArn]: text.check(z.startsWith('arn:', 'must be the scheduler dead-letter queue ARN')),
  [ENV_NAMES.attachmentBucket]: text,
  [ENV_NAMES.linksBaseUrl]: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
}));

/** The inbound function sends acks like any sender, and reads and writes its two buckets. */
export const InboundEnvSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(SenderEnvSchema, {
  [ENV_NAMES.inboundBucket]: text,
  [ENV_NAMES.attachmentBucket]: text,
  /** Optional and unchecked, as before: empty means no upload link. */
  [ENV_NAMES.uploadUrl]: z.optional(z.string()),
}));

export type TableEnv = z.infer<typeof TableEnvSchema>;
export type SenderEnv = z.infer<typeof SenderEnvSchema>;
export type DispatchEnv = z.infer<typeof DispatchEnvSchema>;
export type LinksEnv = z.infer<typeof LinksEnvSchema>;
export type InboundEnv = z.infer<typeof InboundEnvSchema>;

export class RuntimeConfigError extends Error {
  override name = 'RuntimeConfigError';
}

/**
 * Parses the environment with `schema`. Throws RuntimeConfigError listing every missing or
 * malformed variable, and what to do: the stack sets them, so the fix is a redeploy.
 */
export function readRuntimeConfig<S extends z.ZodMiniType<Record<string, unknown>>>(
  schema: S,
  functionName: string,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? '');
    return env[name] === undefined || env[name] === ''
      ? `- ${name} is not set`
      : `- ${name} ${issue.message} (got "${env[name]}")`;
  });
  throw new RuntimeConfigError(
    `the ${functionName} function's environment is incomplete:\n${lines.join('\n')}\n` +
      'The BatonService stack sets these variables; redeploy it (npx cdk deploy --all) rather than editing them by hand.',
  );
}
