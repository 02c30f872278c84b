// Every kind of email Baton sends, for one participant of the example series, as the raw bytes a
// send would hand to SES: the twelve `baton preview` writes, plus the calendar changes preview
// does not show (a moved training, a cancelled one, someone removed from the series). Tests that
// hold every kind to an outside tool (SpamAssassin, calendar parsers, khal) start here.
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Participant, Training } from '#core/model';
import { addDays } from '#core/time';
import { compileTemplates } from '#emails/compile-series';
import type { CompiledEmail } from '#mail/fill';
import { prepareCancelSend, prepareKickoffSend, prepareTrainingSend, prepareUpdateSend, type MailSettings } from '#mail/compose';
import { TEMPLATE } from '#mail/template-names';
import { calendarsOffEmail } from '#mail/calendars-off';
import { previewMails } from '#cli/commands/preview';
import { loadParticipants, loadSeries } from '#cli/series-dir';
import { exampleDir } from './example-data.ts';

export const SETTINGS: MailSettings = {
  domain: 'baton.example.com',
  inboundDomain: 'reply.baton.example.com',
  senderAddress: 'training@baton.example.com',
  // https, as in production: the local http links leave out the one-click List-Unsubscribe-Post.
  linksBaseUrl: 'https://links.baton.example.com',
  secrets: 'every-kind-test-secret-0123456789',
};

export interface KindMail {
  kind: string;
  name: string;
  raw: string;
}

/**
 * The example read and compiled once per worker process (mjml is most of a second of CPU each
 * time, and the files of a worker share this module): every caller gets its own copy of the
 * series, trainings and participants, so one file changing them cannot reach another.
 */
let compiled: Promise<{ loaded: Awaited<ReturnType<typeof loadSeries>>; participants: Participant[]; templates: Map<string, CompiledEmail> }> | undefined;

async function compileExample() {
  const loaded = await loadSeries(exampleDir);
  const trainings = [...loaded.trainings].sort((a, b) => a.order - b.order);
  const participants = await loadParticipants(join(exampleDir, 'participants.csv'), loaded.series);
  return { loaded: { ...loaded, trainings }, participants, templates: await compileTemplates(loaded.series, trainings) };
}

export async function exampleSeries() {
  const { templates, ...read } = await (compiled ??= compileExample());
  const { loaded, participants } = structuredClone(read);
  const trainings = loaded.trainings;
  const template = (name: string) => {
    const t = templates.get(name);
    if (!t) throw new Error(`no compiled "${name}" template`);
    return t;
  };
  return { series: loaded.series, trainings, participants, template };
}

/** A training whose window moved: it opens two days later and closes three days later. */
export function moved(t: Training): Training {
  return { ...t, opens: addDays(t.opens, 2), closes: addDays(t.closes, 3) };
}

/**
 * The calendar-bearing kinds, in the order a participant meets them: kickoff, the first two
 * trainings, the first training moved (update), the last one cancelled, the removal, and the
 * cancellation sent when someone turns calendar entries off.
 */
export async function calendarMails(person: Participant): Promise<KindMail[]> {
  const { series, trainings, template } = await exampleSeries();
  const [one, two] = trainings;
  const last = trainings.at(-1)!;
  const publishedAt = new Date(`${addDays(one!.opens, -7)}T09:00:00Z`);
  const at = (date: string) => new Date(`${date}T12:00:00Z`);
  const mails: KindMail[] = [];
  const push = (kind: string, name: string, mail: { raw: string }) => mails.push({ kind, name, raw: mail.raw });
  push('kickoff', 'kickoff', prepareKickoffSend({ series, trainings, template: template(TEMPLATE.kickoff), settings: SETTINGS, now: publishedAt })(person));
  for (const t of [one!, two!]) {
    push('training', `training-${t.slug}`, prepareTrainingSend({ series, training: t, trainings, template: template(TEMPLATE.training(t.slug)), settings: SETTINGS, now: at(t.opens) })(person));
  }
  const after = moved(one!);
  push(
    'update',
    `update-${one!.slug}`,
    prepareUpdateSend({ series, training: after, trainings: trainings.map((t) => (t.slug === one!.slug ? after : t)), template: template(TEMPLATE.update), settings: SETTINGS, now: at(one!.opens), sequence: 1 })(person, { focus: true }),
  );
  push(
    'cancel',
    `cancel-${last.slug}`,
    prepareCancelSend({ series, cancelled: [last], trainings, template: template(TEMPLATE.cancel), settings: SETTINGS, now: at(one!.opens), sequences: { [last.slug]: 1 }, reason: 'training' })(person, new Set()),
  );
  push(
    'removed',
    'removed',
    prepareCancelSend({
      series,
      cancelled: trainings,
      trainings,
      template: template(TEMPLATE.removed),
      settings: SETTINGS,
      now: at(two!.opens),
      sequences: Object.fromEntries(trainings.map((t) => [t.slug, t.slug === one!.slug ? 2 : 1])),
      reason: 'removed',
    })(person, new Set([one!.slug, two!.slug])),
  );
  push(
    'calendars-off',
    'calendars-off',
    prepareCancelSend({
      series,
      cancelled: trainings,
      trainings,
      template: calendarsOffEmail(series.title),
      settings: SETTINGS,
      now: at(two!.opens),
      sequences: Object.fromEntries(trainings.map((t) => [t.slug, t.slug === one!.slug ? 2 : 1])),
      reason: 'calendars-off',
    })(person, new Set([one!.slug, two!.slug])),
  );
  return mails;
}

/** Every kind: the twelve preview mails and the calendar changes. */
export async function everyKind(email: string): Promise<KindMail[]> {
  const { participants } = await exampleSeries();
  const person = participants.find((p) => p.email === email)!;
  const preview = await previewMails(exampleDir, { participant: email });
  const fromPreview = preview.mails.map((m) => ({ kind: m.kind, name: m.name, raw: m.mail.raw }));
  const calendarOnly = (await calendarMails(person)).filter((m) => ['update', 'cancel', 'removed', 'calendars-off'].includes(m.kind));
  return [...fromPreview, ...calendarOnly];
}

export interface MailCalendar {
  /** invite.ics and the inline part are one object; `inlineMethod` is the MIME part's method=. */
  filename: string;
  text: string;
  inlineMethod?: string;
}

/** Every calendar a raw email carries: the inline text/calendar part and each .ics file. */
export async function calendarsOf(raw: string): Promise<MailCalendar[]> {
  const mail = await simpleParser(raw);
  const out: MailCalendar[] = [];
  for (const a of mail.attachments) {
    if (a.contentType === 'text/calendar') {
      // The part's own header, read from the bytes: what Outlook and Gmail compare with METHOD.
      const method = /^Content-Type: text\/calendar;[^\r\n]*\bmethod=([A-Za-z-]+)/m.exec(raw)?.[1];
      out.push({ filename: '(inline)', text: a.content.toString('utf8'), ...(method ? { inlineMethod: method } : {}) });
    } else if (a.filename?.endsWith('.ics')) out.push({ filename: a.filename, text: a.content.toString('utf8') });
  }
  return out;
}
