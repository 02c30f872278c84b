// The AWS event shapes Baton's handlers receive, as AWS documents them. Every handler parses its
// event with one of these at the edge. Powertools' parser schemas (@aws-lambda-powertools/parser)
// were the starting point and the fields below are theirs; where AWS's own documentation (and its
// example events) says a field may be missing, it is loosened here, once, so no handler drops a
// real event for a field it never reads. They are written out here with zod/mini rather than
// imported: Powertools' schemas `import { z } from 'zod'`, which put all of classic zod (~450 KB
// with every locale) into every bundle that parses an event. The fixtures
// under test/fixtures/aws/ are AWS's documented examples, and each one must parse.
import * as z from 'zod/mini';
import '#core/zod-english';
import { builtOnFirstUse } from '#core/built-on-first-use';

/** One instance for every timestamp below: each z.iso.datetime() builds its own pattern at import. */
const IsoDateTime = /* @__PURE__ */ builtOnFirstUse(() => z.iso.datetime());

// ---- SES email receiving: the receipt rule's Lambda action -------------------------------------

/**
 * A verdict. AWS documents DISABLED too (spam and virus scanning switched off on the receipt
 * rule), which Powertools' enum lacks: such a mail must still be read, not lost.
 */
const SesVerdictSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({ status: z.enum(['PASS', 'FAIL', 'GRAY', 'PROCESSING_FAILED', 'DISABLED']) }));

export const SesReceiptSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  timestamp: IsoDateTime,
  // Non-negative: SES can hand a message over within the same millisecond.
  processingTimeMillis: z.int().check(z.gte(0)),
  recipients: z.array(z.string()),
  spamVerdict: SesVerdictSchema,
  virusVerdict: SesVerdictSchema,
  spfVerdict: SesVerdictSchema,
  dmarcVerdict: SesVerdictSchema,
  dkimVerdict: SesVerdictSchema,
  // "This field only appears if the message fails DMARC authentication" (receiving-email-
  // notifications-contents); the Lambda action's example event has none. Powertools requires it,
  // which fails every reply from a domain that passes DMARC.
  dmarcPolicy: z.optional(z.enum(['none', 'quarantine', 'reject'])),
  // The Lambda action's invocation type: "Event" or "RequestResponse" (receiving-email-action-
  // lambda). Powertools allows only Event, which is what inbound gets; the receipt filter is
  // invoked RequestResponse and must read the same event, or it would let every spam through.
  action: z.object({ type: z.enum(['Lambda']), invocationType: z.enum(['Event', 'RequestResponse']), functionArn: z.string() }),
}));

const addresses = /* @__PURE__ */ builtOnFirstUse(() => z.array(z.string()));

/**
 * commonHeaders lists the headers the mail had, and only those: a mail without a Subject, sent
 * only to Bcc (no To), or from a client that left out Date has no such field (Powertools requires
 * from, to, returnPath, messageId, date and subject). The handler reads the raw mail from S3,
 * never these, so none of them is a reason to lose a reply.
 */
const SesCommonHeadersSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  from: z.optional(addresses),
  to: z.optional(addresses),
  cc: z.optional(addresses),
  bcc: z.optional(addresses),
  sender: z.optional(addresses),
  'reply-to': z.optional(addresses),
  returnPath: z.optional(z.string()),
  messageId: z.optional(z.string()),
  date: z.optional(z.string()),
  subject: z.optional(z.string()),
}));

export const SesMailSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  timestamp: IsoDateTime,
  source: z.string(),
  messageId: z.string(),
  destination: addresses,
  headersTruncated: z.boolean(),
  headers: z.array(z.object({ name: z.string(), value: z.string() })),
  commonHeaders: SesCommonHeadersSchema,
}));

export const SesReceiptRecordSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  eventSource: z.literal('aws:ses'),
  eventVersion: z.string(),
  ses: z.object({ mail: SesMailSchema, receipt: SesReceiptSchema }),
}));

export const SesReceiptEventSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({ Records: z.array(SesReceiptRecordSchema).check(z.minLength(1)) }));
export type SesReceiptEvent = z.infer<typeof SesReceiptEventSchema>;
export type SesReceiptRecord = z.infer<typeof SesReceiptRecordSchema>;

// ---- SES sending events (configuration set event publishing, or identity notifications) -------

const RecipientSchema = /* @__PURE__ */ builtOnFirstUse(() => z.looseObject({ emailAddress: z.string().check(z.minLength(3)) }));

/**
 * One SES sending event record (event-publishing-retrieving-sns-contents). SES "reserves the
 * right to add additional fields", so every object is loose. `eventType` is `notificationType`
 * when the event comes from an identity's feedback notifications instead of a configuration set.
 */
export const SesSendingEventSchema = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(
  z
    .looseObject({
      eventType: z.optional(z.string().check(z.minLength(1))),
      notificationType: z.optional(z.string().check(z.minLength(1))),
      mail: z.looseObject({
        messageId: z.string().check(z.minLength(1)),
        timestamp: z.optional(z.string()),
        // "A list of tags associated with the email": each name maps to a list of values, as in
        // every example record. Present on configuration-set events; identity notifications have none.
        tags: z.optional(z.record(z.string(), z.array(z.string()))),
      }),
      bounce: z.optional(
        z.looseObject({
          bounceType: z.string(),
          bounceSubType: z.optional(z.string()),
          bouncedRecipients: z.array(RecipientSchema),
          timestamp: z.iso.datetime({ offset: true }),
        }),
      ),
      complaint: z.optional(
        z.looseObject({
          complainedRecipients: z.array(RecipientSchema),
          timestamp: z.iso.datetime({ offset: true }),
          complaintFeedbackType: z.optional(z.string()),
        }),
      ),
    })
    .check(z.refine((e) => e.eventType ?? e.notificationType, { message: 'has neither eventType nor notificationType', path: ['eventType'] })),
  z.transform(({ notificationType, ...e }) => ({ ...e, eventType: (e.eventType ?? notificationType)! })),
));
export type SesSendingEvent = z.infer<typeof SesSendingEventSchema>;

/** SES's own EventBridge events ("Email Bounced", ...): the record is the `detail`. */
export const SesEventBridgeEventSchema = /* @__PURE__ */ builtOnFirstUse(() => z.looseObject({
  source: z.literal('aws.ses'),
  'detail-type': z.string(),
  detail: SesSendingEventSchema,
}));

/** A JSON string that must hold `schema`; the issue says so when it does not. */
const jsonOf = <S extends z.ZodMiniType>(schema: S) =>
  z.pipe(
    z.pipe(
      z.string(),
      z.transform((text, ctx) => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          ctx.issues.push({ code: 'custom', message: 'is not JSON', input: text });
          return z.NEVER;
        }
      }),
    ),
    schema,
  );

/** An SNS notification as SNS delivers it to Lambda (Powertools' SnsNotificationSchema). */
const snsNotification = /* @__PURE__ */ builtOnFirstUse(() => ({
  Subject: z.nullish(z.string()),
  TopicArn: z.string(),
  Type: z.literal('Notification'),
  MessageAttributes: z.optional(z.record(z.string(), z.object({ Type: z.string(), Value: z.string() }))),
  MessageId: z.string(),
  Signature: z.optional(z.string()),
  SignatureVersion: z.optional(z.string()),
  Timestamp: IsoDateTime,
}));

/** SNS delivering to Lambda: each record's Message is the SES record as a JSON string. */
export const SesViaSnsEventSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  Records: z
    .array(
      z.object({
        EventSource: z.literal('aws:sns'),
        EventVersion: z.string(),
        EventSubscriptionArn: z.string(),
        Sns: z.object({
          ...snsNotification,
          UnsubscribeUrl: z.url(),
          UnsubscribeURL: z.optional(z.url()),
          SigningCertUrl: z.optional(z.url()),
          SigningCertURL: z.optional(z.url()),
          Message: jsonOf(SesSendingEventSchema),
        }),
      }),
    )
    .check(z.minLength(1)),
}));

/** An SQS message attribute (Powertools' SqsMsgAttributeSchema). */
const SqsMessageAttributeSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  stringValue: z.optional(z.nullable(z.string())),
  binaryValue: z.optional(z.nullable(z.string())),
  stringListValues: z.optional(z.array(z.string())),
  binaryListValues: z.optional(z.array(z.string())),
  dataType: z.string(),
}));

/**
 * SNS into SQS into Lambda: each body is the SNS notification (or, with raw message delivery
 * switched on, the SES record itself). The record is Powertools' SqsRecordSchema.
 */
export const SesViaSqsEventSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  Records: z
    .array(
      z.object({
        messageId: z.string(),
        receiptHandle: z.string(),
        body: jsonOf(
          z.union([
            z.object({ ...snsNotification, UnsubscribeURL: z.optional(z.string()), SigningCertURL: z.optional(z.url()), Message: jsonOf(SesSendingEventSchema) }),
            SesSendingEventSchema,
          ]),
        ),
        attributes: z.object({
          ApproximateReceiveCount: z.string(),
          ApproximateFirstReceiveTimestamp: z.string(),
          MessageDeduplicationId: z.optional(z.string()),
          MessageGroupId: z.optional(z.string()),
          SenderId: z.string(),
          SentTimestamp: z.string(),
          SequenceNumber: z.optional(z.string()),
          AWSTraceHeader: z.optional(z.string()),
          DeadLetterQueueSourceArn: z.optional(z.string()),
        }),
        messageAttributes: z.record(z.string(), SqsMessageAttributeSchema),
        md5OfBody: z.string(),
        md5OfMessageAttributes: z.optional(z.nullable(z.string())),
        eventSource: z.literal('aws:sqs'),
        eventSourceARN: z.string(),
        awsRegion: z.string(),
      }),
    )
    .check(z.minLength(1)),
}));

const SesRecordsFromEventBridge = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(SesEventBridgeEventSchema, z.transform((e): SesSendingEvent[] => [e.detail])));
const SesRecordsFromSns = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(SesViaSnsEventSchema, z.transform((e): SesSendingEvent[] => e.Records.map((r) => r.Sns.Message))));
const SesRecordsFromSqs = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(
  SesViaSqsEventSchema,
  z.transform((e): SesSendingEvent[] => e.Records.map((r) => ('Message' in r.body ? (r.body.Message as SesSendingEvent) : (r.body as SesSendingEvent)))),
));

/**
 * The SES records in an event from any route an operator may give SES sending events. The route
 * is told by the record's event source first, so a malformed event is reported against the shape
 * it claims to be rather than as "matches none of three".
 */
export function parseSesSendingEvents(event: unknown): ReturnType<typeof SesRecordsFromEventBridge.safeParse> {
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
export const SqsBatchSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  Records: z.array(z.looseObject({ messageId: z.string().check(z.minLength(1)), body: z.string() })),
}));
export type SqsBatch = z.infer<typeof SqsBatchSchema>;

// ---- Lambda function URLs (payload format 2.0) --------------------------------------------------

/** The fields of a function URL request the links read; the local HTTP server sends the same. */
export const FunctionUrlEventSchema = /* @__PURE__ */ builtOnFirstUse(() => z.looseObject({
  rawPath: z.string(),
  body: z.optional(z.string()),
  isBase64Encoded: z._default(z.boolean(), false),
  requestContext: z.looseObject({ http: z.looseObject({ method: z.string().check(z.minLength(1)) }) }),
}));
export type FunctionUrlEvent = z.infer<typeof FunctionUrlEventSchema>;

/** The issues of a failed parse, short enough for one log line. */
export function describeIssues(error: z.core.$ZodError, max = 10): string[] {
  return error.issues.slice(0, max).map((i) => `${i.path.join('.') || 'the event'}: ${i.message}`);
}
