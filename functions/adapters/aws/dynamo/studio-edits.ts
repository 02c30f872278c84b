// Studio edits of a training (core/records.ts StudioEdit): one item per confirmed edit in the
// series' partition, `EDIT#<id>`. The worker claims one with a conditional update, so two
// deliveries of the same request (an async invoke retried, a double POST) publish it once.
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { StudioEditSchema, type StudioEdit, type StudioEditState } from '#core/records';
import type { StudioEditRepository } from '#app/ports';
import { isConditionFailure, key, KeysSchema, PK, SK, type Table } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const StudioEditItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { ...StudioEditSchema.shape, itemType: z.literal('studio-edit') }));

export function studioEditRepository(table: Table): StudioEditRepository {
  const { tableName, send, parse, queryPrefix, getItem, strip } = table;
  const read = (item: Record<string, unknown>) => strip(parse(StudioEditItemSchema, item, 'studio edit')) as StudioEdit;

  async function putStudioEdit(edit: StudioEdit) {
    const e = StudioEditSchema.parse(edit);
    try {
      await send(
      new PutCommand({
        TableName: tableName,
        Item: { [PK]: key.series(e.seriesId), [SK]: key.studioEditSk(e.id), itemType: 'studio-edit', ...e },
        ConditionExpression: 'attribute_not_exists(#pk)',
        ExpressionAttributeNames: { '#pk': PK },
      }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async function getStudioEdit(seriesId: string, id: string) {
    const item = await getItem(key.series(seriesId), key.studioEditSk(id));
    return item ? read(item) : undefined;
  }

  async function listStudioEdits(seriesId: string) {
    return (await queryPrefix(key.series(seriesId), key.studioEditSk(''))).map(read).sort((a, b) => a.requestedAt.localeCompare(b.requestedAt) || a.id.localeCompare(b.id));
  }

  async function updateStudioEdit(seriesId: string, id: string, from: readonly StudioEditState[], patch: Partial<Pick<StudioEdit, 'state' | 'appliedAt' | 'version' | 'error' | 'inFolderAt'>>) {
    const fields = Object.entries(patch).filter(([, v]) => v !== undefined);
    const names: Record<string, string> = { '#pk': PK, '#state': 'state' };
    const values: Record<string, unknown> = {};
    from.forEach((s, i) => (values[`:from${i}`] = s));
    fields.forEach(([k, v], i) => {
      names[`#f${i}`] = k;
      values[`:v${i}`] = v;
    });
    try {
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: key.series(seriesId), [SK]: key.studioEditSk(id) },
          UpdateExpression: `SET ${fields.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
          ConditionExpression: `attribute_exists(#pk) AND #state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  return { putStudioEdit, getStudioEdit, listStudioEdits, updateStudioEdit };
}
