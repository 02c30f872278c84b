// A trainer's first hour, as they live it: `baton init`, `baton validate`, `baton publish`, each
// a child process reading nothing from a terminal, then the local stack (`baton dev`) firing the
// kickoff, which must reach every person in the folder's participants.csv.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortOffset } from '#test/support/ports';

const root = join(import.meta.dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'baton-first-hour-'));
const offset = await freePortOffset();
const env = { ...process.env, BATON_DATA_DIR: join(work, 'data'), BATON_PORT_OFFSET: String(offset), NO_COLOR: '1' };
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `baton …` in `work`, stdin closed: a prompt would see end-of-input, never a person. */
function baton(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [join(root, 'cli/baton.js'), ...args], { cwd: work, env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
    child.stdin?.end();
  });
}

const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

describe('a trainer’s first hour', () => {
  const series = join(work, 'onboarding');

  it('init writes a folder that validate passes at once', async () => {
    const init = await baton('init', 'onboarding', '--title', 'Onboarding, the async way', '--trainer', 'Maya Okafor <maya@example.com>', '--opens', isoDay(10), '--trainings', '3', '--time-zone', 'europe/berlin');
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    expect(init.stdout).toContain('Created the series "Onboarding, the async way" (onboarding)');
    expect(readFileSync(join(series, 'series.yaml'), 'utf8')).toContain('timeZone: Europe/Berlin');
    const validate = await baton('validate', 'onboarding');
    expect(validate.stderr).toBe('');
    expect(validate.code).toBe(0);
    expect(validate.stdout).toContain('Onboarding, the async way (onboarding) is ready.');
    expect(validate.stdout).toContain('3 trainings:');
    expect(validate.stdout).toContain('3 participants in 3 time zones');
  }, 60_000);

  it('init refuses a folder that is not empty and a trainer it cannot read', async () => {
    const again = await baton('init', 'onboarding');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/onboarding already exists and is not empty/);
    const bad = await baton('init', 'other', '--trainer', 'maya@example.com');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--trainer "maya@example.com" is not "Name <email>"');
  }, 60_000);

  it('init without flags and without a terminal takes the defaults instead of waiting', async () => {
    const run = await baton('init', 'defaults');
    expect(run.code).toBe(0);
    expect((await baton('validate', 'defaults')).code).toBe(0);
  }, 60_000);

  it('publish --dry-run prints the plan in people and dates, and stores nothing', async () => {
    const run = await baton('publish', 'onboarding', '--dry-run');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('kickoff goes out now to 3 people');
    expect(run.stdout).toMatch(/training 1 "Training 1" on \w{3} \d+ \w{3} at each person's 09:00/);
    expect(run.stdout).toContain('3 trainings, 9 calendar invitations');
    expect(run.stdout).toContain('Nothing was sent or stored (--dry-run)');
    // That it stored nothing, the real publish in the next test shows: it is still the first.
  }, 60_000);

  it('publish enrols participants.csv and the local stack sends the kickoff to every person in it', async () => {
    const run = await baton('publish', 'onboarding');
    expect(run.code).toBe(0);
    // Still the first publish: the dry run before it stored nothing.
    expect(run.stdout).toContain('kickoff goes out now to 3 people');
    expect(run.stdout).toContain('3 people enrolled from participants.csv');

    const dev = spawn(process.execPath, [join(root, 'cli/baton.js'), 'dev', '--no-example'], { cwd: work, env });
    children.push(dev);
    // baton dev logs each schedule record the clock fires once its job has sent everything
    // (`clock: fired <series>/<record>`), and each failure: the store is read once, after that.
    let out = '';
    let giveUp: NodeJS.Timeout | undefined;
    const kickoffDone = new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        out += d.toString();
        if (/clock: (fired onboarding\/kickoff\b|onboarding\/kickoff failed)/.test(out)) resolve();
      };
      dev.stdout.on('data', onData);
      dev.stderr.on('data', onData);
      dev.once('exit', () => resolve());
      giveUp = setTimeout(resolve, 45_000);
    });
    const csv = readFileSync(join(series, 'participants.csv'), 'utf8').trim().split('\n').slice(1);
    const people = csv.map((line) => line.split(',')[0]!).sort();
    expect(people).toHaveLength(3);
    await kickoffDone;
    clearTimeout(giveUp);
    const res = await fetch(`http://127.0.0.1:${8005 + offset}/store`).catch(() => undefined);
    const { emails } = res?.ok ? ((await res.json()) as { emails: { subject: string; destination: { to: string[] } }[] }) : { emails: [] };
    const kickoffTo = emails.filter((e) => e.subject.startsWith('Welcome to Onboarding, the async way')).flatMap((e) => e.destination.to.map((t) => t.replace(/.*<|>.*/g, '')));
    expect(kickoffTo.sort(), out).toEqual(people);
    dev.kill('SIGINT');
    await new Promise((r) => dev.once('exit', r));
  }, 90_000);

  it('a re-publish says what changes for whom', async () => {
    const file = join(series, 'trainings', '02-training-2.md');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/closes: (\d{4}-\d{2}-\d{2})/, (_m, d: string) => `closes: ${new Date(Date.parse(d) + 86_400_000).toISOString().slice(0, 10)}`));
    const run = await baton('publish', 'onboarding', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/3 people get an updated invitation for training 2 \(now .+, was .+\)/);
    writeFileSync(file, text);
    const same = await baton('publish', 'onboarding', '--dry-run');
    expect(same.stdout).toContain('nothing changes for the 3 people enrolled');
  }, 60_000);

  it('refuses a training whose window has already closed', async () => {
    expect((await baton('init', 'late', '--opens', isoDay(-40), '--trainings', '2', '--days', '14')).code).toBe(0);
    const run = await baton('publish', 'late', '--dry-run');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/training 1 "Training 1" closed on .+, so it would be announced and never sent: move its opens\/closes to future dates in trainings\/01-training-1\.md/);
    expect(run.stdout).not.toContain('kickoff goes out');
  }, 60_000);

  it('warns about a window already open, saying what will happen', async () => {
    expect((await baton('init', 'running', '--opens', isoDay(-3), '--trainings', '2', '--days', '14')).code).toBe(0);
    const run = await baton('publish', 'running', '--dry-run');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/warning: training 1 "Training 1" opened on .+: it goes out now to the 3 people whose window has opened, with \d+ days left to answer/);
  }, 60_000);

  it('refuses a participants.csv with a bad row, and a folder without people unless asked', async () => {
    expect((await baton('init', 'broken')).code).toBe(0);
    writeFileSync(join(work, 'broken', 'participants.csv'), 'email,name\nnot-an-address,Someone\n');
    const bad = await baton('publish', 'broken', '--dry-run');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('found participants.csv, not enrolled');
    expect(bad.stderr).toContain('pass --no-participants to publish without people');
    rmSync(join(work, 'broken', 'participants.csv'));
    const none = await baton('publish', 'broken', '--dry-run');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('the kickoff would reach nobody');
    const without = await baton('publish', 'broken', '--dry-run', '--no-participants');
    expect(without.code).toBe(0);
    expect(without.stdout).toContain('kickoff goes out now to nobody yet');
  }, 60_000);
});
