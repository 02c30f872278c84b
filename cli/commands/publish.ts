import { parseArgs } from 'node:util';
import { publishSeries } from '#cli/publish-series';
import type { ScheduleDiff } from '#core/schedule-plan';
import { openTarget, type Target } from '../target.ts';
import type { RemoteSchedules } from '#app/publish';
import { displayPath } from '../series-dir.ts';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['publish'];

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { target: { type: 'string' } } });
  const [dir] = positionals;
  if (!dir) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const target = await openTarget(values.target);
  try {
    const remote = remoteSchedules(target);
    const result = await publishSeries(dir, target.store, new Date(), remote ? { remote } : {});
    const what = result.firstPublish ? 'Published' : `Updated (version ${result.version})`;
    console.log(`${what} "${result.series.title}" (${result.series.id}) from ${displayPath(dir)} to the ${target.name} target:`);
    for (const t of result.trainings) console.log(`  ${t.order}. ${t.title}  ${t.opens} → ${t.closes}`);
    console.log(`  ${result.templates.length} emails compiled.`);
    console.log(`  ${describeSchedules(result.schedules)}`);
    const { changes } = result;
    for (const c of changes.trainings.changed) console.log(`  changed: ${c.after.title} (${c.fields.join(', ')})`);
    for (const t of changes.trainings.removed) console.log(`  removed: ${t.title}`);
    console.log(`\nNext: baton enroll ${result.series.id} <participants.csv>`);
    return 0;
  } finally {
    await target.close();
  }
}

export function describeSchedules(diff: ScheduleDiff): string {
  const parts = [
    [diff.create.length, 'new'],
    [diff.update.length, 'moved'],
    [diff.delete.length, 'removed'],
    [diff.unchanged.length, 'unchanged'],
    [diff.alreadyRan.length, 'already ran'],
  ].filter(([n]) => Number(n) > 0);
  return `Schedules: ${parts.map(([n, what]) => `${n} ${what}`).join(', ') || 'none yet (enrol participants to plan training sends)'}.`;
}

/** In AWS the schedules are EventBridge Scheduler's; locally the store's records are the clock. */
export function remoteSchedules(target: Target): RemoteSchedules | undefined {
  return target.name === 'aws' ? target.schedules : undefined;
}
