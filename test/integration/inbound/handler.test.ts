// The Lambda handler with its real parsing of an SES receipt event: the raw message is read from
// the mail store under the key SES would use, the verdicts travel into the core. Every event is
// AWS's documented example (test/fixtures/aws/ses-receipt/dmarc-pass.json, from the SES guide's
// Lambda action event) with only values replaced, and with the fields AWS leaves out left out:
// `dmarcPolicy` appears only when DMARC failed, `commonHeaders.subject` only when there is one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { LocalMailStore } from '#adapters/local/mail-store';
import { createInboundHandler } from '#handlers/inbound';
import { DEFAULT_DAILY_CAPS } from '#app/receive-reply';
import type { BuiltMail } from '#app/deliver';
import { replyAddress, signLegacyReplyToken, signReplyToken } from '#core/tokens';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';
import { sesReceiptEvent, type Verdict } from '#test/support/ses-receipt';

const SECRET = 'handler-secret-0123456789abcdef';
const INBOUND = 'reply.baton.example.com';
const dir = mkdtempSync(join(tmpdir(), 'baton-handler-'));
const mailStore = new LocalMailStore(dir);
let db: TestDynalite;
let store: Store;
const logs: Record<string, unknown>[] = [];

const series = {
  id: 'demo',
  title: 'Demo',
  intro: '',
  trainers: [{ name: 'T', email: 't@example.com', timeZone: 'UTC' }],
  defaultTimeZone: 'UTC',
  defaultWorkStart: '09:00',
  policies: { reminderDaysBeforeClose: 3, followUpWeeksAfterClose: 3, digest: { day: 'mon' as const, hour: 9 }, rollup: { day: 'fri' as const, hour: 10 }, acknowledgeContributions: false },
};
const training = {
  slug: 'one',
  order: 1,
  title: 'One',
  opens: '2027-01-21',
  closes: '2027-01-31',
  author: 'T',
  media: {},
  body: '',
  strategies: [{ id: 'first', number: 1, title: 'Do the first thing', body: '' }],
};

const NOW = new Date('2027-01-22T00:00:00Z');
// What replyExpiry gives this series: close 2027-01-31 (whole day), three follow-up weeks, 60 days' grace.
const EXPIRES = new Date('2027-04-23T00:00:00Z');
const anaAddress = replyAddress(signReplyToken({ seriesId: 'demo', trainingOrder: 1, participantEmail: 'ana@example.com', expiresAt: EXPIRES }, SECRET), INBOUND);

interface EventOptions {
  to?: string;
  source?: string;
  dmarcPolicy?: 'none' | 'quarantine' | 'reject';
  /** The Subject header; null for a mail without one. */
  subject?: string | null;
}
function event(messageId: string, verdicts: Partial<Record<Verdict, string>> = {}, opts: EventOptions = {}) {
  const source = opts.source ?? 'ana@example.com';
  return sesReceiptEvent({
    messageId,
    to: opts.to ?? anaAddress,
    source,
    from: 'Ana <ana@example.com>',
    subject: opts.subject === undefined ? 'Adopt #1' : opts.subject,
    verdicts,
    ...(opts.dmarcPolicy ? { dmarcPolicy: opts.dmarcPolicy } : {}),
    at: new Date('2027-01-22T00:00:00.000Z'),
  });
}

const sent: BuiltMail[] = [];
const handler = (now = NOW, dailyCaps?: { contributions?: number; acks?: number }) =>
  createInboundHandler({
    mailStore,
    rawKey: (id) => `inbound/${id}`,
    secrets: async () => SECRET,
    config: (secrets) => ({
      settings: { domain: 'baton.example.com', inboundDomain: INBOUND, senderAddress: 'b@baton.example.com', linksBaseUrl: 'https://l.example.com', secrets },
      ...(dailyCaps ? { dailyCaps } : {}),
    }),
    core: { store, send: async (m) => (sent.push(m), `ses-out-${sent.length}`), log: (r) => logs.push(r) },
    now: () => now,
  });

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  await store.putSeries(series, [training], { publishedAt: '2027-01-01T00:00:00.000Z', version: 1 });
  await store.putParticipants('demo', [{ email: 'ana@example.com', name: 'Ana', timeZone: 'UTC', workStart: '09:00' }]);
});

afterAll(async () => {
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const raw = (id: string, from = 'Ana <ana@example.com>', extraHeaders = '') =>
  `${extraHeaders}From: ${from}\r\nTo: x\r\nSubject: Adopt #1: Do the first thing\r\nMessage-ID: <${id}@mail.example.com>\r\n\r\nI will do it on Mondays.\r\n`;

async function receive(id: string, rawMail: string, verdicts: Partial<Record<Verdict, string>> = {}, opts: EventOptions & { now?: Date } = {}) {
  await mailStore.putRaw(`inbound/${id}`, Buffer.from(rawMail));
  const result = await handler(opts.now)(event(id, verdicts, opts));
  return { status: result.outcomes[0]?.status, log: logs.at(-1)! };
}
const storedFrom = async (id: string) => (await store.listResponses('demo')).filter((r) => r.source === `<${id}@mail.example.com>`);
const sentTo = (address: string) => sent.filter((m) => m.to === address);

describe('the inbound Lambda handler', () => {
  it('reads the raw mail SES stored and stores the adoption', async () => {
    await mailStore.putRaw('inbound/ses-1', Buffer.from(raw('one')));
    const result = await handler()(event('ses-1'));
    expect(result.outcomes).toEqual([{ sesMessageId: 'ses-1', status: 'stored' }]);
    const [r] = await store.listResponses('demo');
    expect(r).toMatchObject({ intent: 'adopt', strategyId: 'first', participantEmail: 'ana@example.com', rawMessage: 'inbound/ses-1' });
  });

  it('reads a reply without a Subject (no commonHeaders.subject, no dmarcPolicy on a pass)', async () => {
    const e = event('ses-nosubject', {}, { subject: null });
    expect(e.Records[0]!.ses.mail.commonHeaders).not.toHaveProperty('subject');
    expect(e.Records[0]!.ses.receipt).not.toHaveProperty('dmarcPolicy');
    await mailStore.putRaw('inbound/ses-nosubject', Buffer.from(raw('nosubject').replace(/^Subject: .*\r\n/m, '')));
    // Without the subject's "Adopt #1" button, "I will do it on Mondays" names no strategy: asking
    // beats guessing, so nothing is recorded and the reply waits for a look (issue 14).
    expect((await handler()(e)).outcomes).toEqual([{ sesMessageId: 'ses-nosubject', status: 'needs-look' }]);
    expect(await storedFrom('nosubject')).toHaveLength(0);
    const [look] = (await store.listNeedsLook('demo', { open: true })).filter((d) => d.source === '<nosubject@mail.example.com>');
    expect(look).toMatchObject({ kind: 'unclear', participantEmail: 'ana@example.com', text: 'I will do it on Mondays.', rawMessage: 'inbound/ses-nosubject' });
  });

  it('rejects what SES flagged, and logs why', async () => {
    await mailStore.putRaw('inbound/ses-2', Buffer.from(raw('two')));
    const result = await handler()(event('ses-2', { virus: 'FAIL' }));
    expect(result.outcomes).toEqual([{ sesMessageId: 'ses-2', status: 'rejected' }]);
    expect(logs.at(-1)).toMatchObject({ status: 'rejected', reason: 'virus' });
    expect(await storedFrom('two')).toEqual([]);
  });

  // SES invokes asynchronously: a thrown event is retried and then kept on the inbound DLQ, where
  // a swallowed one would be gone (issue 11).
  it('throws an event that is not an SES receipt, so Lambda keeps it', async () => {
    await expect(handler()({ Records: [{ eventSource: 'aws:s3' }] })).rejects.toThrow(/not an SES receipt event[\s\S]*eventSource[\s\S]*baton dlq/);
  });
});

describe('identity through the Lambda handler', () => {
  it('stores nothing for a forged From without a token, however well the thread id is guessed', async () => {
    // The thread id holds only the series id and our domain, both in every header we send.
    const forged = raw('forged-1', 'Ana <ana@example.com>', 'In-Reply-To: <thread.demo._@baton.example.com>\r\nReferences: <thread.demo._@baton.example.com>\r\n');
    // Mallory's own server: SPF and DKIM fail for example.com; example.com publishes no DMARC.
    const out = await receive('forged-1', forged, { spf: 'FAIL', dkim: 'GRAY', dmarc: 'GRAY' }, { to: `baton@${INBOUND}`, source: 'mallory@evil.example' });
    expect(out.status).toBe('rejected');
    expect(out.log).toMatchObject({ reason: 'no-token' });
    expect(out.log.bouncedTo).toBeUndefined();
    expect(await storedFrom('forged-1')).toEqual([]);
    // The same forgery where example.com publishes DMARC: SES says FAIL and adds the policy.
    const strict = await receive('forged-2', forged.replaceAll('forged-1', 'forged-2'), { spf: 'FAIL', dkim: 'GRAY', dmarc: 'FAIL' }, { to: `baton@${INBOUND}`, source: 'mallory@evil.example', dmarcPolicy: 'reject' });
    expect(strict.status).toBe('rejected');
    expect(await storedFrom('forged-2')).toEqual([]);
    expect(sentTo('ana@example.com')).toEqual([]);
  });

  it('stores nothing for a valid token sent by someone else, and tells an authenticated stranger how to answer', async () => {
    const out = await receive('other-1', raw('other-1', 'Mallory <mallory@evil.example>'), {}, { source: 'mallory@evil.example' });
    expect(out.status).toBe('rejected');
    expect(out.log).toMatchObject({ reason: 'spoofed-sender', bouncedTo: 'mallory@evil.example' });
    expect(await storedFrom('other-1')).toEqual([]);
    expect(sentTo('mallory@evil.example')).toHaveLength(1);
    expect(sentTo('mallory@evil.example')[0]!.raw).toContain('Auto-Submitted: auto-replied');
  });

  it('answers an expired token with one bounce-back, even when it arrives twice', async () => {
    const late = new Date('2027-06-01T09:00:00Z');
    const first = await receive('late-1', raw('late-1'), {}, { now: late });
    // SES invokes asynchronously and Lambda retries: the very same event a second time.
    const redelivered = (await handler(late)(event('late-1'))).outcomes[0]?.status;
    // And the participant tries again from the same old email.
    const again = await receive('late-2', raw('late-2'), {}, { now: late });
    expect([first.status, again.status]).toEqual(['rejected', 'rejected']);
    expect(redelivered).not.toBe('stored');
    expect(first.log).toMatchObject({ reason: 'expired-token', bouncedTo: 'ana@example.com' });
    expect(await storedFrom('late-1')).toEqual([]);
    const bounces = sentTo('ana@example.com').filter((m) => m.raw.includes('has expired'));
    expect(bounces).toHaveLength(1);
  });

  it('where the domain has no DMARC, needs SPF aligned with the From (mail.source) or DKIM of its domain', async () => {
    const noDmarc = { dmarc: 'GRAY', spf: 'GRAY', dkim: 'GRAY' };
    const forged = await receive('nodmarc-1', raw('nodmarc-1'), noDmarc, { source: 'ana@example.com' });
    expect(forged.log).toMatchObject({ status: 'rejected', reason: 'unauthenticated' });
    expect(forged.log.bouncedTo).toBeUndefined();
    const spfElsewhere = await receive('nodmarc-2', raw('nodmarc-2'), { ...noDmarc, spf: 'PASS' }, { source: 'bounces@evil.example' });
    expect(spfElsewhere.log).toMatchObject({ status: 'rejected', reason: 'unauthenticated' });
    const dmarcFailed = await receive('nodmarc-3', raw('nodmarc-3'), { dmarc: 'PROCESSING_FAILED', spf: 'FAIL', dkim: 'GRAY' });
    expect(dmarcFailed.log).toMatchObject({ status: 'rejected', reason: 'unauthenticated' });
    expect(await storedFrom('nodmarc-1')).toEqual([]);
    expect(await storedFrom('nodmarc-2')).toEqual([]);

    expect((await receive('nodmarc-4', raw('nodmarc-4'), { ...noDmarc, spf: 'PASS' }, { source: 'ana@example.com' })).status).toBe('stored');
    const signed = raw('nodmarc-5', 'Ana <ana@example.com>', 'DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; b=abc\r\n');
    expect((await receive('nodmarc-5', signed, { ...noDmarc, dkim: 'PASS' }, { source: 'bounces@esp.example' })).status).toBe('stored');
  });

  it('accepts a colleague alias only when every DKIM signature is of the participant\'s domain (SES does not say which passed)', async () => {
    const alias = (id: string, sigs: string) => raw(id, 'Ana R <a.reyes@example.com>', sigs);
    const own = await receive('alias-1', alias('alias-1', 'DKIM-Signature: v=1; d=example.com; s=s; b=x\r\n'), {}, { source: 'a.reyes@example.com' });
    expect(own.status).toBe('stored');
    const mixed = await receive('alias-2', alias('alias-2', 'DKIM-Signature: v=1; d=example.com; s=s; b=x\r\nDKIM-Signature: v=1; d=evil.example; s=s; b=y\r\n'), {}, { source: 'a.reyes@example.com' });
    expect(mixed.log).toMatchObject({ status: 'rejected', reason: 'spoofed-sender' });
    expect(await storedFrom('alias-2')).toEqual([]);
  });
});

describe('abuse limits', () => {
  it('keeps replies past the daily cap as raw mail only, logged as rate-limited; a redelivery of a counted one still passes', async () => {
    const day = new Date('2027-01-25T08:00:00Z');
    const capped = handler(day, { contributions: 2 });
    const results: string[] = [];
    for (const id of ['cap-1', 'cap-2', 'cap-3', 'cap-1']) {
      await mailStore.putRaw(`inbound/${id}`, Buffer.from(raw(id)));
      results.push((await capped(event(id))).outcomes[0]!.status);
    }
    expect(results).toEqual(['stored', 'stored', 'rate-limited', 'duplicate']);
    expect(logs.at(-2)).toMatchObject({ status: 'rate-limited', participantEmail: 'ana@example.com', limit: 2, rawRef: 'inbound/cap-3' });
    expect(await storedFrom('cap-3')).toEqual([]);
    // The next day counts afresh.
    await mailStore.putRaw('inbound/cap-4', Buffer.from(raw('cap-4')));
    expect((await handler(new Date('2027-01-26T08:00:00Z'), { contributions: 2 })(event('cap-4'))).outcomes[0]!.status).toBe('stored');
  });
});

describe('the acknowledgement cap', () => {
  // A series with acknowledgements on, and the default caps (DEFAULT_DAILY_CAPS: 20 contributions,
  // 5 acks per participant, training and UTC day): a mail loop or a flood must not turn Baton into
  // a mail cannon at one address, while every contribution within its own cap is still stored.
  const boAddress = replyAddress(signReplyToken({ seriesId: 'acks-on', trainingOrder: 1, participantEmail: 'bo@example.com', expiresAt: EXPIRES }, SECRET), INBOUND);
  const fromBo = (id: string) => raw(id, 'Bo <bo@example.com>');
  const acksToBo = () => sentTo('bo@example.com').filter((m) => m.raw.includes('In-Reply-To:'));

  beforeAll(async () => {
    await store.putSeries({ ...series, id: 'acks-on', policies: { ...series.policies, acknowledgeContributions: true } }, [training], {
      publishedAt: '2027-01-01T00:00:00.000Z',
      version: 1,
    });
    await store.putParticipants('acks-on', [{ email: 'bo@example.com', name: 'Bo', timeZone: 'UTC', workStart: '09:00' }]);
  });

  it(`acknowledges at most ${DEFAULT_DAILY_CAPS.acks} replies a day, stores them all, and counts a redelivery once`, async () => {
    const day = new Date('2027-01-25T08:00:00Z');
    const statuses: (string | undefined)[] = [];
    for (let i = 1; i <= DEFAULT_DAILY_CAPS.acks + 2; i++) {
      statuses.push((await receive(`ack-${i}`, fromBo(`ack-${i}`), {}, { to: boAddress, source: 'bo@example.com', now: day })).status);
    }
    expect(statuses).toEqual(Array(DEFAULT_DAILY_CAPS.acks + 2).fill('stored'));
    expect(await store.listResponses('acks-on')).toHaveLength(DEFAULT_DAILY_CAPS.acks + 2);
    expect(acksToBo()).toHaveLength(DEFAULT_DAILY_CAPS.acks);
    expect(logs.some((l) => l.message === 'inbound ack not sent: daily cap reached' && l.cap === DEFAULT_DAILY_CAPS.acks)).toBe(true);

    // Lambda retries an event whose ack was sent: no second ack, and no quota taken from tomorrow.
    await handler(day)(event('ack-1', {}, { to: boAddress, source: 'bo@example.com' }));
    expect(acksToBo()).toHaveLength(DEFAULT_DAILY_CAPS.acks);

    // The next UTC day counts afresh.
    await receive('ack-next-day', fromBo('ack-next-day'), {}, { to: boAddress, source: 'bo@example.com', now: new Date('2027-01-26T08:00:00Z') });
    expect(acksToBo()).toHaveLength(DEFAULT_DAILY_CAPS.acks + 1);
  });
});

describe('old reply addresses (version 1 tokens, sent before expiry existed)', () => {
  const legacy = replyAddress(signLegacyReplyToken({ seriesId: 'demo', trainingOrder: 1, participantEmail: 'ana@example.com' }, SECRET), INBOUND);
  it('work until the expiry their series gives new tokens, then get the bounce-back', async () => {
    expect((await receive('legacy-1', raw('legacy-1'), {}, { to: legacy, now: new Date('2027-04-22T23:00:00Z') })).status).toBe('stored');
    const late = await receive('legacy-2', raw('legacy-2'), {}, { to: legacy, now: new Date('2027-04-23T00:00:00Z') });
    expect(late.log).toMatchObject({ status: 'rejected', reason: 'expired-token' });
    expect(await storedFrom('legacy-2')).toEqual([]);
  });
});
