// `baton unenroll`: removes participants from a published series. Each one gets a cancellation of
// the calendar holds they were sent (the kickoff's windows, their focus holds), then no more mail:
// their record is gone, so later jobs do not see them.
//
// Primary course:
//   1. every address must be a participant of the series (all are checked before anything changes);
//   2. a one-time cancel job per person, at once, carrying their name and zone (the record goes next);
//   3. the participant records are deleted;
//   4. the series' schedules are synced, since a removed person may have been the last of a zone.
import { parseArgs } from 'node:util';
import { unenrollParticipants } from '#app/unenroll';
import { openTarget } from '../target.ts';
import { UserError } from '#core/user-error';
import { remoteSchedules } from './publish.ts';
import { formatStanding, readStanding } from './status.ts';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['unenroll'];

export { unenrollParticipants, type UnenrollResult } from '#app/unenroll';

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { target: { type: 'string' } } });
  const [seriesId, ...emails] = positionals;
  if (!seriesId || emails.length === 0) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const target = await openTarget(values.target);
  try {
    const remote = remoteSchedules(target);
    const result = await unenrollParticipants(target.store, seriesId, emails, new Date(), remote ? { remote } : {});
    const n = result.removed.length;
    console.log(`Removed ${n} participant${n === 1 ? '' : 's'} from ${seriesId}: ${result.removed.map((p) => p.email).join(', ')}.`);
    console.log('Each gets a cancellation of the calendar holds they were sent, and no more mail from this series.');
    const published = await target.store.getSeries(seriesId);
    if (published) for (const line of formatStanding(await readStanding(target.store, published), target)) console.log(line);
    return 0;
  } finally {
    await target.close();
  }
}
