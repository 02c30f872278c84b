// Which languages a reply is written in, so that only their lexicons read it: a word that is a
// cue in one language is often an ordinary word in another (Malay "cuba" is "try", English
// "start" and "test" are nouns in Dutch and German, Dutch "je" is "you" where French "je" is "I").
// Pure: the evidence is the script, then the lexicons' own words.
//
// - A script of its own (Thai, Arabic, Japanese kana and kanji) names its language outright.
// - Latin text is scored per language: every word found in a language's common words or in its
//   lexicon's lists counts, shared between the languages that know it ("de" is Spanish, French,
//   Portuguese and Dutch: a quarter to each); a common word counts 1, a listed cue word a half,
//   because cue words are the ones other languages also have. The best-scoring language reads
//   the reply, with any other that scores at least a third as much and at least 1 (people mix in
//   English: "Saya akan cuba #2. Thanks for the great idea!"). Malay and Indonesian read together.
// - Too little evidence (a bare "#2 please", "ok") says nothing: every lexicon reads it, as before.
import { LEXICONS, type Lexicon } from './lexicon/index.ts';

const SCRIPTS: Array<{ lang: string; letters: RegExp }> = [
  { lang: 'th', letters: /[\u0e00-\u0e7f]/gu },
  { lang: 'ar', letters: /[\u0600-\u06ff\u0750-\u077f]/gu },
  { lang: 'ja', letters: /[\u3040-\u30ff\u4e00-\u9fff\uff66-\uff9f]/gu },
];
/** Letters of a script before it counts: a quoted name is not a reply written in it. */
const SCRIPT_MIN = 4;
/** Below this best Latin score nothing is concluded. */
const MIN_EVIDENCE = 1.5;
/** Another Latin language reads too when it scores at least this share of the best, and at least 1. */
const MIXED_IN = 1 / 3;
const SIBLINGS: Record<string, string> = { ms: 'id', id: 'ms' };

const LIST_KEYS = [
  'unsubscribe', 'stop', 'adopt', 'contrast', 'signOff', 'notYet', 'everyone', 'you', 'opinion', 'negation', 'decline',
  'strategyStrong', 'strategyWeak', 'itWorks', 'feedback', 'praise', 'ack', 'join', 'greeting', 'question', 'refNouns', 'stars', 'ratingLead',
] as const;

const fold = (s: string) => s.normalize('NFKD').replace(/\p{M}+/gu, '').toLowerCase().replace(/[\u2018\u2019`\u00b4]/g, "'");
const isLatin = (l: Lexicon) => Boolean(l.common?.length);

/**
 * word -> the Latin languages that know it, and whether it is one of their common words. Built on
 * the first reply read, not at import: a cold start that reads none should not pay for it (issue 16).
 */
let known: Map<string, { langs: string[]; common: boolean }> | undefined;
const knownWords = (): Map<string, { langs: string[]; common: boolean }> => (known ??= buildKnown());
function buildKnown(): Map<string, { langs: string[]; common: boolean }> {
  const out = new Map<string, { langs: Set<string>; common: boolean }>();
  const add = (w: string, lang: string, common: boolean) => {
    if (!w || w === '*') return;
    const e = out.get(w) ?? out.set(w, { langs: new Set(), common: false }).get(w)!;
    e.langs.add(lang);
    e.common ||= common;
  };
  for (const l of LEXICONS.filter(isLatin)) {
    for (const w of l.common ?? []) add(fold(w), l.lang, true);
    const listed = [...LIST_KEYS.flatMap((k) => (l[k] ?? []) as string[]), ...Object.values(l.parts).flat(), ...Object.keys(l.numbers), ...Object.keys(l.ordinals)];
    for (const p of listed) for (const w of fold(p).split(/\s+/)) add(w, l.lang, false);
  }
  return new Map([...out].map(([w, e]) => [w, { langs: [...e.langs], common: e.common }]));
}

/** Each language's score on the text, Latin languages only. */
export function latinScores(text: string): Record<string, number> {
  const scores: Record<string, number> = {};
  // Words with their elisions ("j'ai" counts "j'" and "ai" as well as the whole).
  for (const [word] of fold(text.slice(0, 20_000)).matchAll(/\p{L}+(?:'\p{L}+)*/gu)) {
    const forms = word.includes("'") ? [word, ...word.split("'").map((p, i, a) => (i < a.length - 1 ? `${p}'` : p))] : [word];
    for (const form of forms) {
      const entry = knownWords().get(form);
      if (!entry) continue;
      // A function word is the better evidence: the lists' cue words are the very words that
      // also exist in other languages ("start", "test", "cuba").
      const weight = (entry.common ? 1 : 0.5) / entry.langs.length;
      for (const lang of entry.langs) scores[lang] = (scores[lang] ?? 0) + weight;
    }
  }
  return scores;
}

/**
 * The languages a reply is written in (lexicon codes), or undefined when the text does not say
 * (then every lexicon reads it).
 */
export function replyLanguages(text: string): string[] | undefined {
  const head = text.slice(0, 20_000);
  const scripts = SCRIPTS.filter((s) => (head.match(s.letters)?.length ?? 0) >= SCRIPT_MIN).map((s) => s.lang);
  // Paragraph by paragraph: a French answer over an English signature is French and English,
  // and the shared words of a long English reply do not add up to Dutch.
  const paragraphs = head.split(/\n[ \t]*\n/);
  let latin = paragraphs.flatMap((p) => latinLanguages(p, scripts.length > 0));
  if (!latin.length && paragraphs.length > 1) latin = latinLanguages(head, scripts.length > 0);
  if (!scripts.length && !latin.length) return undefined;
  // Written in its own script, a reply may still carry English ("ลอง #2 ครับ, thanks").
  const chosen = new Set([...scripts, ...latin, ...(scripts.length ? ['en'] : [])]);
  for (const lang of [...chosen]) if (SIBLINGS[lang]) chosen.add(SIBLINGS[lang]);
  return [...chosen];
}

/** The Latin languages of one stretch of text; none when it says too little. */
function latinLanguages(text: string, besideScript: boolean): string[] {
  const scores = Object.entries(latinScores(text));
  const best = Math.max(0, ...scores.map(([, s]) => s));
  if (best < (besideScript ? 1 : MIN_EVIDENCE)) return [];
  return scores.filter(([, s]) => s >= 1 && s >= best * MIXED_IN).map(([lang]) => lang);
}

/** The lexicons that read a text: those of its languages, else all of them. */
export function lexiconsFor(text: string): readonly Lexicon[] {
  const langs = replyLanguages(text);
  return langs ? LEXICONS.filter((l) => langs.includes(l.lang)) : LEXICONS;
}
