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

/** Longest name `validate` accepts (participants, trainers, authors): it goes into every header and greeting. */
export const MAX_NAME_LENGTH = 200;

// Printable ASCII, single spaces, nothing to trim: nearly every name and subject, returned as is
// without normalizing or allocating (headers are built once per recipient).
const CLEAN_ASCII = /^(?:[!-~]+(?: [!-~]+)*)?$/;
// Every kind of line break (CR, LF, VT, FF, NEL, U+2028/2029) and tab separated words: a space.
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
// Removed outright, on top of UNSAFE_CHARS: the Arabic letter mark (a bidi mark like U+200E/F),
// the soft hyphen and the Mongolian vowel separator (invisible in a name, so "pay\u00adpal" would
// look like "paypal"), the invisible math operators U+2061-2064. ZWNJ (U+200C) and ZWJ (U+200D)
// stay: Persian and Indic names and emoji sequences are spelled with them.
const UNSAFE_IN_LINE = /[\u00ad\u061c\u180e\u2061-\u2064]/g;
// A lone surrogate cannot be written as UTF-8; encoders put U+FFFD in its place, so do it here
// and the name we check is the name that is sent.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * A name or subject made fit for one header line and for display: NFC, no controls (NUL, C0,
 * C1, DEL), no bidi overrides, embeddings, isolates or marks, no zero-width spaces or other
 * invisible characters that spoof, line and paragraph separators and every other run of
 * whitespace as one space, trimmed. Letters of any script, combining marks, ZWJ/ZWNJ and emoji
 * stay. `maxLength` (in UTF-16 units) cuts longer text at a character boundary and marks it "…".
 * Every display name and every subject taken from user input goes through this one function.
 */
export function sanitizeLine(text: string, maxLength = Number.MAX_SAFE_INTEGER): string {
  let out = text;
  if (!CLEAN_ASCII.test(out)) {
    out = out
      .replace(LONE_SURROGATE, '\ufffd')
      .normalize('NFC')
      .replace(LINE_BREAKS, ' ')
      .replace(UNSAFE_CHARS, '')
      .replace(UNSAFE_IN_LINE, '')
      .replace(/\s+/g, ' ')
      .trim();
  }
  if (out.length > maxLength) {
    let end = Math.max(0, maxLength - 1);
    const code = out.charCodeAt(end - 1);
    if (code >= 0xd800 && code <= 0xdbff) end--;
    out = `${out.slice(0, end).trimEnd()}…`;
  }
  return out;
}

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
