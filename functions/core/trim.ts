// The reply trimmer: from the text of a reply, keep what the participant wrote and set aside the
// quoted history and the signature.
//
// 1. Classify every line: empty, text, quoted (`>` or Supercite), or part of a header — an
//    attribution ("On … wrote:", localised, wrapped over up to five lines), an Outlook field
//    block ("From:/Sent:/To:/Subject:", localised, with or without a separator line), an
//    "Original message"/"Forwarded message" separator, our own "reply above this line" marker,
//    or (HTML) a quote container found in the markup.
// 2. Lines matching what Baton sent (`sentTexts`) count as quoted even without `>`.
// 3. Group lines into segments (header / quote / text) and find the earliest hard cut: a header
//    not followed by a `>` quote starts history that runs to the end. A header at the very top
//    (bottom-posting, forwarding) is dropped and what follows is the reply.
// 4. Inside what is left: drop trailing quotes, leading quotes opened by a header, and lone
//    attributions; keep quotes between pieces of text (inline answers) as context. Short text
//    after the only quote is a signature the client placed below the quote.
// 5. Split the signature off the end: "-- ", a decoration line with a short tail, mobile
//    footers ("Sent from my iPhone"), then a sign-off with a short name, or a dashed name.
//
// Everything is a linear scan over lines; the patterns in trim-patterns.ts only run on slices of
// bounded length, so a hostile body costs time proportional to its size.
import {
  MAX_HEADER_JOINED,
  MAX_HEADER_LINE,
  hasAddress,
  isDelimiterLine,
  isEmptyLine,
  isFenceLine,
  isFooterLine,
  isListItemLine,
  isNameLine,
  isQuotedLine,
  isSeparatorLine,
  isSigDashLine,
  isSignOffLine,
  isSignOffWithNameLine,
  matchAttribution,
  matchField,
  mayStartAttribution,
  stripQuotePrefix,
  type FieldMatch,
} from './trim-patterns.ts';
import { REPLY_MARKER } from './reply-marker.ts';
import { HTML_QUOTE_SENTINEL, HTML_RULE_SENTINEL, htmlToMarkedText } from './trim-html.ts';

export { REPLY_MARKER };
export { htmlToText } from './trim-html.ts';

export interface TrimOptions {
  /** Texts Baton sent in the email being answered (plain-text version), to recognise quoted even without `>`. */
  sentTexts?: string[];
  /** The marker line our emails carry, e.g. "## Reply above this line ##". Defaults to REPLY_MARKER. */
  marker?: string;
}

export interface Trimmed {
  /** What the participant wrote, with quoted history, reply headers and signature removed. */
  reply: string;
  /** The signature block, sign-off or mobile footer, if one was found ('' otherwise). */
  signature: string;
  /** Everything removed that was not the signature: quoted history, reply headers, forwards. */
  quoted: string;
  /** Which rules cut, '+'-joined (e.g. "marker", "attribution+trailing-quote"), or "none". */
  method: string;
}

type Kind = 'E' | 'T' | 'Q' | 'H' | 'S';
type HeaderType = 'attribution' | 'fields' | 'separator' | 'marker' | 'html' | 'rule';

interface Seg {
  kind: 'T' | 'Q' | 'H' | 'S';
  start: number;
  /** Exclusive. */
  end: number;
  types: Set<HeaderType>;
}

const HARD_HEADERS: ReadonlySet<HeaderType> = new Set(['fields', 'separator', 'marker']);
const QUOTED = 0;
const REPLY = 1;
const SIGNATURE = 2;

/** Trims a plain-text reply. */
export function trimReply(text: string, opts: TrimOptions = {}): Trimmed {
  return trimBounded(splitLines(text), opts, false);
}

/** Trims an HTML reply: quote containers in the markup first, then the plain-text rules. */
export function trimHtmlReply(html: string, opts: TrimOptions = {}): Trimmed {
  if (html.length <= MAX_HTML_CHARS) return trimBounded(splitLines(htmlToMarkedText(html)), opts, true);
  // Converting HTML to text is most of the cost on huge bodies; the reply is at the top.
  const head = trimBounded(splitLines(htmlToMarkedText(html.slice(0, MAX_HTML_CHARS))), opts, true);
  return { ...head, method: `${head.method}+html-limit` };
}

/** HTML read for the reply: a reply's own markup is a few KB; past this it is history or images. */
export const MAX_HTML_CHARS = 256 * 1024;

/**
 * Lines read for the reply. People write above the history, and no reply runs to thousands of
 * lines; everything below this many lines is history. It bounds the work on pathological mail
 * (1 MB of short header-like lines) to milliseconds instead of most of a second.
 */
export const MAX_REPLY_LINES = 5_000;

function trimBounded(lines: string[], opts: TrimOptions, html: boolean): Trimmed {
  if (lines.length <= MAX_REPLY_LINES) return trimLines(lines, opts, html);
  const head = trimLines(lines.slice(0, MAX_REPLY_LINES), opts, html);
  const tail = lines.slice(MAX_REPLY_LINES).join('\n');
  return { ...head, quoted: head.quoted ? `${head.quoted}\n${tail}` : tail, method: `${head.method}+line-limit` };
}

function splitLines(text: string): string[] {
  return (text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text).split('\n');
}

function trimLines(lines: string[], opts: TrimOptions, html: boolean): Trimmed {
  const methods = new Set<string>();
  const { kind, headerType, prefixes } = classifyLines(lines, opts, html);
  if (opts.sentTexts && opts.sentTexts.length > 0 && markSentLines(lines, kind, opts.sentTexts)) {
    methods.add('sent-text');
  }
  absorbLinkContinuations(lines, kind);
  markSignatureBlocks(lines, kind);
  const segs = segment(kind, headerType);
  const selected = selectReply(segs.filter((s) => s.kind !== 'S'), methods);

  const role = new Uint8Array(lines.length); // QUOTED unless marked
  for (const s of selected.reply) role.fill(REPLY, s.start, s.end);
  if (selected.sigBelow) {
    role.fill(SIGNATURE, selected.sigBelow.start, selected.sigBelow.end);
    methods.add('signature-below-quote');
  }
  const firstReply = selected.reply[0]?.start ?? Number.MAX_SAFE_INTEGER;
  for (const s of segs) {
    if (s.kind === 'S' && s.start < selected.cut && firstReply < s.start) {
      role.fill(SIGNATURE, s.start, s.end);
      methods.add('signature');
    }
  }
  // "reply On … wrote:" on one line: the words before the attribution are the reply.
  const text = lines.slice();
  for (const [i, prefix] of prefixes) {
    if (i < selected.cut && role[i] === QUOTED) {
      text[i] = prefix;
      role[i] = REPLY;
    }
  }

  const replyIdx = withInnerBlanks(role, REPLY, kind);
  for (const i of replyIdx) role[i] = REPLY;
  // A separator line left just above removed history ("______", "-----") belongs to the history.
  while (replyIdx.length > 0 && isDelimiterLine(text[replyIdx[replyIdx.length - 1] ?? 0] ?? '')) {
    role[replyIdx.pop() ?? 0] = QUOTED;
    trimBlankEnds(replyIdx, text, role);
  }
  const sigStart = findSignature(replyIdx.map((i) => text[i] ?? ''), methods);
  for (const i of replyIdx.slice(sigStart)) role[i] = SIGNATURE;
  const reply = replyIdx.slice(0, sigStart);
  trimBlankEnds(reply, text, role);
  const signature = withInnerBlanks(role, SIGNATURE, kind);
  for (const i of signature) role[i] = SIGNATURE;

  // Blank lines at either end of the removed text are dropped (kind says which are blank).
  let qFirst = 0;
  while (qFirst < lines.length && (role[qFirst] !== QUOTED || kind[qFirst] === 'E') && !prefixes.has(qFirst)) qFirst++;
  let qLast = lines.length - 1;
  while (qLast >= qFirst && (role[qLast] !== QUOTED || kind[qLast] === 'E') && !prefixes.has(qLast)) qLast--;
  const quoted: string[] = [];
  for (let i = qFirst; i <= qLast; i++) {
    const line = lines[i] ?? '';
    if (role[i] === QUOTED) {
      if (!(html && isSentinel(line))) quoted.push(line);
    } else if (role[i] === REPLY && prefixes.has(i)) {
      quoted.push(line.slice((prefixes.get(i) ?? '').length).trimStart());
    }
  }
  if (methods.size === 0 && quoted.length > 0) methods.add('cleanup');

  return {
    reply: reply.map((i) => text[i] ?? '').join('\n'),
    signature: signature.map((i) => text[i] ?? '').join('\n'),
    quoted: quoted.join('\n'),
    method: methods.size > 0 ? [...methods].join('+') : 'none',
  };
}

const isSentinel = (line: string): boolean => line.includes(HTML_QUOTE_SENTINEL) || line.includes(HTML_RULE_SENTINEL);

/** Indices with the given role, plus blank lines lying between two of them. */
function withInnerBlanks(role: Uint8Array, want: number, kind: Kind[]): number[] {
  const out: number[] = [];
  let last = -1;
  for (let i = 0; i < role.length; i++) {
    if (role[i] !== want) continue;
    if (last >= 0 && i - last > 1) {
      let blanks = true;
      for (let k = last + 1; k < i && blanks; k++) blanks = kind[k] === 'E';
      if (blanks) for (let k = last + 1; k < i; k++) out.push(k);
    }
    out.push(i);
    last = i;
  }
  return out;
}

function trimBlankEnds(idx: number[], text: string[], role: Uint8Array): void {
  while (idx.length > 0 && isEmptyLine(text[idx[idx.length - 1] ?? 0] ?? '')) role[idx.pop() ?? 0] = QUOTED;
  let k = 0;
  while (k < idx.length && isEmptyLine(text[idx[k] ?? 0] ?? '')) role[idx[k++] ?? 0] = QUOTED;
  if (k > 0) idx.splice(0, k);
}

// ---------------------------------------------------------------------------------------------
// Step 1: classify lines.

interface Classified {
  kind: Kind[];
  headerType: Map<number, HeaderType>;
  prefixes: Map<number, string>;
}

function classifyLines(lines: string[], opts: TrimOptions, html: boolean): Classified {
  const n = lines.length;
  // lines.map keeps a packed array; new Array(n) for large n is a slow dictionary.
  const kind: Kind[] = lines.map((): Kind => 'E');
  const headerType = new Map<number, HeaderType>();
  const prefixes = new Map<number, string>();
  const markerKey = letters(opts.marker ?? REPLY_MARKER);
  const markerWord = longestWord(opts.marker ?? REPLY_MARKER);
  const fieldCache: (FieldMatch | null | undefined)[] = lines.map(() => undefined);
  const markHeader = (start: number, len: number, type: HeaderType): void => {
    for (let k = start; k < start + len && k < n; k++) {
      kind[k] = 'H';
      headerType.set(k, type);
    }
  };

  let inFence = false;
  let prevKind: Kind | undefined; // of the last non-empty line
  for (let i = 0; i < n; ) {
    const line = lines[i] ?? '';
    if (!inFence && isEmptyLine(line)) {
      kind[i++] = 'E';
      continue;
    }
    const quoted = isQuotedLine(line);
    if (!quoted && isFenceLine(line)) {
      inFence = !inFence;
      kind[i++] = prevKind = 'T';
      continue;
    }
    if (inFence || isEmptyLine(line)) {
      kind[i] = inFence && !isEmptyLine(line) ? 'T' : 'E';
      if (kind[i] !== 'E') prevKind = kind[i];
      i++;
      continue;
    }
    if (html && isSentinel(line)) {
      // Sentinels inside a blockquote are nested history, not a new start.
      if (quoted) kind[i] = 'E';
      else markHeader(i, 1, line.includes(HTML_QUOTE_SENTINEL) ? 'html' : 'rule');
      if (!quoted) prevKind = 'H';
      i++;
      continue;
    }
    // A quoted attribution only opens a quote; inside one it is just more history.
    const insideQuote = quoted && prevKind === 'Q';
    if (line.length <= MAX_HEADER_LINE && !insideQuote) {
      if (isMarkerLine(line, markerKey, markerWord)) {
        markHeader(i, 1, 'marker');
        prevKind = 'H';
        i++;
        continue;
      }
      if (isSeparatorLine(line)) {
        markHeader(i, 1, 'separator');
        prevKind = 'H';
        i++;
        continue;
      }
      const attribution = detectAttribution(lines, i);
      if (attribution) {
        markHeader(i, attribution.lines, 'attribution');
        if (attribution.prefix) prefixes.set(i, attribution.prefix);
        prevKind = 'H';
        i += attribution.lines;
        continue;
      }
      if (!quoted) {
        const fields = detectFieldBlock(lines, i, fieldCache);
        if (fields > 0) {
          markHeader(i, fields, 'fields');
          prevKind = 'H';
          i += fields;
          continue;
        }
      }
    }
    kind[i] = prevKind = quoted || wrappedQuote(lines, kind, i) ? 'Q' : 'T';
    i++;
  }
  dropLooseRules(lines, kind, headerType);
  return { kind, headerType, prefixes };
}

/**
 * A long quoted line that a client wrapped after quoting it leaves its end without the "> ":
 * "> … Nullam pharetra d" / "ignissim odio?". A line right under a long quoted line that goes on
 * in lower case is that end; an answer written under a quote starts a sentence of its own.
 */
function wrappedQuote(lines: string[], kind: Kind[], i: number): boolean {
  if (i === 0 || kind[i - 1] !== 'Q') return false;
  const above = lines[i - 1] ?? '';
  return above.length >= WRAPPED_QUOTE_MIN && /^\s*["'(]?\p{Ll}/u.test(lines[i] ?? '');
}
/** How long a quoted line must be to have been wrapped (clients wrap at 72 to 80 columns). */
const WRAPPED_QUOTE_MIN = 60;

/** An HTML rule counts only right above a header block (Outlook desktop); elsewhere it is a blank. */
function dropLooseRules(lines: string[], kind: Kind[], headerType: Map<number, HeaderType>): void {
  for (const [i, type] of headerType) {
    if (type !== 'rule') continue;
    let j = i + 1;
    while (j < kind.length && (kind[j] === 'E' || (kind[j] === 'T' && isDelimiterLine(lines[j] ?? '')))) j++;
    if (kind[j] === 'H' && headerType.get(j) !== 'rule') continue;
    kind[i] = 'E';
    headerType.delete(i);
  }
}

const letters = (s: string): string => s.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

const longestWord = (s: string): string =>
  s.toLowerCase().split(/[^\p{L}\p{N}]+/u).reduce((a, b) => (b.length > a.length ? b : a), '');

function isMarkerLine(line: string, markerKey: string, markerWord: string): boolean {
  if (!markerKey) return false;
  const lower = line.toLowerCase();
  if (!lower.includes(markerWord) && !lower.includes('above')) return false;
  const key = letters(line);
  if (key.length > markerKey.length + 24) return false;
  return key.includes(markerKey) || key.includes('replyabovethisline');
}

interface AttributionHit {
  lines: number;
  prefix: string;
}

/** An attribution starting at line i, possibly wrapped over up to five lines (blank lines included). */
function detectAttribution(lines: string[], i: number): AttributionHit | undefined {
  const first = lines[i] ?? '';
  const quoted = isQuotedLine(first);
  const start = (quoted ? stripQuotePrefix(first) : first).trim();
  const single = matchAttribution(collapse(start), true);
  if (single) {
    // Map the prefix found in the collapsed text back onto the line as written.
    const at = single.prefix ? first.indexOf(single.prefix) : -1;
    return { lines: 1, prefix: at >= 0 ? first.slice(0, at + single.prefix.length) : single.prefix };
  }
  if (!mayStartAttribution(start)) return undefined;
  let joined = start;
  for (let k = 1; k < 5 && i + k < lines.length; k++) {
    const next = lines[i + k] ?? '';
    if (next.length > 200) break;
    if (quoted !== isQuotedLine(next) && !/^[ \t]*>/.test(next)) break;
    const part = (quoted ? stripQuotePrefix(next) : next).trim();
    if (part) joined = `${joined} ${part}`;
    if (joined.length > MAX_HEADER_JOINED) break;
    if (!part) continue;
    if (matchAttribution(collapse(joined), false)) return { lines: k + 1, prefix: '' };
  }
  return undefined;
}

const collapse = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** An Outlook-style block of header fields starting at line i; returns its length in lines. */
/** matchField, computed once per line: block detection looks ahead over the same lines. */
function fieldAt(lines: string[], k: number, cache: (FieldMatch | null | undefined)[]): FieldMatch | undefined {
  let f = cache[k];
  if (f === undefined) cache[k] = f = matchField(lines[k] ?? '') ?? null;
  return f ?? undefined;
}

function detectFieldBlock(lines: string[], i: number, cache: (FieldMatch | null | undefined)[]): number {
  const first = fieldAt(lines, i, cache);
  if (!first) return 0;
  const kinds = new Set([first.kind]);
  let last = i;
  let continuation = 0;
  for (let j = i + 1; j < lines.length && j < i + 16; j++) {
    const line = lines[j] ?? '';
    if (isEmptyLine(line) || isQuotedLine(line)) break;
    const f = fieldAt(lines, j, cache);
    if (f) {
      kinds.add(f.kind);
      last = j;
      continuation = 0;
    } else if (++continuation > 2) {
      break;
    }
  }
  const anchored = kinds.has('from') || kinds.has('sent') || kinds.has('date');
  if (kinds.size >= 2 && anchored) return last - i + 1;
  // A lone "From: someone <a@b>" opening a paragraph is how some clients start the quote.
  const prev = i === 0 ? '' : (lines[i - 1] ?? '');
  if (first.kind === 'from' && hasAddress(first.value) && (isEmptyLine(prev) || isDelimiterLine(prev))) return 1;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Step 2: our own text, quoted without `>`.

// V8 runs the Unicode-property class ~20× slower than an ASCII class, and most mail is ASCII:
// for ASCII text both give the same words (NFKC leaves ASCII alone).
// eslint-disable-next-line no-control-regex
const ASCII_ONLY = /^[\x00-\x7f]*$/;
const words = (s: string, cap = 20_000): string[] => {
  const lower = s.slice(0, cap).toLowerCase();
  const w = (ASCII_ONLY.test(lower) ? lower.replace(/[^a-z0-9]+/g, ' ') : lower.normalize('NFKC').replace(/[^\p{L}\p{N}]+/gu, ' ')).trim();
  return w ? w.split(' ') : [];
};

/** Marks lines matching the sent texts (word trigrams survive re-wrapping) as quoted. */
function markSentLines(lines: string[], kind: Kind[], sentTexts: string[]): boolean {
  const trigrams = new Set<string>();
  const shortLines = new Set<string>();
  const vocabulary = new Set<string>();
  for (const text of sentTexts) {
    const all = words(text, 2_000_000);
    for (let k = 0; k + 2 < all.length; k++) trigrams.add(`${all[k]} ${all[k + 1]} ${all[k + 2]}`);
    for (const w of all) vocabulary.add(w);
    for (const line of text.split('\n', 20_000)) {
      const w = words(line);
      if (w.length > 0 && w.length < 3) shortLines.add(w.join(' '));
    }
  }
  const sentLike = new Uint8Array(lines.length);
  const matchedWords = new Uint32Array(lines.length);
  const match = (i: number): boolean => {
    const w = words(stripQuotePrefix(lines[i] ?? ''));
    if (w.length >= 3) {
      let hit = 0;
      for (let k = 0; k + 2 < w.length; k++) if (trigrams.has(`${w[k]} ${w[k + 1]} ${w[k + 2]}`)) hit++;
      if (hit / (w.length - 2) < 0.7) return false;
    } else if (!(w.length > 0 && w.join(' ').length >= 4 && shortLines.has(w.join(' ')))) {
      return false;
    }
    sentLike[i] = 1;
    matchedWords[i] = w.length;
    return true;
  };
  // Unquoted lines first: when none of them is our text, lines already quoted with `>` have
  // nothing to gain from matching (they are quoted either way), and a reply above a long quote
  // skips the work.
  let unquotedMatch = false;
  for (let i = 0; i < lines.length; i++) if (kind[i] === 'T' && match(i)) unquotedMatch = true;
  if (!unquotedMatch) return false;
  for (let i = 0; i < lines.length; i++) if (kind[i] === 'Q') match(i);
  // Re-wrapping leaves short tails ("blocked.") on their own line, right below a matching one.
  for (let i = 1; i < lines.length; i++) {
    if (sentLike[i] || !sentLike[i - 1] || (kind[i] !== 'T' && kind[i] !== 'Q')) continue;
    const w = words(stripQuotePrefix(lines[i] ?? ''));
    if (w.length > 0 && w.length <= 3 && w.every((x) => vocabulary.has(x))) sentLike[i] = 1;
  }
  // A run of at least two matching lines (or one long one) is quoted; a lone short match is
  // more likely the participant echoing a phrase.
  let any = false;
  for (let i = 0; i < lines.length; ) {
    if (!sentLike[i]) {
      i++;
      continue;
    }
    let j = i;
    let count = 0;
    let total = 0;
    let end = i;
    while (j < lines.length && (sentLike[j] || kind[j] === 'E')) {
      if (sentLike[j]) {
        count++;
        total += matchedWords[j] ?? 0;
        end = j;
      }
      j++;
    }
    if ((count >= 2 && total >= 6) || total >= 12) {
      for (let k = i; k <= end; k++) if (sentLike[k]) kind[k] = 'Q';
      any = true;
    }
    i = end + 1;
  }
  return any;
}

/** A URL tail wrapped out of a quote ("> see (http://x" / "y) >") stays inside the quote. */
function absorbLinkContinuations(lines: string[], kind: Kind[]): void {
  for (let i = 1; i + 1 < lines.length; i++) {
    if (kind[i] !== 'T' || kind[i - 1] !== 'Q' || kind[i + 1] !== 'Q') continue;
    const line = (lines[i] ?? '').trim();
    if (line.length <= 300 && (line.includes('://') || !/\s/.test(line))) kind[i] = 'Q';
  }
}

// ---------------------------------------------------------------------------------------------
// Step 3 and 4: segments and the cut.

function segment(kind: Kind[], headerType: Map<number, HeaderType>): Seg[] {
  const segs: Seg[] = [];
  for (let i = 0; i < kind.length; i++) {
    const k = kind[i];
    if (k === 'E' || k === undefined) continue;
    const last = segs[segs.length - 1];
    const type = headerType.get(i);
    // Text and quote segments run across blank lines; consecutive headers merge (an
    // attribution line followed by a separator or a field block is one header).
    if (last && last.kind === k) {
      last.end = i + 1;
      if (type) last.types.add(type);
      continue;
    }
    segs.push({ kind: k, start: i, end: i + 1, types: new Set(type ? [type] : []) });
  }
  return segs;
}

/**
 * "-- " and decoration lines with a short tail start a signature block that runs to the next
 * header or quote: it is set aside before the structure is read, so a signature below the
 * history ("…quote…\n-- \nBob") does not look like text answering the quote.
 */
function markSignatureBlocks(lines: string[], kind: Kind[]): void {
  let first = 0;
  while (first < kind.length && kind[first] === 'E') first++;
  for (let i = first + 1; i < kind.length; i++) {
    if (kind[i] !== 'T') continue;
    const line = lines[i] ?? '';
    const dash = isSigDashLine(line);
    if (!dash && !isDelimiterLine(line)) continue;
    let end = i + 1;
    let nonEmpty = 0;
    while (end < kind.length && (kind[end] === 'T' || kind[end] === 'E')) {
      if (kind[end] === 'T') nonEmpty++;
      end++;
    }
    if (!dash && (nonEmpty === 0 || nonEmpty > 10)) continue;
    if (dash && nonEmpty > 20) continue;
    for (let k = i; k < end; k++) if (kind[k] === 'T') kind[k] = 'S';
    i = end - 1;
  }
}

interface Selection {
  reply: Seg[];
  sigBelow?: Seg;
  /** First line index of the history that runs to the end (lines.length if none). */
  cut: number;
}

function selectReply(segs: Seg[], methods: Set<string>): Selection {
  const isHard = (idx: number): boolean => {
    const s = segs[idx];
    if (!s || s.kind !== 'H') return false;
    for (const t of s.types) if (HARD_HEADERS.has(t)) return true;
    return segs[idx + 1]?.kind !== 'Q';
  };
  const noteHeader = (s: Seg): void => {
    for (const t of s.types) methods.add(t === 'rule' ? 'html' : t);
  };

  // A header at the very top: the participant wrote below it (bottom-posting) or forwarded.
  let from = 0;
  while (from < segs.length && isHard(from)) {
    noteHeader(segs[from] as Seg);
    methods.add('top-header');
    from++;
    if (segs[from]?.kind === 'Q') from++;
  }
  let to = from;
  while (to < segs.length && !isHard(to)) to++;
  const cut = to < segs.length ? (segs[to] as Seg).start : Number.MAX_SAFE_INTEGER;
  if (to < segs.length) noteHeader(segs[to] as Seg);

  const region = segs.slice(from, to);
  if (!region.some((s) => s.kind === 'T')) {
    // Nothing but quotes: a header means it is all history; a bare quote is what they sent.
    if (region.some((s) => s.kind === 'H')) {
      for (const s of region) if (s.kind === 'H') noteHeader(s);
      return { reply: [], cut };
    }
    return { reply: region, cut };
  }

  // Counted before trailing quotes go: quote, text, quote is an inline answer, not a wrapper.
  const quotes = region.filter((s) => s.kind === 'Q').length;
  while (region.length > 0 && region[region.length - 1]?.kind !== 'T') {
    const s = region.pop() as Seg;
    if (s.kind === 'H') noteHeader(s);
    else methods.add('trailing-quote');
  }
  // A quote opened by a header before any text: the reply is below it (bottom-posting), unless
  // more quotes follow, which makes it the first question of an inline answer.
  while (region[0]?.kind === 'H') {
    noteHeader(region.shift() as Seg);
    methods.add('leading-quote');
    const inline = region.filter((s) => s.kind === 'Q').length > 1;
    if ((region[0] as Seg | undefined)?.kind === 'Q' && !inline) region.shift();
  }

  // Text, header, the only quote, and a short tail: the client put the signature below the quote.
  let sigBelow: Seg | undefined;
  const n = region.length;
  if (
    n >= 4 &&
    quotes === 1 &&
    region[n - 2]?.kind === 'Q' &&
    region[n - 3]?.kind === 'H' &&
    region.slice(0, n - 3).some((s) => s.kind === 'T')
  ) {
    const tail = region[n - 1] as Seg;
    if (tail.end - tail.start <= 10) {
      sigBelow = tail;
      noteHeader(region[n - 3] as Seg);
      region.splice(n - 3, 3);
    }
  }

  // Attributions left in the middle introduce inline answers: the quote stays as context.
  const reply = region.filter((s) => {
    if (s.kind !== 'H') return true;
    noteHeader(s);
    methods.add('inline');
    return false;
  });
  return { reply, sigBelow, cut };
}

// ---------------------------------------------------------------------------------------------
// Step 5: the signature.

/** Index in `lines` where the signature starts (lines.length when there is none). */
function findSignature(lines: string[], methods: Set<string>): number {
  let first = 0;
  while (first < lines.length && isEmptyLine(lines[first] ?? '')) first++;
  if (first >= lines.length) return lines.length;
  const nonEmptyIn = (from: number, to: number, skip?: (l: string) => boolean): number => {
    let c = 0;
    for (let k = from; k < to; k++) {
      const l = lines[k] ?? '';
      if (!isEmptyLine(l) && !(skip && skip(l))) c++;
    }
    return c;
  };

  let cand = lines.length;
  for (let i = first + 1; i < cand; i++) {
    const l = lines[i] ?? '';
    if (isQuotedLine(l)) continue;
    if (isSigDashLine(l)) {
      cand = i;
      methods.add('signature');
      break;
    }
    if (isDelimiterLine(l) && nonEmptyIn(i + 1, lines.length) <= 10) {
      cand = i;
      methods.add('signature');
      break;
    }
    if (isFooterLine(l) && nonEmptyIn(i + 1, lines.length, isFooterLine) <= 3) {
      cand = i;
      methods.add('mobile-footer');
      break;
    }
  }

  // Walk up from the signature (or the end) over a dashed name or a sign-off with a name.
  const prevNonEmpty = (k: number): number => {
    let j = k - 1;
    while (j >= 0 && isEmptyLine(lines[j] ?? '')) j--;
    return j;
  };
  const j = prevNonEmpty(cand);
  if (j > first) {
    const line = lines[j] ?? '';
    const before = prevNonEmpty(j);
    if (isNameLine(line, true) && !(before >= 0 && isListItemLine(lines[before] ?? ''))) {
      methods.add('signature');
      return before > first && isSignOffLine(lines[before] ?? '') ? before : j;
    }
    if (isSignOffWithNameLine(line) && !isSignOffLine(line)) {
      methods.add('signature');
      return j;
    }
    let k = j;
    let names = 0;
    while (names < 2 && k > first && isNameLine(lines[k] ?? '', false) && !isSignOffLine(lines[k] ?? '')) {
      names++;
      k = prevNonEmpty(k);
    }
    if (names > 0 && k > first && isSignOffLine(lines[k] ?? '')) {
      methods.add('signature');
      return k;
    }
  }
  return cand;
}
