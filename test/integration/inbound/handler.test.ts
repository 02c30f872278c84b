// The Lambda handler with its real parsing of an SES receipt event: the raw message is read from
// the mail store under the key SES would use, the verdicts travel into the core.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { LocalMailStore } from '#adapters/aws/mail-store';
import { createInboundHandler } from '#handlers/inbound';
import { replyAddress, signReplyToken } from '#core/tokens';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

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

function event(messageId: string, verdicts: Partial<Record<'spam' | 'virus' | 'spf' | 'dkim' | 'dmarc', string>> = {}) {
  const v = (k: 'spam' | 'virus' | 'spf' | 'dkim' | 'dmarc') => ({ status: verdicts[k] ?? 'PASS' });
  const to = replyAddress(signReplyToken({ seriesId: 'demo', trainingOrder: 1, participantEmail: 'ana@example.com' }, SECRET), INBOUND);
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: '2027-01-22T00:00:00.000Z',
            source: 'ana@example.com',
            messageId,
            destination: [to],
            headersTruncated: false,
            headers: [],
            commonHeaders: { from: ['ana@example.com'], to: [to], returnPath: 'ana@example.com', messageId: '<m@x>', date: 'Fri, 22 Jan 2027 00:00:00 +0000', subject: 'Adopt #1' },
          },
          receipt: {
            timestamp: '2027-01-22T00:00:00.000Z',
            processingTimeMillis: 100,
            recipients: [to],
            spamVerdict: v('spam'),
            virusVerdict: v('virus'),
            spfVerdict: v('spf'),
            dkimVerdict: v('dkim'),
            dmarcVerdict: v('dmarc'),
            dmarcPolicy: 'none',
            action: { type: 'Lambda', invocationType: 'Event', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:inbound' },
          },
        },
      },
    ],
  };
}

const handler = () =>
  createInboundHandler({
    mailStore,
    rawKey: (id) => `inbound/${id}`,
    secrets: async () => SECRET,
    config: (secrets) => ({ settings: { domain: 'baton.example.com', inboundDomain: INBOUND, senderAddress: 'b@baton.example.com', linksBaseUrl: 'https://l.example.com', secrets } }),
    core: { store, send: async () => 'unused', log: (r) => logs.push(r) },
    now: () => new Date('2027-01-22T00:00:00Z'),
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

const raw = (id: string) => `From: Ana <ana@example.com>\r\nTo: x\r\nSubject: Adopt #1: Do the first thing\r\nMessage-ID: <${id}@mail.example.com>\r\n\r\nI will do it on Mondays.\r\n`;

describe('the inbound Lambda handler', () => {
  it('reads the raw mail SES stored and stores the adoption', async () => {
    await mailStore.putRaw('inbound/ses-1', Buffer.from(raw('one')));
    const result = await handler()(event('ses-1'));
    expect(result.outcomes).toEqual([{ sesMessageId: 'ses-1', status: 'stored' }]);
    const [r] = await store.listResponses('demo');
    expect(r).toMatchObject({ intent: 'adopt', strategyId: 'first', participantEmail: 'ana@example.com', rawMessage: 'inbound/ses-1' });
  });

  it('rejects what SES flagged, and logs why', async () => {
    await mailStore.putRaw('inbound/ses-2', Buffer.from(raw('two')));
    const result = await handler()(event('ses-2', { virus: 'FAIL' }));
    expect(result.outcomes).toEqual([{ sesMessageId: 'ses-2', status: 'rejected' }]);
    expect(logs.at(-1)).toMatchObject({ status: 'rejected', reason: 'virus' });
    expect((await store.listResponses('demo')).map((r) => r.source)).toEqual(['<one@mail.example.com>']);
  });

  // SES invokes asynchronously: a thrown event is retried and then kept on the inbound DLQ, where
  // a swallowed one would be gone (issue 11).
  it('throws an event that is not an SES receipt, so Lambda keeps it', async () => {
    await expect(handler()({ Records: [{ eventSource: 'aws:s3' }] })).rejects.toThrow(/not an SES receipt event[\s\S]*eventSource[\s\S]*baton dlq/);
  });
});
