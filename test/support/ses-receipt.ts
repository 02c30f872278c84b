// An SES receipt event (Lambda action) as AWS documents it: test/fixtures/aws/ses-receipt/dmarc-pass.json
// with only values replaced, and with the fields AWS leaves out left out (`dmarcPolicy` appears only
// when DMARC failed, `commonHeaders.subject` only when the mail has one). Shared by the tests that
// drive functions/handlers/inbound.ts.
import type { SesReceiptEvent } from '#adapters/aws/events';
import { awsFixture } from './lambda-output.ts';

export type Verdict = 'spam' | 'virus' | 'spf' | 'dkim' | 'dmarc';

export interface ReceiptOptions {
  /** SES's message id, which is also the S3 key's last part. */
  messageId: string;
  /** The recipient: a signed reply address. */
  to: string;
  /** MAIL FROM (`mail.source`). */
  source: string;
  /** The From header as commonHeaders shows it. */
  from: string;
  /** The Subject header; null for a mail without one (then commonHeaders has no subject). */
  subject: string | null;
  verdicts?: Partial<Record<Verdict, string>>;
  /** The sender domain's DMARC policy, which SES reports only with a DMARC FAIL. */
  dmarcPolicy?: 'none' | 'quarantine' | 'reject';
  at: Date;
}

export function sesReceiptEvent(o: ReceiptOptions): SesReceiptEvent {
  const e = awsFixture<SesReceiptEvent>('ses-receipt/dmarc-pass.json');
  const { mail, receipt } = e.Records[0]!.ses;
  const timestamp = o.at.toISOString();
  Object.assign(mail, { timestamp, source: o.source, messageId: o.messageId, destination: [o.to] });
  const { subject: _documented, ...headers } = mail.commonHeaders;
  mail.commonHeaders = { ...headers, returnPath: o.source, from: [o.from], to: [o.to], ...(o.subject === null ? {} : { subject: o.subject }) };
  Object.assign(receipt, { timestamp, recipients: [o.to] });
  const verdicts = o.verdicts ?? {};
  for (const k of ['spam', 'virus', 'spf', 'dkim', 'dmarc'] as const) receipt[`${k}Verdict`] = { status: (verdicts[k] ?? 'PASS') as never };
  if (verdicts.dmarc === 'FAIL') receipt.dmarcPolicy = o.dmarcPolicy ?? 'reject';
  return e;
}
