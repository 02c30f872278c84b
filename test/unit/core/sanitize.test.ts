import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { safeFilename, sanitizeForHtml, sanitizeText, sanitizeLine } from '#core/sanitize';

describe('sanitizeText', () => {
  it('drops controls, bidi overrides and zero-width spaces but keeps emoji joiners', () => {
    expect(sanitizeText('a\u0000b\u202Ec\u200Bd 👩\u200D💻\r\n\r\n\r\n\r\nnext  ')).toBe('abcd 👩\u200D💻\n\nnext');
  });
  it('cuts very long text with a mark', () => {
    const out = sanitizeText('x'.repeat(50), 10);
    expect(out).toBe('xxxxxxxxxx\n[…]');
  });
});

describe('sanitizeForHtml', () => {
  it('escapes markup and links only http(s) URLs', () => {
    const html = sanitizeForHtml('<script>alert(1)</script> see https://loom.com/share/abc?x=1&y=2. Or javascript:alert(1)');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<a href="https://loom.com/share/abc?x=1&amp;y=2" rel="noopener noreferrer nofollow" target="_blank">https://loom.com/share/abc?x=1&amp;y=2</a>.');
    expect(html).not.toContain('href="javascript');
  });
  it('keeps balanced parentheses in a URL and drops an unbalanced closing one', () => {
    expect(sanitizeForHtml('(https://en.wikipedia.org/wiki/Foo_(bar))')).toContain('href="https://en.wikipedia.org/wiki/Foo_(bar)"');
  });
  it('never lets a tag or an attribute-breaking quote through, whatever the input', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const html = sanitizeForHtml(s).replace(/<a href="[^"<>]*" rel="noopener noreferrer nofollow" target="_blank">/g, '').replace(/<\/a>|<br>/g, '');
        expect(html).not.toMatch(/[<>"]/);
      }),
    );
  });
});

describe('safeFilename', () => {
  it('strips paths and odd characters', () => {
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('C:\\Users\\me\\Résumé (final).pdf')).toBe('Résumé _final_.pdf');
    expect(safeFilename('')).toBe('attachment');
    expect(safeFilename('...')).toBe('attachment');
  });
});

describe('sanitizeLine', () => {
  it('keeps names of every script as they are', () => {
    for (const name of ['Nurul Ḥāfiẓah', 'สมชาย ใจดี', 'محمد‌رضا', 'عبد الله', '山田 太郎', 'हरि शर्मा', 'Ana 👩‍💻 Reyes 🏳️‍🌈', 'Chen, "JJ" Juliet']) {
      expect(sanitizeLine(name)).toBe(name);
    }
  });

  it('drops controls, NUL, bidi overrides, isolates and marks, zero-width spaces, soft hyphens; breaks become spaces', () => {
    expect(sanitizeLine('  Eve\u0000\u0007 \u202eRe: gnp.exe\u202c\u2066x\u2069\u200e\u061c ')).toBe('Eve Re: gnp.exex');
    expect(sanitizeLine('pay\u00adpal\u200b\ufeff\u180e')).toBe('paypal');
    expect(sanitizeLine('a\r\nBcc: x\u2028b\u2029c\u0085d\te\u00a0\u3000f')).toBe('a Bcc: x b c d e f');
    expect(sanitizeLine('\ud800lone')).toBe('\ufffdlone');
  });

  it('cuts at a character boundary with a mark', () => {
    expect(sanitizeLine('abcdef', 4)).toBe('abc…');
    expect(sanitizeLine('ab👩‍💻', 4)).toBe('ab…');
  });

  it('returns clean ASCII untouched (the per-recipient fast path) and is idempotent on anything (property)', () => {
    const clean = 'Maya Okafor via Baton';
    expect(sanitizeLine(clean)).toBe(clean);
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (text) => {
        const once = sanitizeLine(text);
        expect(sanitizeLine(once)).toBe(once);
        expect(once).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]|\s\s|^\s|\s$/);
      }),
    );
  });
});
