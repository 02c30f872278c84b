// What a message in one of Baton's failure queues means, and how to run it again. Each queue is
// filled by a different AWS service, each with its own documented shape:
//
//   scheduler    EventBridge Scheduler's DLQ: the body is the schedule's target input (our job);
//                message attributes ERROR_CODE, ERROR_MESSAGE, RETRY_ATTEMPTS, SCHEDULE_ARN,
//                TARGET_ARN, EXHAUSTED_RETRY_CONDITION, … ("Retrieve the dead-letter event",
//                https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html).
//   dispatch     the dispatch Lambda's on-failure destination: the body is an invocation record
//                { version, timestamp, requestContext: { functionArn, condition, approximateInvokeCount },
//                  requestPayload, responseContext: { functionError }, responsePayload: { errorMessage, errorType } }
//                ("Example invocation record",
//                https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html).
//   inbound      the inbound Lambda's dead-letter queue (SES invokes it asynchronously): the body is
//                the original event unchanged; attributes RequestID, ErrorCode, ErrorMessage
//                ("Dead-letter queues", https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-dlq).
//   mail-events  the EventBridge rule target's DLQ: the body is the event; attributes ERROR_CODE,
//                ERROR_MESSAGE, RULE_ARN, TARGET_ARN, RETRY_ATTEMPTS
//                (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
//   fan-out      the fan-out queue's redrive DLQ: SQS moves the batch message as it was, with no
//                error attached (the send worker logged it); replay puts it back on the fan-out queue.
//
// Replaying is safe because the core is idempotent: the delivery ledger sends each email once,
// and a reply's Message-ID is recorded once.
import type { QueuedMessage } from '#adapters/aws/dead-letters';
import { JobSchema, type Job } from '#core/jobs';

export const QUEUE_NAMES = ['scheduler', 'dispatch', 'fan-out', 'inbound', 'mail-events'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** What fills each queue, in the words `baton dlq list` uses. */
export const QUEUE_TITLES: Record<QueueName, string> = {
  scheduler: 'scheduled jobs the scheduler could not hand to dispatch',
  dispatch: 'scheduled jobs dispatch failed on after its retries',
  'fan-out': 'batches of a large send that kept failing',
  inbound: 'replies that could not be processed (the raw mail is in the inbound bucket)',
  'mail-events': 'bounces and complaints that could not be recorded',
};

/** Where each queue is and what its messages re-drive, from the service stack's outputs. */
export interface FailureQueues {
  queues: Record<QueueName, string>;
  functions: { dispatch: string; inbound: string; mailEvents: string };
  fanOutQueueUrl: string;
}

export type Redrive = { kind: 'invoke'; functionArn: string; what: string; payload: string } | { kind: 'send'; queueUrl: string; what: string; body: string };

export interface DeadLetter {
  /** The queue it is in; `local` is the local clock's failed jobs. */
  queue: QueueName | 'local';
  id: string;
  receiptHandle: string;
  /** When the failure was recorded, as far as the message says. */
  at?: Date;
  /** What failed, in plain language. */
  what: string;
  /** Why, as the failing service reported it. */
  error: string;
  /** How it is run again; absent when the message cannot be understood (it is then left alone). */
  redrive?: Redrive;
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

const record = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const text = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);

/** A job in words: "the training email for "habits" of series q1 (batch of 250 recipients)". */
export function describeJob(raw: unknown): string {
  const parsed = JobSchema.safeParse(raw);
  if (!parsed.success) {
    const r = record(raw);
    return text(r.kind) && text(r.seriesId) ? `a ${String(r.kind)} job of series ${String(r.seriesId)} (not a valid job any more)` : 'something that is not a Baton job';
  }
  const job: Job = parsed.data;
  const parts = [`the ${job.kind} email`];
  if (job.trainingSlug) parts.push(`for training "${job.trainingSlug}"`);
  parts.push(`of series ${job.seriesId}`);
  const extra: string[] = [];
  if (job.timeZone) extra.push(`participants in ${job.timeZone}${job.workStart ? ` starting ${job.workStart}` : ''}`);
  if (job.recipients) extra.push(`batch of ${job.recipients.length} recipient${job.recipients.length === 1 ? '' : 's'}`);
  if (job.participant) extra.push(`for ${job.participant.email}`);
  return `${parts.join(' ')}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

/** An SES receipt event (what inbound gets) in words: sender, subject, SES message id. */
function describeReply(event: unknown): string {
  const mail = record(record(record((record(event).Records as unknown[] | undefined)?.[0]).ses).mail);
  const headers = record(mail.commonHeaders);
  const from = (Array.isArray(headers.from) ? headers.from.map(String).join(', ') : undefined) ?? text(mail.source) ?? 'an unknown sender';
  const subject = text(headers.subject);
  const id = text(mail.messageId);
  if (!id) return 'an event that is not an SES receipt';
  return `a reply from ${from}${subject ? `, subject "${subject}"` : ''} (SES message ${id})`;
}

/** An SES event via EventBridge (what mail-events gets) in words. */
function describeMailEvent(event: unknown): string {
  const e = record(event);
  const detail = record(e.detail);
  const mail = record(detail.mail);
  const recipients = [
    ...((record(detail.bounce).bouncedRecipients as unknown[] | undefined) ?? []),
    ...((record(detail.complaint).complainedRecipients as unknown[] | undefined) ?? []),
  ]
    .map((r) => text(record(r).emailAddress))
    .filter(Boolean);
  const kind = text(e['detail-type']) ?? text(detail.eventType) ?? 'an SES event';
  return `${kind}${recipients.length ? ` for ${recipients.join(', ')}` : ''}${text(mail.messageId) ? ` (SES message ${String(mail.messageId)})` : ''}`;
}

/** The error a message carries: Lambda's ErrorMessage or the ERROR_* attributes of EventBridge and Scheduler. */
function attributeError(attributes: Record<string, string>): string | undefined {
  // Lambda's ErrorCode is the HTTP status of the invocation (200 for an error the function threw),
  // which tells an operator nothing; its ErrorMessage says what went wrong.
  if (attributes.ErrorMessage) return attributes.ErrorMessage;
  const message = attributes.ERROR_MESSAGE;
  const code = attributes.ERROR_CODE;
  const retries = attributes.RETRY_ATTEMPTS;
  if (!message && !code) return attributes.ErrorCode ? `Lambda answered ${attributes.ErrorCode}` : undefined;
  const base = [code, message].filter(Boolean).join(': ');
  return retries !== undefined ? `${base} (after ${retries} retr${retries === '1' ? 'y' : 'ies'})` : base;
}

/** Reads one message of `queue`; never throws: a message we cannot read is listed as such and not replayed. */
export function interpret(queue: QueueName, message: QueuedMessage, where: FailureQueues): DeadLetter {
  const base = { queue, id: message.messageId, receiptHandle: message.receiptHandle, ...(message.sentAt ? { at: message.sentAt } : {}) };
  const body = parseJson(message.body);
  const unreadable = (why: string): DeadLetter => ({ ...base, what: `a message Baton cannot read (${why})`, error: attributeError(message.attributes) ?? 'unknown' });
  if (body === undefined) return unreadable('its body is not JSON');

  switch (queue) {
    case 'dispatch': {
      // An invocation record: the job is requestPayload; the error is in responsePayload.
      const r = record(body);
      const context = record(r.requestContext);
      if (!('requestPayload' in r)) return unreadable('not a Lambda invocation record');
      const response = record(r.responsePayload);
      const reason = text(response.errorMessage) ?? (typeof r.responsePayload === 'string' ? r.responsePayload : undefined) ?? text(record(r.responseContext).functionError) ?? 'no error message';
      const condition = text(context.condition);
      const tries = typeof context.approximateInvokeCount === 'number' ? `${context.approximateInvokeCount} attempts` : undefined;
      const timestamp = text(r.timestamp) ? new Date(String(r.timestamp)) : undefined;
      return {
        ...base,
        ...(timestamp && !Number.isNaN(timestamp.getTime()) ? { at: timestamp } : {}),
        what: describeJob(r.requestPayload),
        error: `${text(response.errorType) ? `${String(response.errorType)}: ` : ''}${reason}${condition || tries ? ` (${[tries, condition && conditionWords(condition)].filter(Boolean).join(', ')})` : ''}`,
        redrive: { kind: 'invoke', functionArn: where.functions.dispatch, what: 'dispatch', payload: JSON.stringify(r.requestPayload) },
      };
    }
    case 'scheduler':
      return {
        ...base,
        ...(message.attributes.SCHEDULED_TIME ? { at: new Date(message.attributes.SCHEDULED_TIME) } : {}),
        what: describeJob(body),
        error: attributeError(message.attributes) ?? 'no error recorded',
        redrive: { kind: 'invoke', functionArn: where.functions.dispatch, what: 'dispatch', payload: message.body },
      };
    case 'fan-out':
      return {
        ...base,
        what: describeJob(body),
        error: `failed ${message.receiveCount ? `${message.receiveCount - 1} or more times` : 'repeatedly'} in the send worker; its log has each error`,
        redrive: { kind: 'send', queueUrl: where.fanOutQueueUrl, what: 'the fan-out queue', body: message.body },
      };
    case 'inbound':
      return {
        ...base,
        what: describeReply(body),
        error: attributeError(message.attributes) ?? 'no error recorded',
        redrive: { kind: 'invoke', functionArn: where.functions.inbound, what: 'inbound', payload: message.body },
      };
    case 'mail-events':
      return {
        ...base,
        what: describeMailEvent(body),
        error: attributeError(message.attributes) ?? 'no error recorded',
        redrive: { kind: 'invoke', functionArn: where.functions.mailEvents, what: 'mail-events', payload: message.body },
      };
  }
}

function conditionWords(condition: string): string {
  switch (condition) {
    case 'RetriesExhausted':
      return 'retries exhausted';
    case 'EventAgeExceeded':
      return 'too old to retry';
    default:
      return condition;
  }
}

/** One dead letter as `baton dlq list` prints it. */
export function formatDeadLetter(d: DeadLetter): string {
  const when = d.at && !Number.isNaN(d.at.getTime()) ? d.at.toISOString().replace(/\.\d{3}Z$/, 'Z') : 'unknown time';
  return [
    `${d.queue} · ${when} · id ${d.id}`,
    `  What failed: ${d.what}`,
    `  Error:       ${d.error}`,
    `  Replay:      ${d.redrive ? (d.redrive.kind === 'invoke' ? `runs ${d.redrive.what} again with the same event` : `puts the batch back on ${d.redrive.what}`) : 'not possible: Baton cannot read this message; look at it in the SQS console'}`,
  ].join('\n');
}
