// A Lambda handler's dependency built by the first invocation that needs it, then shared by the
// container's later ones: the handlers load what only some invocations use (an SDK client, the
// sending half of dispatch) this way, so the bundle keeps it in a chunk of its own and a cold
// start does not compile it (issue 16, infra/bundling.ts).

/** `build` runs once, on the first call; every call gets the same promise. */
export function onFirstUse<T>(build: () => Promise<T>): () => Promise<T> {
  let built: Promise<T> | undefined;
  return () => (built ??= build());
}
