// Publishing a series: the trainer's machine does the heavy, once-per-series work (parsing,
// MJML compilation) and hands the runtime only data and ready templates.
//
// Primary course:
//   1. parse and validate the folder (every problem at once, with file:line);
//   1½. speak each training's text into its audio version (audio.ts; cached by content hash);
//   2. compile every email's MJML once into HTML/text with {{placeholders}};
//   3. store the series, its trainings and the compiled templates (version + 1);
//   4. drop templates of trainings that no longer exist;
//   5. plan every scheduled job and diff the plan against the stored schedules: create the new
//      ones, move the changed ones, delete the dropped ones, never repeat the ones that ran —
//      in EventBridge Scheduler too when publishing to the aws target (`remote`);
//   6. enrol the folder's participants (when given) before planning, so the kickoff and the
//      trainings reach them from the first publish and newcomers catch up on what they missed;
//   7. a training whose window moved gets SEQUENCE + 1 and a one-time update job, a removed one a
//      cancel job: both run at once and reach whoever holds that training's calendar.
import type { PublishStore, Schedules, TemplateCompiler } from './ports.ts';
import type { Language, Participant, Series, Training } from '#core/model';
import { isActive } from '#core/audience';
import { catchUpNames, diffSchedules, diffSeries, planSchedules, recordFromSpec, type ScheduleDiff, type SeriesDiff } from '#core/schedule-plan';
import { audioVersions, type AudioDeps, type AudioVersion } from './audio.ts';
import { advanceCalendars, changeSchedules, isChangeJob } from '#core/calendar-changes';

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
  /** The generated audio version of each training, by slug (none when audio is off or skipped). */
  audio: Map<string, AudioVersion>;
}

/** The name the CLI knows the Schedules port by. */
export type { Schedules as RemoteSchedules, TemplateCompiler } from './ports.ts';

/**
 * The store's record of a series' schedules: what the next publish diffs against on every
 * target, and what the local clock fires. EventBridge keeps its own copy (`remote`).
 */
export async function recordSchedules(store: Pick<PublishStore, 'writeSchedules'>, seriesId: string, diff: Pick<ScheduleDiff, 'create' | 'update' | 'delete'>, now: Date): Promise<void> {
  // In batches: a quarter's publish records hundreds of schedules, a few requests rather than one each.
  await store.writeSchedules(seriesId, { put: [...diff.create, ...diff.update].map((spec) => recordFromSpec(spec, now)), delete: diff.delete });
}

export interface SyncOptions {
  /** Participants just enrolled: they get the kickoff and any open training they missed. */
  added?: readonly Participant[];
  remote?: Schedules;
}

/**
 * Brings a published series' schedules in line with its trainings and participants. Publishing
 * calls it; enrolling should too, since training sends are planned per participants' zones.
 */
export async function syncSchedules(store: PublishStore, seriesId: string, now: Date, options: SyncOptions = {}): Promise<ScheduleDiff> {
  const published = await store.getSeries(seriesId);
  if (!published) throw new Error(`series "${seriesId}" is not published: publish it before planning its schedules`);
  const participants = (await store.listParticipants(seriesId)).filter(isActive);
  const input = { series: published.series, trainings: published.trainings, participants, publishedAt: now };
  const next = planSchedules(input);
  const stillPlanned = new Set(planSchedules({ ...input, includePast: true }).map((s) => s.name));
  const previous = await store.listSchedules(seriesId);
  // Calendar updates and cancellations are planned from the stored calendar changes, and a
  // removed participant's cancellation is kept until it ran.
  next.push(...changeSchedules(seriesId, await store.getCalendars(seriesId)));
  for (const s of previous) if (isChangeJob(s.job) && s.state === 'pending') stillPlanned.add(s.name);
  const diff = diffSchedules(previous, next, {
    now,
    stillPlanned,
    ...(options.added?.length ? { rerun: catchUpNames(next, options.added) } : {}),
  });
  await options.remote?.apply(seriesId, diff);
  await recordSchedules(store, seriesId, diff, now);
  return diff;
}

export interface PublishDeps {
  store: PublishStore;
  compile: TemplateCompiler;
  now: Date;
  /** EventBridge Scheduler on the aws target; the local clock needs only the store's records. */
  remote?: Schedules;
  /** The speech engine and where audio is kept; without it no audio version is made. */
  audio?: AudioDeps;
}

/** Publishes a parsed series (the CLI reads and validates the folder first). */
export async function publish(
  { series, trainings, participants }: { series: Series; trainings: Training[]; participants?: Participant[] },
  deps: PublishDeps,
): Promise<PublishResult> {
  const { store, now } = deps;
  const options = deps.remote ? { remote: deps.remote } : {};
  const audio = deps.audio ? await audioVersions(series, trainings, deps.audio) : new Map<string, AudioVersion>();
  // Baton's own words go out in each participant's language: compile those templates too.
  const stored = await store.listParticipants(series.id);
  const readers = [...(participants ?? []), ...stored];
  const languages = [...new Set(readers.map((p) => p.language).filter((l): l is Language => l !== undefined && l !== (series.language ?? 'en')))].sort();
  const templates = await deps.compile(series, trainings, { audio, languages });
  const previous = await store.getSeries(series.id);
  const version = (previous?.version ?? 0) + 1;
  await store.putSeries(series, trainings, { publishedAt: now, version });
  await store.putTemplates(series.id, [...templates].map(([name, email]) => [name, JSON.stringify(email)] as const));
  await store.pruneTemplates(series.id, [...templates.keys()]);
  const calendars = advanceCalendars(await store.getCalendars(series.id), previous?.trainings ?? [], trainings, now);
  await store.putCalendars(series.id, calendars.states);
  // Everything a sending container keeps per version is written: from here it may keep it
  // (app/run-job.ts publishedSeries; until now a batch read it afresh, as it might be half new).
  await store.finishPublish(series.id, version);
  let added: Participant[] = [];
  if (participants?.length) {
    const before = new Set(stored.map((p) => p.email));
    added = participants.filter((p) => !before.has(p.email));
    await store.putParticipants(series.id, participants);
  }
  // A series stored before the schedule-group pointers gets them here, once: a schedule's fire
  // reads its group's members from them (app/run-job.ts fanOutAudience), never builds them.
  await store.ensureGroupIndex(series.id);
  // The studio's pointers and the overview's counters for a series stored before them (or after a
  // bulk import), here rather than on a page's first view; counted again when a training left the
  // series, since its records then count nowhere.
  const slugs = new Set(trainings.map((t) => t.slug));
  await store.prepareStudio(series.id, { recount: (previous?.trainings ?? []).some((t) => !slugs.has(t.slug)) });
  const schedules = await syncSchedules(store, series.id, now, { ...options, ...(added.length ? { added } : {}) });
  const changes = diffSeries(previous?.trainings ?? [], trainings, [], added);
  return { series, trainings, version, firstPublish: !previous, templates: [...templates.keys()], schedules, changes, audio };
}
