// The deployment's settings, read from CDK context (cdk.json, or `-c key=value` on the command
// line) and validated once at synth time, so a typo fails before anything reaches CloudFormation.
// Values given with -c arrive as strings; numbers are coerced here.
import { z } from 'zod';
import type { Node } from 'constructs';

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const DNS_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const ConfigSchema = z
  .object({
    /** The domain Baton's mail comes from and its links live under, e.g. baton.example.com. */
    domain: z.string().trim().toLowerCase().regex(HOSTNAME, 'must be a domain name such as baton.example.com'),
    /** Replies arrive at reply+<token>@<inboundSubdomain>.<domain>; its MX points at SES. */
    inboundSubdomain: z
      .string()
      .trim()
      .toLowerCase()
      .regex(DNS_LABEL, 'must be one DNS label (letters, digits, dashes) such as reply'),
    /** The From address of every email; must be at the domain (or a subdomain) SES verifies. */
    sender: z.string().trim().toLowerCase().pipe(z.email({ message: 'must be an email address' })),
    /** Who hears about bounces, complaints and dead-lettered jobs. */
    operatorEmail: z.string().trim().toLowerCase().pipe(z.email({ message: 'must be an email address' })),
    /** The SES account's maximum send rate (emails per second); sending is paced to it. */
    maxSendRate: z.coerce
      .number({ message: 'must be a number of emails per second, such as 14' })
      .positive('must be more than 0 emails per second')
      .max(10_000, 'must be at most 10000 emails per second')
      .default(1),
  })
  .superRefine((c, ctx) => {
    const senderDomain = c.sender.slice(c.sender.lastIndexOf('@') + 1);
    if (senderDomain !== c.domain && !senderDomain.endsWith(`.${c.domain}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['sender'],
        message: `must be an address at ${c.domain} (or one of its subdomains), the domain SES sends from; got ${c.sender}`,
      });
    }
  });

export type Config = z.infer<typeof ConfigSchema> & {
  /** Where replies arrive: `${inboundSubdomain}.${domain}`. */
  inboundDomain: string;
};

export const CONFIG_KEYS = ['domain', 'inboundSubdomain', 'sender', 'operatorEmail', 'maxSendRate'] as const;

/** A context value that is missing or wrong; the message names the key and how to set it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Validates raw context values. Throws ConfigError listing every problem at once, each with the
 * key, what was wrong and how to fix it.
 */
export function parseConfig(context: Record<string, unknown>): Config {
  const raw = Object.fromEntries(
    CONFIG_KEYS.map((key) => [key, context[key] === '' || context[key] === null ? undefined : context[key]]),
  );
  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? '');
      const missing = raw[key] === undefined;
      return missing
        ? `- context value \`${key}\` is missing: pass -c ${key}=… or set it under "context" in cdk.json`
        : `- context value \`${key}\` ${issue.message}: fix it in cdk.json or pass -c ${key}=…`;
    });
    throw new ConfigError(`Baton's deployment configuration is invalid:\n${lines.join('\n')}`);
  }
  return { ...result.data, inboundDomain: `${result.data.inboundSubdomain}.${result.data.domain}` };
}

/** Reads and validates the configuration from a construct tree's context (the App's node). */
export function readConfig(node: Node): Config {
  return parseConfig(Object.fromEntries(CONFIG_KEYS.map((key) => [key, node.tryGetContext(key)])));
}
