// `baton export <series-id> --wiki <dir>`: every training as a Markdown page and a static HTML
// page, an index, and the contributions' attachments copied beside them. Re-running overwrites
// the same file names, so a wiki can be updated from a later export.
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { exportWiki } from '#mail/wiki';
import { openTarget } from '../target.ts';
import { UserError } from '#core/user-error';
import { progress } from '../terminal.ts';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['export'];

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { wiki: { type: 'string' }, target: { type: 'string' } },
  });
  const [seriesId] = positionals;
  if (!seriesId || !values.wiki) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const out = resolve(values.wiki);
  const shown = progress('export');
  shown.update(`opening the ${values.target ?? 'local'} target`);
  const target = await openTarget(values.target);
  try {
    const published = await target.store.getSeries(seriesId);
    if (!published) {
      throw new UserError(`no series "${seriesId}" is published on the ${target.name} target: check the id, or run \`baton publish <series-dir>\` first.`);
    }
    const [participants, responses, deliveries] = await Promise.all([
      target.store.listParticipants(seriesId),
      target.store.listResponses(seriesId),
      target.store.listDeliveries(seriesId, 'training#'),
    ]);
    shown.update('rendering the pages');
    const wiki = exportWiki({ series: published.series, trainings: published.trainings, participants, responses, deliveries, exportedAt: new Date() });
    for (const [i, file] of wiki.files.entries()) {
      shown.update('writing pages', i, wiki.files.length);
      const path = join(out, ...file.path.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, file.content);
    }
    // Locally attachments are kept under <data>/attachments/<key>; one that is not there (kept in
    // S3, or removed) stays a link on the page and is listed here.
    const missing: string[] = [];
    let copied = 0;
    for (const [i, a] of wiki.attachments.entries()) {
      shown.update('copying attachments', i, wiki.attachments.length);
      // Attachments of a deployed series stay in the attachment bucket; the pages link to them.
      if (target.name !== 'local') {
        missing.push(`${a.ref.filename} (${a.ref.key})`);
        continue;
      }
      const from = join(target.config.dataDir, 'attachments', ...a.ref.key.split('/').filter((p) => p && p !== '..'));
      if (!existsSync(from)) {
        missing.push(`${a.ref.filename} (${a.ref.key})`);
        continue;
      }
      const to = join(out, ...a.path.split('/'));
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(from, to);
      copied++;
    }
    shown.done();
    console.log(
      `Exported ${published.trainings.length} training${published.trainings.length === 1 ? '' : 's'} of ${seriesId} to ${out}: ` +
        `${wiki.files.length} pages (index.md and html/index.html to start), ${copied} attachment${copied === 1 ? '' : 's'} copied.`,
    );
    if (missing.length) console.log(`Not found locally, left as links: ${missing.join(', ')}`);
    return 0;
  } finally {
    shown.done();
    await target.close();
  }
}
