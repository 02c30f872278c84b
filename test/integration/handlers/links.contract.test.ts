// The links handler against the function URL requests AWS documents (payload format 2.0,
// test/fixtures/aws/function-url), with a real store (dynalite). Only the token in the path is
// adapted: the fixtures' `/l/TOKEN` becomes a signed one-click unsubscribe link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SqsQueue } from '#adapters/aws/queue';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { s3AudioReader } from '#adapters/aws/mail-store';
import { mp3Seconds } from '#core/audio';
import { mp3 } from '#test/support/audio';
import { JobSchema } from '#core/jobs';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { signLinkToken } from '#core/tokens';
import { createLinksHandler } from '#handlers/links';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';
import { awsFixture, captureOutput, metricsIn } from '#test/support/lambda-output';

const SECRET = 'links-contract-secret-0123456789';
const SERIES = 'demo';
const now = new Date('2027-02-01T10:00:00Z');
let db: TestDynalite;
let store: Store;

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  // A link names a series and a participant; both must exist for it to be honoured.
  await store.putSeries(
    {
      id: SERIES,
      title: 'Demo',
      intro: '',
      trainers: [{ name: 'T', email: 't@example.com', timeZone: 'UTC' }],
      defaultTimeZone: 'UTC',
      defaultWorkStart: '09:00',
      policies: { reminderDaysBeforeClose: 3, followUpWeeksAfterClose: 3, digest: { day: 'mon', hour: 9 }, rollup: { day: 'fri', hour: 10 }, acknowledgeContributions: false },
    },
    [],
    { publishedAt: '2027-01-01T00:00:00.000Z', version: 1 },
  );
  await store.putParticipants(SERIES, ['get', 'post', 'b64', 'cal'].map((n) => ({ email: `${n}@example.com`, name: n, timeZone: 'UTC', workStart: '09:00' })));
}, 30_000);
afterAll(() => db?.stop());

const handler = () => createLinksHandler({ store, secrets: async () => SECRET, now: () => now });
const request = (name: string, email: string) => {
  const token = signLinkToken({ action: 'unsubscribe', seriesId: SERIES, participantEmail: email, expiresAt: new Date('2027-06-01T00:00:00Z') }, SECRET);
  return JSON.parse(JSON.stringify(awsFixture(`function-url/${name}`)).replaceAll('/l/TOKEN', `/l/${token}`)) as unknown;
};

describe('links and the function URL requests AWS documents', () => {
  it('answers the GET a mail scanner or a person makes with the confirmation page, recording nothing', async () => {
    const { result, lines } = await captureOutput(() => handler()(request('get-link.json', 'get@example.com')));
    expect(result?.statusCode).toBe(200);
    expect((await store.getParticipant(SERIES, 'get@example.com'))?.unsubscribedAt).toBeUndefined();
    expect(lines.find((l) => l.message === 'link')).toMatchObject({ function: 'links', method: 'GET', status: 200 });
    expect(metricsIn(lines).values).toEqual({ LinkClicks: 1 });
  });

  it.each([
    ['post-one-click.json', 'post@example.com'],
    ['post-one-click-base64.json', 'b64@example.com'],
  ])('%s unsubscribes with one click', async (name, email) => {
    const { result } = await captureOutput(() => handler()(request(name, email)));
    expect(result?.statusCode).toBe(200);
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBe(now.toISOString());
  });

  it('never logs the token, which is as good as a password for one click', async () => {
    const event = request('get-link.json', 'get@example.com') as { rawPath: string };
    const { lines } = await captureOutput(() => handler()(event));
    expect(JSON.stringify(lines)).not.toContain(event.rawPath.slice(3));
  });

  it.each([
    ['no request context', { rawPath: '/l/x' }],
    ['a body that is not a string', { ...(awsFixture('function-url/post-one-click.json') as object), body: { form: true } }],
    ['an SQS event', awsFixture('sqs/send-worker-batch.json')],
  ])('answers %s with 400, logged and counted', async (_, event) => {
    const { result, lines } = await captureOutput(() => handler()(event));
    expect(result?.statusCode).toBe(400);
    expect(lines.find((l) => l.dropReason)).toMatchObject({ level: 'ERROR', function: 'links', dropReason: 'not a function URL event' });
    expect(metricsIn(lines)).toEqual({ values: { DroppedEvents: 1 }, dimensionSets: [[['function']]], namespaces: ['Baton'] });
  });

  // SQS has no local server here: the client is mocked and the exact request asserted.
  it('queues the cancellation of placed entries when someone turns calendars off (POST only), as a job the send workers run', async () => {
    const sqs = mockClient(SQSClient);
    try {
      sqs.on(SendMessageBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'm', MD5OfMessageBody: 'x' }], Failed: [] });
      const queue = new SqsQueue({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/FanOut', client: new SQSClient({ region: 'eu-west-1' }) });
      const withQueue = createLinksHandler({ store, secrets: async () => SECRET, now: () => now, queue });
      const token = signLinkToken({ action: 'calendars-off', seriesId: SERIES, participantEmail: 'cal@example.com', expiresAt: new Date('2027-06-01T00:00:00Z') }, SECRET);
      const event = (name: string) => JSON.parse(JSON.stringify(awsFixture(`function-url/${name}`)).replaceAll('/l/TOKEN', `/l/${token}`)) as unknown;

      await captureOutput(() => withQueue(event('get-link.json')));
      expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(0);
      expect((await store.getParticipant(SERIES, 'cal@example.com'))?.calendarsOffAt).toBeUndefined();

      const { result } = await captureOutput(() => withQueue(event('post-one-click.json')));
      expect(result?.statusCode).toBe(200);
      expect((await store.getParticipant(SERIES, 'cal@example.com'))?.calendarsOffAt).toBe(now.toISOString());
      const calls = sqs.commandCalls(SendMessageBatchCommand);
      expect(calls).toHaveLength(1);
      expect(calls[0]!.args[0].input.QueueUrl).toBe('https://sqs.eu-west-1.amazonaws.com/123456789012/FanOut');
      const job = JobSchema.parse(JSON.parse(calls[0]!.args[0].input.Entries![0]!.MessageBody!));
      // A batch of one: the send worker runs only jobs that name their recipients.
      expect(job).toMatchObject({ kind: 'cancel', seriesId: SERIES, calendarsOff: true, recipients: ['cal@example.com'] });
      expect(JSON.stringify(job)).toContain('cal@example.com');
    } finally {
      sqs.restore();
    }
  });
});

describe('the audio versions on the links function URL', () => {
  // S3 as documented: GetObject answers the stored bytes, or NoSuchKey.
  const s3 = mockClient(S3Client);
  afterAll(() => s3.restore());
  const stored = mp3(250);
  const KEY = 'audio/0123456789abcdef0123456789abcdef.mp3';
  s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    if (input.Key !== KEY) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } });
    return { Body: { transformToByteArray: async () => stored } as never, ContentType: 'audio/mpeg' };
  });
  const withAudio = () =>
    createLinksHandler({ store, secrets: async () => SECRET, now: () => now, audio: s3AudioReader('attachments', 'eu-west-1', new S3Client({ region: 'eu-west-1' })) });
  const get = (path: string) => JSON.parse(JSON.stringify(awsFixture('function-url/get-link.json')).replaceAll('/l/TOKEN', path)) as unknown;

  it('plays a stored file as base64 audio/mpeg, reading exactly its key from the attachment bucket', async () => {
    s3.resetHistory();
    const { result } = await captureOutput(() => withAudio()(get(`/${KEY}`)));
    expect(result).toMatchObject({ statusCode: 200, isBase64Encoded: true, headers: { 'content-type': 'audio/mpeg' } });
    expect(mp3Seconds(Buffer.from(result!.body, 'base64'))).toBeCloseTo(6, 6);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: 'attachments', Key: KEY }]);
  });

  it('answers 404 for a missing file, and never reads anything outside audio/<hash>.mp3', async () => {
    s3.resetHistory();
    const missing = await captureOutput(() => withAudio()(get('/audio/ffffffffffffffffffffffffffffffff.mp3')));
    expect(missing.result?.statusCode).toBe(404);
    for (const path of ['/audio/../q1/r1/notes.pdf', '/audio/0123.mp3', '/q1/r1/notes.pdf', `/${KEY}.json`]) {
      const { result } = await captureOutput(() => withAudio()(get(path)));
      expect(result?.statusCode, path).not.toBe(200);
    }
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['audio/ffffffffffffffffffffffffffffffff.mp3']);
  });
});
