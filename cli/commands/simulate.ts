import { parseArgs } from 'node:util';
import { countKinds, simulateSeries } from '../simulate.ts';
import { formatFunnel } from './status.ts';
import { UserError } from '#core/user-error';
import { progress } from '../terminal.ts';
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
  // On a terminal a line under the log says where the virtual clock is; cleared before each log line.
  const shown = progress('simulate');
  shown.update('starting the local servers');
  const result = await simulateSeries({
    dir,
    // Beside `baton dev`'s data (BATON_DATA_DIR), replaced by each run, never inside the series folder.
    keepOutbox: join(localConfig().dataDir, 'simulate-outbox'),
    ...(participants ? { participants } : {}),
    ...(seed !== undefined ? { seed } : {}),
    onStep: (at, sent) => shown.update(`${at.toISOString().slice(0, 10)} on the virtual clock, emails sent`, sent),
    ...(values.json
      ? {}
      : {
          log: (e) => {
            shown.done();
            console.log(`${e.at.slice(0, 16).replace('T', ' ')}Z  ${e.what}`);
          },
        }),
  }).finally(() => shown.done());
  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
    return 0;
  }
  console.log(`\n${result.sent.length} emails sent: ${countKinds(result.sent.map((m) => m.kind))}.`);
  console.log(`Each is kept as a .eml file (open it in any mail program) in ${shortPath(result.outbox!)}/\n`);
  console.log(formatFunnel(result.funnel));
  if (result.failedJobs.length) console.log(`\nSends that failed: ${result.failedJobs.join(', ')}`);
  return result.failedJobs.length ? 1 : 0;
}
