// Built messages are read back by mailparser (what the inbound side uses) and by Python's
// standard `email` package, a second implementation that shows the part tree exactly.
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import ICAL from 'ical.js';
import { focusCalendar, windowCalendar } from '#mail/calendar';
import type { Series } from '#core/model';
import { sanitizeLine } from '#core/sanitize';
import { buildMessage, encodeWords, formatAddress, quotedPrintable, quotedPrintableParts, type MessageInput } from '#mail/mime';

const ICS_REQUEST = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'PRODID:-//Baton//Test//EN',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:q1.t1.window@baton.example.com',
  'DTSTAMP:20270101T000000Z',
  'DTSTART;VALUE=DATE:20270121',
  'DTEND;VALUE=DATE:20270201',
  'SUMMARY:Zoë’s window',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');
const ICS_CANCEL = ICS_REQUEST.replace('METHOD:REQUEST', 'METHOD:CANCEL');

const html = `<!doctype html><html><body>${'<p style="margin:0 0 16px;font-family:Helvetica,Arial,sans-serif">Block an hour — “deep work” = focus 😀 before the inbox.</p>\n'.repeat(40)}<p>end </p></body></html>`;
const text = 'Hi Zoë,\n\nA line with trailing spaces   \n.a line starting with a dot\n' + 'word '.repeat(60) + '\nLast line with ünïcödé';

function message(overrides: Partial<MessageInput> = {}): MessageInput {
  return {
    from: { name: 'Juliet Chen via Baton', address: 'training@baton.example.com' },
    to: { name: 'Zoë "Z" Ærøskøbing', address: 'zoe@example.com' },
    replyTo: 'reply+abcdefgh234567@in.baton.example.com',
    subject: 'Training 2 of 4 — Keep up with company communications: “inbox zero” for teams across every time zone',
    date: new Date('2027-01-21T09:00:00Z'),
    messageId: '<training.q1-productivity.keep-up.abcdefgh@baton.example.com>',
    inReplyTo: '<thread.q1-productivity.keep-up@baton.example.com>',
    references: ['<thread.q1-productivity.keep-up@baton.example.com>', '<training.q1-productivity.keep-up.abcdefgh@baton.example.com>'],
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' },
    text,
    html,
    calendar: { method: 'REQUEST', ics: ICS_REQUEST },
    boundarySeed: 'training.q1-productivity.keep-up.abcdefgh',
    ...overrides,
  };
}

const PY_TREE = `
import email, email.policy, json, sys
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
def tree(part):
    node = {"type": part.get_content_type(), "params": dict(part["content-type"].params) if part["content-type"] else {},
            "disposition": part.get_content_disposition(), "filename": part.get_filename()}
    if part.is_multipart():
        node["parts"] = [tree(p) for p in part.iter_parts()]
    else:
        node["body"] = part.get_content() if part.get_content_maintype() == "text" else part.get_content().decode("utf-8")
    return node
print(json.dumps({"tree": tree(msg), "defects": [str(d) for p in msg.walk() for d in p.defects],
                  "subject": str(msg["subject"]), "to": str(msg["to"]), "from": str(msg["from"])}, ensure_ascii=False))
`;

interface PyNode {
  type: string;
  params: Record<string, string>;
  disposition: string | null;
  filename: string | null;
  parts?: PyNode[];
  body?: string;
}

function pythonView(raw: string): { tree: PyNode; defects: string[]; subject: string; to: string; from: string } {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_TREE], { input: raw, encoding: 'utf8' }));
}

const crlfToLf = (s: string): string => s.replace(/\r\n/g, '\n');

describe('buildMessage with a calendar', () => {
  const raw = buildMessage(message());

  it('has exactly mixed[ alternative[ text, html, calendar; method=REQUEST ], invite.ics ]', () => {
    const { tree, defects } = pythonView(raw);
    expect(defects).toEqual([]);
    expect(tree.type).toBe('multipart/mixed');
    expect(tree.parts!.map((p) => p.type)).toEqual(['multipart/alternative', 'application/ics']);
    const [alternative, attachment] = tree.parts!;
    expect(alternative!.parts!.map((p) => p.type)).toEqual(['text/plain', 'text/html', 'text/calendar']);
    expect(alternative!.parts![2]!.params).toMatchObject({ method: 'REQUEST', charset: 'UTF-8' });
    expect(crlfToLf(alternative!.parts![2]!.body!)).toBe(crlfToLf(ICS_REQUEST));
    expect(attachment).toMatchObject({ disposition: 'attachment', filename: 'invite.ics' });
    expect(attachment!.body).toBe(ICS_REQUEST);
    expect(crlfToLf(alternative!.parts![0]!.body!)).toBe(text);
    expect(crlfToLf(alternative!.parts![1]!.body!)).toBe(html);
  });

  it('decodes with mailparser: headers, non-ASCII names and subject, text, html, calendar', async () => {
    const mail = await simpleParser(raw);
    expect(mail.subject).toBe(message().subject);
    expect(mail.from?.value).toEqual([{ name: 'Juliet Chen via Baton', address: 'training@baton.example.com' }]);
    expect(mail.to).toMatchObject({ value: [{ name: 'Zoë "Z" Ærøskøbing', address: 'zoe@example.com' }] });
    expect(mail.replyTo?.value[0]?.address).toBe('reply+abcdefgh234567@in.baton.example.com');
    expect(mail.date?.toISOString()).toBe('2027-01-21T09:00:00.000Z');
    expect(mail.messageId).toBe('<training.q1-productivity.keep-up.abcdefgh@baton.example.com>');
    expect(mail.inReplyTo).toBe('<thread.q1-productivity.keep-up@baton.example.com>');
    expect(mail.references).toEqual(message().references);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.text).toBe(text);
    expect(mail.html).toBe(html);
    const calendars = mail.attachments.filter((a) => a.content.toString('utf8') === ICS_REQUEST);
    expect(calendars.map((a) => [a.contentType, a.filename ?? null])).toEqual([
      ['text/calendar', null],
      ['application/ics', 'invite.ics'],
    ]);
  });

  it('is 7-bit with CRLF line endings and body lines of at most 76 characters', () => {
    expect(/[^\x00-\x7f]/.test(raw)).toBe(false);
    expect(raw.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    const [head, ...body] = raw.split('\r\n\r\n');
    for (const line of head!.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
    for (const line of body.join('\r\n\r\n').split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
  });

  it('is deterministic: the same input gives the same bytes, another seed other boundaries', () => {
    expect(buildMessage(message())).toBe(raw);
    const other = buildMessage(message({ boundarySeed: 'reminder.q1.keep-up.zzzz' }));
    expect(other).not.toBe(raw);
    const unfold = (m: string): string => m.replace(/;\r\n boundary=/g, '; boundary=');
    expect(unfold(other).replace(/reminderq1keepupzzzz/g, 'trainingq1productivitykeepupabcdefgh')).toBe(unfold(raw));
  });

  it('says method=CANCEL for a cancellation, and refuses a method that differs from the ICS', () => {
    const { tree } = pythonView(buildMessage(message({ calendar: { method: 'CANCEL', ics: ICS_CANCEL } })));
    expect(tree.parts![0]!.parts![2]!.params.method).toBe('CANCEL');
    expect(() => buildMessage(message({ calendar: { method: 'CANCEL', ics: ICS_REQUEST } }))).toThrow(/METHOD:REQUEST/);
    expect(() => buildMessage(message({ calendar: { method: 'REQUEST', ics: 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n' } }))).toThrow(/\(none\)/);
  });
});

describe('buildMessage without a calendar', () => {
  it('is a multipart/alternative of text then html', async () => {
    const raw = buildMessage(message({ calendar: undefined }));
    const { tree, defects } = pythonView(raw);
    expect(defects).toEqual([]);
    expect(tree.type).toBe('multipart/alternative');
    expect(tree.parts!.map((p) => p.type)).toEqual(['text/plain', 'text/html']);
    const mail = await simpleParser(raw);
    expect(mail.attachments).toEqual([]);
    expect(mail.html).toBe(html);
  });
});

describe('headers', () => {
  it('keep a CR or LF in a value from starting a new header', async () => {
    const raw = buildMessage(message({ subject: 'Hello\r\nBcc: victim@example.com', headers: { 'X-Note': 'a\nX-Evil: 1' }, calendar: undefined }));
    const mail = await simpleParser(raw);
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-evil')).toBe(false);
    expect(mail.subject).toBe('Hello Bcc: victim@example.com');
  });

  it('refuse headers buildMessage owns, bad names and unencoded non-ASCII', () => {
    expect(() => buildMessage(message({ headers: { 'Content-Type': 'text/plain' } }))).toThrow(/set by buildMessage/);
    expect(() => buildMessage(message({ headers: { 'Bad Name': 'x' } }))).toThrow(/not a valid header name/);
    expect(() => buildMessage(message({ headers: { 'X-Name': 'Zoë' } }))).toThrow(/encodeWords/);
    expect(() => buildMessage(message({ to: 'not an address' }))).toThrow(/not an email address/);
    expect(() => buildMessage(message({ to: [] }))).toThrow(/at least one recipient/);
  });

  it('quote ASCII display names and encode the others', () => {
    expect(formatAddress({ name: 'Chen, Juliet', address: 'j@example.com' })).toBe('"Chen, Juliet" <j@example.com>');
    expect(formatAddress({ name: 'say "hi" \\o/', address: 'j@example.com' })).toBe('"say \\"hi\\" \\\\o/" <j@example.com>');
    expect(formatAddress({ name: 'Zoë', address: 'z@example.com' })).toBe('=?UTF-8?B?Wm/Dqw==?= <z@example.com>');
    expect(formatAddress('plain@example.com')).toBe('plain@example.com');
  });

  it('split long encoded subjects into words under 76 characters on character boundaries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 120 }), async (subject) => {
        // What is sent is the sanitised line (NFC, no controls, one space between words).
        const clean = sanitizeLine(subject);
        fc.pre(clean !== '');
        const encoded = encodeWords(clean);
        for (const word of encoded.split('\r\n ')) expect(word.length).toBeLessThanOrEqual(75);
        const mail = await simpleParser(buildMessage(message({ subject: clean, calendar: undefined })));
        expect(mail.subject).toBe(clean);
      }),
      { numRuns: 60 },
    );
  });
});

describe('quotedPrintable', () => {
  const PY_QP = `
import json, quopri, sys
print(json.dumps([quopri.decodestring(s.encode("ascii")).decode("utf-8") for s in json.load(sys.stdin)], ensure_ascii=False))
`;

  it('round-trips any text through Python\'s quopri, with valid lines (property)', () => {
    const samples = fc.sample(fc.string({ unit: 'binary', maxLength: 600 }).map((s) => s.replace(/[\ud800-\udfff]/g, '?')), { numRuns: 200, seed: 42 });
    samples.push('x'.repeat(300), '=' .repeat(100), ' '.repeat(80), 'a \r\nb\t\n', '😀'.repeat(40), 'é'.repeat(80));
    const encoded = samples.map(quotedPrintable);
    for (const qp of encoded) {
      expect(/[^\x20-\x7e\r\n\t]/.test(qp)).toBe(false);
      for (const line of qp.split('\r\n')) {
        expect(line.length).toBeLessThanOrEqual(76);
        expect(line).not.toMatch(/[ \t]$/);
        // A soft break never falls inside an encoded UTF-8 sequence's bytes.
        expect(line).not.toMatch(/=[CDEF][0-9A-F]=$|=[EF][0-9A-F]=[89AB][0-9A-F]=$|=F[0-7]=[89AB][0-9A-F]=[89AB][0-9A-F]=$/);
      }
    }
    const decoded = JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_QP], { input: JSON.stringify(encoded), encoding: 'utf8' })) as string[];
    // Line breaks come back as CRLF, as MIME requires; everything else exactly.
    expect(decoded).toEqual(samples.map((s) => s.replace(/\r?\n/g, '\r\n')));
  });

  it('encodes only what it must', () => {
    expect(quotedPrintable('plain text')).toBe('plain text');
    expect(quotedPrintable('a=b')).toBe('a=3Db');
    expect(quotedPrintable('end ')).toBe('end=20');
    expect(quotedPrintable('é')).toBe('=C3=A9');
    expect(quotedPrintable('x'.repeat(80))).toBe(`${'x'.repeat(75)}=\r\n${'x'.repeat(5)}`);
  });
});

describe('bodies given as template pieces', () => {
  const PY_QP = `
import json, quopri, sys
print(json.dumps([quopri.decodestring(s.encode("ascii")).decode("utf-8") for s in json.load(sys.stdin)], ensure_ascii=False))
`;
  const decode = (encoded: string[]): string[] =>
    JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_QP], { input: JSON.stringify(encoded), encoding: 'utf8' })) as string[];

  it('decode to the pieces joined, whatever the cut points (property)', () => {
    const samples = fc.sample(
      fc.array(fc.string({ unit: 'binary', maxLength: 900 }).map((s) => s.replace(/[\ud800-\udfff]/g, '?')), { maxLength: 6 }),
      { numRuns: 150, seed: 7 },
    );
    const static1 = `${'<td>static template text — reused </td>\n'.repeat(40)}`;
    samples.push([static1, 'Zoë', static1], ['line one\r', '\nline two '], ['trailing space ', 'x'], [static1, '\r', '\n', static1]);
    const encoded = samples.map((pieces) => quotedPrintableParts(pieces));
    for (const qp of encoded) for (const line of qp.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(decode(encoded)).toEqual(samples.map((pieces) => pieces.join('').replace(/\r?\n/g, '\r\n')));
  });

  it('give the same result whether a long piece is encoded fresh or remembered', () => {
    const piece = `<p>${'x'.repeat(700)} — ünïcödé</p>`;
    const first = quotedPrintableParts([piece, 'a']);
    expect(quotedPrintableParts([`${piece}`, 'a'])).toBe(first);
    expect(quotedPrintableParts([piece.slice(0), 'a'])).toBe(first);
    expect(first).toBe(`${quotedPrintable(piece)}=\r\na`);
  });

  it('carry a real training calendar end to end: MIME parser, then ical.js', async () => {
    const series: Series = {
      id: 'q1-productivity',
      title: 'Productivity',
      intro: '',
      trainers: [{ name: 'Juliet Chen', email: 'juliet@example.com', timeZone: 'Asia/Brunei' }],
      defaultTimeZone: 'UTC',
      defaultWorkStart: '09:00',
      policies: { reminderDaysBeforeClose: 3, followUpWeeksAfterClose: 3, digest: { day: 'mon', hour: 9 }, rollup: { day: 'fri', hour: 10 }, acknowledgeContributions: true },
    };
    const base = {
      series,
      training: { slug: 'keep-up', order: 2, title: 'Keep up', opens: '2027-03-13', closes: '2027-03-26', author: 'Juliet Chen', media: {}, body: '', strategies: [] },
      organizer: series.trainers[0]!,
      domain: 'baton.example.com',
      sequence: 0,
      dtstamp: new Date('2027-03-01T00:00:00Z'),
    };
    const zoe = { email: 'zoe@example.com', name: 'Zoë', timeZone: 'America/New_York', workStart: '09:00' };
    const ics = windowCalendar({ ...base, method: 'REQUEST' })(zoe);
    const focus = focusCalendar({ ...base, method: 'PUBLISH', minutes: 30 })(zoe);
    const raw = buildMessage(message({ calendar: { method: 'REQUEST', ics }, calendarFiles: [{ filename: 'focus.ics', ics: focus }], html: ['<p>Hi ', 'Zoë', '</p>'] }));
    const { tree, defects } = pythonView(raw);
    expect(defects).toEqual([]);
    expect(tree.parts!.map((p) => p.type)).toEqual(['multipart/alternative', 'application/ics', 'application/ics']);
    const mail = await simpleParser(raw);
    expect(mail.html).toBe('<p>Hi Zoë</p>');
    const inline = mail.attachments.find((a) => a.contentType === 'text/calendar');
    const root = new ICAL.Component(ICAL.parse(inline!.content.toString('utf8')));
    expect(root.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(root.getAllSubcomponents('vevent')).toHaveLength(1);
    const file = mail.attachments.find((a) => a.filename === 'focus.ics');
    const published = new ICAL.Component(ICAL.parse(file!.content.toString('utf8')));
    expect(published.getFirstPropertyValue('method')).toBe('PUBLISH');
    const hold = new ICAL.Event(published.getAllSubcomponents('vevent')[0]!);
    expect(hold.startDate.toJSDate().toISOString()).toBe('2027-03-15T13:00:00.000Z');
  });
});
