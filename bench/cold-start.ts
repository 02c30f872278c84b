// Cold start of each Lambda bundle, measured locally against a bare Node start in the same run:
// a fresh `node` process per sample imports the bundle (what Lambda's init phase does), and a
// second one also calls the handler once with an event it refuses, which makes it read its
// environment and build its clients (what the first invocation does) without touching the network.
// Each process runs as Lambda starts it (the map beside the bundle, read only when a stack trace is
// written: functions/adapters/aws/stack-traces.ts), pinned to one core where taskset exists, and the samples of `node -e 0` and of every
// bundle are interleaved round by round, so a busy neighbour slows all of them alike.
// `ratioToNode` is the import's wall clock over a bare start's (the same probe, importing nothing:
// `node -e` and a line of output); the goal (issue 16) is ≤ 2 for every handler. `cpuRatioToNode`
// divides the CPU time each process used (user + system, as it reports itself) the same way: on a
// machine shared with other work a process waiting for a core waits in wall clock but not in CPU
// time, so that ratio moves less with the neighbours. Lambda's own numbers differ (arm64, memory
// size), but a bundle that grows or starts doing work at import shows here first.
//
// `withoutSdkRatioToNode` is a reference, not a product: the same bundle with every AWS SDK
// package (@aws-sdk/*, @smithy/*) replaced by an empty module (bench/no-sdk.cjs), imported the
// same way. It says how much of the ratio the SDK clients are, and what is left for everything else
// if they cost nothing: the floor the goal meets while the functions talk to AWS through the SDK.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pinned } from './cli-start.ts';
import { BUNDLE_BUDGET_BYTES, HANDLERS_DIR } from '#infra/baton-function';
import type { Plugin } from 'esbuild';
import { buildBundle, type BundleSize } from './send.ts';

/** Every AWS SDK package resolved to bench/no-sdk.cjs (for withoutSdkRatioToNode only). */
const NO_SDK: Plugin = {
  name: 'bench-no-sdk',
  setup(build) {
    const stub = join(import.meta.dirname, 'no-sdk.cjs');
    build.onResolve({ filter: /^@(aws-sdk|smithy)\// }, () => ({ path: stub }));
  },
};

const run = promisify(execFile);

/** The goal: importing a handler costs at most this many bare Node starts. */
export const COLD_START_RATIO_GOAL = 2;

/** What the stack sets, with dummies: construction reads them, nothing is called. */
const ENVIRONMENT = {
  TABLE_NAME: 'baton',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  REPLY_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:bench',
  BATON_DOMAIN: 'baton.example.com',
  BATON_INBOUND_DOMAIN: 'reply.baton.example.com',
  BATON_SENDER: 'training@baton.example.com',
  BATON_LINKS_BASE_URL: 'https://links.example.com',
  BATON_MAX_SEND_RATE: '14',
  BATON_CONFIGURATION_SET: 'baton',
  BATON_FANOUT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/fanout',
  INBOUND_BUCKET: 'inbound',
  ATTACHMENT_BUCKET: 'attachments',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/**
 * Imports the bundle, then (with `invoke`) calls the handler once with an event it refuses; with no
 * bundle it is the bare start the others are divided by.
 */
const PROBE = `
const t0 = performance.now();
const mod = process.argv[1] ? await import(process.argv[1]) : undefined;
const t1 = performance.now();
if (process.argv[2] === 'invoke') { try { await mod.handler({}); } catch {} }
const t2 = performance.now();
const { userCPUTime, systemCPUTime } = process.resourceUsage();
process.stdout.write('\\n@cold-start ' + JSON.stringify({ loadMs: t1 - t0, firstInvokeMs: t2 - t1, cpuMs: (userCPUTime + systemCPUTime) / 1000 }) + '\\n');
`;

type Sample = { wallMs: number; loadMs: number; firstInvokeMs: number; cpuMs: number };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/** One fresh process: its wall clock from spawn to exit, and what the probe measured inside. */
async function sample(...args: string[]): Promise<Sample> {
  const [cmd, ...rest] = [...pinned(), process.execPath, '--input-type=module', '-e', PROBE, ...args];
  const started = performance.now();
  const { stdout } = await run(cmd!, rest, { env: { PATH: process.env.PATH, ...ENVIRONMENT } });
  const wallMs = performance.now() - started;
  // The handlers log their refusal on stdout too; the measurement is the marked line.
  const line = stdout.split('\n').find((l) => l.startsWith('@cold-start '));
  if (!line) throw new Error(`${args[0] ?? 'the bare start'} printed no measurement: ${stdout.slice(0, 300)}`);
  return { wallMs, ...(JSON.parse(line.slice('@cold-start '.length)) as Omit<Sample, 'wallMs'>) };
}

/** Bundles measured but not held to the goal: asynchronous, off every path a person waits on. */
const OFF_HOT_PATH = new Set(['publish']);

export async function benchColdStart(runs = 7) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cold-'));
  const names = readdirSync(HANDLERS_DIR)
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.replace(/\.ts$/, ''))
    .sort();
  const sizes: Record<string, BundleSize> = {};
  try {
    for (const name of names) {
      // Exactly what a BatonFunction's asset holds: index.mjs, its chunks, the catalogue files.
      sizes[name] = await buildBundle(join(HANDLERS_DIR, `${name}.ts`), join(dir, name));
      await buildBundle(join(HANDLERS_DIR, `${name}.ts`), join(dir, `${name}.no-sdk`), true, [NO_SDK]);
    }
    const bare: Sample[] = [];
    const samples = Object.fromEntries(names.map((n) => [n, { imported: [] as Sample[], invoked: [] as number[], firstInvokeMs: [] as number[], withoutSdk: [] as number[] }]));
    for (let i = 0; i < runs; i++) {
      bare.push(await sample());
      for (const name of names) {
        const outfile = join(dir, name, 'index.mjs');
        const imported = await sample(outfile, 'import');
        const invoked = await sample(outfile, 'invoke');
        const s = samples[name]!;
        s.imported.push(imported);
        s.invoked.push(invoked.wallMs);
        s.firstInvokeMs.push(invoked.firstInvokeMs);
        s.withoutSdk.push((await sample(join(dir, `${name}.no-sdk`, 'index.mjs'), 'import')).wallMs);
      }
    }
    const nodeMs = median(bare.map((b) => b.wallMs));
    const nodeCpuMs = median(bare.map((b) => b.cpuMs));
    const bundles: Record<string, unknown> = {};
    for (const name of names) {
      const s = samples[name]!;
      const { importBytes, shippedBytes } = sizes[name]!;
      const budgetBytes = BUNDLE_BUDGET_BYTES[name] ?? 1024 * 1024;
      const importWallMs = median(s.imported.map((x) => x.wallMs));
      const importCpuMs = median(s.imported.map((x) => x.cpuMs));
      const ratioToNode = +(importWallMs / nodeMs).toFixed(2);
      bundles[name] = {
        // What the import compiles (index.mjs and its static chunks), and all the code shipped.
        importBytes,
        shippedBytes,
        budgetBytes,
        withinBudget: shippedBytes <= budgetBytes,
        importWallMs: round(importWallMs),
        ratioToNode,
        // The publish function runs behind a trainer's "Applying…" page, asynchronously, once per
        // edit: the goal is for the functions someone or a schedule waits on.
        hotPath: !OFF_HOT_PATH.has(name),
        withinRatioGoal: OFF_HOT_PATH.has(name) ? null : ratioToNode <= COLD_START_RATIO_GOAL,
        importCpuMs: round(importCpuMs),
        cpuRatioToNode: +(importCpuMs / nodeCpuMs).toFixed(2),
        withoutSdkRatioToNode: +(median(s.withoutSdk) / nodeMs).toFixed(2),
        withFirstInvokeWallMs: round(median(s.invoked)),
        withFirstInvokeRatioToNode: +(median(s.invoked) / nodeMs).toFixed(2),
        loadMs: round(median(s.imported.map((x) => x.loadMs))),
        firstInvokeMs: round(median(s.firstInvokeMs)),
      };
    }
    return { node: process.version, runs, pinnedToOneCore: pinned().length > 0, ratioGoal: COLD_START_RATIO_GOAL, nodeMs: round(nodeMs), nodeCpuMs: round(nodeCpuMs), bundles };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchColdStart(), null, 2));
}
