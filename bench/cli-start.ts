// How long `baton --help` and `baton validate <example>` take to answer, wall clock, in a fresh
// process pinned to one core (taskset, where there is one) as a trainer's laptop under load would
// run it. The budget is 0.5 s; the ratio to `node -e 0` on the same core in the same run is what
// compares across these shared, noisy machines. The compiled CLI is built first, so the numbers
// are the ones `npm install` gives; `fromSource` is the tsx fallback for a checkout without it.
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCli } from '../cli/build.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..');
const BATON = join(ROOT, 'cli', 'baton.js');
const EXAMPLE = join(ROOT, 'examples', 'q1-productivity');
const BUDGET_MS = 500;
const RUNS = 7;

/** taskset to pin a child process to core 0, where the machine has it (the cold-start bench pins the same way). */
export function pinned(): string[] {
  try {
    execFileSync('taskset', ['-c', '0', 'true']);
    return ['taskset', '-c', '0'];
  } catch {
    return [];
  }
}

async function median(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const times: number[] = [];
  const [cmd, ...args] = [...pinned(), process.execPath, ...argv];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await run(cmd!, args, { cwd: ROOT, env });
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)]!);
}

export async function benchCliStart(): Promise<unknown> {
  if (!(await buildCli({ quiet: true }))) throw new Error('could not compile the CLI (cli/build.js)');
  const node = await median(['-e', '0']);
  const help = await median([BATON, '--help']);
  const validate = await median([BATON, 'validate', EXAMPLE]);
  const sourceEnv = { ...process.env, BATON_CLI_SOURCE: '1' };
  const fromSource = { help: await median([BATON, '--help'], sourceEnv), validate: await median([BATON, 'validate', EXAMPLE], sourceEnv) };
  const within = help < BUDGET_MS && validate < BUDGET_MS;
  if (!within) process.exitCode = 1;
  return {
    budgetMs: BUDGET_MS,
    pinnedToOneCore: pinned().length > 0,
    nodeMs: node,
    help: { ms: help, ratioToNode: +(help / node).toFixed(2) },
    validate: { ms: validate, ratioToNode: +(validate / node).toFixed(2) },
    withinBudget: within,
    fromSourceMs: fromSource,
  };
}
