// The dispatch Lambda's handler with its real store (dynalite) and the example series published
// into it; mail goes to a recording sender and batches to a recording queue (plain objects: SES
// and SQS themselves are exercised in test/integration/adapters and test/unit/adapters).
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeleteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createStore, type Store } from '#adapters/aws/dynamo';
import type { MessageQueue } from '#adapters/aws/queue';
import type { BuiltMail } from '#app/deliver';
import type { Job } from '#core/jobs';
import type { Participant } from '#core/model';
import { publishSeries } from '#cli/publish-series';
import { InvalidJobError } from '#adapters/aws/sending';
import { createDispatchHandler, type DispatchHandlerDeps } from '#handlers/dispatch';
import { createSendWorker } from '#handlers/send-worker';
import { FANOUT_VISIBILITY_TIMEOUT } from '#infra/service-stack';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const SERIES = 'q1-productivity';
let db: TestDynalite;
let store: Store;
let trainingSlug: string;

// The delivery ledger outlives a test, so each test mails people of its own.
let testNo = 0;
function people(n: number, timeZone = 'Europe/Berlin'): Participant[] {
  return Array.from({ length: n }, (_, i) => ({
    email: `t${testNo}.p${String(i).padStart(3, '0')}.${timeZone.split('/')[1]!.toLowerCase()}@example.com`,
    name: `Person ${i}`,
    timeZone,
    workStart: '09:00',
  }));
}

class RecordingQueue implements MessageQueue {
  bodies: string[] = [];
  async sendAll(bodies: readonly string[]) {
    this.bodies.push(...bodies);
    return { sent: bodies.length, calls: Math.ceil(bodies.length / 10) };
  }
}

let sent: BuiltMail[];
let queue: RecordingQueue;
let failFor: Set<string>;

function deps(overrides: Partial<DispatchHandlerDeps> = {}): DispatchHandlerDeps {
  return {
    store,
    send: async (mail) => {
      if (failFor.has(mail.to)) throw new Error(`mailbox of ${mail.to} is on fire`);
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
    queue,
    batchSize: 4,
    ...overrides,
  };
}

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  trainingSlug = published.trainings[0]!.slug;
}, 60_000);
afterAll(() => db?.stop());

beforeEach(async () => {
  testNo++;
  sent = [];
  queue = new RecordingQueue();
  failFor = new Set();
  for (const p of await store.listParticipants(SERIES)) await store.removeParticipant(SERIES, p.email);
});

describe('dispatch handler', () => {
  it('sends a small series inline, one email per participant', async () => {
    await store.putParticipants(SERIES, people(3));
    const result = await createDispatchHandler(deps())({ kind: 'kickoff', seriesId: SERIES });
    expect(result).toMatchObject({ report: { sent: 3, failed: 0 } });
    expect(sent.map((m) => m.to).sort()).toEqual(people(3).map((p) => p.email));
    expect(queue.bodies).toEqual([]);
  });

  it('queues even a small send when told to send nothing inline (the deployed wiring), so no invocation waits on the pace', async () => {
    await store.putParticipants(SERIES, people(3));
    const result = await createDispatchHandler(deps({ inlineUpTo: 0 }))({ kind: 'kickoff', seriesId: SERIES });
    expect(result).toMatchObject({ fannedOut: { batches: 1, recipients: 3 } });
    expect(sent).toEqual([]);
    expect(queue.bodies.map((b) => (JSON.parse(b) as Job).recipients)).toEqual([people(3).map((p) => p.email)]);
  });

  it('cuts an update into batches of those who hold the training’s calendar', async () => {
    await store.putParticipants(SERIES, people(6));
    const holders = people(6).slice(0, 5).map((p) => p.email);
    await store.importDeliveries(
      SERIES,
      holders.map((e) => ({ emailId: `kickoff#-#${e}`, status: 'sent' as const, attempts: 1, claimedAt: '2027-01-01T00:00:00.000Z', sentAt: '2027-01-01T00:00:00.000Z', sesMessageId: `m-${e}` })),
    );
    const result = await createDispatchHandler(deps())({ kind: 'update', seriesId: SERIES, trainingSlug, sequence: 1 });
    expect(result).toMatchObject({ fannedOut: { batches: 2, recipients: 5 } });
    expect(queue.bodies.flatMap((b) => (JSON.parse(b) as Job).recipients).sort()).toEqual([...holders].sort());
  });

  it('cuts a send to more participants than a batch into queued batches, and sends nothing itself', async () => {
    await store.putParticipants(SERIES, [...people(9), ...people(2, 'Asia/Tokyo')]);
    await store.setUnsubscribed(SERIES, people(9)[4]!.email, new Date('2027-01-01T00:00:00Z'));
    const result = await createDispatchHandler(deps())({ kind: 'training', seriesId: SERIES, trainingSlug, timeZone: 'Europe/Berlin' });

    // Eight reachable Berliners (one unsubscribed, the Tokyo two are another job's) in batches of 4.
    expect(result).toMatchObject({ fannedOut: { batches: 2, recipients: 8 } });
    expect(sent).toEqual([]);
    const batches = queue.bodies.map((b) => JSON.parse(b) as Job);
    expect(batches.map((b) => b.recipients!.length)).toEqual([4, 4]);
    for (const b of batches) expect(b).toMatchObject({ kind: 'training', seriesId: SERIES, trainingSlug, timeZone: 'Europe/Berlin' });
    const expected = people(9).map((p) => p.email).filter((e) => e !== people(9)[4]!.email);
    expect(batches.flatMap((b) => b.recipients).sort()).toEqual(expected);
  });

  it("reads a group's fire from its members' pointers alone, never the series' participants (issue 16)", async () => {
    // 12 Berliners at 09:00 (one unsubscribed), 5 at 08:00, 40 in Tokyo: the 09:00 Berlin fire
    // reads the 12 pointers and the marker that says the series has them.
    await store.putParticipants(SERIES, [...people(12), ...people(40, 'Asia/Tokyo'), ...people(5, 'Europe/Lisbon')]);
    await store.putParticipants(SERIES, people(5, 'Europe/Lisbon').map((p) => ({ ...p, timeZone: 'Europe/Berlin', workStart: '08:00' })));
    await store.setUnsubscribed(SERIES, people(12)[3]!.email, new Date('2027-01-01T00:00:00Z'));
    const before = { items: store.requests.itemsRead, participant: store.requests.itemsReadByType.participant ?? 0 };

    const result = await createDispatchHandler(deps({ inlineUpTo: 0 }))({ kind: 'training', seriesId: SERIES, trainingSlug, timeZone: 'Europe/Berlin', workStart: '09:00' });

    expect(result).toMatchObject({ fannedOut: { batches: 3, recipients: 11 } });
    expect(queue.bodies.flatMap((b) => (JSON.parse(b) as Job).recipients).sort()).toEqual(people(12).map((p) => p.email).filter((e) => e !== people(12)[3]!.email));
    expect(store.requests.itemsRead - before.items).toBe(12 + 1);
    expect((store.requests.itemsReadByType.participant ?? 0) - before.participant).toBe(0);
    // Each batch then reads its own people by key: 11 participant items for 11 recipients.
    const worker = createSendWorker(deps());
    await expect(worker({ Records: queue.bodies.map((body, i) => ({ messageId: `g${i}`, body })) })).resolves.toEqual({ batchItemFailures: [] });
    expect((store.requests.itemsReadByType.participant ?? 0) - before.participant).toBe(11);
    expect(sent).toHaveLength(11);
  });

  it('fans a series stored before the group pointers out from its participant list, and publishing builds the pointers', async () => {
    // A series whose participants were stored by an older version: no pointers, no marker.
    const legacy = 'legacy-series';
    const doc = DynamoDBDocumentClient.from(db.client);
    await store.putParticipants(legacy, [...people(6), ...people(3, 'Asia/Tokyo')]);
    for (const item of [...people(6), ...people(3, 'Asia/Tokyo')]) {
      const group = `GROUP#${legacy}#${item.timeZone}#`;
      await doc.send(new DeleteCommand({ TableName: db.tableName, Key: { pk: group, sk: `MEMBER#${item.workStart}#${item.email}` } }));
    }
    const job = { kind: 'training', seriesId: legacy, trainingSlug, timeZone: 'Europe/Berlin', workStart: '09:00' } as const;
    const before = store.requests.itemsReadByType.participant ?? 0;
    await expect(createDispatchHandler(deps({ inlineUpTo: 0 }))(job)).resolves.toMatchObject({ fannedOut: { recipients: 6 } });
    expect((store.requests.itemsReadByType.participant ?? 0) - before).toBe(9);

    // What publish does once for such a series; from then on a fire reads its group alone.
    expect(await store.ensureGroupIndex(legacy)).toBe(true);
    const after = store.requests.itemsReadByType.participant ?? 0;
    await expect(createDispatchHandler(deps({ inlineUpTo: 0 }))(job)).resolves.toMatchObject({ fannedOut: { recipients: 6 } });
    expect((store.requests.itemsReadByType.participant ?? 0) - after).toBe(0);
    expect(queue.bodies.slice(-2).flatMap((b) => (JSON.parse(b) as Job).recipients).sort()).toEqual(people(6).map((p) => p.email));
  });

  it('runs a calendars-off cancellation queued by the links function at once, through the priority sends', async () => {
    // They hold the kickoff's calendar windows; the links function queued their cancellation.
    const [person] = people(1);
    await store.putParticipants(SERIES, [person!]);
    await store.importDeliveries(SERIES, [{ emailId: `kickoff#-#${person!.email}`, status: 'sent', attempts: 1, claimedAt: '2027-01-01T00:00:00.000Z', sentAt: '2027-01-01T00:00:00.000Z', sesMessageId: 'm-k' }]);
    const job: Job = { kind: 'cancel', seriesId: SERIES, participant: person!, calendarsOff: true, recipients: [person!.email] };
    const bulk: string[] = [];
    const priority: string[] = [];
    const worker = createSendWorker({
      ...deps(),
      send: async (mail) => (bulk.push(mail.to), `ses-b${bulk.length}`),
      sendPriority: async (mail) => (priority.push(mail.to), `ses-p${priority.length}`),
    });
    await expect(worker({ Records: [{ messageId: 'off', body: JSON.stringify(job) }] })).resolves.toEqual({ batchItemFailures: [] });
    expect(priority).toEqual([person!.email]);
    expect(bulk).toEqual([]);
  });

  it('lets the workers send the queued batches: everyone once, as an inline send would', async () => {
    await store.putParticipants(SERIES, people(10));
    await createDispatchHandler(deps())({ kind: 'kickoff', seriesId: SERIES });
    const worker = createSendWorker(deps());
    const records = queue.bodies.map((body, i) => ({ messageId: `m${i}`, body }));
    expect(records).toHaveLength(3);
    await expect(worker({ Records: records })).resolves.toEqual({ batchItemFailures: [] });
    expect(sent.map((m) => m.to).sort()).toEqual(people(10).map((p) => p.email));
    // SQS delivers at least once: a redelivered batch sends nothing twice.
    await worker({ Records: records.slice(0, 1) });
    expect(sent).toHaveLength(10);
  });

  it('keeps a digest whole: it goes to trainers and counts every participant', async () => {
    await store.putParticipants(SERIES, people(9));
    const result = await createDispatchHandler(deps())({ kind: 'digest', seriesId: SERIES });
    expect(queue.bodies).toEqual([]);
    expect('report' in result).toBe(true);
  });

  it('as deployed, builds the sending half only for a job it runs itself, never for one it fans out', async () => {
    await store.putParticipants(SERIES, people(9));
    let built = 0;
    const handler = createDispatchHandler({
      store,
      queue,
      batchSize: 4,
      inlineUpTo: 0,
      sending: async () => {
        built++;
        return deps();
      },
    });
    await expect(handler({ kind: 'kickoff', seriesId: SERIES })).resolves.toMatchObject({ fannedOut: { recipients: 9 } });
    expect(built).toBe(0);
    const digest = await handler({ kind: 'digest', seriesId: SERIES });
    expect(built).toBe(1);
    // It ran through the sending half it built: the digest went (or the ledger had it from an
    // earlier test in this file, since the ledger outlives a test).
    expect(digest).toMatchObject({ report: { failed: 0 } });
    const report = (digest as { report: { sent: number; alreadySent: number } }).report;
    expect(report.sent + report.alreadySent).toBeGreaterThan(0);
  });

  it('does not fan out a job that already is a batch', async () => {
    await store.putParticipants(SERIES, people(9));
    const recipients = people(9).map((p) => p.email).slice(0, 6);
    const result = await createDispatchHandler(deps())({ kind: 'kickoff', seriesId: SERIES, recipients });
    expect(result).toMatchObject({ report: { sent: 6 } });
    expect(queue.bodies).toEqual([]);
  });

  it('fails the invocation when an email failed, after sending the others, so the retry sends the rest', async () => {
    await store.putParticipants(SERIES, people(3));
    failFor.add(people(3)[1]!.email);
    const handler = createDispatchHandler(deps());
    await expect(handler({ kind: 'kickoff', seriesId: SERIES })).rejects.toThrow(/1 of the kickoff emails of q1-productivity failed to send.*on fire/);
    expect(sent).toHaveLength(2);
    failFor.clear();
    await expect(handler({ kind: 'kickoff', seriesId: SERIES })).resolves.toMatchObject({ report: { sent: 1, alreadySent: 2 } });
  });

  it('rejects an event that is not a job, saying what is wrong and what to do', async () => {
    const handler = createDispatchHandler(deps());
    await expect(handler({ kind: 'newsletter', seriesId: 'Q1 Productivity' })).rejects.toThrow(InvalidJobError);
    await expect(handler({ kind: 'reminder', seriesId: SERIES })).rejects.toThrow(
      /not a job[\s\S]*trainingSlug: is required for training, reminder, follow-up and update jobs[\s\S]*Re-publish the series/,
    );
  });
});

describe('send worker', () => {
  it('reports exactly the messages that failed, and runs the others', async () => {
    await store.putParticipants(SERIES, people(4));
    const [a, b, c, d] = people(4).map((p) => p.email);
    failFor.add(c!);
    const worker = createSendWorker(deps());
    const result = await worker({
      Records: [
        { messageId: 'ok', body: JSON.stringify({ kind: 'kickoff', seriesId: SERIES, recipients: [a, b] }) },
        { messageId: 'send-fails', body: JSON.stringify({ kind: 'kickoff', seriesId: SERIES, recipients: [c, d] }) },
        { messageId: 'not-json', body: '{' },
        { messageId: 'no-recipients', body: JSON.stringify({ kind: 'kickoff', seriesId: SERIES }) },
      ],
    });
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['send-fails', 'not-json', 'no-recipients']);
    expect(sent.map((m) => m.to).sort()).toEqual([a, b, d]);
  });

  // The delivery lease meets the queue: a worker that died mid-batch holds its claim for the lease,
  // and the fan-out queue's visibility timeout (infra/service-stack.ts) is longer than that.
  it('reports a batch that meets a delivery another run holds, sends the rest, and takes it over on redelivery', async () => {
    await store.putParticipants(SERIES, people(3));
    const [a, b, c] = people(3).map((p) => p.email);
    const kickoff = (messageId: string, recipients: string[]) => ({ messageId, body: JSON.stringify({ kind: 'kickoff', seriesId: SERIES, recipients }) });
    // A worker that dies while SES is answering: its claim on b is neither completed nor released.
    let dying = false;
    void createSendWorker(deps({ send: () => ((dying = true), new Promise<string>(() => {})) }))({ Records: [kickoff('dead', [b!])] });
    // waitFor gives up after 1 s by default, which a busy machine overran.
    await vi.waitFor(() => expect(dying).toBe(true), { timeout: 20_000 });

    const batch = { Records: [kickoff('held', [a!, b!, c!])] };
    expect(await createSendWorker(deps())(batch)).toEqual({ batchItemFailures: [{ itemIdentifier: 'held' }] });
    expect(sent.map((m) => m.to).sort()).toEqual([a, c]);

    // SQS hands the batch back after the visibility timeout: the claim has expired and is taken over.
    const redelivered = new Date(deps().now().getTime() + FANOUT_VISIBILITY_TIMEOUT.toMilliseconds());
    expect(await createSendWorker(deps({ now: () => redelivered }))(batch)).toEqual({ batchItemFailures: [] });
    expect(sent.map((m) => m.to).sort()).toEqual([a, b, c]);
  });

  it('reports a message whose deliveries another run still holds, so its redelivery takes them over', async () => {
    await store.putParticipants(SERIES, people(2));
    const [a, b] = people(2).map((p) => p.email);
    // Another worker claimed a's email and has not finished (or died): the lease is still running.
    await store.claimDelivery(SERIES, `kickoff#-#${a}`, { now: new Date('2027-01-21T00:00:00Z'), leaseMs: 60_000 });
    const result = await createSendWorker(deps())({
      Records: [{ messageId: 'held', body: JSON.stringify({ kind: 'kickoff', seriesId: SERIES, recipients: [a, b] }) }],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'held' }] });
    expect(sent.map((m) => m.to)).toEqual([b]);
  });

  it('reports a batch in which every message failed message by message, rather than failing the invocation', async () => {
    const result = await createSendWorker(deps())({ Records: [{ messageId: 'x', body: '{' }, { messageId: 'y', body: 'null' }] });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'x' }, { itemIdentifier: 'y' }] });
  });

  it('refuses an event that is not from SQS', async () => {
    await expect(createSendWorker(deps())({ detail: {} })).rejects.toThrow(/Records/);
  });
});
