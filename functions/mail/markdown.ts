// Authored Markdown (articles, strategies, the series intro) to email-safe HTML and to plain text
// of the same content. Runs at publish time only. Email clients ignore most CSS in <style>, so
// every element carries its own inline style; no raw HTML from Markdown passes through (it is
// shown as text); every link and image is absolute; nothing can be wider than the 552px column.
import { Lexer, type Token, type Tokens } from 'marked';
import { escapeHtml, protectBraces } from './escape.ts';
import { CONTENT_WIDTH, light, MONO_STACK } from './palette.ts';

export class MarkdownError extends Error {
  override name = 'MarkdownError';
}

export interface MarkdownOptions {
  /** Where the Markdown came from, for error messages: a file path, or a label like `training "x"`. */
  source: string;
  /** Line of `source` where this Markdown starts (1-based), so errors point at the authored line. */
  startLine?: number;
  /** Base for relative links and images; without it a relative URL is an error (mail has no base). */
  baseUrl?: string;
}

type Kind = 'link' | 'image';

function lineOf(md: string, raw: string, opts: MarkdownOptions): string {
  const at = md.indexOf(raw);
  const line = (opts.startLine ?? 1) + (at === -1 ? 0 : md.slice(0, at).split('\n').length - 1);
  return `${opts.source}:${line}`;
}

function absoluteUrl(href: string, kind: Kind, raw: string, md: string, opts: MarkdownOptions): string {
  const where = lineOf(md, raw, opts);
  const trimmed = href.trim();
  let url: URL;
  try {
    url = opts.baseUrl ? new URL(trimmed, opts.baseUrl) : new URL(trimmed);
  } catch {
    throw new MarkdownError(
      `${where}: the ${kind} "${trimmed}" is not an absolute URL. Emails have no base address: ` +
        'write the full https://… address (or publish the file and link to it).',
    );
  }
  const allowed = kind === 'image' ? ['https:', 'http:', 'data:'] : ['https:', 'http:', 'mailto:'];
  if (!allowed.includes(url.protocol) || (kind === 'image' && url.protocol === 'data:' && !/^data:image\//i.test(trimmed))) {
    throw new MarkdownError(
      `${where}: the ${kind} "${trimmed.slice(0, 60)}" uses "${url.protocol}", which mail clients block or which is unsafe. ` +
        `Use ${kind === 'image' ? 'an https:// image' : 'an https:// or mailto: link'}.`,
    );
  }
  // Keep what the author wrote when it was already absolute: URL() would re-encode it.
  return opts.baseUrl && !/^[a-z][a-z0-9+.-]*:/i.test(trimmed) ? url.href : trimmed;
}

/** Parses `width=240` in an image title: the author's hint for a small image or gif. */
function imageWidth(title: string | null | undefined): { width: number; title: string | null } {
  const m = title ? /^\s*width\s*=\s*(\d+)\s*$/i.exec(title) : null;
  if (!m) return { width: CONTENT_WIDTH, title: title ?? null };
  return { width: Math.max(1, Math.min(CONTENT_WIDTH, Number(m[1]))), title: null };
}

const S = {
  p: 'margin:0 0 16px;',
  h: [
    '',
    'margin:28px 0 12px;font-size:24px;line-height:1.3;font-weight:700;',
    'margin:28px 0 10px;font-size:20px;line-height:1.3;font-weight:700;',
    'margin:24px 0 8px;font-size:18px;line-height:1.35;font-weight:700;',
    'margin:20px 0 8px;font-size:16px;line-height:1.4;font-weight:700;',
    'margin:20px 0 8px;font-size:16px;line-height:1.4;font-weight:700;',
    'margin:20px 0 8px;font-size:16px;line-height:1.4;font-weight:700;',
  ],
  list: 'margin:0 0 16px;padding:0 0 0 24px;',
  nestedList: 'margin:6px 0 0;padding:0 0 0 20px;',
  li: 'margin:0 0 6px;',
  pre: `margin:0 0 16px;padding:12px 14px;background:${light.codeBg};color:${light.codeText};border-radius:6px;font-family:${MONO_STACK};font-size:14px;line-height:1.5;white-space:pre-wrap;word-break:break-word;overflow-wrap:anywhere;`,
  code: `font-family:${MONO_STACK};font-size:0.9em;background:${light.codeBg};color:${light.codeText};padding:1px 4px;border-radius:4px;word-break:break-word;overflow-wrap:anywhere;`,
  quote: `margin:0 0 16px;padding:2px 0 2px 16px;border-left:4px solid ${light.quoteBar};`,
  hr: `border:0;border-top:1px solid ${light.border};margin:24px 0;`,
  table: 'width:100%;border-collapse:collapse;margin:0 0 16px;font-size:14px;line-height:1.45;',
  cell: `border:1px solid ${light.border};padding:6px 8px;vertical-align:top;word-break:break-word;overflow-wrap:anywhere;`,
  a: `color:${light.link};text-decoration:underline;word-break:break-word;overflow-wrap:anywhere;`,
  img: 'display:block;max-width:100%;height:auto;border:0;outline:none;text-decoration:none;margin:0 0 8px;',
};

/** Class names that the dark-mode stylesheet in the layout targets. */
export const MD_CLASS = { pre: 'bt-pre', code: 'bt-code', link: 'bt-link', quote: 'bt-quote', cell: 'bt-cell' } as const;

class HtmlRenderer {
  private depth = 0;

  constructor(
    private readonly md: string,
    private readonly opts: MarkdownOptions,
  ) {}

  blocks(tokens: readonly Token[]): string {
    return tokens.map((t) => this.block(t)).join('');
  }

  private block(t: Token): string {
    switch (t.type) {
      case 'space':
      case 'def':
        return '';
      case 'paragraph':
        return `<p style="${S.p}">${this.inline(t.tokens ?? [])}</p>\n`;
      case 'heading': {
        const depth = Math.min(6, Math.max(1, (t as Tokens.Heading).depth));
        return `<h${depth} style="${S.h[depth]}">${this.inline(t.tokens ?? [])}</h${depth}>\n`;
      }
      case 'code':
        return `<pre class="${MD_CLASS.pre}" style="${S.pre}"><code>${escapeHtml((t as Tokens.Code).text)}</code></pre>\n`;
      case 'blockquote':
        return `<blockquote class="${MD_CLASS.quote}" style="${S.quote}">${lastMarginOff(this.blocks((t as Tokens.Blockquote).tokens))}</blockquote>\n`;
      case 'hr':
        return `<hr style="${S.hr}">\n`;
      case 'list': {
        const list = t as Tokens.List;
        const tag = list.ordered ? 'ol' : 'ul';
        const start = list.ordered && list.start !== '' && list.start !== 1 ? ` start="${Number(list.start)}"` : '';
        this.depth++;
        const items = list.items
          .map((item) => {
            const box = item.task ? (item.checked ? '&#9745; ' : '&#9744; ') : '';
            // A tight item's paragraphs come as bare text tokens; a loose one's as paragraphs whose
            // bottom margin would double the gap inside the item.
            const inner = lastMarginOff(this.blocks(item.tokens.filter((x) => x.type !== 'checkbox')));
            return `<li style="${S.li}">${box}${inner}</li>\n`;
          })
          .join('');
        this.depth--;
        return `<${tag}${start} style="${this.depth > 0 ? S.nestedList : S.list}">\n${items}</${tag}>\n`;
      }
      case 'table': {
        const table = t as Tokens.Table;
        const cell = (c: Tokens.TableCell, tag: 'th' | 'td') =>
          `<${tag} class="${MD_CLASS.cell}" style="${S.cell}text-align:${c.align ?? 'left'};">${this.inline(c.tokens)}</${tag}>`;
        const head = `<tr>${table.header.map((c) => cell(c, 'th')).join('')}</tr>`;
        const rows = table.rows.map((r) => `<tr>${r.map((c) => cell(c, 'td')).join('')}</tr>`).join('\n');
        return `<table style="${S.table}"><thead>${head}</thead><tbody>${rows}</tbody></table>\n`;
      }
      case 'html':
        // Raw HTML in Markdown is shown, not run: no author markup reaches a mail client.
        return `<p style="${S.p}">${escapeHtml((t as Tokens.HTML).text.trim())}</p>\n`;
      case 'text': {
        const text = t as Tokens.Text;
        return text.tokens ? this.inline(text.tokens) : this.escapeText(text.text);
      }
      default:
        return this.escapeText(t.raw);
    }
  }

  private escapeText(text: string): string {
    return escapeHtml(text);
  }

  inline(tokens: readonly Token[]): string {
    return tokens.map((t) => this.span(t)).join('');
  }

  private span(t: Token): string {
    switch (t.type) {
      case 'text': {
        const text = t as Tokens.Text;
        return text.tokens ? this.inline(text.tokens) : this.escapeText(text.text);
      }
      case 'escape':
        return this.escapeText((t as Tokens.Escape).text);
      case 'strong':
        return `<strong>${this.inline(t.tokens ?? [])}</strong>`;
      case 'em':
        return `<em>${this.inline(t.tokens ?? [])}</em>`;
      case 'del':
        return `<del>${this.inline(t.tokens ?? [])}</del>`;
      case 'codespan':
        return `<code class="${MD_CLASS.code}" style="${S.code}">${escapeHtml((t as Tokens.Codespan).text)}</code>`;
      case 'br':
        return '<br>';
      case 'html':
      case 'tag':
        return this.escapeText((t as Tokens.Tag).text);
      case 'link': {
        const link = t as Tokens.Link;
        const href = absoluteUrl(link.href, 'link', link.raw, this.md, this.opts);
        const title = link.title ? ` title="${this.escapeText(link.title)}"` : '';
        return `<a class="${MD_CLASS.link}" href="${escapeHtml(href)}"${title} target="_blank" style="${S.a}">${this.inline(link.tokens)}</a>`;
      }
      case 'image': {
        const image = t as Tokens.Image;
        const src = absoluteUrl(image.href, 'image', image.raw, this.md, this.opts);
        const { width, title } = imageWidth(image.title);
        const titleAttr = title ? ` title="${this.escapeText(title)}"` : '';
        return `<img src="${escapeHtml(src)}" alt="${this.escapeText(image.text)}"${titleAttr} width="${width}" style="${S.img}width:${width}px;">`;
      }
      case 'checkbox':
        return '';
      default:
        return this.escapeText(t.raw);
    }
  }
}

// The last block inside a list item or quote should not add its bottom margin to the container's.
function lastMarginOff(html: string): string {
  const open = `<p style="${S.p}">`;
  const i = html.lastIndexOf(open);
  return i !== -1 && html.endsWith('</p>\n') && !html.includes('<p ', i + 1)
    ? `${html.slice(0, i)}<p style="margin:0;">${html.slice(i + open.length)}`
    : html;
}

function lex(md: string): Token[] {
  return new Lexer({ gfm: true }).lex(md);
}

/** Markdown to email-safe HTML (inline styles, escaped raw HTML, absolute URLs, braces protected). */
export function markdownToEmailHtml(md: string, opts: MarkdownOptions): string {
  return protectBraces(new HtmlRenderer(md, opts).blocks(lex(md)));
}

/** Markdown of a single line (a title) to inline HTML, without a paragraph around it. */
export function markdownInlineToEmailHtml(md: string, opts: MarkdownOptions): string {
  const renderer = new HtmlRenderer(md, opts);
  return protectBraces(renderer.inline(new Lexer({ gfm: true }).inlineTokens(md)));
}

// ---- plain text -------------------------------------------------------------------------------

export const TEXT_WIDTH = 76;

/** Joins words so wrapText keeps them on one line ("Adopt #2"); they come out with a plain space. */
export const KEEP = '\u00a0';

/**
 * Wraps at `width` on spaces; words longer than a line (URLs) stay whole on their own line.
 * Hard line breaks in `text` are kept. `first` prefixes the first line, `rest` the others.
 */
export function wrapText(text: string, width = TEXT_WIDTH, first = '', rest = first): string {
  const out: string[] = [];
  let prefix = first;
  for (const hardLine of text.split('\n')) {
    const words = hardLine.split(/[ \t]+/).filter((w) => w !== '');
    let line = '';
    for (const word of words) {
      if (line && prefix.length + line.length + 1 + word.length > width) {
        out.push(prefix + line);
        prefix = rest;
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    out.push((prefix + line).trimEnd());
    prefix = rest;
  }
  return out.join('\n').replaceAll(KEEP, ' ');
}

class TextRenderer {
  constructor(
    private readonly md: string,
    private readonly opts: MarkdownOptions,
  ) {}

  /** Blocks separated by one blank line. */
  blocks(tokens: readonly Token[], width: number, separator = '\n\n'): string {
    return tokens
      .map((t) => this.block(t, width))
      .filter((s) => s !== '')
      .join(separator);
  }

  private block(t: Token, width: number): string {
    switch (t.type) {
      case 'space':
      case 'def':
        return '';
      case 'paragraph':
        return wrapText(this.inline(t.tokens ?? []), width);
      case 'heading': {
        const text = this.inline(t.tokens ?? []).replace(/\n/g, ' ');
        const depth = (t as Tokens.Heading).depth;
        const rule = depth <= 2 ? `\n${(depth === 1 ? '=' : '-').repeat(Math.min(width, text.length))}` : '';
        return wrapText(text, width) + rule;
      }
      case 'code':
        return (t as Tokens.Code).text
          .split('\n')
          .map((l) => `    ${l}`.trimEnd())
          .join('\n');
      case 'blockquote':
        return this.blocks((t as Tokens.Blockquote).tokens, width - 2)
          .split('\n')
          .map((l) => (l ? `> ${l}` : '>'))
          .join('\n');
      case 'hr':
        return '-'.repeat(Math.min(width, 20));
      case 'list': {
        const list = t as Tokens.List;
        const start = list.ordered && typeof list.start === 'number' ? list.start : 1;
        return list.items
          .map((item, i) => {
            const bullet = list.ordered ? `${start + i}. ` : '- ';
            const box = item.task ? (item.checked ? '[x] ' : '[ ] ') : '';
            const pad = ' '.repeat(bullet.length);
            const body = this.blocks(
              item.tokens.filter((x) => x.type !== 'checkbox'),
              width - pad.length,
              list.loose ? '\n\n' : '\n',
            );
            return body
              .split('\n')
              .map((l, n) => (n === 0 ? bullet + box + l : l ? pad + l : ''))
              .join('\n');
          })
          .join(list.loose ? '\n\n' : '\n');
      }
      case 'table': {
        const table = t as Tokens.Table;
        const row = (cells: Tokens.TableCell[]) => cells.map((c) => this.inline(c.tokens).replace(/\n/g, ' ')).join(' | ');
        return [row(table.header), ...table.rows.map(row)].map((r) => wrapText(r, width, '', '  ')).join('\n');
      }
      case 'html':
        return wrapText((t as Tokens.HTML).text.trim(), width);
      case 'text': {
        const text = t as Tokens.Text;
        return wrapText(text.tokens ? this.inline(text.tokens) : text.text, width);
      }
      default:
        return wrapText(t.raw, width);
    }
  }

  inline(tokens: readonly Token[]): string {
    return tokens.map((t) => this.span(t)).join('');
  }

  private span(t: Token): string {
    switch (t.type) {
      case 'text': {
        const text = t as Tokens.Text;
        // A newline inside a paragraph is a soft break: the text is re-wrapped anyway.
        return text.tokens ? this.inline(text.tokens) : text.text.replace(/\n/g, ' ');
      }
      case 'escape':
        return (t as Tokens.Escape).text;
      case 'strong':
      case 'em':
      case 'del':
        return this.inline(t.tokens ?? []);
      case 'codespan':
        return (t as Tokens.Codespan).text;
      case 'br':
        return '\n';
      case 'html':
      case 'tag':
        return (t as Tokens.Tag).text;
      case 'link': {
        const link = t as Tokens.Link;
        const href = absoluteUrl(link.href, 'link', link.raw, this.md, this.opts);
        const text = this.inline(link.tokens);
        const shown = href.startsWith('mailto:') ? href.slice('mailto:'.length) : href;
        return text === href || text === shown ? shown : `${text} (${shown})`;
      }
      case 'image': {
        const image = t as Tokens.Image;
        const src = absoluteUrl(image.href, 'image', image.raw, this.md, this.opts);
        const alt = image.text.trim() || 'image';
        // A data: URI is unreadable (and huge) in text; an address lets the reader open the picture.
        return src.startsWith('data:') ? `[Image: ${alt}]` : `[Image: ${alt}] (${src})`;
      }
      case 'checkbox':
        return '';
      default:
        return t.raw;
    }
  }
}

/** Markdown to readable plain text: links as `text (url)`, images as `[Image: alt] (url)`, wrapped. */
export function markdownToText(md: string, opts: MarkdownOptions, width = TEXT_WIDTH): string {
  return protectBraces(new TextRenderer(md, opts).blocks(lex(md), width));
}

export function markdownInlineToText(md: string, opts: MarkdownOptions): string {
  return protectBraces(new TextRenderer(md, opts).inline(new Lexer({ gfm: true }).inlineTokens(md)));
}
