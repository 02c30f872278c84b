// Logging and metrics for the Lambda handlers, set up once here: Powertools Logger (one JSON
// object per line, which the functions' JSON log format and Logs Insights read as fields) and
// Powertools Metrics (CloudWatch embedded metric format: a metric is a log line, no API call,
// no latency). The core never imports this; it gets a `log` function where it needs one.
//
// Every metric is in namespace `Baton` with exactly one dimension, `function` (the handler's
// construct id), so an alarm names { function: 'inbound' } and nothing else. Powertools adds a
// `service` dimension by default; it is removed, because CloudWatch treats every distinct
// dimension set as a different metric and an alarm on one would never see the other.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { METRICS } from '#contract/outputs';

/** The metrics the handlers publish; the alarms and dashboards name them from here. */
export const HANDLER_METRICS = {
  /** An event the handler could not parse or had to drop (infra/outputs.ts owns the name). */
  droppedEvents: METRICS.droppedEvents,
  /** Emails SES accepted (dispatch, send-worker; inbound counts its acknowledgements). */
  emailsSent: 'EmailsSent',
  /** Emails that failed to send; the invocation or the batch item fails, so they are retried. */
  emailsFailed: 'EmailsFailed',
  /** Emails a retry found already sent (the delivery ledger skipped them): retries at work. */
  emailsAlreadySent: 'EmailsAlreadySent',
  /** SES throttled a send and the mailer backed off. */
  sendThrottled: 'SendThrottled',
  /** Queued recipient batches dispatch handed to the send workers. */
  batchesQueued: 'BatchesQueued',
  /** Queue messages the send worker reported failed, which SQS redelivers then dead-letters. */
  batchItemFailures: 'BatchItemFailures',
  /** Addresses put on the suppression list after a permanent bounce or a complaint. */
  addressesSuppressed: 'AddressesSuppressed',
  /** One-click link requests answered. */
  linkClicks: 'LinkClicks',
} as const;

/** Inbound outcomes, one metric each: `Replies` + the outcome, e.g. RepliesStored, RepliesAutoReply. */
export const REPLY_METRICS = {
  stored: 'RepliesStored',
  duplicate: 'RepliesDuplicate',
  rejected: 'RepliesRejected',
  'auto-reply': 'RepliesAutoReply',
  bounce: 'RepliesBounce',
  rsvp: 'RepliesRsvp',
  'too-large': 'RepliesTooLarge',
  'rate-limited': 'RepliesRateLimited',
  'needs-look': 'RepliesNeedsLook',
} as const;

export type MetricName = (typeof HANDLER_METRICS)[keyof typeof HANDLER_METRICS] | (typeof REPLY_METRICS)[keyof typeof REPLY_METRICS];

export interface Observability {
  readonly functionName: string;
  readonly logger: Logger;
  count(metric: MetricName, value?: number): void;
  /**
   * An event this handler will not process: logged at ERROR with why, and counted as
   * DroppedEvents. The caller decides whether it then throws (so AWS retries and keeps it).
   */
  dropped(reason: string, fields?: Record<string, unknown>): void;
  /** The core's log port: records shaped { level, message, ...fields }. */
  logRecord(record: Record<string, unknown>): void;
  /** Sends the metrics counted so far; `instrument` calls it after every invocation. */
  flush(): void;
}

export function createObservability(functionName: string): Observability {
  const logger = new Logger({ serviceName: 'baton', persistentKeys: { function: functionName } });
  const metrics = new Metrics({ namespace: METRICS.namespace, serviceName: 'baton' });
  metrics.clearDefaultDimensions();
  metrics.setDefaultDimensions({ function: functionName });
  return {
    functionName,
    logger,
    count: (metric, value = 1) => metrics.addMetric(metric, MetricUnit.Count, value),
    dropped(reason, fields = {}) {
      logger.error(`dropped event: ${reason}`, { dropReason: reason, ...fields });
      metrics.addMetric(METRICS.droppedEvents, MetricUnit.Count, 1);
    },
    logRecord({ level, message, ...fields }) {
      const text = String(message ?? 'core');
      if (level === 'ERROR') logger.error(text, fields);
      else if (level === 'WARN') logger.warn(text, fields);
      else logger.info(text, fields);
    },
    flush() {
      // An invocation that counted nothing publishes nothing (Powertools would warn instead).
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
    },
  };
}

/**
 * Wraps a handler: the Lambda context's request id on every log line, metrics flushed and the
 * per-invocation keys (appendKeys) cleared even when the invocation throws, so a warm container
 * never carries one event's seriesId into the next event's logs.
 */
export function instrument<R>(obs: Observability, run: (event: unknown) => Promise<R>): (event: unknown, context?: Context) => Promise<R> {
  return async (event, context) => {
    if (context) obs.logger.addContext(context);
    try {
      return await run(event);
    } catch (error) {
      obs.logger.error('invocation failed', error as Error);
      throw error;
    } finally {
      obs.flush();
      obs.logger.resetKeys();
    }
  };
}
