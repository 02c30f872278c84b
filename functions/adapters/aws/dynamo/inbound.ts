// Message ids already received (TTL items), so SES's at-least-once delivery is processed once.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { InboundLog } from '#app/ports';
import { isConditionFailure, key, PK, SK, TTL, type Table } from './table.ts';

export function inboundLog(table: Table): InboundLog {
  const { tableName, send } = table;

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

  return { recordInboundMessage };
}
