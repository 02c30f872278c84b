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
// re-claims it and sends, so nobody is skipped. A run that meets a claim another run still holds
// has not finished its job: its caller throws `DeliveriesHeldError`, and the retry (after the
// lease) takes the claim over or finds it sent.
//
// The gap between SES accepting a message and step 4 is closed from SES's side: every message
// carries its delivery as message tags (`deliveryTags`), and SES's Send event (locally, the SES
// proxy of the local stack) records the delivery as sent with SES's id (`recordAccepted` in the
// store), independently of this process. A takeover then finds it sent instead of sending again.
// What is left: in AWS the Send event travels asynchronously, so a duplicate needs a crash inside
// that window *and* the event to arrive later than the lease (minutes); locally nothing is left.
import { DEFAULT_LEASE_MS } from '#contract/names';

import type { BuiltMail, Clock, DeliveryLedger, DeliveryScreen, Mailer } from './ports.ts';
import type { SkipReason } from '#core/audience';

export type { ClaimResult } from '#core/records';
export type { BuiltMail, DeliveryLedger } from './ports.ts';

// SES message tags allow only [A-Za-z0-9_-] in at most 256 characters, and our ids hold '#',
// '@' and '.': base64url keeps them readable back exactly.
const TAG_SERIES = 'baton-series';
const TAG_EMAIL = 'baton-email';
const TAG_MAX = 256;
const encodeTag = (value: string): string => Buffer.from(value, 'utf8').toString('base64url');

/** The tags a delivery's message carries; none when an id is too long to fit (then the narrow window stays open). */
export function deliveryTags(seriesId: string, emailId: string): Record<string, string> {
  const series = encodeTag(seriesId);
  const email = encodeTag(emailId);
  return series.length <= TAG_MAX && email.length <= TAG_MAX ? { [TAG_SERIES]: series, [TAG_EMAIL]: email } : {};
}

/** The delivery a sent message's tags name, or undefined for mail that is not a delivery (replies, tests). */
export function deliveryFromTags(tags: Record<string, string | readonly string[] | undefined>): { seriesId: string; emailId: string } | undefined {
  const one = (name: string): string | undefined => {
    const v = tags[name];
    return typeof v === 'string' ? v : v?.[0];
  };
  const series = one(TAG_SERIES);
  const email = one(TAG_EMAIL);
  if (!series || !email || !/^[A-Za-z0-9_-]+$/.test(series + email)) return undefined;
  return { seriesId: Buffer.from(series, 'base64url').toString('utf8'), emailId: Buffer.from(email, 'base64url').toString('utf8') };
}

/**
 * A run met deliveries another run still holds (its sender may have died): the job is not done.
 * Retry it after `retryAfterMs`, when those claims' leases have run out and can be taken over.
 */
export class DeliveriesHeldError extends Error {
  override name = 'DeliveriesHeldError';
  constructor(
    readonly held: readonly string[],
    readonly retryAfterMs: number,
  ) {
    super(
      `${held.length} email${held.length === 1 ? ' is' : 's are'} held by another run (first: ${held[0]}); ` +
        `retry after the lease (${Math.ceil(retryAfterMs / 1000)} s) to take ${held.length === 1 ? 'it' : 'them'} over`,
    );
  }
}

export { DEFAULT_LEASE_MS };

/**
 * What a caller does with a report: any failed send or held delivery means the job must run again
 * (the ledger makes the rerun send only what is missing). Throws; returns the report otherwise.
 */
export function requireComplete(report: DeliveryReport, what: string, leaseMs = DEFAULT_LEASE_MS): DeliveryReport {
  if (report.failed.length > 0) {
    const first = report.failed[0]!;
    throw new Error(`${report.failed.length} of the ${what} failed to send, first: ${first.emailId}: ${first.error}`);
  }
  if (report.inFlight.length > 0) throw new DeliveriesHeldError(report.inFlight, leaseMs);
  return report;
}

export interface Outgoing {
  /** Unique within the series for this email to this person: `training#one-on-ones#ana@example.com`. */
  emailId: string;
  to: string;
  /** Whether this person must not get mail (unsubscribed from the series). */
  skip?: SkipReason;
  build(): BuiltMail;
}

/** DeliverDeps' `screen` for one series, from a store that reads both checks in one request (none otherwise). */
export function screenOf(store: Partial<DeliveryScreen>, seriesId: string): Pick<DeliverDeps, 'screen'> {
  const { screenDeliveries } = store;
  return screenDeliveries ? { screen: (ids, emails) => screenDeliveries.call(store, seriesId, ids, emails) } : {};
}

export interface DeliverDeps {
  ledger: DeliveryLedger;
  send: Mailer;
  /** Addresses on the suppression list among the given ones. */
  suppressedAmong(emails: string[]): Promise<Set<string>>;
  /**
   * The ledger's sentAmong and suppressedAmong in one read, used in place of both when given
   * (the store's screenDeliveries: one BatchGet for a batch instead of two).
   */
  screen?(emailIds: string[], emails: string[]): Promise<{ sent: Set<string>; suppressed: Set<string> }>;
  now: Clock;
  /** How long a claim holds before another run may take it over. */
  leaseMs?: number;
  /**
   * Sends in flight at once (default 1). Each runs claim → build → send → complete on its own, so
   * a retry stays safe; the mailer's pace, not this number, keeps the account within its rate.
   */
  inFlight?: number;
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
  const leaseMs = deps.leaseMs ?? DEFAULT_LEASE_MS;
  const emails = [...new Set(outgoing.map((o) => o.to))];
  const ids = outgoing.map((o) => o.emailId);
  // `sent` is only a hint: a delivery sent after this read is still caught by its claim below.
  const { sent, suppressed } = deps.screen
    ? await deps.screen(ids, emails)
    : { suppressed: await deps.suppressedAmong(emails), sent: (await deps.ledger.sentAmong?.(seriesId, ids)) ?? new Set<string>() };
  const one = async (item: Outgoing): Promise<void> => {
    if (sent.has(item.emailId)) {
      report.alreadySent.push(item.emailId);
      return;
    }
    if (suppressed.has(item.to)) {
      report.skipped.push({ emailId: item.emailId, reason: 'suppressed' });
      return;
    }
    if (item.skip) {
      report.skipped.push({ emailId: item.emailId, reason: item.skip });
      return;
    }
    const claim = await deps.ledger.claimDelivery(seriesId, item.emailId, { now: deps.now(), leaseMs });
    if (claim === 'already-sent') {
      report.alreadySent.push(item.emailId);
      return;
    }
    if (claim === 'in-flight') {
      report.inFlight.push(item.emailId);
      return;
    }
    let sesMessageId: string;
    try {
      sesMessageId = await deps.send({ ...item.build(), tags: deliveryTags(seriesId, item.emailId) });
    } catch (err) {
      const error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      // Not sent: give the claim back so the retry of this job sends it without waiting a lease.
      await deps.ledger.releaseDelivery?.(seriesId, item.emailId, { error });
      report.failed.push({ emailId: item.emailId, error });
      return;
    }
    await deps.ledger.completeDelivery(seriesId, item.emailId, { sesMessageId, sentAt: deps.now() });
    report.sent.push(item.emailId);
  };
  // A few at a time, in order of the list: each worker takes the next item when its send is done.
  // An error (the ledger unreachable) stops new items, lets the sends in flight finish, then throws.
  let next = 0;
  let thrown: { error: unknown } | undefined;
  const worker = async () => {
    while (!thrown && next < outgoing.length) {
      try {
        await one(outgoing[next++]!);
      } catch (error) {
        thrown ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(deps.inFlight ?? 1, outgoing.length)) }, worker));
  if (thrown) throw thrown.error;
  return report;
}
