// The rule functions/core/built-on-first-use.ts explains: a module-level zod schema in a module
// that several functions import is written `/* @__PURE__ */ builtOnFirstUse(() => ...)`, so a
// bundle that never uses it leaves it out and one that does builds it when it first reads it. The
// rule is read with TypeScript's parser, as the code is written; test/infra/bundle.test.ts checks
// the outcome in the synthesized bundles. And the proxy stands for the schema it builds, as zod
// and Baton's code use schemas.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import * as z from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { builtOnFirstUse } from '#core/built-on-first-use';

const root = join(import.meta.dirname, '..', '..', '..');
const functions = join(root, 'functions');

/** Every module of the functions that imports zod/mini, but the handlers (each is its own bundle's entry). */
function schemaModules(): string[] {
  return (readdirSync(functions, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.startsWith('handlers/'))
    .map((f) => join(functions, f))
    .filter((f) => /from 'zod\/mini'/.test(readFileSync(f, 'utf8')));
}

/** The module-level declarations whose value is built with zod, and whether each is written by the rule. */
function schemaDeclarations(file: string) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; deferred: boolean }[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) {
      const init = d.initializer;
      // A function that builds a schema when called builds nothing at import.
      if (!init || ts.isArrowFunction(init) || ts.isFunctionExpression(init) || !/\bz\./.test(init.getText())) continue;
      const deferred =
        ts.isCallExpression(init) &&
        ts.isIdentifier(init.expression) &&
        init.expression.text === 'builtOnFirstUse' &&
        init.arguments.length === 1 &&
        ts.isArrowFunction(init.arguments[0]!) &&
        // The annotation is a comment right before the call.
        /\/\*\s*[@#]__PURE__\s*\*\/\s*$/.test(text.slice(init.getFullStart(), init.getStart()));
      found.push({ name: `${relative(root, file)}: ${d.name.getText()}`, deferred });
    }
  }
  return found;
}

describe('module-level schemas', () => {
  it('are written /* @__PURE__ */ builtOnFirstUse(() => ...) in every module the functions share', () => {
    const all = schemaModules().flatMap(schemaDeclarations);
    expect(all.filter((d) => !d.deferred).map((d) => d.name)).toEqual([]);
    // The scan sees the modules every function loads, so the rule above is not met by finding nothing.
    const names = all.map((d) => d.name);
    for (const expected of ['functions/core/model.ts: ParticipantSchema', 'functions/core/records.ts: DeliverySchema', 'functions/adapters/aws/events.ts: SesSendingEventSchema', 'functions/adapters/aws/runtime-config.ts: DispatchEnvSchema', 'functions/core/series.ts: SeriesFileSchema'])
      expect(names).toContain(expected);
    expect(all.length).toBeGreaterThan(60);
  });

  it('tells a bare schema, or one without the annotation, from one written by the rule', () => {
    // The checker itself, on a module written each way (the test above relies on it).
    const dir = mkdtempSync(join(tmpdir(), 'baton-first-use-'));
    const probe = join(dir, 'probe.ts');
    writeFileSync(
      probe,
      [
        "import * as z from 'zod/mini';",
        'export const A = z.string().check(z.minLength(1));',
        'export const B = builtOnFirstUse(() => z.string());',
        'export const C = /* @__PURE__ */ builtOnFirstUse(() => z.string());',
        'export const d = (s: string) => z.literal(s);',
        'export const LIMIT = 3;',
      ].join('\n'),
    );
    try {
      expect(schemaDeclarations(probe).map((d) => `${d.name.split(': ')[1]} ${d.deferred}`)).toEqual(['A false', 'B false', 'C true']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('builtOnFirstUse', () => {
  it('builds nothing until the first read, then once', () => {
    let builds = 0;
    const value = builtOnFirstUse(() => ({ n: ++builds, items: [1, 2] }));
    expect(builds).toBe(0);
    expect(value.n).toBe(1);
    expect(value.items).toEqual([1, 2]);
    expect(builds).toBe(1);
  });

  it('stands for a zod schema: parse, its issues, its shape spread into another, inside another, extended, its options', () => {
    let builds = 0;
    const Person = builtOnFirstUse(() => (builds++, z.object({ name: z.string().check(z.minLength(1)), age: z.optional(z.int()) })));
    const Kind = builtOnFirstUse(() => z.enum(['a', 'b']));
    // Holding it in other schemas builds nothing: they read it when they parse.
    const Team = z.object({ lead: Person, members: z.array(Person), kind: Kind });
    expect(builds).toBe(0);
    expect(Person.parse({ name: 'Ana', age: 3 })).toEqual({ name: 'Ana', age: 3 });
    expect(builds).toBe(1);
    const failed = Person.safeParse({ name: '' });
    expect(failed.success).toBe(false);
    expect(failed.error?.issues.map((i) => [i.path.join('.'), i.code])).toEqual([['name', 'too_small']]);
    expect(Team.parse({ lead: { name: 'Ana' }, members: [{ name: 'Ben', age: 4 }], kind: 'b' })).toEqual({ lead: { name: 'Ana' }, members: [{ name: 'Ben', age: 4 }], kind: 'b' });
    expect(Team.safeParse({ lead: { name: 'Ana' }, members: [{}], kind: 'c' }).error?.issues.map((i) => i.path.join('.'))).toEqual(['members.0.name', 'kind']);
    // An optional key of a deferred schema stays optional where the schema is a field.
    expect(z.object({ p: z.optional(Person) }).parse({})).toEqual({});
    const Item = z.object({ ...Person.shape, id: z.string() });
    expect(Item.parse({ id: 'x', name: 'Ana' })).toEqual({ id: 'x', name: 'Ana' });
    expect(z.extend(Person, { id: z.string() }).parse({ id: 'x', name: 'Ana' })).toEqual({ id: 'x', name: 'Ana' });
    expect(Kind.options).toEqual(['a', 'b']);
    expect(Object.keys(Person.shape)).toEqual(['name', 'age']);
    expect(builds).toBe(1);
  });
});
