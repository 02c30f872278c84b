// Baton's one DynamoDB table. This module alone knows its keys and indexes; everything else
// calls the functions of the `Store` it returns.
//
// Access patterns (pk/sk on the table, gsi1pk/gsi1sk on index gsi1):
//
// | pattern                               | key condition                                                   | index |
// | ------------------------------------- | --------------------------------------------------------------- | ----- |
// | series + its trainings (one Query)    | pk = SERIES#<id>, begins_with(sk, "SERIES")                     | table |
// | series id from its short key          | gsi1pk = SERIESKEY#<seriesKey>                                  | gsi1  |
// | one compiled template                 | pk = SERIES#<id>, sk = TEMPLATE#<name>            (GetItem)     | table |
// | compiled templates of a series        | pk = SERIES#<id>, begins_with(sk, "TEMPLATE#<prefix>")          | table |
// | participants of a series              | pk = SERIES#<id>, begins_with(sk, "PARTICIPANT#")               | table |
// | one participant, by email or by key   | pk = SERIES#<id>, sk = PARTICIPANT#<participantKey> (GetItem)   | table |
// | series a person is enrolled in        | gsi1pk = EMAIL#<email>, begins_with(gsi1sk, "PARTICIPANT#")     | gsi1  |
// | responses of a series / of a training | pk = SERIES#<id>, begins_with(sk, "RESPONSE#[<trainingSlug>#]") | table |
// | responses of one participant          | gsi1pk = EMAIL#<email>, begins_with(gsi1sk, "RESPONSE#<id>#")   | gsi1  |
// | a response from its short key         | pk = SERIES#<id>, sk = RESPONSEKEY#<key> -> the response's sk   | table |
// | delivery ledger (claim, complete,     | pk = SERIES#<id>, sk = DELIVERY#<emailId>           (UpdateItem)| table |
// |   accepted by SES)                    |                                                                 |       |
// | deliveries of a series [by prefix]    | pk = SERIES#<id>, begins_with(sk, "DELIVERY#<prefix>")          | table |
// | schedule records of a series          | pk = SERIES#<id>, begins_with(sk, "SCHEDULE#")                  | table |
// | pending schedules, all series (clock) | gsi1pk = SCHEDULES#pending, gsi1sk <= <at>   (sparse index)     | gsi1  |
// | failed schedules, all series (dlq)    | gsi1pk = SCHEDULES#failed                    (sparse index)     | gsi1  |
// | suppressed address                    | pk = SUPPRESSION#<email>, sk = SUPPRESSION  (Get / BatchGet)    | table |
// | inbound message id seen (TTL)         | pk = INBOUND#<messageId>, sk = INBOUND      (conditional Put)   | table |
// | daily quota counter (TTL)             | pk = QUOTA#<counter>, sk = QUOTA         (conditional Update)   | table |
// | calendar sequences of a series        | pk = SERIES#<id>, begins_with(sk, "CALENDAR#")                 | table |
//
// Every read that grows with a series is a Query on that series' partition, paginated to the end;
// nothing here ever Scans. Items are parsed with zod on read, so an item written by hand or by an
// older version fails loudly with its key instead of travelling on as a wrong type.
//
// Why participants are addressed by their short key rather than by email: a reply token carries
// `participantKey(seriesId, email)`, and putting that key in the sort key makes both look-ups
// (by email: compute the key; by token: use it) one strongly consistent GetItem, without a second
// pointer item per participant and without depending on an eventually consistent index while a
// reply to a just-sent email is processed. The price is a collision check at enrollment.
// Responses cannot do the same (their sort key leads with the training so a training's responses
// are one Query), so a small pointer item per response maps its short key to its sort key.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import {
  EmailSchema,
  ParticipantSchema,
  ResponseSchema,
  SeriesSchema,
  TrainingSchema,
  type Participant,
  type Response,
  type Series,
  type Training,
} from '#core/model';
import { participantKey, responseKey, seriesKey } from '#core/short-key';
import { ScheduleRecordSchema, type ScheduleRecord } from '#core/schedule-plan';
import { tableDefinition } from '#contract/table-definition';

// ---------------------------------------------------------------------------------------------
// Public types

/** An instant given to the store: a Date or an ISO 8601 string. Stored as ISO strings. */
export type Instant = Date | string;

export interface PublishedSeries {
  series: Series;
  /** Ordered by `order`. */
  trainings: Training[];
  publishedAt: string;
  version: number;
}

export const ParticipantStatusSchema = z.object({
  unsubscribedAt: z.iso.datetime().optional(),
  bouncedAt: z.iso.datetime().optional(),
  /** Reminders pause until this instant (from an out-of-office auto-reply). */
  outOfOfficeUntil: z.iso.datetime().optional(),
  /** They turned calendar entries off with the footer link: the emails come without them. */
  calendarsOffAt: z.iso.datetime().optional(),
});
export type ParticipantStatus = z.infer<typeof ParticipantStatusSchema>;

export type StoredParticipant = Participant &
  ParticipantStatus & {
    /** `participantKey(seriesId, email)`, what reply tokens carry. */
    key: string;
  };

/** A status change: an instant sets the field, null clears it, undefined leaves it alone. */
export type ParticipantStatusPatch = {
  [K in keyof ParticipantStatus]?: Instant | null;
};

export const SuppressionSchema = z.object({
  email: EmailSchema,
  reason: z.string(),
  at: z.iso.datetime(),
});
export type Suppression = z.infer<typeof SuppressionSchema>;

export type ClaimResult = 'claimed' | 'already-sent' | 'in-flight';

export const DeliverySchema = z.object({
  emailId: z.string().min(1),
  status: z.enum(['claimed', 'sent']),
  /** How many times it was claimed; above 1 means a sender died or gave up mid-send. */
  attempts: z.number().int().min(1),
  claimedAt: z.iso.datetime(),
  /** Epoch milliseconds; a claim whose lease has passed may be taken over. */
  leaseUntil: z.number().optional(),
  sesMessageId: z.string().optional(),
  sentAt: z.iso.datetime().optional(),
  lastError: z.string().optional(),
  /** Marked sent by SES's Send event, before (or instead of) its sender's completion. */
  acceptedBySes: z.boolean().optional(),
});
export type Delivery = z.infer<typeof DeliverySchema>;

export { ScheduleRecordSchema, type ScheduleRecord };

/**
 * A training's calendar as participants were last told it: its window and the SEQUENCE its events
 * carry. Kept after the training is removed, so its cancellation repeats what was announced and
 * a training added back later continues above the cancellation's SEQUENCE.
 */
export const CalendarStateSchema = z.object({
  slug: z.string().min(1),
  order: z.number().int().min(0),
  title: z.string().min(1),
  author: z.string().min(1),
  opens: z.string(),
  closes: z.string(),
  sequence: z.number().int().min(0),
  /** When the window last moved or the training was removed: the update / cancel job's time. */
  changedAt: z.iso.datetime().optional(),
  removedAt: z.iso.datetime().optional(),
});
export type CalendarState = z.infer<typeof CalendarStateSchema>;

export interface Store {
  readonly tableName: string;
  /** Requests sent to DynamoDB by this store, in total and by operation (Query, GetItem, BatchWriteItem, …). */
  readonly requests: { total: number; byOperation: Record<string, number> };

  putSeries(series: Series, trainings: Training[], meta: { publishedAt: Instant; version: number }): Promise<void>;
  getSeries(seriesId: string): Promise<PublishedSeries | undefined>;
  findSeriesByKey(key: string): Promise<string | undefined>;

  putTemplate(seriesId: string, name: string, value: string): Promise<void>;
  getTemplate(seriesId: string, name: string): Promise<string | undefined>;
  getTemplates(seriesId: string, namePrefix?: string): Promise<Map<string, string>>;
  /** Deletes the series' templates whose names are not in `keep`; returns the deleted names. */
  pruneTemplates(seriesId: string, keep: Iterable<string>): Promise<string[]>;

  putParticipants(seriesId: string, participants: Participant[]): Promise<void>;
  listParticipants(seriesId: string): Promise<StoredParticipant[]>;
  getParticipant(seriesId: string, email: string): Promise<StoredParticipant | undefined>;
  findParticipantByKey(seriesId: string, key: string): Promise<StoredParticipant | undefined>;
  setParticipantStatus(
    seriesId: string,
    email: string,
    patch: ParticipantStatusPatch,
  ): Promise<StoredParticipant | undefined>;
  setUnsubscribed(seriesId: string, email: string, at: Instant | null): Promise<StoredParticipant | undefined>;
  setBounced(seriesId: string, email: string, at: Instant | null): Promise<StoredParticipant | undefined>;
  setOutOfOffice(seriesId: string, email: string, until: Instant | null): Promise<StoredParticipant | undefined>;
  /** True when there was such a participant. */
  removeParticipant(seriesId: string, email: string): Promise<boolean>;
  /** Ids of the series this address is enrolled in (eventually consistent: an index). */
  listSeriesOfParticipant(email: string): Promise<string[]>;

  suppress(email: string, reason: string, at: Instant): Promise<void>;
  isSuppressed(email: string): Promise<boolean>;
  getSuppression(email: string): Promise<Suppression | undefined>;
  /** The suppressed ones among `emails`, in BatchGet requests of 100. */
  suppressedAmong(emails: Iterable<string>): Promise<Set<string>>;

  putResponse(response: Response): Promise<{ stored: boolean }>;
  /**
   * Bulk load of responses (restores, migrations, benchmarks): BatchWrite, no duplicate check.
   * Replies never come through here; they use putResponse.
   */
  importResponses(responses: Response[]): Promise<void>;
  /** Bulk load of delivery records already sent (restores, benchmarks). */
  importDeliveries(seriesId: string, deliveries: Delivery[]): Promise<void>;
  listResponses(seriesId: string, filter?: { trainingSlug?: string }): Promise<Response[]>;
  listResponsesByParticipant(seriesId: string, email: string): Promise<Response[]>;
  findResponseByKey(seriesId: string, key: string): Promise<Response | undefined>;

  claimDelivery(seriesId: string, emailId: string, options: { now: Date; leaseMs: number }): Promise<ClaimResult>;
  completeDelivery(seriesId: string, emailId: string, result: { sesMessageId: string; sentAt: Instant }): Promise<void>;
  /** Gives a claim back after a failed send so the next attempt need not wait for the lease. */
  releaseDelivery(seriesId: string, emailId: string, options?: { error?: string }): Promise<void>;
  /**
   * SES's side of the ledger: SES accepted a message for this delivery (its Send event, or the
   * local SES proxy). Marks the claim sent, so a sender that died before completing it is not
   * followed by a second send. False when there was no claim to mark (already sent, or unknown).
   */
  recordAccepted(seriesId: string, emailId: string, accepted: { sesMessageId: string; at: Instant }): Promise<boolean>;
  /** The deliveries among `emailIds` already sent, in BatchGet requests of 100 (a rerun skips them without a write each). */
  sentAmong(seriesId: string, emailIds: Iterable<string>): Promise<Set<string>>;
  listDeliveries(seriesId: string, emailIdPrefix?: string): Promise<Delivery[]>;

  /** True the first time this message id is recorded (and again after its TTL has passed). */
  recordInboundMessage(messageId: string, options: { seriesId?: string; at: Date; ttlDays: number }): Promise<boolean>;
  /**
   * Counts `memberId` into the set `counter` unless that would take it past `limit`: true when it
   * is in (now or already: the same member never counts twice, so a retry passes again), false
   * when the limit is reached. One conditional UpdateItem, so parallel callers cannot overshoot.
   */
  takeQuota(counter: string, memberId: string, options: { limit: number; at: Date; ttlDays: number }): Promise<boolean>;

  putSchedule(seriesId: string, record: ScheduleRecord): Promise<void>;
  listSchedules(seriesId: string): Promise<Array<ScheduleRecord & { seriesId: string }>>;
  deleteSchedule(seriesId: string, name: string): Promise<void>;
  /** Pending schedules of every series due at or before `until` (all when absent), earliest first. */
  listPendingSchedules(options?: { until?: Instant }): Promise<Array<ScheduleRecord & { seriesId: string }>>;
  /** Schedules of every series the local clock gave up on (the local dead-letter queue), earliest first. */
  listFailedSchedules(): Promise<Array<ScheduleRecord & { seriesId: string }>>;

  /** Every training's calendar state, removed ones included, by order then slug. */
  getCalendars(seriesId: string): Promise<CalendarState[]>;
  putCalendars(seriesId: string, states: CalendarState[]): Promise<void>;
}

/** Raised when an item read from the table does not have the shape this module writes. */
export class MalformedItemError extends Error {
  override name = 'MalformedItemError';
}

// ---------------------------------------------------------------------------------------------
// The client

/**
 * A DynamoDB client for AWS (no endpoint: region and credentials from the environment) or for a
 * local endpoint such as dynalite (dummy credentials, region "local"). Create one per module.
 */
export function createDynamoClient(options: { endpoint?: string; region?: string } = {}): DynamoDBClient {
  // The SDK warns once per process that it will soon need Node 22; Lambdas run 22, and on the
  // Node 20 development machines the warning is noise in every CLI run and test.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (options.endpoint) {
    return new DynamoDBClient({
      endpoint: options.endpoint,
      region: options.region ?? 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }
  return new DynamoDBClient(options.region ? { region: options.region } : {});
}

// ---------------------------------------------------------------------------------------------
// Keys

const { partitionKey: PK, sortKey: SK } = tableDefinition;
const GSI = tableDefinition.gsi1;
const TTL = tableDefinition.timeToLiveAttribute;

const key = {
  series: (seriesId: string) => `SERIES#${seriesId}`,
  seriesSk: 'SERIES',
  trainingSk: (slug: string) => `SERIES#TRAINING#${slug}`,
  seriesKeyGsi: (k: string) => `SERIESKEY#${k}`,
  templateSk: (name: string) => `TEMPLATE#${name}`,
  participantSk: (k: string) => `PARTICIPANT#${k}`,
  emailGsi: (email: string) => `EMAIL#${email}`,
  participantGsiSk: (seriesId: string) => `PARTICIPANT#${seriesId}`,
  responseSk: (slug: string, id: string) => `RESPONSE#${slug}#${id}`,
  responseKeySk: (k: string) => `RESPONSEKEY#${k}`,
  responseGsiSk: (seriesId: string, receivedAt: string, id: string) => `RESPONSE#${seriesId}#${receivedAt}#${id}`,
  deliverySk: (emailId: string) => `DELIVERY#${emailId}`,
  scheduleSk: (name: string) => `SCHEDULE#${name}`,
  pendingSchedulesGsi: 'SCHEDULES#pending',
  failedSchedulesGsi: 'SCHEDULES#failed',
  scheduleGsiSk: (at: string, seriesId: string, name: string) => `${at}#${seriesId}#${name}`,
  suppression: (email: string) => `SUPPRESSION#${email}`,
  suppressionSk: 'SUPPRESSION',
  inbound: (messageId: string) => `INBOUND#${messageId}`,
  inboundSk: 'INBOUND',
  quota: (counter: string) => `QUOTA#${counter}`,
  quotaSk: 'QUOTA',
  calendarSk: (slug: string) => `CALENDAR#${slug}`,
};

// ---------------------------------------------------------------------------------------------
// Item schemas: the domain schema plus what only the item carries.

const KeysSchema = z.object({ [PK]: z.string(), [SK]: z.string() });

const SeriesItemSchema = KeysSchema.extend({
  itemType: z.literal('series'),
  series: SeriesSchema,
  publishedAt: z.iso.datetime(),
  version: z.number().int(),
});
const TrainingItemSchema = KeysSchema.extend({ itemType: z.literal('training'), training: TrainingSchema });
const TemplateItemSchema = KeysSchema.extend({
  itemType: z.literal('template'),
  name: z.string(),
  /** gzip: compiled HTML is 50–150 KB and compresses ~10×, far from the 400 KB item limit. */
  gzip: z.instanceof(Uint8Array),
});
const ParticipantItemSchema = KeysSchema.extend(ParticipantSchema.shape)
  .extend(ParticipantStatusSchema.shape)
  .extend({ itemType: z.literal('participant'), seriesId: z.string(), key: z.string() });
const ResponseItemSchema = KeysSchema.extend(ResponseSchema.shape).extend({ itemType: z.literal('response') });
const ResponseKeyItemSchema = KeysSchema.extend({ itemType: z.literal('response-key'), responseSk: z.string() });
const DeliveryItemSchema = KeysSchema.extend(DeliverySchema.shape).extend({ itemType: z.literal('delivery') });
const ScheduleItemSchema = KeysSchema.extend({
  itemType: z.literal('schedule'),
  seriesId: z.string(),
  name: z.string().min(1),
  at: z.iso.datetime(),
  // JSON text, so the job comes back exactly as given (no DynamoDB type mapping of numbers, sets…).
  jobJson: z.string(),
  state: ScheduleRecordSchema.shape.state,
  cron: ScheduleRecordSchema.shape.cron,
  attempts: ScheduleRecordSchema.shape.attempts,
  lastError: ScheduleRecordSchema.shape.lastError,
});
const SuppressionItemSchema = KeysSchema.extend(SuppressionSchema.shape).extend({ itemType: z.literal('suppression') });
const CalendarItemSchema = KeysSchema.extend(CalendarStateSchema.shape).extend({ itemType: z.literal('calendar') });

type Item = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------

const toIso = (value: Instant, what: string): string => {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`${what} must be a valid instant, got ${String(value)}`);
  return date.toISOString();
};

const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const chunk = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** Runs `work` over `items` with at most `limit` in flight. */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const BATCH_WRITE_SIZE = 25;
const BATCH_GET_SIZE = 100;
const BATCH_CONCURRENCY = 4;
const MAX_UNPROCESSED_ROUNDS = 10;

export function createStore(options: {
  client: DynamoDBClient;
  tableName: string;
  /** Called before every request with its operation name (Query, PutItem, …). */
  onRequest?: (operation: string) => void;
}): Store {
  const { tableName, onRequest } = options;
  const doc = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const requests = { total: 0, byOperation: {} as Record<string, number> };

  // Every request goes through here so a benchmark can count what a report cost.
  type AnyCommand =
    | QueryCommand
    | GetCommand
    | PutCommand
    | UpdateCommand
    | DeleteCommand
    | BatchWriteCommand
    | BatchGetCommand;
  // Counted under DynamoDB's operation names (as on the bill and in CloudWatch), found by class
  // rather than constructor.name, which a minifying bundler may rename.
  const operationOf = (command: AnyCommand): string =>
    command instanceof QueryCommand
      ? 'Query'
      : command instanceof GetCommand
        ? 'GetItem'
        : command instanceof PutCommand
          ? 'PutItem'
          : command instanceof UpdateCommand
            ? 'UpdateItem'
            : command instanceof DeleteCommand
              ? 'DeleteItem'
              : command instanceof BatchWriteCommand
                ? 'BatchWriteItem'
                : 'BatchGetItem';
  const send = async <O>(command: AnyCommand): Promise<O> => {
    const name = operationOf(command);
    requests.total++;
    requests.byOperation[name] = (requests.byOperation[name] ?? 0) + 1;
    onRequest?.(name);
    // send() is overloaded per command class; each caller names the output shape it reads.
    return (await doc.send(command as QueryCommand)) as O;
  };

  function parse<S extends z.ZodType>(schema: S, item: Item, what: string): z.infer<S> {
    const result = schema.safeParse(item);
    if (result.success) return result.data;
    const problems = result.error.issues
      .map((issue) => `${issue.path.map(String).join('.') || '(item)'}: ${issue.message}`)
      .join('; ');
    throw malformed(item, what, problems);
  }

  function malformed(item: Item, what: string, problems: string): MalformedItemError {
    return new MalformedItemError(
      `DynamoDB table ${tableName}: the item ${PK}=${JSON.stringify(item[PK])} ${SK}=${JSON.stringify(item[SK])} ` +
        `is not a valid ${what} (${problems}). It was not written by this version of Baton's data layer; ` +
        `fix or delete that item, or re-publish / re-enroll to rewrite it.`,
    );
  }

  async function queryAll(input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await send<{ Items?: Item[]; LastEvaluatedKey?: Record<string, unknown> }>(
        new QueryCommand({
          TableName: tableName,
          // The base table can answer strongly consistent reads; an index cannot.
          ConsistentRead: input.IndexName ? undefined : true,
          ...input,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  const queryPrefix = (pk: string, skPrefix: string, extra: Partial<QueryCommandInput> = {}) =>
    queryAll({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ...extra,
      ExpressionAttributeNames: { '#pk': PK, '#sk': SK, ...extra.ExpressionAttributeNames },
      ExpressionAttributeValues: { ':pk': pk, ':prefix': skPrefix, ...extra.ExpressionAttributeValues },
    });

  const queryIndexPrefix = (gsiPk: string, gsiSkPrefix: string) =>
    queryAll({
      IndexName: GSI.indexName,
      KeyConditionExpression: '#gpk = :gpk AND begins_with(#gsk, :prefix)',
      ExpressionAttributeNames: { '#gpk': GSI.partitionKey, '#gsk': GSI.sortKey },
      ExpressionAttributeValues: { ':gpk': gsiPk, ':prefix': gsiSkPrefix },
    });

  async function getItem(pk: string, sk: string): Promise<Item | undefined> {
    const out = await send<{ Item?: Item }>(
      new GetCommand({ TableName: tableName, Key: { [PK]: pk, [SK]: sk }, ConsistentRead: true }),
    );
    return out.Item;
  }

  type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

  /** BatchWrite in chunks of 25, retrying what DynamoDB leaves unprocessed (throttling) with backoff. */
  async function batchWrite(writes: WriteRequest[]): Promise<void> {
    await pool(chunk(writes, BATCH_WRITE_SIZE), BATCH_CONCURRENCY, async (batch) => {
      let pending: WriteRequest[] = batch;
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_UNPROCESSED_ROUNDS) {
          throw new Error(
            `DynamoDB table ${tableName} left ${pending.length} writes unprocessed after ${round} attempts ` +
              `(throttled?). Retry the operation; it is safe to repeat.`,
          );
        }
        if (round > 0) await sleep(Math.min(50 * 2 ** round, 2000));
        const out = await send<{ UnprocessedItems?: Record<string, WriteRequest[]> }>(
          new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
        );
        pending = out.UnprocessedItems?.[tableName] ?? [];
      }
    });
  }

  async function batchGet(keys: Item[]): Promise<Item[]> {
    const found: Item[] = [];
    await pool(chunk(keys, BATCH_GET_SIZE), BATCH_CONCURRENCY, async (batch) => {
      let pending: Item[] = batch;
      for (let round = 0; pending.length > 0; round++) {
        if (round >= MAX_UNPROCESSED_ROUNDS) {
          throw new Error(
            `DynamoDB table ${tableName} left ${pending.length} reads unprocessed after ${round} attempts ` +
              `(throttled?). Retry the operation.`,
          );
        }
        if (round > 0) await sleep(Math.min(50 * 2 ** round, 2000));
        const out = await send<{
          Responses?: Record<string, Item[]>;
          UnprocessedKeys?: Record<string, { Keys?: Item[] }>;
        }>(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true } } }));
        found.push(...(out.Responses?.[tableName] ?? []));
        pending = out.UnprocessedKeys?.[tableName]?.Keys ?? [];
      }
    });
    return found;
  }

  const strip = <T extends Item>(item: T, ...fields: string[]): T => {
    const copy: Item = { ...item };
    for (const field of [PK, SK, GSI.partitionKey, GSI.sortKey, 'itemType', ...fields]) delete copy[field];
    return copy as T;
  };

  // --- series -------------------------------------------------------------------------------

  async function putSeries(series: Series, trainings: Training[], meta: { publishedAt: Instant; version: number }) {
    const pk = key.series(series.id);
    const sk = seriesKey(series.id);
    const holders = (await queryIndexPrefix(key.seriesKeyGsi(sk), 'SERIES#')).filter((i) => i[PK] !== pk);
    if (holders.length > 0) {
      throw new Error(
        `Series id "${series.id}" has the same short key (${sk}) as the published series ` +
          `${holders.map((h) => String(h[PK]).slice('SERIES#'.length)).join(', ')}, so replies could not tell ` +
          `them apart. Choose a different series id.`,
      );
    }
    const existing = await queryPrefix(pk, key.seriesSk, { ProjectionExpression: '#sk, version' });
    const slugs = new Set(trainings.map((t) => t.slug));
    if (slugs.size !== trainings.length) throw new Error(`Series "${series.id}" has two trainings with the same slug.`);

    // The series item is the gate: a publisher holding an older version must not overwrite
    // trainings, so it goes first and conditionally.
    try {
      await send(
        new PutCommand({
          TableName: tableName,
          Item: {
            [PK]: pk,
            [SK]: key.seriesSk,
            [GSI.partitionKey]: key.seriesKeyGsi(sk),
            [GSI.sortKey]: pk,
            itemType: 'series',
            series,
            publishedAt: toIso(meta.publishedAt, 'publishedAt'),
            version: meta.version,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #version < :version',
          ExpressionAttributeNames: { '#pk': PK, '#version': 'version' },
          ExpressionAttributeValues: { ':version': meta.version },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = existing.find((i) => i[SK] === key.seriesSk)?.version;
      throw new Error(
        `Series "${series.id}" is already published at version ${String(current ?? '(concurrently written)')}; ` +
          `publishing version ${meta.version} would go backwards. Read it again and publish a higher version.`,
      );
    }

    const stale = existing
      .map((i) => String(i[SK]))
      .filter((s) => s.startsWith(key.trainingSk('')) && !slugs.has(s.slice(key.trainingSk('').length)));
    await batchWrite([
      ...trainings.map(
        (training): WriteRequest => ({
          PutRequest: { Item: { [PK]: pk, [SK]: key.trainingSk(training.slug), itemType: 'training', training } },
        }),
      ),
      ...stale.map((s): WriteRequest => ({ DeleteRequest: { Key: { [PK]: pk, [SK]: s } } })),
    ]);
  }

  async function getSeries(seriesId: string): Promise<PublishedSeries | undefined> {
    const items = await queryPrefix(key.series(seriesId), key.seriesSk);
    if (items.length === 0) return undefined;
    const head = items.find((i) => i[SK] === key.seriesSk);
    if (!head) {
      throw new MalformedItemError(
        `DynamoDB table ${tableName}: series "${seriesId}" has training items but no series item ` +
          `(${PK}=${key.series(seriesId)} ${SK}=${key.seriesSk}). Publish the series again to repair it.`,
      );
    }
    const { series, publishedAt, version } = parse(SeriesItemSchema, head, 'series');
    const trainings = items
      .filter((i) => i !== head)
      .map((i) => parse(TrainingItemSchema, i, 'training').training)
      .sort((a, b) => a.order - b.order);
    return { series, trainings, publishedAt, version };
  }

  async function findSeriesByKey(k: string): Promise<string | undefined> {
    const items = await queryIndexPrefix(key.seriesKeyGsi(k.toLowerCase()), 'SERIES#');
    const first = items[0];
    return first ? String(first[PK]).slice('SERIES#'.length) : undefined;
  }

  // --- templates ----------------------------------------------------------------------------

  async function putTemplate(seriesId: string, name: string, value: string) {
    await send(
      new PutCommand({
        TableName: tableName,
        Item: {
          [PK]: key.series(seriesId),
          [SK]: key.templateSk(name),
          itemType: 'template',
          name,
          gzip: new Uint8Array(gzipSync(value)),
        },
      }),
    );
  }

  const templateText = (item: Item) => {
    const { gzip } = parse(TemplateItemSchema, item, 'template');
    return gunzipSync(gzip).toString('utf8');
  };

  async function getTemplate(seriesId: string, name: string) {
    const item = await getItem(key.series(seriesId), key.templateSk(name));
    return item ? templateText(item) : undefined;
  }

  async function getTemplates(seriesId: string, namePrefix = '') {
    const items = await queryPrefix(key.series(seriesId), key.templateSk(namePrefix));
    return new Map(items.map((i) => [parse(TemplateItemSchema, i, 'template').name, templateText(i)]));
  }

  async function pruneTemplates(seriesId: string, keep: Iterable<string>) {
    const kept = new Set(keep);
    const pk = key.series(seriesId);
    const items = await queryPrefix(pk, key.templateSk(''), { ProjectionExpression: '#sk' });
    const names = items.map((i) => String(i[SK]).slice(key.templateSk('').length)).filter((n) => !kept.has(n));
    await batchWrite(names.map((n) => ({ DeleteRequest: { Key: { [PK]: pk, [SK]: key.templateSk(n) } } })));
    return names;
  }

  // --- participants -------------------------------------------------------------------------

  const toParticipant = (item: Item): StoredParticipant =>
    strip(parse(ParticipantItemSchema, item, 'participant'), 'seriesId') as StoredParticipant;

  async function putParticipants(seriesId: string, participants: Participant[]) {
    const pk = key.series(seriesId);
    const existing = new Map((await queryPrefix(pk, key.participantSk(''))).map((i) => [i[SK], toParticipant(i)]));
    const incoming = new Map<string, Participant>();
    for (const p of participants) {
      const email = p.email.toLowerCase();
      const sk = key.participantSk(participantKey(seriesId, email));
      const other = incoming.get(sk) ?? existing.get(sk);
      if (other && other.email !== email) {
        // 40-bit keys make this about one in ten million for a series of 1,000; refuse rather
        // than let one person's replies land on another.
        throw new Error(
          `Participants ${other.email} and ${email} of series "${seriesId}" share the reply key ` +
            `${participantKey(seriesId, email)}. Enroll one of them under another address.`,
        );
      }
      incoming.set(sk, { ...p, email });
    }
    const writes = [...incoming].map(([sk, p]): WriteRequest => {
      // Re-enrolling must not forget that someone unsubscribed or bounced.
      const before = existing.get(sk);
      const status: ParticipantStatus = before
        ? { unsubscribedAt: before.unsubscribedAt, bouncedAt: before.bouncedAt, outOfOfficeUntil: before.outOfOfficeUntil, calendarsOffAt: before.calendarsOffAt }
        : {};
      return {
        PutRequest: {
          Item: {
            [PK]: pk,
            [SK]: sk,
            [GSI.partitionKey]: key.emailGsi(p.email),
            [GSI.sortKey]: key.participantGsiSk(seriesId),
            itemType: 'participant',
            seriesId,
            key: participantKey(seriesId, p.email),
            email: p.email,
            name: p.name,
            timeZone: p.timeZone,
            workStart: p.workStart,
            ...(p.workDays ? { workDays: p.workDays } : {}),
            ...(p.calendars === false ? { calendars: false } : {}),
            ...status,
          },
        },
      };
    });
    await batchWrite(writes);
  }

  async function listParticipants(seriesId: string) {
    const items = await queryPrefix(key.series(seriesId), key.participantSk(''));
    return items.map(toParticipant).sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  }

  async function findParticipantByKey(seriesId: string, k: string) {
    const item = await getItem(key.series(seriesId), key.participantSk(k.toLowerCase()));
    return item ? toParticipant(item) : undefined;
  }

  async function getParticipant(seriesId: string, email: string) {
    const normalized = email.toLowerCase();
    const found = await findParticipantByKey(seriesId, participantKey(seriesId, normalized));
    return found?.email === normalized ? found : undefined;
  }

  async function setParticipantStatus(seriesId: string, email: string, patch: ParticipantStatusPatch) {
    const normalized = email.toLowerCase();
    const sets: string[] = [];
    const removes: string[] = [];
    const names: Record<string, string> = { '#pk': PK, '#email': 'email' };
    const values: Record<string, unknown> = { ':email': normalized };
    for (const field of ['unsubscribedAt', 'bouncedAt', 'outOfOfficeUntil', 'calendarsOffAt'] as const) {
      const value = patch[field];
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) removes.push(`#${field}`);
      else {
        sets.push(`#${field} = :${field}`);
        values[`:${field}`] = toIso(value, field);
      }
    }
    const pk = key.series(seriesId);
    const sk = key.participantSk(participantKey(seriesId, normalized));
    if (sets.length === 0 && removes.length === 0) return getParticipant(seriesId, normalized);
    try {
      const out = await send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: pk, [SK]: sk },
          UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
            .filter(Boolean)
            .join(' '),
          // Never create a half participant from a status change.
          ConditionExpression: 'attribute_exists(#pk) AND #email = :email',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? toParticipant(out.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async function removeParticipant(seriesId: string, email: string) {
    const normalized = email.toLowerCase();
    try {
      await send(
        new DeleteCommand({
          TableName: tableName,
          Key: { [PK]: key.series(seriesId), [SK]: key.participantSk(participantKey(seriesId, normalized)) },
          ConditionExpression: '#email = :email',
          ExpressionAttributeNames: { '#email': 'email' },
          ExpressionAttributeValues: { ':email': normalized },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async function listSeriesOfParticipant(email: string) {
    const items = await queryIndexPrefix(key.emailGsi(email.toLowerCase()), key.participantGsiSk(''));
    return items.map((i) => String(i[GSI.sortKey]).slice(key.participantGsiSk('').length));
  }

  // --- suppression --------------------------------------------------------------------------

  async function suppress(email: string, reason: string, at: Instant) {
    const normalized = email.toLowerCase();
    await send(
      new PutCommand({
        TableName: tableName,
        Item: {
          [PK]: key.suppression(normalized),
          [SK]: key.suppressionSk,
          itemType: 'suppression',
          email: normalized,
          reason,
          at: toIso(at, 'at'),
        },
      }),
    );
  }

  async function getSuppression(email: string) {
    const item = await getItem(key.suppression(email.toLowerCase()), key.suppressionSk);
    return item ? strip(parse(SuppressionItemSchema, item, 'suppression')) : undefined;
  }

  async function suppressedAmong(emails: Iterable<string>) {
    const unique = [...new Set([...emails].map((e) => e.toLowerCase()))];
    const items = await batchGet(unique.map((e) => ({ [PK]: key.suppression(e), [SK]: key.suppressionSk })));
    return new Set(items.map((i) => parse(SuppressionItemSchema, i, 'suppression').email));
  }

  // --- responses ----------------------------------------------------------------------------

  const toResponse = (item: Item): Response => strip(parse(ResponseItemSchema, item, 'response')) as Response;

  async function importResponses(responses: Response[]) {
    const writes: WriteRequest[] = [];
    for (const response of responses) {
      const r = ResponseSchema.parse(response);
      const pk = key.series(r.seriesId);
      const sk = key.responseSk(r.trainingSlug, r.id);
      writes.push(
        {
          PutRequest: {
            Item: {
              ...r,
              [PK]: pk,
              [SK]: sk,
              [GSI.partitionKey]: key.emailGsi(r.participantEmail),
              [GSI.sortKey]: key.responseGsiSk(r.seriesId, r.receivedAt, r.id),
              itemType: 'response',
            },
          },
        },
        { PutRequest: { Item: { [PK]: pk, [SK]: key.responseKeySk(responseKey(r.seriesId, r.id)), itemType: 'response-key', responseSk: sk } } },
      );
    }
    await batchWrite(writes);
  }

  async function importDeliveries(seriesId: string, deliveries: Delivery[]) {
    await batchWrite(
      deliveries.map((d) => ({
        PutRequest: { Item: { ...DeliverySchema.parse(d), [PK]: key.series(seriesId), [SK]: key.deliverySk(d.emailId), itemType: 'delivery' } },
      })),
    );
  }

  async function putResponse(response: Response) {
    const r = ResponseSchema.parse(response);
    const pk = key.series(r.seriesId);
    const sk = key.responseSk(r.trainingSlug, r.id);
    let stored = true;
    try {
      await send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...r,
            [PK]: pk,
            [SK]: sk,
            [GSI.partitionKey]: key.emailGsi(r.participantEmail),
            [GSI.sortKey]: key.responseGsiSk(r.seriesId, r.receivedAt, r.id),
            itemType: 'response',
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      stored = false;
    }
    // Written on duplicates too, so a crash between the two puts heals on the redelivery.
    await send(
      new PutCommand({
        TableName: tableName,
        Item: { [PK]: pk, [SK]: key.responseKeySk(responseKey(r.seriesId, r.id)), itemType: 'response-key', responseSk: sk },
      }),
    );
    return { stored };
  }

  const byReceived = (a: Response, b: Response) =>
    a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

  async function listResponses(seriesId: string, filter: { trainingSlug?: string } = {}) {
    const prefix = filter.trainingSlug ? key.responseSk(filter.trainingSlug, '') : 'RESPONSE#';
    const items = await queryPrefix(key.series(seriesId), prefix);
    return items.map(toResponse).sort(byReceived);
  }

  async function listResponsesByParticipant(seriesId: string, email: string) {
    const items = await queryIndexPrefix(key.emailGsi(email.toLowerCase()), `RESPONSE#${seriesId}#`);
    return items.map(toResponse);
  }

  async function findResponseByKey(seriesId: string, k: string) {
    const pk = key.series(seriesId);
    const pointer = await getItem(pk, key.responseKeySk(k.toLowerCase()));
    if (!pointer) return undefined;
    const { responseSk } = parse(ResponseKeyItemSchema, pointer, 'response key');
    const item = await getItem(pk, responseSk);
    return item ? toResponse(item) : undefined;
  }

  // --- delivery ledger ----------------------------------------------------------------------

  async function claimDelivery(seriesId: string, emailId: string, { now, leaseMs }: { now: Date; leaseMs: number }) {
    const Key = { [PK]: key.series(seriesId), [SK]: key.deliverySk(emailId) };
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression:
            'SET itemType = :type, emailId = :emailId, #status = :claimed, claimedAt = :claimedAt, ' +
            'leaseUntil = :leaseUntil, attempts = if_not_exists(attempts, :zero) + :one',
          // No item: first claim. A claim whose lease has run out: its sender died, take over.
          ConditionExpression: 'attribute_not_exists(#pk) OR (#status = :claimed AND leaseUntil <= :nowMs)',
          ExpressionAttributeNames: { '#pk': PK, '#status': 'status' },
          ExpressionAttributeValues: {
            ':type': 'delivery',
            ':emailId': emailId,
            ':claimed': 'claimed',
            ':claimedAt': now.toISOString(),
            ':leaseUntil': now.getTime() + leaseMs,
            ':nowMs': now.getTime(),
            ':zero': 0,
            ':one': 1,
          },
        }),
      );
      return 'claimed' as const;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const current = await getItem(Key[PK], Key[SK]);
    return current?.status === 'sent' ? ('already-sent' as const) : ('in-flight' as const);
  }

  async function completeDelivery(seriesId: string, emailId: string, result: { sesMessageId: string; sentAt: Instant }) {
    const Key = { [PK]: key.series(seriesId), [SK]: key.deliverySk(emailId) };
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key,
          UpdateExpression: 'SET #status = :sent, sesMessageId = :id, sentAt = :sentAt REMOVE leaseUntil, lastError, acceptedBySes',
          // Or SES's Send event recorded this very message first: the sender's clock still sets
          // sentAt (a simulated series runs on a virtual clock; the event only knows real time).
          ConditionExpression: '#status = :claimed OR (sesMessageId = :id AND acceptedBySes = :true)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':true': true,
            ':sent': 'sent',
            ':claimed': 'claimed',
            ':id': result.sesMessageId,
            ':sentAt': toIso(result.sentAt, 'sentAt'),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await getItem(Key[PK], Key[SK]);
      if (current?.status === 'sent' && current.sesMessageId === result.sesMessageId) return;
      throw new Error(
        current
          ? `Delivery ${emailId} of series "${seriesId}" was already completed with SES message ` +
              `${String(current.sesMessageId)}, not ${result.sesMessageId}: it was sent twice. Check that the ` +
              `lease (leaseMs) is longer than a send can take.`
          : `Delivery ${emailId} of series "${seriesId}" was never claimed; call claimDelivery before sending.`,
      );
    }
  }

  async function releaseDelivery(seriesId: string, emailId: string, options: { error?: string } = {}) {
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: key.series(seriesId), [SK]: key.deliverySk(emailId) },
          UpdateExpression: options.error ? 'SET leaseUntil = :zero, lastError = :error' : 'SET leaseUntil = :zero',
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':zero': 0,
            ':claimed': 'claimed',
            ...(options.error ? { ':error': options.error } : {}),
          },
        }),
      );
    } catch (error) {
      // Already sent or never claimed: there is nothing to give back.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async function recordAccepted(seriesId: string, emailId: string, accepted: { sesMessageId: string; at: Instant }) {
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: key.series(seriesId), [SK]: key.deliverySk(emailId) },
          // The sender's own completeDelivery, arriving after this with the same id, then passes
          // as a repeat; no claim (a message sent outside the ledger) is left alone.
          UpdateExpression: 'SET #status = :sent, sesMessageId = :id, sentAt = :sentAt, acceptedBySes = :true REMOVE leaseUntil, lastError',
          ConditionExpression: '#status = :claimed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':true': true, ':sent': 'sent', ':claimed': 'claimed', ':id': accepted.sesMessageId, ':sentAt': toIso(accepted.at, 'at') },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  async function sentAmong(seriesId: string, emailIds: Iterable<string>) {
    const unique = [...new Set(emailIds)];
    const items = await batchGet(unique.map((id) => ({ [PK]: key.series(seriesId), [SK]: key.deliverySk(id) })));
    return new Set(items.map((i) => parse(DeliveryItemSchema, i, 'delivery')).filter((d) => d.status === 'sent').map((d) => d.emailId));
  }

  async function listDeliveries(seriesId: string, emailIdPrefix = '') {
    const items = await queryPrefix(key.series(seriesId), key.deliverySk(emailIdPrefix));
    return items.map((i) => strip(parse(DeliveryItemSchema, i, 'delivery')) as Delivery);
  }

  // --- inbound message ids ------------------------------------------------------------------

  async function recordInboundMessage(messageId: string, options: { seriesId?: string; at: Date; ttlDays: number }) {
    const nowSeconds = Math.floor(options.at.getTime() / 1000);
    try {
      await send(
        new PutCommand({
          TableName: tableName,
          Item: {
            [PK]: key.inbound(messageId),
            [SK]: key.inboundSk,
            itemType: 'inbound',
            messageId,
            seriesId: options.seriesId,
            receivedAt: options.at.toISOString(),
            [TTL]: nowSeconds + Math.round(options.ttlDays * 86_400),
          },
          // DynamoDB deletes expired items up to days late (and dynalite never): treat them as gone.
          ConditionExpression: 'attribute_not_exists(#pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  // --- quotas ---------------------------------------------------------------------------------

  async function takeQuota(counter: string, memberId: string, options: { limit: number; at: Date; ttlDays: number }) {
    if (options.limit <= 0) return false;
    const nowSeconds = Math.floor(options.at.getTime() / 1000);
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: key.quota(counter), [SK]: key.quotaSk },
          UpdateExpression: 'ADD #members :member SET itemType = :type, #ttl = if_not_exists(#ttl, :ttl)',
          ConditionExpression: 'attribute_not_exists(#members) OR contains(#members, :id) OR size(#members) < :limit',
          ExpressionAttributeNames: { '#members': 'members', '#ttl': TTL },
          ExpressionAttributeValues: {
            ':member': new Set([memberId]),
            ':id': memberId,
            ':limit': options.limit,
            ':type': 'quota',
            ':ttl': nowSeconds + Math.round(options.ttlDays * 86_400),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  // --- schedules ----------------------------------------------------------------------------

  const toSchedule = (item: Item) => {
    const s = parse(ScheduleItemSchema, item, 'schedule');
    let job: unknown;
    try {
      job = JSON.parse(s.jobJson);
    } catch (error) {
      throw malformed(item, 'schedule', `jobJson: ${(error as Error).message}`);
    }
    return {
      seriesId: s.seriesId,
      name: s.name,
      at: s.at,
      job,
      state: s.state,
      ...(s.cron ? { cron: s.cron } : {}),
      ...(s.attempts !== undefined ? { attempts: s.attempts } : {}),
      ...(s.lastError !== undefined ? { lastError: s.lastError } : {}),
    };
  };

  async function putSchedule(seriesId: string, record: ScheduleRecord) {
    const r = ScheduleRecordSchema.parse(record);
    const at = toIso(r.at, 'at');
    await send(
      new PutCommand({
        TableName: tableName,
        Item: {
          [PK]: key.series(seriesId),
          [SK]: key.scheduleSk(r.name),
          // Only pending records are in the index, so the clock's Query reads nothing else; failed
          // ones are in it under their own key, the local dead-letter queue `baton dlq` reads.
          ...(r.state === 'pending'
            ? { [GSI.partitionKey]: key.pendingSchedulesGsi, [GSI.sortKey]: key.scheduleGsiSk(at, seriesId, r.name) }
            : r.state === 'failed'
              ? { [GSI.partitionKey]: key.failedSchedulesGsi, [GSI.sortKey]: key.scheduleGsiSk(at, seriesId, r.name) }
              : {}),
          itemType: 'schedule',
          seriesId,
          name: r.name,
          at,
          jobJson: JSON.stringify(r.job ?? null),
          state: r.state,
          cron: r.cron,
          attempts: r.attempts,
          lastError: r.lastError,
        },
      }),
    );
  }

  async function listSchedules(seriesId: string) {
    const items = await queryPrefix(key.series(seriesId), key.scheduleSk(''));
    return items.map(toSchedule).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async function deleteSchedule(seriesId: string, name: string) {
    await send(
      new DeleteCommand({ TableName: tableName, Key: { [PK]: key.series(seriesId), [SK]: key.scheduleSk(name) } }),
    );
  }

  async function listPendingSchedules(options: { until?: Instant } = {}) {
    const until = options.until === undefined ? undefined : toIso(options.until, 'until');
    const items = await queryAll({
      IndexName: GSI.indexName,
      // '$' sorts after '#', so every "<at>#…" with at <= until is included.
      KeyConditionExpression: until ? '#gpk = :gpk AND #gsk <= :until' : '#gpk = :gpk',
      ExpressionAttributeNames: { '#gpk': GSI.partitionKey, ...(until ? { '#gsk': GSI.sortKey } : {}) },
      ExpressionAttributeValues: { ':gpk': key.pendingSchedulesGsi, ...(until ? { ':until': `${until}$` } : {}) },
    });
    return items.map(toSchedule);
  }

  async function listFailedSchedules() {
    const items = await queryAll({
      IndexName: GSI.indexName,
      KeyConditionExpression: '#gpk = :gpk',
      ExpressionAttributeNames: { '#gpk': GSI.partitionKey },
      ExpressionAttributeValues: { ':gpk': key.failedSchedulesGsi },
    });
    return items.map(toSchedule);
  }

  // --- calendar sequences ---------------------------------------------------------------

  async function getCalendars(seriesId: string) {
    const items = await queryPrefix(key.series(seriesId), key.calendarSk(''));
    return items
      .map((i) => strip(parse(CalendarItemSchema, i, 'calendar')) as CalendarState)
      .sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
  }

  async function putCalendars(seriesId: string, states: CalendarState[]) {
    const pk = key.series(seriesId);
    await batchWrite(
      states.map((state): WriteRequest => {
        const c = CalendarStateSchema.parse(state);
        return { PutRequest: { Item: { [PK]: pk, [SK]: key.calendarSk(c.slug), itemType: 'calendar', ...c } } };
      }),
    );
  }

  return {
    tableName,
    requests,
    putSeries,
    getSeries,
    findSeriesByKey,
    putTemplate,
    getTemplate,
    getTemplates,
    pruneTemplates,
    putParticipants,
    listParticipants,
    getParticipant,
    findParticipantByKey,
    setParticipantStatus,
    setUnsubscribed: (s, e, at) => setParticipantStatus(s, e, { unsubscribedAt: at }),
    setBounced: (s, e, at) => setParticipantStatus(s, e, { bouncedAt: at }),
    setOutOfOffice: (s, e, until) => setParticipantStatus(s, e, { outOfOfficeUntil: until }),
    removeParticipant,
    listSeriesOfParticipant,
    suppress,
    isSuppressed: async (email) => (await getSuppression(email)) !== undefined,
    getSuppression,
    suppressedAmong,
    putResponse,
    importResponses,
    importDeliveries,
    listResponses,
    listResponsesByParticipant,
    findResponseByKey,
    claimDelivery,
    completeDelivery,
    releaseDelivery,
    recordAccepted,
    sentAmong,
    listDeliveries,
    recordInboundMessage,
    takeQuota,
    putSchedule,
    listSchedules,
    deleteSchedule,
    listPendingSchedules,
    listFailedSchedules,
    getCalendars,
    putCalendars,
  };
}
