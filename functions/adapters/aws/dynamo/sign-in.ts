// The studio's sign-in nonces (TTL items): written when a sign-in link is mailed, consumed once by
// a conditional update when the trainer presses its button, so a link works once.
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SignInNonces } from '#app/ports';
import { isConditionFailure, key, PK, SK, TTL, type Table } from './table.ts';

export function signInNonces(table: Table): SignInNonces {
  const { tableName, send } = table;
  const seconds = (d: Date) => Math.floor(d.getTime() / 1000);

  async function putSignInNonce(nonce: string, record: { email: string; expiresAt: Date }) {
    await send(
      new PutCommand({
        TableName: tableName,
        Item: { [PK]: key.signIn(nonce), [SK]: key.signInSk, itemType: 'signin', email: record.email, [TTL]: seconds(record.expiresAt) },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
    );
  }

  async function consumeSignInNonce(nonce: string, options: { email: string; at: Date }) {
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: key.signIn(nonce), [SK]: key.signInSk },
          UpdateExpression: 'SET consumedAt = :at',
          // Issued for this address, not used yet, not past its lifetime (TTL deletion is late).
          ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(consumedAt) AND email = :email AND #ttl > :now',
          ExpressionAttributeNames: { '#pk': PK, '#ttl': TTL },
          ExpressionAttributeValues: { ':at': options.at.toISOString(), ':email': options.email, ':now': seconds(options.at) },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  return { putSignInNonce, consumeSignInNonce };
}
