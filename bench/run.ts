// `npm run bench`: every benchmark in one process, one JSON document on stdout (and in
// bench/results/latest.json). Ratios are computed within this one run: the machines are shared and
// noisy, so absolute numbers from different runs are not comparable.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

type Bench = () => Promise<unknown>;

const benches: [string, () => Promise<Bench>][] = [
  ['send', async () => (await import('./send.ts')).benchSend],
  ['bundles', async () => (await import('./send.ts')).benchBundles],
  ['cold-start', async () => (await import('./cold-start.ts')).benchColdStart],
  ['mail', async () => (await import('./mail.ts')).benchMail],
  ['fill', async () => (await import('#emails/bench')).benchFill],
  ['trim', async () => (await import('./trim.ts')).benchTrim],
  ['intents', async () => (await import('./intents.ts')).benchIntents],
  ['paraphrase', async () => (await import('./paraphrase.ts')).benchParaphrase],
  ['classify-speed', async () => (await import('./classify-speed.ts')).benchClassifySpeed],
  ['inbound', async () => (await import('./inbound.ts')).benchInbound],
  ['reports', async () => (await import('./reports.ts')).benchReports],
  ['studio', async () => (await import('./studio.ts')).benchStudio],
  ['dynamo', async () => (await import('./dynamo.ts')).benchDynamo],
  ['crash', async () => (await import('./crash.ts')).benchCrash],
  ['cli-start', async () => (await import('./cli-start.ts')).benchCliStart],
];

const only = process.argv.slice(2);
const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  node: process.version,
  cpus: (await import('node:os')).cpus().length,
};
for (const [name, load] of benches) {
  if (only.length && !only.includes(name)) continue;
  const started = performance.now();
  process.stderr.write(`bench: ${name}…`);
  try {
    const fn = await load();
    results[name] = await fn();
    process.stderr.write(` ${Math.round(performance.now() - started)} ms\n`);
  } catch (err) {
    results[name] = { error: err instanceof Error ? err.message : String(err) };
    process.stderr.write(` failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
const dir = join(fileURLToPath(new URL('.', import.meta.url)), 'results');
mkdirSync(dir, { recursive: true });
const json = JSON.stringify(results, null, 2);
writeFileSync(join(dir, 'latest.json'), `${json}\n`);
console.log(json);
