// `baton publish <series-dir>`: checks the folder and its participants.csv, says in plain words
// what will be sent to whom and when, then (unless --dry-run) stores the series, enrols the people
// and plans the sends. A window already over stops it; one already open is said out loud.
import { parseArgs } from 'node:util';
import { publish, type RemoteSchedules } from '#app/publish';
import { UserError } from '#core/user-error';
import { openTarget, type Target } from '../target.ts';
import { displayPath } from '../series-dir.ts';
import { audioFor, markEditsInFolder, preparePublish } from '../publish-series.ts';
import { progress } from '../terminal.ts';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['publish'];

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { target: { type: 'string' }, 'dry-run': { type: 'boolean', default: false }, 'no-participants': { type: 'boolean', default: false } },
  });
  const [dir, ...extra] = positionals;
  if (!dir || extra.length) throw new UserError(`expected one series folder.\nUsage: baton ${usage}`);
  const dryRun = values['dry-run'];
  const shown = progress('publish');
  shown.update(`opening the ${values.target ?? 'local'} target`);
  const target = await openTarget(values.target);
  try {
    const now = new Date();
    shown.update('checking the series and its participants');
    const { loaded, participants, plan } = await preparePublish(dir, target.store, now, { withParticipants: !values['no-participants'] });
    shown.done();
    const { series } = loaded;
    if (plan.errors.length) {
      throw new UserError(`${displayPath(dir)} cannot be published yet:\n${plan.errors.map((e) => `  ${e}`).join('\n')}`);
    }
    console.log(`${dryRun ? 'Publishing would send' : 'Publishing'} "${series.title}" (${series.id}) to the ${target.name} target:`);
    for (const line of plan.lines) console.log(`  ${line}`);
    for (const w of [...loaded.warnings.map((p) => `${p.file}:${p.line}: ${p.message}`), ...plan.warnings]) console.log(`  warning: ${w}`);
    if (dryRun) {
      console.log(`\nNothing was sent or stored (--dry-run). Run it without --dry-run to publish.`);
      return 0;
    }
    shown.update('compiling the emails and planning the sends');
    const remote = remoteSchedules(target);
    const notes: string[] = [];
    const result = await publish(
      { series, trainings: loaded.trainings, ...(participants.length ? { participants } : {}) },
      {
        store: target.store,
        now,
        compile: (await import('#emails/compile-series')).compileTemplates,
        ...(remote ? { remote } : {}),
        audio: await audioFor(target, (line) => notes.push(line)),
      },
    );
    await markEditsInFolder(target.store, series.id, now);
    shown.done();
    for (const line of notes) console.log(line);
    const what = result.firstPublish ? 'Published' : `Updated to version ${result.version}`;
    const made = [...result.audio.values()];
    const audioLine = made.length ? ` Audio versions: ${made.length} (${made.filter((a) => a.generated).length} newly spoken).` : '';
    console.log(
      `\n${what}: ${result.templates.length} emails compiled, ${participants.length} ${participants.length === 1 ? 'person' : 'people'} enrolled from participants.csv.${audioLine} The plan above is under way.`,
    );
    console.log(`Next: baton status ${series.id}${target.name === 'local' && !('stackRunning' in target && target.stackRunning) ? '   (and `npm start` to run the local stack that sends them)' : ''}`);
    return 0;
  } finally {
    shown.done();
    await target.close();
  }
}

/** In AWS the schedules are EventBridge Scheduler's; locally the store's records are the clock. */
export function remoteSchedules(target: Target): RemoteSchedules | undefined {
  return target.name === 'aws' ? target.schedules : undefined;
}
