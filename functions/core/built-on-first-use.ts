// Module-level schemas that cost a cold start nothing until something reads them (issue 16).
//
// A zod schema costs ~35 µs to build, and a function loads 300–560 of them through the modules it
// imports (the records, the jobs, the AWS events, its environment). Built at import, as
// `const X = z.object(...)` builds them, that was ~12 ms of every cold start, about a third of a
// bare Node start, while an invocation reads a fraction of them: dispatch fanning out a kickoff
// reads 93 of its 336, mail-events suppressing a bounce 104 of its 446. (Those it reads cost the
// first invocation 4–8 ms, the first ones to run compiling zod's own code as well.)
//
// Two things kept them:
// - esbuild keeps every module-level statement it cannot prove free of side effects, used or not.
//   zod marks its builders `@__NO_SIDE_EFFECTS__`, but esbuild honours the mark only for calls in
//   the file that declares the function (evanw/esbuild#4369), and it must assume that a method
//   call (`z.string().check(...)`, `text.check(...)`) or a property read (`.shape`) does
//   something. So a bundle kept, and built, every schema of every module it imported: the studio
//   built the SES event schemas to read a function URL request.
// - Whatever a bundle keeps is built at import, even when no invocation of that function, or
//   none yet, parses with it.
//
// Written `/* @__PURE__ */ builtOnFirstUse(() => ...)`, a schema is left out of a bundle that does
// not use it (the annotation, at the call, tells esbuild the call may go; the arrow holds what it
// would otherwise keep), and built by the first read of it in one that does: `X.parse(...)`,
// `X.shape`, a schema that holds it parsing. test/unit/core/built-on-first-use.test.ts checks that
// every module-level schema of the modules the functions share is written so.

/**
 * Stands for the object `build()` returns, and builds it when something first reads from it: a
 * proxy that passes every operation on to the built object. Call it as
 * `/* @__PURE__ *\/ builtOnFirstUse(() => ...)` (see above).
 */
export function builtOnFirstUse<T extends object>(build: () => T): T {
  let built: T | undefined;
  const real = () => (built ??= build());
  return new Proxy({} as T, {
    get: (_, key) => Reflect.get(real(), key),
    has: (_, key) => Reflect.has(real(), key),
    ownKeys: () => Reflect.ownKeys(real()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(real(), key);
      // The proxy's own (empty) target has no such property, so it may not report one as fixed.
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(real()),
    set: (_, key, value) => Reflect.set(real(), key, value),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(real(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(real(), key),
  });
}
