// The app's synth as `cdk synth` runs it (cdk.json's command, its context, every Lambda bundled,
// CloudFormation's validation and cdk-nag on), done once and shared: config.test.ts checks the
// assembly, bundle.test.ts loads and runs its bundles. Each of them synthesizing on its own was most
// of the infra project's CPU time, so the assembly is kept in node_modules/.cache/baton-synth/<key>,
// where the key hashes everything the synth is made from (synthKey); a run with the same sources
// reads it back. Under a folder named node_modules, vitest hands the bundles to Node's own import,
// as Lambda's runtime loads them, rather than through its transform.
//
// Test files run in parallel workers: the first to need a synth takes a lock (a folder, made
// atomically by mkdir) and the others wait for its result. The lock only saves work: an entry is
// published by renaming a finished folder into place, so a broken lock costs a second synth, never a
// half-written entry.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SYNTH_CACHE = join(ROOT, 'node_modules', '.cache', 'baton-synth');

/** The folders whose every file goes into the key: the app, the functions it bundles and what they import. */
export const KEYED_FOLDERS: readonly string[] = ['infra', 'functions', 'contract', 'emails', 'cli'];
/** Build output inside those folders (cli/dist, the compiled CLI), not a source of the synth. */
const UNKEYED_NAMES = (name: string) => name === 'node_modules' || name === 'dist' || name.startsWith('dist.');
/** And these files: the command and its context, the dependencies as installed, and this file's way of synthesizing. */
export const KEYED_FILES: readonly string[] = [
  'cdk.json',
  'package.json',
  'package-lock.json',
  'node_modules/.package-lock.json',
  'tsconfig.json',
  'test/support/app-synth.ts',
];

/** Entries kept besides the one in use: the two most recently used, and any used in the last ten minutes (a run still reading it). */
const KEEP = 2;
const IN_USE_MS = 10 * 60_000;
/** A lock whose holder has not touched it for this long is abandoned, whatever its pid says (the pid may be another process's by now). */
const LOCK_STALE_MS = 60_000;
const HEARTBEAT_MS = 5_000;

/**
 * What the synth is made from, hashed: every file under KEYED_FOLDERS (path and content), the
 * KEYED_FILES, the Node version and the CDK_DEFAULT_* environment the app reads.
 */
export function synthKey(root = ROOT, env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    const file = join(root, path);
    hash.update(`${path}\0`).update(existsSync(file) ? readFileSync(file) : '(none)').update('\0');
  };
  const walk = (dir: string) => {
    const full = join(root, dir);
    if (!existsSync(full)) return;
    for (const entry of readdirSync(full, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (UNKEYED_NAMES(entry.name)) continue;
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) add(path);
    }
  };
  for (const dir of KEYED_FOLDERS) walk(dir);
  for (const file of KEYED_FILES) add(file);
  hash.update(process.version);
  for (const name of Object.keys(env).filter((k) => k.startsWith('CDK_DEFAULT_')).sort()) hash.update(`\0${name}=${env[name]}`);
  return hash.digest('hex').slice(0, 16);
}

export interface AppSynth {
  /** The cloud assembly (manifest.json, the templates, the asset folders). Read it, never write it: it is shared. */
  outdir: string;
  stdout: string;
  stderr: string;
  key: string;
}

let synth: Promise<AppSynth> | undefined;

/** The app's synth for the sources on disk: read from the cache, or made (once across the run's workers) and cached. */
export function synthApp(): Promise<AppSynth> {
  synth ??= cachedSynth().catch((error: unknown) => {
    synth = undefined;
    throw error;
  });
  return synth;
}

async function cachedSynth(): Promise<AppSynth> {
  const key = synthKey();
  const entry = join(SYNTH_CACHE, key);
  const lock = `${entry}.lock`;
  mkdirSync(SYNTH_CACHE, { recursive: true });
  for (;;) {
    if (existsSync(entry)) return read(key, entry);
    if (takeLock(lock)) {
      const heartbeat = setInterval(() => touch(lock), HEARTBEAT_MS).unref();
      try {
        if (!existsSync(entry)) await synthInto(key, entry);
      } finally {
        clearInterval(heartbeat);
        rmSync(lock, { recursive: true, force: true });
      }
      prune(key);
    } else if (abandoned(lock)) {
      breakLock(lock);
    } else {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

function read(key: string, entry: string): AppSynth {
  touch(entry);
  return {
    key,
    outdir: join(entry, 'cdk.out'),
    stdout: readFileSync(join(entry, 'stdout.txt'), 'utf8'),
    stderr: readFileSync(join(entry, 'stderr.txt'), 'utf8'),
  };
}

/** Runs cdk.json's command as the CDK CLI does (context in CDK_CONTEXT_JSON, output folder in CDK_OUTDIR) and publishes the result. */
async function synthInto(key: string, entry: string): Promise<void> {
  const cdkJson = JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
  const [command, ...args] = cdkJson.app.split(' ');
  // Beside the entry, at the same depth: the bundles' source maps name their sources by relative path.
  const staging = `${entry}.tmp-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  try {
    const result = await promisify(execFile)(command === 'node' ? process.execPath : command!, args, {
      cwd: ROOT,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(cdkJson.context), CDK_OUTDIR: join(staging, 'cdk.out') },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: { code?: number; stderr?: string; message: string }) => {
      throw new Error(`the app's synth (${cdkJson.app}) failed with exit code ${String(error.code)}:\n${error.stderr ?? error.message}`);
    });
    writeFileSync(join(staging, 'stdout.txt'), result.stdout);
    writeFileSync(join(staging, 'stderr.txt'), result.stderr);
    try {
      renameSync(staging, entry);
    } catch (error) {
      // Published meanwhile by a run that did not see this lock (a broken one): theirs is as good.
      if (!existsSync(entry)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** mkdir is atomic: exactly one process creates the folder. The pid inside says who holds it. */
function takeLock(lock: string): boolean {
  try {
    mkdirSync(lock);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  writeFileSync(join(lock, 'pid'), String(process.pid));
  return true;
}

/** Held by a process that is gone, or not touched by its holder for LOCK_STALE_MS (hung, or the pid since reused). */
function abandoned(lock: string): boolean {
  let touched: number;
  try {
    touched = statSync(lock).mtimeMs;
  } catch {
    return false; // released: try to take it
  }
  if (Date.now() - touched > LOCK_STALE_MS) return true;
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    return false; // made a moment ago, its pid not written yet
  }
  return !alive(pid);
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Renamed away first, so a process that takes the lock meanwhile is not removed with it. */
function breakLock(lock: string): void {
  const gone = `${lock}.stale-${process.pid}`;
  try {
    renameSync(lock, gone);
  } catch {
    return;
  }
  rmSync(gone, { recursive: true, force: true });
}

function touch(path: string): void {
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    // Removed meanwhile (the lock released, the entry pruned): nothing to mark.
  }
}

/** Removes entries other than the KEEP most recently used and those in use, and leftovers of synths whose process is gone. */
function prune(current: string): void {
  const names = readdirSync(SYNTH_CACHE);
  const used = (name: string) => {
    try {
      return statSync(join(SYNTH_CACHE, name)).mtimeMs;
    } catch {
      return 0;
    }
  };
  const entries = names.filter((n) => /^[0-9a-f]{16}$/.test(n) && n !== current).sort((a, b) => used(b) - used(a));
  for (const name of entries.slice(KEEP - 1)) {
    if (Date.now() - used(name) > IN_USE_MS) rmSync(join(SYNTH_CACHE, name), { recursive: true, force: true });
  }
  for (const name of names) {
    const owner = /\.(?:tmp|lock\.stale)-(\d+)$/.exec(name);
    if (owner && !alive(Number(owner[1]))) rmSync(join(SYNTH_CACHE, name), { recursive: true, force: true });
  }
}
