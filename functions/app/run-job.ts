// What happens when a schedule fires: the job names a kind of email and who it is for; dispatch
// loads what it needs with Queries on the series partition, composes each person's message and
// hands the batch to `deliver`, which sends each one exactly once.
//
// Each kind registers a planner below. A planner returns the recipients' Outgoing items; it does
// not send, so every kind gets the ledger, suppression and pacing for free.
import type { CompiledEmail } from '#mail/fill';
import { deliver, screenOf, type DeliveryReport } from './deliver.ts';
import { prepareKickoffSend } from '#mail/compose';
import { emailId, type PublishedSeries, type StoredParticipant } from '#core/records';
import type { Job, JobKind } from '#core/jobs';
import { inGroup, skipFor } from '#core/audience';
import { TEMPLATE } from '#mail/template-names';
import { digestPlanner } from './planners/digest.ts';
import { rollupPlanner } from './planners/rollup.ts';
import { reminderPlanner } from './planners/reminder.ts';
import { followUpPlanner } from './planners/follow-up.ts';
import { wrapUpPlanner } from './planners/wrap-up.ts';
import { calendarSequences, updatePlanner } from './planners/update.ts';
import { cancelPlanner } from './planners/cancel.ts';
import { trainingPlanner } from './planners/training.ts';
import { DispatchError, type DispatchDeps, type JobPlanner, type SeriesCacheEntry } from './planners/planner.ts';
import type { JobStore } from './ports.ts';

export { DispatchError, SeriesCache, type DispatchDeps, type JobContext, type JobPlanner } from './planners/planner.ts';

const kickoff: JobPlanner = async ({ job, published, participants, deps, template }) => {
  const everyone = await participants();
  const compose = prepareKickoffSend({
    series: published.series,
    trainings: published.trainings,
    template: await template(TEMPLATE.kickoff),
    settings: deps.settings,
    now: deps.now(),
    // A window that moved since publishing is announced at its current SEQUENCE, never below an update.
    sequences: await calendarSequences(deps.store, job.seriesId),
  });
  return everyone
    .filter((p) => inGroup(job, p))
    .map((p) => ({ emailId: emailId('kickoff', undefined, p.email), to: p.email, skip: skipFor(p, 'content', deps.now()), build: () => compose(p) }));
};

/** Planners by job kind; kinds without one fail loudly rather than silently send nothing. */
export const planners: Partial<Record<JobKind, JobPlanner>> = {
  kickoff,
  training: trainingPlanner,
  digest: digestPlanner,
  rollup: rollupPlanner,
  reminder: reminderPlanner,
  'follow-up': followUpPlanner,
  'wrap-up': wrapUpPlanner,
  update: updatePlanner,
  cancel: cancelPlanner,
};

export { FAN_OUT_KINDS, fanOutAudience } from './fan-out.ts';

/** A failed read is not cached: the next batch reads again. */
const forget = <T>(read: Promise<T>, drop: () => void): Promise<T> =>
  read.catch((error: unknown) => {
    drop();
    throw error;
  });

/**
 * The series as published, and the container's cache entry for its version. With a cache, a batch
 * reads the series item's version only and the series itself once per version (its trainings are
 * most of what a batch would otherwise read again); a higher version is a fresh entry, read afresh.
 *
 * Only a settled version is kept: a publish writes the series item (the new version) first and
 * its trainings, templates and calendars after, so a batch reading in between would otherwise keep
 * half-old content under the new version for the container's life. Such a batch reads everything
 * afresh and keeps nothing (as it would without a cache); a batch that saw the version settled
 * reads only after every write of it, and anything newer it happens to read comes with a higher
 * version, whose series item was written first: later batches see that version, not this entry.
 */
async function publishedSeries(seriesId: string, deps: DispatchDeps): Promise<{ published: PublishedSeries; cached?: SeriesCacheEntry }> {
  const read = async (): Promise<PublishedSeries> => {
    const published = await deps.store.getSeries(seriesId);
    if (!published) throw new DispatchError(`series "${seriesId}" is not published`);
    return published;
  };
  const current = deps.cache ? await deps.store.getSeriesVersion(seriesId) : undefined;
  // No cache, no series item (the full read says which: not published, or malformed), or a
  // publish still writing: read in full and keep nothing.
  if (!deps.cache || !current?.settled) return { published: await read() };
  const { version } = current;
  const cached = deps.cache.entry(seriesId, version);
  cached.published ??= forget(read(), () => (cached.published = undefined));
  const published = await cached.published;
  // Published again between the two reads: this batch uses the newer series and keeps none of it
  // (that version may still be being written), and the entry is for the version it was made for only.
  if (published.version !== version) {
    cached.published = undefined;
    return { published };
  }
  return { published, cached };
}

export async function dispatch(job: Job, deps: DispatchDeps): Promise<DeliveryReport> {
  const planner = planners[job.kind];
  if (!planner) throw new DispatchError(`no planner for "${job.kind}" jobs yet`);
  const { published, cached } = await publishedSeries(job.seriesId, deps);
  // A batch reads its recipients only (BatchGet by key), whatever the kind: what a reminder, roll-up
  // or wrap-up shows of teammates comes from the responses, and the few names it credits are read
  // by `people`. Templates and calendar states come from the container's cache while the series'
  // version is the one cached.
  // Read when the planner first asks, once: some find there is nothing to send before they need anyone.
  let listed: Promise<StoredParticipant[]> | undefined;
  const participants = () => (listed ??= job.recipients ? deps.store.getParticipants(job.seriesId, job.recipients) : deps.store.listParticipants(job.seriesId));
  let known: Promise<Map<string, StoredParticipant>> | undefined;
  const people = async (emails: Iterable<string>): Promise<StoredParticipant[]> => {
    const wanted = [...new Set(emails)];
    if (wanted.length === 0) return [];
    const byEmail = await (known ??= participants().then((list) => new Map(list.map((p) => [p.email, p]))));
    const missing = job.recipients ? wanted.filter((e) => !byEmail.has(e)) : [];
    if (missing.length) for (const p of await deps.store.getParticipants(job.seriesId, missing)) byEmail.set(p.email, p);
    return wanted.map((e) => byEmail.get(e)).filter((p): p is StoredParticipant => p !== undefined);
  };
  const store: JobStore = cached
    ? Object.assign(Object.create(deps.store) as JobStore, {
        getCalendars: (seriesId: string) => (seriesId === job.seriesId ? (cached.calendars ??= forget(deps.store.getCalendars(seriesId), () => (cached.calendars = undefined))) : deps.store.getCalendars(seriesId)),
      })
    : deps.store;
  let templates: Promise<Map<string, string>> | undefined;
  const template = async (name: string): Promise<CompiledEmail> => {
    templates ??= cached ? (cached.templates ??= forget(deps.store.getTemplates(job.seriesId), () => (cached.templates = undefined))) : deps.store.getTemplates(job.seriesId);
    const raw = (await templates).get(name);
    if (!raw) throw new DispatchError(`series "${job.seriesId}" has no compiled "${name}" email: publish the series again`);
    return JSON.parse(raw) as CompiledEmail;
  };
  let outgoing = await planner({ job, published, participants, people, deps: { ...deps, store }, template });
  // A batch sends to its recipients only (a planner may name others: a check-in's adopters).
  if (job.recipients) {
    const batch = new Set(job.recipients);
    outgoing = outgoing.filter((o) => batch.has(o.to));
  }
  return deliver(job.seriesId, outgoing, {
    ledger: deps.store,
    send: deps.send,
    suppressedAmong: (emails) => deps.store.suppressedAmong(emails),
    ...screenOf(deps.store, job.seriesId),
    now: deps.now,
    ...(deps.leaseMs ? { leaseMs: deps.leaseMs } : {}),
    ...(deps.inFlight ? { inFlight: deps.inFlight } : {}),
  });
}
