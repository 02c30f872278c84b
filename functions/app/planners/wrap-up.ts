// The wrap-up job, after the last window closed: everyone still in the series gets thanks, the
// series' contributions credited per training, and the survey.
//
// Primary course:
//   1. one Query for the series' responses;
//   2. totals and each training's credited contributions (a few per training, the rest counted),
//      built once for the whole send;
//   3. one wrap-up per person: the ledger keys on emailId('wrap-up', undefined, email).
import { TEMPLATE } from '#mail/template-names';
import { emailId, type StoredParticipant } from '#core/records';
import { sharedHtml, sharedText, type WrapUpTotals } from '#mail/values';
import { prepareWrapUpSend } from '#mail/compose';
import { composersByLanguage, type JobPlanner } from './planner.ts';
import type { Language, Response, Training } from '#core/model';
import { t } from '#mail/messages/index';
import { isContribution } from '#core/report';
import { inGroup, skipFor } from '#core/audience';
import { contributedCounts, pickShared, sharedItem } from './reminder.ts';


/** Contributions credited per training in the wrap-up; the wiki export has them all. */
export const SHARED_PER_TRAINING = 5;

/** Shown for a training nobody contributed to (English; messages/ has the rest). */
export const WRAP_UP_NOTHING = t('en', 'wrapUp.nothing');

/** What the wrap-up says about the series: the same for every recipient. */
export function wrapUpTotals(input: {
  trainings: readonly Training[];
  participants: readonly StoredParticipant[];
  responses: readonly Response[];
  /** The language the credits and "nothing" are written in. */
  language?: Language;
}): WrapUpTotals {
  const language = input.language ?? 'en';
  const nothing = t(language, 'wrapUp.nothing');
  const ordered = [...input.trainings].sort((a, b) => a.order - b.order);
  const slugs = new Set(ordered.map((t) => t.slug));
  const contributions = input.responses.filter((r) => isContribution(r) && slugs.has(r.trainingSlug));
  const names = new Map(input.participants.map((p) => [p.email, p.name]));
  return {
    contributions: contributions.length,
    contributors: new Set(contributions.map((r) => r.participantEmail)).size,
    strategies: contributions.filter((r) => r.intent === 'strategy').length,
    sharedByTraining: ordered.map((t) => {
      const { picked, more } = pickShared(
        contributions.filter((r) => r.trainingSlug === t.slug),
        SHARED_PER_TRAINING,
      );
      const items = picked.map((r) => sharedItem(r, t, names, language));
      return { html: sharedHtml(items, nothing, more, language), text: sharedText(items, nothing, more, language) };
    }),
  };
}

/** Who the wrap-up credits by name: each training's picked contributors (wrapUpTotals' choice). */
export function creditedInWrapUp(trainings: readonly Training[], responses: readonly Response[]): string[] {
  const contributions = responses.filter(isContribution);
  return trainings.flatMap((t) => pickShared(contributions.filter((r) => r.trainingSlug === t.slug), SHARED_PER_TRAINING).picked.map((r) => r.participantEmail));
}

export const wrapUpPlanner: JobPlanner = async ({ job, published, participants, people, deps, template }) => {
  const now = deps.now();
  const responses = await deps.store.listResponses(job.seriesId);
  const named = await people(creditedInWrapUp(published.trainings, responses));
  const counts = contributedCounts(responses, published.trainings);
  const recipients = (await participants()).filter((p) => inGroup(job, p));
  const composerFor = await composersByLanguage(template, published.series, TEMPLATE.wrapUp, recipients, (found, language) =>
    prepareWrapUpSend({
      series: published.series,
      trainings: published.trainings,
      template: found,
      settings: deps.settings,
      now,
      totals: wrapUpTotals({ trainings: published.trainings, participants: named, responses, language }),
      language,
    }),
  );
  return recipients.map((p) => ({
    emailId: emailId('wrap-up', undefined, p.email),
    to: p.email,
    skip: skipFor(p, 'content', now),
    build: () => composerFor(p)(p, counts.get(p.email) ?? 0),
  }));
};
