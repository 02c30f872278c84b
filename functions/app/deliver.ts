// Sending a batch of personal emails exactly once each, through ports so it runs the same in
// the Lambda, in the local stack and in tests.
//
// Primary course, per recipient:
//   1. skip an address that is suppressed (bounced, complained) or unsubscribed;
//   2. claim the email in the delivery ledger (a conditional put): a retry, a duplicate job or a
//      second worker finds the claim and moves on;
//   3. build the message (only now: a skipped recipient costs nothing) and send it;
//   4. record the id SES returned, which turns the claim into "sent".
// A worker that dies between 2 and 4 leaves a claim that expires after the lease; the next run
// re-claims it and sends, so nobody is skipped. The one window for a duplicate is a crash after SES
// accepted the message and before step 4 — milliseconds, against a lease of minutes.

export type ClaimResult = 'claimed' | 'already-sent' | 'in-flight';

export interface DeliveryLedger {
  claimDelivery(seriesId: string, emailId: string, opts: { now: Date; leaseMs: number }): Promise<ClaimResult>;
  completeDelivery(seriesId: string, emailId: string, opts: { sesMessageId: string; sentAt: Date }): Promise<void>;
  releaseDelivery?(seriesId: string, emailId: string, opts: { error?: string }): Promise<void>;
}

export interface BuiltMail {
  from: string;
  to: string;
  raw: string;
}

export interface Outgoing {
  /** Unique within the series for this email to this person: `training#one-on-ones#ana@example.com`. */
  emailId: string;
  to: string;
  /** Whether this person must not get mail (unsubscribed from the series). */
  skip?: 'unsubscribed' | 'bounced' | 'out-of-office';
  build(): BuiltMail;
}

export interface DeliverDeps {
  ledger: DeliveryLedger;
  send(mail: BuiltMail): Promise<string>;
  /** Addresses on the suppression list among the given ones. */
  suppressedAmong(emails: string[]): Promise<Set<string>>;
  now(): Date;
  /** How long a claim holds before another run may take it over. */
  leaseMs?: number;
}

export interface DeliveryReport {
  sent: string[];
  alreadySent: string[];
  inFlight: string[];
  skipped: { emailId: string; reason: string }[];
  failed: { emailId: string; error: string }[];
}

export async function deliver(seriesId: string, outgoing: readonly Outgoing[], deps: DeliverDeps): Promise<DeliveryReport> {
  const report: DeliveryReport = { sent: [], alreadySent: [], inFlight: [], skipped: [], failed: [] };
  const leaseMs = deps.leaseMs ?? 10 * 60_000;
  const suppressed = await deps.suppressedAmong([...new Set(outgoing.map((o) => o.to))]);
  for (const item of outgoing) {
    if (suppressed.has(item.to)) {
      report.skipped.push({ emailId: item.emailId, reason: 'suppressed' });
      continue;
    }
    if (item.skip) {
      report.skipped.push({ emailId: item.emailId, reason: item.skip });
      continue;
    }
    const claim = await deps.ledger.claimDelivery(seriesId, item.emailId, { now: deps.now(), leaseMs });
    if (claim === 'already-sent') {
      report.alreadySent.push(item.emailId);
      continue;
    }
    if (claim === 'in-flight') {
      report.inFlight.push(item.emailId);
      continue;
    }
    let sesMessageId: string;
    try {
      sesMessageId = await deps.send(item.build());
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      // Not sent: give the claim back so the retry of this job sends it without waiting a lease.
      await deps.ledger.releaseDelivery?.(seriesId, item.emailId, { error });
      report.failed.push({ emailId: item.emailId, error });
      continue;
    }
    await deps.ledger.completeDelivery(seriesId, item.emailId, { sesMessageId, sentAt: deps.now() });
    report.sent.push(item.emailId);
  }
  return report;
}
