// A module-level value that a bundle with no use for it leaves out.
//
// esbuild keeps every module-level statement it cannot prove free of side effects, used or not.
// zod marks its builders `@__NO_SIDE_EFFECTS__`, but esbuild honours that mark only for calls in
// the file that declares the function (evanw/esbuild#4369), and it must assume a method call
// (`z.string().check(...)`, `text.check(...)`) or a property read (`.shape`) does something. So a
// function that imported a module of schemas built every schema in it at each cold start: the
// studio and the links built the SES event schemas (~200 zod schemas) to read a function URL
// request, and the receipt filter, which reads one SES event, built every other one too.
//
// Written `/* @__PURE__ */ treeShakable(() => ...)`, a value is built exactly as before, at import,
// when the bundle uses it, and left out when nothing does: the annotation, at the call, tells
// esbuild the call may be dropped, and the arrow around the expression holds everything it would
// otherwise keep. test/unit/core/tree-shakable.test.ts checks that every module-level schema of
// the functions' shared modules is written so, or as `builtOnFirstCall` below.
//
// `/* @__PURE__ */ builtOnFirstCall(() => ...)` is for the few a function carries but a deployment
// may never use: mail-events reads SES's sending events from whichever of three routes the
// operator chose (EventBridge, SNS, SNS into SQS), so each route's schemas are built by the first
// event that comes that way, and the other two never are.

/** Returns `build()`. Call it as `/* @__PURE__ *\/ treeShakable(() => ...)`: see above. */
export function treeShakable<T>(build: () => T): T {
  return build();
}

/** `build()` on the first call, and that same value on every later one. Call it as above. */
export function builtOnFirstCall<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
