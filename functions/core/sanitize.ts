// What participants write is shown to others (roll-ups, digests, the wiki export), so it is kept
// as plain text and made safe at the two moments that matter: when it is stored (sanitizeText:
// no markup survives, no invisible characters that reorder or hide text) and when anyone renders
// it into HTML (sanitizeForHtml: everything escaped, only http(s) links made clickable).

/** Longest text stored for one response; a reply longer than this is cut with a note. */
export const MAX_RESPONSE_TEXT = 20_000;

// C0/C1 controls except tab and newline; bidi overrides and isolates (they can make a link or a
// name read differently from what it is); zero-width spaces and the BOM. ZWJ (U+200D) stays: emoji
// sequences need it.
const UNSAFE_CHARS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u200e\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

/** Plain text fit to store and show: normalized, without control or direction-changing characters. */
export function sanitizeText(text: string, maxLength = MAX_RESPONSE_TEXT): string {
  let out = text
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/\u00a0/g, ' ')
    .replace(UNSAFE_CHARS, '')
    .split('\n')
    .map((line) => line.replace(/[ \t]+$/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  if (out.length > maxLength) {
    // Never cut a surrogate pair in half.
    let end = maxLength;
    const code = out.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
    out = `${out.slice(0, end).trimEnd()}\n[…]`;
  }
  return out;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escape(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

// An http(s) URL up to whitespace or a character that cannot be part of one in running text.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`\u0000-\u001f]+/gi;

/** Trailing punctuation belongs to the sentence, not the link; a closing bracket only when unbalanced. */
function trimUrl(url: string): string {
  let end = url.length;
  for (;;) {
    const ch = url[end - 1];
    if (ch && '.,;:!?*'.includes(ch)) {
      end--;
      continue;
    }
    if (ch === ')' || ch === ']') {
      const open = ch === ')' ? '(' : '[';
      const body = url.slice(0, end);
      if (body.split(open).length < body.split(ch).length) {
        end--;
        continue;
      }
    }
    return url.slice(0, end);
  }
}

/**
 * A participant's text as HTML: every character escaped, line breaks as <br>, and http(s) URLs
 * (only those: no javascript:, data: or mailto:) as links that open without handing over the page.
 */
export function sanitizeForHtml(text: string): string {
  const clean = sanitizeText(text, Number.MAX_SAFE_INTEGER);
  let out = '';
  let at = 0;
  for (const m of clean.matchAll(URL_RE)) {
    const url = trimUrl(m[0]);
    if (!/^https?:\/\/[^/?#\s]+/i.test(url)) continue;
    out += escape(clean.slice(at, m.index));
    const href = escape(url);
    out += `<a href="${href}" rel="noopener noreferrer nofollow" target="_blank">${href}</a>`;
    at = m.index + url.length;
  }
  out += escape(clean.slice(at));
  return out.replace(/\n/g, '<br>\n');
}

/** A file name safe for a storage key and a download header: no paths, no controls, bounded. */
export function safeFilename(name: string | undefined, fallback = 'attachment'): string {
  const base = (name ?? '').normalize('NFC').replace(UNSAFE_CHARS, '').split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^\p{L}\p{N}._ -]+/gu, '_').replace(/^[.\s]+/, '').trim();
  const short = cleaned.length > 100 ? cleaned.slice(0, 60) + cleaned.slice(-40) : cleaned;
  return short || fallback;
}
