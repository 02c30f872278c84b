// Removing participants from a published series (`baton unenroll` and the studio). Each one gets a
// cancellation of the calendar holds they were sent (the kickoff's windows, their focus holds),
// then no more mail: their record is gone, so later jobs do not see them.
//
// Primary course:
//   1. every address must be a participant of the series (all are checked before anything changes);
//   2. a one-time cancel job per person, at once, carrying their name and zone (the record goes next);
//   3. the participant records are deleted;
//   4. the series' schedules are synced, since a removed person may have been the last of a zone.
import { EmailSchema, type Participant } from '#core/model';
import type { ScheduleDiff } from '#core/schedule-plan';
import { UserError } from '#core/user-error';
import { removalSchedule } from './planners/cancel.ts';
import type { ParticipantRepository, PublishStore, Schedules as RemoteSchedules } from './ports.ts';
import { recordSchedules, syncSchedules } from './publish.ts';

export interface UnenrollResult {
  removed: Participant[];
  /** The cancel jobs scheduled, one per removed participant. */
  cancellations: string[];
  schedules: ScheduleDiff;
}

export async function unenrollParticipants(
  store: PublishStore & Pick<ParticipantRepository, 'getParticipant' | 'removeParticipant'>,
  seriesId: string,
  emails: readonly string[],
  now: Date,
  options: { remote?: RemoteSchedules } = {},
): Promise<UnenrollResult> {
  if (!(await store.getSeries(seriesId))) {
    throw new UserError(`no series "${seriesId}" is published: check the id (baton status <series-id>) or publish it first.`);
  }
  const people: Participant[] = [];
  const problems: string[] = [];
  for (const raw of emails) {
    const parsed = EmailSchema.safeParse(raw);
    if (!parsed.success) {
      problems.push(`"${raw}" is not an email address`);
      continue;
    }
    const p = await store.getParticipant(seriesId, parsed.data);
    if (!p) problems.push(`${parsed.data} is not a participant of ${seriesId}`);
    else if (!people.some((q) => q.email === p.email)) people.push({ email: p.email, name: p.name, timeZone: p.timeZone, workStart: p.workStart });
  }
  if (problems.length) throw new UserError(`nothing was removed: ${problems.join('; ')}. Fix the addresses and run it again.`);

  const create = people.map((p) => removalSchedule(seriesId, p, now));
  const diff: ScheduleDiff = { create, update: [], delete: [], unchanged: [], alreadyRan: [] };
  await options.remote?.apply(seriesId, diff);
  await recordSchedules(store, seriesId, diff, now);
  for (const p of people) await store.removeParticipant(seriesId, p.email);
  const schedules = await syncSchedules(store, seriesId, now, options.remote ? { remote: options.remote } : {});
  return { removed: people, cancellations: create.map((s) => s.name), schedules };
}

