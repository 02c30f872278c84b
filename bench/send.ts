// Issue 3's benchmark: how many personalised training emails one core builds per second (fill +
// tokens + calendar + MIME, the real code path of a send), against the same with MJML compiled per
// recipient, and their ratio. Also each Lambda bundle's size.
// Standalone: `npx tsx bench/send.ts` prints the JSON result.
import { pathToFileURL } from 'node:url';
import { basename, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { build, type BuildOptions } from 'esbuild';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Participant } from '#core/model';
import { prepareTrainingSend, type MailSettings } from '#mail/compose';
import { compileTraining } from '#emails/compile';
import { loadSeries } from '#cli/series-dir';
import { BUNDLE_ALIASES, BUNDLE_BUDGET_BYTES, BUNDLE_INJECT, BUNDLE_LOADERS, BUNDLE_TARGET, ESM_REQUIRE_BANNER, HANDLERS_DIR, PROJECT_ROOT, PUBLISH_BUNDLE_EXTERNALS } from '#infra/baton-function';

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

/**
 * esbuild options equal to what NodejsFunction passes for a BatonFunction (infra/baton-function.ts:
 * target, ESM, mainFields, the require banner, aliases, the injected stack-trace mapping, the
 * catalogues as text, minify, source map without sources, nothing external), so the sizes here are the sizes deployed and the ones bench/cold-start.ts loads.
 */
export function cdkBundleOptions(entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    alias: { ...BUNDLE_ALIASES },
    inject: [...BUNDLE_INJECT],
    loader: { ...BUNDLE_LOADERS },
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    // As the stack bundles each function: only publish leaves a module out (TypeScript's compiler).
    external: basename(entry) === 'publish.ts' ? [...PUBLISH_BUNDLE_EXTERNALS] : [],
    absWorkingDir: PROJECT_ROOT,
    logLevel: 'silent',
  };
}

/** Each Lambda entry bundled as CDK bundles it, in bytes of code (the map is not loaded), against its budget. */
export async function benchBundles() {
  const out: Record<string, { bytes: number; budgetBytes: number; withinBudget: boolean }> = {};
  for (const file of readdirSync(HANDLERS_DIR).filter((f) => f.endsWith('.ts')).sort()) {
    const name = file.replace(/\.ts$/, '');
    const result = await build({ ...cdkBundleOptions(join(HANDLERS_DIR, file), join(PROJECT_ROOT, '.bench', name, 'index.mjs')), write: false });
    const code = result.outputFiles.find((f) => f.path.endsWith('.mjs'));
    if (!code) throw new Error(`esbuild produced no code for ${file}`);
    const bytes = code.contents.length;
    const budgetBytes = BUNDLE_BUDGET_BYTES[name] ?? 1024 * 1024;
    out[name] = { bytes, budgetBytes, withinBudget: bytes <= budgetBytes };
  }
  return { bundles: out };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify({ send: await benchSend(), bundles: await benchBundles() }, null, 2));
}
