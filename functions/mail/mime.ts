// Raw MIME for SESv2 SendEmail (Raw), built by hand because it runs once per recipient: a general
// mail composer costs milliseconds, this costs microseconds. Output is 7-bit, CRLF, and identical
// for identical input (boundaries come from a seed), so tests and the delivery ledger can rely on it.
//
// With a calendar:
//   multipart/mixed
//     multipart/alternative
//       text/plain                       quoted-printable
//       text/html                        quoted-printable
//       text/calendar; method=REQUEST    base64 (Outlook and Gmail show their invitation bar)
//     invite.ics                         base64 attachment, for clients that ignore the inline part
//     focus.ics, 01-slug.ics …           more calendar files, one calendar object each, to add
// With files only (the kickoff's PUBLISH overview): multipart/mixed without the inline part.
// Without any: the multipart/alternative alone.
import { sanitizeLine } from '#core/sanitize';
import { rfc5322Date } from '#core/time';

const CRLF = '\r\n';

export interface Address {
  name?: string;
  address: string;
}
export type AddressInput = string | Address;

export interface CalendarPart {
  method: 'REQUEST' | 'CANCEL';
  ics: string;
}

/** A calendar file attached beside the invitation (application/ics, so clients offer to add it). */
export interface CalendarAttachment {
  filename: string;
  ics: string;
}

export interface MessageInput {
  from: AddressInput;
  to: AddressInput | readonly AddressInput[];
  replyTo?: AddressInput;
  subject: string;
  date: Date;
  /** With or without angle brackets. */
  messageId: string;
  inReplyTo?: string;
  references?: string | readonly string[];
  /** Extra headers (list headers, Auto-Submitted …): ASCII values; encode words yourself if needed. */
  headers?: Readonly<Record<string, string>>;
  /**
   * The bodies, as one string or as the filled template's pieces in order (static template text
   * and the values put between it). Pieces encode separately, joined by soft line breaks, and the
   * encoding of a long piece is remembered, so a template's static text is encoded once per batch
   * rather than once per recipient. The decoded body is the pieces joined.
   */
  text: string | readonly string[];
  html: string | readonly string[];
  calendar?: CalendarPart;
  calendarFiles?: readonly CalendarAttachment[];
  /** Makes the boundaries: the same seed and input give the same bytes. The message id will do. */
  boundarySeed: string;
}

// Headers buildMessage writes itself; a duplicate from `headers` would make an invalid message.
const OWN_HEADERS = new Set([
  'from',
  'to',
  'cc',
  'bcc',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'in-reply-to',
  'references',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
]);

// eslint-disable-next-line no-control-regex
const NEEDS_ENCODING = /[^\x20-\x7e]/;

/**
 * RFC 2047 encoded words (UTF-8, base64) for a display name or subject. Words are split on
 * character boundaries, each under 75 characters, joined by folding whitespace (which decoders drop).
 * Printable ASCII comes back as is unless `force`.
 */
export function encodeWords(value: string, force = false): string {
  if (!force && !NEEDS_ENCODING.test(value)) return value;
  const words: string[] = [];
  // 39 bytes make 52 base64 characters: "Subject: " plus one word stays within 78.
  const maxBytes = 39;
  let chunk = '';
  let bytes = 0;
  // By code point, so a UTF-8 sequence (and a surrogate pair) never straddles two words.
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + width > maxBytes) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += ch;
    bytes += width;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

// Plain text can only fold at a space, so a run of non-spaces longer than this could not keep its
// line within 78 characters (the longest header name we put before one, "Reply-To: ", and an
// opening quote take 11). "=?" would be read as the start of an encoded word by decoders (most
// decode them even inside quotes, which a name could use to show something else): encode those too.
const UNFOLDABLE = /[^ ]{67}|=\?/;

/**
 * Unstructured header text (a subject, a list name) from anywhere: sanitised to one line, then
 * left as is when it is printable ASCII that folds to 78 characters, otherwise as encoded words.
 */
export function headerText(value: string): string {
  const clean = sanitizeLine(value);
  if (!NEEDS_ENCODING.test(clean) && !UNFOLDABLE.test(clean)) return clean;
  return encodeWords(clean, true);
}

/**
 * A display name as an RFC 5322 phrase: sanitised, then a quoted-string when it is printable ASCII
 * that folds to 78 characters, otherwise encoded words. Empty when nothing is left to show.
 */
export function displayPhrase(name: string): string {
  const clean = sanitizeLine(name);
  if (!clean) return '';
  if (!NEEDS_ENCODING.test(clean)) {
    const quoted = clean.replace(/["\\]/g, '\\$&');
    if (!UNFOLDABLE.test(quoted)) return `"${quoted}"`;
  }
  return encodeWords(clean, true);
}

function oneLine(value: string): string {
  return value.replace(/[\r\n]+\s*/g, ' ');
}

function checkAddress(address: string): string {
  if (!/^[^\s<>(),;:"@]+@[^\s<>(),;:"@]+$/.test(address)) {
    throw new RangeError(`"${address}" is not an email address that can go in a header (expected local@domain, ASCII, no spaces)`);
  }
  return address;
}

/** `"Display Name" <local@domain>`, the name quoted, or encoded words when it is not ASCII. */
export function formatAddress(input: AddressInput): string {
  if (typeof input === 'string') return checkAddress(input);
  const address = checkAddress(input.address);
  const name = input.name ? displayPhrase(input.name) : '';
  return name ? `${name} <${address}>` : address;
}

/** Folds a header line at whitespace so lines stay near 78 characters (hard limit 998). */
function header(name: string, value: string): string {
  const line = `${name}: ${value}`;
  if (line.length <= 78) return line + CRLF;
  return line.split(CRLF).map(foldAtSpaces).join(CRLF) + CRLF;
}

function foldAtSpaces(line: string): string {
  if (line.length <= 78) return line;
  let out = '';
  let current = '';
  for (const piece of line.split(/(?<=\S)(?= )/)) {
    if (current && current.length + piece.length > 78) {
      out += current + CRLF;
      current = piece;
    } else {
      current += piece;
    }
  }
  return out + current;
}

function angle(id: string): string {
  const trimmed = oneLine(id).trim();
  return trimmed.startsWith('<') ? trimmed : `<${trimmed}>`;
}

const HEX = Buffer.from('0123456789ABCDEF', 'latin1');
// Reused across calls (everything here is synchronous): allocating ~100 KB per message costs more
// than encoding it.
let source = Buffer.allocUnsafe(1 << 17);
let target = Buffer.allocUnsafe(1 << 18);

/**
 * Quoted-printable (RFC 2045) of UTF-8 text: lines of at most 76 characters with soft breaks,
 * line breaks become CRLF, and a multi-byte character is never split across a soft break.
 */
export function quotedPrintable(text: string): string {
  // UTF-8 needs at most 3 bytes per UTF-16 unit; the output at most 3 characters per byte plus
  // a soft break per 25 encoded bytes.
  if (source.length < text.length * 3) source = Buffer.allocUnsafe(text.length * 3);
  const n = source.write(text, 0, 'utf8');
  if (target.length < n * 4 + 8) target = Buffer.allocUnsafe(n * 4 + 8);
  const src = source;
  const out = target;
  let o = 0;
  let col = 0;
  for (let i = 0; i < n; i++) {
    const b = src[i]!;
    if (b > 32 && b < 127 && b !== 61) {
      if (col >= 75) {
        out[o++] = 61;
        out[o++] = 13;
        out[o++] = 10;
        col = 0;
      }
      out[o++] = b;
      col++;
      continue;
    }
    if (b === 10 || (b === 13 && i + 1 < n && src[i + 1] === 10)) {
      if (b === 13) i++;
      out[o++] = 13;
      out[o++] = 10;
      col = 0;
      continue;
    }
    if (b === 32 || b === 9) {
      // Whitespace before a line break (or the end) would be stripped in transit: encode it.
      const atLineEnd = i + 1 >= n || src[i + 1] === 10 || (src[i + 1] === 13 && i + 2 < n && src[i + 2] === 10);
      if (!atLineEnd) {
        if (col >= 75) {
          out[o++] = 61;
          out[o++] = 13;
          out[o++] = 10;
          col = 0;
        }
        out[o++] = b;
        col++;
        continue;
      }
    }
    // Encoded: a whole UTF-8 sequence at once, so it never straddles a soft break.
    let length = 1;
    if (b >= 0xf0 && b <= 0xf7) length = 4;
    else if (b >= 0xe0 && b <= 0xef) length = 3;
    else if (b >= 0xc0 && b <= 0xdf) length = 2;
    if (i + length > n) length = 1;
    if (col + 3 * length > 75) {
      out[o++] = 61;
      out[o++] = 13;
      out[o++] = 10;
      col = 0;
    }
    for (let k = 0; k < length; k++) {
      const c = src[i + k]!;
      out[o++] = 61;
      out[o++] = HEX[c >> 4]!;
      out[o++] = HEX[c & 15]!;
    }
    col += 3 * length;
    i += length - 1;
  }
  return out.toString('latin1', 0, o);
}

// Long pieces are almost always a template's static text, the same for every recipient.
const MEMO_MIN_LENGTH = 512;
const MEMO_MAX_CHARS = 16_000_000;
const memo = new Map<string, string>();
let memoChars = 0;

function encodePiece(piece: string): string {
  if (piece.length < MEMO_MIN_LENGTH) return quotedPrintable(piece);
  let encoded = memo.get(piece);
  if (encoded === undefined) {
    encoded = quotedPrintable(piece);
    if (memoChars + piece.length + encoded.length > MEMO_MAX_CHARS) {
      memo.clear();
      memoChars = 0;
    }
    memo.set(piece, encoded);
    memoChars += piece.length + encoded.length;
  }
  return encoded;
}

/**
 * Quoted-printable of a body given whole or in pieces. Each piece starts on a fresh encoded line
 * after a soft break, which decoders remove, so the decoded body is exactly the pieces joined.
 */
export function quotedPrintableParts(body: string | readonly string[]): string {
  if (typeof body === 'string') return quotedPrintable(body);
  let out = '';
  let lastEndedLine = false;
  let pending = '';
  for (let i = 0; i < body.length; i++) {
    let piece = pending + body[i]!;
    pending = '';
    // A CRLF split between two pieces must stay one line break, not an encoded CR.
    if (piece.endsWith('\r') && i + 1 < body.length && body[i + 1]!.startsWith('\n')) {
      pending = '\r';
      piece = piece.slice(0, -1);
    }
    if (piece === '') continue;
    // Asking the growing output whether it ends with CRLF would flatten it (a 60 KB copy) for
    // every piece; the last encoded piece knows.
    if (out !== '' && !lastEndedLine) out += `=${CRLF}`;
    const encoded = encodePiece(piece);
    out += encoded;
    lastEndedLine = encoded.endsWith(CRLF);
  }
  return out;
}

/** Base64 in lines of 76 characters. */
export function base64Lines(data: string | Uint8Array): string {
  const b64 = (typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data)).toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 76) out += b64.slice(i, i + 76) + CRLF;
  return out;
}

function boundaries(seed: string): { mixed: string; alternative: string } {
  // "=_" cannot occur in quoted-printable or base64 output, so no body can contain a boundary.
  const tag = seed.replace(/[^A-Za-z0-9]/g, '').slice(-48) || 'baton';
  return { mixed: `=_m_${tag}`, alternative: `=_a_${tag}` };
}

function icsMethod(ics: string): string | undefined {
  let at = 0;
  if (!ics.startsWith('METHOD:')) {
    const found = ics.indexOf('\r\nMETHOD:');
    if (found < 0) return undefined;
    at = found + 2;
  }
  const end = ics.indexOf('\r\n', at);
  return ics.slice(at + 'METHOD:'.length, end < 0 ? undefined : end).toUpperCase();
}

/** The whole message, CRLF line endings, ready for SESv2 `Content.Raw.Data`. */
export function buildMessage(input: MessageInput): string {
  const to = (Array.isArray(input.to) ? input.to : [input.to]) as readonly AddressInput[];
  if (to.length === 0) throw new RangeError('a message needs at least one recipient in "to"');
  let head =
    header('From', formatAddress(input.from)) +
    header('To', to.map(formatAddress).join(', ')) +
    (input.replyTo ? header('Reply-To', formatAddress(input.replyTo)) : '') +
    header('Subject', headerText(input.subject)) +
    header('Date', rfc5322Date(input.date)) +
    header('Message-ID', angle(input.messageId));
  if (input.inReplyTo) head += header('In-Reply-To', angle(input.inReplyTo));
  const references = typeof input.references === 'string' ? [input.references] : (input.references ?? []);
  if (references.length > 0) head += header('References', references.map(angle).join(' '));
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    if (!/^[!-9;-~]+$/.test(name)) throw new RangeError(`"${name}" is not a valid header name`);
    if (OWN_HEADERS.has(name.toLowerCase())) throw new RangeError(`header ${name} is set by buildMessage itself: pass it as its own field`);
    const clean = oneLine(value);
    if (NEEDS_ENCODING.test(clean)) throw new RangeError(`header ${name} has non-ASCII characters: encode them with encodeWords first`);
    head += header(name, clean);
  }
  head += `MIME-Version: 1.0${CRLF}`;

  const { mixed, alternative } = boundaries(input.boundarySeed);
  let alt =
    `--${alternative}${CRLF}Content-Type: text/plain; charset=UTF-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}` +
    quotedPrintableParts(input.text) +
    `${CRLF}--${alternative}${CRLF}Content-Type: text/html; charset=UTF-8${CRLF}Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}` +
    quotedPrintableParts(input.html) +
    CRLF;

  const files = input.calendarFiles ?? [];
  if (!input.calendar && files.length === 0) {
    return `${head}${header('Content-Type', `multipart/alternative; boundary="${alternative}"`)}${CRLF}${alt}--${alternative}--${CRLF}`;
  }

  const attachment = (filename: string, encoded: string) => {
    if (!/^[A-Za-z0-9._-]{1,80}\.ics$/.test(filename)) throw new RangeError(`calendar file name "${filename}" must be short ASCII ending in .ics`);
    return (
      `${CRLF}--${mixed}${CRLF}Content-Type: application/ics; name="${filename}"${CRLF}` +
      `Content-Disposition: attachment; filename="${filename}"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}` +
      encoded
    );
  };
  let attachments = '';
  if (input.calendar) {
    const { method, ics } = input.calendar;
    const declared = icsMethod(ics);
    if (declared !== method) {
      throw new RangeError(`calendar part says method=${method} but the ICS says METHOD:${declared ?? '(none)'}: they must match or clients ignore the invitation`);
    }
    const encoded = base64Lines(ics);
    alt += `--${alternative}${CRLF}Content-Type: text/calendar; charset=UTF-8; method=${method}${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}` + encoded;
    attachments += attachment('invite.ics', encoded);
  }
  for (const file of files) attachments += attachment(file.filename, base64Lines(file.ics));
  return (
    `${head}${header('Content-Type', `multipart/mixed; boundary="${mixed}"`)}${CRLF}` +
    `--${mixed}${CRLF}${header('Content-Type', `multipart/alternative; boundary="${alternative}"`)}${CRLF}` +
    alt +
    `--${alternative}--${CRLF}` +
    attachments +
    `--${mixed}--${CRLF}`
  );
}
