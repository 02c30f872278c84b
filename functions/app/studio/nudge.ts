// One personal nudge per person and series, from the trainer, to someone who has not engaged yet.
// It goes through deliver.ts like every email, under the ledger id `nudge#<email>`, so a second
// click (or two trainers at once) never sends it twice. Its Reply-To is the person's reply address
// for the training it names, so an answer is read and recorded like any reply.
import { deliver } from '../deliver.ts';
import { isActive } from '#core/audience';
import type { PublishedSeries } from '#core/records';
import { replyAddress, replyExpiry, signReplyToken } from '#core/tokens';
import { nudgeMail, studioSender } from '#mail/studio-mail';
import type { Session, StudioDeps } from './access.ts';

export const NUDGE_PREFIX = 'nudge#';

export type NudgeOutcome = 'sent' | 'already-sent' | 'not-enrolled' | 'inactive' | 'nothing-sent-yet' | 'failed';

export async function sendNudge(published: PublishedSeries, email: string, session: Session, deps: StudioDeps): Promise<NudgeOutcome> {
  const { series, trainings } = published;
  const person = await deps.store.getParticipant(series.id, email);
  if (!person) return 'not-enrolled';
  if (!isActive(person)) return 'inactive';
  // The latest training they were sent: that is what the nudge is about.
  // Their own ledger entries, one BatchGet, not the series' deliveries.
  const sent = new Set([...(await deps.store.sentAmong(series.id, trainings.map((t) => `training#${t.slug}#${person.email}`)))].map((id) => id.split('#')[1]));
  const training = [...trainings].reverse().find((t) => sent.has(t.slug));
  if (!training) return 'nothing-sent-yet';
  const trainer = series.trainers.find((t) => t.email.toLowerCase() === session.email.toLowerCase()) ?? series.trainers[0]!;
  const { mail } = deps.settings;
  const emailId = `${NUDGE_PREFIX}${person.email}`;
  const token = signReplyToken({ seriesId: series.id, trainingOrder: training.order, participantEmail: person.email, answers: 'training', expiresAt: replyExpiry(series, trainings) }, mail.secrets);
  const report = await deliver(
    series.id,
    [
      {
        emailId,
        to: person.email,
        build: () => ({
          from: studioSender(mail.senderAddress, `${trainer.name} via Baton`).envelope,
          to: person.email,
          raw: nudgeMail({
            from: mail.senderAddress,
            to: person.email,
            domain: mail.domain,
            now: deps.now,
            id: `${series.id}.${deps.newId()}`,
            trainerName: trainer.name,
            replyTo: replyAddress(token, mail.inboundDomain),
            personName: person.name,
            seriesTitle: series.title,
            trainingTitle: training.title,
          }),
        }),
      },
    ],
    { ledger: deps.store, send: deps.mailer, suppressedAmong: (e) => deps.store.suppressedAmong(e), now: () => deps.now },
  );
  if (report.sent.length) return 'sent';
  if (report.alreadySent.length || report.inFlight.length) return 'already-sent';
  return report.skipped.length ? 'inactive' : 'failed';
}
