// The inbound handler against every SES receipt event AWS documents (test/fixtures/aws/ses-receipt),
// with a real store (dynalite) and the raw mail in the mail store under the key SES's S3 action
// uses. Issue 11: a DMARC pass without dmarcPolicy, or a mail without a subject, must be read and
// stored, not dropped; an event that is truly malformed must throw (so Lambda keeps it on the
// inbound DLQ) and be logged and counted as DroppedEvents.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SesReceiptEventSchema, type SesReceiptEvent } from '#adapters/aws/events';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { LocalMailStore } from '#adapters/local/mail-store';
import { replyAddress, signReplyToken } from '#core/tokens';
import { createInboundHandler, verdictsOf } from '#handlers/inbound';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';
import { awsFixture, captureOutput, metricsIn } from '#test/support/lambda-output';

const SECRET = 'contract-secret-0123456789abcdef';
const INBOUND = 'reply.baton.example.com';
const dir = mkdtempSync(join(tmpdir(), 'baton-inbound-contract-'));
const mailStore = new LocalMailStore(dir);
let db: TestDynalite;
let store: Store;

const FIXTURES = readdirSync(new URL('../../fixtures/aws/ses-receipt', import.meta.url)).filter((f) => f.endsWith('.json')).sort();
const EXPECTED: Record<string, { status: string; reason?: string }> = {
  'dmarc-gray.json': { status: 'stored' },
  'dmarc-pass.json': { status: 'stored' },
  'dmarc-pass-with-policy.json': { status: 'stored' },
  'no-subject.json': { status: 'stored' },
  'several-recipients.json': { status: 'stored' },
  'headers-truncated.json': { status: 'stored' },
  'scanning-disabled.json': { status: 'stored' },
  'dmarc-fail-reject.json': { status: 'rejected', reason: 'auth-failed' },
  'dmarc-fail-quarantine.json': { status: 'rejected', reason: 'auth-failed' },
  'spam-fail.json': { status: 'rejected', reason: 'spam' },
  'virus-fail.json': { status: 'rejected', reason: 'virus' },
};

const replyTo = replyAddress(signReplyToken({ seriesId: 'demo', trainingOrder: 1, participantEmail: 'ana@example.com', expiresAt: new Date('2027-06-01T00:00:00Z') }, SECRET), INBOUND);

/** The fixture with values (never fields) adapted: our reply address, Ana as sender, a fresh id. */
function adapt(name: string, sesMessageId: string): SesReceiptEvent {
  const text = JSON.stringify(awsFixture(`ses-receipt/${name}`))
    .replaceAll('EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000', sesMessageId)
    .replaceAll('prvs=144d0cba7=sender@example.com', 'ana@example.com')
    .replaceAll('"recipient@example.com"', JSON.stringify(replyTo));
  return JSON.parse(text) as SesReceiptEvent;
}

const raw = (id: string, subject = 'Adopt #1: Do the first thing') =>
  `From: Ana <ana@example.com>\r\nTo: ${replyTo}\r\n${subject ? `Subject: ${subject}\r\n` : ''}Message-ID: <${id}@mail.example.com>\r\n\r\nAdopt #1: I will do it on Mondays.\r\n`;

const handler = () =>
  createInboundHandler({
    mailStore,
    rawKey: (id) => `inbound/${id}`,
    secrets: async () => SECRET,
    config: (secrets) => ({ settings: { domain: 'baton.example.com', inboundDomain: INBOUND, senderAddress: 'b@baton.example.com', linksBaseUrl: 'https://l.example.com', secrets } }),
    core: { store, send: async () => 'unused' },
    now: () => new Date('2027-01-22T00:00:00Z'),
  });

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  await store.putSeries(
    {
      id: 'demo',
      title: 'Demo',
      intro: '',
      trainers: [{ name: 'T', email: 't@example.com', timeZone: 'UTC' }],
      defaultTimeZone: 'UTC',
      defaultWorkStart: '09:00',
      policies: { reminderDaysBeforeClose: 3, followUpWeeksAfterClose: 3, digest: { day: 'mon', hour: 9 }, rollup: { day: 'fri', hour: 10 }, acknowledgeContributions: false },
    },
    [{ slug: 'one', order: 1, title: 'One', opens: '2027-01-21', closes: '2027-01-31', author: 'T', media: {}, body: '', strategies: [{ id: 'first', number: 1, title: 'Do the first thing', body: '' }] }],
    { publishedAt: '2027-01-01T00:00:00.000Z', version: 1 },
  );
  await store.putParticipants('demo', [{ email: 'ana@example.com', name: 'Ana', timeZone: 'UTC', workStart: '09:00' }]);
}, 30_000);

afterAll(async () => {
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the inbound handler and the SES receipt events AWS documents', () => {
  it('has an expectation for every fixture, and every fixture for an expectation', () => {
    expect(FIXTURES).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(FIXTURES)('%s parses with the project schema', (name) => {
    expect(SesReceiptEventSchema.safeParse(awsFixture(`ses-receipt/${name}`)).success).toBe(true);
  });

  it.each(FIXTURES)('%s: reads the mail SES stored and processes it', async (name) => {
    const id = `ses-${name.replace('.json', '')}`;
    await mailStore.putRaw(`inbound/${id}`, Buffer.from(raw(id, name === 'no-subject.json' ? '' : undefined)));
    const { result, error, lines } = await captureOutput(() => handler()(adapt(name, id)));
    expect(error).toBeUndefined();
    const expected = EXPECTED[name]!;
    expect(result?.outcomes).toEqual([{ sesMessageId: id, status: expected.status }]);

    const coreLine = lines.find((l) => l.message === 'inbound');
    expect(coreLine).toMatchObject({ service: 'baton', function: 'inbound', sesMessageId: id, status: expected.status, ...(expected.reason ? { reason: expected.reason } : {}) });
    const metric = `Replies${expected.status === 'stored' ? 'Stored' : 'Rejected'}`;
    expect(metricsIn(lines).values).toEqual({ [metric]: 1 });
    if (expected.status === 'stored') {
      expect((await store.listResponses('demo')).some((r) => r.rawMessage === `inbound/${id}`)).toBe(true);
    }
  });

  it('hands the core the documented verdicts, and no dmarcPolicy when SES sent none', () => {
    const pass = SesReceiptEventSchema.parse(awsFixture('ses-receipt/dmarc-pass.json'));
    expect(verdictsOf(pass.Records[0]!)).toEqual({ spam: 'PASS', virus: 'PASS', spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' });
    const reject = SesReceiptEventSchema.parse(awsFixture('ses-receipt/dmarc-fail-reject.json'));
    expect(verdictsOf(reject.Records[0]!)).toMatchObject({ dmarc: 'FAIL', dmarcPolicy: 'reject' });
    const disabled = SesReceiptEventSchema.parse(awsFixture('ses-receipt/scanning-disabled.json'));
    expect(verdictsOf(disabled.Records[0]!)).toEqual({ spf: 'PASS', dkim: 'PASS', dmarc: 'PASS' });
  });
});

describe('a truly malformed receipt event', () => {
  const withReceipt = (change: (receipt: Record<string, unknown>) => void) => {
    const e = awsFixture<{ Records: Array<{ ses: { receipt: Record<string, unknown> } }> }>('ses-receipt/dmarc-pass.json');
    change(e.Records[0]!.ses.receipt);
    return e;
  };
  const MALFORMED: Array<[string, unknown]> = [
    ['an S3 event', { Records: [{ eventSource: 'aws:s3', s3: {} }] }],
    ['no records', { Records: [] }],
    ['no verdicts', withReceipt((r) => delete r.spamVerdict)],
    ['an unknown DMARC policy', withReceipt((r) => (r.dmarcPolicy = 'shrug'))],
    ['no recipients', withReceipt((r) => delete r.recipients)],
    ['nothing at all', null],
  ];

  it.each(MALFORMED)('%s throws, so Lambda retries it and keeps it on the DLQ, and is logged and counted', async (_, event) => {
    const { error, lines } = await captureOutput(() => handler()(event));
    expect(String(error)).toMatch(/InvalidReceiptEventError: inbound received an event that is not an SES receipt event[\s\S]*baton dlq/);
    expect(lines.find((l) => l.dropReason)).toMatchObject({ level: 'ERROR', function: 'inbound', dropReason: 'not an SES receipt event', ...(event === null ? {} : { event }) });
    const metrics = metricsIn(lines);
    expect(metrics.values).toEqual({ DroppedEvents: 1 });
    expect(metrics.namespaces).toEqual(['Baton']);
    expect(metrics.dimensionSets).toEqual([[['function']]]);
    expect(lines.find((l) => l._aws)).toMatchObject({ function: 'inbound' });
  });
});
