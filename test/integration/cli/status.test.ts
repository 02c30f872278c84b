// `baton status` as a user runs it: a data folder with a published series, participants,
// deliveries and responses (written through the real Store into dynalite's LevelDB), then the CLI
// in a child process opening that folder itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { batonEnv, seedExample } from '#test/support/example-data';

const root = join(import.meta.dirname, '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-status-'));
// Never the default ports: a `baton dev` running on this machine must not be the one we read.
const env = batonEnv(dataDir);
let seriesId = '';

function baton(...args: string[]) {
  return promisify(execFile)('node', [join(root, 'cli', 'baton.js'), ...args], { env, cwd: root });
}

beforeAll(async () => {
  seriesId = await seedExample(dataDir);
}, 120_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('baton status', () => {
  it('prints an aligned funnel table per training with rates', async () => {
    const { stdout } = await baton('status', seriesId);
    const lines = stdout.split('\n');
    const header = lines.findIndex((l) => /^stage\s+people\s+rate\s+of$/.test(l));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 2, header + 7);
    expect(rows.map((r) => r.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['Sent', '8'],
      ['Read', '3', '38%'],
      ['Contributed', '2', '25%'],
      ['Adopted', '1', '13%'],
      ['Followed up', '1', '100%'],
    ]);
    // Aligned: every number column ends at the same place as its header.
    const end = lines[header]!.indexOf('people') + 'people'.length;
    for (const r of rows) expect(r.slice(0, end)).toMatch(/\d$/);
    expect(stdout).toMatch(/#1 .+\s+1\s+4\.0\/5/);
  }, 60_000);

  it('prints the funnel object with --json', async () => {
    const { stdout } = await baton('status', seriesId, '--json');
    const funnel = JSON.parse(stdout);
    expect(funnel.seriesId).toBe(seriesId);
    expect(funnel.trainings).toHaveLength(4);
    expect(funnel.trainings[0].stages.map((s: { count: number }) => s.count)).toEqual([8, 3, 2, 1, 1]);
    expect(funnel.notEngaged).toHaveLength(5);
  }, 60_000);

  it('says what to do about an unknown series', async () => {
    await expect(baton('status', 'no-such-series')).rejects.toMatchObject({ stderr: expect.stringContaining('no series "no-such-series" is published') });
  }, 60_000);
});
