// Cold start of each Lambda bundle, measured locally: a fresh `node` process per run imports the
// bundle (what Lambda's init phase does) and calls the handler once with an event it refuses, which
// makes it read its environment and build its clients (what the first invocation does) without
// touching the network. Medians of a few runs; Lambda's own numbers differ (arm64, memory size),
// but a bundle that grows or starts doing work at import shows here first.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { BUNDLE_BUDGET_BYTES, BUNDLE_TARGET, ESM_REQUIRE_BANNER, HANDLERS_DIR, PROJECT_ROOT } from '#infra/baton-function';

const run = promisify(execFile);

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

const PROBE = `
const t0 = performance.now();
const mod = await import(process.argv[1]);
const t1 = performance.now();
try { await mod.handler({}); } catch {}
const t2 = performance.now();
process.stdout.write('\\n@cold-start ' + JSON.stringify({ loadMs: t1 - t0, firstInvokeMs: t2 - t1 }) + '\\n');
`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

export async function benchColdStart(runs = 3) {
  const dir = mkdtempSync(join(tmpdir(), 'baton-cold-'));
  const out: Record<string, { bytes: number; budgetBytes: number; withinBudget: boolean; loadMs: number; firstInvokeMs: number }> = {};
  try {
    for (const file of readdirSync(HANDLERS_DIR).filter((f) => f.endsWith('.ts')).sort()) {
      const name = file.replace(/\.ts$/, '');
      const outfile = join(dir, `${name}.mjs`);
      await build({
        entryPoints: [join(HANDLERS_DIR, file)],
        outfile,
        bundle: true,
        minify: true,
        platform: 'node',
        format: 'esm',
        // As NodejsFunction bundles (baton-function.ts): ESM entry points of the SDK tree-shake better.
        mainFields: ['module', 'main'],
        target: BUNDLE_TARGET,
        banner: { js: ESM_REQUIRE_BANNER },
        absWorkingDir: PROJECT_ROOT,
        logLevel: 'silent',
      });
      const samples: { loadMs: number; firstInvokeMs: number }[] = [];
      for (let i = 0; i < runs; i++) {
        const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE, outfile], { env: { PATH: process.env.PATH, ...ENVIRONMENT } });
        // The handlers log their refusal on stdout too; the measurement is the marked line.
        const line = stdout.split('\n').find((l) => l.startsWith('@cold-start '));
        if (!line) throw new Error(`the ${name} bundle printed no measurement: ${stdout.slice(0, 300)}`);
        samples.push(JSON.parse(line.slice('@cold-start '.length)));
      }
      const bytes = statSync(outfile).size;
      const budgetBytes = BUNDLE_BUDGET_BYTES[name] ?? 1024 * 1024;
      out[name] = {
        bytes,
        budgetBytes,
        withinBudget: bytes <= budgetBytes,
        loadMs: round(median(samples.map((s) => s.loadMs))),
        firstInvokeMs: round(median(samples.map((s) => s.firstInvokeMs))),
      };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { node: process.version, runs, bundles: out };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(JSON.stringify(await benchColdStart(), null, 2));
}
