// Runs before every test file of a project whose files share a worker's process and module graph
// (isolate: false in vitest.config.ts): whatever a file leaves behind in the process would reach
// the files after it, which could then pass or fail because of it. So each file must leave the
// process as it found it, and one that does not fails here, naming what it left; what it left is
// then undone, so the blame stays with that file and the next one starts clean.
//
// Checked: process.env, the working directory and exit code, servers and child processes still
// open, process listeners, fake timers, well-known globals replaced or spied on, and the
// process-wide store of aws-ses-v2-local (its outbox and templates: every server in the process
// shares one; the local stack empties it when its last stack stops, a test with its own server
// clears it in afterAll). A browser file's worker keeps one Chromium for all its browser files
// (test/support/browser.ts, sharedBrowser): its child process and Playwright's 'exit' listener are
// expected, and every browser context a file opened in it must be closed again.
import { createRequire } from 'node:module';
import { afterAll, vi } from 'vitest';

const sesStore = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as {
  getStoreReadonly(): { emails: unknown[]; templates: Map<string, unknown> };
  clearStore(): void;
};

/** The worker's shared Chromium as test/support/browser.ts records it (not imported here: the integration project does not load Playwright). */
interface SharedBrowser {
  browser: { isConnected(): boolean; contexts(): { close(): Promise<void> }[] };
  listeners: Partial<Record<string, unknown[]>>;
}
const sharedBrowser = async (): Promise<SharedBrowser | undefined> => {
  const shared = (globalThis as { [k: symbol]: Promise<SharedBrowser> | undefined })[Symbol.for('baton.test.sharedBrowser')];
  const s = await shared?.catch(() => undefined);
  return s?.browser.isConnected() ? s : undefined;
};

/** Handles that keep a server or a child process alive, counted by process.getActiveResourcesInfo(). */
const HANDLES = ['TCPServerWrap', 'PipeServerWrap', 'UDPWrap', 'ProcessWrap'];
const EVENTS = ['exit', 'beforeExit', 'SIGINT', 'SIGTERM', 'uncaughtException', 'unhandledRejection', 'warning'];
// Listeners of any event, typed loosely (process.listeners' overloads are per event).
const emitter = process as unknown as NodeJS.EventEmitter;

function handles(): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(HANDLES.map((h) => [h, 0]));
  for (const r of process.getActiveResourcesInfo()) if (r in counts) counts[r]!++;
  return counts;
}

/** Well-known globals a test might replace or spy on: [name, owner, key]. */
const GLOBALS: [string, object, string][] = [
  ['fetch', globalThis, 'fetch'],
  ['Date', globalThis, 'Date'],
  ['Date.now', Date, 'now'],
  ['Math.random', Math, 'random'],
  ['setTimeout', globalThis, 'setTimeout'],
  ['setInterval', globalThis, 'setInterval'],
  ['setImmediate', globalThis, 'setImmediate'],
  ['console.log', console, 'log'],
  ['console.info', console, 'info'],
  ['console.warn', console, 'warn'],
  ['console.error', console, 'error'],
  ['process.stdout.write', process.stdout, 'write'],
  ['process.stderr.write', process.stderr, 'write'],
  ['process.exit', process, 'exit'],
  ['process.kill', process, 'kill'],
];
const globals = () => GLOBALS.map(([, owner, key]) => (owner as Record<string, unknown>)[key]);

/**
 * Set once by a library when first imported, the same way in any process that imports it:
 * Powertools appends its user-agent part to AWS_SDK_UA_APP_ID.
 */
const SET_ON_IMPORT = new Set(['AWS_SDK_UA_APP_ID']);
/** Process listeners a library adds once, when first imported: aws-cdk-lib's clean-up of its temporary assemblies. */
const ADDED_ON_IMPORT = [/CloudAssembly\.cleanupTemporaryDirectories\(\)/];

// Taken when this module runs: before the test file is imported (and its top-level code run).
const envObject = process.env;
const env = { ...process.env };
const cwd = process.cwd();
const exitCode = process.exitCode;
const openHandles = handles();
const listeners = Object.fromEntries(EVENTS.map((e) => [e, emitter.listeners(e)]));
const originals = globals();
const sharedAtStart = await sharedBrowser();

/** A server's close or a child's exit may be reported a moment after the file's afterAll: waited for, briefly. */
async function settledHandles(expected: Record<string, number>): Promise<Record<string, number>> {
  let now = handles();
  for (let waited = 0; waited < 5000 && HANDLES.some((h) => now[h]! > expected[h]!); waited += 50) {
    await new Promise((r) => setTimeout(r, 50));
    now = handles();
  }
  return now;
}

// Registered first, so with vitest's default hook order ('stack') it runs after the file's own afterAll.
afterAll(async () => {
  const left: string[] = [];

  if (process.env !== envObject) {
    // A plain object in its place is no longer the process's environment (nor coerces values to strings).
    left.push('process.env replaced by another object (restore its keys instead)');
    process.env = envObject;
  }
  const changed = [...new Set([...Object.keys(env), ...Object.keys(process.env)])].filter((k) => env[k] !== process.env[k] && !SET_ON_IMPORT.has(k));
  if (changed.length) left.push(`process.env changed: ${changed.sort().join(', ')}`);
  for (const k of changed) {
    if (k in env) process.env[k] = env[k];
    else delete process.env[k];
  }

  if (process.cwd() !== cwd) {
    left.push(`working directory changed to ${process.cwd()}`);
    process.chdir(cwd);
  }
  if (process.exitCode !== exitCode) {
    left.push(`process.exitCode set to ${String(process.exitCode)}`);
    process.exitCode = exitCode;
  }

  if (vi.isFakeTimers()) {
    left.push('fake timers still installed');
    vi.useRealTimers();
  }

  const now = globals();
  const replaced = GLOBALS.filter((_, i) => now[i] !== originals[i] || vi.isMockFunction(now[i]));
  if (replaced.length) {
    left.push(`globals replaced or spied on: ${replaced.map(([name]) => name).join(', ')}`);
    vi.restoreAllMocks();
    for (const [i, [, owner, key]] of GLOBALS.entries()) (owner as Record<string, unknown>)[key] = originals[i];
  }

  const shared = await sharedBrowser();
  const open = shared?.browser.contexts() ?? [];
  if (open.length) {
    left.push(`${open.length} browser context(s) left open in the worker's shared Chromium (close the context a file opened in its afterAll)`);
    await Promise.all(open.map((c) => c.close().catch(() => {})));
  }

  for (const e of EVENTS) {
    const expected = [...listeners[e]!, ...(shared?.listeners[e] ?? [])];
    const added = emitter.listeners(e).filter((l) => !expected.includes(l) && !ADDED_ON_IMPORT.some((known) => known.test(String(l))));
    if (added.length) left.push(`${added.length} process '${e}' listener(s) added: ${added.map((l) => String(l).slice(0, 120).replace(/\s+/g, ' ')).join(' / ')}`);
    for (const l of added) emitter.removeListener(e, l as (...args: unknown[]) => void);
  }

  const store = sesStore.getStoreReadonly();
  if (store.emails.length || store.templates.size) {
    left.push(`aws-ses-v2-local's process-wide store holds ${store.emails.length} email(s) and ${store.templates.size} template(s)`);
    sesStore.clearStore();
  }

  // Not undone: a server or child process left running is the file's to stop. The shared
  // Chromium is one child process the worker keeps: started by this file, or gone during it.
  const expectedHandles: Record<string, number> = { ...openHandles, ProcessWrap: openHandles.ProcessWrap! + (shared ? 1 : 0) - (sharedAtStart ? 1 : 0) };
  const after = await settledHandles(expectedHandles);
  const stillOpen = HANDLES.filter((h) => after[h]! > expectedHandles[h]!).map((h) => `${after[h]! - expectedHandles[h]!} ${h}`);
  if (stillOpen.length) left.push(`still open: ${stillOpen.join(', ')} (a server not closed or a child process not ended in afterAll)`);

  // LEAKS_DEBUG=1: each file's end as the worker sees it (heap, handles), to find what grows.
  if (process.env.LEAKS_DEBUG) {
    const counts: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
    console.error(`file-leaks: pid ${process.pid} heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB, ${JSON.stringify(counts)}`);
  }
  if (left.length) throw new Error(`This test file leaves state behind for the files after it in the same worker (isolate: false):\n- ${left.join('\n- ')}`);
});
