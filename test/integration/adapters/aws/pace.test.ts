// The account's one send pace (issue 16): slots taken with conditional writes on one item in
// dynalite, by several containers' stores at once, on a virtual clock; the rate read from SES
// GetAccount (aws-ses-v2-local), the configured rate when SES cannot answer, and again after a
// throttle; bulk senders kept within a horizon so an acknowledgement is never far behind.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocalModule from 'aws-ses-v2-local';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { AccountRate, BULK_HORIZON_MS, bulkHorizon, SharedPace } from '#adapters/aws/pace';
import { createSesClient, SesMailer } from '#adapters/aws/ses';
import { localSesAccount } from '#adapters/local/stack';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

const sesLocal = (sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ?? sesLocalModule;
let db: TestDynalite;
let server: Server;
let sesEndpoint: string;

beforeAll(async () => {
  db = await startDynalite({ tableName: 'baton-pace' });
  db.client.middlewareStack.add(
    (next) => async (args) => {
      inflight.n++;
      try {
        return await next(args);
      } finally {
        inflight.n--;
      }
    },
    { step: 'initialize', name: 'testInflight' },
  );
  // aws-ses-v2-local answers GetAccount from this variable; set for this file only (afterAll).
  vi.stubEnv('AWS_SES_ACCOUNT', JSON.stringify(localSesAccount(7)));
  server = await sesLocal({ host: '127.0.0.1', port: 0 });
  sesEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await db.stop();
  // The library's store and GetAccount variable are process-wide: left clean for the next file.
  await fetch(`${sesEndpoint}/clear-store`, { method: 'POST' });
  await new Promise<void>((r) => server.close(() => r()));
  vi.unstubAllEnvs();
});

/**
 * A virtual clock for many waiters: sleeping parks until `run` reaches the wake time. The clock
 * moves only when nothing is on its way to dynalite (counted on the client every store copies),
 * so DynamoDB costs no virtual time and a slow machine cannot make a sleeper miss its turn.
 */
function virtualClock(start = 1_800_000_000_000) {
  let t = start;
  const parked: { at: number; seq: number; wake: () => void }[] = [];
  let seq = 0;
  const quiet = async () => {
    for (let calm = 0; calm < 2; ) {
      await new Promise((r) => setImmediate(r));
      calm = inflight.n === 0 ? calm + 1 : 0;
    }
  };
  return {
    now: () => t,
    sleep: (ms: number) => new Promise<void>((wake) => parked.push({ at: t + Math.max(0, ms), seq: seq++, wake })),
    /** Wakes sleepers in time order until `until` (or until none is left), each running until it parks or ends. */
    async run(until = Infinity) {
      for (;;) {
        await quiet();
        parked.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const next = parked[0];
        if (!next || next.at > until) break;
        parked.shift();
        t = Math.max(t, next.at);
        next.wake();
      }
      if (until !== Infinity) t = Math.max(t, until);
    },
  };
}

const inflight = { n: 0 };

const maxInAnySecond = (times: number[]) => Math.max(...times.map((s) => times.filter((x) => x >= s && x < s + 1000).length));

describe('the shared send pace (DynamoDB)', () => {
  let pace = 0;
  const fresh = () => `test-${++pace}`;
  const stores = (n: number): Store[] => Array.from({ length: n }, () => createStore({ client: db.client, tableName: db.tableName }));

  it('hands slots one interval apart to concurrent takers in different containers, none twice', async () => {
    const name = fresh();
    const [a, b, c] = stores(3);
    const now = 1_800_000_000_000;
    const taken = await Promise.all([a!, b!, c!, a!, b!, c!, a!, b!, c!, a!].map((s) => s.reserveSendSlot(name, { now, intervalMs: 100, limit: now + 60_000 })));
    const at = taken.map((t) => ('at' in t ? t.at : NaN)).sort((x, y) => x - y);
    expect(at).toEqual(Array.from({ length: 10 }, (_, i) => now + i * 100));
  });

  it('restarts at now after an idle spell rather than letting a burst catch up', async () => {
    const [s] = stores(1);
    const name = fresh();
    const now = 1_800_000_000_000;
    expect(await s!.reserveSendSlot(name, { now, intervalMs: 100, limit: now + 1000 })).toEqual({ at: now });
    // An hour later the pace is far behind now: the next start is now, the one after one interval on.
    const later = now + 3_600_000;
    expect(await s!.reserveSendSlot(name, { now: later, intervalMs: 100, limit: later + 1000 })).toEqual({ at: later });
    expect(await s!.reserveSendSlot(name, { now: later, intervalMs: 100, limit: later + 1000 })).toEqual({ at: later + 100 });
  });

  it('refuses a slot at or past the caller’s limit without taking it, and says until when it is full', async () => {
    const [s] = stores(1);
    const name = fresh();
    const now = 1_800_000_000_000;
    for (let i = 0; i < 3; i++) await s!.reserveSendSlot(name, { now, intervalMs: 100, limit: now + 300 });
    expect(await s!.reserveSendSlot(name, { now, intervalMs: 100, limit: now + 300 })).toEqual({ fullUntil: now + 300 });
    // Nothing was taken by the refusal: a taker with room gets exactly the next slot.
    expect(await s!.reserveSendSlot(name, { now, intervalMs: 100, limit: now + 10_000 })).toEqual({ at: now + 300 });
  });

  it('keeps every sliding second at the rate across senders, and lets an acknowledgement past a bulk backlog', async () => {
    const clock = virtualClock();
    const name = fresh();
    const rate = { get: async () => 10, stale: () => {} } as unknown as AccountRate;
    const paces = stores(2).map((slots) => new SharedPace({ slots, rate, now: clock.now, sleep: clock.sleep, name, headroom: 1 }));
    const starts: { at: number; who: string }[] = [];
    // Two containers, 8 bulk sends in flight each, 40 sends each.
    const bulk = paces.map((p, w) =>
      (async () => {
        const lanes = Array.from({ length: 8 }, async (_, lane) => {
          for (let i = lane; i < 40; i += 8) {
            await p.take('bulk');
            starts.push({ at: clock.now(), who: `bulk${w}` });
          }
        });
        await Promise.all(lanes);
      })(),
    );
    await clock.run(clock.now() + 2000);
    // The backlog is 80 sends (8 s); an acknowledgement taken now starts within the bulk horizon.
    const askedAt = clock.now();
    const ack = paces[0]!.take('priority').then(() => starts.push({ at: clock.now(), who: 'ack' }));
    await clock.run();
    await Promise.all([...bulk, ack]);
    const times = starts.map((s) => s.at);
    expect(starts.filter((s) => s.who !== 'ack')).toHaveLength(80);
    expect(maxInAnySecond(times)).toBe(10);
    const sorted = [...times].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(100 - 1e-6);
    const ackAt = starts.find((s) => s.who === 'ack')!.at;
    expect(ackAt - askedAt).toBeLessThanOrEqual(BULK_HORIZON_MS + 100);
    // Neither container is starved while both have a backlog (a slot goes to whoever asks; no
    // round robin): each gets at least a fifth of the first 50.
    const bulk0 = starts.slice(0, 50).filter((s) => s.who === 'bulk0').length;
    expect(bulk0).toBeGreaterThanOrEqual(10);
    expect(bulk0).toBeLessThanOrEqual(40);
  });

  it('refuses no bulk taker when the horizon holds every bulk send in flight, and still keeps the rate', async () => {
    // Two containers × 8 sends in flight at 10/s: a one-second horizon holds 10 slots for 16
    // takers, so 6 keep being refused; sized for the takers (1.7 s) none is.
    const run = async (bulkTakers: number | undefined) => {
      const clock = virtualClock();
      const name = fresh();
      const rate = { get: async () => 10, stale: () => {} } as unknown as AccountRate;
      let refused = 0;
      const counting = (slots: Store) => ({
        reserveSendSlot: async (...args: Parameters<Store['reserveSendSlot']>) => {
          const answer = await slots.reserveSendSlot(...args);
          if ('fullUntil' in answer) refused++;
          return answer;
        },
      });
      const paces = stores(2).map((slots) => new SharedPace({ slots: counting(slots), rate, now: clock.now, sleep: clock.sleep, name, headroom: 1, ...(bulkTakers ? { bulkTakers } : {}) }));
      const starts: number[] = [];
      const lanes = paces.flatMap((p) =>
        Array.from({ length: 8 }, async () => {
          for (let i = 0; i < 5; i++) {
            await p.take('bulk');
            starts.push(clock.now());
          }
        }),
      );
      await clock.run();
      await Promise.all(lanes);
      return { refused, starts };
    };
    expect(bulkHorizon(100, 16)).toBe(1700);
    const sized = await run(16);
    expect(sized.starts).toHaveLength(80);
    expect(sized.refused).toBe(0);
    expect(maxInAnySecond(sized.starts)).toBe(10);
    const short = await run(undefined);
    expect(short.starts).toHaveLength(80);
    expect(short.refused).toBeGreaterThan(0);
    expect(maxInAnySecond(short.starts)).toBe(10);
  });
});

describe('the account rate', () => {
  it('is read from SES GetAccount, kept for ten minutes, and read again after a throttle', async () => {
    let calls = 0;
    const client = createSesClient({ endpoint: sesEndpoint });
    const counting = { send: (command: Parameters<SESv2Client['send']>[0]) => (calls++, client.send(command)) } as unknown as SESv2Client;
    let t = 0;
    const rate = new AccountRate({ client: counting, fallback: 1, now: () => t });
    expect(await rate.get()).toBe(7);
    t = 599_000;
    expect(await rate.get()).toBe(7);
    expect(calls).toBe(1);
    t = 600_000;
    await rate.get();
    expect(calls).toBe(2);
    rate.stale();
    await rate.get();
    expect(calls).toBe(3);
  });

  it('falls back to the configured rate when SES cannot answer, and says so', async () => {
    const failures: unknown[] = [];
    const nowhere = createSesClient({ endpoint: 'http://127.0.0.1:9' });
    const rate = new AccountRate({ client: nowhere, fallback: 14, now: () => 0, onFallback: (e) => failures.push(e) });
    expect(await rate.get()).toBe(14);
    expect(failures).toHaveLength(1);
  });

  it('is what a paced mailer sends at: a throttle makes the gate read the rate again before the retry', async () => {
    const clock = virtualClock();
    const [slots] = [createStore({ client: db.client, tableName: db.tableName })];
    let reads = 0;
    const rate = new AccountRate({ client: { send: async () => (++reads, { SendQuota: { MaxSendRate: 5 } }) } as unknown as SESv2Client, fallback: 1, now: clock.now });
    const gate = new SharedPace({ slots, rate, now: clock.now, sleep: clock.sleep, name: 'test-mailer' });
    let sends = 0;
    const throttle = Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
    const ses = { send: async () => (++sends === 1 ? Promise.reject(throttle) : { MessageId: `m${sends}` }) } as unknown as SESv2Client;
    const mailer = new SesMailer({ client: ses, gate, now: clock.now, sleep: clock.sleep });
    const sent = mailer.send({ from: 'a@example.com', to: 'b@example.com', raw: 'Subject: x\r\n\r\nx\r\n' });
    await clock.run();
    expect(await sent).toBe('m2');
    expect(reads).toBe(2);
  });
});
