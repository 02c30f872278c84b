// The local twin of the inbound Lambda: the local stack's SMTP server hands each raw message here,
// it is kept under <dataDir>/inbound like SES keeps it in S3, and the same core decides.
//
// There is no SES receiving locally, so by default there are no spam, virus, SPF, DKIM or DMARC
// verdicts: the reply address's token must match and the From must be its participant, but the
// From itself is taken on trust (the `baton dev` banner says so). With `authenticate`, mailauth
// computes SPF/DKIM/DMARC from the raw message and the SMTP session, and the core applies the
// same rules as on AWS, with one thing SES cannot give: the d= of each signature that verified.
// DNS is a port: `baton dev --authenticate` uses the system resolver, tests pass a fake one.
import { createHash } from 'node:crypto';
import type { Store } from '#adapters/aws/dynamo';
import { LocalMailStore } from '#adapters/local/mail-store';
import type { Mailer } from '#adapters/aws/ses';
import type { InboundConfig, InboundOutcome, Verdicts, VerdictStatus } from '#app/receive-reply';
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
  /** Compute SPF/DKIM/DMARC verdicts with mailauth; `true` uses the system's DNS. */
  authenticate?: boolean | { resolver: DnsResolver };
  dailyCaps?: InboundConfig['dailyCaps'];
  log?: (line: string) => void;
  /** Called with every outcome (tests wait on it). */
  onOutcome?: (outcome: InboundOutcome) => void;
}

/**
 * What mailauth asks DNS, shaped like node's `dns.promises.resolve(name, rrtype)`: TXT records
 * as arrays of strings (`[['v=spf1 ip4:127.0.0.1 -all']]`, `[['v=DMARC1; p=reject']]`,
 * `[['v=DKIM1; k=rsa; p=<base64 SPKI>']]` at `<selector>._domainkey.<domain>`); a name without
 * records throws an error whose `code` is 'ENOTFOUND' or 'ENODATA'.
 */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[] | string[][]>;

function status(result: string | undefined): VerdictStatus {
  if (result === 'pass') return 'PASS';
  if (result === 'fail' || result === 'softfail') return 'FAIL';
  if (result === 'temperror' || result === 'permerror') return 'PROCESSING_FAILED';
  return 'GRAY';
}

export async function mailauthVerdicts(raw: Buffer, envelope: InboundEnvelope, resolver?: DnsResolver): Promise<Verdicts> {
  const { authenticate } = await import('mailauth');
  const result = await authenticate(raw, {
    ...(envelope.remoteAddress ? { ip: envelope.remoteAddress.replace(/^::ffff:/, '') } : {}),
    ...(envelope.helo ? { helo: envelope.helo } : {}),
    ...(envelope.from ? { sender: envelope.from } : {}),
    ...(resolver ? { resolver } : {}),
    // Received headers are written by whoever sent the mail: only our own session is evidence.
    trustReceived: false,
    disableArc: true,
    disableBimi: true,
  });
  const dkim = result.dkim?.results ?? [];
  const passed = dkim.filter((r) => r.status?.result === 'pass');
  // mailauth reports DMARC "none" when the domain publishes no record: that is SES's GRAY.
  return {
    spf: status(result.spf ? result.spf.status?.result : undefined),
    dkim: passed.length ? 'PASS' : dkim.length ? 'FAIL' : 'GRAY',
    dkimPassDomains: passed.map((r) => (r.signingDomain ?? '').toLowerCase()).filter(Boolean),
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
    ...(opts.dailyCaps ? { dailyCaps: opts.dailyCaps } : {}),
  };
  const resolver = typeof opts.authenticate === 'object' ? opts.authenticate.resolver : undefined;
  return async (raw, envelope) => {
    const at = now();
    const hash = createHash('sha256').update(raw).digest('hex').slice(0, 16);
    const rawRef = await mailStore.putRaw(`${at.toISOString().replace(/[:.]/g, '-')}-${hash}.eml`, raw);
    // The reply pipeline (mailparser, the lexicons) loads with the first reply, not with `baton dev`.
    const { processInbound } = await import('#app/receive-reply');
    const outcome = await processInbound(
      {
        raw,
        rawRef,
        envelope: { ...(envelope.from !== undefined ? { from: envelope.from } : {}), to: envelope.to },
        ...(opts.authenticate ? { verdicts: await mailauthVerdicts(raw, envelope, resolver) } : {}),
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
