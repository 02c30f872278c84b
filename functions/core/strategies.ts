// The ## Strategies section of a training file, split from the article into strategies.
//
// Two ways to write it, whichever reads better for the training:
//
//   ## Strategies                          ## Strategies
//                                          
//   1. **Send the agenda ahead.** Put      ### Send the agenda ahead {#agenda}
//      it in the shared doc the day        Put it in the shared doc the day before...
//      before... {#agenda} may follow      
//      the bold title.                     ### Close with next steps
//   2. **Close with next steps.** ...      ...
//
// A list item's bold opening is the title and the rest of the item its body; with `###`
// sub-headings the heading is the title and everything up to the next one the body. The id is a
// slug of the title unless `{#custom-id}` follows the title; fixing it keeps responses attached
// when the title is later reworded.

import { SlugSchema, type Strategy } from './model.ts';
import type { Problem } from './problem.ts';
import { slugify } from './text.ts';

export interface StrategySplit {
  /** The Markdown with the Strategies section taken out. */
  article: string;
  strategies: Strategy[];
  errors: Problem[];
  warnings: Problem[];
}

const STRATEGIES_HEADING = /^ {0,3}##[ \t]+strategies[ \t]*:?[ \t]*#*[ \t]*$/i;
const SECTION_END = /^ {0,3}#{1,2}(?:[ \t]|$)/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Marks each line that is inside a fenced code block (fences included). */
function fencedLines(lines: readonly string[]): boolean[] {
  const inside: boolean[] = [];
  let fence: string | undefined;
  for (const line of lines) {
    const m = FENCE.exec(line);
    if (fence) {
      inside.push(true);
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && line.trim() === m[1]) fence = undefined;
    } else if (m) {
      fence = m[1];
      inside.push(true);
    } else inside.push(false);
  }
  return inside;
}

export function splitStrategies(file: string, body: string, bodyLine: number): StrategySplit {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const lines = body.split('\n');
  const fenced = fencedLines(lines);
  const lineNo = (i: number) => bodyLine + i;

  const headings = lines.flatMap((l, i) => (!fenced[i] && STRATEGIES_HEADING.test(l) ? [i] : []));
  if (headings.length === 0) {
    const near = lines.findIndex((l, i) => !fenced[i] && /^ {0,3}#{1,6}[ \t]+strateg/i.test(l));
    const hint =
      near >= 0
        ? `; the heading on line ${lineNo(near)} must read exactly "## Strategies"`
        : ': end the training with a "## Strategies" heading followed by a numbered list whose items start with a **bold title**, such as "1. **Send the agenda ahead.** Why and how..."';
    errors.push({
      file,
      ...(near >= 0 ? { line: lineNo(near), column: 1 } : { line: 0 }),
      message: `this training has no "## Strategies" section${hint}`,
    });
    return { article: body.trim(), strategies: [], errors, warnings };
  }
  for (const extra of headings.slice(1)) {
    errors.push({
      file,
      line: lineNo(extra),
      column: 1,
      message: `a second "## Strategies" section (the first is on line ${lineNo(headings[0]!)}): put all strategies under one heading`,
    });
  }
  const start = headings[0]!;
  let end = lines.findIndex((l, i) => i > start && !fenced[i] && SECTION_END.test(l));
  if (end < 0) end = lines.length;
  const article = [...lines.slice(0, start), ...lines.slice(end)].join('\n').trim();

  const section = { from: start + 1, to: end };
  const useHeadings = lines.slice(section.from, section.to).some((l, k) => !fenced[section.from + k] && /^ {0,3}###[ \t]/.test(l));
  const items = useHeadings ? headingItems(lines, fenced, section) : listItems(lines, fenced, section);

  for (const stray of items.stray) {
    warnings.push({
      file,
      line: lineNo(stray),
      column: 1,
      message: useHeadings
        ? 'this text is in the Strategies section but not under a "### " strategy heading, so it is not sent: move it above "## Strategies" or under a strategy'
        : 'this text is in the Strategies section but not part of a list item, so it is not sent: move it above "## Strategies", or indent it to belong to the strategy above',
    });
  }
  if (items.found.length === 0) {
    errors.push({
      file,
      line: lineNo(start),
      column: 1,
      message:
        'the Strategies section has no strategies: list them as "1. **Title.** Body..." items, or as "### Title" sub-headings each followed by its body',
    });
  }

  const strategies: Strategy[] = [];
  const seen = new Map<string, number>();
  for (const item of items.found) {
    const line = lineNo(item.index);
    const parsedTitle = useHeadings ? headingTitle(lines[item.index]!) : boldTitle(item.first);
    if (!parsedTitle) {
      errors.push({
        file,
        line,
        column: 1,
        message: 'this strategy has no title: start the item with its title in bold, such as "1. **Send the agenda ahead.** Then the explanation"',
      });
      continue;
    }
    const { title, customId, rest } = parsedTitle;
    let id: string;
    if (customId !== undefined) {
      if (!SlugSchema.safeParse(customId).success) {
        errors.push({
          file,
          line,
          column: 1,
          message: `the id {#${customId}} must be lowercase letters, digits and dashes, such as {#agenda-ahead}`,
        });
        continue;
      }
      id = customId;
    } else {
      id = slugify(title);
      if (!id) {
        errors.push({
          file,
          line,
          column: 1,
          message: `cannot make an id from the title "${title}": add one after it, such as {#inbox-zero}`,
        });
        continue;
      }
    }
    const earlier = seen.get(id);
    if (earlier !== undefined) {
      errors.push({
        file,
        line,
        column: 1,
        message: `two strategies have the id "${id}" (lines ${earlier} and ${line}): reword one title or give one a different {#id}`,
      });
      continue;
    }
    seen.set(id, line);
    const bodyText = [rest, ...item.more].join('\n').trim();
    strategies.push({ id, number: strategies.length + 1, title, body: bodyText });
  }
  return { article, strategies, errors, warnings };
}

interface SectionItems {
  /** `index` is the line the item starts on; `first` is its first line's text; `more` the rest, dedented. */
  found: { index: number; first: string; more: string[] }[];
  /** Lines with text that belongs to no strategy. */
  stray: number[];
}

function headingItems(lines: readonly string[], fenced: readonly boolean[], s: { from: number; to: number }): SectionItems {
  const found: SectionItems['found'] = [];
  const stray: number[] = [];
  let inStray = false;
  for (let i = s.from; i < s.to; i++) {
    const line = lines[i]!;
    const isStray = found.length === 0 && line.trim() !== '';
    if (!fenced[i] && /^ {0,3}###[ \t]/.test(line)) found.push({ index: i, first: line, more: [] });
    else if (found.length > 0) found[found.length - 1]!.more.push(line);
    else if (isStray && !inStray) stray.push(i);
    inStray = isStray;
  }
  return { found, stray };
}

const LIST_ITEM = /^( {0,3})(\d{1,9}[.)]|[-*+])([ \t]+|$)/;

function listItems(lines: readonly string[], fenced: readonly boolean[], s: { from: number; to: number }): SectionItems {
  const found: SectionItems['found'] = [];
  const stray: number[] = [];
  let indent = 0;
  let blankBefore = false;
  let open = false;
  let inStray = false;
  for (let i = s.from; i < s.to; i++) {
    const line = lines[i]!;
    const m = fenced[i] ? null : LIST_ITEM.exec(line);
    const lead = line.length - line.trimStart().length;
    if (m && (!open || lead < indent)) {
      indent = m[0].length;
      found.push({ index: i, first: line.slice(indent), more: [] });
      open = true;
    } else if (line.trim() === '') {
      if (open) found[found.length - 1]!.more.push('');
    } else if (open && (lead >= indent || !blankBefore || fenced[i])) {
      found[found.length - 1]!.more.push(lead >= indent ? line.slice(indent) : line.trimStart());
    } else {
      open = false;
      if (!inStray) stray.push(i);
      inStray = true;
      blankBefore = false;
      continue;
    }
    if (line.trim() !== '' || open) inStray = false;
    blankBefore = line.trim() === '';
  }
  return { found, stray };
}

const CUSTOM_ID = /[ \t]*\{#([^}]*)\}/;

function headingTitle(line: string): { title: string; customId?: string; rest: string } | undefined {
  let text = line.replace(/^ {0,3}###[ \t]+/, '').replace(/[ \t]+#+[ \t]*$/, '').trim();
  const id = CUSTOM_ID.exec(text);
  if (id) text = text.replace(CUSTOM_ID, '').trim();
  const title = stripInline(text);
  if (!title) return undefined;
  return { title, ...(id ? { customId: id[1]! } : {}), rest: '' };
}

function boldTitle(first: string): { title: string; customId?: string; rest: string } | undefined {
  const m = /^(\*\*|__)(.+?)\1/.exec(first.trim());
  if (!m) return undefined;
  let inner = m[2]!;
  let rest = first.trim().slice(m[0].length);
  let customId: string | undefined;
  const innerId = CUSTOM_ID.exec(inner);
  if (innerId) {
    customId = innerId[1]!;
    inner = inner.replace(CUSTOM_ID, '');
  }
  const restId = /^[ \t]*\{#([^}]*)\}/.exec(rest);
  if (restId) {
    customId = restId[1]!;
    rest = rest.slice(restId[0].length);
  }
  // "**Title.** Body", "**Title** — body" and "**Title**: body" all read naturally.
  const title = stripInline(inner).replace(/[.:]$/, '').trim();
  if (!title) return undefined;
  return { title, ...(customId !== undefined ? { customId } : {}), rest: rest.replace(/^[ \t]*(?:[:—–-][ \t]*)?/, '') };
}

/** Drops inline Markdown emphasis and code marks from a title; links keep their text. */
function stripInline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/(\*\*|__|\*|_|`)(.+?)\1/g, '$2')
    .replace(/\s+/g, ' ')
    .trim();
}
