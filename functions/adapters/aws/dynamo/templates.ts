// A series' compiled email templates, one item each, gzipped.
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod/mini';
import type { TemplateRepository } from '#app/ports';
import { key, KeysSchema, PK, SK, type Item, type Table, type WriteRequest } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const TemplateItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, {
  itemType: z.literal('template'),
  name: z.string(),
  /** gzip: compiled HTML is 50–150 KB and compresses ~10×, far from the 400 KB item limit. */
  gzip: z.instanceof(Uint8Array),
}));

/** The gzipped text's share of DynamoDB's 400 KB item limit, leaving room for the keys and name. */
const MAX_TEMPLATE_BYTES = 399 * 1024;

export function templateRepository(table: Table): TemplateRepository {
  const { parse, queryPrefix, getItem, batchWrite } = table;

  /**
   * Writes templates in BatchWrites (25 a request, the retries of what DynamoDB leaves unprocessed
   * in table.ts batchWrite) rather than a PutItem each: a publish stores ~40 of them. 25 items under
   * the 400 KB item limit stay under the 16 MB request limit, so the item limit is the one to check;
   * it is checked here, so a template too large names itself instead of failing its whole batch.
   * A name given twice keeps its last value, as puts one after another would.
   */
  async function putTemplates(seriesId: string, templates: Iterable<readonly [name: string, value: string]>) {
    const pk = key.series(seriesId);
    const items = [...new Map(templates)].map(([name, value]): WriteRequest => {
      const gzip = new Uint8Array(gzipSync(value));
      if (gzip.length > MAX_TEMPLATE_BYTES) {
        throw new Error(`The compiled email "${name}" of series "${seriesId}" is ${Math.round(gzip.length / 1024)} KB gzipped, over DynamoDB's 400 KB item limit: shorten that email.`);
      }
      return { PutRequest: { Item: { [PK]: pk, [SK]: key.templateSk(name), itemType: 'template', name, gzip } } };
    });
    await batchWrite(items);
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

  return { putTemplates, getTemplate, getTemplates, pruneTemplates };
}
