import { parseArgs } from 'node:util';
import { loadParticipants } from '../series-dir.ts';
import { syncSchedules } from '#app/publish';
import { describeSchedules, remoteSchedules } from './publish.ts';
import { openTarget } from '../target.ts';
import { UserError } from '#core/user-error';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['enroll'];

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { target: { type: 'string' } } });
  const [seriesId, csv] = positionals;
  if (!seriesId || !csv) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const target = await openTarget(values.target);
  try {
    const published = await target.store.getSeries(seriesId);
    if (!published) {
      throw new UserError(`no series "${seriesId}" is published on the ${target.name} target: run \`baton publish <series-dir>\` first.`);
    }
    const participants = await loadParticipants(csv, published.series);
    const before = new Set((await target.store.listParticipants(seriesId)).map((p) => p.email));
    await target.store.putParticipants(seriesId, participants);
    const newcomers = participants.filter((p) => !before.has(p.email));
    const added = newcomers.length;
    // Training sends are planned per participants' zones: a newcomer may bring a new zone, and
    // late joiners get the kickoff and the open training they missed.
    const remote = remoteSchedules(target);
    const schedules = await syncSchedules(target.store, seriesId, new Date(), { added: newcomers, ...(remote ? { remote } : {}) });
    const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;
    console.log(
      `Enrolled ${people(participants.length)} in ${seriesId}: ${people(added)} new` +
        `${added ? ' (they get the kickoff now, and any training whose window is open)' : ''}, ${participants.length - added} already enrolled and updated.`,
    );
    console.log(describeSchedules(schedules));
    return 0;
  } finally {
    await target.close();
  }
}
