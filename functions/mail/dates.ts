// Dates as participants read them, in their own time zone, with Intl only (no date library).
// A training window is a pair of calendar dates; it closes at the end of the closing day in the
// reader's own zone, so the same window ends at different instants around the world.

import { addDays, zonedTimeToUtc } from '#core/time';
import type { Language } from '#core/model';
import { localeOf, t } from './messages/index.ts';

const formatters = new Map<string, Intl.DateTimeFormat>();

// Building an Intl.DateTimeFormat costs tens of microseconds; a send batch reuses a few zones.
function formatter(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

function parseDate(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new Error(`"${date}" is not a calendar date written YYYY-MM-DD`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** `2027-01-31` -> "Sunday 31 January" (long) or "Sun 31 Jan" (short), in `language`. Same in every zone. */
export function formatCalendarDate(date: string, style: 'long' | 'short' = 'long', withYear = false, language: Language = 'en'): string {
  const [y, m, d] = parseDate(date);
  const f = formatter(`cal:${style}:${withYear}:${language}`, () =>
    new Intl.DateTimeFormat(localeOf(language), {
      timeZone: 'UTC',
      weekday: style,
      day: 'numeric',
      month: style,
      ...(withYear ? { year: 'numeric' } : {}),
    }),
  );
  // en-GB puts a comma after the weekday in some ICU versions; the plain form reads better.
  const out = f.format(new Date(Date.UTC(y, m - 1, d)));
  return language === 'en' ? out.replace(',', '') : out;
}

const windows = new Map<string, string>();

/** "Thursday 21 January – Sunday 31 January"; the year is added when the window spans two. */
export function formatWindow(opens: string, closes: string, style: 'long' | 'short' = 'long'): string {
  const key = `${opens}|${closes}|${style}`;
  let text = windows.get(key);
  if (text === undefined) {
    const withYear = opens.slice(0, 4) !== closes.slice(0, 4);
    text = `${formatCalendarDate(opens, style, withYear)} – ${formatCalendarDate(closes, style, withYear)}`;
    if (windows.size >= 1000) windows.clear();
    windows.set(key, text);
  }
  return text;
}

/** When a window closing on `closes` ends for someone in `timeZone`: midnight after that day. */
export function deadlineInstant(closes: string, timeZone: string): Date {
  return zonedTimeToUtc(addDays(closes, 1), '00:00', timeZone);
}

const zoneNames = new Map<string, string>();

/** "Brunei Time", "Pacific Standard Time" (or Daylight, depending on `at`). Memoized per zone and hour. */
export function timeZoneName(timeZone: string, at: Date, language: Language = 'en'): string {
  const key = `${timeZone}|${Math.floor(at.getTime() / 3_600_000)}|${language}`;
  let name = zoneNames.get(key);
  if (name === undefined) {
    const f = formatter(`tzn:${timeZone}:${language}`, () => new Intl.DateTimeFormat(localeOf(language), { timeZone, timeZoneName: 'long' }));
    name = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
    if (zoneNames.size >= 1000) zoneNames.clear();
    zoneNames.set(key, name);
  }
  return name;
}

const deadlines = new Map<string, string>();

/** "Sunday 31 January, end of your day (23:59 Brunei Time)", in `language`. Memoized: a batch repeats few zones. */
export function formatDeadline(closes: string, timeZone: string, language: Language = 'en'): string {
  const key = `${closes}|${timeZone}|${language}`;
  let text = deadlines.get(key);
  if (text === undefined) {
    const zone = timeZoneName(timeZone, new Date(deadlineInstant(closes, timeZone).getTime() - 60_000), language);
    text = t(language, 'common.deadline', { date: formatCalendarDate(closes, 'long', false, language), zone });
    if (deadlines.size >= 1000) deadlines.clear();
    deadlines.set(key, text);
  }
  return text;
}
