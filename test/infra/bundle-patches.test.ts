// The bundles patch dependencies so their work at import waits for first use (BUNDLE_PATCHES in
// infra/bundling.ts). Built as a Lambda bundle is built, the patched mailparser must still
// read what the unpatched one reads: a legacy double-byte charset (libmime's GBK codec, now built
// on first use), ISO-2022-JP (encoding-japanese, now loaded on first use) and links in text made HTML (linkify-it, now compiled on first use); the patched
// ics must write and refuse the calendars the unpatched one does (its schemas, built on first use).
// The packages mailparser imports and its mailsplit requires (BUNDLE_ONE_COPY) are bundled once, as
// ES modules, and mailsplit must still split, decode and read headers as with its CommonJS copies.
import { build } from 'esbuild';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { simpleParser } from 'mailparser';
import * as ics from 'ics';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_ONE_COPY, BUNDLE_PATCHES, bundleOptions, PROJECT_ROOT } from '#infra/baton-function';

type Parse = typeof simpleParser;
type CreateEvent = typeof ics.createEvent;

const gbkMail = Buffer.concat([
  Buffer.from('From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\nContent-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'),
  iconv.encode('我们完成了第一周的练习。', 'gbk'),
  Buffer.from('\r\n'),
]);
// Quoted-printable text, format=flowed, an RFC 2047 subject and name, a base64 attachment: what
// mailsplit decodes with libqp, libbase64 and libmime.
const encodedMail = [
  'From: =?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <j@example.com>',
  'To: b@example.com',
  'Subject: =?ISO-8859-1?Q?Strat=E9gie_n=B03?=',
  'MIME-Version: 1.0',
  'Content-Type: multipart/mixed; boundary="b1"',
  '',
  '--b1',
  'Content-Type: text/plain; charset=utf-8; format=flowed',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'J=E2=80=99adopte la strat=C3=A9gie 3, parce que ma semaine =C3=A0 Duba=C3=AF ',
  'commence le dimanche.',
  '',
  '--b1',
  'Content-Type: application/octet-stream; name="notes.bin"',
  'Content-Disposition: attachment; filename="notes.bin"',
  'Content-Transfer-Encoding: base64',
  '',
  Buffer.from(Array.from({ length: 300 }, (_, i) => i % 256)).toString('base64').replace(/.{76}/g, '$&\r\n'),
  '--b1--',
  '',
].join('\r\n');
const linkMail = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: links\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nNotes are at https://wiki.example.org/notes and www.example.com today.\r\n';

describe('the patched dependencies, bundled', () => {
  let dir: string;
  let bundled: Parse;
  let createEvent: CreateEvent;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'baton-patches-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(entry, "export { simpleParser } from 'mailparser';\nexport { createEvent } from 'ics';\n");
    const result = await build({ ...bundleOptions(entry, join(dir, 'out')), metafile: true, nodePaths: [join(PROJECT_ROOT, 'node_modules')] });
    // Both patched files are in the bundle, so the patches ran (a missing text fails the build).
    const inputs = Object.keys(result.metafile.inputs);
    for (const patch of BUNDLE_PATCHES) expect(inputs.some((p) => patch.file.test(join(PROJECT_ROOT, p))), patch.why).toBe(true);
    // mailsplit is in, requiring them; each of them only as its ES module.
    expect(inputs.some((p) => p.includes('@zone-eu/mailsplit/lib/mime-node.js'))).toBe(true);
    for (const name of BUNDLE_ONE_COPY) {
      expect(inputs.filter((p) => p.includes(`node_modules/${name}/`) && !p.includes('/dist/esm/')), name).toEqual([]);
      expect(inputs.some((p) => p.includes(`node_modules/${name}/dist/esm/`)), name).toBe(true);
    }
    ({ simpleParser: bundled, createEvent } = (await import(pathToFileURL(join(dir, 'out', 'index.mjs')).href)) as { simpleParser: Parse; createEvent: CreateEvent });
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // iconv-lite's double-byte tables are files beside the bundle (CHARSET_TABLES), read when a mail
  // in such a charset arrives: one mail for each table file.
  it.each([
    ['Shift_JIS', 'shift_jis', '第一週の練習を終えました。'],
    ['EUC-JP', 'euc-jp', '第一週の練習を終えました。'],
    ['Big5', 'big5', '我們完成了第一週的練習。'],
    ['EUC-KR', 'euc-kr', '첫 주 연습을 마쳤습니다.'],
    ['GB18030', 'gb18030', '我们完成了第一周的练习。'],
  ])('decodes a %s mail as mailparser does, its table read from beside the bundle', async (_name, charset, text) => {
    const mail = Buffer.concat([
      Buffer.from(`From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\nContent-Type: text/plain; charset=${charset}\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`),
      iconv.encode(text, charset),
      Buffer.from('\r\n'),
    ]);
    const mine = await bundled(mail);
    expect(mine.text?.trim()).toBe(text);
    expect(mine.text).toBe((await simpleParser(mail)).text);
  });

  it('decodes an ISO-2022-JP mail, subject and body, as mailparser does: encoding-japanese loaded when one arrives', async () => {
    const text = '第一週の練習を終えました。';
    // ISO-2022-JP: JIS X 0208 between ESC $ B and ESC ( B, each byte EUC-JP's less 0x80.
    const jis = Buffer.concat([Buffer.from('\x1b$B', 'latin1'), Buffer.from(iconv.encode(text, 'euc-jp').map((b) => b - 0x80)), Buffer.from('\x1b(B', 'latin1')]);
    const mail = Buffer.concat([
      Buffer.from(`From: a@example.com\r\nTo: b@example.com\r\nSubject: =?ISO-2022-JP?B?${jis.toString('base64')}?=\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n`),
      jis,
      Buffer.from('\r\n'),
    ]);
    const [mine, theirs] = await Promise.all([bundled(mail), simpleParser(mail)]);
    expect({ subject: mine.subject, text: mine.text?.trim() }).toEqual({ subject: text, text });
    expect({ subject: mine.subject, text: mine.text }).toEqual({ subject: theirs.subject, text: theirs.text });
  });

  it('decodes a GBK mail as mailparser does', async () => {
    const mine = await bundled(gbkMail);
    expect(mine.text?.trim()).toBe('我们完成了第一周的练习。');
    expect(mine.text).toBe((await simpleParser(gbkMail)).text);
  });

  it('decodes quoted-printable, flowed text, encoded words and a base64 attachment as mailparser does', async () => {
    const [mine, theirs] = [await bundled(encodedMail), await simpleParser(encodedMail)];
    expect(mine.subject).toBe('Stratégie n°3');
    expect(mine.from?.value).toEqual([{ address: 'j@example.com', name: 'Jürgen Müller' }]);
    expect(mine.text).toMatch(/^J’adopte la stratégie 3, parce que ma semaine à Dubaï\s+commence le dimanche\.\s*$/);
    expect(mine.attachments.map((a) => [a.filename, [...a.content]])).toEqual([['notes.bin', Array.from({ length: 300 }, (_, i) => i % 256)]]);
    expect({ subject: mine.subject, from: mine.from?.text, text: mine.text, headers: [...mine.headers.keys()] }).toEqual({
      subject: theirs.subject,
      from: theirs.from?.text,
      text: theirs.text,
      headers: [...theirs.headers.keys()],
    });
    expect(mine.attachments.map((a) => a.checksum)).toEqual(theirs.attachments.map((a) => a.checksum));
  });

  it('links the text made HTML as mailparser does', async () => {
    const mine = await bundled(linkMail);
    expect(mine.textAsHtml).toContain('<a href="https://wiki.example.org/notes">');
    expect(mine.textAsHtml).toBe((await simpleParser(linkMail)).textAsHtml);
  });

  it('writes a calendar event as ics does, and refuses an invalid one with the same errors', () => {
    const event: ics.EventAttributes = {
      uid: 'window-1@baton.example.com',
      productId: 'baton',
      start: [2027, 2, 1, 9, 0],
      startInputType: 'utc',
      end: [2027, 2, 5, 17, 0],
      endInputType: 'utc',
      title: 'Week 1: shared agenda',
      organizer: { name: 'Maya', email: 'rsvp@reply.baton.example.com' },
      attendees: [{ name: 'Ana', email: 'ana@example.com', rsvp: true, partstat: 'NEEDS-ACTION', role: 'REQ-PARTICIPANT' }],
    };
    const mine = createEvent(event);
    expect(mine.error).toBeNull();
    expect(mine.value).toContain('SUMMARY:Week 1: shared agenda');
    // DTSTAMP is the time of writing: compare the rest.
    const stamp = (v: string | null | undefined) => v?.replace(/DTSTAMP:\d+T\d+Z/, 'DTSTAMP');
    expect(stamp(mine.value)).toBe(stamp(ics.createEvent(event).value));
    const invalid = { ...event, duration: { hours: 1 } } as ics.EventAttributes;
    const refused = createEvent(invalid);
    const theirs = ics.createEvent(invalid);
    expect(refused.value).toBe(theirs.value);
    expect(refused.error).toBeTruthy();
    expect(String(refused.error)).toBe(String(theirs.error));
    expect(JSON.stringify(refused.error)).toMatch(/end or duration/);
  });

  it('fails the build when a patched file no longer holds the text it replaces', async () => {
    const entry = join(dir, 'stale.ts');
    writeFileSync(entry, "export { simpleParser } from 'mailparser';\n");
    const stale = { ...BUNDLE_PATCHES[0]!, replace: [['const NOT_IN_LIBMIME = 1;', '']] as [string, string][] };
    const options = bundleOptions(entry, join(dir, 'stale'));
    const plugin = options.plugins!.find((p) => p.name === 'baton-bundle-patches')!;
    const patched = BUNDLE_PATCHES as { file: RegExp; why: string; replace: readonly [string, string][] }[];
    const saved = patched[0]!;
    patched[0] = stale;
    try {
      await expect(build({ ...options, plugins: [plugin], logLevel: 'silent', nodePaths: [join(PROJECT_ROOT, 'node_modules')] })).rejects.toThrow(/no longer holds exactly one "const NOT_IN_LIBMIME = 1;"/);
    } finally {
      patched[0] = saved;
    }
  });
});
