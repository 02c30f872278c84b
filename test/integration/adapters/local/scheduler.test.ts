// The local clock against a real DynamoDB API (dynalite): records written from a plan, fired
// when due, never twice, retried and then failed, recurring ones moved to their next week; and
// publishing through it, with real dispatch into aws-ses-v2-local.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { DispatchError } from '#app/run-job';
import { DeliveriesHeldError } from '#app/deliver';
import type { Job } from '#core/jobs';
import { SeriesSchema, TrainingSchema } from '#core/model';
import { diffSchedules, planSchedules } from '#core/schedule-plan';
import { zonedTimeToUtc } from '#core/time';
import { biteCount } from '#core/bites';
import { LocalScheduler, localDispatch } from '#adapters/local/scheduler';
import { syncSchedules } from '#app/publish';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { ensureTable } from '#adapters/local/dynalite';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

let db: TestDynalite;
/** The store of the running test: a table of its own, since the clock reads every series due. */
let store: Store;
let tables = 0;
beforeAll(async () => {
  db = await startDynalite();
});
beforeEach(async () => {
  const tableName = `clock-${++tables}`;
  await ensureTable(db.client, tableName);
  store = createStore({ client: db.client, tableName });
});
afterAll(async () => {
  await db?.stop();
});

const series = (id: string) =>
  SeriesSchema.parse({
    id,
    title: id,
    intro: '',
    trainers: [{ name: 'Maya', email: 'maya@example.com', timeZone: 'America/New_York' }],
    defaultTimeZone: 'UTC',
    policies: {},
  });
const trainings = [TrainingSchema.parse({ slug: 'one', order: 1, title: 'One', opens: '2027-03-15', closes: '2027-03-28', author: 'Maya', body: '', strategies: [] })];
const participants = [
  { timeZone: 'America/New_York', workStart: '09:00' },
  { timeZone: 'Asia/Brunei', workStart: '08:30' },
];
const publishedAt = new Date('2027-03-01T00:00:00Z');

/** A plan for `seriesId` written as records, as a first publish does. */
async function seed(seriesId: string, scheduler: LocalScheduler) {
  const plan = planSchedules({ series: series(seriesId), trainings, participants, publishedAt });
  await scheduler.apply(seriesId, diffSchedules([], plan), publishedAt);
  return plan;
}

function recorder(fail?: (job: Job, call: number) => Error | undefined) {
  const calls: Array<{ job: Job; now: string }> = [];
  const run = async (job: Job, now: Date) => {
    calls.push({ job, now: now.toISOString() });
    const error = fail?.(job, calls.length);
    if (error) throw error;
  };
  return { calls, run };
}

const state = async (seriesId: string, name: string) => (await store.listSchedules(seriesId)).find((s) => s.name === name);

describe('LocalScheduler.fireDue', () => {
  it('fires due jobs once, in time order, and leaves the rest pending', async () => {
    const scheduler = new LocalScheduler(store);
    const plan = await seed('clock-once', scheduler);
    const { calls, run } = recorder();

    // 2027-03-15 00:30Z: the kickoff and Brunei's 08:30 training are due; New York's (13:00Z) is not.
    const now = new Date('2027-03-15T00:30:00Z');
    const report = await scheduler.fireDue(now, run);
    expect(calls.map((c) => `${c.job.kind} ${c.job.timeZone ?? ''}`)).toEqual(['kickoff ', 'training Asia/Brunei']);
    expect(report.fired).toEqual(['clock-once/kickoff', `clock-once/${plan.find((s) => s.job.kind === 'training' && s.job.timeZone === 'Asia/Brunei')!.name}`]);

    await scheduler.fireDue(now, run);
    await scheduler.fireDue(new Date('2027-03-15T12:59:00Z'), run);
    expect(calls).toHaveLength(2);
    expect((await state('clock-once', 'kickoff'))!.state).toBe('done');

    // 13:00Z is 09:00 in New York: its training, and the trainer's Monday digest.
    await scheduler.fireDue(new Date('2027-03-15T13:00:00Z'), run);
    expect(calls.map((c) => `${c.job.kind} ${c.job.timeZone ?? ''}`).slice(2).sort()).toEqual(['digest America/New_York', 'training America/New_York']);
  });

  it('does not run a job twice when two ticks overlap', async () => {
    const scheduler = new LocalScheduler(store);
    await seed('clock-overlap', scheduler);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: Job[] = [];
    const run = async (job: Job) => {
      calls.push(job);
      await gate;
    };
    const now = new Date('2027-03-01T00:00:01Z');
    const first = scheduler.fireDue(now, run);
    await new Promise((r) => setTimeout(r, 50));
    const second = scheduler.fireDue(now, run);
    release();
    await Promise.all([first, second]);
    expect(calls.map((j) => j.kind)).toEqual(['kickoff']);
  });

  it('retries a failing job with growing delays, then marks it failed with the error (the local DLQ)', async () => {
    const lines: string[] = [];
    const scheduler = new LocalScheduler(store, { maxAttempts: 3, retryDelayMs: 60_000, log: (l) => lines.push(l) });
    await seed('clock-retry', scheduler);
    const { calls, run } = recorder((job) => (job.kind === 'kickoff' ? new Error('SES is down') : undefined));
    const t0 = new Date('2027-03-01T00:00:00Z');

    expect((await scheduler.fireDue(t0, run)).retrying).toEqual(['clock-retry/kickoff']);
    expect(await state('clock-retry', 'kickoff')).toMatchObject({ state: 'pending', attempts: 1, lastError: 'SES is down', at: '2027-03-01T00:01:00.000Z' });
    await scheduler.fireDue(new Date('2027-03-01T00:00:59Z'), run);
    expect(calls).toHaveLength(1);
    await scheduler.fireDue(new Date('2027-03-01T00:01:00Z'), run);
    expect(await state('clock-retry', 'kickoff')).toMatchObject({ state: 'pending', attempts: 2, at: '2027-03-01T00:03:00.000Z' });
    const last = await scheduler.fireDue(new Date('2027-03-01T00:03:00Z'), run);
    expect(last.failed).toEqual(['clock-retry/kickoff']);
    expect(await state('clock-retry', 'kickoff')).toMatchObject({ state: 'failed', attempts: 3, lastError: 'SES is down' });
    expect(calls).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/clock-retry\/kickoff failed after 3 attempts: SES is down/);

    await scheduler.fireDue(new Date('2027-03-02T00:00:00Z'), run);
    expect(calls).toHaveLength(3);
  });

  it('retries a run that met deliveries held by another run after the lease, not as done; 3 such runs fail it', async () => {
    const scheduler = new LocalScheduler(store, { maxAttempts: 3, retryDelayMs: 60_000 });
    await seed('clock-held', scheduler);
    const lease = 10 * 60_000;
    const { calls, run } = recorder((job) => (job.kind === 'kickoff' ? new DeliveriesHeldError(['kickoff#-#ana@example.com'], lease) : undefined));
    const t0 = new Date('2027-03-01T00:00:00Z');

    expect((await scheduler.fireDue(t0, run)).retrying).toEqual(['clock-held/kickoff']);
    // Retried when the held claim can be taken over, not on the growing delay of other failures.
    expect(await state('clock-held', 'kickoff')).toMatchObject({ state: 'pending', attempts: 1, at: '2027-03-01T00:10:00.000Z' });
    expect((await state('clock-held', 'kickoff'))!.lastError).toMatch(/1 email is held by another run \(first: kickoff#-#ana@example.com\)/);
    await scheduler.fireDue(new Date('2027-03-01T00:10:00Z'), run);
    expect(await state('clock-held', 'kickoff')).toMatchObject({ state: 'pending', attempts: 2, at: '2027-03-01T00:20:00.000Z' });
    expect((await scheduler.fireDue(new Date('2027-03-01T00:20:00Z'), run)).failed).toEqual(['clock-held/kickoff']);
    // The local DLQ record keeps its shape: state, attempts, lastError.
    expect(await state('clock-held', 'kickoff')).toMatchObject({ state: 'failed', attempts: 3 });
    expect(calls).toHaveLength(3);
  });

  it('marks a job no retry can fix as failed at once (no planner yet), and the clock moves on', async () => {
    const scheduler = new LocalScheduler(store);
    const plan = await seed('clock-permanent', scheduler);
    const { calls, run } = recorder((job) => (job.kind === 'kickoff' ? new DispatchError('no planner for "kickoff" jobs yet') : undefined));
    const report = await scheduler.fireDue(new Date('2027-03-15T00:30:00Z'), run);
    expect(report.failed).toEqual(['clock-permanent/kickoff']);
    expect(report.fired).toHaveLength(1);
    expect(calls).toHaveLength(2);
    expect(await state('clock-permanent', 'kickoff')).toMatchObject({ state: 'failed', attempts: 1, lastError: 'no planner for "kickoff" jobs yet' });
    // Re-publishing puts a failed job back in line.
    const diff = diffSchedules(await store.listSchedules('clock-permanent'), plan);
    expect(diff.update.map((s) => s.name)).toEqual(['kickoff']);
  });

  it('fails a record whose job does not parse, with the reason', async () => {
    const scheduler = new LocalScheduler(store);
    await store.putSchedule('clock-bad', { name: 'odd', at: '2027-03-01T00:00:00.000Z', job: { kind: 'training', seriesId: 'clock-bad' }, state: 'pending' });
    const { calls, run } = recorder();
    expect((await scheduler.fireDue(new Date('2027-03-02T00:00:00Z'), run)).failed).toEqual(['clock-bad/odd']);
    expect(calls).toEqual([]);
    expect((await state('clock-bad', 'odd'))!.lastError).toMatch(/trainingSlug/);
  });

  it('moves a recurring job to its next occurrence in its zone, and ends it after its end', async () => {
    const scheduler = new LocalScheduler(store);
    const plan = await seed('clock-cron', scheduler);
    const rollup = plan.find((s) => s.job.kind === 'rollup' && s.job.timeZone === 'Asia/Brunei')!;
    // First Friday 10:00 in Brunei on or after the window opens (Mon 15 March): Fri 19 March, 02:00Z.
    expect((await state('clock-cron', rollup.name))!.at).toBe('2027-03-19T02:00:00.000Z');
    const calls: string[] = [];
    const run = async (job: Job, now: Date) => {
      if (job.kind === 'rollup' && job.timeZone === 'Asia/Brunei') calls.push(now.toISOString());
    };
    await scheduler.fireDue(new Date('2027-03-19T02:00:00Z'), run);
    expect(await state('clock-cron', rollup.name)).toMatchObject({ state: 'pending', at: '2027-03-26T02:00:00.000Z' });
    // A clock that was off for a while fires once and moves past now, not once per missed week.
    await scheduler.fireDue(new Date('2027-03-30T00:00:00Z'), run);
    expect(await state('clock-cron', rollup.name)).toMatchObject({ state: 'pending', at: '2027-04-02T02:00:00.000Z' });
    // Roll-ups end a week after the last window (28 March): 9 April is past the end.
    await scheduler.fireDue(new Date('2027-04-02T02:00:00Z'), run);
    expect(await state('clock-cron', rollup.name)).toMatchObject({ state: 'done' });
    await scheduler.fireDue(new Date('2027-04-09T02:00:00Z'), run);
    expect(calls).toEqual(['2027-03-19T02:00:00.000Z', '2027-03-30T00:00:00.000Z', '2027-04-02T02:00:00.000Z']);
  });
});

describe('LocalScheduler.nextDue', () => {
  /** The store with its pending-index reads counted. */
  const counting = () => {
    const reads = { count: 0 };
    const counted: Store = Object.assign(Object.create(store) as Store, {
      listPendingSchedules: (options?: Parameters<Store['listPendingSchedules']>[0]) => {
        reads.count++;
        return store.listPendingSchedules(options);
      },
    });
    return { counted, reads };
  };
  /** What the index says fires next: every pending record at the earliest pending instant. */
  const fromIndex = async () => {
    const [first] = await store.listPendingSchedules({ limit: 1 });
    return first ? store.listPendingSchedules({ until: first.at }) : [];
  };

  it('answers from memory in a sole process, exactly as the index would, through fires, retries and ends', async () => {
    const { counted, reads } = counting();
    const scheduler = new LocalScheduler(counted, { soleProcess: true, retryDelayMs: 60_000 });
    // Series enough that their records outnumber what one read keeps, all due at the same instants.
    const ids = Array.from({ length: 12 }, (_, i) => `next-sole-${String(i).padStart(2, '0')}`);
    for (const id of ids) await seed(id, scheduler);
    // The first kickoff run fails (its retry moves it later); recurring jobs move on, then end.
    const { calls, run } = recorder((job, call) => (job.kind === 'kickoff' && call === 1 ? new Error('SES is down') : undefined));
    let steps = 0;
    for (let due = await scheduler.nextDue(); due.length > 0; due = await scheduler.nextDue()) {
      expect(due).toEqual(await fromIndex());
      await scheduler.fireDue(new Date(due[0]!.at), run, due);
      steps++;
    }
    expect(await fromIndex()).toEqual([]);
    expect(calls.filter((c) => c.job.kind === 'kickoff')).toHaveLength(ids.length + 1);
    expect(calls.length).toBeGreaterThan(100);
    // Its own writes keep the view: a read at the start, and again only when the view runs out.
    expect(reads.count).toBeLessThan(steps / 2);
  });

  it('reads the index again after a schedule write it did not make itself', async () => {
    const { counted, reads } = counting();
    const scheduler = new LocalScheduler(counted, { soleProcess: true });
    await seed('next-outside', scheduler);
    const before = await scheduler.nextDue();
    expect(before.map((r) => r.name)).toEqual(['kickoff']);
    await scheduler.nextDue();
    expect(reads.count).toBe(1);
    // Someone else in the process (an unsubscribe's cancellation) plans a job before the kickoff.
    const early = { name: 'cancel-early', at: '2027-02-01T00:00:00.000Z', job: { kind: 'cancel', seriesId: 'next-outside' }, state: 'pending' as const };
    await store.putSchedule('next-outside', early);
    expect((await scheduler.nextDue()).map((r) => r.name)).toEqual(['cancel-early']);
    expect(reads.count).toBe(2);
  });

  it('reads the index at every call when other processes may write the table (baton dev)', async () => {
    const { counted, reads } = counting();
    const scheduler = new LocalScheduler(counted);
    await seed('next-shared', scheduler);
    await scheduler.nextDue();
    await scheduler.nextDue();
    expect(reads.count).toBe(2);
  });
});

const example = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'q1-productivity');

describe('publishing with schedules, and firing them through real dispatch', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-clock-'));
  let stack: RunningStack;
  let stackStore: Store;
  let destroy: () => void;

  beforeAll(async () => {
    stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 }, maxSendRate: 200 }), persist: false });
    const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
    destroy = () => client.destroy();
    stackStore = createStore({ client, tableName: stack.config.tableName });
  });
  afterAll(async () => {
    destroy?.();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const sent = async () => ((await (await fetch(`${stack.endpoints.ses}/store`)).json()) as { emails: { subject: string; destination: { to: string[] } }[] }).emails;

  it('plans on publish, plans the groups on enrolment, sends each job once, and re-publishing repeats nothing', async () => {
    const publishedAt = new Date('2027-01-10T00:00:00Z');
    const first = await publishSeries(example, stackStore, publishedAt);
    expect(first.schedules.create.map((s) => s.job.kind).sort()).toEqual(['digest', 'digest', 'kickoff']);

    const people = await loadParticipants(join(example, 'participants.csv'), first.series);
    await stackStore.putParticipants(first.series.id, people);
    const enrolled = await syncSchedules(stackStore, first.series.id, publishedAt);
    const groups = new Set(people.map((p) => `${p.timeZone} ${p.workStart}`)).size;
    expect(enrolled.create.filter((s) => s.job.kind === 'training' && s.job.part === undefined)).toHaveLength(4 * groups);
    // Each training that can be cut into daily bites has a job per part and group, for whoever takes bites.
    const parts = first.trainings.reduce((n, t) => n + biteCount(t), 0);
    expect(parts).toBeGreaterThan(0);
    expect(enrolled.create.filter((s) => s.job.kind === 'training' && s.job.part !== undefined)).toHaveLength(parts * groups);
    expect(enrolled.unchanged).toContain('kickoff');

    const scheduler = new LocalScheduler(stackStore);
    const send = localDispatch({ store: stackStore, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: 'clock-test-secret' });
    // The first training reaches Brunei (08:30, UTC+8) at 00:30Z on 21 January.
    const report = await scheduler.fireDue(new Date('2027-01-21T00:30:00Z'), send);
    expect(report.failed).toEqual([]);
    expect(report.fired).toContain('q1-productivity/kickoff');
    const afterFirst = await sent();
    expect(afterFirst.filter((m) => m.destination.to[0]!.includes('nurul.hakim'))).toHaveLength(2);
    // Everyone's kickoff, and the training for each person whose 21 January workStart has come.
    const started = people.filter((p) => zonedTimeToUtc('2027-01-21', p.workStart, p.timeZone).getTime() <= Date.parse('2027-01-21T00:30:00Z'));
    expect(started.map((p) => p.timeZone).sort()).toEqual(['Asia/Brunei', 'Australia/Perth', 'Australia/Sydney']);
    expect(afterFirst).toHaveLength(people.length + started.length);

    // The same job fired again (its record put back to pending) sends nothing more.
    const kickoff = (await stackStore.listSchedules('q1-productivity')).find((s) => s.name === 'kickoff')!;
    await stackStore.putSchedule('q1-productivity', { ...kickoff, state: 'pending' });
    await scheduler.fireDue(new Date('2027-01-21T00:31:00Z'), send);
    expect(await sent()).toHaveLength(afterFirst.length);

    // Re-publishing the unchanged series: nothing created, nothing that ran is repeated.
    const again = await publishSeries(example, stackStore, new Date('2027-01-21T01:00:00Z'));
    expect(again.schedules.create).toEqual([]);
    expect(again.schedules.alreadyRan).toEqual(expect.arrayContaining(['kickoff']));
    expect(again.changes.trainings.changed).toEqual([]);
    await scheduler.fireDue(new Date('2027-01-21T01:00:00Z'), send);
    expect(await sent()).toHaveLength(afterFirst.length);
    // Three publishes, each compiling every email (daily bites included) with mjml.
  }, 120_000);

  it('moves the schedules of an edited window and drops those of a removed training', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-edit-'));
    try {
      cpSync(example, dir, { recursive: true });
      const last = join(dir, 'trainings', '04-product-launch.md');
      writeFileSync(last, readFileSync(last, 'utf8').replace('opens: 2027-02-28', 'opens: 2027-03-01'));
      rmSync(join(dir, 'trainings', '03-performance-reviews.md'));
      const yaml = join(dir, 'series.yaml');
      writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('of: 4', 'of: 3'));
      const before = await stackStore.listSchedules('q1-productivity');
      const result = await publishSeries(dir, stackStore, new Date('2027-01-21T02:00:00Z'));
      expect(result.changes.trainings.changed.map((c) => [c.after.slug, c.fields])).toEqual([['product-launch', ['opens']]]);
      expect(result.changes.trainings.removed.map((t) => t.slug)).toEqual(['performance-reviews']);
      const after = await stackStore.listSchedules('q1-productivity');
      // Nothing is left of the removed training but the one job that sends its cancellation.
      const aboutRemoved = (s: { job: unknown }) => (s.job as Job).trainingSlug === 'performance-reviews';
      expect(after.filter(aboutRemoved).map((s) => (s.job as Job).kind)).toEqual(['cancel']);
      expect(result.schedules.delete.length).toBe(before.filter(aboutRemoved).length);
      const launch = after.find((s) => (s.job as Job).kind === 'training' && (s.job as Job).part === undefined && (s.job as Job).trainingSlug === 'product-launch' && (s.job as Job).timeZone === 'Asia/Brunei')!;
      expect(launch.at).toBe('2027-03-01T00:30:00.000Z');
      expect(after).toHaveLength(new Set(after.map((s) => s.name)).size);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
