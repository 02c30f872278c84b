// Cancellations: METHOD:CANCEL for calendar holds that no longer stand.
//
// A cancel job is about one of two things:
// - a training removed on re-publishing (job.trainingSlug): everyone holding its calendar (the
//   kickoff's window, or the training email's window and focus hold) gets "<training> is
//   cancelled" with the SEQUENCE stored at its removal;
// - a participant removed by `baton unenroll` (job.participant, since their record is gone):
//   they get "you've been removed" cancelling every training whose calendar they hold, each
//   at its SEQUENCE + 1.
// - a participant who turned calendar entries off (job.participant and job.calendarsOff): the
//   same cancellation of everything they hold, with an email that says so; they stay enrolled.
// The ledger keys on emailId('cancel', slug, email, 's<SEQUENCE>'), ('cancel', -, email, 'removed')
// and ('cancel', -, email, 'calendars-off').
import type { JobStore } from '../ports.ts';
import { TEMPLATE } from '#mail/template-names';
import type { Outgoing } from '../deliver.ts';
import { prepareCancelSend } from '#mail/compose';
import { emailId } from '#core/records';
import type { JobContext, JobPlanner } from './planner.ts';
import type { Job } from '#core/jobs';
import type { Participant, Training } from '#core/model';
import { MAX_NAME_LENGTH, shortHash, type ScheduleSpec } from '#core/schedule-plan';
import { blockReason } from '#core/audience';
import { calendarsOffEmail } from '#mail/calendars-off';
import { calendarHolders } from '../fan-out.ts';


/** A training as its calendar was announced: what a cancellation repeats. */
function announced(s: { slug: string; order: number; title: string; author: string; opens: string; closes: string }): Training {
  return { slug: s.slug, order: s.order, title: s.title, author: s.author, opens: s.opens, closes: s.closes, media: {}, body: '', strategies: [] };
}

const trainingCancel: JobPlanner = async ({ job, published, participants, deps, template }) => {
  const slug = job.trainingSlug!;
  const state = (await deps.store.getCalendars(job.seriesId)).find((s) => s.slug === slug);
  // Added back since (it is announced anew), or a job older than the stored change: nothing to say.
  if (!state?.removedAt || (job.sequence !== undefined && job.sequence !== state.sequence)) return [];
  const holders = await calendarHolders(deps.store, job.seriesId, slug, job.recipients);
  const compose = prepareCancelSend({
    series: published.series,
    cancelled: [announced(state)],
    trainings: published.trainings,
    template: await template(TEMPLATE.cancel),
    settings: deps.settings,
    now: deps.now(),
    sequences: { [slug]: state.sequence },
    reason: 'training',
  });
  const withFocus = new Set([slug]);
  const none = new Set<string>();
  return (await participants())
    .filter((p) => holders.has(p.email))
    .map((p) => {
      const skip = blockReason(p);
      return {
        emailId: emailId('cancel', slug, p.email, `s${state.sequence}`),
        to: p.email,
        ...(skip ? { skip } : {}),
        build: () => compose(p, holders.get(p.email) === 'training' ? withFocus : none),
      };
    });
};

/** The trainings whose calendars a person holds: all windows with the kickoff, focus holds with each training email. */
export async function heldCalendars(store: Pick<JobStore, 'listDeliveries'>, seriesId: string, email: string, trainings: readonly Training[]): Promise<{ windows: Training[]; focus: Set<string> }> {
  const [kickoff, ...perTraining] = await Promise.all([
    store.listDeliveries(seriesId, `kickoff#-#${email}`),
    ...trainings.map((t) => store.listDeliveries(seriesId, `training#${t.slug}#${email}`)),
  ]);
  // The prefix also matches a longer address that starts with this one.
  const exact = (ids: { emailId: string }[], id: string) => ids.some((d) => d.emailId === id || d.emailId.startsWith(`${id}#`));
  const focus = new Set(trainings.filter((t, i) => exact(perTraining[i]!, `training#${t.slug}#${email}`)).map((t) => t.slug));
  const windows = exact(kickoff!, `kickoff#-#${email}`) ? [...trainings] : trainings.filter((t) => focus.has(t.slug));
  return { windows, focus };
}

const removal = async ({ job, published, deps, template }: JobContext, person: Participant): Promise<Outgoing[]> => {
  const off = job.calendarsOff === true;
  const states = await deps.store.getCalendars(job.seriesId);
  const sequence = new Map(states.map((s) => [s.slug, s.sequence]));
  const { windows, focus } = await heldCalendars(deps.store, job.seriesId, person.email, published.trainings);
  if (windows.length === 0) return [];
  const compose = prepareCancelSend({
    series: published.series,
    cancelled: windows,
    trainings: published.trainings,
    template: off ? calendarsOffEmail(published.series.title) : await template(TEMPLATE.removed),
    settings: deps.settings,
    now: deps.now(),
    sequences: Object.fromEntries(windows.map((t) => [t.slug, (sequence.get(t.slug) ?? 0) + 1])),
    reason: off ? 'calendars-off' : 'removed',
  });
  return [{ emailId: emailId('cancel', undefined, person.email, off ? 'calendars-off' : 'removed'), to: person.email, build: () => compose(person, focus) }];
};

export const cancelPlanner: JobPlanner = async (ctx) => (ctx.job.participant ? removal(ctx, ctx.job.participant) : trainingCancel(ctx));

/** The one-time job that cancels the entries of someone who turned calendar entries off, at once. */
export function calendarsOffSchedule(seriesId: string, participant: Participant, now: Date): ScheduleSpec {
  const spec = removalSchedule(seriesId, participant, now);
  return { ...spec, name: spec.name.replace(/^cancel-removed-/, 'cancel-cal-off-'), job: { ...spec.job, calendarsOff: true } };
}

/** The one-time job that sends a removed participant their cancellation, at once. */
export function removalSchedule(seriesId: string, participant: Participant, now: Date): ScheduleSpec {
  const instant = new Date(Math.floor(now.getTime() / 1000) * 1000).toISOString();
  const job: Job = { kind: 'cancel', seriesId, participant: { email: participant.email, name: participant.name, timeZone: participant.timeZone, workStart: participant.workStart } };
  const name = `cancel-removed-${shortHash(participant.email)}-${shortHash(instant)}`.slice(0, MAX_NAME_LENGTH);
  return { name, job, at: { local: instant.slice(0, 19), timeZone: 'UTC', instant } };
}
