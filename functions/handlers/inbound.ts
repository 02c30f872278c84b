// The inbound Lambda. The SES receipt rule first stores the raw message in the inbound bucket
// (the S3 action: no 150 KB limit as with SNS), then invokes this function with the receipt event,
// which carries the verdicts but not the body. Thin: parse the event with zod, read the raw mail
// from S3, run the inbound core, log the outcome.
import { SesSchema } from '@aws-lambda-powertools/parser/schemas/ses';
import type { z } from 'zod';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { createS3Client, S3MailStore, type MailStore } from '#adapters/aws/mail-store';
import { createSesClient, SesMailer } from '#adapters/aws/ses';
import { tokenSecretsFromEnv } from '#adapters/aws/secrets';
import { processInbound, type InboundConfig, type InboundDeps, type InboundOutcome, type Verdicts } from '#app/receive-reply';
import type { Secrets } from '#core/tokens';

export type SesEvent = z.infer<typeof SesSchema>;

export interface InboundHandlerDeps {
  mailStore: MailStore;
  /** S3 key of a message under the inbound bucket, from SES's message id. */
  rawKey(sesMessageId: string): string;
  config(secrets: Secrets): InboundConfig;
  secrets(): Promise<Secrets>;
  core: Omit<InboundDeps, 'mailStore'>;
  now(): Date;
}

export type InboundResult = { outcomes: Array<{ sesMessageId: string; status: InboundOutcome['status'] | 'failed' }> };

/** Builds the handler around its ports, so tests can run it against local servers. */
export function createInboundHandler(deps: InboundHandlerDeps): (event: unknown) => Promise<InboundResult> {
  return async (event) => {
    const parsed = SesSchema.safeParse(event);
    if (!parsed.success) {
      // Not retryable: a wrong event stays wrong. Logged for a look, then dropped.
      log('ERROR', 'not an SES receipt event', { issues: parsed.error.issues.slice(0, 10) });
      return { outcomes: [] };
    }
    const config = deps.config(await deps.secrets());
    const outcomes: InboundResult['outcomes'] = [];
    for (const record of parsed.data.Records) {
      const { mail, receipt } = record.ses;
      const key = deps.rawKey(mail.messageId);
      // Reading S3 or DynamoDB can fail for a moment; throwing lets Lambda's async retries run
      // the whole event again, which the core makes harmless.
      const raw = await deps.mailStore.getRaw(key);
      const verdicts: Verdicts = {
        spam: receipt.spamVerdict.status,
        virus: receipt.virusVerdict.status,
        spf: receipt.spfVerdict.status,
        dkim: receipt.dkimVerdict.status,
        dmarc: receipt.dmarcVerdict.status,
        dmarcPolicy: receipt.dmarcPolicy,
      };
      const outcome = await processInbound(
        {
          raw,
          rawRef: key,
          // SES gives the MAIL FROM as `source`; the null sender arrives as an empty string.
          envelope: { from: mail.source === '<>' ? '' : mail.source, to: receipt.recipients },
          verdicts,
          receivedAt: deps.now(),
        },
        config,
        { ...deps.core, mailStore: deps.mailStore },
      );
      outcomes.push({ sesMessageId: mail.messageId, status: outcome.status });
    }
    return { outcomes };
  };
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set: the stack sets it on the function; redeploy it`);
  return value;
}

let configured: ((event: unknown) => Promise<InboundResult>) | undefined;

/**
 * The Lambda entry. Environment: TABLE_NAME, REPLY_TOKEN_SECRET_ARN, INBOUND_BUCKET,
 * ATTACHMENT_BUCKET, BATON_DOMAIN, BATON_INBOUND_DOMAIN, BATON_SENDER, BATON_LINKS_BASE_URL,
 * BATON_CONFIGURATION_SET;
 * optional BATON_UPLOAD_URL, BATON_MAX_SEND_RATE.
 */
export async function handler(event: unknown): Promise<InboundResult> {
  if (!configured) {
    const store = createStore({ client: createDynamoClient(), tableName: requireEnv('TABLE_NAME') });
    const mailer = new SesMailer({
      client: createSesClient(),
      ...(process.env.BATON_MAX_SEND_RATE ? { maxSendRate: Number(process.env.BATON_MAX_SEND_RATE) } : {}),
    });
    const uploadUrl = process.env.BATON_UPLOAD_URL;
    const configurationSet = requireEnv('BATON_CONFIGURATION_SET');
    configured = createInboundHandler({
      mailStore: new S3MailStore({ client: createS3Client(), inboundBucket: requireEnv('INBOUND_BUCKET'), attachmentBucket: requireEnv('ATTACHMENT_BUCKET') }),
      rawKey: (id) => `inbound/${id}`,
      secrets: tokenSecretsFromEnv(),
      config: (secrets) => ({
        settings: {
          domain: requireEnv('BATON_DOMAIN'),
          inboundDomain: requireEnv('BATON_INBOUND_DOMAIN'),
          senderAddress: requireEnv('BATON_SENDER'),
          linksBaseUrl: requireEnv('BATON_LINKS_BASE_URL'),
          secrets,
        },
        ...(uploadUrl ? { uploadUrl } : {}),
      }),
      // Acks and upload links go through the configuration set too, so their bounces and
      // complaints reach mail-events and suppress the address like any other send's.
      core: { store, send: (m) => mailer.send({ ...m, configurationSet }), log: (r) => process.stdout.write(`${JSON.stringify(r)}\n`) },
      now: () => new Date(),
    });
  }
  return configured(event);
}

function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
}
