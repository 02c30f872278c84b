// The local twin of the inbound Lambda: the local stack's SMTP server hands each raw message here,
// it is kept under <dataDir>/inbound like SES keeps it in S3, and the same core decides.
//
// There is no SES receiving locally, so there are no spam, virus, SPF, DKIM or DMARC verdicts.
// The default local policy is the strict one: the From address must be the participant's own.
// With `authenticate: true`, mailauth computes SPF/DKIM/DMARC from the raw message (this needs
// DNS, so it is off by default and in tests).
import { createHash } from 'node:crypto';
import type { Store } from '#adapters/aws/dynamo';
import { LocalMailStore } from '#adapters/aws/mail-store';
import type { Mailer } from '#adapters/aws/ses';
import { processInbound, type InboundConfig, type InboundOutcome, type Verdicts, type VerdictStatus } from '#app/receive-reply';
import type { InboundEnvelope, InboundOutcome as SmtpOutcome } from './stack.ts';
import type { LocalConfig } from './config.ts';

export interface LocalInboundOptions {
  store: Store;
  config: LocalConfig;
  secret: string;
  mailer: Mailer;
  dataDir: string;
  now?: () => Date;
  uploadUrl?: string;
  limits?: InboundConfig['limits'];
  /** Compute SPF/DKIM/DMARC verdicts with mailauth (needs DNS). */
  authenticate?: boolean;
  log?: (line: string) => void;
  /** Called with every outcome (tests wait on it). */
  onOutcome?: (outcome: InboundOutcome) => void;
}

function status(result: string | undefined): VerdictStatus {
  if (result === 'pass') return 'PASS';
  if (result === 'fail' || result === 'softfail') return 'FAIL';
  if (result === 'temperror' || result === 'permerror') return 'PROCESSING_FAILED';
  return 'GRAY';
}

async function mailauthVerdicts(raw: Buffer, envelope: InboundEnvelope): Promise<Verdicts> {
  const { authenticate } = await import('mailauth');
  const result = await authenticate(raw, {
    ...(envelope.remoteAddress ? { ip: envelope.remoteAddress.replace(/^::ffff:/, '') } : {}),
    ...(envelope.from ? { sender: envelope.from } : {}),
    trustReceived: false,
  });
  const dkim = result.dkim?.results ?? [];
  return {
    spf: status(result.spf ? result.spf.status?.result : undefined),
    dkim: dkim.some((r) => r.status?.result === 'pass') ? 'PASS' : dkim.length ? 'FAIL' : 'GRAY',
    dmarc: result.dmarc ? status(result.dmarc.status?.result) : 'GRAY',
  };
}

export function createLocalInbound(opts: LocalInboundOptions): (raw: Buffer, envelope: InboundEnvelope) => Promise<SmtpOutcome> {
  const mailStore = new LocalMailStore(opts.dataDir);
  const now = opts.now ?? (() => new Date());
  const config: InboundConfig = {
    settings: {
      domain: opts.config.domain,
      inboundDomain: opts.config.inboundDomain,
      senderAddress: opts.config.sender,
      linksBaseUrl: opts.config.linksBaseUrl,
      secrets: opts.secret,
    },
    ...(opts.uploadUrl ? { uploadUrl: opts.uploadUrl } : {}),
    ...(opts.limits ? { limits: opts.limits } : {}),
  };
  return async (raw, envelope) => {
    const at = now();
    const hash = createHash('sha256').update(raw).digest('hex').slice(0, 16);
    const rawRef = await mailStore.putRaw(`${at.toISOString().replace(/[:.]/g, '-')}-${hash}.eml`, raw);
    const outcome = await processInbound(
      {
        raw,
        rawRef,
        envelope: { ...(envelope.from !== undefined ? { from: envelope.from } : {}), to: envelope.to },
        ...(opts.authenticate ? { verdicts: await mailauthVerdicts(raw, envelope) } : {}),
        receivedAt: at,
      },
      config,
      {
        store: opts.store,
        mailStore,
        send: (mail) => opts.mailer.send(mail),
        log: (record) => opts.log?.(`inbound: ${JSON.stringify(record)}`),
      },
    );
    opts.onOutcome?.(outcome);
    // Like SES receiving, everything addressed to us is accepted; the outcome is logged, and a
    // refusal at SMTP time would only tell a spoofer which addresses are real.
    return { accepted: true, reason: outcome.status };
  };
}
