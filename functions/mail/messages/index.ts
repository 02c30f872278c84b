// Baton's own words in the participant's language: one catalogue per language Baton reads replies
// in (core/lexicon), English the reference. Messages are ICU-style: `{name}` fills a value,
// `{n, plural, one {# file} other {# files}}` picks the form Intl.PluralRules gives for n in that
// language (`=0`-style exact matches too), with `#` the number. Only the subset Baton uses.
import { readFileSync } from 'node:fs';
import type { Language } from '#core/model';
import { en, type Catalogue, type MessageKey } from './en.ts';
import ar from './ar.catalogue.json';
import de from './de.catalogue.json';
import es from './es.catalogue.json';
import fr from './fr.catalogue.json';
import id from './id.catalogue.json';
import ja from './ja.catalogue.json';
import ms from './ms.catalogue.json';
import nl from './nl.catalogue.json';
import pt from './pt.catalogue.json';
import th from './th.catalogue.json';

export type { Catalogue, MessageKey } from './en.ts';

/**
 * The other languages are data, `<lang>.catalogue.json`, key for key English's. The Lambda bundles
 * ship them as files beside the bundle (BUNDLE_LOADERS in infra/bundling.ts: the import is
 * the file's name, relative to the bundle) and each is read and parsed the first time a message in
 * that language is written: carried in the bundle they were ~250 KB that every composing
 * function's cold start compiled, for the one or two languages a job speaks (issue 16).
 * Everywhere else (tests, the CLI, `baton dev`) the import is the parsed object already.
 */
const STORED: Readonly<Record<Exclude<Language, 'en'>, Catalogue | string>> = { de, es, fr, pt, nl, ms, id, th, ar, ja };

const loaded = new Map<Language, Catalogue>([['en', en]]);

/** The catalogue of `language`, parsed on first use. */
export function catalogueOf(language: Language): Catalogue {
  let catalogue = loaded.get(language);
  if (!catalogue) {
    const stored = STORED[language as Exclude<Language, 'en'>];
    catalogue = typeof stored === 'string' ? (JSON.parse(readFileSync(new URL(stored, import.meta.url), 'utf8')) as Catalogue) : stored;
    loaded.set(language, catalogue);
  }
  return catalogue;
}

/** Every language's catalogue by its code; a language is parsed when it is looked up. */
export const CATALOGUES: Readonly<Record<Language, Catalogue>> = Object.defineProperties(
  {} as Record<Language, Catalogue>,
  Object.fromEntries((['en', ...Object.keys(STORED)] as Language[]).map((l) => [l, { enumerable: true, get: () => catalogueOf(l) }])),
);

export type MessageValues = Record<string, string | number>;

/** The BCP 47 locale dates and lists are written in: en-GB for English, as Baton always wrote them. */
export function localeOf(language: Language): string {
  return language === 'en' ? 'en-GB' : language;
}

/** Arabic is written right to left: the emails and pages say so (`dir="rtl"`). */
export function directionOf(language: Language): 'ltr' | 'rtl' {
  return language === 'ar' ? 'rtl' : 'ltr';
}

/** One message in `language`, its values filled in. */
export function t(language: Language, key: MessageKey, values: MessageValues = {}): string {
  return formatMessage(language, catalogueOf(language)[key], values, key);
}

/** A translator for one language, so callers need not pass it each time. */
export function messagesFor(language: Language): (key: MessageKey, values?: MessageValues) => string {
  return (key, values) => t(language, key, values);
}

const pluralRules = new Map<string, Intl.PluralRules>();
function pluralOf(language: Language, n: number): string {
  let rules = pluralRules.get(language);
  if (!rules) pluralRules.set(language, (rules = new Intl.PluralRules(language)));
  return rules.select(n);
}

/** A parsed message: literal text, `{name}`, or a plural with its forms. */
export type Part = string | { arg: string } | { arg: string; forms: Record<string, Part[]> };

/** Parses the ICU subset; throws on unbalanced braces so a broken translation fails its test, not a send. */
export function parseMessage(pattern: string, where = 'message'): Part[] {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`${where}: ${why} at character ${at} of "${pattern}"`);
  };
  const parts = (inPlural: boolean): Part[] => {
    const out: Part[] = [];
    let literal = '';
    while (at < pattern.length) {
      const c = pattern[at]!;
      if (c === '}') break;
      if (c === '#' && inPlural) {
        if (literal) out.push(literal);
        literal = '';
        out.push({ arg: '#' });
        at++;
        continue;
      }
      if (c !== '{') {
        literal += c;
        at++;
        continue;
      }
      if (literal) out.push(literal);
      literal = '';
      at++;
      const close = pattern.slice(at).search(/[,}]/);
      if (close < 0) fail('a { without its }');
      const arg = pattern.slice(at, at + close).trim();
      if (!/^[A-Za-z][A-Za-z0-9]*$/.test(arg)) fail(`"${arg}" is not a value name`);
      at += close;
      if (pattern[at] === '}') {
        at++;
        out.push({ arg });
        continue;
      }
      const kind = /^,\s*plural\s*,\s*/.exec(pattern.slice(at));
      if (!kind) fail('only {name} and {name, plural, …} are supported');
      at += kind![0].length;
      const forms: Record<string, Part[]> = {};
      for (;;) {
        const sel = /^\s*(=\d+|zero|one|two|few|many|other)\s*\{/.exec(pattern.slice(at));
        if (!sel) break;
        at += sel[0].length;
        forms[sel[1]!] = parts(true);
        if (pattern[at] !== '}') fail('a plural form without its }');
        at++;
      }
      while (pattern[at] === ' ') at++;
      if (pattern[at] !== '}') fail('a plural without its closing }');
      if (!forms['other']) fail(`the plural of "${arg}" has no "other" form`);
      at++;
      out.push({ arg, forms });
    }
    if (literal) out.push(literal);
    return out;
  };
  const out = parts(false);
  if (at !== pattern.length) fail('a } without its {');
  return out;
}

/** The value names a message uses: what the catalogue test compares across languages. */
export function argumentsOf(pattern: string): string[] {
  const names = new Set<string>();
  const walk = (ps: Part[]) => {
    for (const p of ps) {
      if (typeof p === 'string' || p.arg === '#') continue;
      names.add(p.arg);
      if ('forms' in p) Object.values(p.forms).forEach(walk);
    }
  };
  walk(parseMessage(pattern));
  return [...names].sort();
}

const parsed = new Map<string, Part[]>();

export function formatMessage(language: Language, pattern: string, values: MessageValues, where = 'message'): string {
  let ps = parsed.get(pattern);
  if (!ps) parsed.set(pattern, (ps = parseMessage(pattern, where)));
  const render = (list: Part[], n?: number): string =>
    list
      .map((p) => {
        if (typeof p === 'string') return p;
        if (p.arg === '#') return n === undefined ? '#' : new Intl.NumberFormat(localeOf(language)).format(n);
        const v = values[p.arg];
        if (v === undefined) throw new Error(`${where}: no value for {${p.arg}}`);
        if (!('forms' in p)) return String(v);
        const count = Number(v);
        const form = p.forms[`=${count}`] ?? p.forms[pluralOf(language, count)] ?? p.forms['other']!;
        return render(form, count);
      })
      .join('');
  return render(ps);
}

/** "A, B and C" in the language's own way (English keeps Baton's "A, B and C"). */
export function listOf(language: Language, items: readonly string[]): string {
  if (language === 'en') return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
  return new Intl.ListFormat(localeOf(language), { type: 'conjunction' }).format(items);
}

/** The participant's language: their own (CSV), else the series', else English. */
export function languageOf(participant: { language?: Language | undefined }, series: { language?: Language | undefined }): Language {
  return participant.language ?? series.language ?? 'en';
}
