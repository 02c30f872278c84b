// `baton status` as a user runs it: a data folder with a published series, participants,
// deliveries and responses (written through the real Store into dynalite's LevelDB), then the CLI
// in a child process opening that folder itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { batonEnv, seedExample } from '#test/support/example-data';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { startDynaliteServer } from '#adapters/local/dynalite';

const root = join(import.meta.dirname, '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-status-'));
// Never the default ports: a `baton dev` running on this machine must not be the one we read.
const env = batonEnv(dataDir);
let seriesId = '';

function baton(...args: string[]) {
  return promisify(execFile)('node', [join(root, 'cli', 'baton.js'), ...args], { env, cwd: root });
}

/** `baton status <series>` run once, for the tests that read its plain output (before enroll changes the data). */
let statusRun: ReturnType<typeof baton> | undefined;
const status = () => (statusRun ??= baton('status', seriesId));

beforeAll(async () => {
  seriesId = await seedExample(dataDir);
}, 120_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('baton status', () => {
  it('prints an aligned funnel table per training with rates', async () => {
    const { stdout } = await status();
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

  it('speaks of people and trainings: who is enrolled, what went to how many, what goes out when', async () => {
    const { stdout } = await status();
    const head = stdout.split('\n').slice(1, 8);
    expect(head[0]).toBe('12 people enrolled: 12 active.');
    expect(head[1]).toBe('  kickoff on its way to 12 people');
    // The example's windows are dated (Jan–Mar 2027) and status reads the real clock: once a window
    // has closed everywhere, it is history.
    const over = (closes: string) => Date.now() >= Date.parse(`${closes}T12:00:00Z`) + 86_400_000;
    expect(head[2]).toBe(
      over('2027-01-31')
        ? '  training 1 "A productive 1:1 sync with your manager" went to 8 people; closed Sun 31 Jan'
        : '  training 1 "A productive 1:1 sync with your manager" sent to 8 people so far; the other 4 people get it at their start of work, open until Sun 31 Jan',
    );
    expect(head[3]).toMatch(
      over('2027-02-14')
        ? /^ {2}training 2 ".+" went to nobody; closed Sun 14 Feb$/
        : /^ {2}training 2 ".+" goes out on Mon 1 Feb at each person's start of work \(07:30–10:00\) to 12 people, open until Sun 14 Feb$/,
    );
    // No `baton dev` serves this data folder: nothing goes out until one does, and status says so.
    expect(stdout).toContain('Nothing goes out while the local stack is stopped: `npm start` sends whatever is due.');
    expect(stdout).not.toMatch(/schedule|job/i);
  }, 60_000);

  it('prints the funnel object with --json', async () => {
    const { stdout } = await baton('status', seriesId, '--json');
    const funnel = JSON.parse(stdout);
    expect(funnel.seriesId).toBe(seriesId);
    expect(funnel.trainings).toHaveLength(4);
    expect(funnel.trainings[0].stages.map((s: { count: number }) => s.count)).toEqual([8, 3, 2, 1, 1]);
    expect(funnel.notEngaged).toHaveLength(5);
    expect(funnel.publish).toEqual({ version: 1, finished: true });
  }, 60_000);

  it('enroll says who was added and what they get, in people and trainings', async () => {
    const csv = join(dataDir, 'late-joiners.csv');
    writeFileSync(csv, 'email,name,timeZone,workStart\nlate.one@example.com,Late One,Europe/Kyiv,08:30\nama.owusu@example.com,Ama Owusu,Africa/Accra,09:00\n');
    const { stdout, stderr } = await baton('enroll', seriesId, csv);
    // Not a terminal: no progress line in the output.
    expect(stderr).toBe('');
    expect(stdout.split('\n').slice(0, 3)).toEqual([
      `Enrolled 2 people from ${csv} in ${seriesId}: 1 new (they get the kickoff now, and any training whose window is open), 1 already enrolled (their details updated).`,
      '13 people enrolled: 13 active.',
      '  kickoff on its way to 13 people',
    ]);
    expect(stdout).toMatch(/training 1 ".+" (sent to 8 people so far; the other 5 people get it|went to 8 people; closed)/);
    expect(stdout).not.toMatch(/schedule|job|Sends planned/i);
    expect(stdout).not.toContain('has not finished');
  }, 60_000);

  it('tells the operator when the last publish never finished, and what to do', async () => {
    // A publish that stopped after writing the new version's series item (its first write).
    const server = await startDynaliteServer({ path: join(dataDir, 'dynamo') });
    const client = createDynamoClient({ endpoint: server.endpoint });
    try {
      const store = createStore({ client, tableName: 'baton' });
      const published = (await store.getSeries(seriesId))!;
      await store.putSeries(published.series, published.trainings, { publishedAt: new Date(), version: published.version + 1 });
    } finally {
      client.destroy();
      await server.close();
    }
    const { stdout } = await baton('status', seriesId);
    expect(stdout).toContain('The publish of version 2 has not finished: it is still running, or it stopped halfway.');
    expect(stdout).toContain('If no publish is running, publish the series again.');
    expect(JSON.parse((await baton('status', seriesId, '--json')).stdout).publish).toEqual({ version: 2, finished: false });
  }, 60_000);

  it('says what to do about an unknown series', async () => {
    await expect(baton('status', 'no-such-series')).rejects.toMatchObject({ stderr: expect.stringContaining('no series "no-such-series" is published') });
  }, 60_000);
});
