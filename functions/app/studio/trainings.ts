// The trainings page: each training's email (and the kickoff) as any participant would get it,
// rendered from the templates publish stored, with the same compose functions dispatch uses; a
// test send of it to the signed-in trainer; and the wiki export as one download.
import type { Participant } from '#core/model';
import type { PublishedSeries } from '#core/records';
import { prepareKickoffSend, prepareTrainingSend, type ComposedMail } from '#mail/compose';
import type { CompiledEmail } from '#mail/fill';
import { TEMPLATE } from '#mail/template-names';
import { exportWiki } from '#mail/wiki';
import type { Session, StudioDeps } from './access.ts';

/** `kickoff`, or a training's slug. */
export type EmailChoice = string;

export interface ComposedPreview {
  mail: ComposedMail;
  as: Participant;
}

async function template(seriesId: string, name: string, deps: Pick<StudioDeps, 'store'>): Promise<CompiledEmail | undefined> {
  const raw = await deps.store.getTemplate(seriesId, name);
  return raw ? (JSON.parse(raw) as CompiledEmail) : undefined;
}

/** The email `which` as `person` would get it now; undefined when there is no such email. */
export async function composeAs(
  published: PublishedSeries,
  which: EmailChoice,
  person: Participant,
  deps: Pick<StudioDeps, 'store' | 'settings' | 'now'>,
  /** For a real send: the training's current calendar SEQUENCE (a re-send must not go below an update) and the Message-ID's extra. */
  send: { sequence?: number; extra?: string } = {},
): Promise<ComposedMail | undefined> {
  const { series, trainings } = published;
  const settings = deps.settings.mail;
  if (which === 'kickoff') {
    const t = await template(series.id, TEMPLATE.kickoff, deps);
    return t ? prepareKickoffSend({ series, trainings, template: t, settings, now: deps.now })(person) : undefined;
  }
  const training = trainings.find((x) => x.slug === which);
  if (!training) return undefined;
  const t = await template(series.id, TEMPLATE.training(training.slug), deps);
  return t ? prepareTrainingSend({ series, training, trainings, template: t, settings, now: deps.now, ...send })(person) : undefined;
}

export async function previewAs(published: PublishedSeries, which: EmailChoice, email: string | undefined, deps: Pick<StudioDeps, 'store' | 'settings' | 'now'>): Promise<ComposedPreview | undefined> {
  const people = email ? [await deps.store.getParticipant(published.series.id, email)] : (await deps.store.listParticipants(published.series.id)).slice(0, 1);
  const person = people[0];
  if (!person) return undefined;
  const mail = await composeAs(published, which, person, deps);
  return mail ? { mail, as: person } : undefined;
}

/** Sends `which` to the signed-in trainer, as if they were a participant. Not in the ledger: a test. */
export async function sendTestEmail(published: PublishedSeries, which: EmailChoice, session: Session, deps: StudioDeps): Promise<boolean> {
  const { series } = published;
  const trainer = series.trainers.find((t) => t.email.toLowerCase() === session.email.toLowerCase());
  if (!trainer) return false;
  const me: Participant = { email: trainer.email, name: trainer.name, timeZone: trainer.timeZone, workStart: series.defaultWorkStart };
  const mail = await composeAs(published, which, me, deps);
  if (!mail) return false;
  await deps.mailer({ from: mail.from, to: mail.to, raw: mail.raw });
  return true;
}

export interface WikiDownload {
  fileName: string;
  files: Array<{ path: string; content: string }>;
}

export async function wikiExport(published: PublishedSeries, deps: Pick<StudioDeps, 'store' | 'now'>): Promise<WikiDownload> {
  const id = published.series.id;
  const [participants, responses, deliveries] = await Promise.all([deps.store.listParticipants(id), deps.store.listResponses(id), deps.store.listDeliveries(id, 'training#')]);
  const wiki = exportWiki({ series: published.series, trainings: published.trainings, participants, responses, deliveries, exportedAt: deps.now });
  return { fileName: `${id}-wiki-${deps.now.toISOString().slice(0, 10)}.tar`, files: wiki.files.map((f) => ({ path: `${id}/${f.path}`, content: f.content })) };
}
