// `baton enroll <series-id> <participants.csv>`: adds the people of a CSV to a published series (or
// updates those already in it), then says in people and trainings what they get and when. A CSV of
// thousands shows its progress on a terminal; in CI or a pipe it prints only the result.
import { parseArgs } from 'node:util';
import { loadParticipants } from '../series-dir.ts';
import { syncSchedules } from '#app/publish';
import { people } from '#core/publish-plan';
import { remoteSchedules } from './publish.ts';
import { formatStanding, readStanding } from './status.ts';
import { openTarget } from '../target.ts';
import { progress } from '../terminal.ts';
import { UserError } from '#core/user-error';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['enroll'];

/** People written per store call: small enough for the progress line to move, large enough to batch. */
const CHUNK = 500;

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { target: { type: 'string' } } });
  const [seriesId, csv] = positionals;
  if (!seriesId || !csv) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const shown = progress('enroll');
  shown.update(`opening the ${values.target ?? 'local'} target`);
  const target = await openTarget(values.target);
  try {
    const published = await target.store.getSeries(seriesId);
    if (!published) {
      throw new UserError(`no series "${seriesId}" is published on the ${target.name} target: run \`baton publish <series-dir>\` first.`);
    }
    shown.update(`reading ${csv}`);
    const participants = await loadParticipants(csv, published.series);
    const before = new Set((await target.store.listParticipants(seriesId)).map((p) => p.email));
    for (let i = 0; i < participants.length; i += CHUNK) {
      shown.update('enrolling people', i, participants.length);
      await target.store.putParticipants(seriesId, participants.slice(i, i + CHUNK));
    }
    const newcomers = participants.filter((p) => !before.has(p.email));
    const added = newcomers.length;
    // Training sends are planned per participants' zones: a newcomer may bring a new zone, and
    // late joiners get the kickoff and the open training they missed.
    shown.update('planning what each person gets and when');
    const remote = remoteSchedules(target);
    await syncSchedules(target.store, seriesId, new Date(), { added: newcomers, ...(remote ? { remote } : {}) });
    const standing = await readStanding(target.store, published);
    shown.done();
    console.log(
      `Enrolled ${people(participants.length)} from ${csv} in ${seriesId}: ${added} new` +
        `${added ? ' (they get the kickoff now, and any training whose window is open)' : ''}` +
        `${participants.length > added ? `, ${participants.length - added} already enrolled (their details updated)` : ''}.`,
    );
    for (const line of formatStanding(standing, target)) console.log(line);
    return 0;
  } finally {
    shown.done();
    await target.close();
  }
}
