// Progress lines of the long commands (preview, enroll, export; simulate and publish use the same
// terminal.ts): drawn on a terminal, absent in a pipe and in CI. The terminal is a real
// pseudo-terminal from util-linux's `script`, so the CLI's own isTTY check decides, as it does for
// a trainer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { batonEnv, exampleDir, repoRoot, seedExample } from '#test/support/example-data';

const run = promisify(execFile);
const baton = join(repoRoot, 'cli', 'baton.js');
const work = mkdtempSync(join(tmpdir(), 'baton-progress-'));
const dataDir = join(work, 'data');
const env = batonEnv(dataDir);
delete env.CI;
let seriesId = '';

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;
/** The command under a pseudo-terminal: everything it wrote to the terminal, both streams. */
async function onTerminal(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<string> {
  const command = [process.execPath, baton, ...args].map(quote).join(' ');
  const { stdout } = await run('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, env: { ...env, ...extraEnv } });
  return stdout;
}
/** The command in a pipe, as CI and scripts run it. */
async function inPipe(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [baton, ...args], { cwd: repoRoot, env });
}
const PROGRESS = /\r\x1b\[2K(\w+): /;

beforeAll(async () => {
  seriesId = await seedExample(dataDir);
  writeFileSync(join(work, 'more.csv'), 'email,name,timeZone,workStart\nnew.person@example.com,New Person,Europe/Kyiv,08:30\n');
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('progress lines', () => {
  it('preview counts the emails it writes on a terminal, then clears the line before its report', async () => {
    const out = await onTerminal(['preview', exampleDir, '--out', join(work, 'preview')]);
    expect(out).toMatch(/\r\x1b\[2Kpreview: compiling and composing every email…/);
    expect(out).toMatch(/\r\x1b\[2Kpreview: writing emails \d+\/12…/);
    // Cleared: the report starts on a clean line, not after the last progress text.
    expect(out).toMatch(/\r\x1b\[2KPreviewed 12 emails for /);
  }, 90_000);

  it('preview in a pipe, or on a terminal in CI, prints only its report', async () => {
    const piped = await inPipe(['preview', exampleDir, '--out', join(work, 'preview-pipe')]);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toMatch(/^Previewed 12 emails/);
    expect(piped.stdout).not.toMatch(/[\r\x1b]/);
    const ci = await onTerminal(['preview', exampleDir, '--out', join(work, 'preview-ci')], { CI: 'true' });
    expect(ci).toContain('Previewed 12 emails');
    expect(ci).not.toMatch(PROGRESS);
  }, 90_000);

  it('enroll and export show their steps on a terminal and none in a pipe', async () => {
    const enroll = await onTerminal(['enroll', seriesId, join(work, 'more.csv')]);
    expect(enroll).toMatch(/\r\x1b\[2Kenroll: reading .*more\.csv…/);
    expect(enroll).toMatch(/\r\x1b\[2Kenroll: planning what each person gets and when…/);
    expect(enroll).toContain('13 people enrolled');
    const exported = await onTerminal(['export', seriesId, '--wiki', join(work, 'wiki')]);
    expect(exported).toMatch(/\r\x1b\[2Kexport: (rendering the pages|writing pages \d+\/\d+)…/);
    expect(exported).toContain('Exported 4 trainings');

    const piped = await inPipe(['export', seriesId, '--wiki', join(work, 'wiki-pipe')]);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).not.toMatch(/[\r\x1b]/);
  }, 120_000);
});
