// Input the way trainers produce it (issue 17): CSVs saved by Excel, zones by today's names,
// YAML whose only fault is its indentation. Each case asserts the message the trainer reads.
import { describe, expect, it } from 'vitest';
import { decodeText } from '#core/text-encoding';
import { parseParticipantsCsv, sniffDelimiter } from '#core/participants';
import { FriendlyTimeZoneSchema, timeZoneMessage } from '#core/zones';
import { parseYaml } from '#core/front-matter';
import { planPublish } from '#core/publish-plan';
import type { Training } from '#core/model';

const defaults = { file: 'participants.csv', defaultTimeZone: 'Europe/London', defaultWorkStart: '09:00' };

describe('participants CSV as Excel saves it', () => {
  it('reads a semicolon file with a UTF-8 BOM', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('email;name;timeZone\r\nrosa@example.com;Rosa Martínez;Europe/Madrid\r\n"a@example.com";"Lee; Jr.";\r\n')]);
    const decoded = decodeText(bytes, 'participants.csv');
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(sniffDelimiter(decoded.text)).toBe(';');
    const result = parseParticipantsCsv(decoded.text, defaults);
    expect(result.errors).toEqual([]);
    expect(result.participants.map((p) => [p.email, p.name, p.timeZone])).toEqual([
      ['rosa@example.com', 'Rosa Martínez', 'Europe/Madrid'],
      ['a@example.com', 'Lee; Jr.', 'Europe/London'],
    ]);
  });

  it('keeps commas as the separator when the header has them, even with a semicolon in a name', () => {
    expect(sniffDelimiter('email,name\na@example.com,"x; y"\n')).toBe(',');
    expect(sniffDelimiter('"email;x",name,timeZone\n')).toBe(',');
  });

  it('converts Windows-1252 and says so, never producing a replacement sign', () => {
    const bytes = Buffer.from([...Buffer.from('email;name\nrosa@example.com;Rosa Mart'), 0xed, ...Buffer.from('nez\n')]);
    const decoded = decodeText(bytes, 'participants.csv');
    expect(decoded).toMatchObject({ ok: true, encoding: 'windows-1252' });
    if (!decoded.ok) return;
    expect(decoded.text).toContain('Rosa Martínez');
    expect(decoded.text).not.toContain('\uFFFD');
    expect(decoded.warning?.message).toMatch(/read as Windows-1252 .* converted; .*"CSV UTF-8 \(Comma delimited\)"/);
  });

  it('refuses bytes that are neither UTF-8 nor Windows-1252, with how to save the file', () => {
    const decoded = decodeText(Buffer.from([...Buffer.from('email,name\nx@example.com,A'), 0x81, 0x8d, 0x0a]), 'p.csv');
    expect(decoded).toMatchObject({ ok: false, error: { line: 2, message: expect.stringContaining('neither UTF-8 nor Windows-1252') } });
  });

  it('refuses a name that already lost a letter, at its line', () => {
    const decoded = decodeText(Buffer.from('email,name\nok@example.com,Ok\nr@example.com,Rosa Mart\uFFFDnez\n'), 'p.csv');
    expect(decoded).toMatchObject({ ok: false, error: { line: 3, message: expect.stringContaining('retype it') } });
  });

  it('refuses UTF-16 ("Unicode Text")', () => {
    const decoded = decodeText(Buffer.from([0xff, 0xfe, 0x65, 0x00]), 'p.csv');
    expect(decoded).toMatchObject({ ok: false, error: { message: expect.stringContaining('UTF-16') } });
  });
});

describe('time zones by today’s names', () => {
  it.each([
    ['Kolkata', 'Asia/Kolkata'],
    ['Calcutta', 'Asia/Kolkata'],
    ['Asia/Kolkatta', 'Asia/Kolkata'],
    ['Kyiv', 'Europe/Kyiv'],
    ['Kiev', 'Europe/Kyiv'],
    ['Ho Chi Minh', 'Asia/Ho_Chi_Minh'],
  ])('suggests %s -> %s', (input, zone) => {
    expect(timeZoneMessage(input)).toBe(`"${input}" is not a known time zone; did you mean "${zone}"?`);
  });

  it('accepts old and new names and stores the new one', () => {
    expect(FriendlyTimeZoneSchema.parse('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(FriendlyTimeZoneSchema.parse('europe/kyiv')).toBe('Europe/Kyiv');
    expect(FriendlyTimeZoneSchema.parse('Europe/Berlin')).toBe('Europe/Berlin');
  });
});

describe('YAML indentation', () => {
  it('points at a list item key indented one space short, without suggesting quotes', () => {
    const text = 'trainers:\n  - name: Maya\n    email: m@example.com\n  - name: Dan\n   email: d@example.com\n';
    const { problems } = parseYaml(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 5, message: 'this line is indented further than the line above, which does not start a group: indent it 4 spaces, like the key above it' });
    expect(problems[0]!.message).not.toMatch(/quote/);
  });

  it('points at a key indented too deep under a sibling, without suggesting quotes', () => {
    const text = 'policies:\n  digest:\n    day: monday\n      hour: 9\n';
    const { problems } = parseYaml(text);
    expect(problems[0]).toMatchObject({ line: 4, column: 7 });
    expect(problems[0]!.message).toContain('indent it 4 spaces');
    expect(problems[0]!.message).not.toMatch(/quote/);
  });

  it('points at a key shallower than any group above it', () => {
    const text = 'policies:\n    digest:\n      day: monday\n  rollup: 3\n';
    const { problems } = parseYaml(text);
    expect(problems[0]!.line).toBe(4);
    expect(problems[0]!.message).toMatch(/indent|same column/);
    expect(problems[0]!.message).not.toMatch(/quote/);
  });

  it('still suggests quotes when the value really holds ": "', () => {
    const { problems } = parseYaml('title: Q1: productivity\n');
    expect(problems[0]!.message).toMatch(/quotes/);
  });

  it('leaves block text alone', () => {
    expect(parseYaml('intro: |\n  Hello\n      indented code\n  back\ntitle: x\n').problems).toEqual([]);
  });
});

describe('the publish plan', () => {
  const training = (order: number, opens: string, closes: string): Training =>
    ({ order, slug: `t${order}`, title: `T${order}`, opens, closes }) as Training;
  const people = Array.from({ length: 12 }, (_, i) => ({ email: `p${i}@example.com`, timeZone: 'Europe/London', workStart: '09:00' }));
  const series = { defaultTimeZone: 'Europe/London' };
  const now = new Date('2027-01-10T12:00:00Z');

  it('says who gets what on a first publish', () => {
    const plan = planPublish({ series, trainings: [1, 2, 3, 4].map((n) => training(n, `2027-0${n}-21`, `2027-0${n}-28`)), participants: people, newcomers: people, now });
    expect(plan.errors).toEqual([]);
    expect(plan.lines[0]).toBe('kickoff goes out now to 12 people');
    expect(plan.lines[1]).toBe('training 1 "T1" on Thu 21 Jan at each person\'s 09:00, open until Thu 28 Jan 2027');
    expect(plan.lines.at(-1)).toBe('4 trainings, 48 calendar invitations');
  });

  it('refuses a window already closed, and warns about one already open', () => {
    const plan = planPublish({ series, trainings: [training(1, '2027-01-01', '2027-01-05'), training(2, '2027-01-08', '2027-01-20')], participants: people, newcomers: people, now });
    expect(plan.errors).toEqual([expect.stringMatching(/^training 1 "T1" closed on Tue 5 Jan 2027, so it would be announced and never sent: move its opens\/closes to future dates in trainings\/01-t1\.md/)]);
    expect(plan.warnings).toEqual([expect.stringMatching(/^training 2 "T2" opened on Fri 8 Jan 2027: it goes out now to the 12 people whose window has opened, with 11 days left/)]);
  });

  it('on a re-publish names the people a moved training reaches, and lets a past window be', () => {
    const before = [training(1, '2027-01-01', '2027-01-05'), training(2, '2027-02-01', '2027-02-10')];
    const after = [before[0]!, training(2, '2027-02-01', '2027-02-12')];
    const plan = planPublish({ series, trainings: after, participants: people, newcomers: [], previous: before, now });
    expect(plan.errors).toEqual([]);
    expect(plan.lines).toEqual(['12 people get an updated invitation for training 2 (now Mon 1 Feb – Fri 12 Feb 2027, was Mon 1 Feb – Wed 10 Feb 2027)']);
  });
});

describe('YAML: an unclosed bracket is not an indentation slip', () => {
  it('keeps the bracket hint', () => {
    const { problems } = parseYaml('policies:\n  encourage: [2, 4\n    atLeast: 2\n');
    expect(problems[0]!.message).toMatch(/bracket or quote that is not closed/);
  });
});
