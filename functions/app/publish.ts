// Publishing a series: the trainer's machine does the heavy, once-per-series work (parsing,
// MJML compilation) and hands the runtime only data and ready templates.
//
// Primary course:
//   1. parse and validate the folder (every problem at once, with file:line);
//   2. compile every email's MJML once into HTML/text with {{placeholders}};
//   3. store the series, its trainings and the compiled templates (version + 1);
//   4. drop templates of trainings that no longer exist;
//   5. plan every scheduled job and diff the plan against the stored schedules: create the new
//      ones, move the changed ones, delete the dropped ones, never repeat the ones that ran —
//      in EventBridge Scheduler too when publishing to the aws target (`remote`);
//   6. a training whose window moved gets SEQUENCE + 1 and a one-time update job, a removed one a
//      cancel job: both run at once and reach whoever holds that training's calendar.
import type { Store } from '#adapters/aws/dynamo';
import type { Participant, Series, Training } from '#core/model';
import { compileKickoff, compileTraining, type CompiledEmail } from '#emails/compile';
import { templateNames as templateName } from './run-job.ts';
import { catchUpNames, diffSchedules, diffSeries, planSchedules, type ScheduleDiff, type SeriesDiff } from '#core/schedule-plan';
import { LocalScheduler } from '#adapters/local/scheduler';
import { advanceCalendars, changeSchedules, isChangeJob } from '#app/planners/update';
import { loadSeries } from '#cli/series-dir';

export interface PublishResult {
  series: Series;
  trainings: Training[];
  version: number;
  firstPublish: boolean;
  templates: string[];
  /** What publishing did to the series' schedules. */
  schedules: ScheduleDiff;
  /** What changed since the previous publish: trainings moved, removed or added. */
  changes: SeriesDiff;
}

/** Where schedules live besides the store's records: EventBridge Scheduler in AWS. */
export interface RemoteSchedules {
  apply(seriesId: string, diff: ScheduleDiff): Promise<unknown>;
}

export interface SyncOptions {
  /** Participants just enrolled: they get the kickoff and any open training they missed. */
  added?: readonly Participant[];
  remote?: RemoteSchedules;
}

/**
 * Brings a published series' schedules in line with its trainings and participants. Publishing
 * calls it; enrolling should too, since training sends are planned per participants' zones.
 */
export async function syncSchedules(store: Store, seriesId: string, now: Date, options: SyncOptions = {}): Promise<ScheduleDiff> {
  const published = await store.getSeries(seriesId);
  if (!published) throw new Error(`series "${seriesId}" is not published: publish it before planning its schedules`);
  const participants = (await store.listParticipants(seriesId)).filter((p) => !p.unsubscribedAt && !p.bouncedAt);
  const input = { series: published.series, trainings: published.trainings, participants, publishedAt: now };
  const next = planSchedules(input);
  const stillPlanned = new Set(planSchedules({ ...input, includePast: true }).map((s) => s.name));
  const previous = await store.listSchedules(seriesId);
  // Calendar updates and cancellations are planned from the stored calendar changes, and a
  // removed participant's cancellation is kept until it ran.
  next.push(...changeSchedules(seriesId, await store.getCalendars(seriesId)));
  for (const s of previous) if (isChangeJob(s.job) && s.state === 'pending') stillPlanned.add(s.name);
  const diff = diffSchedules(previous, next, {
    stillPlanned,
    ...(options.added?.length ? { rerun: catchUpNames(next, options.added) } : {}),
  });
  await options.remote?.apply(seriesId, diff);
  await new LocalScheduler(store).apply(seriesId, diff, now);
  return diff;
}

export async function compileTemplates(series: Series, trainings: Training[]): Promise<Map<string, CompiledEmail>> {
  const out = new Map<string, CompiledEmail>();
  out.set(templateName.kickoff, await compileKickoff(series, trainings));
  for (const training of trainings) {
    out.set(templateName.training(training.slug), await compileTraining(series, training, trainings));
  }
  const [{ compileDigest }, { compileRollup }] = await Promise.all([import('#emails/digest'), import('#emails/rollup')]);
  out.set(templateName.digest, await compileDigest(series));
  out.set(templateName.rollup, await compileRollup(series));
  const { compileAck, ACK_TEMPLATE } = await import('#emails/ack');
  out.set(ACK_TEMPLATE, await compileAck(series));
  const [{ compileUpdate, UPDATE_TEMPLATE }, { compileCancel, compileRemoved, CANCEL_TEMPLATE, REMOVED_TEMPLATE }] = await Promise.all([
    import('#emails/update'),
    import('#emails/cancel'),
  ]);
  out.set(UPDATE_TEMPLATE, await compileUpdate(series));
  out.set(CANCEL_TEMPLATE, await compileCancel(series));
  out.set(REMOVED_TEMPLATE, await compileRemoved(series));
  const [{ compileReminder }, { compileFollowUp }, { compileWrapUp }] = await Promise.all([
    import('#emails/reminder'),
    import('#emails/follow-up'),
    import('#emails/wrap-up'),
  ]);
  for (const training of trainings) {
    out.set(templateName.reminder(training.slug), await compileReminder(series, training, trainings));
    out.set(templateName.followUp(training.slug), await compileFollowUp(series, training, trainings));
  }
  out.set(templateName.wrapUp, await compileWrapUp(series, trainings));
  return out;
}

export interface PublishOptions {
  /** EventBridge Scheduler on the aws target; the local clock needs only the store's records. */
  remote?: RemoteSchedules;
}

export async function publishSeries(dir: string, store: Store, now: Date, options: PublishOptions = {}): Promise<PublishResult> {
  const { series, trainings } = await loadSeries(dir);
  const templates = await compileTemplates(series, trainings);
  const previous = await store.getSeries(series.id);
  const version = (previous?.version ?? 0) + 1;
  await store.putSeries(series, trainings, { publishedAt: now, version });
  for (const [name, email] of templates) await store.putTemplate(series.id, name, JSON.stringify(email));
  await store.pruneTemplates(series.id, [...templates.keys()]);
  const calendars = advanceCalendars(await store.getCalendars(series.id), previous?.trainings ?? [], trainings, now);
  await store.putCalendars(series.id, calendars.states);
  const schedules = await syncSchedules(store, series.id, now, options.remote ? { remote: options.remote } : {});
  // Participants are enrolled separately, so publishing changes trainings only.
  const changes = diffSeries(previous?.trainings ?? [], trainings, [], []);
  return { series, trainings, version, firstPublish: !previous, templates: [...templates.keys()], schedules, changes };
}
