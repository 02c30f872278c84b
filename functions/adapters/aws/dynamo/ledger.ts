// The delivery ledger: one item per email a series sends, claimed, completed, released, or marked
// sent by SES's own Send event (app/deliver.ts tells why each step is there).
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { DeliverySchema, type Delivery, type Instant } from '#core/records';
import type { DeliveryRepository } from '#app/ports';
import type { TallyKeeper } from './tallies.ts';
import { isConditionFailure, key, KeysSchema, PK, SK, toIso, type Item, type Table } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const DeliveryItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { ...DeliverySchema.shape, itemType: z.literal('delivery') }));

/** The keys sentAmong reads: a caller may read them in one BatchGet with others (index.ts screenDeliveries). */
export const deliveryKeys = (seriesId: string, emailIds: Iterable<string>): Item[] =>
  [...new Set(emailIds)].map((id) => ({ [PK]: key.series(seriesId), [SK]: key.deliverySk(id) }));

/** The sent deliveries' ids among the items a BatchGet of deliveryKeys returned. */
export const sentIn = (table: Pick<Table, 'parse'>, items: readonly Item[]): Set<string> =>
  new Set(
    items
      .map((i) => table.parse(DeliveryItemSchema, i, 'delivery'))
      .filter((d) => d.status === 'sent')
      .map((d) => d.emailId),
  );

export function deliveryLedger(table: Table, tallies: TallyKeeper): DeliveryRepository {
  const { tableName, send, parse, queryPrefix, getItem, batchGet, batchWrite, strip } = table;

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
      // The overview counts a sent training once, however many times this is heard (tallies.ts).
      await tallies.markSent(seriesId, emailId);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await getItem(Key[PK], Key[SK]);
      if (current?.status === 'sent' && current.sesMessageId === result.sesMessageId) return tallies.markSent(seriesId, emailId);
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
      await tallies.markSent(seriesId, emailId);
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** The delivery records among `emailIds` (BatchGet of 100). */
  async function among(seriesId: string, emailIds: Iterable<string>) {
    const unique = [...new Set(emailIds)];
    const items = await batchGet(unique.map((id) => ({ [PK]: key.series(seriesId), [SK]: key.deliverySk(id) })));
    return items.map((i) => parse(DeliveryItemSchema, i, 'delivery'));
  }

  async function sentAmong(seriesId: string, emailIds: Iterable<string>) {
    return sentIn(table, await batchGet(deliveryKeys(seriesId, emailIds)));
  }

  async function recordedAmong(seriesId: string, emailIds: Iterable<string>) {
    return new Set((await among(seriesId, emailIds)).map((d) => d.emailId));
  }

  async function listDeliveries(seriesId: string, emailIdPrefix = '') {
    const items = await queryPrefix(key.series(seriesId), key.deliverySk(emailIdPrefix));
    return items.map((i) => strip(parse(DeliveryItemSchema, i, 'delivery')) as Delivery);
  }

  async function importDeliveries(seriesId: string, deliveries: Delivery[]) {
    // A bulk load does not keep the overview's counters: the next publish (or `baton recount`) rebuilds them.
    await tallies.markStale([seriesId]);
    await batchWrite(
      deliveries.map((d) => ({
        PutRequest: { Item: { ...DeliverySchema.parse(d), [PK]: key.series(seriesId), [SK]: key.deliverySk(d.emailId), itemType: 'delivery' } },
      })),
    );
  }


  return { claimDelivery, completeDelivery, releaseDelivery, recordAccepted, sentAmong, recordedAmong, listDeliveries, importDeliveries };
}
