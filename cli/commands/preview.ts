import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Participant } from '#core/model';
import { prepareKickoffSend, prepareTrainingSend, type ComposedMail, type MailSettings } from '#core/compose';
import { templateNames } from '#core/dispatch';
import { compileTemplates } from '../publish.ts';
import { displayPath, loadParticipants, loadSeries } from '../series-dir.ts';
import { localConfig } from '../local-config.ts';
import { UserError } from '../user-error.ts';

export const summary = 'write every email of a series as .html, .txt, .ics and .eml for one participant';
export const usage = 'preview <series-dir> --out <dir> [--participant <email>]';

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, participant: { type: 'string' } },
  });
  const [dir] = positionals;
  if (!dir || !values.out) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const { series, trainings } = await loadSeries(dir);
  const csv = join(dir, 'participants.csv');
  const participants: Participant[] = existsSync(csv) ? await loadParticipants(csv, series) : [];
  let participant: Participant | undefined = participants[0];
  if (values.participant) {
    participant = participants.find((p) => p.email === values.participant!.toLowerCase());
    if (!participant) throw new UserError(`${values.participant} is not in ${displayPath(csv)}; pick one of its addresses.`);
  }
  participant ??= { email: 'sample.participant@example.com', name: 'Sam Sample', timeZone: series.defaultTimeZone, workStart: series.defaultWorkStart };

  const config = localConfig();
  const settings: MailSettings = {
    domain: config.domain,
    inboundDomain: config.inboundDomain,
    senderAddress: config.sender,
    linksBaseUrl: config.linksBaseUrl,
    // Preview links are signed with a throwaway secret: they show the shape, not live links.
    secrets: 'preview-only-secret',
  };
  const templates = await compileTemplates(series, trainings);
  const now = new Date();
  const mails: [string, ComposedMail][] = [];
  const kickoff = templates.get(templateNames.kickoff);
  if (kickoff) mails.push(['00-kickoff', prepareKickoffSend({ series, trainings, template: kickoff, settings, now })(participant)]);
  for (const training of trainings) {
    const template = templates.get(templateNames.training(training.slug));
    if (!template) continue;
    const name = `${String(training.order).padStart(2, '0')}-${training.slug}`;
    mails.push([name, prepareTrainingSend({ series, training, trainings, template, settings, now })(participant)]);
  }

  await mkdir(values.out, { recursive: true });
  const written: string[] = [];
  for (const [name, mail] of mails) {
    // Split the very message that would be sent, so the preview cannot drift from the real thing.
    const parsed = await simpleParser(mail.raw);
    const files: [string, string | Buffer][] = [
      [`${name}.eml`, mail.raw],
      [`${name}.html`, typeof parsed.html === 'string' ? parsed.html : ''],
      [`${name}.txt`, parsed.text ?? ''],
    ];
    const ics = parsed.attachments.find((a) => a.filename?.endsWith('.ics'));
    if (ics) files.push([`${name}.ics`, ics.content]);
    for (const [file, content] of files) {
      await writeFile(join(values.out, file), content);
      written.push(file);
    }
  }
  console.log(`Previewed ${mails.length} emails for ${participant.name} <${participant.email}> (${participant.timeZone}, day starts ${participant.workStart}):`);
  for (const [name, mail] of mails) console.log(`  ${name}  "${(await simpleParser(mail.raw)).subject}"`);
  console.log(`\n${written.length} files in ${displayPath(values.out)}/ — open the .html in a browser, the .eml in a mail client, the .ics in a calendar.`);
  return 0;
}
