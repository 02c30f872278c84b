// Cutting a job into batches of recipients (dispatch, handlers/dispatch.ts): who a job is for, read
// from the participants and the delivery ledger by the planners' own rules, without loading the
// planners or composition (the deployed dispatch function loads those only for a job it runs
// itself: issue 16, its cold start).
import { inGroup, isActive } from '#core/audience';
import type { Job, JobKind } from '#core/jobs';
import { emailId } from '#core/records';
import type { JobStore } from './ports.ts';

/** Kinds sent to many participants, which a send worker runs in batches of recipients. */
export const FAN_OUT_KINDS: readonly JobKind[] = ['kickoff', 'training', 'reminder', 'rollup', 'follow-up', 'wrap-up', 'update', 'cancel'];

/**
 * Who a job is for, to cut it into batches: the reachable participants in its group, by the same
 * rules the planners apply (core/audience.ts); for an update or a training's cancellation, those
 * among them who hold its calendar (from the ledger). Undefined for a job that stays whole (a
 * digest goes to trainers; a removal's cancellation to one person; a batch is already a batch).
 * A job split by zone reads its group's members only (the group pointers, `listGroupMembers`):
 * 90 groups of a 10,000-person series read 10,000 pointers in all, not 90 × 10,000 participants.
 */
export async function fanOutAudience(job: Job, store: Pick<JobStore, 'listParticipants' | 'listGroupMembers' | 'listDeliveries' | 'recordedAmong'>): Promise<string[] | undefined> {
  if (job.recipients || job.participant || !FAN_OUT_KINDS.includes(job.kind)) return undefined;
  const grouped = await store.listGroupMembers(job.seriesId, job);
  let members = grouped ?? (await store.listParticipants(job.seriesId)).filter((p) => isActive(p) && inGroup(job, p)).map((p) => p.email);
  if (job.kind === 'update' || job.kind === 'cancel') {
    const holders = await calendarHolders(store, job.seriesId, job.trainingSlug ?? '');
    members = members.filter((email) => holders.has(email));
  }
  return members.sort();
}

const emailOf = (id: string): string | undefined => id.split('#')[2];

/**
 * Who holds a training's calendar, from the delivery ledger: 'training' when its email (window
 * and focus hold) was sent or claimed, 'kickoff' when only the kickoff's window was. `among` (a
 * fan-out batch's recipients) reads just their two records each instead of the whole ledger.
 */
export async function calendarHolders(
  store: Pick<JobStore, 'listDeliveries' | 'recordedAmong'>,
  seriesId: string,
  slug: string,
  among?: readonly string[],
): Promise<Map<string, 'training' | 'kickoff'>> {
  if (among) {
    const recorded = await store.recordedAmong(seriesId, among.flatMap((e) => [emailId('kickoff', undefined, e), emailId('training', slug, e)]));
    const holders = new Map<string, 'training' | 'kickoff'>();
    for (const e of among) {
      if (recorded.has(emailId('training', slug, e))) holders.set(e, 'training');
      else if (recorded.has(emailId('kickoff', undefined, e))) holders.set(e, 'kickoff');
    }
    return holders;
  }
  const [kickoffs, trainings] = await Promise.all([store.listDeliveries(seriesId, 'kickoff#'), store.listDeliveries(seriesId, `training#${slug}#`)]);
  const holders = new Map<string, 'training' | 'kickoff'>();
  for (const d of kickoffs) {
    const email = emailOf(d.emailId);
    if (email) holders.set(email, 'kickoff');
  }
  for (const d of trainings) {
    const email = emailOf(d.emailId);
    if (email) holders.set(email, 'training');
  }
  return holders;
}
