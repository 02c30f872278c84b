// dispatch and send-worker against the events AWS documents (test/fixtures/aws/scheduler, sqs):
// the schedule's Input as the event, the scheduler DLQ's message (whose body must stay a job that
// `baton dlq replay` can hand back), and an SQS batch, with a real store (dynalite) and the example
// series published into it. Mail goes to a recording sender (SES is exercised in the adapter tests).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '#adapters/aws/dynamo';
import type { BuiltMail } from '#app/deliver';
import { JobSchema } from '#core/jobs';
import { publishSeries } from '#cli/publish-series';
import { createDispatchHandler, type DispatchHandlerDeps } from '#handlers/dispatch';
import { createSendWorker } from '#handlers/send-worker';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';
import { awsFixture, captureOutput, metricsIn } from '#test/support/lambda-output';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const SERIES = 'q1-productivity';
let db: TestDynalite;
let store: Store;
let trainingSlug: string;
const sent: BuiltMail[] = [];

function deps(): DispatchHandlerDeps {
  return {
    store,
    send: async (mail) => {
      sent.push(mail);
      return `ses-${sent.length}`;
    },
    settings: async () => ({
      domain: 'baton.example.com',
      inboundDomain: 'reply.baton.example.com',
      senderAddress: 'training@baton.example.com',
      linksBaseUrl: 'https://links.example.com',
      secrets: 'a-test-secret-of-enough-length',
    }),
    now: () => new Date('2027-01-21T00:00:00Z'),
    queue: { sendAll: async (bodies) => ({ sent: bodies.length, calls: 1 }) },
    batchSize: 50,
  };
}

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  trainingSlug = published.trainings[0]!.slug;
  for (const p of await store.listParticipants(SERIES)) await store.removeParticipant(SERIES, p.email);
  await store.putParticipants(
    SERIES,
    ['a', 'b', 'c'].map((n) => ({ email: `${n}@example.com`, name: n.toUpperCase(), timeZone: 'Europe/Berlin', workStart: '09:00' })),
  );
}, 60_000);
afterAll(() => db?.stop());

const withSlug = <T>(value: T): T => JSON.parse(JSON.stringify(value).replaceAll('time-blocking', trainingSlug)) as T;

describe('dispatch and the EventBridge Scheduler payloads', () => {
  it('runs the schedule Input it is invoked with, with the job as correlation keys and emails counted', async () => {
    const input = withSlug(awsFixture('scheduler/dispatch-input.json'));
    const { result, error, lines } = await captureOutput(() => createDispatchHandler(deps())(input));
    expect(error).toBeUndefined();
    expect(result).toMatchObject({ job: { kind: 'reminder', seriesId: SERIES }, report: { failed: 0 } });
    const line = lines.find((l) => l.message === 'job dispatched');
    expect(line).toMatchObject({ function: 'dispatch', seriesId: SERIES, jobKind: 'reminder', trainingSlug });
    const sentNow = (result as { report: { sent: number } }).report.sent;
    expect(metricsIn(lines).values).toMatchObject({ EmailsSent: sentNow, EmailsFailed: 0 });
  });

  it("keeps the job as the body of the scheduler's dead-letter message, so a replay is the same job", () => {
    const dlq = awsFixture<{ Messages: Array<{ Body: string; MessageAttributes: Record<string, { StringValue: string }> }> }>('scheduler/dlq-message.json');
    const [message] = dlq.Messages;
    expect(JobSchema.parse(JSON.parse(message!.Body))).toEqual(awsFixture('scheduler/dispatch-input.json'));
    expect(Object.keys(message!.MessageAttributes).sort()).toEqual(['ERROR_CODE', 'ERROR_MESSAGE', 'EXECUTION_ID', 'RequestID', 'SCHEDULE_ARN', 'TARGET_ARN']);
  });

  it('throws the DLQ message itself (it is not a job), logged and counted, so it is never run as one', async () => {
    const { error, lines } = await captureOutput(() => createDispatchHandler(deps())(awsFixture('scheduler/dlq-message.json')));
    expect(String(error)).toMatch(/InvalidJobError: dispatch received an event that is not a job/);
    expect(lines.find((l) => l.dropReason)).toMatchObject({ level: 'ERROR', function: 'dispatch', dropReason: 'not a job' });
    expect(metricsIn(lines)).toEqual({ values: { DroppedEvents: 1 }, dimensionSets: [[['function']]], namespaces: ['Baton'] });
  });
});

describe('send-worker and the SQS batch AWS documents', () => {
  it('sends each queued batch and reports no failures', async () => {
    sent.length = 0;
    const batch = awsFixture('sqs/send-worker-batch.json');
    const { result, error, lines } = await captureOutput(() => createSendWorker(deps())(batch));
    expect(error).toBeUndefined();
    expect(result).toEqual({ batchItemFailures: [] });
    expect(sent.map((m) => m.to).sort()).toEqual(['a@example.com', 'b@example.com', 'c@example.com']);
    const logged = lines.filter((l) => l.message === 'job dispatched');
    expect(logged.map((l) => l.messageId)).toEqual(['059f36b4-87a3-44ab-83d2-661975830a71', '059f36b4-87a3-44ab-83d2-661975830a72']);
    expect(logged[0]).toMatchObject({ function: 'send-worker', seriesId: SERIES, jobKind: 'kickoff' });
    expect(metricsIn(lines).values).toMatchObject({ EmailsSent: 3, EmailsFailed: 0 });
  });

  it('reports a message that is not a job as a batch item failure (SQS dead-letters it), logged and counted', async () => {
    const batch = awsFixture<{ Records: Array<{ body: string; messageId: string }> }>('sqs/send-worker-batch.json');
    batch.Records[1]!.body = '{"kind":"newsletter"}';
    const { result, lines } = await captureOutput(() => createSendWorker(deps())(batch));
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: batch.Records[1]!.messageId }] });
    expect(lines.find((l) => l.dropReason)).toMatchObject({ function: 'send-worker', messageId: batch.Records[1]!.messageId, dropReason: 'queue message is not a batch job' });
    // The first message's correlation keys must not leak onto the second's lines.
    expect(lines.find((l) => l.dropReason)).not.toHaveProperty('seriesId');
    expect(metricsIn(lines).values).toMatchObject({ DroppedEvents: 1, BatchItemFailures: 1 });
  });

  it('throws an event that is not an SQS batch, logged and counted', async () => {
    const { error, lines } = await captureOutput(() => createSendWorker(deps())({ Records: 'none' }));
    expect(String(error)).toMatch(/not an SQS batch[\s\S]*Records/);
    expect(metricsIn(lines).values).toEqual({ DroppedEvents: 1 });
  });
});
