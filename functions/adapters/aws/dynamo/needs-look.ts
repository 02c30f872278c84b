// Replies a person must look at (unclear readings, requests, rejoin asks), one item each in the
// series partition: the digest lists a series' open ones with one Query, a tag link reads and
// resolves one by id. Ids derive from the Message-ID, so a redelivered reply writes the same item.
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { NeedsLookSchema, type NeedsLook } from '#core/records';
import type { NeedsLookRepository } from '#app/ports';
import { isConditionFailure, key, KeysSchema, PK, SK, toIso, type Item, type Table } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const NeedsLookItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { ...NeedsLookSchema.shape, itemType: z.literal('needs-look') }));

export function needsLookRepository(table: Table): NeedsLookRepository {
  const { tableName, send, parse, queryPrefix, getItem, strip } = table;
  const toRecord = (item: Item): NeedsLook => strip(parse(NeedsLookItemSchema, item, 'needs-look record')) as NeedsLook;

  async function putNeedsLook(record: NeedsLook) {
    const r = NeedsLookSchema.parse(record);
    try {
      await send(
        new PutCommand({
          TableName: tableName,
          Item: { ...r, [PK]: key.series(r.seriesId), [SK]: key.needsLookSk(r.id), itemType: 'needs-look' },
          // A redelivery must not reopen a record someone already resolved.
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK },
        }),
      );
      return { stored: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return { stored: false };
    }
  }

  async function getNeedsLook(seriesId: string, id: string) {
    const item = await getItem(key.series(seriesId), key.needsLookSk(id));
    return item ? toRecord(item) : undefined;
  }

  async function listNeedsLook(seriesId: string, filter: { open?: boolean } = {}) {
    const items = (await queryPrefix(key.series(seriesId), key.needsLookSk(''))).map(toRecord);
    const list = filter.open ? items.filter((r) => !r.resolvedAt) : items;
    return list.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : 0));
  }

  async function resolveNeedsLook(seriesId: string, id: string, resolution: { at: Date | string; resolution: string; responseId?: string }) {
    try {
      const out = await send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: key.series(seriesId), [SK]: key.needsLookSk(id) },
          UpdateExpression: resolution.responseId ? 'SET #at = :at, #res = :res, #rid = :rid' : 'SET #at = :at, #res = :res REMOVE #rid',
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PK, '#at': 'resolvedAt', '#res': 'resolution', '#rid': 'responseId' },
          ExpressionAttributeValues: {
            ':at': toIso(resolution.at, 'resolvedAt'),
            ':res': resolution.resolution,
            ...(resolution.responseId ? { ':rid': resolution.responseId } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return out.Attributes ? toRecord(out.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  return { putNeedsLook, getNeedsLook, listNeedsLook, resolveNeedsLook };
}
