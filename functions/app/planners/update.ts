// Calendar updates after re-publishing: the update job for a training whose window moved. What
// publishing does to each training's calendar (SEQUENCE + 1, the one-time update and cancel jobs)
// is core/calendar-changes.ts.
//
// Primary course of an update job (updatePlanner):
//   1. a job older than the stored SEQUENCE sends nothing (a later move superseded it);
//   2. the holders of the training's calendar, from the delivery ledger: the training email
//      (window + focus hold) or the kickoff only (window);
//   3. one email per holder; the ledger keys on emailId('update', slug, email, 's<SEQUENCE>').
import type { JobStore } from '../ports.ts';
import { blockReason } from '#core/audience';
import { TEMPLATE } from '#mail/template-names';
import type { Outgoing } from '../deliver.ts';
import { prepareUpdateSend } from '#mail/compose';
import { emailId } from '#core/records';
import type { JobPlanner } from './planner.ts';
import { calendarHolders } from '../fan-out.ts';


/** Per training slug, the SEQUENCE its events carry now (0 when it never moved). */
export async function calendarSequences(store: Pick<JobStore, 'getCalendars'>, seriesId: string): Promise<Record<string, number>> {
  return Object.fromEntries((await store.getCalendars(seriesId)).map((s) => [s.slug, s.sequence]));
}

/** `kind#slug#email[#extra]` → email. */

export const updatePlanner: JobPlanner = async ({ job, published, participants, deps, template }) => {
  const training = published.trainings.find((t) => t.slug === job.trainingSlug);
  // Removed again since the job was planned: its cancellation job speaks for it.
  if (!training) return [];
  const sequence = (await calendarSequences(deps.store, job.seriesId))[training.slug] ?? 0;
  if (job.sequence !== undefined && job.sequence !== sequence) return [];
  const holders = await calendarHolders(deps.store, job.seriesId, training.slug, job.recipients);
  const compose = prepareUpdateSend({
    series: published.series,
    training,
    trainings: published.trainings,
    template: await template(TEMPLATE.update),
    settings: deps.settings,
    now: deps.now(),
    sequence,
  });
  return (await participants())
    .filter((p) => holders.has(p.email))
    .map((p) => {
      const skip = blockReason(p);
      return {
        emailId: emailId('update', training.slug, p.email, `s${sequence}`),
        to: p.email,
        ...(skip ? { skip } : {}),
        build: () => compose(p, { focus: holders.get(p.email) === 'training' }),
      };
    });
};
