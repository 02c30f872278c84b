import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadParticipants, loadSeries } from '#cli/series-dir';

const ROOT = join(import.meta.dirname, '../../..');
const BATON = join(ROOT, 'cli/baton.js');
const EXAMPLE = join(ROOT, 'examples/q1-productivity');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function baton(args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BATON, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function edit(path: string, from: string, to: string): void {
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`"${from}" not in ${path}`);
  writeFileSync(path, text.replace(from, to));
}

function lineOf(path: string, needle: string): number {
  const text = readFileSync(path, 'utf8');
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not in ${path}`);
  return text.slice(0, at).split('\n').length;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'baton-validate-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('baton validate', () => {
  it('passes the example and prints a summary a trainer can read', async () => {
    const run = await baton(['validate', 'examples/q1-productivity'], ROOT);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe('Q1 training series: productivity, communication and organization (q1-productivity) is ready.');
    expect(run.stdout).toContain('4 trainings:');
    const trainingLines = lines.filter((l) => /^ {2}\d\. /.test(l));
    expect(trainingLines).toHaveLength(4);
    expect(trainingLines[0]).toMatch(/^ {2}1\. A productive 1:1 sync with your manager +Thu 21 Jan – Sun 31 Jan 2027 +5 strategies$/);
    expect(trainingLines[1]).toMatch(/Sun 31 Jan – Sun 14 Feb 2027 +4 strategies$/);
    expect(trainingLines[2]).toMatch(/Sun 14 Feb – Sun 28 Feb 2027 +4 strategies {2}\+ audio, video, slides$/);
    expect(trainingLines[3]).toMatch(/^ {2}4\. Preparing for a product launch +Sun 28 Feb – Sun 14 Mar 2027 +5 strategies$/);
    expect(run.stdout).toContain('everyone is encouraged to contribute to at least 2 of 4 trainings');
    expect(run.stdout).toContain('12 participants in 11 time zones:');
    expect(run.stdout).toMatch(/^ {2}Europe\/London +2$/m);
    expect(run.stdout).toMatch(/^ {2}Asia\/Brunei +1$/m);
  });

  it('prints every problem of a broken copy as file:line:col and exits 1', async () => {
    const dir = join(work, 'broken');
    cpSync(EXAMPLE, dir, { recursive: true });
    const seriesYaml = join(dir, 'series.yaml');
    const t1 = join(dir, 'trainings/01-productive-one-on-ones.md');
    const t4 = join(dir, 'trainings/04-product-launch.md');
    const csv = join(dir, 'participants.csv');
    edit(seriesYaml, 'timeZone: Europe/London', 'timeZone: Asia/Brunie');
    edit(t1, 'closes: 2027-01-31', 'closes: 2027-01-20');
    edit(t4, 'author: Maya Okafor', 'auther: Maya Okafor');
    edit(t4, 'https://basecamp.com/shapeup', 'shape-up.pdf');
    writeFileSync(csv, `${readFileSync(csv, 'utf8')}ANA.REYES@example.com,Ana Again,Europe/Berlin,09:00\n`);

    // Run from the folder above the series, so paths print relative to it as a trainer would see them.
    const run = await baton(['validate', 'broken'], work);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    const errors = run.stderr.split('\n').filter((l) => l.includes(': error: '));
    expect(errors).toEqual([
      `broken/series.yaml:${lineOf(seriesYaml, 'Asia/Brunie')}:15: error: trainers[1].timeZone "Asia/Brunie" is not a known time zone; did you mean "Asia/Brunei"?`,
      `broken/trainings/01-productive-one-on-ones.md:${lineOf(t1, 'closes:')}:9: error: closes (2027-01-20) is before opens (2027-01-21): the window must close on or after the day it opens`,
      expect.stringMatching(
        new RegExp(`^broken/trainings/04-product-launch\\.md:${lineOf(t4, 'auther')}:1: error: unknown key "auther" in the front matter; did you mean "author"\\?`),
      ),
      expect.stringMatching(
        new RegExp(`^broken/trainings/04-product-launch\\.md:${lineOf(t4, 'shape-up.pdf')}:\\d+: error: link "shape-up\\.pdf" is not an absolute http\\(s\\) URL`),
      ),
      `broken/participants.csv:14:1: error: ana.reyes@example.com is listed twice, on lines 2 and 14: keep one of the two rows`,
    ]);
    expect(run.stderr).toContain('5 errors in broken: fix them and run baton validate again.');
  });

  it('checks the participants file given with --participants, and prints warnings', async () => {
    const csv = join(work, 'people.csv');
    writeFileSync(csv, 'email,name,desk\nkofi@example.com,Kofi,4B\nama@,Ama,\n');
    const run = await baton(['validate', EXAMPLE, '--participants', csv], work);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n').slice(0, 2)).toEqual([
      'people.csv:3:1: error: "ama@" is not a valid email address: correct it or remove the row',
      'people.csv:1:12: warning: the column "desk" is not used and will be ignored (Baton reads email, name, timeZone, workStart, workDays, calendar, language, team)',
    ]);
  });

  it('says so when the folder does not exist', async () => {
    const run = await baton(['validate', 'no-such-series'], work);
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(
      'baton validate: no-such-series is not a folder: pass the series folder, the one that holds series.yaml and trainings/',
    );
  });
});

describe('loadSeries and loadParticipants', () => {
  it('load the example', async () => {
    const { series, trainings } = await loadSeries(EXAMPLE);
    expect([series.id, trainings.length]).toEqual(['q1-productivity', 4]);
    const participants = await loadParticipants(join(EXAMPLE, 'participants.csv'), series);
    expect(participants).toHaveLength(12);
  });

  it('throw a UserError that lists every problem as path:line', async () => {
    const dir = join(work, 'load-broken');
    cpSync(EXAMPLE, dir, { recursive: true });
    edit(join(dir, 'series.yaml'), 'id: q1-productivity', 'id: Q1 Productivity');
    edit(join(dir, 'trainings/02-company-communications.md'), 'title: Keeping', 'titel: Keeping');
    const error = await loadSeries(dir).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(error?.name).toBe('UserError');
    const lines = error!.message.split('\n');
    expect(lines[0]).toMatch(/the series in .*load-broken has 2 problems:$/);
    expect(lines[1]).toMatch(
      new RegExp(`load-broken/series\\.yaml:${lineOf(join(dir, 'series.yaml'), 'id: Q1')}:5: id "Q1 Productivity" must be lowercase letters, digits and dashes`),
    );
    expect(lines[2]).toMatch(/load-broken\/trainings\/02-company-communications\.md:2:1: unknown key "titel"/);

    const csv = join(dir, 'participants.csv');
    writeFileSync(csv, 'email,name\nkofi@example.com,\n');
    const csvError = await loadParticipants(csv, (await loadSeries(EXAMPLE)).series).catch((err: unknown) => err as Error);
    expect(csvError).toMatchObject({ name: 'UserError' });
    expect((csvError as Error).message).toMatch(/participants\.csv:2:18: the name is missing for kofi@example\.com/);
  });
});
