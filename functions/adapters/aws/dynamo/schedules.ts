// Schedule records: one item per schedule of a series; pending and failed ones also in the index,
// each state under its own partition, so the local clock and `baton dlq` read only theirs.
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import type { Instant } from '#core/records';
import { IsoDateTimeSchema } from '#core/model';
import { ScheduleRecordSchema, type ScheduleRecord } from '#core/schedule-plan';
import type { ScheduleRepository } from '#app/ports';
import { GSI, key, KeysSchema, PK, SK, toIso, type Item, type Table, type WriteRequest } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const ScheduleItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, {
  itemType: z.literal('schedule'),
  seriesId: z.string(),
  name: z.string().check(z.minLength(1)),
  at: IsoDateTimeSchema,
  // JSON text, so the job comes back exactly as given (no DynamoDB type mapping of numbers, sets…).
  jobJson: z.string(),
  state: ScheduleRecordSchema.shape.state,
  cron: ScheduleRecordSchema.shape.cron,
  attempts: ScheduleRecordSchema.shape.attempts,
  lastError: ScheduleRecordSchema.shape.lastError,
}));

export function scheduleRepository(table: Table): ScheduleRepository {
  const { tableName, send, parse, malformed, queryAll, queryPrefix, batchWrite } = table;
  // Counted when sent, before the answer: a reader that compares the count before and after
  // its own write sees any other write begun meanwhile.
  let written = 0;

  const toSchedule = (item: Item) => {
    const s = parse(ScheduleItemSchema, item, 'schedule');
    let job: unknown;
    try {
      job = JSON.parse(s.jobJson);
    } catch (error) {
      throw malformed(item, 'schedule', `jobJson: ${(error as Error).message}`);
    }
    return {
      seriesId: s.seriesId,
      name: s.name,
      at: s.at,
      job,
      state: s.state,
      ...(s.cron ? { cron: s.cron } : {}),
      ...(s.attempts !== undefined ? { attempts: s.attempts } : {}),
      ...(s.lastError !== undefined ? { lastError: s.lastError } : {}),
    };
  };

  function scheduleItem(seriesId: string, record: ScheduleRecord): Item {
    const r = ScheduleRecordSchema.parse(record);
    const at = toIso(r.at, 'at');
    return {
      [PK]: key.series(seriesId),
      [SK]: key.scheduleSk(r.name),
      // Only pending records are in the index, so the clock's Query reads nothing else; failed
      // ones are in it under their own key, the local dead-letter queue `baton dlq` reads.
      ...(r.state === 'pending'
        ? { [GSI.partitionKey]: key.pendingSchedulesGsi, [GSI.sortKey]: key.scheduleGsiSk(at, seriesId, r.name) }
        : r.state === 'failed'
          ? { [GSI.partitionKey]: key.failedSchedulesGsi, [GSI.sortKey]: key.scheduleGsiSk(at, seriesId, r.name) }
          : {}),
      itemType: 'schedule',
      seriesId,
      name: r.name,
      at,
      jobJson: JSON.stringify(r.job ?? null),
      state: r.state,
      cron: r.cron,
      attempts: r.attempts,
      lastError: r.lastError,
    };
  }

  async function putSchedule(seriesId: string, record: ScheduleRecord) {
    const item = scheduleItem(seriesId, record);
    written++;
    await send(new PutCommand({ TableName: tableName, Item: item }));
  }

  async function writeSchedules(seriesId: string, changes: { put: readonly ScheduleRecord[]; delete: readonly string[] }) {
    // One write per name (BatchWriteItem refuses a batch that names an item twice): the last wins.
    const writes = new Map<string, WriteRequest>();
    for (const record of changes.put) writes.set(record.name, { PutRequest: { Item: scheduleItem(seriesId, record) } });
    for (const name of changes.delete) writes.set(name, { DeleteRequest: { Key: { [PK]: key.series(seriesId), [SK]: key.scheduleSk(name) } } });
    const [only, ...more] = writes.values();
    if (!only) return;
    written++;
    // A single change stays a PutItem or DeleteItem, so a caller that writes one record (a
    // retry, a person's calendars turned off) needs no BatchWriteItem permission.
    if (more.length > 0) await batchWrite([...writes.values()]);
    else if ('PutRequest' in only) await send(new PutCommand({ TableName: tableName, Item: only.PutRequest.Item }));
    else await send(new DeleteCommand({ TableName: tableName, Key: only.DeleteRequest.Key }));
  }

  async function listSchedules(seriesId: string) {
    const items = await queryPrefix(key.series(seriesId), key.scheduleSk(''));
    return items.map(toSchedule).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  async function deleteSchedule(seriesId: string, name: string) {
    written++;
    await send(
      new DeleteCommand({ TableName: tableName, Key: { [PK]: key.series(seriesId), [SK]: key.scheduleSk(name) } }),
    );
  }

  async function listPendingSchedules(options: { until?: Instant; limit?: number } = {}) {
    const until = options.until === undefined ? undefined : toIso(options.until, 'until');
    const items = await queryAll({
      // The index sorts by time, so the first `limit` are the earliest: a clock asking "what is
      // next?" reads one item, not every pending schedule of every series.
      ...(options.limit ? { Limit: options.limit } : {}),
      IndexName: GSI.indexName,
      // '$' sorts after '#', so every "<at>#…" with at <= until is included.
      KeyConditionExpression: until ? '#gpk = :gpk AND #gsk <= :until' : '#gpk = :gpk',
      ExpressionAttributeNames: { '#gpk': GSI.partitionKey, ...(until ? { '#gsk': GSI.sortKey } : {}) },
      ExpressionAttributeValues: { ':gpk': key.pendingSchedulesGsi, ...(until ? { ':until': `${until}$` } : {}) },
    });
    return items.map(toSchedule);
  }

  async function listFailedSchedules() {
    const items = await queryAll({
      IndexName: GSI.indexName,
      KeyConditionExpression: '#gpk = :gpk',
      ExpressionAttributeNames: { '#gpk': GSI.partitionKey },
      ExpressionAttributeValues: { ':gpk': key.failedSchedulesGsi },
    });
    return items.map(toSchedule);
  }

  return { putSchedule, writeSchedules, listSchedules, deleteSchedule, listPendingSchedules, listFailedSchedules, scheduleWrites: () => written };
}
