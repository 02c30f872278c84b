// The suppression list: one item per address that bounced or complained, across every series.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { SuppressionSchema, type Instant } from '#core/records';
import type { SuppressionList } from '#app/ports';
import { key, KeysSchema, PK, SK, toIso, type Item, type Table } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const SuppressionItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { ...SuppressionSchema.shape, itemType: z.literal('suppression') }));

/** The keys suppressedAmong reads: a caller may read them in one BatchGet with others (index.ts screenDeliveries). */
export const suppressionKeys = (emails: Iterable<string>): Item[] =>
  [...new Set([...emails].map((e) => e.toLowerCase()))].map((e) => ({ [PK]: key.suppression(e), [SK]: key.suppressionSk }));

/** The suppressed addresses among the items a BatchGet of suppressionKeys returned. */
export const suppressedIn = (table: Pick<Table, 'parse'>, items: readonly Item[]): Set<string> =>
  new Set(items.map((i) => table.parse(SuppressionItemSchema, i, 'suppression').email));

export function suppressionList(table: Table): SuppressionList {
  const { tableName, send, parse, getItem, batchGet, strip } = table;

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
    return suppressedIn(table, await batchGet(suppressionKeys(emails)));
  }

  return {
    suppress,
    isSuppressed: async (email) => (await getSuppression(email)) !== undefined,
    getSuppression,
    suppressedAmong,
  };
}
