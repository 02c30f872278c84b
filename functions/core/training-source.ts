// A published training as the Markdown file a trainer keeps in the series folder, and back.
//
// The studio edits a training's text (title, article, strategies) as three fields; to check them it
// writes the training file those fields make (front matter from what is published, the article,
// then "## Strategies") and parses it with the folder's own parser (series.ts parseTrainingText),
// so an edit meets exactly the problems `baton validate` would report, and each problem's line is
// turned back into a line of the field it came from. The same file is what the trainer downloads
// to put into the folder, so the next `baton publish` carries the edit instead of reverting it.
import type { Strategy, Training } from './model.ts';
import type { Problem } from './problem.ts';
import { parseTrainingText } from './series.ts';
import { slugify } from './text.ts';

import { trainingFilePath } from './training-path.ts';

export { trainingFilePath } from './training-path.ts';

// JSON strings are YAML double-quoted scalars: any title survives, with no YAML of its own.
const q = (s: string) => JSON.stringify(s);

function frontMatter(t: Training, title: string): string[] {
  const lines = [`title: ${q(title)}`, `opens: ${t.opens}`, `closes: ${t.closes}`, `author: ${q(t.author)}`];
  if (t.authorEmail) lines.push(`authorEmail: ${q(t.authorEmail)}`);
  for (const k of ['audio', 'video', 'slides'] as const) if (t.media[k]) lines.push(`${k}: ${q(t.media[k]!)}`);
  const aliased = t.strategies.filter((s) => s.aliases?.length);
  if (aliased.length) {
    lines.push('strategyTitles:');
    for (const s of aliased) lines.push(`  ${s.id}: [${s.aliases!.map(q).join(', ')}]`);
  }
  if (t.format) lines.push(`format: ${t.format}`);
  return lines;
}

/** The strategies as "### Title {#id}" sections (the id written only when the title would not give it). */
export function strategiesMarkdown(strategies: readonly Strategy[]): string {
  return [...strategies]
    .sort((a, b) => a.number - b.number)
    .map((s) => `### ${s.title}${slugify(s.title) === s.id ? '' : ` {#${s.id}}`}\n\n${s.body.trim()}`)
    .join('\n\n');
}

export interface TrainingText {
  title: string;
  /** The article in Markdown, above "## Strategies". */
  body: string;
  /** What goes under "## Strategies": numbered items with a bold title, or "### Title" sections. */
  strategies: string;
}

export type TextField = keyof TrainingText;

export function trainingText(t: Training): TrainingText {
  return { title: t.title, body: t.body, strategies: strategiesMarkdown(t.strategies) };
}

const normalize = (s: string) => s.replace(/\r\n?/g, '\n').replace(/^\uFEFF/, '').trim();

/** The training file these fields make, and the file line each field starts on. */
export function composeTrainingFile(t: Training, text: TrainingText): { source: string; starts: Record<TextField, number>; frontLines: number } {
  const front = frontMatter(t, text.title.trim());
  const body = normalize(text.body);
  const strategies = normalize(text.strategies);
  // ---, front matter, ---, blank, body, blank, ## Strategies, blank, strategies
  const bodyStart = front.length + 4;
  const bodyLines = body === '' ? 0 : body.split('\n').length;
  const strategiesStart = bodyStart + bodyLines + (bodyLines ? 1 : 0) + 2;
  const source = ['---', ...front, '---', '', ...(body ? [body, ''] : []), '## Strategies', '', strategies, ''].join('\n');
  return { source, starts: { title: 2, body: bodyStart, strategies: strategiesStart }, frontLines: front.length + 2 };
}

export interface FieldProblem {
  field: TextField;
  /** The line within the field (1-based); 0 for the field as a whole. */
  line: number;
  message: string;
}

export type TextCheck = { ok: true; training: Training; source: string; warnings: FieldProblem[] } | { ok: false; errors: FieldProblem[]; warnings: FieldProblem[] };

/**
 * An edit of a published training's text, checked by the folder's parser. Dates, author, media and
 * format stay as published. Problems come back at their field and line.
 */
export function checkTrainingText(published: Training, text: TrainingText): TextCheck {
  const { source, starts, frontLines } = composeTrainingFile(published, text);
  const parsed = parseTrainingText(trainingFilePath(published), source, published.order, published.slug);
  const at = (p: Problem): FieldProblem => {
    if (p.line <= frontLines) return { field: 'title', line: 0, message: p.message };
    if (p.line >= starts.strategies - 2) return { field: 'strategies', line: Math.max(0, p.line - starts.strategies + 1), message: p.message };
    return { field: 'body', line: Math.max(0, p.line - starts.body + 1), message: p.message };
  };
  const warnings = parsed.warnings.map(at);
  if (!parsed.training || parsed.errors.length) return { ok: false, errors: parsed.errors.map(at), warnings };
  return { ok: true, training: parsed.training, source, warnings };
}

/** The training file of a published training, to put into the series folder. */
export function trainingFile(t: Training): string {
  return composeTrainingFile(t, trainingText(t)).source;
}
