// Per-recipient step: a compiled template (HTML or text with {{placeholders}}) plus a few values
// becomes the email one participant gets. Runs in Lambda for every recipient, so it must be fast
// and must not import mjml (nor anything that does). A template is parsed into segments once and
// cached; filling is then a join of strings.
import { escapeHtml, LITERAL_OPEN, PLACEHOLDER_NAME } from './escape.ts';

export type FillMode = 'html' | 'text';

/** A template cut into literal text and placeholder names: `parts[i]` literal, `names[i]` after it. */
export interface ParsedTemplate {
  readonly literals: readonly string[];
  readonly names: readonly string[];
  /** `raw[i]`: names[i] was written `{{{name}}}`, a value inserted without HTML escaping. */
  readonly raw: readonly boolean[];
}

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/**
 * Parses `{{name}}` placeholders; `{{{{}}` stands for a literal `{{`. `{{{name}}}` is a raw
 * placeholder: its value is trusted HTML built at send time (the digest's and roll-up's lists,
 * which cannot be baked in at publish time) and is not escaped. Throws on a malformed one.
 */
export function parseTemplate(template: string): ParsedTemplate {
  const literals: string[] = [];
  const names: string[] = [];
  const raw: boolean[] = [];
  let literal = '';
  let from = 0;
  for (;;) {
    const open = template.indexOf('{{', from);
    if (open === -1) break;
    if (template.startsWith(LITERAL_OPEN, open)) {
      literal += template.slice(from, open) + '{{';
      from = open + LITERAL_OPEN.length;
      continue;
    }
    const isRaw = template.startsWith('{{{', open);
    const closer = isRaw ? '}}}' : '}}';
    const close = template.indexOf(closer, open + closer.length);
    const name = close === -1 ? '' : template.slice(open + closer.length, close);
    if (!PLACEHOLDER_NAME.test(name)) {
      throw new TemplateError(
        `Malformed placeholder at offset ${open}: "${template.slice(open, open + 40)}…". ` +
          'Placeholders are {{name}} with a letter-first identifier; authored text must go through protectBraces().',
      );
    }
    literals.push(literal + template.slice(from, open));
    names.push(name);
    raw.push(isRaw);
    literal = '';
    from = close + closer.length;
  }
  literals.push(literal + template.slice(from));
  return { literals, names, raw };
}

// Keyed by the template string itself: V8 caches a string's hash, so a lookup with the same
// string object (the one read from the table once per batch) costs next to nothing. Bounded so
// a long-lived Lambda serving many series cannot grow it forever.
const cache = new Map<string, ParsedTemplate>();
const CACHE_LIMIT = 64;

function parsedFor(template: string): ParsedTemplate {
  let parsed = cache.get(template);
  if (!parsed) {
    parsed = parseTemplate(template);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(template, parsed);
  }
  return parsed;
}

/** Every placeholder name the template needs, in order of first appearance. */
export function placeholdersOf(template: string): string[] {
  return [...new Set(parsedFor(template).names)];
}

/**
 * Fills every `{{name}}` from `values`. In html mode values are HTML-escaped (they land in text and
 * in quoted attributes alike), except `{{{raw}}}` ones; in text mode they are inserted as they are. A missing value is an
 * error: an email must never go out saying "Hi {{firstName}}".
 */
export function fillTemplate(template: string, values: Readonly<Record<string, string>>, mode: FillMode): string {
  return fillTemplateParts(template, values, mode).join('');
}

/**
 * The filled template as its pieces in order (literal, value, literal, …). The MIME builder
 * encodes a long literal once per batch and reuses it, instead of re-encoding 50 KB of the same
 * HTML for every recipient.
 */
export function fillTemplateParts(template: string, values: Readonly<Record<string, string>>, mode: FillMode): string[] {
  const { literals, names, raw } = parsedFor(template);
  const out: string[] = [literals[0] as string];
  for (let i = 0; i < names.length; i++) {
    const name = names[i] as string;
    const value = values[name];
    if (typeof value !== 'string') {
      throw new TemplateError(
        `No value for placeholder {{${name}}}` +
          (value === undefined ? '' : ` (got ${typeof value}, expected a string)`) +
          `. The template needs: ${placeholdersOf(template).join(', ')}. Pass it in the values.`,
      );
    }
    out.push(mode === 'html' && !raw[i] ? escapeHtml(value) : value, literals[i + 1] as string);
  }
  return out;
}

export interface CompiledEmail {
  subject: string;
  html: string;
  text: string;
}

/** Fills subject (text), html and text of one compiled email for one recipient. */
export function fillEmail(t: CompiledEmail, values: Readonly<Record<string, string>>): CompiledEmail {
  return {
    subject: fillTemplate(t.subject, values, 'text'),
    html: fillTemplate(t.html, values, 'html'),
    text: fillTemplate(t.text, values, 'text'),
  };
}

export interface FilledParts {
  subject: string;
  html: string[];
  text: string[];
}

/** Like fillEmail, with html and text as pieces for buildMessage. */
export function fillEmailParts(t: CompiledEmail, values: Readonly<Record<string, string>>): FilledParts {
  return {
    subject: fillTemplate(t.subject, values, 'text'),
    html: fillTemplateParts(t.html, values, 'html'),
    text: fillTemplateParts(t.text, values, 'text'),
  };
}
