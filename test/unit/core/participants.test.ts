import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseCsv, parseParticipantsCsv } from '#core/participants';

const EXAMPLE_CSV = join(import.meta.dirname, '../../../examples/q1-productivity/participants.csv');
const options = { file: 'participants.csv', defaultTimeZone: 'Europe/London', defaultWorkStart: '09:00' };

describe('parseParticipantsCsv on the example', () => {
  const result = parseParticipantsCsv(readFileSync(EXAMPLE_CSV, 'utf8'), options);

  it('reads twelve participants across the seed time zones without problems', () => {
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.participants).toHaveLength(12);
    const zones = new Set(result.participants.map((p) => p.timeZone));
    for (const zone of [
      'America/Los_Angeles',
      'America/New_York',
      'Europe/London',
      'Europe/Berlin',
      'Africa/Accra',
      'Asia/Dubai',
      'Asia/Brunei',
      'Asia/Bangkok',
      'Australia/Sydney',
      'Australia/Perth',
    ]) {
      expect(zones).toContain(zone);
    }
  });

  it('keeps a quoted name with a comma and fills empty cells with the defaults', () => {
    expect(result.participants).toContainEqual({
      email: 'marcus.lee@example.com',
      name: 'Marcus Lee, Jr.',
      timeZone: 'America/New_York',
      workStart: '09:00',
    });
    expect(result.participants).toContainEqual({
      email: 'hannah.price@example.org',
      name: 'Hannah Price',
      timeZone: 'Europe/London',
      workStart: '09:00',
    });
  });
});

describe('parseParticipantsCsv', () => {
  it('accepts columns in any order, header aliases, BOM, CRLF and friendly times', () => {
    const text = '\uFEFFName,Time zone,E-mail,Work start\r\n"Doe, ""JD"" Jane",asia/brunei,JANE@Example.com,9am\r\n\r\nKofi,,kofi@example.com,13:30\r\n';
    const result = parseParticipantsCsv(text, { ...options, defaultTimeZone: 'Africa/Accra', defaultWorkStart: '08:00' });
    expect(result.errors).toEqual([]);
    expect(result.participants).toEqual([
      { email: 'jane@example.com', name: 'Doe, "JD" Jane', timeZone: 'Asia/Brunei', workStart: '09:00' },
      { email: 'kofi@example.com', name: 'Kofi', timeZone: 'Africa/Accra', workStart: '13:30' },
    ]);
  });

  it('reports each bad row at its line and column, and keeps the good ones', () => {
    const text = [
      'email,name,timeZone,workStart', // 1
      'ok@example.com,Ok Person,Europe/Berlin,08:00', // 2
      'not-an-address,Bad Address,,', // 3
      'zone@example.com,Zone Typo,Asia/Brunie,', // 4
      'time@example.com,Bad Time,,25:00', // 5
      'noname@example.com,,,', // 6
      'OK@example.com,Ok Again,,', // 7
      'extra@example.com,Lee, Jr.,Europe/Berlin,08:00', // 8
      ',Nobody,,', // 9
    ].join('\n');
    const result = parseParticipantsCsv(text, options);
    expect(result.participants.map((p) => p.email)).toEqual(['ok@example.com']);
    expect(result.errors).toEqual([
      {
        file: 'participants.csv',
        line: 3,
        column: 1,
        message: '"not-an-address" is not a valid email address: correct it or remove the row',
      },
      {
        file: 'participants.csv',
        line: 4,
        column: 28,
        message: 'timeZone "Asia/Brunie" is not a known time zone; did you mean "Asia/Brunei"?',
      },
      {
        file: 'participants.csv',
        line: 5,
        column: 28,
        message: 'workStart "25:00" is not a time: write it 24-hour as HH:MM, such as 08:30',
      },
      {
        file: 'participants.csv',
        line: 6,
        column: 20,
        message: 'the name is missing for noname@example.com: add it as it should appear in greetings',
      },
      {
        file: 'participants.csv',
        line: 7,
        column: 1,
        message: 'ok@example.com is listed twice, on lines 2 and 7: keep one of the two rows',
      },
      {
        file: 'participants.csv',
        line: 8,
        column: 1,
        message:
          'this row has 5 values but the header has 4 columns: put a value that contains a comma in double quotes, such as "Mensah, Kwame"',
      },
      {
        file: 'participants.csv',
        line: 9,
        column: 1,
        message: "the email is missing: add the participant's address or remove the row",
      },
    ]);
  });

  it('explains an abbreviation given as a time zone', () => {
    const result = parseParticipantsCsv('email,name,timeZone\na@example.com,A,EST\n', options);
    expect(result.errors.map((e) => e.message)).toEqual([
      'timeZone "EST" is an abbreviation, not a time zone, and cannot follow daylight saving time: write a Region/City name such as "America/New_York"',
    ]);
  });

  it('asks for a header row when the first line is a participant', () => {
    const result = parseParticipantsCsv('a@example.com,A,Europe/Berlin,09:00\n', options);
    expect(result.participants).toEqual([]);
    expect(result.errors).toEqual([
      {
        file: 'participants.csv',
        line: 1,
        column: 1,
        message:
          'the first line must be a header row naming the columns, such as "email,name,timeZone,workStart"; this one looks like a participant: insert the header above it',
      },
    ]);
  });

  it('names a missing column and warns about ignored ones', () => {
    expect(parseParticipantsCsv('email,timeZone\na@example.com,UTC\n', options).errors[0]!.message).toBe(
      'the header row has no name column: it must name the columns, such as "email,name,timeZone,workStart"',
    );
    const extra = parseParticipantsCsv('email,name,office\na@example.com,A,Lisbon\n', options);
    expect(extra.errors).toEqual([]);
    expect(extra.participants).toHaveLength(1);
    expect(extra.warnings).toEqual([
      expect.objectContaining({ line: 1, column: 12, message: expect.stringContaining('the column "office" is not used') }),
    ]);
  });

  it('reports a quote that is never closed at the line it opened', () => {
    const result = parseParticipantsCsv('email,name\na@example.com,A\nb@example.com,"B\nc@example.com,C\n', options);
    expect(result.errors).toEqual([
      {
        file: 'participants.csv',
        line: 3,
        column: 15,
        message: 'a quoted value is never closed: add the missing " (a quote inside a quoted value is written "")',
      },
    ]);
    expect(result.participants.map((p) => p.email)).toEqual(['a@example.com']);
  });

  it('refuses a name over 200 characters at its line and column, and keeps names up to 200', () => {
    const text = ['email,name', `a@example.com,${'A'.repeat(200)}`, `b@example.com,${'B'.repeat(201)}`, `c@example.com,"${'Ḥ'.repeat(5000)}"`].join('\n');
    const result = parseParticipantsCsv(text, options);
    expect(result.participants.map((p) => p.email)).toEqual(['a@example.com']);
    expect(result.errors).toEqual([
      {
        file: 'participants.csv',
        line: 3,
        column: 15,
        message: 'the name for b@example.com is 201 characters long; names can be at most 200 (they appear in the To: line and every greeting): shorten it',
      },
      expect.objectContaining({ line: 4, column: 15, message: expect.stringMatching(/^the name for c@example.com is 5000 characters long/) as unknown as string }),
    ]);
  });

  it('stores names as they will be shown: no controls, bidi overrides or line breaks, other scripts intact', () => {
    const names = ['Nurul Ḥāfiẓah', 'สมชาย ใจดี', 'محمد‌رضا', '山田 太郎', 'Ana 👩‍💻 Reyes'];
    const text = ['email,name', ...names.map((n, i) => `p${i}@example.com,${n}`), 'x@example.com,"Eve\u0000 \u202eRe: invoice\u202c\n Smith"'].join('\n');
    const parsed = parseParticipantsCsv(text.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), options);
    expect(parsed.errors).toEqual([]);
    expect(parsed.participants.map((p) => p.name)).toEqual([...names, 'Eve Re: invoice Smith']);
  });

  it('counts a name of only invisible characters as missing', () => {
    const result = parseParticipantsCsv('email,name\na@example.com,\u202e\u200b\u2066\n', options);
    expect(result.errors[0]!.message).toMatch(/^the name is missing for a@example.com/);
  });

  it('warns about an empty file instead of failing', () => {
    expect(parseParticipantsCsv('', options)).toMatchObject({ participants: [], errors: [], warnings: [expect.anything()] });
    expect(parseParticipantsCsv('email,name\n', options).warnings[0]!.message).toContain('no participants');
  });
});

describe('parseCsv', () => {
  const encode = (field: string) => (/[",\r\n]/.test(field) || field === '' ? `"${field.replace(/"/g, '""')}"` : field);

  it('reads back any table written with RFC 4180 quoting, with any line ending', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'é', ' ', ',', '"', '\n', 'x', '1') , maxLength: 8 });
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }).chain((width) =>
          fc.tuple(fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 6 }), fc.constantFrom('\n', '\r\n', '\r')),
        ),
        ([rows, eol]) => {
          // Rows of only empty cells are skipped by design, as spreadsheets leave them behind.
          const kept = rows.filter((r) => r.some((c) => c.trim() !== ''));
          const text = rows.map((r) => r.map(encode).join(',')).join(eol) + eol;
          const parsed = parseCsv(text);
          expect(parsed.error).toBeUndefined();
          expect(parsed.records.map((r) => r.fields.map((f) => f.value))).toEqual(kept);
        },
      ),
    );
  });

  it('counts lines inside quoted values', () => {
    const { records } = parseCsv('a,"multi\nline"\r\nb,c\n');
    expect(records.map((r) => [r.line, r.fields.map((f) => [f.line, f.column])])).toEqual([
      [1, [[1, 1], [1, 3]]],
      [3, [[3, 1], [3, 3]]],
    ]);
  });
});

describe('the optional team column', () => {
  it('reads a team (or its spreadsheet names), leaves it out when empty, and refuses one too long, with its line', () => {
    const long = 'x'.repeat(101);
    const text = `email,name,timeZone,workStart,Department\nana@example.com,Ana,Europe/Madrid,09:00,  Platform  \nbo@example.com,Bo,Europe/Stockholm,09:00,\ncy@example.com,Cy,Europe/Paris,09:00,${long}\n`;
    const result = parseParticipantsCsv(text, options);
    expect(result.participants.map((p) => [p.email, p.team])).toEqual([
      ['ana@example.com', 'Platform'],
      ['bo@example.com', undefined],
    ]);
    expect('team' in result.participants[1]!).toBe(false);
    expect(result.errors).toEqual([expect.objectContaining({ line: 4, message: expect.stringMatching(/team .* longer than 100 characters/) })]);
  });
});
