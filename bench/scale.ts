// Issue 16's load simulation: the real dispatch and send-worker handlers (their own wiring from
// the environment, functions/handlers/*FromEnv) against dynalite, with SES, SQS + its Lambda event
// source, EventBridge Scheduler and Secrets Manager in memory (bench/scale-sim.ts) on a simulated
// clock. A series of N participants in 30 time zones × 3 work starts (90 schedule groups) is
// published through the real publish; all 90 training schedules of its first training fire
// within one minute; then the series is re-published with the second training moved, and the
// update goes to everyone holding its calendar (everyone: the kickoff went to all).
// Measured per size: share of the SES quota achieved, the busiest one-second window of SES
// calls, throttles, duplicates, lost emails, simulated wall time, DynamoDB requests per
// recipient (by operation) and items read per recipient: all of them, participant records alone
// (and per group fire), and the schedule-group pointers the fires read. The last line says whether
// participant items read per recipient stay flat from the smaller size to the larger. Standalone: `npx tsx bench/scale.ts [participants…]`.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createStore } from '#adapters/aws/dynamo';
import { countRequests } from '#adapters/aws/dynamo/client';
import { EventBridgeSchedules } from '#adapters/aws/scheduler';
import type { AwsIo } from '#adapters/aws/sending';
import { emailId } from '#mail/compose';
import type { Participant } from '#core/model';
import { publishSeries } from '#cli/publish-series';
import { dispatchFromEnv } from '#handlers/dispatch';
import { sendWorkerFromEnv, type BatchResponse } from '#handlers/send-worker';
import { FANOUT_BATCH_SIZE, SEND_WORKER_CONCURRENCY } from '#contract/names';
import { FANOUT_MAX_RECEIVES, FANOUT_VISIBILITY_TIMEOUT, SEND_WORKER_BATCH } from '#infra/service-stack';
import { startDynalite } from '#test/support/dynalite';
import { exampleDir } from '#test/support/example-data';
import { countingObservability, FakeQueue, FakeScheduler, FakeSes, fakeSecrets, LambdaFn, maxInWindow, SimClock } from './scale-sim.ts';

/** 30 zones, whole and half hours, both hemispheres. */
export const ZONES = [
  'Pacific/Honolulu', 'America/Anchorage', 'America/Los_Angeles', 'America/Denver', 'America/Chicago', 'America/New_York',
  'America/Halifax', 'America/Sao_Paulo', 'America/St_Johns', 'Atlantic/Azores', 'Europe/London', 'Europe/Berlin',
  'Europe/Helsinki', 'Africa/Nairobi', 'Asia/Tehran', 'Asia/Dubai', 'Asia/Kabul', 'Asia/Karachi', 'Asia/Kolkata',
  'Asia/Kathmandu', 'Asia/Dhaka', 'Asia/Bangkok', 'Asia/Singapore', 'Asia/Tokyo', 'Australia/Adelaide', 'Australia/Sydney',
  'Pacific/Noumea', 'Pacific/Auckland', 'Africa/Lagos', 'America/Bogota',
];
const STARTS = ['08:00', '09:00', '10:00'];
const QUOTA = 14;
const SERIES = 'q1-productivity';
const FIRST = 'productive-one-on-ones';
const MOVED = 'company-communications';
/** SES answers a SendEmail in 40–90 ms. */
const latency = (n: number) => 40 + ((n * 7919) % 51);

export function scaleParticipants(n: number): Participant[] {
  return Array.from({ length: n }, (_, i) => ({
    email: `p${i}@scale.example.com`,
    name: `Person ${i}`,
    timeZone: ZONES[i % ZONES.length]!,
    workStart: STARTS[Math.floor(i / ZONES.length) % STARTS.length]!,
  }));
}

interface Phase {
  recipients: number;
  sesCalls: number;
  accepted: number;
  throttled: number;
  maxWindow: number;
  achieved: number;
  duplicates: number;
  lost: number;
  wallMs: number;
  dynamo: {
    requests: number;
    perRecipient: number;
    itemsRead: number;
    itemsReadPerRecipient: number;
    /** Participant records read (itemType participant), per recipient and per schedule that fired. */
    participantItemsRead: number;
    participantItemsReadPerRecipient: number;
    participantItemsReadPerFire: number;
    /** Schedule-group pointers read (itemType group-member): the group fires' own reads. */
    groupPointersReadPerRecipient: number;
    itemsReadByType: Record<string, number>;
    byOperation: Record<string, number>;
  };
  /** Schedules that fired in the phase (90 group fires for the training, one for the update). */
  fires: number;
  longestInvocationMs: { dispatch: number; sendWorker: number };
  dispatchFailures: number;
  deadLetters: number;
  containers: { dispatch: number; sendWorker: number };
}

export async function runScale(n: number): Promise<{ participants: number; groups: number; training: Phase; update: Phase; metrics: Record<string, number> }> {
  const db = await startDynalite({ tableName: 'baton-scale' });
  const dir = mkdtempSync(join(tmpdir(), 'baton-scale-'));
  try {
    const seriesDir = join(dir, 'series');
    cpSync(exampleDir, seriesDir, { recursive: true });
    rmSync(join(seriesDir, 'participants.csv'), { force: true });
    const people = scaleParticipants(n);
    const admin = createStore({ client: db.client, tableName: db.tableName });
    const scheduler = new FakeScheduler();
    const targets = { targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:dispatch', roleArn: 'arn:aws:iam::123456789012:role/scheduler', dlqArn: 'arn:aws:sqs:eu-west-1:123456789012:SchedulerDeadLetters' };

    // Publish at the planner's time, then place the clock at the first training's first send.
    const publishedAt = new Date('2027-01-10T00:00:00Z');
    let publishNow = publishedAt;
    const remote = { apply: (seriesId: string, diff: Parameters<EventBridgeSchedules['apply']>[1]) => new EventBridgeSchedules(scheduler.client as never, () => publishNow).apply(seriesId, diff, targets) };
    await new EventBridgeSchedules(scheduler.client as never).ensureGroup(SERIES);
    await publishSeries(seriesDir, admin, publishedAt, { remote, participants: people });
    // Everyone had the kickoff (its calendar window): the update below goes to all of them.
    await admin.importDeliveries(
      SERIES,
      people.map((p) => ({ emailId: emailId('kickoff', undefined, p.email), status: 'sent' as const, attempts: 1, claimedAt: publishedAt.toISOString(), sentAt: publishedAt.toISOString(), sesMessageId: `seed-${p.email}` })),
    );
    const trainingJobs = [...scheduler.schedules.values()].map((s) => JSON.parse(s.input) as { kind: string; trainingSlug?: string; part?: number }).filter((j) => j.kind === 'training' && j.trainingSlug === FIRST && j.part === undefined);

    const clock = new SimClock(Date.parse('2027-01-17T12:00:00Z'));
    // What the store counts in production (by operation, items read by type), on the bench's client.
    const requests = countRequests(db.client.middlewareStack, undefined, 'benchCountRequests');
    clock.watch(db.client);
    const ses = new FakeSes(clock, QUOTA, latency);
    const queue = new FakeQueue(clock, {
      visibilityMs: FANOUT_VISIBILITY_TIMEOUT.toMilliseconds(),
      maxReceives: FANOUT_MAX_RECEIVES,
      batchSize: SEND_WORKER_BATCH,
      maxConcurrency: SEND_WORKER_CONCURRENCY,
      pollMs: 100,
    });
    const io: AwsIo = { dynamo: db.client, ses: ses as never, sqs: queue.client as never, secrets: fakeSecrets('scale-secret-0123456789abcdef') as never, now: clock.now, sleep: clock.sleep };
    const env = {
      TABLE_NAME: db.tableName,
      AWS_REGION: 'eu-west-1',
      REPLY_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:baton-token',
      BATON_DOMAIN: 'baton.example.com',
      BATON_INBOUND_DOMAIN: 'reply.baton.example.com',
      BATON_SENDER: 'training@baton.example.com',
      BATON_LINKS_BASE_URL: 'https://links.baton.example.com',
      BATON_MAX_SEND_RATE: String(QUOTA),
      BATON_CONFIGURATION_SET: 'baton',
      BATON_FANOUT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/FanOut',
      BATON_FANOUT_BATCH_SIZE: String(FANOUT_BATCH_SIZE),
    };
    const metrics: Record<string, number> = {};
    const dispatchFn = new LambdaFn(clock, () => dispatchFromEnv(env, io, countingObservability('dispatch', metrics)));
    const workerFn = new LambdaFn<BatchResponse>(clock, () => sendWorkerFromEnv(env, io, countingObservability('send-worker', metrics)));

    // The scheduler invokes dispatch asynchronously: Lambda retries a failed invocation twice
    // (about 1 and 2 minutes later), then it goes to the on-failure destination.
    let pendingDispatch = 0;
    let dispatchFailures = 0;
    const failed: unknown[] = [];
    /** A schedule that will fire at `at`: pending from now, so a phase waits for it. */
    let fires = 0;
    const fireAt = (at: number, job: unknown) => {
      pendingDispatch++;
      fires++;
      clock.at(at, () => fire(job));
    };
    const fire = (job: unknown) => {
      void (async () => {
        for (let attempt = 0; ; attempt++) {
          try {
            await dispatchFn.invoke(job);
            break;
          } catch {
            dispatchFailures++;
            if (attempt === 2) {
              failed.push(job);
              break;
            }
            await clock.sleep(attempt === 0 ? 60_000 : 120_000);
          }
        }
        pendingDispatch--;
      })();
    };
    void queue.poll((event) => workerFn.invoke(event));
    if (process.env.SCALE_TRACE) {
      const trace = () => {
        process.stderr.write(`  [${new Date(clock.now()).toISOString().slice(11, 19)}] ses ${ses.accepted.length} ok, ${ses.throttled} throttled; queue ${queue.messages.length}, workers ${queue.running}, dispatch ${dispatchFn.running}; dynamo ${JSON.stringify(requests.byOperation)}\n`);
        clock.at(clock.now() + 30_000, trace);
      };
      trace();
    }

    const phase = async (start: () => void | Promise<void>, expected: (p: Participant) => string): Promise<Phase> => {
      const before = { calls: ses.attempts.length, accepted: ses.accepted.length, throttled: ses.throttled, ops: { ...requests.byOperation }, items: requests.itemsRead, types: { ...requests.itemsReadByType }, dlq: queue.deadLetters.length, df: dispatchFailures, fires };
      dispatchFn.longestMs = 0;
      workerFn.longestMs = 0;
      const t0 = clock.now();
      await start();
      await clock.run(() => pendingDispatch === 0 && queue.idle, t0 + 6 * 3_600_000);
      const calls = ses.attempts.slice(before.calls);
      const accepted = ses.accepted.slice(before.accepted);
      const want = new Set(people.map(expected));
      const counts = new Map<string, number>();
      for (const a of accepted) counts.set(a.emailId, (counts.get(a.emailId) ?? 0) + 1);
      const duplicates = [...counts.values()].filter((c) => c > 1).reduce((s, c) => s + c - 1, 0);
      const lost = [...want].filter((id) => !counts.has(id)).length;
      const first = calls[0] ?? t0;
      const last = accepted.at(-1)?.at ?? first;
      const busySeconds = Math.max(1, (last - first) / 1000 + 1 / QUOTA);
      const byOperation: Record<string, number> = Object.fromEntries(
        Object.entries(requests.byOperation).map(([op, c]): [string, number] => [op, c - (before.ops[op] ?? 0)]).filter(([, c]) => c > 0),
      );
      const total = Object.values(byOperation).reduce((s, c) => s + c, 0);
      const items = requests.itemsRead - before.items;
      const itemsReadByType: Record<string, number> = Object.fromEntries(
        Object.entries(requests.itemsReadByType).map(([t, c]): [string, number] => [t, c - (before.types[t] ?? 0)]).filter(([, c]) => c > 0),
      );
      const participantItems = itemsReadByType.participant ?? 0;
      const fired = fires - before.fires;
      return {
        recipients: want.size,
        sesCalls: calls.length,
        accepted: accepted.length,
        throttled: ses.throttled - before.throttled,
        maxWindow: maxInWindow(calls),
        achieved: Math.round((accepted.length / (QUOTA * busySeconds)) * 1000) / 1000,
        duplicates,
        lost,
        wallMs: Math.round(clock.now() - t0),
        dynamo: {
          requests: total,
          perRecipient: round2(total / want.size),
          itemsRead: items,
          itemsReadPerRecipient: round2(items / want.size),
          participantItemsRead: participantItems,
          participantItemsReadPerRecipient: round2(participantItems / want.size),
          participantItemsReadPerFire: Math.round(participantItems / Math.max(1, fired)),
          groupPointersReadPerRecipient: round2((itemsReadByType['group-member'] ?? 0) / want.size),
          itemsReadByType,
          byOperation,
        },
        fires: fired,
        longestInvocationMs: { dispatch: Math.round(dispatchFn.longestMs), sendWorker: Math.round(workerFn.longestMs) },
        dispatchFailures: dispatchFailures - before.df,
        deadLetters: queue.deadLetters.length - before.dlq,
        containers: { dispatch: dispatchFn.containers, sendWorker: workerFn.containers },
      };
    };

    // 90 groups' training schedules fire within the same minute.
    const training = await phase(() => {
      if (trainingJobs.length !== 90) throw new Error(`the plan has ${trainingJobs.length} training schedules for "${FIRST}", expected 90`);
      trainingJobs.forEach((job, i) => fireAt(clock.now() + Math.floor((i * 60_000) / trainingJobs.length), job));
    }, (p) => emailId('training', FIRST, p.email));

    // Re-publish with the second training moved a day: its update job goes to every holder.
    const file = join(seriesDir, 'trainings', '02-company-communications.md');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/^opens: (\S+)$/m, (_, d: string) => `opens: ${shiftDay(d)}`).replace(/^closes: (\S+)$/m, (_, d: string) => `closes: ${shiftDay(d)}`));
    const update = await phase(async () => {
      publishNow = new Date(clock.now());
      await publishSeries(seriesDir, admin, publishNow, { remote });
      const jobs = [...scheduler.schedules.values()].filter((s) => JSON.parse(s.input).kind === 'update');
      if (jobs.length !== 1) throw new Error(`re-publishing planned ${jobs.length} update jobs, expected 1`);
      const at = Date.parse(`${/^at\((.*)\)$/.exec(jobs[0]!.expression)![1]}Z`);
      fireAt(at, JSON.parse(jobs[0]!.input));
    }, (p) => emailId('update', MOVED, p.email, 's1'));

    queue.stop();
    return { participants: n, groups: new Set(people.map((p) => `${p.timeZone} ${p.workStart}`)).size, training, update, metrics };
  } finally {
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const shiftDay = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export async function benchScale(sizes: number[] = (process.env.SCALE_SIZES ?? '1000,10000').split(',').map(Number)) {
  const runs: (Awaited<ReturnType<typeof runScale>> & { realMs: number })[] = [];
  for (const n of sizes) {
    const started = performance.now();
    const r = await runScale(n);
    runs.push({ ...r, realMs: Math.round(performance.now() - started) });
    process.stderr.write(`\n  ${n}: training ${JSON.stringify(r.training)}\n  update ${JSON.stringify(r.update)}\n`);
  }
  const small = runs[0]!;
  const big = runs.at(-1)!;
  const both = (r: (typeof runs)[number]) => [r.training, r.update];
  const achieved = Math.min(...both(big).map((p) => p.achieved));
  const maxWindow = Math.max(...runs.flatMap(both).map((p) => p.maxWindow));
  const duplicates = runs.flatMap(both).reduce((s, p) => s + p.duplicates, 0);
  const lost = runs.flatMap(both).reduce((s, p) => s + p.lost, 0);
  const growth = {
    from: small.participants,
    to: big.participants,
    trainingWall: round2(big.training.wallMs / small.training.wallMs),
    updateWall: round2(big.update.wallMs / small.update.wallMs),
    trainingRequestsPerRecipient: [small.training.dynamo.perRecipient, big.training.dynamo.perRecipient],
    updateRequestsPerRecipient: [small.update.dynamo.perRecipient, big.update.dynamo.perRecipient],
    trainingItemsReadPerRecipient: [small.training.dynamo.itemsReadPerRecipient, big.training.dynamo.itemsReadPerRecipient],
    updateItemsReadPerRecipient: [small.update.dynamo.itemsReadPerRecipient, big.update.dynamo.itemsReadPerRecipient],
    trainingParticipantItemsReadPerRecipient: [small.training.dynamo.participantItemsReadPerRecipient, big.training.dynamo.participantItemsReadPerRecipient],
    updateParticipantItemsReadPerRecipient: [small.update.dynamo.participantItemsReadPerRecipient, big.update.dynamo.participantItemsReadPerRecipient],
    trainingParticipantItemsReadPerGroupFire: [small.training.dynamo.participantItemsReadPerFire, big.training.dynamo.participantItemsReadPerFire],
  };
  const perRecipient = (a: number[]) => a.map((x) => x.toFixed(2)).join(' → ');
  const line =
    `scale: ${big.participants} participants, quota ${QUOTA}/s, achieved ${achieved.toFixed(2)} of quota, max 1-s window ${maxWindow}, ` +
    `duplicates ${duplicates}, lost ${lost}, update wall ${Math.round(big.update.wallMs / 60_000)} min (simulated), ` +
    `participant items read per recipient ${perRecipient(growth.trainingParticipantItemsReadPerRecipient)} (training) / ${perRecipient(growth.updateParticipantItemsReadPerRecipient)} (update), ` +
    `requests per recipient ${perRecipient(growth.trainingRequestsPerRecipient)} / ${perRecipient(growth.updateRequestsPerRecipient)} (${small.participants} → ${big.participants})`;
  process.stderr.write(`${line}\n`);
  const perRecipientFlat = (a: number[]) => a[1]! <= a[0]! * 1.1;
  return {
    line,
    quota: QUOTA,
    achieved,
    maxWindow,
    duplicates,
    lost,
    growth,
    runs,
    met:
      achieved >= 0.95 && maxWindow <= QUOTA && duplicates === 0 && lost === 0 &&
      perRecipientFlat(growth.trainingRequestsPerRecipient) && perRecipientFlat(growth.updateRequestsPerRecipient) &&
      perRecipientFlat(growth.trainingParticipantItemsReadPerRecipient) && perRecipientFlat(growth.updateParticipantItemsReadPerRecipient) &&
      perRecipientFlat(growth.trainingItemsReadPerRecipient) && perRecipientFlat(growth.updateItemsReadPerRecipient),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sizes = process.argv.slice(2).map(Number);
  const result = await benchScale(sizes.length ? sizes : undefined);
  console.log(JSON.stringify(result, null, 2));
  console.log(result.line);
}
