// Responses: one item per reply, keyed by training so a training's responses are one Query, in
// the email index for a participant's own; a pointer item from each response's short key; and, for
// what the studio's feed shows, a pointer sorted by time so the feed reads one page, newest first.
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { ResponseSchema, type Response } from '#core/model';
import { responseKey } from '#core/short-key';
import { isFeedItem, isoWeek } from '#core/report';
import { raiseWithResponse, recomputeFromResponses } from '#core/tallies';
import type { ResponseRepository } from '#app/ports';
import type { TallyKeeper } from './tallies.ts';
import { GSI, isConditionFailure, key, KeysSchema, PK, SK, toIso, type Item, type Table, type WriteRequest } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const ResponseItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { ...ResponseSchema.shape, itemType: z.literal('response') }));
const ResponseKeyItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { itemType: z.literal('response-key'), responseSk: z.string() }));
const FeedItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { itemType: z.literal('feed'), responseSk: z.string() }));
/** Bumped when the feed's pointers change shape: every series then rebuilds them once. */
const FEED_VERSION = 1;

export function responseRepository(table: Table, tallies: TallyKeeper): ResponseRepository & { ensureFeed(seriesId: string, known?: { marker: Item | undefined }): Promise<boolean> } {
  const { tableName, send, parse, queryPrefix, queryIndexPrefix, getItem, batchGet, batchWrite, strip } = table;

  const toResponse = (item: Item): Response => strip(parse(ResponseItemSchema, item, 'response')) as Response;

  /** The feed's pointer to `r`, for the responses the feed shows (none for the others). */
  const feedPointer = (r: Response): Array<{ PutRequest: { Item: Item } }> =>
    isFeedItem(r)
      ? [{ PutRequest: { Item: { [PK]: key.series(r.seriesId), [SK]: key.feedSk(key.feedCursor(r.receivedAt, r.id)), itemType: 'feed', responseSk: key.responseSk(r.trainingSlug, r.id) } } }]
      : [];

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
        ...feedPointer(r),
      );
    }
    await batchWrite(writes);
    // A bulk load does not keep the grid's levels and the overview's counters: the next publish (or `baton recount`) rebuilds them.
    await tallies.markStale(responses.map((r) => r.seriesId));
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
    // Written on duplicates too, so a crash between the puts heals on the redelivery (each is
    // keyed by the response, so writing it again changes nothing).
    await send(
      new PutCommand({
        TableName: tableName,
        Item: { [PK]: pk, [SK]: key.responseKeySk(responseKey(r.seriesId, r.id)), itemType: 'response-key', responseSk: sk },
      }),
    );
    for (const pointer of feedPointer(r)) await send(new PutCommand({ TableName: tableName, Item: pointer.PutRequest.Item }));
    // What it raises, once: raising again changes nothing, so a redelivery also heals a crash before
    // this step, unless the stored one was withdrawn meanwhile (then it must not count).
    const counts = stored ? current(r) : (await getItem(pk, sk).then((i) => (i ? current(toResponse(i)) : false)));
    if (counts) await tallies.change(r.seriesId, r.participantEmail, (f) => raiseWithResponse(f, r));
    return { stored };
  }

  // The participants grid and the overview's counters: per person one item of what they reached
  // (tallies.ts). A new reply raises it; a withdrawal or a put-back recomputes that person's
  // training and week from their own responses.
  async function relevel(changed: Response) {
    // The email index is eventually consistent: the changed response counts as it now is.
    const theirs = (await listResponsesByParticipant(changed.seriesId, changed.participantEmail)).filter((r) => r.id !== changed.id);
    if (current(changed)) theirs.push(changed);
    await tallies.change(changed.seriesId, changed.participantEmail, (f) => recomputeFromResponses(f, theirs, changed.trainingSlug, isoWeek(changed.receivedAt.slice(0, 10))));
  }

  async function getLevels(seriesId: string, emails: Iterable<string>) {
    const items = await batchGet([...new Set(emails)].map((email) => ({ [PK]: key.series(seriesId), [SK]: key.levelsSk(email) })));
    const levels = new Map<string, Map<string, number>>();
    for (const item of items) {
      const email = String(item[SK]).slice(key.levelsSk('').length);
      const bySlug = new Map<string, number>();
      for (const [name, value] of Object.entries(item)) if (name.startsWith(key.levelAttribute('')) && typeof value === 'number') bySlug.set(name.slice(key.levelAttribute('').length), value);
      levels.set(email, bySlug);
    }
    return levels;
  }

  const byReceived = (a: Response, b: Response) =>
    a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

  // Withdrawn responses stay in the table (the record of what was said and corrected) but every
  // reader (digest, roll-up, wiki, reports, reminders) lists through here, so none of them shows one.
  const current = (r: Response) => r.withdrawnAt === undefined;

  async function listResponses(seriesId: string, filter: { trainingSlug?: string; includeWithdrawn?: boolean } = {}) {
    const prefix = filter.trainingSlug ? key.responseSk(filter.trainingSlug, '') : 'RESPONSE#';
    const items = await queryPrefix(key.series(seriesId), prefix);
    const all = items.map(toResponse).sort(byReceived);
    return filter.includeWithdrawn ? all : all.filter(current);
  }

  async function listResponsesByParticipant(seriesId: string, email: string) {
    const items = await queryIndexPrefix(key.emailGsi(email.toLowerCase()), `RESPONSE#${seriesId}#`);
    return items.map(toResponse).filter(current);
  }

  async function withdrawResponse(response: Pick<Response, 'seriesId' | 'trainingSlug' | 'id'>, change: { at: Date | string; replacedBy?: string } | null) {
    const names = { '#pk': PK, '#w': 'withdrawnAt', '#r': 'replacedBy' };
    const Key = { [PK]: key.series(response.seriesId), [SK]: key.responseSk(response.trainingSlug, response.id) };
    try {
      const out = await send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: tableName,
          Key,
          // null puts a withdrawn response back (a tag changed back to what it first was).
          ...(change
            ? {
                UpdateExpression: change.replacedBy ? 'SET #w = :w, #r = :r' : 'SET #w = :w REMOVE #r',
                ExpressionAttributeValues: { ':w': toIso(change.at, 'withdrawnAt'), ...(change.replacedBy ? { ':r': change.replacedBy } : {}) },
              }
            : { UpdateExpression: 'REMOVE #w, #r' }),
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: names,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const changed = out.Attributes ? toResponse(out.Attributes) : undefined;
      if (changed) await relevel(changed);
      return changed;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  // The feed reads its pointers backwards from `older` (the cursor of the last one shown), a page
  // of `limit` at a time, then the responses they point to in one BatchGet; withdrawn ones are
  // skipped (their pointers stay: a response put back shows again).
  async function listFeed(seriesId: string, options: { limit: number; older?: string }) {
    const pk = key.series(seriesId);
    const feed: Response[] = [];
    let startKey: Item | undefined = options.older ? { [PK]: pk, [SK]: key.feedSk(options.older) } : undefined;
    let more = false;
    while (feed.length < options.limit) {
      const page = await send<{ Items?: Item[]; LastEvaluatedKey?: Item }>(
        new QueryCommand({
          TableName: tableName,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': pk, ':prefix': key.feedSk('') },
          ScanIndexForward: false,
          Limit: options.limit - feed.length,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      const pointers = (page.Items ?? []).map((i) => parse(FeedItemSchema, i, 'feed pointer'));
      const found = new Map((await batchGet(pointers.map((p) => ({ [PK]: pk, [SK]: p.responseSk })))).map((i) => [String(i[SK]), toResponse(i)]));
      for (const p of pointers) {
        const r = found.get(p.responseSk);
        if (r && current(r)) feed.push(r);
      }
      startKey = page.LastEvaluatedKey;
      more = startKey !== undefined;
      if (!more) break;
    }
    const last = feed.at(-1);
    return { responses: feed, ...(more && last ? { older: key.feedCursor(last.receivedAt, last.id) } : {}) };
  }

  // Series whose responses were stored before the feed had pointers get them once, from the full
  // list; a reply stored meanwhile writes its own pointer, the same item, so the two cannot clash.
  /** `known`: the FEEDREADY item (or its absence) when the caller read it already (prepareStudio). */
  async function ensureFeed(seriesId: string, known?: { marker: Item | undefined }) {
    const pk = key.series(seriesId);
    const marker = known ? known.marker : await getItem(pk, key.feedReadySk);
    if (marker?.version === FEED_VERSION) return false;
    const responses = await listResponses(seriesId, { includeWithdrawn: true });
    await batchWrite(responses.flatMap(feedPointer));
    await send(new PutCommand({ TableName: tableName, Item: { [PK]: pk, [SK]: key.feedReadySk, itemType: 'feed-ready', version: FEED_VERSION } }));
    return true;
  }

  async function findResponseByKey(seriesId: string, k: string) {
    const pk = key.series(seriesId);
    const pointer = await getItem(pk, key.responseKeySk(k.toLowerCase()));
    if (!pointer) return undefined;
    const { responseSk } = parse(ResponseKeyItemSchema, pointer, 'response key');
    const item = await getItem(pk, responseSk);
    return item ? toResponse(item) : undefined;
  }

  return { putResponse, importResponses, listResponses, listResponsesByParticipant, listFeed, ensureFeed, getLevels, findResponseByKey, withdrawResponse };
}
