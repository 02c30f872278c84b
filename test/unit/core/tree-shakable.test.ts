// The rule functions/core/tree-shakable.ts explains: a module-level zod schema in a module that
// several functions import is written `/* @__PURE__ */ treeShakable(() => ...)`, so a bundle that
// never uses it does not build it at every cold start. Read with TypeScript's parser, as written.
// test/infra/bundle.test.ts checks the outcome in the synthesized bundles.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { builtOnFirstCall, treeShakable } from '#core/tree-shakable';

const root = join(import.meta.dirname, '..', '..', '..');
const functions = join(root, 'functions');

/** Every module of the functions that imports zod/mini, but the handlers (each is its own bundle's entry). */
function schemaModules(): string[] {
  return (readdirSync(functions, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.startsWith('handlers/'))
    .map((f) => join(functions, f))
    .filter((f) => /from 'zod\/mini'/.test(readFileSync(f, 'utf8')));
}

/** The module-level declarations whose value is built with zod, and how each is written. */
function schemaDeclarations(file: string) {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: { name: string; wrapped: boolean }[] = [];
  for (const statement of source.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const d of statement.declarationList.declarations) {
      const init = d.initializer;
      // A function that builds a schema when called builds nothing at import.
      if (!init || ts.isArrowFunction(init) || ts.isFunctionExpression(init) || !/\bz\./.test(init.getText())) continue;
      const wrapped =
        ts.isCallExpression(init) &&
        ts.isIdentifier(init.expression) &&
        ['treeShakable', 'builtOnFirstCall'].includes(init.expression.text) &&
        init.arguments.length === 1 &&
        ts.isArrowFunction(init.arguments[0]!) &&
        // The annotation is a comment right before the call.
        /\/\*\s*[@#]__PURE__\s*\*\/\s*$/.test(text.slice(init.getFullStart(), init.getStart()));
      found.push({ name: `${relative(root, file)}: ${d.name.getText()}`, wrapped });
    }
  }
  return found;
}

describe('module-level schemas', () => {
  it('are written /* @__PURE__ */ treeShakable(() => ...) or builtOnFirstCall(() => ...) in every module the functions share', () => {
    const all = schemaModules().flatMap(schemaDeclarations);
    expect(all.filter((d) => !d.wrapped).map((d) => d.name)).toEqual([]);
    // The scan sees the modules every function loads, so the rule above is not met by finding nothing.
    const names = all.map((d) => d.name);
    for (const expected of ['functions/core/model.ts: ParticipantSchema', 'functions/core/records.ts: DeliverySchema', 'functions/adapters/aws/events.ts: sesSendingEvent', 'functions/adapters/aws/runtime-config.ts: DispatchEnvSchema'])
      expect(names).toContain(expected);
    expect(all.length).toBeGreaterThan(60);
  });

  it('tells a bare schema, or one without the annotation, from a wrapped one', () => {
    // The checker itself, on a module written the three ways (the test above relies on it).
    const dir = mkdtempSync(join(tmpdir(), 'baton-tree-shakable-'));
    const probe = join(dir, 'probe.ts');
    const write = (body: string) => writeFileSync(probe, `import * as z from 'zod/mini';\n${body}\n`);
    write(`export const A = z.string().check(z.minLength(1));\nexport const B = treeShakable(() => z.string());\nexport const C = /* @__PURE__ */ treeShakable(() => z.string());\nexport const d = (s: string) => z.literal(s);\nexport const LIMIT = 3;`);
    try {
      expect(schemaDeclarations(probe).map((d) => `${d.name.split(': ')[1]} ${d.wrapped}`)).toEqual(['A false', 'B false', 'C true']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are the value the build returns, built when the module loads', () => {
    let built = 0;
    const schema = treeShakable(() => ({ built: ++built }));
    expect(schema).toEqual({ built: 1 });
    expect(built).toBe(1);
  });

  it('built on first call are built by the first call only, and the same value from then on', () => {
    let built = 0;
    const schema = builtOnFirstCall(() => ({ built: ++built }));
    expect(built).toBe(0);
    const first = schema();
    expect(first).toEqual({ built: 1 });
    expect(schema()).toBe(first);
    expect(built).toBe(1);
    // A value that is itself undefined is built once too.
    let runs = 0;
    const nothing = builtOnFirstCall(() => void runs++);
    nothing();
    nothing();
    expect(runs).toBe(1);
  });
});
