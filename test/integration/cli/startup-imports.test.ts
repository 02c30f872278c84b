// What `baton --help` and `baton validate` load, recorded from a real run of the CLI: neither may
// pull in the AWS SDK, mjml or the local servers, which only the commands that use them load (the
// CLI's start time, issue 17; its speed is measured in `npm run bench -- cli-start`). And
// `baton publish --dry-run`, which opens the local data but compiles nothing: no mjml, no S3 client.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exampleDir, repoRoot } from '#test/support/example-data';
import { portOffset } from '#test/support/ports';

const work = mkdtempSync(join(tmpdir(), 'baton-imports-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HEAVY = ['@aws-sdk', 'mjml', 'aws-ses-v2-local', 'dynalite', 'smtp-server', 'nodemailer', 'mailparser', 'aws-cdk-lib'];

async function loaded(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const file = join(work, `${name}.txt`);
  await promisify(execFile)(process.execPath, ['--import', join(repoRoot, 'test', 'support', 'record-imports.mjs'), join(repoRoot, 'cli', 'baton.js'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env, BATON_RECORD_IMPORTS: file },
  });
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}
/**
 * The packages among `files`: by their path under node_modules, or, for a chunk of the compiled
 * CLI (which bundles most packages in, cli/build.js), by the sources its map lists.
 */
function packages(files: string[]): string[] {
  const sources = files.flatMap((f) => {
    const path = f.replace(/^file:\/\//, '');
    if (!/cli\/dist\/[^/]+\.js$/.test(path)) return [f];
    return [f, ...(JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources: string[] }).sources];
  });
  return [...new Set(sources.flatMap((f) => [...f.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].map((m) => m[1]!)))];
}

describe('what a quick command loads', () => {
  it('validate loads the series parsers and none of the AWS SDK, mjml or the local servers', async () => {
    const files = await loaded('validate', ['validate', exampleDir]);
    // The recording works: the command's own module is among them (compiled chunk or source).
    expect(files.some((f) => /cli\/(dist\/validate-[^/]+\.js|commands\/validate\.ts)$/.test(f))).toBe(true);
    const heavy = packages(files).filter((p) => HEAVY.some((h) => p === h || p.startsWith(`${h}/`)));
    expect(heavy).toEqual([]);
  }, 60_000);

  it('--help loads no command at all', async () => {
    const files = await loaded('help', ['--help']);
    expect(files.some((f) => /cli\/(dist\/main\.js|main\.ts)$/.test(f))).toBe(true);
    expect(files.filter((f) => /cli\/(commands\/|dist\/(?!main\.js|chunk-))/.test(f) && !f.endsWith('.map'))).toEqual([]);
    expect(packages(files).filter((p) => HEAVY.includes(p) || p.startsWith('@aws-sdk/'))).toEqual([]);
  }, 60_000);

  it('publish --dry-run opens the local data but compiles nothing, so it loads no mjml, and no S3 client', async () => {
    // The series as `baton init` writes it, its windows ahead of today, and a data folder of its own.
    const env = { BATON_DATA_DIR: join(work, 'data'), BATON_PORT_OFFSET: String(portOffset()) };
    const opens = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    await promisify(execFile)(process.execPath, [join(repoRoot, 'cli', 'baton.js'), 'init', join(work, 'series'), '--opens', opens], { cwd: repoRoot, env: { ...process.env, ...env } });
    const files = await loaded('dry-run', ['publish', join(work, 'series'), '--dry-run'], env);
    // The recording works: the dry run did open the local data (the SDK and dynalite).
    expect(packages(files)).toEqual(expect.arrayContaining(['@aws-sdk/client-dynamodb', 'dynalite']));
    expect(packages(files).filter((p) => p === 'mjml' || p.startsWith('mjml-'))).toEqual([]);
    // The data folder's stores (adapters/local/mail-store.ts), not the S3 ones: no S3 client.
    expect(packages(files)).not.toContain('@aws-sdk/client-s3');
  }, 60_000);
});

