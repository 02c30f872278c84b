// `baton recount`: the studio's overview reads running totals kept as things happen (core/tallies.ts);
// publish builds them once for a series stored before they existed. This rebuilds them from the
// series' records on demand (after a restore, a bulk import, or when a crash between a write and
// its counter left them one change behind), with the feed and people pointers where missing.
import { parseArgs } from 'node:util';
import { UserError } from '#core/user-error';
import { openTarget } from '../target.ts';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['recount'];

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { target: { type: 'string' } } });
  const [seriesId] = positionals;
  if (!seriesId || positionals.length > 1) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const target = await openTarget(values.target);
  try {
    if (!(await target.store.getSeries(seriesId))) throw new UserError(`there is no published series "${seriesId}" on this target.`);
    const started = Date.now();
    const done = await target.store.prepareStudio(seriesId, { recount: true });
    const { counters } = await target.store.readTallies(seriesId);
    console.log(`Recounted ${seriesId} in ${((Date.now() - started) / 1000).toFixed(1)} s: ${counters.people ?? 0} enrolled, ${counters.sent ?? 0} sent a training, ${counters.read ?? 0} read, ${counters.contributed ?? 0} contributed, ${counters.quiet ?? 0} not engaged yet.`);
    if (done.feed || done.people) console.log(`Also wrote the studio's ${[done.feed ? 'feed' : '', done.people ? 'people' : ''].filter(Boolean).join(' and ')} pointers, which were missing.`);
    return 0;
  } finally {
    await target.close();
  }
}
