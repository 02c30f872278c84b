// Calendar states: one item per training a series ever announced, removed ones included.
import * as z from 'zod/mini';
import { CalendarStateSchema, type CalendarState } from '#core/records';
import type { CalendarRepository } from '#app/ports';
import { key, KeysSchema, PK, SK, type Table, type WriteRequest } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const CalendarItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { ...CalendarStateSchema.shape, itemType: z.literal('calendar') }));

export function calendarRepository(table: Table): CalendarRepository {
  const { parse, queryPrefix, batchWrite, strip } = table;

  async function getCalendars(seriesId: string) {
    const items = await queryPrefix(key.series(seriesId), key.calendarSk(''));
    return items
      .map((i) => strip(parse(CalendarItemSchema, i, 'calendar')) as CalendarState)
      .sort((a, b) => a.order - b.order || a.slug.localeCompare(b.slug));
  }

  async function putCalendars(seriesId: string, states: CalendarState[]) {
    const pk = key.series(seriesId);
    await batchWrite(
      states.map((state): WriteRequest => {
        const c = CalendarStateSchema.parse(state);
        return { PutRequest: { Item: { [PK]: pk, [SK]: key.calendarSk(c.slug), itemType: 'calendar', ...c } } };
      }),
    );
  }

  return { getCalendars, putCalendars };
}
