import { parseArgs } from 'node:util';
import { countKinds, simulateSeries, type SimulationResult } from '../simulate.ts';
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
    options: { participants: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' }, preferences: { type: 'boolean' } },
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
  // Before and after: the same series and seed again, with some people choosing what they get.
  const after = values.preferences
    ? await simulateSeries({ dir, ...(participants ? { participants } : {}), ...(seed !== undefined ? { seed } : {}), preferences: true })
    : undefined;
  if (values.json) {
    console.log(JSON.stringify(after ? { before: result, after } : result, null, 2));
    return 0;
  }
  console.log(`\n${result.sent.length} emails sent: ${countKinds(result.sent.map((m) => m.kind))}.`);
  console.log(`Each is kept as a .eml file (open it in any mail program) in ${shortPath(result.outbox!)}/\n`);
  console.log(formatFunnel(result.funnel));
  console.log(`\n${formatPerWeek(result, after)}`);
  const failed = [...result.failedJobs, ...(after?.failedJobs ?? [])];
  if (failed.length) console.log(`\nSends that failed: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

/** Mails per person per week: the average and busiest week, and with --preferences each chooser before and after. */
export function formatPerWeek(before: SimulationResult, after?: SimulationResult): string {
  const line = (label: string, r: SimulationResult) => `${label.padEnd(22)} ${String(r.perWeek.average).padStart(5)} a week on average, ${r.perWeek.max} in the busiest week`;
  const out = ['Mails per person per week', line(after ? 'before preferences' : 'everyone', before)];
  if (!after) return out.join('\n');
  out.push(line('after preferences', after), '');
  const total = (r: SimulationResult, email: string) => (r.perWeek.perPerson[email] ?? []).reduce((a, b) => a + b, 0);
  const weeks = (r: SimulationResult, email: string) => (r.perWeek.perPerson[email] ?? []).join(' ');
  for (const [email, choice] of Object.entries(after.choices)) {
    out.push(`${email} (${choice}): ${total(before, email)} → ${total(after, email)} mails`, `  before: ${weeks(before, email)}`, `  after:  ${weeks(after, email)}`);
  }
  return out.join('\n');
}
