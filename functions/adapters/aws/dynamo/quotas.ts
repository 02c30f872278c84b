// Daily quota counters (TTL items): a set of members per counter, grown by one conditional update.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Quotas } from '#app/ports';
import { isConditionFailure, key, PK, SK, TTL, type Table } from './table.ts';

export function quotas(table: Table): Quotas {
  const { tableName, send } = table;

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

  return { takeQuota };
}
