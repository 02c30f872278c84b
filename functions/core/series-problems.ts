// Turning zod issues into problems at a line: what the key should have been, what was written,
// and a line to copy. Used for series.yaml and a training's front matter.
import type * as z from 'zod/mini';
import type { ParsedYaml } from './front-matter.ts';
import type { Problem } from './problem.ts';
import { closest } from './text.ts';

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

export const FRONT_MATTER_EXAMPLES: Record<string, string> = { ...EXAMPLES, title: 'title: A productive 1:1 sync with your manager' };

/** The keys an object schema at `path` accepts, for "unknown key" messages. */
function allowedKeys(schema: z.core.$ZodType, path: readonly PropertyKey[]): string[] {
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
export function schemaProblems(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  data: unknown,
  yaml: ParsedYaml,
  schema: z.core.$ZodType,
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
  schema: z.core.$ZodType,
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
