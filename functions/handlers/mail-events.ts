// SES sending events, from the configuration set every Baton email goes through, via EventBridge
// ("Email Bounced", "Email Complaint Received"). An address that bounced for good or complained is
// never mailed again: it goes on the suppression list (dispatch checks it before each send) and is
// marked in every series it is enrolled in, so the trainer's status shows why someone went quiet.
//
// Primary course:
//   1. parse the EventBridge event and the SES event inside it;
//   2. a permanent bounce: suppress each bounced address, mark it bounced in its series;
//   3. a complaint: suppress each complaining address, unsubscribe it from its series (a complaint
//      says "stop", not "this address is dead");
//   4. a transient bounce (mailbox full, out of office at the server) changes nothing: SES already
//      retried, and the next email may well arrive.
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { readRuntimeConfig, TableEnvSchema } from '#adapters/aws/runtime-config';
import { z } from 'zod';

const RecipientSchema = z.object({ emailAddress: z.string().min(3) });

export const SesEventSchema = z.object({
  eventType: z.string(),
  mail: z.object({ messageId: z.string() }).loose(),
  bounce: z
    .object({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(RecipientSchema),
      timestamp: z.iso.datetime({ offset: true }),
    })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(RecipientSchema),
      timestamp: z.iso.datetime({ offset: true }),
      complaintFeedbackType: z.string().optional(),
    })
    .optional(),
});

export const MailEventSchema = z.object({
  source: z.literal('aws.ses'),
  'detail-type': z.string(),
  detail: SesEventSchema,
});

export interface MailEventResult {
  suppressed: string[];
  /** `<seriesId>:<email>` marked bounced or unsubscribed. */
  marked: string[];
  ignored?: string;
}

/** SES reports addresses as written, sometimes with a display name; the store keys on the bare address. */
export function bareAddress(value: string): string {
  return (value.match(/<([^>]+)>/)?.[1] ?? value).trim().toLowerCase();
}

export function createMailEventsHandler(deps: { store: Pick<Store, 'suppress' | 'listSeriesOfParticipant' | 'setBounced' | 'setUnsubscribed'> }) {
  return async (event: unknown): Promise<MailEventResult> => {
    const parsed = MailEventSchema.safeParse(event);
    if (!parsed.success) {
      // Throwing makes EventBridge retry, then keep the event in the rule's dead-letter queue.
      throw new Error(
        `mail-events received an event that is not an SES sending event:\n` +
          parsed.error.issues.map((i) => `- ${i.path.join('.') || 'the event'}: ${i.message}\n`).join('') +
          'Check the EventBridge rule of the BatonService stack: it should match source aws.ses and the bounce and complaint detail types.',
      );
    }
    const ses = parsed.data.detail;
    let action: { recipients: string[]; at: string; reason: string; mark: 'setBounced' | 'setUnsubscribed' } | undefined;
    if (ses.eventType === 'Bounce' && ses.bounce) {
      if (ses.bounce.bounceType !== 'Permanent') {
        return done({ suppressed: [], marked: [], ignored: `${ses.bounce.bounceType} bounce` }, ses.mail.messageId);
      }
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
      return done({ suppressed: [], marked: [], ignored: `${ses.eventType} event` }, ses.mail.messageId);
    }
    const result: MailEventResult = { suppressed: [], marked: [] };
    for (const email of new Set(action.recipients)) {
      await deps.store.suppress(email, action.reason, action.at);
      result.suppressed.push(email);
      for (const seriesId of await deps.store.listSeriesOfParticipant(email)) {
        await deps.store[action.mark](seriesId, email, action.at);
        result.marked.push(`${seriesId}:${email}`);
      }
    }
    return done(result, ses.mail.messageId);
  };
}

function done(result: MailEventResult, sesMessageId: string): MailEventResult {
  // Counts and ids only: addresses are personal data and the result already went to the store.
  process.stdout.write(
    `${JSON.stringify({ level: 'INFO', message: 'mail event', sesMessageId, suppressed: result.suppressed.length, marked: result.marked.length, ...(result.ignored ? { ignored: result.ignored } : {}) })}\n`,
  );
  return result;
}

let configured: ((event: unknown) => Promise<MailEventResult>) | undefined;

export async function handler(event: unknown): Promise<MailEventResult> {
  if (!configured) {
    const env = readRuntimeConfig(TableEnvSchema, 'mail-events');
    configured = createMailEventsHandler({ store: createStore({ client: createDynamoClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME }) });
  }
  return configured(event);
}
