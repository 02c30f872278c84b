// A series' compiled email templates, one item each, gzipped.
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import type { TemplateRepository } from '#app/ports';
import { key, KeysSchema, PK, SK, type Item, type Table } from './table.ts';

const TemplateItemSchema = z.extend(KeysSchema, {
  itemType: z.literal('template'),
  name: z.string(),
  /** gzip: compiled HTML is 50–150 KB and compresses ~10×, far from the 400 KB item limit. */
  gzip: z.instanceof(Uint8Array),
});

export function templateRepository(table: Table): TemplateRepository {
  const { tableName, send, parse, queryPrefix, getItem, batchWrite } = table;

  async function putTemplate(seriesId: string, name: string, value: string) {
    await send(
      new PutCommand({
        TableName: tableName,
        Item: {
          [PK]: key.series(seriesId),
          [SK]: key.templateSk(name),
          itemType: 'template',
          name,
          gzip: new Uint8Array(gzipSync(value)),
        },
      }),
    );
  }

  const templateText = (item: Item) => {
    const { gzip } = parse(TemplateItemSchema, item, 'template');
    return gunzipSync(gzip).toString('utf8');
  };

  async function getTemplate(seriesId: string, name: string) {
    const item = await getItem(key.series(seriesId), key.templateSk(name));
    return item ? templateText(item) : undefined;
  }

  async function getTemplates(seriesId: string, namePrefix = '') {
    const items = await queryPrefix(key.series(seriesId), key.templateSk(namePrefix));
    return new Map(items.map((i) => [parse(TemplateItemSchema, i, 'template').name, templateText(i)]));
  }

  async function pruneTemplates(seriesId: string, keep: Iterable<string>) {
    const kept = new Set(keep);
    const pk = key.series(seriesId);
    const items = await queryPrefix(pk, key.templateSk(''), { ProjectionExpression: '#sk' });
    const names = items.map((i) => String(i[SK]).slice(key.templateSk('').length)).filter((n) => !kept.has(n));
    await batchWrite(names.map((n) => ({ DeleteRequest: { Key: { [PK]: pk, [SK]: key.templateSk(n) } } })));
    return names;
  }

  return { putTemplate, getTemplate, getTemplates, pruneTemplates };
}
