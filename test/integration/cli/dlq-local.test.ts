// `baton dlq --target local` against the real local scheduler store (dynalite): a job the clock
// gave up on after 3 attempts is listed with its error, and replay runs it again through the
// dispatch it is given (or queues it for the clock when the stack is down).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { ensureTable } from '#adapters/local/dynalite';
import type { Job } from '#core/jobs';
import { LocalScheduler } from '#adapters/local/scheduler';
import { listLocal, replayLocal } from '#cli/commands/dlq';
import { formatDeadLetter } from '#cli/dead-letters';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

let db: TestDynalite;
let store: Store;
let tables = 0;
beforeAll(async () => {
  db = await startDynalite();
});
beforeEach(async () => {
  const tableName = `dlq-${++tables}`;
  await ensureTable(db.client, tableName);
  store = createStore({ client: db.client, tableName });
});
afterAll(async () => {
  await db?.stop();
});

const job: Job = { kind: 'kickoff', seriesId: 'q1' };
const due = new Date('2027-03-15T08:00:00Z');

/** A one-time job that fails every time, fired until the clock marks it failed. */
async function failThreeTimes(): Promise<LocalScheduler> {
  const scheduler = new LocalScheduler(store, { retryDelayMs: 1000 });
  await store.putSchedule('q1', { name: 'kickoff', at: due.toISOString(), job, state: 'pending', attempts: 0 });
  await store.putSchedule('q1', { name: 'later', at: '2027-04-01T00:00:00.000Z', job: { kind: 'digest', seriesId: 'q1' }, state: 'pending', attempts: 0 });
  const failing = async () => {
    throw new Error('SES said: Throttling: Maximum sending rate exceeded');
  };
  let now = due;
  for (let i = 0; i < 3; i++) {
    await scheduler.fireDue(now, failing);
    now = new Date(now.getTime() + 60_000);
  }
  return scheduler;
}

describe('baton dlq --target local', () => {
  it('lists the job the clock failed after 3 attempts, with its error, and nothing else', async () => {
    await failThreeTimes();

    const letters = await listLocal(store);

    expect(letters.map((l) => l.id)).toEqual(['q1/kickoff']);
    const text = formatDeadLetter(letters[0]!);
    // The record's time is its last retry's: 08:01 plus the doubled 2 s delay.
    expect(text).toMatch(/^local · 2027-03-15T08:01:02Z · id q1\/kickoff$/m);
    expect(text).toContain('What failed: the kickoff email of series q1');
    expect(text).toContain('Error:       SES said: Throttling: Maximum sending rate exceeded (after 3 attempts)');
  });

  it('replay runs the job through dispatch, marks it done, and the list is empty', async () => {
    await failThreeTimes();
    const ran: Job[] = [];

    const report = await replayLocal(store, { ids: ['q1/kickoff'] }, new Date('2027-03-16T00:00:00Z'), async (j) => {
      ran.push(j);
    });

    expect(report.replayed.map((l) => l.id)).toEqual(['q1/kickoff']);
    expect(ran).toEqual([job]);
    expect(await listLocal(store)).toEqual([]);
    const stored = (await store.listSchedules('q1')).find((s) => s.name === 'kickoff')!;
    expect(stored.state).toBe('done');
    expect(stored.lastError).toBeUndefined();
  });

  it('a replay that fails again keeps the job failed with the new error', async () => {
    await failThreeTimes();

    const report = await replayLocal(store, { all: true }, new Date('2027-03-16T00:00:00Z'), async () => {
      throw new Error('still down');
    });

    expect(report.failed.map((f) => [f.letter.id, f.error])).toEqual([['q1/kickoff', 'still down']]);
    const [letter] = await listLocal(store);
    expect(letter?.error).toBe('still down (after 3 attempts)');
  });

  it('without a running stack, replay queues the job for the clock, which runs it', async () => {
    const scheduler = await failThreeTimes();
    const now = new Date('2027-03-16T00:00:00Z');

    const report = await replayLocal(store, { all: true }, now);

    expect(report.queued.map((l) => l.id)).toEqual(['q1/kickoff']);
    expect(await listLocal(store)).toEqual([]);
    const ran: Job[] = [];
    const fired = await scheduler.fireDue(now, async (j) => {
      ran.push(j);
    });
    expect(fired.fired).toEqual(['q1/kickoff']);
    expect(ran).toEqual([job]);
  });

  it('names the ids it did not find', async () => {
    await failThreeTimes();
    const report = await replayLocal(store, { ids: ['q1/nope'] }, new Date(), async () => {});
    expect(report.notFound).toEqual(['q1/nope']);
    expect(report.replayed).toEqual([]);
    expect(await listLocal(store)).toHaveLength(1);
  });
});
