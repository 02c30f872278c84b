import { parseArgs } from 'node:util';
import { simulateSeries } from '../simulate.ts';
import { formatFunnel } from './status.ts';
import { UserError } from '#core/user-error';
import { COMMANDS } from '../catalogue.ts';
import { join, relative } from 'node:path';
import { localConfig } from '#adapters/local/config';

export const { summary, usage } = COMMANDS['simulate'];

/** Relative when the folder is under the current one, absolute otherwise (no ../../../tmp). */
const shortPath = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { participants: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [dir] = positionals;
  if (!dir) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const participants = values.participants === undefined ? undefined : Number(values.participants);
  if (participants !== undefined && (!Number.isInteger(participants) || participants < 1 || participants > 5000)) {
    throw new UserError(`--participants "${values.participants}" must be a whole number from 1 to 5000.`);
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  const result = await simulateSeries({
    dir,
    // Beside `baton dev`'s data (BATON_DATA_DIR), replaced by each run, never inside the series folder.
    keepOutbox: join(localConfig().dataDir, 'simulate-outbox'),
    ...(participants ? { participants } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ...(values.json ? {} : { log: (e) => console.log(`${e.at.slice(0, 16).replace('T', ' ')}Z  ${e.what}`) }),
  });
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  console.log(`\n${result.sent.length} emails sent; each is kept as a .eml file (open in any mail program) in ${shortPath(result.outbox!)}/\n`);
  console.log(formatFunnel(result.funnel));
  if (result.failedJobs.length) console.log(`\nJobs that failed: ${result.failedJobs.join(', ')}`);
  return result.failedJobs.length ? 1 : 0;
}
