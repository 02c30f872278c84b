import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeMailtoAddress, encodeMailtoValue, escapeHtml, mailtoUri } from '#mail/escape';

// RFC 6068 decoding done by hand: URLSearchParams would read `+` as a space and hide a bug.
function decodeMailto(uri: string): { to: string; headers: Record<string, string> } {
  const [to = '', query = ''] = uri.replace(/^mailto:/, '').split('?');
  const headers: Record<string, string> = {};
  for (const pair of query ? query.split('&') : []) {
    const [k = '', v = ''] = pair.split('=');
    headers[decodeURIComponent(k)] = decodeURIComponent(v);
  }
  return { to: decodeURIComponent(to), headers };
}

describe('mailto encoding (RFC 6068)', () => {
  it('encodes spaces as %20 and line breaks as %0D%0A', () => {
    expect(encodeMailtoValue('Adopt #2: a & b')).toBe('Adopt%20%232%3A%20a%20%26%20b');
    expect(encodeMailtoValue('one\ntwo')).toBe('one%0D%0Atwo');
  });

  it('round-trips any subject and body, with line breaks normalised to CRLF', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (subject, body) => {
        const uri = mailtoUri(encodeMailtoAddress('reply+abc@in.example.com'), { subject, body });
        expect(uri).not.toMatch(/\s/);
        expect(uri.split('?')[1] ?? '').not.toContain('+');
        const decoded = decodeMailto(uri);
        expect(decoded.to).toBe('reply+abc@in.example.com');
        expect(decoded.headers.subject).toBe(subject.replace(/\r\n|\r|\n/g, '\r\n'));
        expect(decoded.headers.body).toBe(body.replace(/\r\n|\r|\n/g, '\r\n'));
      }),
    );
  });

  it('keeps a plain reply address readable and encodes what would break the URI', () => {
    expect(encodeMailtoAddress('reply+k7q@in.example.com')).toBe('reply+k7q@in.example.com');
    expect(encodeMailtoAddress('a?b#c%d@x.test')).toBe('a%3Fb%23c%25d@x.test');
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML specials and leaves the rest alone', () => {
    expect(escapeHtml(`<a href="x">O'Brien & co</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;O&#39;Brien &amp; co&lt;/a&gt;');
    expect(escapeHtml('Zoë, 21 January – 31 January')).toBe('Zoë, 21 January – 31 January');
  });
});
