import { parseArgs } from 'node:util';
import { publishSeries } from '../publish.ts';
import { openTarget } from '../target.ts';
import { displayPath } from '../series-dir.ts';

export const summary = 'validate a series folder, compile its emails and publish it';
export const usage = 'publish <series-dir> [--target local]';

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: { target: { type: 'string' } } });
  const [dir] = positionals;
  if (!dir) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const target = await openTarget(values.target);
  try {
    const result = await publishSeries(dir, target.store, new Date());
    const what = result.firstPublish ? 'Published' : `Updated (version ${result.version})`;
    console.log(`${what} "${result.series.title}" (${result.series.id}) from ${displayPath(dir)} to the ${target.name} target:`);
    for (const t of result.trainings) console.log(`  ${t.order}. ${t.title}  ${t.opens} → ${t.closes}`);
    console.log(`  ${result.templates.length} emails compiled.`);
    console.log(`\nNext: baton enroll ${result.series.id} <participants.csv>`);
    return 0;
  } finally {
    await target.close();
  }
}
