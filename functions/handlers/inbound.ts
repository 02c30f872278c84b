// The inbound Lambda. The SES receipt rule first stores the raw message in the inbound bucket
// (the S3 action: no 150 KB limit as with SNS), then invokes this function with the receipt event,
// which carries the verdicts but not the body. Thin: parse the event with zod, read the raw mail
// from S3, run the inbound core, log and count the outcome.
//
// An event that does not parse is thrown back, never swallowed: SES invokes this function
// asynchronously, so a thrown error makes Lambda retry it twice and then hand it to the
// function's on-failure destination (the inbound dead-letter queue), where `baton dlq` shows it
// and can replay it once the schema is fixed. Returning success would lose the reply for good.
import { describeIssues, SesReceiptEventSchema, type SesReceiptRecord } from '#adapters/aws/events';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { createS3Client, S3MailStore, type MailStore } from '#adapters/aws/mail-store';
import { createSesClient } from '#adapters/aws/ses';
import { pacedMailer } from '#adapters/aws/pace';
import { tokenSecretsFromEnv } from '#adapters/aws/secrets';
import { createObservability, instrument, REPLY_METRICS, type Observability } from '#adapters/aws/observability';
import { InboundEnvSchema, readRuntimeConfig } from '#adapters/aws/runtime-config';
import { processInbound, type InboundConfig, type InboundDeps, type InboundOutcome, type Verdicts, type VerdictStatus } from '#app/receive-reply';
import type { Secrets } from '#core/tokens';
import type { Context } from 'aws-lambda';

export type { SesReceiptEvent as SesEvent } from '#adapters/aws/events';

export class InvalidReceiptEventError extends Error {
  override name = 'InvalidReceiptEventError';
}

export interface InboundHandlerDeps {
  mailStore: MailStore;
  /** S3 key of a message under the inbound bucket, from SES's message id. */
  rawKey(sesMessageId: string): string;
  config(secrets: Secrets): InboundConfig;
  secrets(): Promise<Secrets>;
  /** The core's ports; its `log` defaults to the handler's logger. */
  core: Omit<InboundDeps, 'mailStore' | 'log'> & Partial<Pick<InboundDeps, 'log'>>;
  now(): Date;
  obs?: Observability;
}

export type InboundResult = { outcomes: Array<{ sesMessageId: string; status: InboundOutcome['status'] | 'failed' }> };

/** Builds the handler around its ports, so tests can run it against local servers. */
export function createInboundHandler(deps: InboundHandlerDeps): (event: unknown, context?: Context) => Promise<InboundResult> {
  const obs = deps.obs ?? createObservability('inbound');
  const log = deps.core.log ?? ((r: Record<string, unknown>) => obs.logRecord(r));
  return instrument(obs, async (event) => {
    const parsed = SesReceiptEventSchema.safeParse(event);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      obs.dropped('not an SES receipt event', { issues, event });
      throw new InvalidReceiptEventError(
        `inbound received an event that is not an SES receipt event:\n${issues.map((i) => `- ${i}\n`).join('')}` +
          'Lambda keeps it in the inbound dead-letter queue; fix the schema in functions/adapters/aws/events.ts if AWS sent it, then replay it with baton dlq.',
      );
    }
    const config = deps.config(await deps.secrets());
    const outcomes: InboundResult['outcomes'] = [];
    for (const record of parsed.data.Records) {
      const { mail, receipt } = record.ses;
      obs.logger.appendKeys({ sesMessageId: mail.messageId });
      const key = deps.rawKey(mail.messageId);
      // Reading S3 or DynamoDB can fail for a moment; throwing lets Lambda's async retries run
      // the whole event again, which the core makes harmless.
      const raw = await deps.mailStore.getRaw(key);
      const outcome = await processInbound(
        {
          raw,
          rawRef: key,
          // SES gives the MAIL FROM as `source`; the null sender arrives as an empty string.
          envelope: { from: mail.source === '<>' ? '' : mail.source, to: receipt.recipients },
          verdicts: verdictsOf(record),
          receivedAt: deps.now(),
        },
        config,
        { ...deps.core, log, mailStore: deps.mailStore },
      );
      obs.count(REPLY_METRICS[outcome.status]);
      outcomes.push({ sesMessageId: mail.messageId, status: outcome.status });
    }
    return { outcomes };
  });
}

/** SES's verdicts for the core; DISABLED (scanning switched off) says nothing, like no verdict. */
export function verdictsOf({ ses: { receipt } }: SesReceiptRecord): Verdicts {
  const status = ({ status: s }: { status: VerdictStatus | 'DISABLED' }) => (s === 'DISABLED' ? undefined : s);
  const verdicts: Verdicts = {
    spam: status(receipt.spamVerdict),
    virus: status(receipt.virusVerdict),
    spf: status(receipt.spfVerdict),
    dkim: status(receipt.dkimVerdict),
    dmarc: status(receipt.dmarcVerdict),
    ...(receipt.dmarcPolicy ? { dmarcPolicy: receipt.dmarcPolicy } : {}),
  };
  return Object.fromEntries(Object.entries(verdicts).filter(([, v]) => v !== undefined)) as Verdicts;
}

let configured: ((event: unknown, context?: Context) => Promise<InboundResult>) | undefined;

/** The Lambda entry; its environment (InboundEnvSchema in runtime-config.ts) comes from the stack. */
export async function handler(event: unknown, context?: Context): Promise<InboundResult> {
  if (!configured) {
    const env = readRuntimeConfig(InboundEnvSchema, 'inbound');
    const store = createStore({ client: createDynamoClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME });
    const obs = createObservability('inbound');
    // Acknowledgements share the account's pace with every bulk send, ahead of them ('priority':
    // pace.ts), so a reply is answered within about a second however large the backlog.
    const mailer = pacedMailer({
      client: createSesClient({ region: env.AWS_REGION }),
      slots: store,
      fallbackRate: env.BATON_MAX_SEND_RATE,
      priority: 'priority',
      obs,
    });
    const uploadUrl = env.BATON_UPLOAD_URL;
    const configurationSet = env.BATON_CONFIGURATION_SET;
    configured = createInboundHandler({
      obs,
      mailStore: new S3MailStore({ client: createS3Client({ region: env.AWS_REGION }), inboundBucket: env.INBOUND_BUCKET, attachmentBucket: env.ATTACHMENT_BUCKET }),
      rawKey: (id) => `inbound/${id}`,
      secrets: tokenSecretsFromEnv(env),
      config: (secrets) => ({
        settings: {
          domain: env.BATON_DOMAIN,
          inboundDomain: env.BATON_INBOUND_DOMAIN,
          senderAddress: env.BATON_SENDER,
          linksBaseUrl: env.BATON_LINKS_BASE_URL,
          secrets,
        },
        ...(uploadUrl ? { uploadUrl } : {}),
      }),
      // Acks and upload links go through the configuration set too, so their bounces and
      // complaints reach mail-events and suppress the address like any other send's.
      core: { store, send: (m) => mailer.send({ ...m, configurationSet }) },
      now: () => new Date(),
    });
  }
  return configured(event, context);
}
