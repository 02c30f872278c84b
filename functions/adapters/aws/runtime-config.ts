// What a Lambda learns from its environment, parsed once at cold start. The service stack sets
// these variables (both import the names from contract/env.ts, so the two cannot drift); a missing or
// malformed one fails the first invocation loudly, naming every problem, instead of defaulting to
// '' and sending mail from nowhere.
import { z } from 'zod';
import { ENV_NAMES } from '#contract/env';
import { FANOUT_BATCH_SIZE } from '#contract/names';

const text = z.string().trim().min(1, 'is empty');
const hostname = text.regex(/^[a-z0-9.-]+\.[a-z]{2,63}$/i, 'must be a domain name');

export const TableEnvSchema = z.object({
  [ENV_NAMES.tableName]: text,
  [ENV_NAMES.region]: text,
});

/** What every function that composes and sends mail needs (dispatch and the fan-out workers). */
export const SenderEnvSchema = TableEnvSchema.extend({
  [ENV_NAMES.replyTokenSecretArn]: text.startsWith('arn:', 'must be a Secrets Manager ARN'),
  [ENV_NAMES.domain]: hostname,
  [ENV_NAMES.inboundDomain]: hostname,
  [ENV_NAMES.sender]: text,
  [ENV_NAMES.linksBaseUrl]: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
  [ENV_NAMES.maxSendRate]: z.coerce
    .number({ message: 'must be a positive number of emails per second' })
    .positive('must be a positive number of emails per second'),
  [ENV_NAMES.configurationSet]: text,
});

export const DispatchEnvSchema = SenderEnvSchema.extend({
  [ENV_NAMES.fanOutQueueUrl]: z.url({ protocol: /^https?$/, message: 'must be the fan-out queue URL' }),
  /** A send to more participants than this is split into queued batches of this size. */
  [ENV_NAMES.fanOutBatchSize]: z.coerce
    .number({ message: 'must be a whole number from 1 to 1000' })
    .int('must be a whole number from 1 to 1000')
    .min(1, 'must be a whole number from 1 to 1000')
    .max(1000, 'must be a whole number from 1 to 1000')
    .default(FANOUT_BATCH_SIZE),
});

/** The links function: it reads and records clicks, and verifies the tokens in them. */
export const LinksEnvSchema = TableEnvSchema.extend({
  [ENV_NAMES.replyTokenSecretArn]: text.startsWith('arn:', 'must be a Secrets Manager ARN'),
  /** Turning calendars off queues the cancellation of placed entries for the send workers. */
  [ENV_NAMES.fanOutQueueUrl]: z.url({ protocol: /^https?$/, message: 'must be the fan-out queue URL' }),
});

/** The studio sends its own mail (sign-in links, nudges, test sends) and plans schedules after enrolment changes. */
export const StudioEnvSchema = SenderEnvSchema.extend({
  [ENV_NAMES.scheduleTargetArn]: text.startsWith('arn:', 'must be the dispatch function ARN'),
  [ENV_NAMES.schedulerRoleArn]: text.startsWith('arn:', 'must be the scheduler role ARN'),
  [ENV_NAMES.schedulerDlqArn]: text.startsWith('arn:', 'must be the scheduler dead-letter queue ARN'),
});

/** The inbound function sends acks like any sender, and reads and writes its two buckets. */
export const InboundEnvSchema = SenderEnvSchema.extend({
  [ENV_NAMES.inboundBucket]: text,
  [ENV_NAMES.attachmentBucket]: text,
  /** Optional and unchecked, as before: empty means no upload link. */
  [ENV_NAMES.uploadUrl]: z.string().optional(),
});

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
export function readRuntimeConfig<S extends z.ZodType<Record<string, unknown>>>(
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
