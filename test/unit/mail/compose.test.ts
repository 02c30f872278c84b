// Hostile names and subjects through the real compose path (the ack, whose subject is whatever the
// replier wrote) and read back by mailparser, an independent parser: every header line stays
// within RFC 5322's 998 octets (and our 78 where it can fold), no control or bidi character
// reaches a header, and what a client shows is exactly the sanitised text.
import fc from 'fast-check';
import { simpleParser, type AddressObject } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { sampleSeries, sampleTrainings } from '#emails/sample';
import { prepareAckSend, type MailSettings } from '#mail/compose';
import type { Participant, Series } from '#core/model';
import { MAX_NAME_LENGTH, sanitizeLine } from '#core/sanitize';

const settings = (https: boolean): MailSettings => ({
  domain: 'baton.example.com',
  inboundDomain: 'reply.baton.example.com',
  senderAddress: 'Baton <training@baton.example.com>',
  linksBaseUrl: https ? 'https://links.baton.example.com' : 'http://localhost:8787',
  secrets: 'compose-test-secret-0123456789abcdef',
});
const training = sampleTrainings[0]!;
const now = new Date('2027-01-25T10:00:00Z');

// Characters that have hurt mail headers: C0/C1 controls, NUL, CR/LF, bidi overrides and
// isolates, line separators, zero-width and BOM, quotes and specials, "=?" that decoders act on.
const NASTY = [
  ...'\u0000\u0001\u0007\b\t\n\v\f\r\u001b\u007f\u0085\u009b\u00a0\u00ad\u061c\u180e\u200b\u200c\u200d\u200e\u200f',
  ...'\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff\ufffd\ud800\udfff',
  '"', '\\', '<', '>', '@', ',', ';', ':', '(', ')', '=?', '?=', '=?UTF-8?B?QWRtaW4=?=', ' ', '  ',
  'Ḥ', 'ā', 'ẓ', 'ก', 'ไ', 'ع', 'م', '山', '田', '👩‍💻', '🏳️‍🌈', 'e\u0301',
];
const nastyText = (maxLength: number) =>
  fc.oneof(
    fc.string({ unit: fc.oneof(fc.constantFrom(...NASTY), fc.constantFrom(...'abcXYZ .'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    // One long word: ASCII without spaces cannot fold and must be encoded.
    fc.integer({ min: 1, max: maxLength }).map((n) => 'A'.repeat(n)),
  );

const BAD_IN_HEADER = /[\u0000-\u001f\u007f-\u009f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060\u2066-\u2069\ufeff]/;

function headLines(raw: string): string[] {
  return raw.slice(0, raw.indexOf('\r\n\r\n')).split('\r\n');
}
/** Folded to 78 except where a line is one token with nowhere to fold (addresses, ids, URLs). */
function expectFolded(line: string): void {
  expect(Buffer.byteLength(line), line).toBeLessThanOrEqual(998);
  if (line.length > 78) expect(line.replace(/^[!-9;-~]+: /, '').trim(), line).not.toMatch(/ /);
}
const firstAddress = (a: AddressObject | AddressObject[] | undefined) => (Array.isArray(a) ? a[0] : a)?.value[0];

function ackFor(name: string, trainerName: string, title: string, subject: string, https: boolean) {
  const series: Series = { ...sampleSeries, title, trainers: [{ ...sampleSeries.trainers[0]!, name: trainerName }] };
  const participant: Participant = { email: 'ana@example.com', name, timeZone: 'Europe/London', workStart: '09:00' };
  const compose = prepareAckSend({ series, training, trainings: sampleTrainings, template: undefined, settings: settings(https), now });
  return compose({ participant, subject, inReplyTo: '<CAF00@mail.example.com>', understood: 'your reply', excerpt: 'x', hash: 'abc123' });
}

describe('headers of a composed mail, whatever the names and subject (property)', () => {
  it('stay within 998 octets (78 where foldable), carry no control or bidi character, and decode to the sanitised text', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Names up to 4x what validate accepts, since mail can be built for stored or enrolled people.
        nastyText(MAX_NAME_LENGTH * 4),
        nastyText(MAX_NAME_LENGTH),
        nastyText(300),
        nastyText(2000),
        fc.boolean(),
        async (name, trainerName, title, subject, https) => {
          fc.pre(sanitizeLine(name) !== '' && sanitizeLine(title) !== '');
          const mail = ackFor(name, trainerName, title, subject, https);
          for (const line of headLines(mail.raw)) {
            expectFolded(line);
            expect(line).toMatch(/^[\x20-\x7e]*$/);
          }
          const parsed = await simpleParser(mail.raw);
          expect(firstAddress(parsed.to)).toEqual({ name: sanitizeLine(name), address: 'ana@example.com' });
          expect(firstAddress(parsed.from)?.name).toBe(sanitizeLine(`${trainerName} via Baton`));
          const cut = sanitizeLine(subject, 250);
          expect(parsed.subject).toBe(/^re\s*:/i.test(cut) ? cut : `Re: ${cut || 'your reply'}`);
          expect(parsed.subject).not.toMatch(BAD_IN_HEADER);
          const listId = String(parsed.headers.get('list-id') ?? (parsed.headers.get('list') as { id?: { name?: string } } | undefined)?.id?.name ?? '');
          expect(listId).not.toMatch(BAD_IN_HEADER);
          for (const value of [firstAddress(parsed.to)?.name, firstAddress(parsed.from)?.name]) expect(value).not.toMatch(BAD_IN_HEADER);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fold a 5,000-character name without spaces into encoded words, not one 5,004-character line', async () => {
    const mail = ackFor('A'.repeat(5000), 'Maya Okafor', sampleSeries.title, 'Re: hi', true);
    const to = mail.raw.match(/^To: .*(?:\r\n .*)*/m)![0].split('\r\n');
    expect(to.length).toBeGreaterThan(100);
    for (const line of to) expect(line.length, line).toBeLessThanOrEqual(78);
    headLines(mail.raw).forEach(expectFolded);
    expect(firstAddress((await simpleParser(mail.raw)).to)?.name).toBe('A'.repeat(5000));
  });

  it('keep a bidi override out of the ack subject: "Re: \\u202eexe.pdf" reads as it is', async () => {
    const mail = ackFor('Ana', 'Maya Okafor', sampleSeries.title, 'invoice\u202egnp.exe\u0000\r\nBcc: x@example.com', true);
    const parsed = await simpleParser(mail.raw);
    expect(parsed.subject).toBe('Re: invoicegnp.exe Bcc: x@example.com');
    expect(parsed.headers.has('bcc')).toBe(false);
  });

  it('thread an ack under the training when the reply\'s Message-ID is too long or has controls', async () => {
    const series: Series = sampleSeries;
    const compose = prepareAckSend({ series, training, trainings: sampleTrainings, template: undefined, settings: settings(true), now });
    const participant: Participant = { email: 'ana@example.com', name: 'Ana', timeZone: 'Europe/London', workStart: '09:00' };
    for (const inReplyTo of [`<${'x'.repeat(5000)}@mail.example.com>`, '<a\u0000b\u202e@mail.example.com>']) {
      const mail = compose({ participant, subject: 'Re: hi', inReplyTo, understood: 'your reply', excerpt: 'x', hash: 'abc123' });
      headLines(mail.raw).forEach(expectFolded);
      expect(mail.raw.slice(0, mail.raw.indexOf('\r\n\r\n'))).toMatch(/^[\x20-\x7e\r\n]*$/);
      expect((await simpleParser(mail.raw)).inReplyTo).toBe(`<thread.${series.id}.${training.slug}@baton.example.com>`);
    }
  });

  it('encode a non-ASCII series title in List-Id on the local (http) path too', async () => {
    for (const https of [true, false]) {
      const mail = ackFor('Ana', 'Maya Okafor', 'Produktivität — 生産性 "Q1"', 'Re: hi', https);
      const line = headLines(mail.raw).join('\r\n').match(/^List-Id: .*(?:\r\n .*)*/m)![0];
      expect(line).toMatch(/=\?UTF-8\?B\?/);
      expect(line).toMatch(/<q1-productivity\.baton\.example\.com>$|<[a-z0-9-]+\.baton\.example\.com>$/);
    }
  });

  it('give SES a one-line From address even when the trainer name is encoded', () => {
    const mail = ackFor('Ana', 'Nurul Ḥāfiẓah binti Abdul Rahman al-Khairiyyah', sampleSeries.title, 'Re: hi', true);
    expect(mail.from).not.toMatch(/[\r\n]/);
    expect(mail.from).toMatch(/^=\?UTF-8\?B\?.+\?= <training@baton\.example\.com>$/);
  });
});
