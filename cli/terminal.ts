// What the CLI may do with the person's terminal: ask questions and draw progress only when a
// person is there. In CI, in a pipe or under a test nothing waits for an answer and nothing
// writes carriage returns into a log.
import { createInterface } from 'node:readline/promises';

function inCi(): boolean {
  return Boolean(process.env.CI) && process.env.CI !== 'false';
}

/** True when questions can be asked: both ends are a terminal and this is not CI. */
export function canPrompt(): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !inCi();
}

/** Asks one question; an empty answer takes the default shown in brackets. */
export async function ask(question: string, fallback: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = (await rl.question(`${question}${fallback ? ` [${fallback}]` : ''}: `)).trim();
    return answer || fallback;
  } finally {
    rl.close();
  }
}

export interface Progress {
  /** "publish: compiling emails 12/40". */
  update(step: string, done?: number, total?: number): void;
  /** Clears the line, so the command's own output follows cleanly. */
  done(): void;
}

/** A one-line progress indicator on stderr, drawn only on a terminal outside CI. */
export function progress(command: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || inCi()) return { update() {}, done() {} };
  let last = 0;
  let shown = false;
  return {
    update(step, done, total) {
      // Redrawing a line costs more than the work between two rows of a large CSV.
      const now = Date.now();
      if (done !== undefined && done !== total && now - last < 100) return;
      last = now;
      const count = done === undefined ? '' : total === undefined ? ` ${done}` : ` ${done}/${total}`;
      stream.write(`\r\x1b[2K${command}: ${step}${count}…`);
      shown = true;
    },
    done() {
      if (shown) stream.write('\r\x1b[2K');
      shown = false;
    },
  };
}
