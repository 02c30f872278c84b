// Issue 3's benchmark: how many personalised training emails one core builds per second (fill +
// tokens + calendar + MIME, the real code path of a send), against the same with MJML compiled per
// recipient, and their ratio. Also each Lambda bundle's size.
// Standalone: `npx tsx bench/send.ts` prints the JSON result.
import { pathToFileURL } from 'node:url';
import { basename, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Participant } from '#core/model';
import { prepareTrainingSend, type MailSettings } from '#mail/compose';
import { compileTraining, forgetCompiled } from '#emails/compile';
import { loadSeries } from '#cli/series-dir';
import { BUNDLE_BUDGET_BYTES, bundleOptions, HANDLERS_DIR, PROJECT_ROOT, PUBLISH_BUNDLE_EXTERNALS } from '#infra/baton-function';

const ZONES = ['America/Los_Angeles', 'America/New_York', 'Europe/London', 'Europe/Berlin', 'Africa/Accra', 'Asia/Dubai', 'Asia/Brunei', 'Asia/Bangkok', 'Australia/Sydney', 'Australia/Perth', 'Asia/Kolkata'];
const STARTS = ['07:30', '08:00', '08:30', '09:00', '09:30', '10:00'];

export function syntheticParticipants(n: number): Participant[] {
  return Array.from({ length: n }, (_, i) => ({
    email: `person${i}@example.com`,
    name: `Person ${i} Example`,
    timeZone: ZONES[i % ZONES.length]!,
    workStart: STARTS[i % STARTS.length]!,
  }));
}

const settings: MailSettings = {
  domain: 'baton.example.com',
  inboundDomain: 'reply.baton.example.com',
  senderAddress: 'training@baton.example.com',
  linksBaseUrl: 'https://links.baton.example.com',
  secrets: 'bench-secret-0123456789abcdef',
};

// Each timed block starts from a collected heap, so neither way pays for the other's garbage
// (MJML leaves megabytes of it per recipient).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function timed<T>(fn: () => T): { value: T; wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = fn();
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { value, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

async function timedAsync<T>(fn: () => Promise<T>): Promise<{ value: T; wallMs: number; cpuMs: number }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { value, wallMs, cpuMs: (used.user + used.system) / 1000 };
}

export async function benchSend(opts: { recipients?: number; mjmlRecipients?: number } = {}) {
  const recipients = opts.recipients ?? 10_000;
  const mjmlRecipients = opts.mjmlRecipients ?? 40;
  const { series, trainings } = await loadSeries(join(PROJECT_ROOT, 'examples', 'q1-productivity'));
  const training = trainings[0]!;
  const people = syntheticParticipants(recipients);
  const now = new Date('2027-01-20T00:00:00Z');

  // Publish time: MJML once.
  const template = await compileTraining(series, training, trainings);
  const compose = prepareTrainingSend({ series, training, trainings, template, settings, now });
  compose(people[0]!); // warm-up: JIT and per-zone caches, as on a warm Lambda
  forgetCompiled();
  await compileTraining(series, training, trainings);

  // The two ways run interleaved in rounds, so both see the same machine: these machines are
  // shared, and a ratio of two numbers measured minutes apart would measure the neighbours.
  const rounds = 10;
  const perRound = Math.ceil(recipients / rounds);
  const slowPerRound = Math.max(1, Math.ceil(mjmlRecipients / rounds));
  let bytes = 0;
  const fast = { wallMs: 0, cpuMs: 0, n: 0 };
  const slow = { wallMs: 0, cpuMs: 0, n: 0 };
  for (let r = 0; r < rounds; r++) {
    const batch = people.slice(r * perRound, (r + 1) * perRound);
    collect();
    const f = timed(() => {
      for (const p of batch) bytes += compose(p).raw.length;
    });
    fast.wallMs += f.wallMs;
    fast.cpuMs += f.cpuMs;
    fast.n += batch.length;
    // The naive way: MJML compiled for every recipient, then the same fill, calendar and MIME.
    const sBatch = people.slice(r * slowPerRound, (r + 1) * slowPerRound);
    collect();
    const sl = await timedAsync(async () => {
      for (const p of sBatch) {
        forgetCompiled(); // each recipient's compile is a first one, as it would be without the memo
        const perRecipient = await compileTraining(series, training, trainings);
        prepareTrainingSend({ series, training, trainings, template: perRecipient, settings, now })(p);
      }
    });
    slow.wallMs += sl.wallMs;
    slow.cpuMs += sl.cpuMs;
    slow.n += sBatch.length;
  }

  const perSecond = (n: number, ms: number) => Math.round((n / ms) * 1000);
  const fastRate = perSecond(fast.n, fast.wallMs);
  const slowRate = perSecond(slow.n, slow.wallMs);
  return {
    recipients,
    emailsPerSecond: fastRate,
    emailsPerCpuSecond: perSecond(fast.n, fast.cpuMs),
    averageMessageBytes: Math.round(bytes / fast.n),
    mjmlPerRecipient: { recipients: slow.n, emailsPerSecond: slowRate, emailsPerCpuSecond: perSecond(slow.n, slow.cpuMs) },
    speedup: Math.round((fastRate / slowRate) * 10) / 10,
    goals: { emailsPerSecond: 2000, speedup: 50 },
    met: fastRate >= 2000 && fastRate / slowRate >= 50,
  };
}

/** What one Lambda bundle weighs: the code its import loads, and all the code it ships. */
export interface BundleSize {
  /** index.mjs and the chunks it imports statically: what a cold start compiles. */
  importBytes: number;
  /** Every chunk (those behind `import()` load only on the paths that use them); the budget is on this. */
  shippedBytes: number;
  chunks: number;
}

/**
 * Builds a handler exactly as a BatonFunction's asset is built (bundleOptions in
 * infra/bundling.ts: index.mjs, its chunks and the catalogue files in `outdir`), so the sizes
 * here are the sizes deployed and the bundles bench/cold-start.ts loads.
 */
export async function buildBundle(entry: string, outdir: string, write = true, extraPlugins: readonly Plugin[] = []): Promise<BundleSize> {
  const externals = basename(entry) === 'publish.ts' ? PUBLISH_BUNDLE_EXTERNALS : [];
  const options = bundleOptions(entry, outdir, externals);
  const result = await build({ ...options, plugins: [...extraPlugins, ...(options.plugins ?? [])], metafile: true, write, logLevel: 'silent' });
  const outputs = result.metafile.outputs;
  const code = Object.keys(outputs).filter((f) => f.endsWith('.mjs'));
  // Every chunk behind an `import()` is an entry point too: the function's is index.mjs.
  const index = code.find((f) => /(^|\/)index\.mjs$/.test(f));
  if (!index) throw new Error(`esbuild produced no index.mjs for ${entry}`);
  const loaded = new Set<string>();
  const visit = (f: string) => {
    if (loaded.has(f)) return;
    loaded.add(f);
    for (const i of outputs[f]!.imports) if (i.kind === 'import-statement' && !i.external) visit(i.path);
  };
  visit(index);
  const sum = (files: Iterable<string>) => [...files].reduce((n, f) => n + outputs[f]!.bytes, 0);
  return { importBytes: sum(loaded), shippedBytes: sum(code), chunks: code.length };
}

/** Each Lambda entry bundled as the stack bundles it, in bytes of code (the maps are not loaded), against its budget. */
export async function benchBundles() {
  const out: Record<string, BundleSize & { budgetBytes: number; withinBudget: boolean }> = {};
  for (const file of readdirSync(HANDLERS_DIR).filter((f) => f.endsWith('.ts')).sort()) {
    const name = file.replace(/\.ts$/, '');
    const size = await buildBundle(join(HANDLERS_DIR, file), join(PROJECT_ROOT, '.bench', name), false);
    const budgetBytes = BUNDLE_BUDGET_BYTES[name] ?? 1024 * 1024;
    out[name] = { ...size, budgetBytes, withinBudget: size.shippedBytes <= budgetBytes };
  }
  return { bundles: out };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify({ send: await benchSend(), bundles: await benchBundles() }, null, 2));
}
