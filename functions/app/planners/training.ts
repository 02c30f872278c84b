// The training job, whole or as daily bites (core/bites.ts).
//
// Primary course:
//   1. the training's day (no `part`): everyone in the group gets the training, except those who
//      take it as bites (audience.ts formatFor), who get the overview instead (with the calendar
//      invitation, as the whole training would carry it);
//   2. a bite's day (`part` n): part n goes to those the ledger says got the overview, so a
//      training finishes the way it started for each person, whatever they choose meanwhile.
//      Bites carry no calendar parts: the overview placed the entries, and they stay as they are;
//   3. every part is composed as the training email is (the same reply address, read link and
//      window), so a reply to any bite counts for the training.
import { prepareTrainingSend } from '#mail/compose';
import { emailId } from '#core/records';
import { formatFor, inGroup, skipFor } from '#core/audience';
import { splitIntoBites } from '#core/bites';
import { TEMPLATE } from '#mail/template-names';
import type { Outgoing } from '../deliver.ts';
import { calendarSequences } from './update.ts';
import { DispatchError, type JobPlanner } from './planner.ts';

/** The ledger's id of someone's overview: not the whole training's, so the two never stand in for each other. */
export const overviewEmailId = (slug: string, email: string) => emailId('training', slug, email, 'bites');
/** The ledger's id of someone's part n. */
export const biteEmailId = (slug: string, email: string, part: number) => emailId('training', slug, email, `bite${part}`);

export const trainingPlanner: JobPlanner = async ({ job, published, participants, deps, template }) => {
  const training = published.trainings.find((t) => t.slug === job.trainingSlug);
  if (!training) {
    throw new DispatchError(`series "${job.seriesId}" has no training "${job.trainingSlug}"; was it removed without re-publishing its schedules?`);
  }
  const now = deps.now();
  const bites = splitIntoBites(training);
  const group = (await participants()).filter((p) => inGroup(job, p));
  // Read only when something is sent: most bite jobs find nobody taking bites.
  let sequence: number | undefined;
  const prepare = async (name: string, withoutCalendars = false) => {
    const t = await template(name);
    sequence ??= (await calendarSequences(deps.store, job.seriesId))[training.slug] ?? 0;
    return prepareTrainingSend({ series: published.series, training, trainings: published.trainings, template: t, settings: deps.settings, now, sequence, ...(withoutCalendars ? { withoutCalendars } : {}) });
  };

  if (job.part !== undefined) {
    if (!bites || job.part > bites.parts.length) return [];
    const overviews = await deps.store.sentAmong(job.seriesId, group.map((p) => overviewEmailId(training.slug, p.email)));
    const takers = group.filter((p) => overviews.has(overviewEmailId(training.slug, p.email)));
    if (takers.length === 0) return [];
    const compose = await prepare(TEMPLATE.bite(training.slug, job.part), true);
    return takers.map((p) => ({ emailId: biteEmailId(training.slug, p.email, job.part!), to: p.email, skip: skipFor(p, 'content', now), build: () => compose(p) }));
  }

  // A series published before bites has no bite templates: everyone gets the training whole.
  const overview = bites ? await prepare(TEMPLATE.bite(training.slug, 0)).catch((error: unknown) => (error instanceof DispatchError ? undefined : Promise.reject(error))) : undefined;
  const asBites = (p: (typeof group)[number]) => overview !== undefined && formatFor(p, training, published.series) === 'bites';
  const out: Outgoing[] = [];
  const whole = group.filter((p) => !asBites(p));
  const biters = group.filter(asBites);
  if (whole.length > 0) {
    const compose = await prepare(TEMPLATE.training(training.slug));
    out.push(...whole.map((p) => ({ emailId: emailId('training', training.slug, p.email), to: p.email, skip: skipFor(p, 'content', now), build: () => compose(p) })));
  }
  if (overview) out.push(...biters.map((p) => ({ emailId: overviewEmailId(training.slug, p.email), to: p.email, skip: skipFor(p, 'content', now), build: () => overview(p) })));
  return out;
};
