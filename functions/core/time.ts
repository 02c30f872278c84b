// Local-time arithmetic for a team spread over many zones, with nothing but Intl: the core stays
// free of date libraries, and the runtime's ICU tzdata is the one source of truth for every zone.
// Calendar dates ('YYYY-MM-DD') have no zone: a window "opens 2027-01-21" on that date wherever
// each participant lives. Instants are Dates; wall-clock times are 'HH:MM'.
import type * as z from 'zod/mini';
import type { WeekdaySchema } from './model.ts';

export type Weekday = z.infer<typeof WeekdaySchema>;

const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const DAY_MS = 86_400_000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

function parseDate(date: string): [number, number, number] {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`"${date}" is not a calendar date: write it YYYY-MM-DD, such as 2027-01-21`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function parseTime(time: string): [number, number] {
  const m = TIME_RE.exec(time);
  if (!m) throw new RangeError(`"${time}" is not a 24-hour time: write it HH:MM, such as 09:00`);
  return [Number(m[1]), Number(m[2])];
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));
const pad4 = (n: number): string => String(n).padStart(4, '0');

/** Milliseconds since the epoch of a calendar date at 00:00 UTC. */
function dateToUtcMs(date: string): number {
  const [y, m, d] = parseDate(date);
  return Date.UTC(y, m - 1, d);
}

function utcMsToDate(ms: number): string {
  const t = new Date(ms);
  return `${pad4(t.getUTCFullYear())}-${pad2(t.getUTCMonth() + 1)}-${pad2(t.getUTCDate())}`;
}

/** The calendar date `n` days after (or before, for negative `n`) `date`. */
export function addDays(date: string, n: number): string {
  return utcMsToDate(dateToUtcMs(date) + n * DAY_MS);
}

export function weekdayOf(date: string): Weekday {
  return WEEKDAYS[new Date(dateToUtcMs(date)).getUTCDay()]!;
}

/** The working week most teams have; a series or a participant can say otherwise. */
export const MON_TO_FRI: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];

export function isWorkingDay(date: string, workDays: readonly Weekday[] = MON_TO_FRI): boolean {
  return workDays.includes(weekdayOf(date));
}

/**
 * `date` itself when it is one of `workDays`, else the next day that is. The UAE works Monday to
 * Friday, Brunei Monday to Thursday and Saturday, many teams Sunday to Thursday: a weekend is
 * whatever the person's week leaves out, not Saturday and Sunday.
 */
export function firstWorkingDay(date: string, workDays: readonly Weekday[] = MON_TO_FRI): string {
  // An empty week would loop forever; the schemas refuse one, and this keeps the date as given.
  if (workDays.length === 0) return date;
  let day = date;
  while (!workDays.includes(weekdayOf(day))) day = addDays(day, 1);
  return day;
}

/** The last working day on or before `date`: for sends that must not come after a deadline. */
export function lastWorkingDay(date: string, workDays: readonly Weekday[] = MON_TO_FRI): string {
  if (workDays.length === 0) return date;
  let day = date;
  while (!workDays.includes(weekdayOf(day))) day = addDays(day, -1);
  return day;
}

const WEEKDAY_WORDS: Readonly<Record<string, Weekday>> = {
  mon: 'mon', monday: 'mon', tue: 'tue', tues: 'tue', tuesday: 'tue', wed: 'wed', wednesday: 'wed',
  thu: 'thu', thur: 'thu', thurs: 'thu', thursday: 'thu', fri: 'fri', friday: 'fri',
  sat: 'sat', saturday: 'sat', sun: 'sun', sunday: 'sun',
};
const WEEK_ORDER: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * Reads a working week as people write it in a spreadsheet: `Mon-Fri`, `Sun–Thu`,
 * `Mon-Thu, Sat`, `mon tue wed thu sat`. Ranges wrap around the week (`Sat-Wed`). Undefined when
 * a piece is not a day, so the caller can say which cell was wrong.
 */
export function parseWorkDays(text: string): Weekday[] | undefined {
  const days = new Set<Weekday>();
  // Ranges first ("Monday to Friday", "Sun – Thu"), so the spaces inside them do not split them.
  const pieces = text
    .toLowerCase()
    .replace(/\s*(?:\bto\b|[-–—])\s*/g, '-')
    .split(/[\s,;/+&]+|\band\b/)
    .filter(Boolean);
  if (pieces.length === 0) return undefined;
  for (const piece of pieces) {
    const range = piece.split('-').map((x) => x.trim().replace(/\.$/, ''));
    if (range.some((x) => x === '')) return undefined;
    if (range.length === 1) {
      const day = WEEKDAY_WORDS[range[0]!];
      if (!day) return undefined;
      days.add(day);
    } else if (range.length === 2) {
      const from = WEEKDAY_WORDS[range[0]!];
      const to = WEEKDAY_WORDS[range[1]!];
      if (!from || !to) return undefined;
      for (let i = WEEK_ORDER.indexOf(from); ; i = (i + 1) % 7) {
        days.add(WEEK_ORDER[i]!);
        if (WEEK_ORDER[i] === to) break;
      }
    } else return undefined;
  }
  return WEEK_ORDER.filter((d) => days.has(d));
}

/** `Mon–Fri`, `Mon–Thu, Sat`: a week as the emails and the CLI show it. */
export function formatWorkDays(workDays: readonly Weekday[]): string {
  const name = (d: Weekday) => d[0]!.toUpperCase() + d.slice(1);
  const runs: string[] = [];
  let i = 0;
  while (i < WEEK_ORDER.length) {
    if (!workDays.includes(WEEK_ORDER[i]!)) { i++; continue; }
    let j = i;
    while (j + 1 < WEEK_ORDER.length && workDays.includes(WEEK_ORDER[j + 1]!)) j++;
    runs.push(j - i >= 2 ? `${name(WEEK_ORDER[i]!)}–${name(WEEK_ORDER[j]!)}` : WEEK_ORDER.slice(i, j + 1).map(name).join(', '));
    i = j + 1;
  }
  return runs.join(', ');
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((dateToUtcMs(to) - dateToUtcMs(from)) / DAY_MS);
}

// Building a DateTimeFormat costs far more than using one; a deployment sees a few dozen zones.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`"${timeZone}" is not an IANA time zone (for example Europe/Berlin, Asia/Brunei)`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock in `timeZone` at `ms`, expressed as if that wall clock were UTC. */
function wallClockMs(ms: number, timeZone: string): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatterFor(timeZone).formatToParts(ms)) {
    switch (part.type) {
      case 'year':
        year = Number(part.value);
        break;
      case 'month':
        month = Number(part.value);
        break;
      case 'day':
        day = Number(part.value);
        break;
      case 'hour':
        hour = Number(part.value);
        break;
      case 'minute':
        minute = Number(part.value);
        break;
      case 'second':
        second = Number(part.value);
        break;
    }
  }
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  t.setUTCHours(hour, minute, second, 0);
  return t.getTime();
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (east positive). */
export function offsetMs(ms: number, timeZone: string): number {
  // Whole seconds only: formatToParts drops milliseconds.
  const floored = Math.floor(ms / 1000) * 1000;
  return wallClockMs(floored, timeZone) - floored;
}

// Many recipients share a zone and a start time; the same question then costs one map lookup.
const zonedCache = new Map<string, number>();
const ZONED_CACHE_LIMIT = 50_000;

/**
 * The instant at which the wall clock in `timeZone` shows `time` on `date`.
 * A time skipped by a spring-forward gap moves forward by the gap (02:30 becomes 03:30), and a
 * time that happens twice in a fall-back overlap is taken the first time, as calendars do.
 */
export function zonedTimeToUtc(date: string, time: string, timeZone: string): Date {
  const key = `${date}T${time}@${timeZone}`;
  const hit = zonedCache.get(key);
  if (hit !== undefined) return new Date(hit);

  const [h, min] = parseTime(time);
  const wall = dateToUtcMs(date) + (h * 60 + min) * 60_000;
  // Zones change offset at most once within a day either side, so the offsets a day before and a
  // day after are the only candidates.
  const before = offsetMs(wall - DAY_MS, timeZone);
  const after = offsetMs(wall + DAY_MS, timeZone);
  const early = wall - before;
  const late = wall - after;
  const fits = (u: number): boolean => u + offsetMs(u, timeZone) === wall;
  let result: number;
  if (before === after || (fits(early) && fits(late))) {
    result = Math.min(early, late);
  } else if (fits(early)) {
    result = early;
  } else if (fits(late)) {
    result = late;
  } else {
    // In the gap: keep the offset in force before the jump, which lands after the gap.
    result = early;
  }

  if (zonedCache.size >= ZONED_CACHE_LIMIT) zonedCache.clear();
  zonedCache.set(key, result);
  return new Date(result);
}

export interface ZonedTime {
  date: string;
  time: string;
  weekday: Weekday;
}

/** What the wall clock and calendar show in `timeZone` at `instant`. */
export function utcToZoned(instant: Date, timeZone: string): ZonedTime {
  const wall = wallClockMs(instant.getTime(), timeZone);
  const t = new Date(wall);
  return {
    date: utcMsToDate(wall),
    time: `${pad2(t.getUTCHours())}:${pad2(t.getUTCMinutes())}`,
    weekday: WEEKDAYS[t.getUTCDay()]!,
  };
}

/** iCalendar DATE form: 20270121. */
export function icsDate(date: string): string {
  parseDate(date);
  return date.slice(0, 4) + date.slice(5, 7) + date.slice(8, 10);
}

/** iCalendar UTC DATE-TIME form: 20270121T140000Z. */
export function icsUtc(instant: Date): string {
  const iso = instant.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date for mail headers, always in UTC: Thu, 21 Jan 2027 14:00:00 +0000. */
export function rfc5322Date(instant: Date): string {
  return (
    `${DAY_NAMES[instant.getUTCDay()]}, ${pad2(instant.getUTCDate())} ${MONTH_NAMES[instant.getUTCMonth()]} ` +
    `${instant.getUTCFullYear()} ${pad2(instant.getUTCHours())}:${pad2(instant.getUTCMinutes())}:` +
    `${pad2(instant.getUTCSeconds())} +0000`
  );
}

/** A date for people: "Thu 21 Jan 2027". */
export function formatDate(date: string): string {
  const t = new Date(dateToUtcMs(date));
  return `${DAY_NAMES[t.getUTCDay()]} ${t.getUTCDate()} ${MONTH_NAMES[t.getUTCMonth()]} ${t.getUTCFullYear()}`;
}

/** A window for people: "Thu 21 Jan – Sun 31 Jan 2027" (year once when both dates share it). */
export function formatDateRange(from: string, to: string): string {
  const a = formatDate(from);
  const b = formatDate(to);
  return from.slice(0, 4) === to.slice(0, 4) ? `${a.slice(0, -5)} – ${b}` : `${a} – ${b}`;
}
