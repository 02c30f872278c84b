// A child `baton` on a real pseudo-terminal (util-linux's `script`), so the CLI's own isTTY check
// decides what it draws, as it does for a trainer; and the environment of a run that is not CI.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './example-data.ts';

/** A progress line as cli/terminal.ts draws it: carriage return, clear line, "command: ". */
export const PROGRESS = /\r\x1b\[2K(\w+): /;

/** `env` without CI, which would hide progress lines on a terminal (the run under test says when it is CI). */
export function outsideCi(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { CI: _ci, ...rest } = env;
  return rest;
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** `baton …args` under a pseudo-terminal: everything it wrote to the terminal, both streams. */
export async function batonOnTerminal(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const command = [process.execPath, join(repoRoot, 'cli', 'baton.js'), ...args].map(quote).join(' ');
  const { stdout } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { cwd: repoRoot, env });
  return stdout;
}
