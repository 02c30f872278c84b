// Dispatches `baton <command> [args]` to cli/commands/<command>.ts. Help comes from the static
// catalogue (catalogue.ts), and only the one command asked for is loaded: `validate` never pays
// for the AWS SDK or mjml, which the publishing commands import.
import { COMMANDS, commandHelp, isCommand, overallHelp, type CommandName } from './catalogue.ts';

export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

// Literal specifiers, so the ahead-of-time build (cli/build.js) splits each command into its own
// chunk and the tsx fallback resolves the same files.
const LOADERS: Record<CommandName, () => Promise<Command>> = {
  init: () => import('./commands/init.ts'),
  validate: () => import('./commands/validate.ts'),
  publish: () => import('./commands/publish.ts'),
  enroll: () => import('./commands/enroll.ts'),
  unenroll: () => import('./commands/unenroll.ts'),
  status: () => import('./commands/status.ts'),
  preview: () => import('./commands/preview.ts'),
  simulate: () => import('./commands/simulate.ts'),
  export: () => import('./commands/export.ts'),
  dev: () => import('./commands/dev.ts'),
  'parse-reply': () => import('./commands/parse-reply.ts'),
  trim: () => import('./commands/trim.ts'),
  recount: () => import('./commands/recount.ts'),
  dlq: () => import('./commands/dlq.ts'),
  doctor: () => import('./commands/doctor.ts'),
};

export function commandNames(): CommandName[] {
  return Object.keys(COMMANDS) as CommandName[];
}

export function loadCommand(name: CommandName): Promise<Command> {
  return LOADERS[name]();
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overallHelp());
    return name ? 0 : 1;
  }
  if (!isCommand(name)) {
    console.error(`baton: unknown command "${name}".\n\n${overallHelp()}`);
    return 1;
  }
  if (args.includes('--help') || args.includes('-h')) {
    console.log(commandHelp(name));
    return 0;
  }
  const cmd = await loadCommand(name);
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
