// A published series and its trainings: one item for the series (the gate a publish passes
// through, and the short key's index entry), one per training, read back in one Query.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { IsoDateTimeSchema, SeriesSchema, TrainingSchema, type Series, type Training } from '#core/model';
import type { Instant, PublishedSeries } from '#core/records';
import { seriesKey } from '#core/short-key';
import type { SeriesRepository } from '#app/ports';
import { GSI, isConditionFailure, key, KeysSchema, MalformedItemError, PK, SK, toIso, type Table, type WriteRequest } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const SeriesItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, {
  itemType: z.literal('series'),
  series: SeriesSchema,
  publishedAt: IsoDateTimeSchema,
  version: z.int(),
}));
const VersionSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({ version: z.int(), publishing: z.optional(z.boolean()) }));
const TrainingItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { itemType: z.literal('training'), training: TrainingSchema }));

export function seriesRepository(table: Table): SeriesRepository {
  const { tableName, send, parse, queryPrefix, queryIndexPrefix, batchWrite } = table;

  async function putSeries(series: Series, trainings: Training[], meta: { publishedAt: Instant; version: number }) {
    const pk = key.series(series.id);
    const sk = seriesKey(series.id);
    const holders = (await queryIndexPrefix(key.seriesKeyGsi(sk), 'SERIES#')).filter((i) => i[PK] !== pk);
    if (holders.length > 0) {
      throw new Error(
        `Series id "${series.id}" has the same short key (${sk}) as the published series ` +
          `${holders.map((h) => String(h[PK]).slice('SERIES#'.length)).join(', ')}, so replies could not tell ` +
          `them apart. Choose a different series id.`,
      );
    }
    const existing = await queryPrefix(pk, key.seriesSk, { ProjectionExpression: '#sk, version' });
    const slugs = new Set(trainings.map((t) => t.slug));
    if (slugs.size !== trainings.length) throw new Error(`Series "${series.id}" has two trainings with the same slug.`);

    // The series item is the gate: a publisher holding an older version must not overwrite
    // trainings, so it goes first and conditionally.
    try {
      await send(
        new PutCommand({
          TableName: tableName,
          Item: {
            [PK]: pk,
            [SK]: key.seriesSk,
            [GSI.partitionKey]: key.seriesKeyGsi(sk),
            [GSI.sortKey]: pk,
            itemType: 'series',
            series,
            publishedAt: toIso(meta.publishedAt, 'publishedAt'),
            version: meta.version,
            // Until finishPublish: this version's trainings, templates and calendars are still
            // being written, so a reader must not keep what it reads now as this version's.
            publishing: true,
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #version < :version',
          ExpressionAttributeNames: { '#pk': PK, '#version': 'version' },
          ExpressionAttributeValues: { ':version': meta.version },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = existing.find((i) => i[SK] === key.seriesSk)?.version;
      throw new Error(
        `Series "${series.id}" is already published at version ${String(current ?? '(concurrently written)')}; ` +
          `publishing version ${meta.version} would go backwards. Read it again and publish a higher version.`,
      );
    }

    // One pointer per trainer, so the studio finds the series someone runs with one index Query.
    const trainers = new Set(series.trainers.map((t) => t.email.toLowerCase()));
    const staleTrainers = (await queryPrefix(pk, key.trainerSk(''), { ProjectionExpression: '#sk' }))
      .map((i) => String(i[SK]))
      .filter((s) => !trainers.has(s.slice(key.trainerSk('').length)));
    const stale = existing
      .map((i) => String(i[SK]))
      .filter((s) => s.startsWith(key.trainingSk('')) && !slugs.has(s.slice(key.trainingSk('').length)));
    await batchWrite([
      ...trainings.map(
        (training): WriteRequest => ({
          PutRequest: { Item: { [PK]: pk, [SK]: key.trainingSk(training.slug), itemType: 'training', training } },
        }),
      ),
      ...[...trainers].map(
        (email): WriteRequest => ({
          PutRequest: {
            Item: { [PK]: pk, [SK]: key.trainerSk(email), [GSI.partitionKey]: key.emailGsi(email), [GSI.sortKey]: key.trainerGsiSk(series.id), itemType: 'trainer' },
          },
        }),
      ),
      ...[...stale, ...staleTrainers].map((s): WriteRequest => ({ DeleteRequest: { Key: { [PK]: pk, [SK]: s } } })),
    ]);
  }

  async function getSeries(seriesId: string): Promise<PublishedSeries | undefined> {
    const items = await queryPrefix(key.series(seriesId), key.seriesSk);
    if (items.length === 0) return undefined;
    const head = items.find((i) => i[SK] === key.seriesSk);
    if (!head) {
      throw new MalformedItemError(
        `DynamoDB table ${tableName}: series "${seriesId}" has training items but no series item ` +
          `(${PK}=${key.series(seriesId)} ${SK}=${key.seriesSk}). Publish the series again to repair it.`,
      );
    }
    const { series, publishedAt, version } = parse(SeriesItemSchema, head, 'series');
    const trainings = items
      .filter((i) => i !== head)
      .map((i) => parse(TrainingItemSchema, i, 'training').training)
      .sort((a, b) => a.order - b.order);
    return { series, trainings, publishedAt, version };
  }

  /**
   * The published version alone (the series item's `version`, and whether its publish is still
   * writing), for a reader that keeps the rest of a series while its version holds; undefined when
   * there is no series item. A series item without the mark (finished, or written before it
   * existed) is settled.
   */
  async function getSeriesVersion(seriesId: string): Promise<{ version: number; settled: boolean } | undefined> {
    const out = await send<{ Item?: Record<string, unknown> }>(
      new GetCommand({
        TableName: tableName,
        Key: { [PK]: key.series(seriesId), [SK]: key.seriesSk },
        ProjectionExpression: '#version, #publishing',
        ExpressionAttributeNames: { '#version': 'version', '#publishing': 'publishing' },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const { version, publishing } = parse(VersionSchema, out.Item, 'series');
    return { version, settled: publishing !== true };
  }

  /**
   * Marks `version` settled: its trainings, templates and calendars are all written. A newer
   * publish that has begun meanwhile keeps its own mark (the condition fails, and that is fine).
   */
  async function finishPublish(seriesId: string, version: number): Promise<void> {
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: key.series(seriesId), [SK]: key.seriesSk },
          UpdateExpression: 'REMOVE #publishing',
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#publishing': 'publishing', '#version': 'version' },
          ExpressionAttributeValues: { ':version': version },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async function findSeriesByKey(k: string): Promise<string | undefined> {
    const items = await queryIndexPrefix(key.seriesKeyGsi(k.toLowerCase()), 'SERIES#');
    const first = items[0];
    return first ? String(first[PK]).slice('SERIES#'.length) : undefined;
  }

  async function listSeriesOfTrainer(email: string): Promise<string[]> {
    const items = await queryIndexPrefix(key.emailGsi(email.toLowerCase()), key.trainerGsiSk(''));
    return items.map((i) => String(i[GSI.sortKey]).slice(key.trainerGsiSk('').length));
  }

  return { putSeries, getSeries, getSeriesVersion, finishPublish, findSeriesByKey, listSeriesOfTrainer };
}
