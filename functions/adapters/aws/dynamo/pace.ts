// The account's one send pace, shared by every sender in every container: a single item holding
// the "theoretical arrival time" of the next send (GCRA, the generic cell rate algorithm). Taking
// a slot moves it on by one interval; the slot's time is when that send may start. Spacing every
// start by at least 1/rate keeps any sliding second at or under the rate, whoever sends.
//
// Primary course of `reserveSendSlot` (one conditional UpdateItem while a backlog exists):
//   1. the pace is ahead of now and within the caller's limit: `SET next = next + interval`,
//      conditional on exactly that, returns the new value; the slot is the value before it;
//   2. otherwise read the item: the pace is behind now (idle), so start it at now with a write
//      conditional on its still being behind (a concurrent taker makes it fail and go round);
//   3. or it is past the caller's limit (bulk senders stay within a short horizon so that an
//      acknowledgement, which has no limit, waits behind at most that horizon): say until when.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, key, PK, SK, type Table } from './table.ts';

export type SlotAnswer = { at: number } | { fullUntil: number };

export interface SendPaceSlots {
  /**
   * A start time for one send: `at` (≥ now) with every other start at least `intervalMs` away,
   * or `fullUntil` when the next free slot lies at or past `limit` (then nothing was taken).
   */
  reserveSendSlot(pace: string, opts: { now: number; intervalMs: number; limit: number }): Promise<SlotAnswer>;
}

/** Rounds of a lost race before giving up: each loss means another sender took a slot. */
const MAX_ROUNDS = 50;

export function sendPaceSlots(table: Table): SendPaceSlots {
  const { tableName, send, getItem } = table;

  async function reserveSendSlot(pace: string, { now, intervalMs, limit }: { now: number; intervalMs: number; limit: number }): Promise<SlotAnswer> {
    const Key = { [PK]: key.pace(pace), [SK]: key.paceSk };
    for (let round = 0; round < MAX_ROUNDS; round++) {
      try {
        const out = await send<{ Attributes?: { next?: number } }>(
          new UpdateCommand({
            TableName: tableName,
            Key,
            UpdateExpression: 'SET #next = #next + :interval',
            ConditionExpression: '#next >= :now AND #next < :limit',
            ExpressionAttributeNames: { '#next': 'next' },
            ExpressionAttributeValues: { ':interval': intervalMs, ':now': now, ':limit': limit },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return { at: Number(out.Attributes?.next) - intervalMs };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const item = await getItem(Key[PK], Key[SK]);
      const next = typeof item?.next === 'number' ? item.next : undefined;
      if (next !== undefined && next >= limit) return { fullUntil: next };
      if (next !== undefined && next >= now) continue; // moved under us; the fast path will do
      try {
        await send(
          new UpdateCommand({
            TableName: tableName,
            Key,
            UpdateExpression: 'SET #next = :start, itemType = :type',
            // Not an equality on the value read: a fractional number need not compare equal once
            // stored. Whoever restarts the pace first wins; the others find it ahead of now.
            ConditionExpression: 'attribute_not_exists(#next) OR #next < :now',
            ExpressionAttributeNames: { '#next': 'next' },
            ExpressionAttributeValues: { ':start': now + intervalMs, ':type': 'pace', ':now': now },
          }),
        );
        return { at: now };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`the send pace "${pace}" in table ${tableName} kept changing under ${MAX_ROUNDS} attempts to take a slot; try again`);
  }

  return { reserveSendSlot };
}
