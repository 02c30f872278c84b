// The series folder a trainer writes, turned into the domain model: `series.yaml` plus one
// `trainings/NN-slug.md` per training. Trainers fix what we report, so every problem carries the
// file and line to change and a sentence on how to change it, and all of them are reported at
// once rather than one per run. The format itself is documented in
// examples/q1-productivity/series.yaml and in the training files next to it.
import { z } from 'zod';
import { parseWorkDays } from './time.ts';
import { marked, type Token, type Tokens } from 'marked';
import {
  CalendarDateSchema,
  EmailSchema,
  isTimeZone,
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

/** Something wrong (or worth a second look) in an authored file. `line` 0 means the file as a whole. */
export interface Problem {
  /** Path relative to the series folder, with forward slashes: `trainings/01-sync.md`. */
  file: string;
  line: number;
  column?: number;
  /** What is wrong and what to do about it. */
  message: string;
}

export interface SourceFile {
  path: string;
  text: string;
}

export type SeriesParseResult =
  | { ok: true; series: Series; trainings: Training[]; warnings: Problem[] }
  | { ok: false; errors: Problem[]; warnings: Problem[] };

export const SERIES_FILE = 'series.yaml';
const TRAINING_FILE = /^(\d{2,3})-([a-z0-9]+(?:-[a-z0-9]+)*)\.md$/;

// ---------------------------------------------------------------------------------------------
// Time zones

let zoneList: string[] | undefined;
function knownZones(): string[] {
  zoneList ??= [...Intl.supportedValuesOf('timeZone'), 'UTC'];
  return zoneList;
}

// Things people write instead of a zone name. Intl accepts EST and MST, but they have no daylight
// saving time, so they are not what a trainer in New York means either.
const ZONE_ABBREVIATIONS: Record<string, string> = {
  pst: 'America/Los_Angeles',
  pdt: 'America/Los_Angeles',
  pt: 'America/Los_Angeles',
  mst: 'America/Denver',
  mdt: 'America/Denver',
  cst: 'America/Chicago',
  cdt: 'America/Chicago',
  est: 'America/New_York',
  edt: 'America/New_York',
  et: 'America/New_York',
  bst: 'Europe/London',
  cet: 'Europe/Berlin',
  cest: 'Europe/Berlin',
  gst: 'Asia/Dubai',
  ict: 'Asia/Bangkok',
  aest: 'Australia/Sydney',
  aedt: 'Australia/Sydney',
  awst: 'Australia/Perth',
};

/**
 * The zone a trainer most likely meant by an unknown name, when one stands out: "Asia/Brunie"
 * -> "Asia/Brunei", "america/new york" -> "America/New_York", "Brunei" -> "Asia/Brunei",
 * "PST" -> "America/Los_Angeles". Undefined when nothing is clearly closest.
 */
export function suggestTimeZone(input: string): string | undefined {
  const norm = (s: string) => s.trim().toLowerCase().replace(/[\s_]+/g, '_');
  const wanted = norm(input);
  if (!wanted) return undefined;
  const zones = knownZones();
  const abbreviation = ZONE_ABBREVIATIONS[wanted];
  if (abbreviation) return abbreviation;
  const exact = zones.find((z) => norm(z) === wanted);
  if (exact) return exact;
  const city = (s: string) => s.slice(s.lastIndexOf('/') + 1);
  const sameCity = zones.filter((z) => norm(city(z)) === norm(city(input)));
  if (sameCity.length === 1) return sameCity[0];
  return closest(wanted, zones, norm, wanted.length > 12 ? 3 : 2);
}

/** A time zone field: a known IANA name, its case corrected, or an error that suggests one. */
export const FriendlyTimeZoneSchema = z.string().transform((value, ctx) => {
  const trimmed = value.trim();
  if (isTimeZone(trimmed) && !ZONE_ABBREVIATIONS[trimmed.toLowerCase()]) {
    // Intl accepts any letter case; schedules and calendars want the canonical spelling.
    return knownZones().find((z) => z.toLowerCase() === trimmed.toLowerCase()) ?? trimmed;
  }
  ctx.addIssue({ code: 'custom', message: timeZoneMessage(value) });
  return z.NEVER;
});

export function timeZoneMessage(value: string): string {
  const suggestion = suggestTimeZone(value);
  const abbreviation = ZONE_ABBREVIATIONS[value.trim().toLowerCase()];
  if (abbreviation) {
    return `"${value}" is an abbreviation, not a time zone, and cannot follow daylight saving time: write a Region/City name such as "${abbreviation}"`;
  }
  return suggestion
    ? `"${value}" is not a known time zone; did you mean "${suggestion}"?`
    : `"${value}" is not a known time zone: write an IANA Region/City name such as "Europe/Berlin" or "Asia/Brunei"`;
}

// ---------------------------------------------------------------------------------------------
// Small text helpers

/** Optimal string alignment distance: edits, with a swap of two neighbours counting as one. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = d[i]!;
      let best = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      row[j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The one candidate clearly closest to `wanted`, within `maxDistance` edits; ties give nothing. */
function closest(
  wanted: string,
  candidates: readonly string[],
  norm: (s: string) => string,
  maxDistance: number,
): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const c of candidates) {
    const dist = editDistance(wanted, norm(c));
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
      tie = false;
    } else if (dist === bestDistance) {
      tie = true;
    }
  }
  return best !== undefined && bestDistance <= maxDistance && !tie ? best : undefined;
}

/** A stable id from a title: "Send the agenda *a day* ahead!" -> "send-the-agenda-a-day-ahead". */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (slug.length <= 60) return slug;
  const cut = slug.slice(0, 61);
  return cut.slice(0, cut.lastIndexOf('-') > 20 ? cut.lastIndexOf('-') : 60).replace(/-+$/, '');
}

function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (typeof value === 'string') return `the text "${value}"`;
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a group of keys';
  return `${typeof value === 'number' ? 'the number' : 'the value'} ${String(value)}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : `${out ? '.' : ''}${String(seg)}`;
  return out;
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------
// Turning zod issues into problems at a line

/** What to write for a missing key, so the message can show a line to copy. */
const EXAMPLES: Record<string, string> = {
  id: 'id: q1-productivity',
  title: 'title: "Q1 training series: productivity and organization"',
  intro: 'intro: |  (then the introduction in Markdown, indented on the next lines)',
  trainers: 'trainers:  (then "- name:", "email:" and "timeZone:" for each trainer)',
  name: 'name: Maya Okafor',
  email: 'email: maya@example.com',
  timeZone: 'timeZone: Europe/Berlin',
  defaultTimeZone: 'defaultTimeZone: Europe/London',
  opens: 'opens: 2027-01-21',
  closes: 'closes: 2027-01-31',
  author: 'author: Maya Okafor',
  atLeast: 'atLeast: 2',
  of: 'of: 4',
  day: 'day: monday',
  hour: 'hour: 9',
  digest: 'digest: { day: monday, hour: 9 }',
  rollup: 'rollup: { day: friday, hour: 10 }',
  encourage: 'encourage: { atLeast: 2, of: 4 }',
  policies: 'policies:  (then one indented key per policy)',
};

const FRONT_MATTER_EXAMPLES: Record<string, string> = { ...EXAMPLES, title: 'title: A productive 1:1 sync with your manager' };

/** The keys an object schema at `path` accepts, for "unknown key" messages. */
function allowedKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let cur: z.core.$ZodType | undefined = schema;
  const unwrap = () => {
    for (;;) {
      const def = cur?._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType } | undefined;
      if (!def) return;
      if (def.innerType) cur = def.innerType;
      else if (def.type === 'pipe' && def.in) cur = def.in;
      else return;
    }
  };
  unwrap();
  for (const seg of path) {
    const def = cur?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType };
    if (def?.type === 'object' && def.shape) cur = def.shape[String(seg)];
    else if (def?.type === 'array') cur = def.element;
    else return [];
    unwrap();
  }
  const def = cur?._zod.def as { type: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape) : [];
}

/**
 * Problems for all of a schema's issues: one per value (a bad date fails both the format and the
 * calendar check, and one sentence is enough), and no "x is missing" when an unknown key right
 * there is reported as a likely misspelling of x.
 */
function schemaProblems(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  yaml: ParsedYaml,
  schema: z.ZodType,
  where: string,
  examples: Record<string, string> = EXAMPLES,
): Problem[] {
  const seen = new Set<string>();
  const misspelt = new Set<string>();
  const out: Problem[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeys(schema, issue.path);
      for (const key of issue.keys) {
        const guess = closest(normKey(key), allowed, normKey, 2);
        if (guess) misspelt.add(JSON.stringify([...issue.path, guess]));
      }
    }
  }
  for (const issue of issues) {
    const id = JSON.stringify(issue.path);
    if (issue.code !== 'unrecognized_keys') {
      if (seen.has(id)) continue;
      seen.add(id);
      if (issue.code === 'invalid_type' && valueAt(data, issue.path) === undefined && misspelt.has(id)) continue;
    }
    out.push(...issueProblems(file, issue, data, yaml, schema, where, examples));
  }
  return out;
}

const normKey = (s: string) => s.toLowerCase().replace(/[\s_-]/g, '');

function issueProblems(
  file: string,
  issue: z.core.$ZodIssue,
  data: unknown,
  yaml: ParsedYaml,
  schema: z.ZodType,
  where: string,
  examples: Record<string, string>,
): Problem[] {
  const path = issue.path;
  const name = formatPath(path);
  const pos = yaml.locate(path);
  const problem = (message: string, at = pos): Problem => ({ file, line: at.line, column: at.column, message });
  const value = valueAt(data, path);

  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = allowedKeys(schema, path);
      return issue.keys.map((key) => {
        const guess = closest(normKey(key), allowed, normKey, 2);
        const inside = path.length ? ` in ${name}` : where;
        return problem(
          guess
            ? `unknown key "${key}"${inside}; did you mean "${guess}"? Allowed keys: ${allowed.join(', ')}`
            : `unknown key "${key}"${inside}: remove it or use one of the allowed keys: ${allowed.join(', ')}`,
          yaml.locate([...path, key], { key: true }),
        );
      });
    }
    case 'invalid_type': {
      if (value === undefined || value === null) {
        const last = String(path[path.length - 1] ?? '');
        const example = examples[last];
        return [problem(`${name} is missing${example ? `: add ${example}` : ''}`)];
      }
      const expected = issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a group of keys' : `a ${issue.expected}`;
      const example = examples[String(path[path.length - 1] ?? '')];
      return [problem(`${name} must be ${expected}, not ${describeValue(value)}${example ? `; for example ${example}` : ''}`)];
    }
    case 'too_small': {
      if (issue.origin === 'array') {
        const example = examples[String(path[path.length - 1] ?? '')];
        return [problem(`${name} is empty: add at least ${String(issue.minimum)}${example ? `, as in ${example}` : ''}`)];
      }
      if (issue.origin === 'string') return [problem(`${name} must not be empty`)];
      return [problem(`${name} is ${String(value)}; it must be at least ${String(issue.minimum)}`)];
    }
    case 'too_big':
      // Printing a 5,000-character value back would bury the message.
      if (issue.origin === 'string' && typeof value === 'string') {
        return [problem(`${name} is ${value.trim().length} characters long; it can be at most ${String(issue.maximum)}: shorten it`)];
      }
      return [problem(`${name} is ${String(value)}; it must be at most ${String(issue.maximum)}`)];
    case 'invalid_value':
      return [problem(`${name} is ${describeValue(value)}; use one of: ${issue.values.map(String).join(', ')}`)];
    default: {
      // Format and custom checks in our schemas carry their own wording ("must be a date written
      // YYYY-MM-DD"), which reads as a sentence after the key and the value.
      const shown = typeof value === 'string' && !issue.message.includes(`"${value}"`) ? ` "${value}"` : '';
      return [problem(`${name}${shown} ${issue.message}`)];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// series.yaml

const HourSchema = z.preprocess(
  (v) => (typeof v === 'string' && /^\d{1,2}:00$/.test(v.trim()) ? Number(v.trim().slice(0, -3)) : v),
  z.number().int().min(0).max(23),
);

// Trainers write "monday" as readily as "mon".
const DaySchema = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  const full = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
  return full.includes(s) ? s.slice(0, 3) : s;
}, WeekdaySchema);

/** A local time; "9:00" is taken as 09:00. */
export const FriendlyLocalTimeSchema = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    const normalized = normalizeLocalTime(String(v));
    if (normalized) return normalized;
    ctx.addIssue({ code: 'custom', message: 'is not a time: write it 24-hour as HH:MM, such as 08:30' });
    return z.NEVER;
  });

/** "9:00" -> "09:00", "9am" -> "09:00", "1:30 pm" -> "13:30", "25:00" -> undefined. */
export function normalizeLocalTime(text: string): string | undefined {
  const m = /^(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?$/i.exec(text.trim());
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const meridiem = m[3]?.toLowerCase().replace(/\./g, '');
  if (m[2] === undefined && !meridiem) return undefined;
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return undefined;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

const NonEmptyText = z.string().trim().min(1);
// A person's name goes into the From: line and calendar invitations of every email.
const NameText = NonEmptyText.max(MAX_NAME_LENGTH);

const SeriesFileSchema = z.strictObject({
  id: SlugSchema,
  title: NonEmptyText,
  intro: z.string(),
  trainers: z
    .array(z.strictObject({ name: NameText, email: EmailSchema, timeZone: FriendlyTimeZoneSchema }))
    .min(1),
  defaultTimeZone: FriendlyTimeZoneSchema,
  defaultWorkStart: FriendlyLocalTimeSchema.optional(),
  /** `Sun-Thu`, `Mon-Thu, Sat`: the working week where the CSV gives none (time.ts parseWorkDays). */
  defaultWorkDays: z
    .string()
    .transform((text, ctx) => parseWorkDays(text) ?? (ctx.addIssue({ code: 'custom', message: `"${text}" is not a working week: write days or ranges such as Mon-Fri, Sun-Thu or Mon-Thu, Sat` }), z.NEVER))
    .optional(),
  policies: z
    .strictObject({
      reminderDaysBeforeClose: z.number().int().min(1).max(13).optional(),
      followUpWeeksAfterClose: z.number().int().min(1).max(26).optional(),
      digest: z.strictObject({ day: DaySchema.optional(), hour: HourSchema.optional() }).optional(),
      rollup: z.strictObject({ day: DaySchema.optional(), hour: HourSchema.optional() }).optional(),
      encourage: z.strictObject({ atLeast: z.number().int().min(1), of: z.number().int().min(1) }).optional(),
      acknowledgeContributions: z.boolean().optional(),
    })
    .optional(),
});

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

const UrlSchema = z
  .string()
  .trim()
  .regex(/^https?:\/\/[^\s/]+\S*$/i, 'is not an absolute http(s) URL: use the full address, such as https://example.com/episode-1.mp3');

const FrontMatterSchema = z.strictObject({
  title: NonEmptyText,
  opens: CalendarDateSchema,
  closes: CalendarDateSchema,
  author: NameText,
  authorEmail: EmailSchema.optional(),
  audio: UrlSchema.optional(),
  video: UrlSchema.optional(),
  slides: UrlSchema.optional(),
});

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
    strategies: split.strategies,
  });
  if (!training.success) {
    errors.push({ file: file.path, line: 1, message: `does not fit the training model: ${z.prettifyError(training.error)}` });
    return { yaml, errors, warnings };
  }
  return { training: training.data, yaml, errors, warnings };
}

// ---------------------------------------------------------------------------------------------
// The ## Strategies section
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

interface StrategySplit {
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

function splitStrategies(file: string, body: string, bodyLine: number): StrategySplit {
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

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
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
