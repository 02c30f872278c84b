// The series folder a trainer writes, turned into the domain model: `series.yaml` plus one
// `trainings/NN-slug.md` per training. Trainers fix what we report, so every problem carries the
// file and line to change and a sentence on how to change it, and all of them are reported at
// once rather than one per run. The format itself is documented in
// examples/q1-productivity/series.yaml and in the training files next to it.
import * as z from 'zod/mini';
import { parseWorkDays } from './time.ts';
import { marked, type Token, type Tokens } from 'marked';
import {
  CalendarDateSchema,
  EmailSchema,
  LanguageSchema,
  SeriesSchema,
  SlugSchema,
  TrainingSchema,
  WeekdaySchema,
  type Series,
  type Strategy,
  type Training,
} from './model.ts';
import { parseYaml, splitFrontMatter, type ParsedYaml } from './front-matter.ts';
import { MAX_NAME_LENGTH } from './sanitize.ts';
import type { Problem, SourceFile } from './problem.ts';
import { FRONT_MATTER_EXAMPLES, schemaProblems } from './series-problems.ts';
import { splitStrategies } from './strategies.ts';
import { bitesProblem } from './bites.ts';
import { normalizeNewlines, slugify } from './text.ts';
import { FriendlyLocalTimeSchema, FriendlyTimeZoneSchema } from './zones.ts';
import { builtOnFirstUse } from './built-on-first-use.ts';

export type SeriesParseResult =
  | { ok: true; series: Series; trainings: Training[]; warnings: Problem[] }
  | { ok: false; errors: Problem[]; warnings: Problem[] };

export const SERIES_FILE = 'series.yaml';
const TRAINING_FILE = /^(\d{2,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;

// ---------------------------------------------------------------------------------------------
// series.yaml

const HourSchema = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(
  z.transform((v: unknown) => (typeof v === 'string' && /^\d{1,2}:00$/.test(v.trim()) ? Number(v.trim().slice(0, -3)) : v)),
  z.int().check(z.gte(0), z.lte(23)),
));

// Trainers write "monday" as readily as "mon".
const DaySchema = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(
  z.transform((v: unknown) => {
    if (typeof v !== 'string') return v;
    const s = v.trim().toLowerCase();
    const full = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
    return full.includes(s) ? s.slice(0, 3) : s;
  }),
  WeekdaySchema,
));

const NonEmptyText = /* @__PURE__ */ builtOnFirstUse(() => z.string().check(z.trim(), z.minLength(1)));
// A person's name goes into the From: line and calendar invitations of every email.
const NameText = /* @__PURE__ */ builtOnFirstUse(() => NonEmptyText.check(z.maxLength(MAX_NAME_LENGTH)));

const SeriesFileSchema = /* @__PURE__ */ builtOnFirstUse(() => z.strictObject({
  id: SlugSchema,
  title: NonEmptyText,
  intro: z.string(),
  trainers: z.array(z.strictObject({ name: NameText, email: EmailSchema, timeZone: FriendlyTimeZoneSchema })).check(z.minLength(1)),
  defaultTimeZone: FriendlyTimeZoneSchema,
  defaultWorkStart: z.optional(FriendlyLocalTimeSchema),
  /** `Sun-Thu`, `Mon-Thu, Sat`: the working week where the CSV gives none (time.ts parseWorkDays). */
  defaultWorkDays: z.optional(
    z.pipe(
      z.string(),
      z.transform((text, ctx) => parseWorkDays(text) ?? (ctx.issues.push({ code: 'custom', message: `"${text}" is not a working week: write days or ranges such as Mon-Fri, Sun-Thu or Mon-Thu, Sat`, input: text }), z.NEVER)),
    ),
  ),
  /** Baton's own words (acknowledgements, reminders, footers …) for participants without a CSV language. */
  language: z.optional(LanguageSchema),
  format: z.optional(z.enum(['whole', 'bites'], { message: 'must be whole (one email per training) or bites (an overview, then one part a working day)' })),
  policies: z.optional(
    z.strictObject({
      reminderDaysBeforeClose: z.optional(z.int().check(z.gte(1), z.lte(13))),
      followUpWeeksAfterClose: z.optional(z.int().check(z.gte(1), z.lte(26))),
      digest: z.optional(z.strictObject({ day: z.optional(DaySchema), hour: z.optional(HourSchema) })),
      rollup: z.optional(z.strictObject({ day: z.optional(DaySchema), hour: z.optional(HourSchema) })),
      encourage: z.optional(z.strictObject({ atLeast: z.int().check(z.gte(1)), of: z.int().check(z.gte(1)) })),
      acknowledgeContributions: z.optional(z.boolean()),
      remindersPerWeek: z.optional(z.int().check(z.gte(0), z.lte(14))),
    }),
  ),
}));

interface ParsedSeriesFile {
  series?: Series;
  yaml?: ParsedYaml;
  errors: Problem[];
  warnings: Problem[];
}

function parseSeriesFile(file: SourceFile): ParsedSeriesFile {
  const text = normalizeNewlines(file.text);
  const yaml = parseYaml(text);
  const errors: Problem[] = yaml.problems.map((p) => ({ file: file.path, ...p }));
  const warnings: Problem[] = [];
  if (errors.length > 0) return { errors, warnings };
  if (yaml.value === undefined || yaml.value === null || typeof yaml.value !== 'object' || Array.isArray(yaml.value)) {
    errors.push({
      file: file.path,
      line: 1,
      column: 1,
      message: 'series.yaml must be a set of keys (id, title, intro, trainers, defaultTimeZone, policies): see examples/q1-productivity/series.yaml',
    });
    return { errors, warnings };
  }
  const parsed = SeriesFileSchema.safeParse(yaml.value);
  if (!parsed.success) {
    errors.push(...schemaProblems(file.path, parsed.error.issues, yaml.value, yaml, SeriesFileSchema, ' in series.yaml'));
    return { yaml, errors, warnings };
  }
  const input = parsed.data;
  const enc = input.policies?.encourage;
  if (enc && enc.atLeast > enc.of) {
    const at = yaml.locate(['policies', 'encourage', 'atLeast']);
    errors.push({
      file: file.path,
      ...at,
      message: `policies.encourage.atLeast is ${enc.atLeast} but "of" is ${enc.of}: nobody can contribute to more trainings than there are; lower atLeast`,
    });
  }
  errors.push(...checkMarkdownLinks(file.path, input.intro, yaml.textStart(['intro']), warnings));

  const { defaultWorkStart, policies, ...rest } = input;
  const series = SeriesSchema.safeParse({
    ...rest,
    ...(defaultWorkStart ? { defaultWorkStart } : {}),
    policies: policies ?? {},
  });
  if (!series.success) {
    // The file schema accepts only what the model accepts, so this means the two drifted apart.
    errors.push({ file: file.path, line: 1, message: `does not fit the series model: ${z.prettifyError(series.error)}` });
    return { yaml, errors, warnings };
  }
  return { series: series.data, yaml, errors, warnings };
}

// ---------------------------------------------------------------------------------------------
// Links and images: emails are read far from the series folder, so every URL must be absolute.

function checkMarkdownLinks(
  file: string,
  markdown: string,
  start: { line: number; exact: boolean },
  warnings: Problem[],
): Problem[] {
  const errors: Problem[] = [];
  const tokens = marked.lexer(markdown, { gfm: true });
  let cursor = 0;
  const lineOf = (needle: string): { line: number; column: number } => {
    let idx = markdown.indexOf(needle, cursor);
    if (idx < 0) idx = markdown.indexOf(needle);
    if (idx >= 0) cursor = idx + needle.length;
    if (!start.exact || idx < 0) return { line: start.line, column: 1 };
    const before = markdown.slice(0, idx);
    const line = before.split('\n').length;
    return { line: start.line + line - 1, column: idx - before.lastIndexOf('\n') };
  };
  const check = (kind: 'link' | 'image', href: string, raw: string, alt?: string) => {
    const at = lineOf(raw);
    if (kind === 'link' && /^mailto:/i.test(href)) return;
    if (!/^https?:\/\/[^\s/]+/i.test(href)) {
      errors.push({
        file,
        ...at,
        message:
          kind === 'image'
            ? `image "${href}" is not an absolute http(s) URL: emails are read far from this folder, so upload the image and use its full address, such as https://example.com/images/inbox.gif`
            : `link "${href}" is not an absolute http(s) URL: emails are read far from this folder, so use the full address, such as https://example.com/guide (mailto: links are fine too)`,
      });
      return;
    }
    if (kind === 'image' && !alt?.trim()) {
      warnings.push({
        file,
        ...at,
        message: `image "${href}" has no alt text: many mail clients block images until asked, so describe it between the brackets: ![a calendar with two holds](${href})`,
      });
    }
  };
  marked.walkTokens(tokens, (token: Token) => {
    if (token.type === 'image') check('image', (token as Tokens.Image).href, token.raw, (token as Tokens.Image).text);
    else if (token.type === 'link') check('link', (token as Tokens.Link).href, token.raw);
    else if (token.type === 'html') {
      for (const m of token.raw.matchAll(/<(img|a)\b[^>]*?\b(src|href)\s*=\s*["']([^"']*)["']/gi)) {
        const kind = m[1]!.toLowerCase() === 'img' ? 'image' : 'link';
        const alt = /\balt\s*=\s*["']([^"']*)["']/i.exec(m[0])?.[1];
        check(kind, m[3]!, m[0], kind === 'image' ? alt : undefined);
      }
    }
  });
  return errors;
}

// ---------------------------------------------------------------------------------------------
// Training files

const UrlSchema = /* @__PURE__ */ builtOnFirstUse(() => z.string().check(z.trim(), z.regex(/^https?:\/\/[^\s/]+\S*$/i, 'is not an absolute http(s) URL: use the full address, such as https://example.com/episode-1.mp3')));

const FrontMatterSchema = /* @__PURE__ */ builtOnFirstUse(() => z.strictObject({
  title: NonEmptyText,
  opens: CalendarDateSchema,
  closes: CalendarDateSchema,
  author: NameText,
  authorEmail: z.optional(EmailSchema),
  audio: z.optional(UrlSchema),
  video: z.optional(UrlSchema),
  slides: z.optional(UrlSchema),
  /** Strategy titles in other languages, by strategy number or id: `2: [Escribe una agenda compartida]`. */
  strategyTitles: z.optional(z.record(z.string(), z.union([NonEmptyText, z.array(NonEmptyText).check(z.minLength(1))]))),
  format: z.optional(z.enum(['whole', 'bites'], { message: 'must be whole (one email) or bites (an overview, then one part a working day)' })),
}));

/** Puts the front matter's `strategyTitles` on the strategies they name; a key naming none is an error. */
function withAliases(file: string, strategies: Strategy[], titles: Record<string, string | string[]> | undefined, yaml: ParsedYaml): { strategies: Strategy[]; errors: Problem[] } {
  const errors: Problem[] = [];
  if (!titles) return { strategies, errors };
  const aliases = new Map<string, string[]>();
  for (const [key, value] of Object.entries(titles)) {
    const s = strategies.find((x) => x.id === key || String(x.number) === key.trim().replace(/^#/, ''));
    if (!s) {
      const known = strategies.map((x) => `${x.number} (${x.id})`).join(', ');
      errors.push({ file, ...yaml.locate(['strategyTitles', key]), message: `strategyTitles names "${key}", which is no strategy of this training: use a number or an id among ${known || 'none (the training has no ## Strategies)'}` });
      continue;
    }
    aliases.set(s.id, [...(aliases.get(s.id) ?? []), ...(Array.isArray(value) ? value : [value])]);
  }
  return { strategies: strategies.map((s) => (aliases.has(s.id) ? { ...s, aliases: aliases.get(s.id)! } : s)), errors };
}

interface ParsedTrainingFile {
  training?: Training;
  yaml?: ParsedYaml;
  errors: Problem[];
  warnings: Problem[];
}

function parseTrainingFile(file: SourceFile, order: number, slug: string): ParsedTrainingFile {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const text = normalizeNewlines(file.text).replace(/^\uFEFF/, '');
  const fm = splitFrontMatter(text);
  if (!fm.ok) {
    errors.push({ file: file.path, line: fm.line, column: 1, message: fm.message });
    return { errors, warnings };
  }
  const yaml = parseYaml(fm.yaml, fm.yamlLine);
  errors.push(...yaml.problems.map((p) => ({ file: file.path, ...p })));

  let front: z.infer<typeof FrontMatterSchema> | undefined;
  if (yaml.problems.length === 0) {
    const value = yaml.value ?? {};
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors.push({ file: file.path, line: fm.yamlLine, column: 1, message: 'the front matter must be keys: title, opens, closes, author' });
    } else {
      const parsed = FrontMatterSchema.safeParse(value);
      if (parsed.success) front = parsed.data;
      else {
        errors.push(...schemaProblems(file.path, parsed.error.issues, value, yaml, FrontMatterSchema, ' in the front matter', FRONT_MATTER_EXAMPLES));
      }
    }
  }
  if (front && front.closes < front.opens) {
    errors.push({
      file: file.path,
      ...yaml.locate(['closes']),
      message: `closes (${front.closes}) is before opens (${front.opens}): the window must close on or after the day it opens`,
    });
  }

  const body = fm.body;
  errors.push(...checkMarkdownLinks(file.path, body, { line: fm.bodyLine, exact: true }, warnings));
  const split = splitStrategies(file.path, body, fm.bodyLine);
  errors.push(...split.errors);
  const named = withAliases(file.path, split.strategies, front?.strategyTitles, yaml);
  errors.push(...named.errors);
  warnings.push(...split.warnings);
  if (split.article.trim() === '') {
    warnings.push({
      file: file.path,
      line: fm.bodyLine,
      message: 'the article is empty: write the training above the "## Strategies" section',
    });
  }

  if (!front || errors.length > 0) return { yaml, errors, warnings };
  const media = {
    ...(front.audio ? { audio: front.audio } : {}),
    ...(front.video ? { video: front.video } : {}),
    ...(front.slides ? { slides: front.slides } : {}),
  };
  const training = TrainingSchema.safeParse({
    slug,
    order,
    title: front.title,
    opens: front.opens,
    closes: front.closes,
    author: front.author,
    ...(front.authorEmail ? { authorEmail: front.authorEmail } : {}),
    media,
    body: split.article,
    strategies: named.strategies,
    ...(front.format ? { format: front.format } : {}),
  });
  if (!training.success) {
    errors.push({ file: file.path, line: 1, message: `does not fit the training model: ${z.prettifyError(training.error)}` });
    return { yaml, errors, warnings };
  }
  const cannotBite = front.format === 'bites' ? bitesProblem(training.data) : undefined;
  if (cannotBite) {
    errors.push({ file: file.path, ...yaml.locate(['format']), message: cannotBite });
    return { yaml, errors, warnings };
  }
  return { training: training.data, yaml, errors, warnings };
}

/**
 * One training file on its own, as `parseSeries` reads each (the studio checks an edited training
 * this way: the same problems, at the lines of the text it was given). `path` names it in problems.
 */
export function parseTrainingText(path: string, text: string, order: number, slug: string): { training?: Training; errors: Problem[]; warnings: Problem[] } {
  const { training, errors, warnings } = parseTrainingFile({ path, text }, order, slug);
  return { ...(training ? { training } : {}), errors, warnings };
}

// ---------------------------------------------------------------------------------------------
// The whole folder

/**
 * Parses a series folder given as its files (paths relative to the folder: `series.yaml`,
 * `trainings/01-sync.md`; other paths are ignored). Returns every error found, each with the
 * file and line to fix, or the series and its trainings in window order.
 */
export function parseSeries(files: readonly SourceFile[]): SeriesParseResult {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const normalized = files.map((f) => ({ ...f, path: f.path.replace(/\\/g, '/').replace(/^\.\//, '') }));

  const seriesFile = normalized.find((f) => f.path === SERIES_FILE);
  let seriesParsed: ParsedSeriesFile | undefined;
  if (!seriesFile) {
    errors.push({
      file: SERIES_FILE,
      line: 0,
      message: 'series.yaml is missing: create it next to the trainings folder (examples/q1-productivity/series.yaml shows every key)',
    });
  } else {
    seriesParsed = parseSeriesFile(seriesFile);
    errors.push(...seriesParsed.errors);
    warnings.push(...seriesParsed.warnings);
  }

  const trainingFiles = normalized
    .filter((f) => f.path.startsWith('trainings/') && f.path.endsWith('.md'))
    .sort((a, b) => a.path.localeCompare(b.path));
  if (trainingFiles.length === 0) {
    errors.push({
      file: 'trainings',
      line: 0,
      message: 'there are no trainings: add Markdown files named like trainings/01-productive-one-on-ones.md',
    });
  }

  const parsedTrainings: { file: string; parsed: ParsedTrainingFile; order: number; slug: string }[] = [];
  for (const file of trainingFiles) {
    const name = file.path.slice('trainings/'.length);
    const m = TRAINING_FILE.exec(name);
    if (!m) {
      const suggestion = slugify(name.replace(/\.md$/, '').replace(/^\d+[-_ ]*/, ''));
      errors.push({
        file: file.path,
        line: 0,
        message: `training files must be named NN-slug.md (two digits, a dash, then lowercase words joined by dashes): rename it, for example to trainings/01-${suggestion || 'my-training'}.md`,
      });
      continue;
    }
    const order = Number(m[1]);
    const slug = m[2]!;
    const parsed = parseTrainingFile(file, order, slug);
    errors.push(...parsed.errors);
    warnings.push(...parsed.warnings);
    parsedTrainings.push({ file: file.path, parsed, order, slug });
  }

  // Cross-checks between files: each needs only the pieces it compares to have parsed.
  const bySlug = new Map<string, string>();
  const byOrder = new Map<number, string>();
  for (const t of parsedTrainings) {
    const sameSlug = bySlug.get(t.slug);
    if (sameSlug) {
      errors.push({
        file: t.file,
        line: 0,
        message: `the slug "${t.slug}" is already used by ${sameSlug}: each training needs its own name after the number`,
      });
    } else bySlug.set(t.slug, t.file);
    const sameOrder = byOrder.get(t.order);
    if (sameOrder) {
      errors.push({
        file: t.file,
        line: 0,
        message: `${sameOrder} has the same number (${String(t.order).padStart(2, '0')}): renumber the files so they give the order trainings are sent in`,
      });
    } else byOrder.set(t.order, t.file);
  }

  // A series sent as bites: a training that cannot be cut goes whole, and the trainer is told.
  if (seriesParsed?.series?.format === 'bites') {
    for (const t of parsedTrainings) {
      const training = t.parsed.training;
      const problem = training && training.format === undefined ? bitesProblem(training) : undefined;
      if (problem) warnings.push({ file: t.file, line: 1, message: `series.yaml says format: bites, but this training will be sent whole: ${problem.replace(/^format: bites needs/, 'it needs')}` });
    }
  }

  const ordered = [...parsedTrainings].sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
  let previous: (typeof ordered)[number] | undefined;
  for (const t of ordered) {
    const training = t.parsed.training;
    if (!training) continue;
    const prev = previous?.parsed.training;
    if (previous && prev && training.opens < prev.opens) {
      errors.push({
        file: t.file,
        ...(t.parsed.yaml?.locate(['opens']) ?? { line: 1 }),
        message: `opens ${training.opens}, before ${previous.file} (which opens ${prev.opens}) although it comes after it: trainings go out in file-number order, so fix the dates or renumber the files`,
      });
    }
    previous = t;
  }

  const series = seriesParsed?.series;
  const encourage = series?.policies.encourage;
  if (seriesFile && seriesParsed?.yaml && encourage && trainingFiles.length > 0 && encourage.of > trainingFiles.length) {
    errors.push({
      file: seriesFile.path,
      ...seriesParsed.yaml.locate(['policies', 'encourage', 'of']),
      message: `policies.encourage.of is ${encourage.of} but the series has ${trainingFiles.length} training${trainingFiles.length === 1 ? '' : 's'}: set it to ${trainingFiles.length} or fewer`,
    });
  }

  const sortProblems = (list: Problem[]) =>
    list.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || (a.column ?? 0) - (b.column ?? 0));
  if (errors.length > 0 || !series) return { ok: false, errors: sortProblems(errors), warnings: sortProblems(warnings) };
  const trainings = ordered.flatMap((t) => (t.parsed.training ? [t.parsed.training] : []));
  return { ok: true, series, trainings, warnings: sortProblems(warnings) };
}
