// Issue 12's crash count, shared by its test and `npm run bench crash`: a series of a few hundred
// participants on a real local stack in this process (dynalite, aws-ses-v2-local behind its
// Send-event proxy), and the sending process — crash-child.ts, the real scheduler and send path —
// killed with SIGKILL at random moments during a kickoff, a calendar update (moved window) and a
// cancel (removed training), restarted, and left to finish. Then every recipient's
// emails are counted from aws-ses-v2-local's store, the only record of what SES accepted.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import type { ScheduleRecord } from '#core/schedule-plan';
import type { Participant } from '#core/model';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { publishSeries } from '#cli/publish-series';
import { bundleOptions } from '#infra/bundling';
import { exampleDir } from './example-data.ts';
import type { CrashChildArgs } from './crash-child.ts';

const CHILD = join(import.meta.dirname, 'crash-child.ts');
let bundled: Promise<string> | undefined;

/**
 * The child bundled once with esbuild, its packages too (the AWS SDK clients, zod, ics): a restart
 * then costs node's start, not tsx compiling the import graph again (which kept the test over a
 * minute), nor node resolving and reading the SDK's hundreds of files (a third of each start).
 * Bundled as a Lambda is (infra/bundling.ts): the packages' ES modules, tree-shaken and minified,
 * and what dispatch imports only for some jobs in chunks. A fifth of the size (0.57 MB, not 3.1 MB;
 * the child's own argument schema is zod/mini, as the send path's are), which each of the test's
 * thirteen starts compiles.
 */
function childScript(): Promise<string> {
  bundled ??= (async () => {
    const { build } = await import('esbuild');
    // Built for a directory beside the one it is written to, so the source maps' relative paths hold.
    const cache = join(ROOT, 'node_modules', '.cache', 'baton-crash');
    const { outputFiles } = await build({ ...bundleOptions(CHILD, join(cache, 'crash-child')), write: false });
    // Named by its content: runs of the same sources share one directory instead of leaving one each.
    const hash = createHash('sha256');
    for (const f of outputFiles) hash.update(relative(cache, f.path)).update(f.contents);
    const out = join(cache, `crash-child-${hash.digest('hex').slice(0, 16)}`);
    if (!existsSync(out)) {
      // Written beside and renamed, so a run starting the child meanwhile never reads half of it.
      const partial = `${out}.${process.pid}`;
      for (const f of outputFiles) {
        const to = join(partial, relative(join(cache, 'crash-child'), f.path));
        mkdirSync(dirname(to), { recursive: true });
        writeFileSync(to, f.contents);
      }
      try {
        renameSync(partial, out);
      } catch (error) {
        // Another run wrote the same bundle first.
        rmSync(partial, { recursive: true, force: true });
        if (!existsSync(out)) throw error;
      }
    }
    return join(out, 'index.mjs');
  })();
  return bundled;
}
const ROOT = join(import.meta.dirname, '..', '..');
/**
 * aws-ses-v2-local keeps what it accepted in an array in this process (one per process: every
 * stack started here shares it), the array its GET /store sends as JSON. Read here directly:
 * serializing and parsing a few hundred stored emails took a second each time, and the count is
 * read after every launch. Were this another array than the servers', the count would find every
 * recipient missing.
 */
const sesLocal = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as { getStoreReadonly(): { emails: StoredMail[] } };
export const LEASE_MS = 10 * 60_000;
const MINUTE = 60_000;
const MOVED = 'productive-one-on-ones';
const REMOVED = 'product-launch';
const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Asia/Dubai', 'Asia/Kolkata', 'Asia/Brunei', 'Australia/Sydney'];

/** A seeded PRNG (mulberry32): the same seed kills at the same points of the same plan. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function people(n: number, domain = 'example.com'): Participant[] {
  return Array.from({ length: n }, (_, i) => ({ email: `person${i}@${domain}`, name: `Person ${i}`, timeZone: ZONES[i % ZONES.length]!, workStart: '09:00' }));
}

export interface StoredMail {
  messageId: string;
  destination: { to: string[] };
  subject: string;
}

export interface Tally {
  /** Recipients holding exactly one. */
  exactlyOne: number;
  duplicates: { to: string; count: number }[];
  missing: string[];
  /** Mail to someone not expected at all. */
  unexpected: string[];
}

/** aws-ses-v2-local keeps the To header as written: `"Name" <address>`. */
export const bare = (to: string): string => (/<([^>]+)>/.exec(to)?.[1] ?? to).trim().toLowerCase();

/** How many of `mails` each expected recipient holds. */
export function tally(mails: readonly StoredMail[], expected: readonly string[]): Tally {
  const counts = new Map<string, number>();
  for (const m of mails) {
    for (const to of m.destination.to.map(bare)) counts.set(to, (counts.get(to) ?? 0) + 1);
  }
  const want = new Set(expected);
  return {
    exactlyOne: expected.filter((e) => counts.get(e) === 1).length,
    duplicates: [...counts].filter(([to, n]) => want.has(to) && n > 1).map(([to, count]) => ({ to, count })),
    missing: expected.filter((e) => !counts.has(e)),
    unexpected: [...counts.keys()].filter((to) => !want.has(to)),
  };
}

export interface CrashStack {
  stack: RunningStack;
  store: Store;
  seriesId: string;
  seriesDir: string;
  dataDir: string;
  secret: string;
  recipients: string[];
  sesStore(): Promise<StoredMail[]>;
  /**
   * Runs the sending process once; resolves when it exits on its own or is killed. With `kill`,
   * SIGKILLs it `ms` after SES accepted its `afterAccepts`-th message (0: after its first send began).
   */
  launch(args: Pick<CrashChildArgs, 'now' | 'horizon'> & Partial<CrashChildArgs>, kill?: CrashKill): Promise<{ killed: boolean; lastTick: number; ranMs: number }>;
  /** Leaves exactly these records pending for the series (the plan's own are not part of the test). */
  onlySchedules(records: ScheduleRecord[]): Promise<void>;
  stop(): Promise<void>;
}

export interface CrashKill {
  afterAccepts: number;
  ms: number;
}

export async function startCrashStack(opts: { participants: number; prefix: string; seriesId?: string }): Promise<CrashStack> {
  const dataDir = mkdtempSync(join(tmpdir(), opts.prefix));
  const seriesDir = join(dataDir, 'series');
  cpSync(exampleDir, seriesDir, { recursive: true });
  const seriesId = opts.seriesId ?? 'q1-productivity';
  const yaml = join(seriesDir, 'series.yaml');
  writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^id: .*$/m, `id: ${seriesId}`));
  const stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  const store = createStore({ client, tableName: stack.config.tableName });
  await publishSeries(seriesDir, store, new Date('2026-12-01T00:00:00Z'));
  const list = people(opts.participants, `${seriesId}.example.com`);
  await store.putParticipants(seriesId, list);
  const secret = `crash-secret-${seriesId}`;
  const script = await childScript();
  return {
    stack,
    store,
    seriesId,
    seriesDir,
    dataDir,
    secret,
    recipients: list.map((p) => p.email),
    async sesStore() {
      return [...sesLocal.getStoreReadonly().emails];
    },
    async onlySchedules(records) {
      for (const r of await store.listSchedules(seriesId)) await store.deleteSchedule(seriesId, r.name);
      for (const r of records) await store.putSchedule(seriesId, r);
    },
    launch(args, kill) {
      const full: CrashChildArgs = {
        dynamo: stack.endpoints.dynamo,
        ses: stack.endpoints.ses,
        tableName: stack.config.tableName,
        dataDir,
        secret,
        leaseMs: LEASE_MS,
        ...args,
      };
      const child = spawn(process.execPath, [script, JSON.stringify(full)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let lastTick = args.now;
      let stderr = '';
      let timer: NodeJS.Timeout | undefined;
      let buffered = '';
      let sendingAt: number | undefined;
      let accepts = 0;
      const armAt = (n: number) => {
        if (kill?.afterAccepts === n) timer = setTimeout(() => child.kill('SIGKILL'), kill.ms);
      };
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        buffered += chunk;
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line === 'sending') {
            sendingAt = performance.now();
            armAt(0);
          }
          if (line === 'accepted') armAt(++accepts);
          const tick = /^tick (\d+)$/.exec(line);
          if (tick) lastTick = Number(tick[1]);
        }
      });
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      return new Promise((resolve, reject) => {
        child.on('error', reject);
        child.on('exit', (code, signal) => {
          if (timer) clearTimeout(timer);
          const ranMs = sendingAt === undefined ? 0 : performance.now() - sendingAt;
          if (signal === 'SIGKILL') resolve({ killed: true, lastTick, ranMs });
          else if (code === 0) resolve({ killed: false, lastTick, ranMs });
          else reject(new Error(`the sending process exited with ${code ?? signal}:\n${stderr}`));
        });
      });
    },
    async stop() {
      client.destroy();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface PhaseResult {
  kind: string;
  recipients: number;
  kills: number;
  launches: number;
  tally: Tally;
  /** Deliveries of this kind not recorded as sent with the id SES gave the recipient's message. */
  unrecorded: string[];
}

export interface CrashResult {
  seed: number;
  kills: number;
  recipients: number;
  phases: PhaseResult[];
  runtimeMs: number;
}

function pending(name: string, job: unknown, at: number): ScheduleRecord {
  return { name, job, at: new Date(at).toISOString(), state: 'pending', attempts: 0 };
}

/**
 * Three phases: the kickoff to every participant (the fan-out), then a calendar update (training
 * 1's window moved) and a cancel (training 4 removed) each to a fan-out batch of `batch`
 * participants, as a send-worker gets them. Each is killed `kills[phase]` times at a random moment
 * of its sending (until little is left), then run to the end. The first restart of a phase comes
 * inside the lease (the rerun meets held claims, fails, and retries after the lease), later ones
 * after it (the restart takes the held claims over at once).
 */
export async function runCrashPhases(h: CrashStack, opts: { seed: number; kills: { kickoff: number; update: number; cancel: number }; batch: number; log?: (line: string) => void }): Promise<CrashResult> {
  const started = performance.now();
  const random = seededRandom(opts.seed);
  const log = opts.log ?? (() => {});
  let clock = Date.parse('2026-12-01T01:00:00Z');
  let msPerEmail = 40;
  const phases: PhaseResult[] = [];

  const phase = async (kind: 'kickoff' | 'update' | 'cancel', record: ScheduleRecord, recipients: string[], emailIdPrefix: string) => {
    await h.onlySchedules([{ ...record, at: new Date(clock).toISOString() }]);
    // What SES holds, read after each launch: the count before a launch is the one after the last.
    let stored = await h.sesStore();
    const before = stored.length;
    const expected = recipients.length;
    const killsWanted = opts.kills[kind];
    // Each kill lands within the next `span` emails, so every wanted kill finds sending left to cut:
    // at a random moment of the email after a random number of accepts, with five or more still to
    // send, so a kill never comes after the sending ended (and every wanted one is made).
    const span = Math.max(2, Math.floor(expected / (killsWanted + 2)));
    let kills = 0;
    let launches = 0;
    let now = clock;
    for (;;) {
      const sentSoFar = stored.length - before;
      const remaining = expected - sentSoFar;
      const kill = kills < killsWanted && remaining > 5 ? { afterAccepts: Math.floor(random() * Math.min(remaining - 5, span)), ms: Math.floor(random() * msPerEmail) } : undefined;
      launches++;
      const run = await h.launch({ now, horizon: now + 24 * 60 * MINUTE }, kill);
      stored = await h.sesStore();
      const sentNow = stored.length - before - sentSoFar;
      if (sentNow >= 10) msPerEmail = (msPerEmail + run.ranMs / sentNow) / 2;
      if (!run.killed) break;
      kills++;
      now = run.lastTick + (kills === 1 ? MINUTE : LEASE_MS + MINUTE);
      log(`crash: ${kind}: SIGKILL ${kill?.ms} ms after accept ${kill?.afterAccepts}, ${sentSoFar + sentNow}/${expected} sent; restart ${kills === 1 ? 'inside the lease' : 'after the lease'}`);
    }
    const state = (await h.store.listSchedules(h.seriesId)).find((r) => r.name === record.name);
    if (state?.state !== 'done') throw new Error(`the ${kind} job ended ${state?.state ?? 'missing'}: ${state?.lastError ?? ''}`);
    const mails = stored.slice(before);
    const byTo = new Map(mails.map((m) => [bare(m.destination.to[0]!), m.messageId]));
    const deliveries = (await h.store.listDeliveries(h.seriesId, emailIdPrefix)).filter((d) => recipients.includes(d.emailId.split('#')[2]!));
    const unrecorded = deliveries.filter((d) => d.status !== 'sent' || d.sesMessageId !== byTo.get(d.emailId.split('#')[2]!)).map((d) => d.emailId);
    if (deliveries.length !== expected) unrecorded.push(`${expected - deliveries.length} deliveries missing from the ledger`);
    phases.push({ kind, recipients: expected, kills, launches, tally: tally(mails, recipients), unrecorded });
    clock = now + 24 * 60 * MINUTE;
  };

  const id = h.seriesId;
  await phase('kickoff', pending('crash-kickoff', { kind: 'kickoff', seriesId: id }, clock), h.recipients, 'kickoff#');

  // Re-publish with training 1's window moved and training 4 removed: an update and a cancel.
  const training1 = join(h.seriesDir, 'trainings', '01-productive-one-on-ones.md');
  writeFileSync(training1, readFileSync(training1, 'utf8').replace('closes: 2027-01-31', 'closes: 2027-02-03'));
  rmSync(join(h.seriesDir, 'trainings', '04-product-launch.md'));
  const yaml = join(h.seriesDir, 'series.yaml');
  writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/    of: 4/, '    of: 3'));
  await publishSeries(h.seriesDir, h.store, new Date(clock));
  const changes = (await h.store.listSchedules(id)).filter((r) => r.name.startsWith('update-') || r.name.startsWith('cancel-'));
  const update = changes.find((r) => r.name === `update-${MOVED}-s1`);
  const cancel = changes.find((r) => r.name === `cancel-${REMOVED}-s1`);
  if (!update || !cancel) throw new Error(`re-publishing planned ${changes.map((r) => r.name).join(', ') || 'no change jobs'}, not the update and cancel`);
  const batchOf = (record: ScheduleRecord, from: number) => {
    const recipients = h.recipients.slice(from, from + opts.batch);
    return { record: { ...record, job: { ...(record.job as object), recipients }, state: 'pending' as const, attempts: 0 }, recipients };
  };
  const u = batchOf(update, 0);
  await phase('update', u.record, u.recipients, `update#${MOVED}#`);
  const c = batchOf(cancel, opts.batch);
  await phase('cancel', c.record, c.recipients, `cancel#${REMOVED}#`);

  return {
    seed: opts.seed,
    kills: phases.reduce((n, p) => n + p.kills, 0),
    recipients: h.recipients.length,
    phases,
    runtimeMs: Math.round(performance.now() - started),
  };
}

/** The line the test and the bench print. */
export function describeCrash(r: CrashResult): string {
  const kinds = r.phases.map((p) => `${p.kind} ${p.tally.exactlyOne}/${p.recipients} (${p.kills} kills)`).join(', ');
  const ok = r.phases.every((p) => p.tally.exactlyOne === p.recipients && p.tally.duplicates.length === 0 && p.tally.unexpected.length === 0 && p.unrecorded.length === 0);
  const recipients = r.phases.map((p) => p.recipients).join(' + ');
  return `crash seed ${r.seed}: ${r.kills} SIGKILLs; ${recipients} recipients × kinds: ${ok ? 'each exactly 1' : 'NOT each exactly 1'} — ${kinds}; ${Math.round(r.runtimeMs / 1000)} s`;
}
