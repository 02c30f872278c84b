// Baton's one DynamoDB table. This module alone knows its keys and indexes; the modules beside it
// (one per aggregate: series.ts, participants.ts, ledger.ts, …) build their items with `key` and
// read them with the helpers below, and index.ts composes them into the `Store`.
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
// | the studio's feed, newest first, paged| pk = SERIES#<id>, begins_with(sk, "FEED#"), backwards, Limit,   | table |
// |   (one pointer per feed response:     |   ExclusiveStartKey; then BatchGet of the responses' sks        |       |
// |   FEED#<receivedAt>#<id> -> its sk)   | pk = SERIES#<id>, sk = FEEDREADY: pointers were backfilled      |       |
// | participants by name / email prefix,  | pk = SERIES#<id>, begins_with(sk, "PEOPLE#name#<folded prefix>")| table |
// |   paged (pointers to the participant, |   or "PEOPLE#email#<prefix>", Limit, ExclusiveStartKey; then    |       |
// |   kept by enrol and unenrol)          |   BatchGet; sk = PEOPLEREADY: pointers were backfilled          |       |
// | a schedule group's members (pointers  | pk = GROUP#<id>#<zone>#<own week or "">, begins_with(sk,        | table |
// |   kept by enrol, status, unenrol)     |   "MEMBER#<workStart>#") (or "MEMBER#" for a zone's roll-up);   |       |
// |                                       |   pk = SERIES#<id>, sk = GROUPREADY: pointers were backfilled   |       |
// | a participant's grid levels (kept by  | pk = SERIES#<id>, sk = LEVELS#<email>  (conditional max Update; |       |
// |   putResponse / withdrawResponse)     |   BatchGet for a page of people)                                |       |
// |   and what the overview counts of     |   (the same item holds the person's facts, core/tallies.ts:     |       |
// |   them (facts, tallies.ts)            |   sent, follow-ups, weeks, zone, team, status; rev-guarded Put) |       |
// | the overview's running totals         | pk = SERIES#<id>, sk = TALLY  (ADD on each facts change; Get)   | table |
// | not engaged yet, by name, paged       | pk = SERIES#<id>, begins_with(sk, "QUIET#"), Limit             | table |
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
// | training edits made in the studio    | pk = SERIES#<id>, begins_with(sk, "EDIT#"), or one by id       | table |
// |   (the publish worker claims one with |   (conditional Update on its state)                             |       |
// |   a conditional update)               |                                                                 |       |
// | the account's send pace (GCRA)        | pk = PACE#<name>, sk = PACE          (conditional Update, Get)  | table |
// | replies that need a look / need you   | pk = SERIES#<id>, begins_with(sk, "NEEDSLOOK#"), or one by id   | table |
// | series a trainer runs (studio sign-in)| gsi1pk = EMAIL#<email>, begins_with(gsi1sk, "TRAINER#")         | gsi1  |
// |   (one pointer per trainer, written   |   item: pk = SERIES#<id>, sk = TRAINER#<email>                  |       |
// |   by publish)                         |                                                                 |       |
// | studio sign-in nonce (TTL, single use)| pk = SIGNIN#<nonce>, sk = SIGNIN   (Put; conditional Update)    | table |
//
// Every read that grows with a series is a Query on that series' partition (or, for a schedule
// group's members, on that group's own partition), paginated to the end; nothing here ever Scans. Items are parsed with zod on read, so an item written by hand or by an
// older version fails loudly with its key instead of travelling on as a wrong type.
//
// Why participants are addressed by their short key rather than by email: a reply token carries
// `participantKey(seriesId, email)`, and putting that key in the sort key makes both look-ups
// (by email: compute the key; by token: use it) one strongly consistent GetItem, without a second
// pointer item per participant and without depending on an eventually consistent index while a
// reply to a just-sent email is processed. The price is a collision check at enrollment.
// Responses cannot do the same (their sort key leads with the training so a training's responses
// are one Query), so a small pointer item per response maps its short key to its sort key.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
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
import * as z from 'zod/mini';
import { tableDefinition } from '#contract/table-definition';
import type { Instant } from '#core/records';
import { countRequests, type RequestCounts } from './client.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

// ---------------------------------------------------------------------------------------------
// Keys

export const { partitionKey: PK, sortKey: SK } = tableDefinition;
export const GSI = tableDefinition.gsi1;
export const TTL = tableDefinition.timeToLiveAttribute;

export const key = {
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
  feedSk: (cursor: string) => `FEED#${cursor}`,
  feedCursor: (receivedAt: string, id: string) => `${receivedAt}#${id}`,
  feedReadySk: 'FEEDREADY',
  /** A participant by name (`name`, sort-folded: lower case, no accents) or by `email`, for the studio's pages and search. */
  peopleSk: (by: 'name' | 'email', rest: string) => `PEOPLE#${by}#${rest}`,
  peopleReadySk: 'PEOPLEREADY',
  /** Per participant, the grid level reached per training, as attributes `lvl#<slug>`. */
  levelsSk: (email: string) => `LEVELS#${email}`,
  levelAttribute: (slug: string) => `lvl#${slug}`,
  /** The overview's running totals of a series (one item, a counter per attribute `c#<name>`, kept with ADD). */
  tallySk: 'TALLY',
  tallyAttribute: (name: string) => `c#${name}`,
  /** A person not engaged yet (core/tallies.ts isQuiet), by folded name, for the overview's list. */
  quietSk: (foldedName: string, email: string) => `QUIET#${foldedName}#${email}`,
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
  studioEditSk: (id: string) => `EDIT#${id}`,
  needsLookSk: (id: string) => `NEEDSLOOK#${id}`,
  trainerSk: (email: string) => `TRAINER#${email}`,
  trainerGsiSk: (seriesId: string) => `TRAINER#${seriesId}`,
  signIn: (nonce: string) => `SIGNIN#${nonce}`,
  signInSk: 'SIGNIN',
  pace: (name: string) => `PACE#${name}`,
  paceSk: 'PACE',
  /**
   * A schedule group's members: one partition per (series, zone, own working week) — the week key
   * is empty for the series' week — and one pointer per member, `MEMBER#<workStart>#<email>`, so a
   * training group (zone + start) and a roll-up group (zone, every start) are each one Query.
   */
  group: (seriesId: string, timeZone: string, workDays: string) => `GROUP#${seriesId}#${timeZone}#${workDays}`,
  memberSk: (workStart: string, email: string) => `MEMBER#${workStart}#${email}`,
  membersSk: 'MEMBER#',
  groupReadySk: 'GROUPREADY',
};

/** What every item carries; each aggregate's item schema extends it with the domain schema. */
export const KeysSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({ [PK]: z.string(), [SK]: z.string() }));

export type Item = Record<string, unknown>;
export type WriteRequest = { PutRequest: { Item: Item } } | { DeleteRequest: { Key: Item } };

/** Raised when an item read from the table does not have the shape this module writes. */
export class MalformedItemError extends Error {
  override name = 'MalformedItemError';
}

// ---------------------------------------------------------------------------------------------

export const toIso = (value: Instant, what: string): string => {
  const date = typeof value === 'string' ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) throw new Error(`${what} must be a valid instant, got ${String(value)}`);
  return date.toISOString();
};

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const chunk = <T>(items: T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/** How names sort and are searched: lower case, accents off (so "Émile" sorts and is found as "emile"). */
export const foldName = (name: string) => name.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().trim();

/** Runs `work` over `items` with at most `limit` in flight. */
export async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
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

// ---------------------------------------------------------------------------------------------
// The table as the aggregates use it

/** The commands the store sends; nothing else (no Scan, no transactions: test/infra/iam.test.ts). */
export type TableCommand = QueryCommand | GetCommand | PutCommand | UpdateCommand | DeleteCommand | BatchWriteCommand | BatchGetCommand;

export type Table = ReturnType<typeof openTable>;

export function openTable(options: {
  client: DynamoDBClient;
  tableName: string;
  /** Called before every request with its operation name (Query, PutItem, …). */
  onRequest?: (operation: string) => void;
}) {
  const { tableName } = options;
  const doc = DynamoDBDocumentClient.from(options.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  // A document client shares its client's middleware stack, and several stores may share one
  // client (a test's copies of a table, the local stack's ledger): counting on a copy of the stack
  // gives each store its own count and leaves the caller's client as it was. Middleware the caller
  // added to the client before this point (a test's recorder) is copied along.
  const stack = options.client.middlewareStack.clone();
  const requests: RequestCounts = countRequests(stack, options.onRequest);
  // The document client's commands marshal before they reach the client's stack, so the stack's
  // input type differs on paper only.
  doc.middlewareStack = stack as unknown as typeof doc.middlewareStack;

  // send() is overloaded per command class; each caller names the output shape it reads.
  const send = async <O>(command: TableCommand): Promise<O> => (await doc.send(command as QueryCommand)) as O;

  function parse<S extends z.ZodMiniType>(schema: S, item: Item, what: string): z.infer<S> {
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

  /** Every page of a Query; with `Limit`, the first `Limit` items (a page may hold fewer). */
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
    } while (startKey && (input.Limit === undefined || items.length < input.Limit));
    return input.Limit === undefined ? items : items.slice(0, input.Limit);
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

  /** The item without what only the table needs (keys, index keys, itemType). */
  const strip = <T extends Item>(item: T, ...fields: string[]): T => {
    const copy: Item = { ...item };
    for (const field of [PK, SK, GSI.partitionKey, GSI.sortKey, 'itemType', ...fields]) delete copy[field];
    return copy as T;
  };

  return { tableName, requests, send, parse, malformed, queryAll, queryPrefix, queryIndexPrefix, getItem, batchWrite, batchGet, strip };
}
