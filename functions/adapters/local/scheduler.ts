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
}

export interface FireReport {
  fired: string[];
  retrying: string[];
  failed: string[];
  /** The job of each record above, by the same id, as stored: who fired it need not read it again. */
  jobs: Record<string, unknown>;
}

type Due = ScheduleRecord & { seriesId: string };

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class LocalScheduler {
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly isPermanent: (error: unknown) => boolean;
  private readonly log: (line: string) => void;
  /** Records being fired by this process, so an overlapping call never runs one twice. */
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly store: Store,
    options: LocalSchedulerOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 5 * 60_000;
    this.isPermanent = options.isPermanent ?? ((e) => e instanceof Error && e.name === 'DispatchError');
    this.log = options.log ?? (() => {});
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
      await this.store.putSchedule(seriesId, { ...stored, state: 'failed', lastError: reason });
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
          await this.store.putSchedule(seriesId, { ...stored, state: 'failed', attempts, lastError: reason });
        }
        return 'failed';
      }
      // Held deliveries can be taken over exactly when their lease ends; sooner would only find them held again.
      const delayMs = error instanceof DeliveriesHeldError ? error.retryAfterMs : this.retryDelayMs * 2 ** (attempts - 1);
      const retryAt = new Date(now.getTime() + delayMs);
      this.log(`clock: ${id} failed (attempt ${attempts} of ${this.maxAttempts}), retrying at ${retryAt.toISOString()}: ${reason}`);
      await this.store.putSchedule(seriesId, { ...stored, at: retryAt.toISOString(), attempts, lastError: reason });
      return 'retrying';
    }
    if (record.cron) await this.advance(seriesId, stored, now, { attempts: 0 });
    else await this.store.putSchedule(seriesId, { ...stored, state: 'done', attempts: record.attempts ?? 0 });
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
    await this.store.putSchedule(seriesId, {
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
