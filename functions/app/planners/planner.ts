// What every planner is given and returns. Dispatch (run-job.ts) owns the map of planners by job
// kind and imports them; they import only this contract back, so the two never form a circle.
import type { CalendarState, PublishedSeries, StoredParticipant } from '#core/records';
import type { Job } from '#core/jobs';
import type { MailSettings } from '#mail/compose';
import type { CompiledEmail } from '#mail/fill';
import type { Outgoing } from '../deliver.ts';
import type { Clock, JobStore, Mailer } from '../ports.ts';

export interface DispatchDeps {
  store: JobStore;
  send: Mailer;
  settings: MailSettings;
  now: Clock;
  leaseMs?: number;
  /** Sends in flight at once (deliver.ts); the mailer's pace keeps the rate. */
  inFlight?: number;
  /** What a warm container keeps of a series between batches, checked against its version. */
  cache?: SeriesCache;
}

/** A series' compiled templates and calendar states as of one published version. */
export interface SeriesCacheEntry {
  version: number;
  templates?: Promise<Map<string, string>>;
  calendars?: Promise<CalendarState[]>;
}

/**
 * Per warm container: templates and calendar states change only when the series is published
 * again, which raises its version; a batch reads the version (getSeries) and the rest from here.
 */
export class SeriesCache {
  private readonly entries = new Map<string, SeriesCacheEntry>();
  entry(seriesId: string, version: number): SeriesCacheEntry {
    let e = this.entries.get(seriesId);
    if (!e || e.version !== version) this.entries.set(seriesId, (e = { version }));
    return e;
  }
}

export interface JobContext {
  job: Job;
  published: PublishedSeries;
  participants: StoredParticipant[];
  deps: DispatchDeps;
  template(name: string): Promise<CompiledEmail>;
}

export type JobPlanner = (ctx: JobContext) => Promise<Outgoing[]>;

export class DispatchError extends Error {
  override name = 'DispatchError';
}
