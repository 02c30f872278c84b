// What every planner is given and returns. Dispatch (run-job.ts) owns the map of planners by job
// kind and imports them; they import only this contract back, so the two never form a circle.
import type { CalendarState, PublishedSeries, StoredParticipant } from '#core/records';
import type { Job } from '#core/jobs';
import type { MailSettings } from '#mail/compose';
import type { CompiledEmail } from '#mail/fill';
import type { Outgoing } from '../deliver.ts';
import type { Clock, JobStore, Mailer } from '../ports.ts';
import type { Language, Series } from '#core/model';
import { languageOf } from '#mail/messages/index';
import { templateNames } from '#mail/template-names';

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

/** A series (its item and trainings), compiled templates and calendar states as of one published version. */
export interface SeriesCacheEntry {
  version: number;
  published?: Promise<PublishedSeries>;
  templates?: Promise<Map<string, string>>;
  calendars?: Promise<CalendarState[]>;
}

/**
 * Per warm container: a series, its templates and calendar states change only when the series is
 * published again, which raises its version; a batch reads the version alone (getSeriesVersion)
 * and the rest from here, so the first batch after a re-publish reads everything afresh.
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
  /**
   * A batch's recipients (job.recipients), else the whole series: read at the first call, so a
   * planner that finds nothing to send before it needs them (a roll-up in a week without news)
   * reads none.
   */
  participants(): Promise<StoredParticipant[]>;
  /**
   * Participants by address, for the few a mail credits by name (a reminder's teammates, a
   * roll-up's authors): from `participants` when it holds them, else read by key (a batch).
   */
  people(emails: Iterable<string>): Promise<StoredParticipant[]>;
  deps: DispatchDeps;
  template(name: string): Promise<CompiledEmail>;
}

export type JobPlanner = (ctx: JobContext) => Promise<Outgoing[]>;

export class DispatchError extends Error {
  override name = 'DispatchError';
}

/**
 * One composer per language the recipients read: each made from their language's template
 * (`name@lang`), else the series' own (someone enrolled in a new language after the last publish),
 * and told which language that template is written in. Returns the composer for a recipient.
 */
export async function composersByLanguage<C>(
  template: JobContext['template'],
  series: Series,
  name: string,
  recipients: Iterable<{ language?: Language | undefined }>,
  make: (template: CompiledEmail, language: Language) => C,
): Promise<(recipient: { language?: Language | undefined }) => C> {
  const own = series.language ?? 'en';
  const composers = new Map<Language, C>();
  for (const language of new Set([...recipients].map((r) => languageOf(r, series)))) {
    const [theirs] = templateNames(name, language, own);
    let found: { template: CompiledEmail; language: Language } | undefined;
    if (theirs !== name) {
      try {
        found = { template: await template(theirs!), language };
      } catch {
        // Not compiled in that language (enrolled after the last publish): the series' own.
      }
    }
    found ??= { template: await template(name), language: own };
    composers.set(language, make(found.template, found.language));
  }
  return (recipient) => composers.get(languageOf(recipient, series))!;
}
