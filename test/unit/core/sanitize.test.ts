import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { safeFilename, sanitizeForHtml, sanitizeText } from '#core/sanitize';

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
