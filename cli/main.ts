// Dispatches `baton <command> [args]` to cli/commands/<command>.ts. Each command module exports
// `summary`, `usage` and `run(args)`, so adding a command is adding a file.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const commandsDir = join(dirname(fileURLToPath(import.meta.url)), 'commands');

function commandNames(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function load(name: string): Promise<Command> {
  return (await import(join(commandsDir, `${name}.ts`))) as Command;
}

async function help(): Promise<string> {
  const lines = ['baton — asynchronous training series by email', '', 'Usage: baton <command> [options]', ''];
  for (const name of commandNames()) {
    const cmd = await load(name);
    lines.push(`  baton ${cmd.usage}`, `      ${cmd.summary}`);
  }
  lines.push('', 'Run `baton <command> --help` for details.');
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await help());
    return name ? 0 : 1;
  }
  if (!commandNames().includes(name)) {
    console.error(`baton: unknown command "${name}".\n\n${await help()}`);
    return 1;
  }
  const cmd = await load(name);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(`Usage: baton ${cmd.usage}\n\n${cmd.summary}`);
    return 0;
  }
  try {
    return await cmd.run(args);
  } catch (err) {
    // Expected failures (bad input, unreachable stack) are thrown as UserError with a message
    // written for the person at the terminal; anything else is a bug and keeps its stack.
    if (err instanceof Error && err.name === 'UserError') {
      console.error(`baton ${name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}
