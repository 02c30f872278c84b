// HTML replies: mail clients mark where the quoted message starts (Gmail's div.gmail_quote,
// Thunderbird's moz-cite-prefix, Apple's blockquote type=cite, Outlook's divRplyFwdMsg and its
// top-bordered header div). Before converting to text we put a sentinel line in front of those
// elements, so the text trimmer sees a header line exactly where the client put the history.
import { convert, type HtmlToTextOptions } from 'html-to-text';

/** A line that stands for "the client's quote container starts here". */
export const HTML_QUOTE_SENTINEL = '[[baton:quote-start:9f3c]]';
/** A rule line that only means something when a header block follows (Outlook desktop). */
export const HTML_RULE_SENTINEL = '[[baton:rule:9f3c]]';

const TEXT_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  // Long threads nest a blockquote or div per message; hostile mail nests thousands, which
  // overflows html-to-text's recursion. What is deeper than this is old history anyway.
  limits: { maxDepth: 128, ellipsis: '' },
  selectors: [
    { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    { selector: 'table', format: 'block' },
    { selector: 'tr', format: 'block' },
    { selector: 'td', format: 'inline' },
    { selector: 'th', format: 'inline' },
  ],
};

/** Readable plain text from an HTML-only mail: paragraphs, line breaks, `> ` for blockquotes. */
export function htmlToText(html: string): string {
  return convert(rewrite(html, false), TEXT_OPTIONS);
}

/** `htmlToText` with sentinel lines in front of the client's quote containers. */
export function htmlToMarkedText(html: string): string {
  return convert(rewrite(html, true), TEXT_OPTIONS);
}

const QUOTE_CLASSES = [
  'gmail_quote', 'gmail_attr', 'moz-cite-prefix', 'yahoo_quoted', 'protonmail_quote',
  'zmail_extra', 'outlookmessageheader', 'ms-outlook-mobile-reference-message',
];
const QUOTE_IDS = [
  'divrplyfwdmsg', 'x_divrplyfwdmsg', 'appendonsend', 'mail-editor-reference-message-container',
  'olk_src_body_section', 'stopspelling',
];
const VOID_TAGS = new Set([
  'br', 'hr', 'img', 'meta', 'link', 'input', 'wbr', 'col', 'area', 'base', 'source', 'track', 'embed', 'param',
]);
const MAX_TAG = 4000;
/** Deeper element nesting is flattened (tags dropped, text kept): it only ever comes from old history or abuse. */
const MAX_NESTING = 48;

/**
 * One linear pass over the tags: inserts sentinels (when `mark`) and drops tags nested deeper
 * than MAX_NESTING, which would otherwise make the HTML parser and converter slow or overflow
 * their recursion. Each tag's end is found with indexOf, so text without `>` stays linear.
 */
function rewrite(html: string, mark: boolean): string {
  const out: string[] = [];
  let copied = 0;
  let depth = 0;
  for (let p = html.indexOf('<'); p >= 0; ) {
    const gt = html.indexOf('>', p + 1);
    if (gt < 0) break;
    const tag = html.slice(p + 1, Math.min(gt, p + 1 + MAX_TAG));
    const closing = tag.startsWith('/');
    const name = /^\/?([a-zA-Z][a-zA-Z0-9:-]{0,30})/.exec(tag)?.[1]?.toLowerCase();
    if (name && !VOID_TAGS.has(name) && !tag.endsWith('/')) {
      const tooDeep = closing ? depth-- > MAX_NESTING : ++depth > MAX_NESTING;
      if (depth < 0) depth = 0;
      if (tooDeep) {
        out.push(html.slice(copied, p), ' ');
        copied = gt + 1;
        p = html.indexOf('<', gt + 1);
        continue;
      }
    }
    const sentinel = mark && !closing ? sentinelFor(tag) : undefined;
    if (sentinel) {
      out.push(html.slice(copied, p), `<div>${sentinel}</div>`);
      copied = p;
    }
    p = html.indexOf('<', gt + 1);
  }
  out.push(html.slice(copied));
  return out.join('');
}

function sentinelFor(tag: string): string | undefined {
  const name = /^([a-zA-Z][a-zA-Z0-9]{0,15})/.exec(tag)?.[1]?.toLowerCase();
  if (name !== 'div' && name !== 'blockquote' && name !== 'hr' && name !== 'span') return undefined;
  const lower = tag.toLowerCase();
  const cls = /\bclass\s*=\s*["']?([^"'>]{0,300})/.exec(lower)?.[1] ?? '';
  const id = /\bid\s*=\s*["']?([^"'\s>]{0,100})/.exec(lower)?.[1] ?? '';
  if (cls && QUOTE_CLASSES.some((c) => cls.split(/\s+/).includes(c))) return HTML_QUOTE_SENTINEL;
  if (id && QUOTE_IDS.includes(id)) return HTML_QUOTE_SENTINEL;
  if (name === 'blockquote' && /\btype\s*=\s*["']?cite/.test(lower)) return HTML_QUOTE_SENTINEL;
  if (name === 'hr') return HTML_RULE_SENTINEL;
  if (name === 'div' && /border-top[^;"']{0,40}solid|border-top-style:\s*solid/.test(lower)) return HTML_RULE_SENTINEL;
  return undefined;
}
