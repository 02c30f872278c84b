// Re-sending a training to one person, from the studio ("I deleted it", "it went to spam").
//
// Primary course:
//   1. the confirmation page carries a fresh random `nonce` (newResendNonce); pressing its button
//      POSTs it back;
//   2. the training must have gone to this person already (its ledger entry, whole or as the bites
//      overview): a training not sent yet goes out on its day, there is nothing to re-send;
//   3. the email is composed as the training planner composes it (the same template, reply address,
//      read link and calendar entry at the training's current SEQUENCE, so it updates the entry the
//      person has rather than adding one) and handed to deliver.ts under its own ledger id
//      `resend#<email>#<slug>#<nonce>`: never the original's id (the original stays as it was sent,
//      and reports count it once), and one id per confirmation, so a double click, a reload of the
//      POST or a retry sends once, while a later confirmation (a new nonce) sends again. Its
//      Message-ID differs from the original's too (`…resend-<nonce>`), or mail clients would drop it.
import { skipFor } from '#core/audience';
import { emailId, type PublishedSeries } from '#core/records';
import { deliver } from '../deliver.ts';
import { overviewEmailId } from '../planners/training.ts';
import { calendarSequences } from '../planners/update.ts';
import type { StudioDeps } from './access.ts';
import { isResendNonce, resendEmailId, RESENDS_PER_PERSON_PER_DAY, type ResendOutcome } from './resend-keys.ts';
import { composeAs } from './trainings.ts';

export interface ResendRequest {
  email: string;
  slug: string;
  nonce: string;
}

export async function resendTraining(published: PublishedSeries, req: ResendRequest, deps: StudioDeps): Promise<ResendOutcome> {
  const { series, trainings } = published;
  if (!isResendNonce(req.nonce)) return 'bad-confirmation';
  const training = trainings.find((t) => t.slug === req.slug);
  if (!training) return 'no-such-training';
  const person = await deps.store.getParticipant(series.id, req.email);
  if (!person) return 'not-enrolled';
  const originals = [emailId('training', training.slug, person.email), overviewEmailId(training.slug, person.email)];
  if ((await deps.store.sentAmong(series.id, originals)).size === 0) return 'never-sent';
  const skip = skipFor(person, 'content', deps.now);
  if (skip) return 'inactive';
  // Counted by confirmation: a retry of the same one passes again (and then meets the ledger).
  const day = deps.now.toISOString().slice(0, 10);
  if (!(await deps.store.takeQuota(`studio-resend#${series.id}#${person.email}#${day}`, req.nonce, { limit: RESENDS_PER_PERSON_PER_DAY, at: deps.now, ttlDays: 2 }))) return 'limit';
  const sequence = (await calendarSequences(deps.store, series.id))[training.slug] ?? 0;
  const mail = await composeAs(published, training.slug, person, deps, { sequence, extra: `resend-${req.nonce}` });
  if (!mail) return 'failed';
  const report = await deliver(series.id, [{ emailId: resendEmailId(person.email, training.slug, req.nonce), to: person.email, build: () => mail }], {
    ledger: deps.store,
    send: deps.mailer,
    suppressedAmong: (e) => deps.store.suppressedAmong(e),
    now: () => deps.now,
  });
  if (report.sent.length) return 'sent';
  if (report.alreadySent.length || report.inFlight.length) return 'already-sent';
  return report.skipped.length ? 'inactive' : 'failed';
}
