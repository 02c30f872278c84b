// The suppression list: one item per address that bounced or complained, across every series.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { SuppressionSchema, type Instant } from '#core/records';
import type { SuppressionList } from '#app/ports';
import { key, KeysSchema, PK, SK, toIso, type Table } from './table.ts';

const SuppressionItemSchema = z.extend(KeysSchema, { ...SuppressionSchema.shape, itemType: z.literal('suppression') });

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
    const unique = [...new Set([...emails].map((e) => e.toLowerCase()))];
    const items = await batchGet(unique.map((e) => ({ [PK]: key.suppression(e), [SK]: key.suppressionSk })));
    return new Set(items.map((i) => parse(SuppressionItemSchema, i, 'suppression').email));
  }

  return {
    suppress,
    isSuppressed: async (email) => (await getSuppression(email)) !== undefined,
    getSuppression,
    suppressedAmong,
  };
}
