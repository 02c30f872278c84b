// Time zones and local times as people write them, in series.yaml and in participant lists:
// accepted when clear ("9am", "europe/berlin"), otherwise an error that suggests what they meant.
// Participants import only these rules, not the series parser.
import * as z from 'zod/mini';
import { isTimeZone } from './model.ts';
import { closest } from './text.ts';
import { builtOnFirstUse } from './built-on-first-use.ts';

// ICU (Node 20's Intl) lists some zones under the names they had before IANA renamed them. A
// trainer in Kyiv or Kolkata writes today's name and should be offered today's name, so the
// list is read through this table; Intl accepts both spellings of each.
const RENAMED: Record<string, string> = {
  'Asia/Calcutta': 'Asia/Kolkata',
  'Europe/Kiev': 'Europe/Kyiv',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Asia/Rangoon': 'Asia/Yangon',
  'Asia/Katmandu': 'Asia/Kathmandu',
  'America/Godthab': 'America/Nuuk',
  'Pacific/Enderbury': 'Pacific/Kanton',
  'Pacific/Truk': 'Pacific/Chuuk',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Louisville': 'America/Kentucky/Louisville',
};

/** Today's IANA name of a zone ICU may know by its old one ("Europe/Kiev" -> "Europe/Kyiv"). */
export function currentZoneName(zone: string): string {
  return RENAMED[zone] ?? zone;
}

let zoneList: string[] | undefined;
function knownZones(): string[] {
  zoneList ??= [...new Set([...Intl.supportedValuesOf('timeZone').map(currentZoneName), 'UTC'])];
  return zoneList;
}

// Things people write instead of a zone name. Intl accepts EST and MST, but they have no daylight
// saving time, so they are not what a trainer in New York means either.
const ZONE_ABBREVIATIONS: Record<string, string> = {
  pst: 'America/Los_Angeles',
  pdt: 'America/Los_Angeles',
  pt: 'America/Los_Angeles',
  mst: 'America/Denver',
  mdt: 'America/Denver',
  cst: 'America/Chicago',
  cdt: 'America/Chicago',
  est: 'America/New_York',
  edt: 'America/New_York',
  et: 'America/New_York',
  bst: 'Europe/London',
  cet: 'Europe/Berlin',
  cest: 'Europe/Berlin',
  gst: 'Asia/Dubai',
  ict: 'Asia/Bangkok',
  aest: 'Australia/Sydney',
  aedt: 'Australia/Sydney',
  awst: 'Australia/Perth',
};

/**
 * The zone a trainer most likely meant by an unknown name, when one stands out: "Asia/Brunie"
 * -> "Asia/Brunei", "america/new york" -> "America/New_York", "Brunei" -> "Asia/Brunei",
 * "PST" -> "America/Los_Angeles". Undefined when nothing is clearly closest.
 */
export function suggestTimeZone(input: string): string | undefined {
  const norm = (s: string) => s.trim().toLowerCase().replace(/[\s_]+/g, '_');
  const wanted = norm(input);
  if (!wanted) return undefined;
  const zones = knownZones();
  const abbreviation = ZONE_ABBREVIATIONS[wanted];
  if (abbreviation) return abbreviation;
  const exact = zones.find((z) => norm(z) === wanted);
  if (exact) return exact;
  const city = (s: string) => s.slice(s.lastIndexOf('/') + 1);
  const sameCity = zones.filter((z) => norm(city(z)) === norm(city(input)));
  if (sameCity.length === 1) return sameCity[0];
  // "Kiev", "Calcutta": a city by its old name still means today's zone.
  const renamed = Object.keys(RENAMED).find((old) => norm(city(old)) === norm(city(input)) || norm(old) === wanted);
  if (renamed) return RENAMED[renamed];
  return closest(wanted, zones, norm, wanted.length > 12 ? 3 : 2);
}

/** A time zone field: a known IANA name, its case corrected, or an error that suggests one. */
export const FriendlyTimeZoneSchema = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(
  z.string(),
  z.transform((value, ctx) => {
    const trimmed = value.trim();
    if (isTimeZone(trimmed) && !ZONE_ABBREVIATIONS[trimmed.toLowerCase()]) {
      // Intl accepts any letter case and old names; schedules and calendars want today's spelling.
      const lower = currentZoneName(knownZones().find((z) => z.toLowerCase() === trimmed.toLowerCase()) ?? trimmed).toLowerCase();
      const legacy = Object.keys(RENAMED).find((z) => z.toLowerCase() === lower);
      return knownZones().find((z) => z.toLowerCase() === lower) ?? (legacy ? RENAMED[legacy]! : trimmed);
    }
    ctx.issues.push({ code: 'custom', message: timeZoneMessage(value), input: value });
    return z.NEVER;
  }),
));

export function timeZoneMessage(value: string): string {
  const suggestion = suggestTimeZone(value);
  const abbreviation = ZONE_ABBREVIATIONS[value.trim().toLowerCase()];
  if (abbreviation) {
    return `"${value}" is an abbreviation, not a time zone, and cannot follow daylight saving time: write a Region/City name such as "${abbreviation}"`;
  }
  return suggestion
    ? `"${value}" is not a known time zone; did you mean "${suggestion}"?`
    : `"${value}" is not a known time zone: write an IANA Region/City name such as "Europe/Berlin" or "Asia/Brunei"`;
}

/** A local time; "9:00" is taken as 09:00. */
export const FriendlyLocalTimeSchema = /* @__PURE__ */ builtOnFirstUse(() => z.pipe(
  z.union([z.string(), z.number()]),
  z.transform((v, ctx) => {
    const normalized = normalizeLocalTime(String(v));
    if (normalized) return normalized;
    ctx.issues.push({ code: 'custom', message: 'is not a time: write it 24-hour as HH:MM, such as 08:30', input: v });
    return z.NEVER;
  }),
));

/** "9:00" -> "09:00", "9am" -> "09:00", "1:30 pm" -> "13:30", "25:00" -> undefined. */
export function normalizeLocalTime(text: string): string | undefined {
  const m = /^(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?$/i.exec(text.trim());
  if (!m) return undefined;
  let hour = Number(m[1]);
  const minute = m[2] === undefined ? 0 : Number(m[2]);
  const meridiem = m[3]?.toLowerCase().replace(/\./g, '');
  if (m[2] === undefined && !meridiem) return undefined;
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  if (hour > 23 || minute > 59) return undefined;
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}
