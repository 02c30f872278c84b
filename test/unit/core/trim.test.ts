import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import fc from 'fast-check';
import { MAX_HTML_CHARS, MAX_REPLY_LINES, REPLY_MARKER, htmlToText, trimHtmlReply, trimReply } from '#core/trim';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixtures = join(root, 'test/fixtures/trim');

interface Case {
  name: string;
  input: string;
  reply: string;
  signature?: string;
}

const cases = parse(readFileSync(join(fixtures, 'replies.yaml'), 'utf8')) as Case[];

describe('trimReply on authored replies', () => {
  it('has fixtures to run', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const t = trimReply(c.input);
    expect(t.reply).toBe(c.reply.trimEnd());
    expect(t.signature).toBe((c.signature ?? '').trimEnd());
  });

  it('keeps what was removed in `quoted`', () => {
    const t = trimReply('Yes.\n\nOn Tue, Mar 4, 2025 at 9:12 AM Baton <r@b.example> wrote:\n> Training 2\n');
    expect(t.quoted).toContain('> Training 2');
    expect(t.quoted).toContain('wrote:');
    expect(t.method).toContain('attribution');
  });

  it('returns an empty reply for empty and whitespace-only bodies', () => {
    expect(trimReply('')).toMatchObject({ reply: '', signature: '' });
    expect(trimReply(' \n\t\n\u200b\n')).toMatchObject({ reply: '', signature: '' });
  });

  it('treats CRLF like LF', () => {
    const t = trimReply('Yes.\r\n\r\nOn Tue, Mar 4, 2025 at 9:12 AM Baton <r@b.example> wrote:\r\n> hi\r\n');
    expect(t.reply).toBe('Yes.');
  });
});

describe('the reply marker', () => {
  it('exports the marker the email templates print', () => {
    expect(REPLY_MARKER.toLowerCase()).toContain('reply above this line');
  });

  it('cuts at the marker even when nothing else would', () => {
    const body = `I'll adopt strategy 2.\n${REPLY_MARKER}\nTraining 2: Async stand-ups\nWrite your update before your day ends.\n`;
    const t = trimReply(body);
    expect(t.reply).toBe("I'll adopt strategy 2.");
    expect(t.method).toContain('marker');
  });

  it('tolerates quote prefixes, case and surrounding spaces', () => {
    const marker = `  >  ${REPLY_MARKER.toUpperCase()}   `;
    const t = trimReply(`Count me in.\n\nsome client header nobody knows\n${marker}\n> Training 2 text\n`);
    expect(t.reply).toBe('Count me in.\n\nsome client header nobody knows');
    expect(t.quoted).toContain('Training 2 text');
  });

  it('uses a custom marker when given one', () => {
    const t = trimReply('Yes\n## Reply above this line ##\nold text', { marker: '## Reply above this line ##' });
    expect(t.reply).toBe('Yes');
    const other = trimReply('Yes\n=== write above ===\nold text', { marker: '=== write above ===' });
    expect(other.reply).toBe('Yes');
  });
});

describe('our own text quoted without `>`', () => {
  const sent =
    'Training 2: Async stand-ups\n\nWrite your update before your day ends, and read the others\n' +
    "when yours starts. Keep it to three lines: done, next, blocked.\n\nWhich strategy will you adopt, and why?\n";
  // The client re-wrapped our lines and dropped the quote marks.
  const reply =
    "We'll adopt the three-line format.\n\nTraining 2: Async stand-ups\n\nWrite your update before your day ends, and read the\n" +
    'others when yours starts. Keep it to three lines: done, next,\nblocked.\n\nWhich strategy will you adopt, and why?\n';

  it('is recognised as history when sentTexts is given', () => {
    const t = trimReply(reply, { sentTexts: [sent] });
    expect(t.reply).toBe("We'll adopt the three-line format.");
    expect(t.method).toContain('sent-text');
  });

  it('stays in the reply without sentTexts (nothing else marks it)', () => {
    expect(trimReply(reply).reply).toContain('Keep it to three lines');
  });

  it('does not swallow a reply that merely echoes one short phrase', () => {
    const t = trimReply('Async stand-ups work for us.\nWe tried them for a month.', { sentTexts: [sent] });
    expect(t.reply).toBe('Async stand-ups work for us.\nWe tried them for a month.');
  });
});

describe('trimHtmlReply', () => {
  const html = (name: string): string => readFileSync(join(fixtures, name), 'utf8');

  it('cuts at gmail_quote even when the attribution language is unknown', () => {
    const t = trimHtmlReply(html('gmail-unknown-language.html'));
    expect(t.reply).toBe('Bu hafta deneyeceğiz.');
    expect(t.signature).toBe('');
    expect(`${t.reply}\n${t.signature}`).not.toContain('Training 2');
  });

  it('cuts at Outlook on the web divRplyFwdMsg (Finnish fields)', () => {
    const t = trimHtmlReply(html('outlook-web.html'));
    expect(t.reply).toBe('We will adopt the hand-over note.');
    expect(t.quoted).toContain('Training 2');
  });

  it('cuts at the Outlook desktop border-top header and keeps the sign-off as signature', () => {
    const t = trimHtmlReply(html('outlook-desktop.html'));
    expect(t.reply).toBe('Dat doen we al, zie onze wiki.');
    expect(t.signature).toBe('Groeten,\n\nPieter');
  });

  it('cuts at Apple Mail blockquote type=cite', () => {
    const t = trimHtmlReply(html('apple-mail.html'));
    expect(t.reply).toBe('Count me in for the pilot.');
  });

  it('converts HTML-only mail to readable text', () => {
    const text = htmlToText('<p>First <b>para</b>.</p><p>Second<br>line</p><blockquote>quoted</blockquote>');
    expect(text).toContain('First para.');
    expect(text).toContain('Second\nline');
    expect(text).toMatch(/^> quoted$/m);
  });

  it('does not leak the internal sentinel into any field', () => {
    const t = trimHtmlReply('<p>Hi</p><blockquote type="cite"><div class="gmail_quote">x</div></blockquote><hr>');
    for (const field of [t.reply, t.signature, t.quoted]) expect(field).not.toContain('[[baton');
  });
});

describe('pathological input', () => {
  // Timing lives in bench/trim.ts; here each must simply come back with a sane result.
  const MB = 1 << 20;
  const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

  it.each([
    ['1 MB of > lines', fill('> > > quoted text\n')],
    ['1 MB of "On " without newlines', fill('On ')],
    ['1 MB of "On " lines', fill('On \n')],
    ['1 MB of almost-attributions', fill('On Mon, 1 Jan 2024 at 10:00, someone <a@b.c> wro\n')],
    ['1 MB without newlines', fill('lorem ipsum dolor sit amet ')],
    ['1 MB of spaces', fill(' ')],
    ['1 MB of From: lines', fill('From: a\n')],
    ['1 MB of newlines', fill('\n')],
    ['1 MB of alternating text and quotes', fill('text\n> quote\n')],
    ['1 MB of signatures between quotes', fill('--\n> q\n')],
    ['1 MB of inline answers', fill('On 1 Jan 2024 at 10:00, a <a@b.c> wrote:\n> q\nanswer\n')],
  ])('%s', (_name, body) => {
    const t = trimReply(body);
    expect(t.reply.length + t.signature.length + t.quoted.length).toBeLessThanOrEqual(body.length);
  });

  it('survives deeply nested and unclosed HTML', () => {
    expect(() => trimHtmlReply('<div>'.repeat(200_000))).not.toThrow();
    expect(() => trimHtmlReply('<blockquote>x'.repeat(50_000))).not.toThrow();
    expect(() => trimHtmlReply(fill('<div class="gmail_quote" '))).not.toThrow();
  });
});

describe('properties', () => {
  // Lines drawn from the shapes the trimmer reacts to, mixed with arbitrary text.
  const lineArb = fc.oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '',
      '> quoted',
      '>> deeper',
      '-- ',
      '--',
      '____',
      'Thanks,',
      'Dana',
      '-Dana',
      'Sent from my iPhone',
      'On Tue, Mar 4, 2025 at 9:12 AM Baton <r@b.example> wrote:',
      'On Tue, Mar 4, 2025 at 9:12 AM Baton <',
      'r@b.example> wrote:',
      'From: Baton <r@b.example>',
      'Sent: Tuesday, March 4, 2025',
      'Subject: Training',
      '-----Original Message-----',
      REPLY_MARKER,
      '```',
    ),
  );
  const bodyArb = fc.array(lineArb, { maxLength: 30 }).map((ls) => ls.join('\n'));

  it('never throws and every reply and signature line comes from the input', () => {
    fc.assert(
      fc.property(bodyArb, (body) => {
        const t = trimReply(body);
        const input = body.replace(/\r\n?/g, '\n');
        for (const line of [...t.reply.split('\n'), ...t.signature.split('\n')]) {
          expect(input.includes(line)).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves a body with no quote, header or signature shapes unchanged', () => {
    const plain = fc
      .array(fc.stringMatching(/^[a-z][a-z ]{0,30}[a-z.]$/), { minLength: 1, maxLength: 8 })
      .map((ls) => ls.join('\n'));
    fc.assert(
      fc.property(plain, (body) => {
        // Lowercase prose without colons, dashes or addresses matches none of the rules.
        fc.pre(!/^(on|le|am|el|em|il|op|den|at|thanks|thank you|cheers|best|regards|bye|love|ta|lg|vg|mfg|hugs|yours|tack|merci|danke|grazie|gracias|obrigado|bedankt|kiitos|mvh|hilsen|saludos|saluti|groeten|greetings)\b/m.test(body));
        expect(trimReply(body).reply).toBe(body.trim());
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary HTML-ish input', () => {
    const htmlArb = fc
      .array(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('<div>', '</div>', '<blockquote type="cite">', '<hr>', '<div class="gmail_quote">', '<br>', '<p>')), {
        maxLength: 40,
      })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(htmlArb, (html) => {
        const t = trimHtmlReply(html);
        expect(typeof t.reply).toBe('string');
      }),
      { numRuns: 200 },
    );
  });
});

describe('bounded work on huge bodies', () => {
  it('reads the reply from the first lines and keeps everything below as history', () => {
    const history = Array.from({ length: MAX_REPLY_LINES * 2 }, (_, i) => `From: someone${i}@example.com`).join('\n');
    const t = trimReply(`I'll adopt #2.\n\nOn Mon, 1 Feb 2027, Maya wrote:\n${history}`);
    expect(t.reply).toBe("I'll adopt #2.");
    expect(t.method).toContain('line-limit');
    // Nothing is dropped: the history below the limit is in `quoted`.
    expect(t.quoted).toContain(`someone${MAX_REPLY_LINES * 2 - 1}@example.com`);
  });

  it('converts only the head of a huge HTML body', () => {
    const html = `<div>Count me in for #3.</div><div class="gmail_quote">${'<p>old</p>'.repeat(MAX_HTML_CHARS / 5)}</div>`;
    const t = trimHtmlReply(html);
    expect(t.reply).toBe('Count me in for #3.');
    expect(t.method).toContain('html-limit');
  });
});
