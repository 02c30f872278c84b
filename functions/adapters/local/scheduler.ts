// The local twin of EventBridge Scheduler: the planned jobs are schedule records in the Store,
// and the local clock fires the due ones through the same dispatch code the Lambda runs.
//
// Primary course of a tick:
//   1. Query the pending records due by the clock's now (a sparse index: nothing else is read);
//   2. parse each job with JobSchema, as the Lambda does on arrival;
//   3. dispatch it; one-time records become `done`, recurring ones move to their next occurrence;
//   4. a failing job is retried later with a growing delay, and after `maxAttempts` it is marked
//      `failed` with the error (the local dead-letter queue). Errors that no retry can fix (no
//      planner for the kind yet, a series not published) are marked failed at once. A run that
//      met deliveries still held by another (perhaps dead) run is not done either: it is retried
//      once their lease has run out, when the retry can take them over, and counts as an attempt
//      like any failure (as an SQS receive or a Scheduler retry does in AWS).
// The delivery ledger under dispatch is what makes a second run of a job send nothing twice;
// the record states keep the clock from running it again in the first place.
//
// A clock that is the only process writing its table (a simulation's throwaway stack, option
// `soleProcess`) also keeps the earliest pending records in memory, in the index's order: its own
// writes update that view as they go to the table, and any other schedule write made through the
// store (a publish, an unsubscribe's cancellations) makes it read the index again. `baton dev`
// shares its table with other `baton` commands, so its clock reads the index at every tick.
import { join } from 'node:path';
import type { Store } from '#adapters/aws/dynamo';
import { createSesClient, RecordingMailer, SesMailer, type Mailer } from '#adapters/aws/ses';
import { dispatch, SeriesCache, type DispatchDeps } from '#app/run-job';
import { DeliveriesHeldError, requireComplete, type BuiltMail, type DeliveryReport } from '#app/deliver';
import { JobSchema, type Job } from '#core/jobs';
import { nextCronOccurrence, type ScheduleDiff, type ScheduleRecord } from '#core/schedule-plan';
import { recordSchedules } from '#app/publish';
import type { LocalConfig } from './config.ts';

export type DispatchFn = (job: Job, now: Date) => Promise<unknown>;

export interface LocalSchedulerOptions {
  /** Runs of a failing job before it is marked failed (EventBridge: retries, then the DLQ). */
  maxAttempts?: number;
  /** Clock milliseconds before the first retry; each further retry waits twice as long. */
  retryDelayMs?: number;
  /** Failures no retry can fix. Default: the dispatch core's own errors (DispatchError). */
  isPermanent?: (error: unknown) => boolean;
  log?: (line: string) => void;
  /**
   * No other process writes this table's schedules: the clock may answer `nextDue` from what it
   * read and wrote itself, until the store reports a schedule write it did not make.
   */
  soleProcess?: boolean;
}

export interface FireReport {
  fired: string[];
  retrying: string[];
  failed: string[];
  /** The job of each record above, by the same id, as stored: who fired it need not read it again. */
  jobs: Record<string, unknown>;
}

type Due = ScheduleRecord & { seriesId: string };

/** Pending records read per Query when the clock keeps them in memory. */
const VIEW_PAGE = 100;
/** Pending records read per Query otherwise: the clock asks only what is next. */
const NEXT_PAGE = 10;

/** The pending index's sort key (table.ts, scheduleGsiSk): the order the clock fires records in. */
const indexKey = (r: Due): string => `${r.at}#${r.seriesId}#${r.name}`;

/**
 * The first records of the pending index, in its order: every pending record is in `records` or
 * sorts after its last one, and with `complete` there are no others. Valid while the store has
 * sent `writes` schedule writes.
 */
interface PendingView {
  records: Due[];
  complete: boolean;
  writes: number;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class LocalScheduler {
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly isPermanent: (error: unknown) => boolean;
  private readonly log: (line: string) => void;
  /** Records being fired by this process, so an overlapping call never runs one twice. */
  private readonly inFlight = new Set<string>();
  private readonly soleProcess: boolean;
  private view: PendingView | undefined;

  constructor(
    private readonly store: Store,
    options: LocalSchedulerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 5 * 60_000;
    this.isPermanent = options.isPermanent ?? ((e) => e instanceof Error && e.name === 'DispatchError');
    this.log = options.log ?? (() => {});
    this.soleProcess = options.soleProcess ?? false;
  }

  /**
   * The pending records due at the earliest pending instant, in the order the clock fires them
   * (none when nothing is pending): what to move a virtual clock to, and `fireDue`'s list there.
   */
  async nextDue(): Promise<Due[]> {
    let view = this.currentView();
    if (!view || (view.records.length === 0 && !view.complete)) view = await this.read(this.soleProcess ? VIEW_PAGE : NEXT_PAGE);
    const first = view.records[0];
    if (!first) return [];
    const due = view.records.filter((r) => Date.parse(r.at) === Date.parse(first.at));
    if (due.length < view.records.length || view.complete) return due;
    // The page holds nothing but that instant: there may be more of it.
    return (await this.read(undefined, first.at)).records;
  }

  /** The view, while no schedule write but the clock's own has been sent since it was read. */
  private currentView(): PendingView | undefined {
    if (this.view && this.view.writes !== this.store.scheduleWrites()) this.view = undefined;
    return this.view;
  }

  private async read(limit: number | undefined, until?: string): Promise<PendingView> {
    const writes = this.store.scheduleWrites();
    const records = await this.store.listPendingSchedules({ ...(limit ? { limit } : {}), ...(until ? { until } : {}) });
    // `until` reads every record up to then, which is also the first records of the index.
    const view = { records, complete: limit !== undefined && records.length < limit, writes };
    if (this.soleProcess) this.view = view;
    return view;
  }

  /** Writes a record's new state, and keeps the view true to the index. */
  private async put(seriesId: string, record: ScheduleRecord): Promise<void> {
    const view = this.currentView();
    const written = this.store.putSchedule(seriesId, record);
    // Counted when sent: from here on, a count other than this is someone else's write.
    if (view) {
      view.writes = this.store.scheduleWrites();
      const id = `${seriesId}/${record.name}`;
      view.records = view.records.filter((r) => `${r.seriesId}/${r.name}` !== id);
      if (record.state === 'pending') {
        // As a Query would return it: the time as the table keeps it, the job as parsed from its JSON text.
        const stored: Due = { ...record, seriesId, at: new Date(record.at).toISOString(), job: JSON.parse(JSON.stringify(record.job ?? null)) as unknown };
        for (const k of ['cron', 'attempts', 'lastError'] as const) if (stored[k] === undefined) delete stored[k];
        const last = view.records.at(-1);
        // Past the last known record of an incomplete view, others may come first: not kept.
        if (view.complete || (last && indexKey(stored) < indexKey(last))) {
          const at = view.records.findIndex((r) => indexKey(stored) < indexKey(r));
          view.records.splice(at === -1 ? view.records.length : at, 0, stored);
        }
      }
    }
    try {
      await written;
    } catch (error) {
      // The table may or may not hold it now: read it again.
      this.view = undefined;
      throw error;
    }
  }

  /** Writes a schedule diff as records: what EventBridgeSchedules.apply does in AWS. */
  async apply(seriesId: string, diff: Pick<ScheduleDiff, 'create' | 'update' | 'delete'>, now: Date): Promise<void> {
    await recordSchedules(this.store, seriesId, diff, now);
  }

  /**
   * Fires every pending record due by `now`, earliest first. `due` is that list when the caller has
   * just read it (every pending record at or before `now`, as listPendingSchedules returns them), so
   * a clock that looked for its next record does not Query the index twice.
   */
  async fireDue(now: Date, run: DispatchFn, due?: readonly Due[]): Promise<FireReport> {
    const report: FireReport = { fired: [], retrying: [], failed: [], jobs: {} };
    due ??= await this.store.listPendingSchedules({ until: now });
    for (const record of due) {
      const id = `${record.seriesId}/${record.name}`;
      if (this.inFlight.has(id)) continue;
      this.inFlight.add(id);
      report.jobs[id] = record.job;
      try {
        const outcome = await this.fire(record, now, run);
        report[outcome].push(id);
      } finally {
        this.inFlight.delete(id);
      }
    }
    return report;
  }

  private async fire(record: Due, now: Date, run: DispatchFn): Promise<'fired' | 'retrying' | 'failed'> {
    const { seriesId, ...stored } = record;
    const id = `${seriesId}/${record.name}`;
    const parsed = JobSchema.safeParse(record.job);
    if (!parsed.success) {
      const reason = `not a job: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'job'}: ${i.message}`).join('; ')}; re-publish the series`;
      this.log(`clock: ${id} failed: ${reason}`);
      await this.put(seriesId, { ...stored, state: 'failed', lastError: reason });
      return 'failed';
    }
    try {
      await run(parsed.data, now);
    } catch (error) {
      const attempts = (record.attempts ?? 0) + 1;
      const reason = describe(error);
      if (this.isPermanent(error) || attempts >= this.maxAttempts) {
        this.log(`clock: ${id} failed after ${attempts} attempt${attempts === 1 ? '' : 's'}: ${reason}`);
        if (record.cron && !this.isPermanent(error)) {
          // A recurring job that keeps failing gives up this occurrence, not the following weeks.
          await this.advance(seriesId, stored, now, { attempts: 0, lastError: reason });
        } else {
          await this.put(seriesId, { ...stored, state: 'failed', attempts, lastError: reason });
        }
        return 'failed';
      }
      // Held deliveries can be taken over exactly when their lease ends; sooner would only find them held again.
      const delayMs = error instanceof DeliveriesHeldError ? error.retryAfterMs : this.retryDelayMs * 2 ** (attempts - 1);
      const retryAt = new Date(now.getTime() + delayMs);
      this.log(`clock: ${id} failed (attempt ${attempts} of ${this.maxAttempts}), retrying at ${retryAt.toISOString()}: ${reason}`);
      await this.put(seriesId, { ...stored, at: retryAt.toISOString(), attempts, lastError: reason });
      return 'retrying';
    }
    if (record.cron) await this.advance(seriesId, stored, now, { attempts: 0 });
    else await this.put(seriesId, { ...stored, state: 'done', attempts: record.attempts ?? 0 });
    this.log(`clock: fired ${id}`);
    return 'fired';
  }

  /** Moves a recurring record to its next occurrence after now, or ends it past its end date. */
  private async advance(seriesId: string, stored: ScheduleRecord, now: Date, extra: Pick<ScheduleRecord, 'attempts' | 'lastError'>): Promise<void> {
    const cron = stored.cron!;
    const after = new Date(Math.max(now.getTime(), Date.parse(stored.at)));
    const next = nextCronOccurrence(cron, after);
    const ended = cron.end !== undefined && next.getTime() > Date.parse(cron.end);
    const { lastError: _previous, ...rest } = stored;
    await this.put(seriesId, {
      ...rest,
      ...extra,
      at: ended ? stored.at : next.toISOString(),
      state: ended ? 'done' : 'pending',
    });
  }
}

/**
 * Dispatch as the local stack runs it: mail through aws-ses-v2-local, each raw message also kept
 * under <dataDir>/outbox, links and reply addresses on the local domains. A send that fails, or a
 * delivery another run still holds, makes the job fail, so the clock retries it (the ledger skips
 * whoever already got theirs, and takes over the held ones once their lease has run out).
 */
export function localDispatch(options: {
  store: Store;
  config: LocalConfig;
  sesEndpoint: string;
  secret: string;
  mailer?: Mailer;
  leaseMs?: number;
}): (job: Job, now: Date) => Promise<DeliveryReport> {
  const { store, config } = options;
  const mailer =
    options.mailer ??
    new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: options.sesEndpoint }), maxSendRate: config.maxSendRate }), join(config.dataDir, 'outbox'));
  // What a warm dispatch container keeps of a series (its templates and calendar states, until
  // it is published again), so the local clock reads what the Lambda reads, no more.
  const cache = new SeriesCache();
  return async (job, now) => {
    const deps: DispatchDeps = {
      store,
      send: (m: BuiltMail) => mailer.send(m),
      settings: {
        domain: config.domain,
        inboundDomain: config.inboundDomain,
        senderAddress: config.sender,
        linksBaseUrl: config.linksBaseUrl,
        secrets: options.secret,
      },
      now: () => now,
      cache,
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    };
    return requireComplete(await dispatch(job, deps), `${job.kind} emails`, options.leaseMs);
  };
}
