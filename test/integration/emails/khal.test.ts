// A real calendar store plays a participant's season: the kickoff's overview, two trainings, the
// first one moved, the last one cancelled. Every calendar file those emails carry is imported, in
// sending order, with khal (Debian package) into a temporary vdir under a temporary config (never
// the user's own), and what the calendar finally shows is read back from khal itself.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Participant, Training } from '#core/model';
import { participantKey } from '#core/short-key';
import { calendarMails, calendarsOf, exampleSeries, moved, SETTINGS } from '#test/support/every-kind';

const dir = mkdtempSync(join(tmpdir(), 'baton-khal-'));
const vdir = join(dir, 'calendar');
const config = join(dir, 'khal.conf');

function khal(...args: string[]): string {
  // XDG paths point into the temporary folder too, so khal cannot read or write the user's files.
  const env = { ...process.env, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir, TZ: 'UTC' };
  return execFileSync('khal', ['-c', config, ...args], { encoding: 'utf8', env });
}

interface Shown {
  uid: string;
  start: string;
  end: string;
  title: string;
  status: string;
}

let shown: Shown[];
let person: Participant;
let trainings: Training[];

beforeAll(async () => {
  writeFileSync(
    config,
    [
      '[calendars]',
      '[[baton]]',
      `path = ${vdir}`,
      'type = calendar',
      '[locale]',
      'timeformat = %H:%M',
      'dateformat = %Y-%m-%d',
      'longdateformat = %Y-%m-%d',
      'datetimeformat = %Y-%m-%d %H:%M',
      'longdatetimeformat = %Y-%m-%d %H:%M',
      'local_timezone = UTC',
      'default_timezone = UTC',
      '[default]',
      'default_calendar = baton',
      '',
    ].join('\n'),
  );
  const example = await exampleSeries();
  trainings = example.trainings;
  person = example.participants.find((p) => p.timeZone === 'Asia/Brunei')!;
  // The season without the removal: that one is checked on its own below.
  const mails = (await calendarMails(person)).filter((m) => m.kind !== 'removed' && m.kind !== 'calendars-off');
  const files: string[] = [];
  for (const mail of mails) {
    for (const cal of await calendarsOf(mail.raw)) {
      if (cal.filename === '(inline)') continue; // the same object as invite.ics
      const file = join(dir, `${String(files.length).padStart(2, '0')}-${mail.name}-${cal.filename}`);
      writeFileSync(file, cal.text);
      files.push(file);
    }
  }
  importInOrder(files);
  shown = listAll();
}, 60_000);

/**
 * One khal run imports the files one after another, each as its own `khal import` would (khal's
 * import_ics loops over its arguments in order, creating or updating by UID): a run per file was
 * most of this test's time, nearly all of it Python starting and reading its caches again.
 */
function importInOrder(files: readonly string[]): void {
  khal('import', '--batch', '-a', 'baton', ...files);
}

function listAll(): Shown[] {
  const out = khal('list', '--once', '--day-format', '', '--format', '{uid}\t{start}\t{end}\t{title}\t{status}', '2026-01-01', '2028-12-31');
  return out
    .split('\n')
    .filter((line) => line.includes('\t'))
    .map((line) => {
      const [uid, start, end, title, status] = line.split('\t');
      return { uid: uid!, start: start!, end: end!, title: title!, status: status!.trim() };
    });
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kickoff → training → update → cancel, as khal stores them', () => {
  const windowUid = (t: Training) => `q1-productivity.${t.slug}.window@${SETTINGS.domain}`;
  const focusUid = (t: Training) => `q1-productivity.${t.slug}.focus.${participantKey('q1-productivity', person.email)}@${SETTINGS.domain}`;

  it('shows every window and every focus hold exactly once', () => {
    const uids = shown.map((s) => s.uid);
    expect(uids.length).toBe(new Set(uids).size);
    expect(new Set(uids)).toEqual(new Set([...trainings.map(windowUid), focusUid(trainings[0]!), focusUid(trainings[1]!)]));
    // One file per calendar object in the store too.
    expect(readdirSync(vdir).filter((f) => f.endsWith('.ics'))).toHaveLength(uids.length);
  });

  it('shows the first training where it moved to: its window and its focus hold', () => {
    const after = moved(trainings[0]!);
    const window = shown.find((s) => s.uid === windowUid(trainings[0]!))!;
    // khal prints an all-day event's last day (DTEND is exclusive).
    expect([window.start, window.end, window.status]).toEqual([after.opens, after.closes, 'CONFIRMED']);
    const focus = shown.find((s) => s.uid === focusUid(trainings[0]!))!;
    // Brunei is UTC+8 and works Monday to Friday by default: 08:30 local on the moved window's first working day.
    expect(focus.start.slice(0, 10) >= after.opens).toBe(true);
    expect(focus.start).not.toBe(shown.find((s) => s.uid === focusUid(trainings[1]!))!.start);
    expect(focus.start.slice(11)).toBe(`${String(Number(person.workStart.slice(0, 2)) - 8).padStart(2, '0')}:${person.workStart.slice(3)}`);
  });

  it('shows the second training as its email placed it, and the third as the kickoff published it', () => {
    for (const t of [trainings[1]!, trainings[2]!]) {
      const window = shown.find((s) => s.uid === windowUid(t))!;
      expect([window.start, window.end, window.status]).toEqual([t.opens, t.closes, 'CONFIRMED']);
    }
  });

  it('shows the cancelled training as cancelled, not as a live entry', () => {
    const last = trainings.at(-1)!;
    const window = shown.find((s) => s.uid === windowUid(last))!;
    expect(window.status).toBe('CANCELLED');
    expect(window.title).toMatch(/^Cancelled: /);
  });

  it('then, removed from the series, shows every window and hold cancelled and none twice', async () => {
    const removed = (await calendarMails(person)).find((m) => m.kind === 'removed')!;
    const files: string[] = [];
    for (const cal of await calendarsOf(removed.raw)) {
      if (cal.filename === '(inline)') continue;
      const file = join(dir, `removed-${files.length}-${cal.filename}`);
      writeFileSync(file, cal.text);
      files.push(file);
    }
    importInOrder(files);
    const after = listAll();
    expect(after.map((s) => s.uid).sort()).toEqual(shown.map((s) => s.uid).sort());
    expect(after.map((s) => [s.uid, s.status]).filter(([, status]) => status !== 'CANCELLED')).toEqual([]);
  });
});
