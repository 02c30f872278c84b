// The AWS event shapes Baton's handlers receive, as AWS documents them. Every handler parses its
// event with one of these at the edge. Powertools' schemas are the starting point; where AWS's
// own documentation (and its example events) says a field may be missing, it is loosened here,
// once, so no handler drops a real event for a field it never reads. The fixtures under
// test/fixtures/aws/ are AWS's documented examples, and each one must parse.
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { SesRecordSchema } from '@aws-lambda-powertools/parser/schemas/ses';
import { SnsRecordSchema, SnsSqsNotificationSchema } from '@aws-lambda-powertools/parser/schemas/sns';
import { SqsRecordSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import { z } from 'zod';

// ---- SES email receiving: the receipt rule's Lambda action -------------------------------------

const PowertoolsSesMessage = SesRecordSchema.shape.ses;
const PowertoolsSesReceipt = PowertoolsSesMessage.shape.receipt;
const PowertoolsSesMail = PowertoolsSesMessage.shape.mail;

/**
 * A verdict. AWS documents DISABLED too (spam and virus scanning switched off on the receipt
 * rule), which Powertools' enum lacks: such a mail must still be read, not lost.
 */
const SesVerdictSchema = z.object({ status: z.enum(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED']) });

export const SesReceiptSchema = PowertoolsSesReceipt.extend({
  // "This field only appears if the message fails DMARC authentication" (receiving-email-
  // notifications-contents); the Lambda action's example event has none. Powertools requires it,
  // which fails every reply from a domain that passes DMARC.
  dmarcPolicy: z.enum(['none', 'quarantine', 'reject']).optional(),
  // Non-negative: SES can hand a message over within the same millisecond.
  processingTimeMillis: z.number().int().nonnegative(),
  spamVerdict: SesVerdictSchema,
  virusVerdict: SesVerdictSchema,
  spfVerdict: SesVerdictSchema,
  dkimVerdict: SesVerdictSchema,
  dmarcVerdict: SesVerdictSchema,
  // The Lambda action's invocation type: "Event" or "RequestResponse" (receiving-email-action-
  // lambda). Powertools allows only Event, which is what inbound gets; the receipt filter is
  // invoked RequestResponse and must read the same event, or it would let every spam through.
  action: PowertoolsSesReceipt.shape.action.extend({ invocationType: z.enum(['Event', 'RequestResponse']) }),
});

/**
 * commonHeaders lists the headers the mail had, and only those: a mail without a Subject, sent
 * only to Bcc (no To), or from a client that left out Date has no such field. The handler reads the
 * raw mail from S3, never these, so none of them is a reason to lose a reply.
 */
const SesCommonHeadersSchema = PowertoolsSesMail.shape.commonHeaders.partial({
  subject: true,
  to: true,
  from: true,
  date: true,
  messageId: true,
  returnPath: true,
});

export const SesMailSchema = PowertoolsSesMail.extend({ commonHeaders: SesCommonHeadersSchema });

export const SesReceiptRecordSchema = SesRecordSchema.extend({
  ses: PowertoolsSesMessage.extend({ mail: SesMailSchema, receipt: SesReceiptSchema }),
});

export const SesReceiptEventSchema = z.object({ Records: z.array(SesReceiptRecordSchema).nonempty() });
export type SesReceiptEvent = z.infer<typeof SesReceiptEventSchema>;
export type SesReceiptRecord = z.infer<typeof SesReceiptRecordSchema>;

// ---- SES sending events (configuration set event publishing, or identity notifications) -------

const RecipientSchema = z.object({ emailAddress: z.string().min(3) }).loose();

/**
 * One SES sending event record (event-publishing-retrieving-sns-contents). SES "reserves the
 * right to add additional fields", so every object is loose. `eventType` is `notificationType`
 * when the event comes from an identity's feedback notifications instead of a configuration set.
 */
export const SesSendingEventSchema = z
  .object({
    eventType: z.string().min(1).optional(),
    notificationType: z.string().min(1).optional(),
    mail: z
      .object({
        messageId: z.string().min(1),
        timestamp: z.string().optional(),
        // "A list of tags associated with the email": each name maps to a list of values, as in
        // every example record. Present on configuration-set events; identity notifications have none.
        tags: z.record(z.string(), z.array(z.string())).optional(),
      })
      .loose(),
    bounce: z
      .object({
        bounceType: z.string(),
        bounceSubType: z.string().optional(),
        bouncedRecipients: z.array(RecipientSchema),
        timestamp: z.iso.datetime({ offset: true }),
      })
      .loose()
      .optional(),
    complaint: z
      .object({
        complainedRecipients: z.array(RecipientSchema),
        timestamp: z.iso.datetime({ offset: true }),
        complaintFeedbackType: z.string().optional(),
      })
      .loose()
      .optional(),
  })
  .loose()
  .refine((e) => e.eventType ?? e.notificationType, { message: 'has neither eventType nor notificationType', path: ['eventType'] })
  .transform(({ notificationType, ...e }) => ({ ...e, eventType: (e.eventType ?? notificationType)! }));
export type SesSendingEvent = z.infer<typeof SesSendingEventSchema>;

/** SES's own EventBridge events ("Email Bounced", ...): the record is the `detail`. */
export const SesEventBridgeEventSchema = EventBridgeSchema.pick({ source: true, 'detail-type': true })
  .extend({ source: z.literal('aws.ses'), detail: SesSendingEventSchema })
  .loose();

/** A JSON string that must hold `schema`; the issue says so when it does not. */
const jsonOf = <S extends z.ZodType>(schema: S) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** SNS delivering to Lambda: each record's Message is the SES record as a JSON string. */
export const SesViaSnsEventSchema = z.object({
  Records: z.array(SnsRecordSchema.extend({ Sns: SnsRecordSchema.shape.Sns.extend({ Message: jsonOf(SesSendingEventSchema) }) })).nonempty(),
});

/**
 * SNS into SQS into Lambda: each body is the SNS notification (or, with raw message delivery
 * switched on, the SES record itself).
 */
export const SesViaSqsEventSchema = z.object({
  Records: z
    .array(
      SqsRecordSchema.extend({
        body: jsonOf(z.union([SnsSqsNotificationSchema.extend({ Message: jsonOf(SesSendingEventSchema) }), SesSendingEventSchema])),
      }),
    )
    .nonempty(),
});

const SesRecordsFromEventBridge = SesEventBridgeEventSchema.transform((e): SesSendingEvent[] => [e.detail]);
const SesRecordsFromSns = SesViaSnsEventSchema.transform((e): SesSendingEvent[] => e.Records.map((r) => r.Sns.Message));
const SesRecordsFromSqs = SesViaSqsEventSchema.transform((e): SesSendingEvent[] =>
  e.Records.map((r) => ('Message' in r.body ? (r.body.Message as SesSendingEvent) : (r.body as SesSendingEvent))),
);

/**
 * The SES records in an event from any route an operator may give SES sending events. The route
 * is told by the record's event source first, so a malformed event is reported against the shape
 * it claims to be rather than as "matches none of three".
 */
export function parseSesSendingEvents(event: unknown): z.ZodSafeParseResult<SesSendingEvent[]> {
  const records = (event as { Records?: Array<{ EventSource?: unknown; eventSource?: unknown }> } | null)?.Records;
  const source = Array.isArray(records) ? (records[0]?.EventSource ?? records[0]?.eventSource) : undefined;
  if (source === 'aws:sns') return SesRecordsFromSns.safeParse(event);
  if (source === 'aws:sqs') return SesRecordsFromSqs.safeParse(event);
  return SesRecordsFromEventBridge.safeParse(event);
}

// ---- SQS (the send workers' fan-out queue) ------------------------------------------------------

/**
 * The fields of an SQS event the send worker reads. Narrower than Powertools' SqsSchema on
 * purpose: the local stack hands the worker the same { messageId, body } records without the
 * attributes only AWS fills in.
 */
export const SqsBatchSchema = z.object({
  Records: z.array(z.object({ messageId: z.string().min(1), body: z.string() }).loose()),
});
export type SqsBatch = z.infer<typeof SqsBatchSchema>;

// ---- Lambda function URLs (payload format 2.0) --------------------------------------------------

/** The fields of a function URL request the links read; the local HTTP server sends the same. */
export const FunctionUrlEventSchema = z
  .object({
    rawPath: z.string(),
    body: z.string().optional(),
    isBase64Encoded: z.boolean().default(false),
    requestContext: z.object({ http: z.object({ method: z.string().min(1) }).loose() }).loose(),
  })
  .loose();
export type FunctionUrlEvent = z.infer<typeof FunctionUrlEventSchema>;

/** The issues of a failed parse, short enough for one log line. */
export function describeIssues(error: z.ZodError, max = 10): string[] {
  return error.issues.slice(0, max).map((i) => `${i.path.join('.') || 'the event'}: ${i.message}`);
}
