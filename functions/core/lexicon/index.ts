// The languages Baton reads. Adding one is adding a file here. The classifier reads a reply with
// the lexicons of the languages it is written in (core/language.ts tells which, from the script
// and these lists' own words), and with all of them when the text is too short to tell; the
// auto-reply detector uses the union of every list.
import { ar } from './ar.ts';
import { de } from './de.ts';
import { en } from './en.ts';
import { es } from './es.ts';
import { fr } from './fr.ts';
import { id } from './id.ts';
import { ja } from './ja.ts';
import { ms } from './ms.ts';
import { nl } from './nl.ts';
import { pt } from './pt.ts';
import { th } from './th.ts';
import type { Lexicon } from './types.ts';

export type { Lexicon } from './types.ts';

export const LEXICONS: readonly Lexicon[] = [en, de, es, fr, pt, nl, ms, id, th, ar, ja];

type ListKey = { [K in keyof Lexicon]-?: Lexicon[K] extends string[] | undefined ? K : never }[keyof Lexicon];
type MapKey = 'numbers' | 'ordinals';

/** One list field across the given languages (every language by default). */
export function all(key: ListKey, lexicons: readonly Lexicon[] = LEXICONS): string[] {
  return [...new Set(lexicons.flatMap((l) => l[key] ?? []))];
}

/** One word->number field across every language (first language wins on a clash). */
export function allNumbers(key: MapKey, fold: (s: string) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of LEXICONS) for (const [w, n] of Object.entries(l[key])) out[fold(w)] ??= n;
  return out;
}

/** The names of a preference across the given languages (every language by default). */
export function allParts(lexicons: readonly Lexicon[] = LEXICONS): Record<keyof Lexicon['parts'], string[]> {
  const out = { reminders: [] as string[], rollups: [] as string[], 'check-ins': [] as string[], calendar: [] as string[] };
  for (const l of lexicons) for (const k of Object.keys(out) as (keyof typeof out)[]) out[k].push(...l.parts[k]);
  return out;
}
