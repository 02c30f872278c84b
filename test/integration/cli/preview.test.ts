// `baton preview` as a trainer runs it: every email of the example for one participant, as files
// that open in a browser, a mail client and a calendar.
import { afterAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { previewMails } from '#cli/commands/preview';
import { pythonIcal } from '#test/support/python-ical';
import { outsideCi } from '#test/support/terminal';
import { parseParticipantsCsv } from '#core/participants';
import { MAX_NAME_LENGTH, sanitizeLine } from '#core/sanitize';

const root = join(import.meta.dirname, '..', '..', '..');
const out = mkdtempSync(join(tmpdir(), 'baton-preview-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('baton preview', () => {
  it('writes .html, .txt, .ics and .eml for the kickoff and each training, and in a pipe prints only its report', async () => {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['cli/baton.js', 'preview', 'examples/q1-productivity', '--out', out, '--participant', 'chloe.nguyen@example.com'], {
      cwd: root,
      env: outsideCi(process.env),
      encoding: 'utf8',
    });
    expect(stdout).toMatch(/^Previewed 12 emails for Chloe Nguyen/);
    // In a pipe, as scripts run it (CI unset, so the pipe alone keeps it quiet): no progress line
    // (progress.test.ts has the terminal).
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/[\r\x1b]/);
    const files = readdirSync(out).sort();
    for (const name of ['00-kickoff', '01-productive-one-on-ones', '04-product-launch']) {
      for (const ext of ['eml', 'html', 'txt', 'ics']) expect(files).toContain(`${name}.${ext}`);
    }
    for (const file of files.filter((f) => f.endsWith('.html') || f.endsWith('.txt'))) {
      expect(readFileSync(join(out, file), 'utf8'), file).not.toMatch(/\{\{|\bundefined\b|\bNaN\b/);
    }
    const eml = await simpleParser(readFileSync(join(out, '01-productive-one-on-ones.eml')));
    expect(eml.subject).toBe('A productive 1:1 sync with your manager (training 1 of 4)');
    expect(eml.to && 'text' in eml.to ? eml.to.text : '').toContain('chloe.nguyen@example.com');
  });

  it('writes every later kind too, named by kind and training, in the order they would be sent', async () => {
    const later = [
      '05-reminder-productive-one-on-ones',
      '06-rollup',
      '07-ack-productive-one-on-ones',
      '08-upload-link-productive-one-on-ones',
      '09-follow-up-productive-one-on-ones',
      '10-digest',
      '11-wrap-up',
    ];
    const files = readdirSync(out);
    for (const name of later) {
      for (const ext of ['eml', 'html', 'txt']) expect(files).toContain(`${name}.${ext}`);
      // Only kickoff and training mails carry calendars.
      expect(files).not.toContain(`${name}.ics`);
    }
    const mail = async (name: string) => simpleParser(readFileSync(join(out, `${name}.eml`)));
    const to = (m: Awaited<ReturnType<typeof mail>>) => (m.to && 'text' in m.to ? m.to.text : '');

    // Sent at 08:30 Sydney three days before the window closes (31 Jan), with teammates' words.
    const reminder = await mail(later[0]!);
    expect(reminder.subject).toBe('Open until Sunday 31 January: A productive 1:1 sync with your manager');
    expect(reminder.date?.toISOString()).toBe('2027-01-27T21:30:00.000Z');
    expect(reminder.text).toMatch(/What your teammates shared so far\n-+\n\n- \S+ (shared a strategy|will try #\d)/);
    expect(reminder.text).not.toContain('Nobody has shared anything');

    const rollup = await mail(later[1]!);
    expect(rollup.text).toMatch(/\d+ contributions from your teammates came in this week/);
    expect(rollup.text).toContain('Kudos (one click): http://');
    expect(rollup.text).not.toContain('Chloe Nguyen shared');

    const ack = await mail(later[2]!);
    expect(ack.subject).toBe('Re: A productive 1:1 sync with your manager');
    expect(ack.text).toMatch(/read\s+it\s+as\s+your\s+adoption\s+of\s+#1/);
    expect((await mail(later[3]!)).text).toContain('over the 10 MB limit');

    const followUp = await mail(later[4]!);
    expect(followUp.subject).toMatch(/^How did ".+" work for you\?$/);
    expect(followUp.text).toContain('3 weeks ago the window for training 1 of 4 closed');

    // The digest is the trainers': to the first trainer, with a trainer's marker and footer.
    const digest = await mail(later[5]!);
    expect(to(digest)).toContain('maya.okafor@example.com');
    expect(digest.text).toMatch(/^For the trainers of this series/);
    expect(digest.text).not.toContain('taking part');
    expect(digest.text).not.toContain('Reply above this line');
    expect(digest.text).toMatch(/Goal: \d+ of \d+ contributed/);
    expect(digest.text).toMatch(/NOT ENGAGED YET \([1-9]/);
    expect(digest.text).toContain('FOLLOW-UP RATINGS');

    const wrapUp = await mail(later[6]!);
    expect(wrapUp.subject).toContain('thank you, and what we shared');
    expect(wrapUp.text).toContain('You contributed to 1 of the 4 trainings');
  });

  it('writes calendars that python3-icalendar reads, one UID each, with the focus hold at 08:30 in Sydney', async () => {
    const all = readdirSync(out).filter((f) => f.endsWith('.ics')).sort();
    // Every calendar in one question to one python3 (test/support/python-ical.ts).
    const python = pythonIcal();
    const parsed = await python.parse(...all.map((f) => readFileSync(join(out, f), 'utf8'))).finally(() => python.close());
    const read = (file: string) => {
      if (!all.includes(file)) throw new Error(`preview wrote no ${file}`);
      return parsed[all.indexOf(file)]!;
    };
    for (const file of all) expect(new Set(read(file).events.map((e) => e.uid)).size, file).toBe(1);

    const training = read('01-productive-one-on-ones.ics');
    expect(training.method).toBe('REQUEST');
    expect(training.events[0]!.uid).toContain('.window@');
    const focus = read('01-productive-one-on-ones--focus.ics');
    expect(focus.method).toBe('PUBLISH');
    // 2027-01-21 08:30 in Sydney (AEDT, UTC+11) is 2027-01-20 21:30 UTC.
    expect(focus.events[0]!.dtstart).toEqual({ kind: 'instant', value: '2027-01-20T21:30:00Z' });
    const kickoff = all.filter((f) => f.startsWith('00-kickoff')).map(read);
    expect(kickoff.map((k) => k.method)).toEqual(['PUBLISH', 'PUBLISH', 'PUBLISH', 'PUBLISH']);
    expect(kickoff.map((k) => k.events[0]!.dtstart.value).sort()).toEqual(['2027-01-21', '2027-01-31', '2027-02-14', '2027-02-28']);
    expect(kickoff.map((k) => k.events[0]!.dtstart.kind)).toEqual(['date', 'date', 'date', 'date']);
  });

  it('names a participant who is not in the CSV', () => {
    expect(() =>
      execFileSync(process.execPath, ['cli/baton.js', 'preview', 'examples/q1-productivity', '--out', out, '--participant', 'nobody@example.com'], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
      }),
    ).toThrow(/nobody@example.com is not in examples\/q1-productivity\/participants.csv/);
  });
});

// The longest and nastiest names `validate` accepts, through every kind of email preview writes
// (the same prepare* functions sending uses), with a non-ASCII series title: the local links are
// http, so this also covers the List-Id written without listHeaders.
describe('baton preview with hostile names and a non-ASCII title', () => {
  const BAD = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/;
  // The seed repeated to the longest raw text whose sanitised form still fits `length`.
  const fill = (seed: string, length: number): string => {
    const long = seed.repeat(Math.ceil((3 * length) / seed.length));
    let n = length;
    while (sanitizeLine(long.slice(0, n + 1)).length <= length && n < long.length) n++;
    return long.slice(0, n);
  };
  const hostile = [
    { email: 'long@example.com', name: 'A'.repeat(200) },
    { email: 'mixed@example.com', name: fill('\u202e"=?UTF-8?B?QWRtaW4=?=" <admin@evil.example>,\u0000\r\nBcc: x@evil.example <script>alert(1)</script> ', 200) },
    { email: 'scripts@example.com', name: fill('Nurul Ḥāfiẓah สมชาย محمد‌رضا 山田太郎 👩‍💻\u2066 ', 200) },
  ];
  // series.yaml counts the name as written (invisible characters too), so 200 raw characters.
  const trainerName = 'Maya \u202eOkafor\u0007 "the trainer" '.repeat(10).slice(0, 200).trim();
  const title = fill('Produktivität — 生産性 \u202e', 300);
  const dir = mkdtempSync(join(tmpdir(), 'baton-hostile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts these names in validate, and keeps every header line within 998 octets and free of controls', async () => {
    cpSync(join(root, 'examples', 'q1-productivity'), dir, { recursive: true });
    const yaml = readFileSync(join(dir, 'series.yaml'), 'utf8')
      .replace(/^title: .*$/m, `title: ${JSON.stringify(title)}`)
      .replace('  - name: Maya Okafor', `  - name: ${JSON.stringify(trainerName)}`);
    writeFileSync(join(dir, 'series.yaml'), yaml);
    const csv = ['email,name', ...hostile.map((p) => `${p.email},"${p.name.replace(/"/g, '""')}"`)].join('\n');
    writeFileSync(join(dir, 'participants.csv'), csv);
    const checked = parseParticipantsCsv(csv, { file: 'participants.csv', defaultTimeZone: 'UTC', defaultWorkStart: '09:00' });
    expect(checked.errors).toEqual([]);
    expect(Math.max(...checked.participants.map((p) => p.name.length))).toBe(MAX_NAME_LENGTH);

    let longest = 0;
    for (const person of hostile) {
      const preview = await previewMails(dir, { participant: person.email });
      expect(preview.mails.length).toBeGreaterThanOrEqual(9);
      for (const { name, mail } of preview.mails) {
        const head = mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'));
        for (const line of head.split('\r\n')) {
          longest = Math.max(longest, Buffer.byteLength(line));
          expect(Buffer.byteLength(line), `${name}: ${line.slice(0, 60)}`).toBeLessThanOrEqual(998);
          expect(line, name).toMatch(/^[\x20-\x7e]*$/);
        }
        const parsed = await simpleParser(mail.raw);
        expect(parsed.headers.has('bcc'), name).toBe(false);
        for (const shown of [parsed.subject, parsed.to && 'text' in parsed.to ? parsed.to.text : '', parsed.from?.text]) expect(shown, name).not.toMatch(BAD);
        // Names land in greetings and roll-ups escaped, never as markup.
        expect(typeof parsed.html === 'string' ? parsed.html : '', name).not.toContain('<script>alert(1)');
      }
    }
    // Addresses and URLs are the only unfoldable tokens; everything the names add folds.
    expect(longest).toBeLessThan(200);
  }, 120_000);
});
