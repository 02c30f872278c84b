// SES sending events, from the configuration set every Baton email goes through. The stack routes
// them to EventBridge's default bus ("Email Sent", "Email Bounced", "Email Complaint Received"); an operator may
// route them through SNS, or SNS into SQS, instead, and AWS documents those shapes too, so all three
// are accepted (functions/adapters/aws/events.ts). An address that bounced for good or complained is
// never mailed again: it goes on the suppression list (dispatch checks it before each send) and is
// marked in every series it is enrolled in, so the trainer's status shows why someone went quiet.
//
// Primary course:
//   1. parse the event and the SES records inside it; one that does not parse throws, so
//      EventBridge (or SNS, or SQS) retries it and then keeps it in a dead-letter queue, after it
//      has been logged and counted as DroppedEvents;
//   2. a send: SES accepted a message. If its tags name a delivery (app/deliver.ts deliveryTags),
//      record that delivery as sent with SES's id. This is the AWS half of crash safety: a sender
//      that died after SES accepted its message but before its own completion write leaves a
//      claim that this turns into "sent", so the run that takes the claim over does not send twice;
//   3. a permanent bounce: suppress each bounced address, mark it bounced in its series;
//   4. a complaint: suppress each complaining address, unsubscribe it from its series (a complaint
//      says "stop", not "this address is dead");
//   5. a transient bounce (mailbox full, out of office at the server) changes nothing: SES already
//      retried, and the next email may well arrive. Delivery, reject and rendering-failure events
//      are logged and left alone: Baton has nothing to do about them yet.
// Suppressing, marking and recording a send are idempotent, so a retried batch repeats them harmlessly.
import { describeIssues, parseSesSendingEvents, type SesSendingEvent } from '#adapters/aws/events';
import { deliveryFromTags } from '#app/deliver';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createObservability, HANDLER_METRICS, instrument, type Observability } from '#adapters/aws/observability';
import { readRuntimeConfig, TableEnvSchema } from '#adapters/aws/runtime-config';
import type { Context } from 'aws-lambda';

export interface MailEventResult {
  suppressed: string[];
  /** `<seriesId>:<email>` marked bounced or unsubscribed. */
  marked: string[];
  /** `<seriesId>:<emailId>` of deliveries SES's Send event turned from claimed into sent. */
  accepted?: string[];
  ignored?: string;
}

/** SES reports addresses as written, sometimes with a display name; the store keys on the bare address. */
export function bareAddress(value: string): string {
  return (value.match(/<([^>]+)>/)?.[1] ?? value).trim().toLowerCase();
}

export interface MailEventsDeps {
  store: Pick<Store, 'suppress' | 'listSeriesOfParticipant' | 'setBounced' | 'setUnsubscribed' | 'recordAccepted'>;
  obs?: Observability;
}

export function createMailEventsHandler(deps: MailEventsDeps): (event: unknown, context?: Context) => Promise<MailEventResult> {
  const obs = deps.obs ?? createObservability('mail-events');
  return instrument(obs, async (event) => {
    const parsed = parseSesSendingEvents(event);
    if (!parsed.success) {
      const issues = describeIssues(parsed.error);
      obs.dropped('not an SES sending event', { issues, event });
      throw new Error(
        `mail-events received an event that is not an SES sending event:\n${issues.map((i) => `- ${i}\n`).join('')}` +
          'Check the EventBridge rule of the BatonService stack: it should match source aws.ses and the send, bounce and complaint detail types.',
      );
    }
    const total: MailEventResult = { suppressed: [], marked: [] };
    const ignored: string[] = [];
    const accepted: string[] = [];
    for (const ses of parsed.data) {
      const result = await handleOne(ses, deps.store);
      total.suppressed.push(...result.suppressed);
      total.marked.push(...result.marked);
      accepted.push(...(result.accepted ?? []));
      if (result.ignored) ignored.push(result.ignored);
      // Counts and ids only: addresses are personal data and the result already went to the store.
      obs.logger.info('mail event', {
        sesMessageId: ses.mail.messageId,
        eventType: ses.eventType,
        suppressed: result.suppressed.length,
        marked: result.marked.length,
        ...(result.accepted ? { accepted: result.accepted.length } : {}),
        ...(result.ignored ? { ignored: result.ignored } : {}),
      });
    }
    if (total.suppressed.length) obs.count(HANDLER_METRICS.addressesSuppressed, total.suppressed.length);
    return { ...total, ...(accepted.length ? { accepted } : {}), ...(ignored.length ? { ignored: ignored.join('; ') } : {}) };
  });
}

async function handleOne(ses: SesSendingEvent, store: MailEventsDeps['store']): Promise<MailEventResult> {
  let action: { recipients: string[]; at: string; reason: string; mark: 'setBounced' | 'setUnsubscribed' } | undefined;
  if (ses.eventType === 'Send') return recordSend(ses, store);
  if (ses.eventType === 'Bounce' && ses.bounce) {
    if (ses.bounce.bounceType !== 'Permanent') return { suppressed: [], marked: [], ignored: `${ses.bounce.bounceType} bounce` };
    action = {
      recipients: ses.bounce.bouncedRecipients.map((r) => bareAddress(r.emailAddress)),
      at: ses.bounce.timestamp,
      reason: `bounce: ${ses.bounce.bounceType}${ses.bounce.bounceSubType ? `/${ses.bounce.bounceSubType}` : ''}`,
      mark: 'setBounced',
    };
  } else if (ses.eventType === 'Complaint' && ses.complaint) {
    action = {
      recipients: ses.complaint.complainedRecipients.map((r) => bareAddress(r.emailAddress)),
      at: ses.complaint.timestamp,
      reason: `complaint${ses.complaint.complaintFeedbackType ? `: ${ses.complaint.complaintFeedbackType}` : ''}`,
      mark: 'setUnsubscribed',
    };
  } else {
    return { suppressed: [], marked: [], ignored: `${ses.eventType} event` };
  }
  const result: MailEventResult = { suppressed: [], marked: [] };
  for (const email of new Set(action.recipients)) {
    await store.suppress(email, action.reason, action.at);
    result.suppressed.push(email);
    for (const seriesId of await store.listSeriesOfParticipant(email)) {
      await store[action.mark](seriesId, email, action.at);
      result.marked.push(`${seriesId}:${email}`);
    }
  }
  return result;
}

async function recordSend(ses: SesSendingEvent, store: MailEventsDeps['store']): Promise<MailEventResult> {
  const delivery = deliveryFromTags(ses.mail.tags ?? {});
  // Mail Baton sends outside the ledger (acknowledgements of replies, bounce-backs) carries no
  // delivery tags: SES sent it, and there is no claim to complete.
  if (!delivery) return { suppressed: [], marked: [], ignored: 'Send event of a message that is not a delivery' };
  // SES's own time of acceptance; an event without one is recorded at its arrival. False means the
  // sender's completion write came first (or the claim is gone): nothing to do either way.
  const recorded = await store.recordAccepted(delivery.seriesId, delivery.emailId, { sesMessageId: ses.mail.messageId, at: ses.mail.timestamp ?? new Date() });
  return recorded
    ? { suppressed: [], marked: [], accepted: [`${delivery.seriesId}:${delivery.emailId}`] }
    : { suppressed: [], marked: [], ignored: 'Send event of a delivery already recorded as sent' };
}

let configured: ((event: unknown, context?: Context) => Promise<MailEventResult>) | undefined;

export async function handler(event: unknown, context?: Context): Promise<MailEventResult> {
  if (!configured) {
    const env = readRuntimeConfig(TableEnvSchema, 'mail-events');
    configured = createMailEventsHandler({ store: createStore({ client: createDynamoClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME }) });
  }
  return configured(event, context);
}
