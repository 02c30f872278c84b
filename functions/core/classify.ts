// Intent classification of a participant's reply, after the trimmer has removed quoted history
// and signature. Pure: no clock, no I/O. The rules are written out in CLASSIFY_RULES below and
// are the contract; every vocabulary list in this file exists to serve one of them.
import { all, allNumbers, allParts, LEXICONS, type Lexicon } from './lexicon/index.ts';
import { lexiconsFor } from './language.ts';
import type { Intent, Strategy } from './model.ts';

export const CLASSIFY_RULES = `
How Baton reads a reply (classifyReply). A reply gets one or more intents, in reading order.

1. The subject first. Our buttons are mailto links with fixed subjects, and they decide directly:
   "Adopt #N: <title>" -> adopt strategy N (by the title when the number is missing or unknown;
   when neither resolves, a body that names a strategy decides, else adopt without a strategy);
   "Strategy: <training>" -> strategy (the body is the strategy; a subject with "?" in it is a
   question, not the button); "Unsubscribe" -> unsubscribe;
   "Mark as read" -> read. Any number of reply/forward prefixes is ignored first, in any case and
   in many languages (Re, RE, Fwd, Fw, AW, WG, SV, VS, Antw, RES, ENC, RV, TR, R, Odp, YNT, رد,
   回复, 返信 …), as are "[External]"-style tags; the colon may be missing ("adopt 2", "Adopt #2
   Write a shared agenda"). A subject the participant edited that says "adopt(ing) #N" counts too.
   An empty body with an Adopt subject still adopts. With an Adopt or Strategy subject, the body is
   that intent's text, except parts of it that clearly carry another intent (a further adoption,
   a strategy, feedback, unsubscribe); praise or "thanks" there is part of the why.
   An Unsubscribe subject makes the whole reply an unsubscribe.

2. Free text is cut into paragraphs (blank lines) and sentences (. ! ? and their CJK/Thai forms
   before a space, or a line break after a short line; hard-wrapped lines are joined back). Each
   sentence is matched after folding: lower case, accents removed, curly quotes made straight.
   Sentences are cut into clauses (commas, semicolons, colons, dashes, the Arabic comma, and
   before a contrasting word: but, pero, mais, aber, maar, tapi, แต่, لكن, でも …, or a
   subordinating one: because, weil, porque, omdat, karena, เพราะ, لأن, ので …). Negation and
   declining reach the end of their clause only, and a negation anywhere in the clause of a
   commitment cancels it, wherever the language puts it (before the verb in en/es/pt/ms/id/th/ar,
   after it or at the clause's end in nl/de "Ik ga de #2 niet doen", around it in fr "ne … pas",
   as a verb ending in ja 〜ません/〜ない); the strategies a sentence adopts are those named
   in its committing clauses, else in its clauses that neither decline nor negate ("Already doing
   1 and 3, going to add #4" adopts #4; "I don't think #1 works for us, but I'll adopt #2" adopts
   #2). Lines an inline reply quotes (">") are ours: not read as the participant's, but an answer
   written under a quoted strategy ("> 4. Close with …" / "This I'll do") commits to it.

3. What a sentence can say:
   - unsubscribe: a request to stop, not a story about unsubscribing elsewhere: "unsubscribe"
     alone or "unsubscribe me", "please unsubscribe", "remove me", "take me off", "stop sending",
     "opt out"; es "dar(me) de baja", pt "descadastrar", "me remover", fr "désabonner",
     "désinscrire", de "abmelden", "melden Sie mich … ab", "aus dem Verteiler", ms
     "berhenti langganan", th "ยกเลิก…". "I unsubscribed from every newsletter" is not one.
     It outranks everything else in that sentence.
   - adopt: a reference to one of the training's strategies together with a commitment word in
     the same sentence. References: "#N", "number N", "no./n°/nr. N", "strategy N", "option N",
     "la/el/le/die N" (es/fr/de), number words ("number four", "número dos"), ordinals with an
     article or a noun ("the fourth one", "la troisième", "die dritte", "strategi kedua"; not
     "a second look" or "the first time"), Thai "ข้อ 2", "the <title word> one" ("the mute one"),
     or the strategy's title: at least 1.5 points of its distinctive words, stemmed and case- and
     accent-insensitive (a word shared by two titles, or a generic verb such as keep/use/write,
     is half a point). Commitment words: adopt, try, going to, will/I'll, go(ing) with, pick,
     choose, steal, start, implement, "for me", "want to"; es voy a, probar, adoptar, me quedo
     con; pt vou, adotar, tentar, testar; fr vais, essayer, adopter, je prends; de übernehme,
     nehme, ausprobieren, werde; ms akan, cuba, guna; th ลอง, จะ. A negation in the commitment's
     clause ("won't", "not going to", "no voy a", "niet", "nicht … aus", "ne … pas", "ไม่",
     "لن", "〜ません") cancels it. A commitment word is not the writer's commitment in a
     question ("Should I try #2?"), a hedge or condition in its clause or a clause before it
     ("I might try #2", "If I have time, I'll try #2"; "I'll try #2, it might help" still
     adopts), or after someone else as its subject ("Dev said he'll try #2", "My manager is going
     to try #2"). A reference without a
     commitment ("Quick question about #4", "Number 3 is so underrated") is a comment, except
     (a) in reply to a training, a sentence that opens with the reference and goes on with at
     most one word before its clause ends ("#4 but on Thursdays", "Number 2 please", "#1 and
     #4."; not "Number 2 takes me back to my first job"), and (b) references in the
     sentence right after a commitment that had none ("Can I adopt two? If so, #1 and #4."). Numbers
     outside the training's strategies are ignored. In a check-in, the strategy asked about
     is a follow-up, not a new adoption.
   - strategy: something that works for the writer: "what works for me", "my tip/trick/method/
     system", "here's how I", "I do something different/similar", "feel free to copy"; es "lo
     que me funciona", "mi truco", "un consejo"; pt "o que funciona pra mim", "uma dica"; fr "ce
     qui marche pour moi", "mon astuce"; de "was bei mir funktioniert", "mein Tipp"; ms "tip
     saya"; a link to a video host (Loom, YouTube, Vimeo, Google Drive, Dropbox, OneDrive);
     or a real attachment (inline signature images such as image001.png are not); a
     first-person practice said to work ("we use Lattice … works great"). Plain
     first-person habits ("I always …", "I usually …") are a strategy only when the whole
     reply to a training says nothing else, because they are as often the why of an adoption.
     A strategy phrase in a sentence outranks a strategy title match in it (someone describing
     their own agenda method is not adopting "shared agenda").
   - feedback: about the series or the emails rather than this training's content: "this
     series", "these trainings", "future/next trainings", "these emails", "the format", "calendar
     hold/invite", "audio version", "could you add/send/make", "suggestion", "would it be
     possible", in five languages and Malay. In a sentence that adopts or shares a strategy,
     such words describe that and are not feedback.
   - praise/comment: great, love, nice, helpful, genius, "so true", "hit home", "thanks for
     sharing", qué buena idea, adorei, génial, super Idee, bagus, เยี่ยม … Praise in a sentence
     that says something stronger (adopt, strategy, feedback) is part of that.
   - rating (check-ins only): "4/5", "4 out of 5", "4 de 5", "4 sur 5", "4 von 5", "8/10"
     (halved), "a 4", "un 4", "eine 2", "nota 5", "bagi 4", "give it a 5", "five stars", "★★★★☆"
     (filled stars counted), "⭐⭐⭐", keycap digits, a sentence that is only a number 1–5
     ("Meh. 2."), or an answer that opens with one ("3, it's hard to stick to"), a short sentence
     ending on one ("Easy 5."; not "number 4."). An explicit form (n/m, out of, stars) in a later
     sentence corrects an earlier rating; a weaker form counts only when no explicit one is given,
     and then the first. Answers numbered like the survey's questions ("1. 5 / 2. audio") are read
     without their numbers. Number words count only as whole words ("aunque" is not "a un").
     Words such as "really helped" make a follow-up without a rating: Baton does not guess one.
   - acknowledgement: read, done, got it, seen, thanks, 👍, ✅, leído, lido, lu, gelesen, dah
     baca, อ่านแล้ว, with greetings and at most one other word (a name).

4. Sentences without a signal belong to the sentence before them (the why and how after an
   adoption). When they come first they go with the first sentence that has one (a greeting),
   except on a teammate's contribution and in a check-in, where what comes first is the
   reaction (comment) or the answer (follow-up) unless it is only a greeting.

5. What the context adds:
   - training: nothing detected -> read when the whole reply is an acknowledgement or blank,
     else strategy when it describes the writer's own habits, else comment (on the training).
   - submission (reply to a teammate's contribution): praise, questions, thanks and anything
     undetected are a comment on it (targetResponseId); adopt needs an explicit reference to
     one of the training's strategies; a strategy needs a strong phrase, a link or a file.
   - check-in: praise and undetected text are the follow-up on the strategy asked about, with
     the first rating found in that part; an unsubscribe or a new strategy in a separate
     sentence is its own intent.
   - kickoff: anything that is not an unsubscribe is feedback about the series; an
     acknowledgement alone is read.

6. "read" is only given when nothing else is: every contribution implies having read.
   A quote attribution line a trimmer missed ("… <a@b> wrote:", "… menulis:") is ignored.

7. Output: one entry per (intent, strategy), merged in reading order. When the reply has parts
   for different intents, each entry carries only its parts (joined with a blank line);
   sentences that carry two intents at once go to both. Links (http/https) are extracted per
   entry from its own text. classifyReply never throws and always returns at least one entry.
`;

export type ReplyContext =
  | { kind: 'training' }
  | { kind: 'submission'; responseId: string }
  | { kind: 'check-in'; strategyId: string }
  | { kind: 'kickoff' };

/** Every email Baton sends that a participant can answer; the signed reply address says which. */
export const ANSWERED_KINDS = ['kickoff', 'training', 'reminder', 'rollup', 'contribution', 'ack', 'upload-link', 'check-in', 'wrap-up'] as const;
export type AnsweredKind = (typeof ANSWERED_KINDS)[number];

export interface AttachmentInfo {
  filename: string;
  contentType: string;
  size: number;
}

export interface ClassifyInput {
  subject: string;
  /** Trimmed reply text (quoted history and signature already removed). */
  text: string;
  /** The strategies of the training the reply answers. */
  strategies: Strategy[];
  context: ReplyContext;
  attachments?: AttachmentInfo[];
  /** Which email the reply answers, when known; training when not. */
  answered?: AnsweredKind;
  /** Names of the teammates the answered email showed (the roll-up), for comments on them. */
  teammates?: string[];
  /** Names of the series' trainers: a reply addressed to anyone else was sent to the thread by mistake. */
  trainers?: string[];
}

/** Parts of the series a participant can ask to stop without leaving it. */
export type Preference = 'reminders' | 'rollups' | 'check-ins' | 'calendar';

export interface Classified {
  intent: Intent;
  text: string;
  strategyId?: string;
  rating?: number;
  links: string[];
  targetResponseId?: string;
  /** The teammate a comment is about, by name, when the reply names one. */
  target?: string;
  /** A feedback that asks to stop one part of the series (kept as a preference, never an unsubscribe). */
  preference?: Preference;
}

/**
 * The reply as a whole. `unclear` records nothing: the trainer is asked instead (recording a
 * wrong contribution is worse than recording none). `correction`: a reply to an acknowledgement,
 * whose intents replace what that acknowledgement said was recorded.
 */
export interface Reading {
  status: 'parsed' | 'unclear';
  answers: AnsweredKind;
  intents: Classified[];
  correction: boolean;
  reason?: string;
}

// ---------------------------------------------------------------------------------------------
// Folding and pattern building

/** Lower case, accents and other combining marks removed, ß -> ss, curly quotes straightened. */
export function fold(s: string): string {
  // Arabic-Indic and Persian digits are digits: "٣/٥" is "3/5".
  const digits = s.replace(/[\u0660-\u0669\u06f0-\u06f9]/g, (d) => String((d.charCodeAt(0) - 0x0660) % 0x90 % 16));
  return stripMarks(digits.toLowerCase()).replace(/ß/g, 'ss').replace(/[\u2018\u2019\u201b`\u00b4]/g, "'");
}

function stripMarks(s: string): string {
  return s.normalize('NFKD').replace(/\p{M}+/gu, '');
}

const LATIN = /[a-z]/;
const escapeRe = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * An alternation of phrases written folded (lower case, no accents). In a phrase, a space is any
 * whitespace run and " * " allows up to three words in between. Latin phrases must stand as
 * whole words; phrases in scripts without spaces (Thai) match anywhere. With `words`, phrases in
 * other scripts with spaces (Arabic) must stand as whole words too: short function words such
 * as "لا" are also letters inside longer words ("الاستراتيجية").
 */
export function phrases(list: readonly string[], flags = 'u', words = false): RegExp {
  const spaced = words ? /[a-z\p{Script=Arabic}]/u : LATIN;
  const latin: string[] = [];
  const other: string[] = [];
  for (const p of list) {
    const src = stripMarks(p)
      .split(' * ')
      .map((part) =>
        part
          .split(' ')
          .map((w) => w.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('\\s+'),
      )
      // Bounded and made of disjoint classes, so it cannot backtrack explosively.
      .join('(?:\\s+\\S+){0,3}\\s+');
    (spaced.test(p) ? latin : other).push(src);
  }
  const parts: string[] = [];
  if (latin.length) parts.push(`(?<![\\p{L}\\p{N}])(?:${latin.join('|')})(?![\\p{L}\\p{N}])`);
  if (other.length) parts.push(`(?:${other.join('|')})`);
  return new RegExp(parts.join('|') || '(?!)', flags);
}

// ---------------------------------------------------------------------------------------------
// Cues: the phrase lists of the languages a reply is written in (core/language.ts), built once per
// set of languages. Number words, ordinals and rating words stay those of every language: a
// number is read the same in any of them, and a reply of a bare "4/5" says no language.

interface Cues {
  ADOPT_CUE: RegExp;
  NEGATION: RegExp;
  /** "can't wait", "no doubt": a negation word that affirms. */
  AFFIRMATIVE_G: RegExp;
  /** Words opening a subordinate clause ("because"): cut like a contrast. */
  SUBORDINATE_G: RegExp;
  /** "might", "maybe", "if": a possibility, not a commitment. */
  HEDGE: RegExp;
  /** "he", "they", "my manager is": someone else's commitment, reported. */
  OTHERS_G: RegExp;
  /** Asking words as whole words ("ไหม", "هل", "i wonder"): a clause that asks commits to nothing. */
  ASKS: RegExp;
  DECLINE: RegExp;
  CONTRAST_G: RegExp;
  STOP_CUE: RegExp;
  PARTS: ReadonlyArray<readonly [Preference, RegExp]>;
  STRATEGY_STRONG: RegExp;
  STRATEGY_WEAK: RegExp;
  /** Said of one's own practice ("we use X … works great") it makes that practice a strategy. */
  IT_WORKS: RegExp;
  FEEDBACK: RegExp;
  PRAISE: RegExp;
  QUESTION: RegExp;
  JOIN: RegExp;
  NOT_YET: RegExp;
  OPINION: RegExp;
  EVERYONE: Set<string>;
  YOU: RegExp;
  /** Every word the lexicons know: a capitalised word before a comma that is one of them ("Great,", "Sorry,") is not a name. */
  KNOWN_WORDS: Set<string>;
  /** Words a bare acknowledgement is made of; stripped to see whether anything is left. */
  ACK: RegExp;
  ACK_G: RegExp;
  GREETING_WORDS: string[];
  GREETING: RegExp;
  GREETING_TEST: RegExp;
  SIGN_OFF: RegExp;
  SIGN_OFF_G: RegExp;
}

function cuesOf(lexicons: readonly Lexicon[]): Cues {
  const list = (key: Parameters<typeof all>[0]) => all(key, lexicons);
  const greetings = list('greeting');
  const ack = phrases(list('ack'));
  const signOff = phrases([...greetings, ...list('signOff')]);
  return {
    ADOPT_CUE: phrases(list('adopt')),
    NEGATION: phrases(list('negation'), 'u', true),
    AFFIRMATIVE_G: phrases(list('affirmative'), 'gu', true),
    SUBORDINATE_G: phrases(list('subordinate'), 'gu', true),
    HEDGE: phrases(list('hedge'), 'u', true),
    OTHERS_G: phrases(list('others'), 'gu', true),
    ASKS: phrases(list('question'), 'u', true),
    DECLINE: phrases(list('decline')),
    CONTRAST_G: phrases(list('contrast'), 'gu'),
    STOP_CUE: phrases(list('stop')),
    PARTS: Object.entries(allParts(lexicons)).map(([part, words]) => [part as Preference, phrases(words)] as const),
    STRATEGY_STRONG: phrases(list('strategyStrong')),
    STRATEGY_WEAK: phrases(list('strategyWeak')),
    IT_WORKS: phrases(list('itWorks')),
    FEEDBACK: phrases(list('feedback')),
    PRAISE: phrases(list('praise')),
    QUESTION: phrases(list('question')),
    JOIN: phrases(list('join')),
    NOT_YET: phrases(list('notYet')),
    OPINION: phrases(list('opinion')),
    EVERYONE: new Set(list('everyone').map(fold)),
    YOU: phrases(list('you')),
    KNOWN_WORDS: new Set(
      (['praise', 'ack', 'greeting', 'signOff', 'contrast', 'negation', 'decline', 'adopt', 'question', 'join', 'notYet', 'feedback', 'strategyWeak', 'you'] as const)
        .flatMap((k) => list(k))
        .flatMap((p) => fold(p).split(/\s+/)),
    ),
    ACK: ack,
    ACK_G: new RegExp(ack.source, 'gu'),
    GREETING_WORDS: greetings,
    GREETING: phrases(greetings, 'gu'),
    GREETING_TEST: phrases(greetings),
    SIGN_OFF: signOff,
    SIGN_OFF_G: new RegExp(signOff.source, 'gu'),
  };
}

const CUES = new Map<string, Cues>();
/** The cues of these lexicons, cached per set of languages (at most 2^11 sets, in practice a dozen). */
function cuesFor(lexicons: readonly Lexicon[]): Cues {
  const key = lexicons.map((l) => l.lang).join(',');
  let cues = CUES.get(key);
  if (!cues) {
    if (CUES.size >= 64) CUES.clear();
    CUES.set(key, (cues = cuesOf(lexicons)));
  }
  return cues;
}

/**
 * Every language's cues, built on first use: building them is tens of milliseconds that a cold
 * start which never reads a reply (or reads one in fewer languages) would pay for nothing (issue 16).
 */
let everyLanguage: Cues | undefined;
const EVERY_LANGUAGE = new Proxy({} as Cues, { get: (_, key) => (everyLanguage ??= cuesFor(LEXICONS))[key as keyof Cues] });

/** The cues of the reply being read: every language's outside a reading, the reply's inside one. */
let C: Cues = EVERY_LANGUAGE;

/** Runs one reading with the cues of the text's languages; readings are synchronous, so one at a time. */
function inLanguagesOf<T>(text: string, run: () => T): T {
  const outer = C;
  C = cuesFor(lexiconsFor(text));
  try {
    return run();
  } finally {
    C = outer;
  }
}

// ---------------------------------------------------------------------------------------------
// Vocabularies (folded)

const REPLY_PREFIX =
  /^\s*(?:\[[^\]]{0,40}\]\s*)?(?:re|aw|sv|vs|vl|antw|antwort|wg|fw|fwd|tr|rv|res|enc|r|i|ref|odp|ynt|vá|rif|رد|回复|答复|回覆|转发|返信|転送)\s*(?:\[\d{1,3}\]|\(\d{1,3}\))?\s*[:：]\s*/iu;
const SUBJECT_TAG = /^\s*\[[^\]]{0,40}\]\s*/u;

const ADOPT_SUBJECT = /^(?:adopt(?:ing|ed)?|adoptar|adotar|adopter|ubernehmen|uebernehmen)\b\s*[:\-–]?\s*(?:#|no\.?|nr\.?|n°|number|numero|nummer)?\s*(\d{1,2})?\s*[:\-–.)]?\s*(.*)$/u;
const ADOPT_IN_SUBJECT = /(?<![\p{L}\p{N}])adopt(?:ing|ed)?\s*[:\-–]?\s*(?:#|no\.?|nr\.?|number)\s*(\d{1,2})(?!\d)/u;
const STRATEGY_SUBJECT = /^(?:(?:new|my|own)\s+)?(?:strategy|strategie|estrategia|strategi|tip|tipp|dica|consejo|astuce)(?![\p{L}\p{N}])/u;
const UNSUBSCRIBE_SUBJECT = phrases(['unsubscribe', 'unsubscribe me', 'dar de baja', 'darse de baja', 'darme de baja', 'baja', 'descadastrar', 'cancelar inscricao', 'desabonner', 'se desabonner', 'desinscrire', 'abmelden', 'abbestellen', 'berhenti langganan', 'nyahlanggan', 'ยกเลิกการสมัคร']);
const READ_SUBJECT = /^(?:mark(?:ed)?\s+as\s+read|read|done)(?![\p{L}\p{N}])/u;

const UNSUBSCRIBE = phrases(all('unsubscribe'));
/** "unsubscribe" standing (almost) alone is a request; inside a story it is not. */
const UNSUBSCRIBE_ALONE = /^\W*(?:please\s+)?unsubscribe(?:\s+please)?\W*$/u;

/** Clause breaks inside a sentence: commas, semicolons, colons, dashes (not in "1:1" or "4/5"). */
const CLAUSE_BREAK = /[,;](?!\d)|(?<!\d):(?!\d)|[、，；،؛]|\s[–—-]\s/gu;
const CLAUSE_BREAK_ONE = new RegExp(CLAUSE_BREAK.source, 'u');

const NUMBER_WORDS = allNumbers('numbers', fold);
/** -1 is "the last one". */
const ORDINALS = allNumbers('ordinals', fold);
const latinKeys = (r: Record<string, number>) => Object.keys(r).filter((k) => LATIN.test(k) || /^\d/.test(k));
const NUM_WORD_ALT = latinKeys(NUMBER_WORDS).map(escapeRe).join('|');
const ORD_ALT = latinKeys(ORDINALS).map(escapeRe).join('|');
// Ordinals in scripts that carry their own article or none (Arabic "الرابعة", Thai "ข้อแรก").
const OTHER_ORDINALS = Object.entries(ORDINALS).filter(([k]) => !LATIN.test(k) && !/^\d/.test(k));
// English "a second look" is not a reference; Portuguese "a segunda" is.
const PT_ORD_ALT = 'primeira|primeiro|segunda|segundo|terceira|terceiro|quarta|quarto|quinta|quinto|ultima|ultimo';
const NOT_AFTER_ORDINAL =
  'vez|veces|fois|mal|time|times|thing|things|step|half|part|paragraph|section|sentence|bit|place|line|hour|minute|quarter|year|month|week|day|semana|semaine|woche|dia|jour|tag|reunion|meeting|hora|heure|mes|mois|feira|minggu|hari|dag|keer|maand|jaar|uur|kali|bulan|tahun|jam|ronde|round|thought|look|glance';
const REF_NOUN = [...new Set([...all('refNouns').map((w) => escapeRe(fold(w))), 'nombor', 'nomor', 'num\\.', 'nr'])].join('|');
/** "#2", "number 2", "strategy two", "n°3", "nº3" (folds to "no3"). */
const NUMBER_REF = new RegExp(
  `#\\s?(\\d{1,2})(?!\\d)|(?<![\\p{L}\\p{N}])(?:${REF_NOUN})\\s*(?:#|n°|no\\.?)?\\s*(\\d{1,2}|${NUM_WORD_ALT})(?![\\p{L}\\p{N}])|(?<![\\p{L}\\p{N}])no(\\d)(?!\\d)`,
  'gu',
);
/** Article + bare digit in languages that say "la 2" for "number 2"; not times or ratings. */
const ARTICLE_REF =
  /(?<![\p{L}\p{N}]|(?:give it|gave it|rate it|dou|daria|nota)\s)(?:la|el|le|die|der|das|den|a|o)\s+(\d)(?![\p{N}:/]|[.,]\d|\s*(?:de|sur|von|of|h|am|pm|jan|feb|fev|mar|apr|avr|abr|may|mai|jun|juin|jul|juil|aug|ago|aout|sep|set|oct|okt|out|nov|dec|dez|dic|ene)(?![\p{N}]))/gu;
/** "the fourth one", "la troisième", "die dritte", "strategi kedua", "the 2nd option". */
const ORDINAL_REF = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:(?:the|la|el|lo|le|die|der|das|den|dem|de|het|yang|strategi|strategy|option|nombor|nomor)\\s+(${ORD_ALT})|(?:a|o)\\s+(${PT_ORD_ALT}))(?![\\p{L}\\p{N}-])(?!\\s+(?:${NOT_AFTER_ORDINAL})(?![\\p{L}]))` +
    `|(?<![\\p{L}\\p{N}])(${ORD_ALT})\\s+(?:one|strategy|option|tip|idea|estrategia|opcion|opcao|strategie|strategi)(?![\\p{L}\\p{N}])`,
  'gu',
);

/** Thai counts items with ข้อ / อันที่ ("ข้อ 2": item 2), written straight after the verb. */
const COUNTER_BEFORE = all('refBefore').map((w) => escapeRe(stripMarks(w))).join('|');
const COUNTER_AFTER = all('refAfter').map((w) => escapeRe(stripMarks(w))).join('|');
const NON_LATIN_NUMBERS = Object.keys(NUMBER_WORDS).filter((k) => !LATIN.test(k)).map(escapeRe).join('|');
const THAI_REF = new RegExp(`(?:${COUNTER_BEFORE})\\s*(\\d{1,2}|${NON_LATIN_NUMBERS})(?!\\d)|(?<!\\d)(\\d{1,2})\\s*(?:${COUNTER_AFTER})`, 'gu');
/** "the mute one", "the action items one": a title named by its distinctive words. */
const NAMED_ONE = /(?<![\p{L}\p{N}])(?:the|that)\s+([\p{L}'-]+(?:\s+[\p{L}'-]+){0,2})\s+(?:one|strategy|tip|idea|thing|trick)(?![\p{L}\p{N}])/gu;
/** After a leading reference these make it a statement about the strategy, not a choice of it. */
const STATEMENT_VERB = phrases([
  'is', 'was', 'seems', 'sounds', 'looks', 'works', 'worked', 'has', 'had', 'would', 'could', 'might', 'reminds', 'makes', 'made', 'does', 'did', 'already',
  'es', 'esta', 'era', 'parece', 'e', 'foi', 'est', 'etait', 'semble', 'ist', 'war', 'klingt', 'ada', 'adalah',
]);

/** A word named as a thing: after a determiner, with at most one word between. */
const NAMED_THING = /(?<![\p{L}\p{N}])(?:the|a|an|my|our|this|that|la|el|los|las|le|les|un|une|die|der|das|den|het|een|o|os|as|um|uma)\s+(?:[\p{L}-]+\s+)?([\p{L}-]{7,})/gu;

/** Words and marks a bare acknowledgement is made of; stripped to see whether anything is left. */
const ACK_MARKS = /[\u{1F44D}\u{1F44C}\u{2705}\u{2714}\u{2611}\u{1F64F}\u{1F64C}\u{1F44F}\u{1F4AF}\u{1F642}\u{1F60A}\u{2764}\u{1F4AA}\u{1F389}\u{2713}]/u;

const VIDEO_HOSTS = /(?:^|\.)(?:loom\.com|youtube\.com|youtu\.be|vimeo\.com|drive\.google\.com|dropbox\.com|1drv\.ms|onedrive\.live\.com|wistia\.com|vidyard\.com)$/;

const ATTRIBUTION = /<[^<>\s@]{1,64}@[^<>\s]{1,255}>[^<>\n]{0,40}:\s*$/u;

const LINK = /https?:\/\/[^\s<>"'[\]{}|\\^`]+/g;

// Ratings -----------------------------------------------------------------------------------
const RATING_WORDS: Record<string, number> = Object.fromEntries(Object.entries(NUMBER_WORDS).filter(([, n]) => n >= 1 && n <= 10));
const RW = latinKeys(RATING_WORDS).map(escapeRe).join('|');
const RWN = `\\d{1,2}|${RW}`;
const OUT_OF_WORDS = all('outOf').map((w) => escapeRe(stripMarks(w))).join('|');
/** "4/5", "8 out of 10", "eins von fünf", "lapan daripada sepuluh", "4 จาก 5". Out of 10 is halved. */
const OUT_OF = new RegExp(`(?<![\\p{N}.:/])(?<![\\p{L}])(${RWN})\\s*(?:${OUT_OF_WORDS})\\s*(5|10|five|ten|funf|zehn|cinco|diez|dez|cinq|dix|lima|sepuluh|vijf|tien)(?![\\p{N}/])`, 'u');
/** "5点満点中3点", "5段階で4": the scale first. */
const SCALE_FIRST = new RegExp(`(5|10)\\s*(?:${all('scaleFirst').map((w) => escapeRe(stripMarks(w))).join('|')})\\s*(\\d{1,2})`, 'u');
const STARS_WORD = new RegExp(`(?<![\\p{L}\\p{N}])([1-5]|${RW})\\s*(?:${all('stars').map((w) => escapeRe(stripMarks(w))).join('|')})(?![\\p{L}])`, 'u');
/** "★4つ", "⭐ 4": a star mark followed by its count. */
const STAR_THEN_NUMBER = /[★⭐]\s*([1-5])(?!\d)/u;
const NOT_A_RATING_AFTER =
  '(?![\\p{N}:/\\-%]|\\.\\d|\\s*(?:x|am|pm|h|min|mins|minutes?|hours?|horas?|stunden?|jam|days?|dias?|jours?|tage?n?|hari|weeks?|semanas?|semaines?|wochen?|minggu|months?|meses|mois|monate?n?|bulan|years?|anos?|ans?|jahre?n?|tahun|people|persons?|times|vez|veces|fois|mal|kali|of us|de nos|#)(?![\\p{L}]))';
const RATING_LEADS = [...new Set([...all('ratingLead'), 'give it', 'gave it', 'rate it', 'rating', 'rated', 'score', "i'd say", 'id say', 'diria', 'daria', 'gebe ich', 'bagi', 'beri', 'nota', 'note'])]
  .map((w) => escapeRe(stripMarks(fold(w))))
  .join('|');
const RATING_LEAD = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${RATING_LEADS}|a|an|un|una|um|uma|une|eine|einen|einer)(?![\\p{Ll}])\\s*:?\\s*(?:a\\s+|an\\s+)?([1-5]|(?:${RW})(?![\\p{L}]))${NOT_A_RATING_AFTER}`,
  'u',
);
const ONLY_NUMBER = /^[^\p{L}\p{N}]*([1-5])[^\p{L}\p{N}]*$/u;
/** "Easy 5.", "Solid 4!": a sentence of at most three words ending on the number. Not "number 4". */
const SHORT_RATING = new RegExp(`^[^\\p{L}\\p{N}]*(?:[\\p{L}'-]+\\s+){1,2}([1-5])[^\\p{L}\\p{N}]*$`, 'u');
const REF_BEFORE_NUMBER = new RegExp(`(?:${REF_NOUN}|#|la|le|el|die|der|a|o)\\s+[1-5][^\\p{L}\\p{N}]*$`, 'u');
/** "1. 5 / 2. audio / 3. nothing": answers numbered like the survey's questions. */
const ENUMERATED = /^[ \t]*\d{1,2}[.)][ \t]+(?=\S)/gmu;
/** "3, it's hard to stick to": an answer that opens with the number. Not "1:1" or "2 weeks". */
const LEADING_NUMBER = /^[^\p{L}\p{N}]*([1-5])(?:\s*[,.!;\u2013\u2014-](?!\d)|\s*:(?!\d))/u;

// ---------------------------------------------------------------------------------------------
// Subject

export type SubjectButton =
  | { kind: 'adopt'; number?: number; title?: string }
  | { kind: 'strategy' }
  | { kind: 'unsubscribe' }
  | { kind: 'read' }
  | { kind: 'survey'; rating?: number };

/** Removes any number of reply/forward prefixes and leading [tags]. */
export function stripReplyPrefixes(subject: string): string {
  let s = subject.trim();
  for (let i = 0; i < 20; i++) {
    const next = s.replace(REPLY_PREFIX, '').replace(SUBJECT_TAG, '');
    if (next === s) break;
    s = next;
  }
  return s.trim();
}

/** What one of our buttons (or a participant's own edit saying "adopt #N") asks for, if anything. */
export function parseSubject(subject: string): SubjectButton | undefined {
  const s = fold(stripReplyPrefixes(subject));
  if (!s) return undefined;
  // The wrap-up's survey buttons: "Survey: usefulness 4/5", "Survey: next format video".
  const survey = /^(?:survey|encuesta|pesquisa|umfrage|sondage|enquete|tinjauan|survei|แบบสอบถาม|استبيان|アンケート)\s*[:：]/u.exec(s);
  if (survey) {
    const rating = findRating(s.slice(survey[0].length));
    return { kind: 'survey', ...(rating !== undefined ? { rating } : {}) };
  }
  const adopt = ADOPT_SUBJECT.exec(s);
  if (adopt) {
    const number = adopt[1] ? Number(adopt[1]) : undefined;
    const title = adopt[2]?.trim() || undefined;
    return { kind: 'adopt', ...(number !== undefined ? { number } : {}), ...(title ? { title } : {}) };
  }
  // "Strategy question?" is a question, not our button.
  if (STRATEGY_SUBJECT.test(s) && !s.includes('?')) return { kind: 'strategy' };
  if (UNSUBSCRIBE_SUBJECT.test(s) && s.split(/\s+/).length <= 4) return { kind: 'unsubscribe' };
  if (READ_SUBJECT.test(s) && s.split(/\s+/).length <= 4) return { kind: 'read' };
  const edited = ADOPT_IN_SUBJECT.exec(s);
  if (edited?.[1]) return { kind: 'adopt', number: Number(edited[1]) };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Strategy titles

const STOP = new Set(
  'a an the to of and or for with your you yourself my our across in on at by from that this it is are be don t s own one all each every per via into out up'.split(' '),
);
const GENERIC = new Set('keep use make take get do put set have give writ end start try'.split(' '));
/** Every language's function words, stemmed as title words are. */
const COMMON_WORDS = new Set(all('common').map((w) => stem(fold(w))));

function stem(word: string): string {
  let s = word;
  if (s.length > 5 && s.endsWith('ies')) s = s.slice(0, -3) + 'y';
  else if (s.length > 5 && s.endsWith('ing')) s = s.slice(0, -3);
  else if (s.length > 4 && s.endsWith('ed')) s = s.slice(0, -2);
  if (s.length > 3 && s.endsWith('s') && !s.endsWith('ss')) s = s.slice(0, -1);
  if (s.length > 3 && s.endsWith('e')) s = s.slice(0, -1);
  const last = s.at(-1);
  if (s.length > 3 && last && last === s.at(-2) && !'aeiou'.includes(last)) s = s.slice(0, -1);
  return s;
}

function stems(folded: string): Set<string> {
  const out = new Set<string>();
  for (const w of folded.split(/[^\p{L}\p{N}]+/u)) if (w && !/^\d+$/.test(w)) out.add(stem(w));
  return out;
}

interface TitleIndex {
  id: string;
  weights: Map<string, number>;
  /** Words of the strategy's explanation that no other strategy of the training uses. */
  body: Set<string>;
}

const TITLE_INDEX = new WeakMap<Strategy[], TitleIndex[]>();

/** Cached per strategies array: one reply reads it for every sentence, a batch for every reply. */
function indexTitles(strategies: Strategy[]): TitleIndex[] {
  let index = TITLE_INDEX.get(strategies);
  if (!index) {
    index = buildTitleIndex(strategies);
    TITLE_INDEX.set(strategies, index);
  }
  return index;
}

function buildTitleIndex(strategies: Strategy[]): TitleIndex[] {
  // The title and the trainer's titles in other languages (each matched on its own words), whose
  // function words ("la", "de", "für") are no title words.
  const titleWords = (t: string, alias: boolean) => [...stems(fold(t))].filter((w) => !STOP.has(w) && w.length > 1 && !(alias && COMMON_WORDS.has(w)));
  const titlesOf = (s: Strategy) => [{ t: s.title, alias: false }, ...(s.aliases ?? []).map((t) => ({ t, alias: true }))];
  const per = strategies.flatMap((s) => titlesOf(s).map(({ t, alias }) => ({ id: s.id, words: titleWords(t, alias) })));
  // A word counts as shared when another strategy's titles use it, not another title of the same one.
  const df = new Map<string, number>();
  for (const s of strategies) for (const w of new Set(titlesOf(s).flatMap(({ t, alias }) => titleWords(t, alias)))) df.set(w, (df.get(w) ?? 0) + 1);
  const bodies = strategies.map((s) => new Set([...stems(fold(s.body))].filter((w) => !STOP.has(w) && !GENERIC.has(w) && w.length > 3)));
  const bodyDf = new Map<string, number>();
  for (const b of bodies) for (const w of b) bodyDf.set(w, (bodyDf.get(w) ?? 0) + 1);
  const bodyOf = new Map(strategies.map((s, i) => [s.id, new Set([...(bodies[i] ?? [])].filter((w) => bodyDf.get(w) === 1))]));
  return per.map((p) => ({
    id: p.id,
    body: bodyOf.get(p.id) ?? new Set<string>(),
    weights: new Map(p.words.map((w) => [w, GENERIC.has(w) || (df.get(w) ?? 0) > 1 ? 0.5 : 1] as const)),
  }));
}

/** The one strategy whose own explanation words the text uses most (at least `min`), if unique. */
function bodyMatch(words: Set<string>, titles: TitleIndex[], min: number): { id: string; score: number } | undefined {
  // One entry per strategy: its other-language titles share its explanation.
  const one = [...new Map(titles.map((t) => [t.id, t])).values()];
  const scored = one.map((t) => ({ id: t.id, score: [...words].filter((w) => t.body.has(w)).length })).sort((a, b) => b.score - a.score);
  const [first, second] = scored;
  return first && first.score >= min && (!second || second.score < first.score) ? first : undefined;
}

function titleMatches(unitStems: Set<string>, titles: TitleIndex[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const t of titles) {
    let score = 0;
    let full = 0;
    for (const [w, weight] of t.weights) {
      if (unitStems.has(w)) {
        score += weight;
        if (weight === 1) full++;
      }
    }
    if (score >= 1.5 && full >= 1 && !seen.has(t.id)) {
      seen.add(t.id);
      out.push(t.id);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Splitting

interface Unit {
  start: number;
  end: number;
  para: number;
  text: string;
  f: string;
}

const TERMINATORS = '.!?…。！？';
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'dr', 'mr', 'mrs', 'ms', 'no', 'nr', 'approx', 'z.b', 'bzw', 'p.ex', 'ca', 'st']);

/** Paragraphs, then sentences; offsets point into the original text. */
function splitUnits(text: string): Unit[] {
  const units: Unit[] = [];
  let para = 0;
  let start = -1;
  const push = (end: number) => {
    if (start < 0) return;
    let a = start;
    let b = end;
    while (a < b && /\s/.test(text[a] ?? '')) a++;
    while (b > a && /\s/.test(text[b - 1] ?? '')) b--;
    if (b > a) {
      const t = text.slice(a, b);
      units.push({ start: a, end: b, para, text: t, f: fold(t) });
    }
    start = -1;
  };
  let lineStart = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (start < 0 && !/\s/.test(ch)) start = i;
    if (ch === '\n') {
      const line = text.slice(lineStart, i).trim();
      const rest = text.slice(i + 1);
      const blank = /^[ \t]*(?:\n|$)/.test(rest);
      // A long line that does not end a sentence was wrapped by the client: join it back.
      const wrapped = line.length >= 50 && !/[.!?…。！？:;]$/.test(line) && !blank;
      if (!wrapped) push(i);
      if (blank && line) para++;
      lineStart = i + 1;
      continue;
    }
    if (TERMINATORS.includes(ch)) {
      let j = i;
      while (j + 1 < text.length && TERMINATORS.includes(text[j + 1] ?? '')) j++;
      const next = text[j + 1];
      if (next === undefined || /\s/.test(next)) {
        const before = fold(text.slice(Math.max(lineStart, i - 6), i)).split(/\s+/).at(-1) ?? '';
        const abbreviation = ch === '.' && (ABBREVIATIONS.has(before) || /^\p{L}$/u.test(before));
        if (!abbreviation) {
          push(j + 1);
          i = j;
        }
      }
    }
  }
  push(text.length);
  return units;
}

// ---------------------------------------------------------------------------------------------
// Signals

interface Signals {
  /** The adoption was read from the strategy's explanation, not from a number, ordinal or title. */
  paraphrased: boolean;
  unsubscribe: boolean;
  preference?: Preference;
  adopts: string[];
  /** Strategies referred to, whether or not the sentence commits to them. */
  refs: string[];
  committed: boolean;
  /** A question about committing ("Can I adopt two?"): commits to nothing itself. */
  asks: boolean;
  strategyStrong: boolean;
  strategyWeak: boolean;
  feedback: boolean;
  praise: boolean;
  ack: boolean;
  rating?: number;
}

function numberAt(token: string | undefined): number | undefined {
  if (!token) return undefined;
  if (/^\d+$/.test(token)) return Number(token);
  return NUMBER_WORDS[token] ?? ORDINALS[token];
}

interface Ref {
  at: number;
  end: number;
  id: string;
}

/** References by number, ordinal or "the X one", with where they stand in the sentence. */
function explicitRefs(f: string, strategies: Strategy[], titles: TitleIndex[]): Ref[] {
  const found: Ref[] = [];
  const byNumber = (n: number | undefined, m: RegExpMatchArray) => {
    const s = n === undefined ? undefined : n === -1 ? strategies.at(-1) : strategies.find((x) => x.number === n);
    if (s && m.index !== undefined) found.push({ at: m.index, end: m.index + m[0].length, id: s.id });
  };
  for (const m of f.matchAll(NUMBER_REF)) byNumber(numberAt(m[1] ?? m[2] ?? m[3]), m);
  for (const m of f.matchAll(ARTICLE_REF)) byNumber(numberAt(m[1]), m);
  for (const m of f.matchAll(ORDINAL_REF)) byNumber(numberAt(m[1] ?? m[2] ?? m[3]), m);
  for (const m of f.matchAll(THAI_REF)) byNumber(numberAt(m[1] ?? m[2]), m);
  for (const [word, n] of OTHER_ORDINALS) {
    const at = f.indexOf(word);
    if (at >= 0) byNumber(n, Object.assign([word], { index: at }) as unknown as RegExpMatchArray);
  }
  for (const m of f.matchAll(NAMED_ONE)) {
    // "the last one", "the second one": an ordinal, read above, not a name.
    if ((m[1] ?? '').split(/\s+/).every((w) => ORDINALS[w] !== undefined || NUMBER_WORDS[w] !== undefined)) continue;
    const words = stems(m[1] ?? '');
    let best: { id: string; score: number } | undefined;
    for (const t of titles) {
      let score = 0;
      for (const [w, weight] of t.weights) if (weight === 1 && words.has(w)) score++;
      if (score > 0 && (!best || score > best.score)) best = { id: t.id, score };
    }
    // "the three-piles thing": named by what the strategy's explanation says, not its title.
    if (!best) best = bodyMatch(words, titles, 1);
    if (best) found.push({ at: m.index, end: m.index + m[0].length, id: best.id });
  }
  return found.sort((a, b) => a.at - b.at);
}

function references(f: string, strategies: Strategy[], titles: TitleIndex[], strongStrategy: boolean): { ids: string[]; leading: boolean } {
  const explicit = explicitRefs(f, strategies, titles);
  const ids = explicit.map((r) => r.id);
  // Someone describing their own method in the words of a title is not adopting that title.
  if (!strongStrategy) ids.push(...titleMatches(stems(f), titles));
  // A sentence that opens with a reference and does not go on to say something about it is a
  // choice: "#4 but on Thursdays", "Number 2 please", "#1 and #4.". One that goes on to say
  // something ("Number 2 takes me back to my first job") only mentions it.
  const first = explicit[0];
  if (first === undefined || /[\p{L}\p{N}]/u.test(f.slice(0, first.at))) return { ids: [...new Set(ids)], leading: false };
  // The run of references it opens with ("#1 and #4", "la 2 y la 3").
  let end = first.end;
  for (const r of explicit.slice(1)) if (r.at >= end && /^[\s,&+/]*(?:[\p{L}]{1,3}\s+)?$/u.test(f.slice(end, r.at))) end = r.end;
  const rest = f.slice(end);
  // What follows, up to the clause's end: at most one word ("please", "yes", "too"), or in a
  // script without spaces a particle ("ค่ะ").
  const stop = [rest.search(CLAUSE_BREAK_ONE), rest.search(C.CONTRAST_G), rest.search(/[.!?…。！？]/u)].filter((i) => i >= 0);
  const tail = rest.slice(0, stop.length ? Math.min(...stop) : rest.length);
  const words = tail.match(/[\p{L}\p{N}']+/gu) ?? [];
  const short = words.every((w) => LATIN.test(w) || /^[\p{N}]+$/u.test(w)) ? words.length <= 1 : words.join('').length <= 4;
  const leading = short && !STATEMENT_VERB.test(tail.trim().split(/\s+/).slice(0, 2).join(' '));
  return { ids: [...new Set(ids)], leading };
}

/** "Stop the reminders", "kunnen jullie mij van de samenvattingen halen": which part, if any. */
function preferenceOf(f: string): Preference | undefined {
  if (!C.STOP_CUE.test(f)) return undefined;
  // "the agenda helps, but we still skip it": the part must be in the clause that asks to stop.
  for (const c of clauses(f)) {
    if (!C.STOP_CUE.test(c)) continue;
    const part = C.PARTS.find(([, re]) => re.test(c))?.[0];
    if (part) return part;
  }
  return undefined;
}

/**
 * A sentence's clauses: cut at commas, semicolons, dashes and before a contrasting word ("but",
 * "pero", "แต่"). Negation and declining reach to the end of their clause, no further: in
 * "Already doing 1 and 3, going to add #4" only #4 is a commitment.
 */
export function clauses(f: string): string[] {
  const cuts = new Set<number>([0, f.length]);
  for (const m of f.matchAll(CLAUSE_BREAK)) cuts.add(m.index + m[0].length);
  for (const m of f.matchAll(C.CONTRAST_G)) if (m.index > 0) cuts.add(m.index);
  for (const m of f.matchAll(C.SUBORDINATE_G)) if (m.index > 0) cuts.add(m.index);
  const at = [...cuts].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i + 1 < at.length; i++) {
    const c = f.slice(at[i], at[i + 1]).trim();
    if (/[\p{L}\p{N}#]/u.test(c)) out.push(c);
  }
  return out.length ? out : [f];
}

/**
 * A clause that turns a strategy down: "not for me", "I won't try #4", "ya lo hago", and a
 * commitment negated anywhere in its clause, wherever the language puts the negation: "Ik ga de
 * #2 niet doen", "Die 2 probiere ich nicht aus", "Je ne prends pas la 2", "ข้อ 2 จะไม่ลอง".
 */
function declines(c: string): boolean {
  // "I'll read it on Sunday" commits to reading, not to a strategy.
  if (C.DECLINE.test(c) || C.NOT_YET.test(c)) return true;
  return C.ADOPT_CUE.test(c) && negated(c);
}

/** A negation anywhere in the clause, once idioms that only look negated are set aside ("I can't wait to try #2"). */
function negated(c: string): boolean {
  return C.NEGATION.test(c.replace(C.AFFIRMATIVE_G, ' '));
}

/**
 * A clause that says something other than the writer's own commitment, though it holds a
 * commitment word: a question ("Should I try #2?"), a possibility ("I might try #2", "If I had
 * time I'd try #2") or someone else's ("Dev said he'll try #2", "My manager is going to try #2").
 */
function notOwnCommitment(c: string): boolean {
  if (/[?？؟]/u.test(c) || C.ASKS.test(c) || C.HEDGE.test(c)) return true;
  const cue = C.ADOPT_CUE.exec(c);
  if (!cue) return false;
  return [...c.matchAll(C.OTHERS_G)].some((m) => m.index < cue.index);
}

function hasCommitment(c: string): boolean {
  return C.ADOPT_CUE.test(c) && !negated(c) && !notOwnCommitment(c);
}

function isVideoLink(url: string): boolean {
  try {
    return VIDEO_HOSTS.test(new URL(url).hostname.toLowerCase());
  } catch {
    return false;
  }
}

export function extractLinks(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(LINK)) {
    const url = m[0].replace(/[.,;:!?)>]+$/, '');
    if (!out.includes(url)) out.push(url);
  }
  return out;
}

/** A bare acknowledgement: ack words and marks, greetings, and at most one other word. */
function isAck(f: string): boolean {
  const hadAck = C.ACK.test(f) || ACK_MARKS.test(f);
  if (!hadAck) return false;
  const rest = f.replace(C.ACK_G, ' ').replace(C.GREETING, ' ').replace(/[^\p{L}\p{N}\s]+/gu, ' ').trim();
  const words = rest ? rest.split(/\s+/) : [];
  return words.length <= 1 && rest.length <= 20;
}

/** "Hi Kofi," and the like: a greeting and at most one other word. */
function isGreeting(f: string): boolean {
  if (!C.GREETING_TEST.test(f)) return false;
  const rest = f.replace(C.GREETING, ' ').replace(/[^\p{L}\p{N}\s]+/gu, ' ').trim();
  return (rest ? rest.split(/\s+/).length : 0) <= 1;
}

/**
 * The rating of a text, sentence by sentence so that "Meh. 2." counts. An explicit form (4/5,
 * "eight out of ten", stars) in a later sentence corrects an earlier one ("3/5. Actually no, make
 * that 4/5."); a weaker form (a bare number, "a 4") counts only when no explicit one is given, and
 * then the first one: later small numbers are more often part of a story than a rating.
 */
export function ratingOf(text: string): number | undefined {
  let strong: number | undefined;
  let weak: number | undefined;
  // Numbered answers: the numbers are the questions', not ratings.
  const numbered = (text.match(ENUMERATED) ?? []).length >= 2 ? text.replace(ENUMERATED, '') : text;
  for (const u of splitUnits(numbered)) {
    const r = ratingIn(u.text);
    if (!r) continue;
    if (r.strong) strong = r.n;
    else weak ??= r.n;
  }
  if (strong !== undefined || weak !== undefined) return strong ?? weak;
  return findRating(text);
}

export function findRating(text: string): number | undefined {
  return ratingIn(text)?.n;
}

function ratingIn(text: string): { n: number; strong: boolean } | undefined {
  const f = fold(text);
  const strong = (n: number | undefined) => (n === undefined ? undefined : { n, strong: true });
  const weak = (n: number | undefined) => (n === undefined ? undefined : { n, strong: false });
  const starNumber = STAR_THEN_NUMBER.exec(f);
  if (starNumber?.[1]) return strong(Number(starNumber[1]));
  const filled = (f.match(/★/g) ?? []).length;
  if (filled >= 1 && filled <= 5) return strong(filled);
  const stars = (f.match(/\u2b50/g) ?? []).length;
  if (stars >= 1 && stars <= 5) return strong(stars);
  const scaleFirst = SCALE_FIRST.exec(f);
  if (scaleFirst?.[1] && scaleFirst[2]) return strong(scaled(Number(scaleFirst[2]), Number(scaleFirst[1])));
  const out = OUT_OF.exec(f);
  if (out?.[1] && out[2]) {
    const n = numberAt(out[1]) ?? RATING_WORDS[out[1]];
    const scale = /^\d+$/.test(out[2]) ? Number(out[2]) : (RATING_WORDS[out[2]] ?? 5);
    const r = n === undefined ? undefined : scaled(n, scale);
    if (r !== undefined) return strong(r);
  }
  const word = STARS_WORD.exec(f);
  if (word?.[1]) return strong(numberAt(word[1]) ?? RATING_WORDS[word[1]]);
  const lead = RATING_LEAD.exec(f);
  if (lead?.[1]) {
    const n = /^\d$/.test(lead[1]) ? Number(lead[1]) : RATING_WORDS[lead[1]];
    if (n && n >= 1 && n <= 5) return weak(n);
  }
  const leading = LEADING_NUMBER.exec(f);
  if (leading?.[1]) return weak(Number(leading[1]));
  const only = ONLY_NUMBER.exec(f);
  if (only?.[1] && f.trim().length <= 8) return weak(Number(only[1]));
  const short = SHORT_RATING.exec(f.trim());
  if (short?.[1] && !REF_BEFORE_NUMBER.test(f.trim())) return weak(Number(short[1]));
  return undefined;
}

/** A 1–5 rating from n on a scale of 5 or 10 (8/10 is 4, as the check-in's 1–5 scale implies). */
function scaled(n: number, scale: number): number | undefined {
  if (n < 1 || n > scale) return undefined;
  return scale === 10 ? Math.max(1, Math.round(n / 2)) : n <= 5 ? n : undefined;
}

function signals(u: Unit, input: ClassifyInput, titles: TitleIndex[]): Signals {
  const f = u.f;
  const preference = preferenceOf(f);
  // "Stop the reminders" keeps the person in the series: a preference, never an unsubscribe.
  const unsubscribe = !preference && (UNSUBSCRIBE.test(f) || UNSUBSCRIBE_ALONE.test(f));
  const links = extractLinks(u.text);
  const strategyWeak = C.STRATEGY_WEAK.test(f);
  const strategyStrong = C.STRATEGY_STRONG.test(f) || links.some(isVideoLink) || (strategyWeak && C.IT_WORKS.test(f));
  // "I already do #1", "not for me": naming a strategy to turn it down commits to nothing.
  const parts = clauses(f);
  // Whether a clause commits is asked up to four times below; each answer is several regex passes.
  const commitments = new Map<string, boolean>();
  const commits = (c: string) => commitments.get(c) ?? commitments.set(c, hasCommitment(c)).get(c)!;
  // A condition or hedge before the commitment reaches it ("If I have time, I'll try #2"); one
  // after it is about something else ("I'll try #2, it might help").
  const hedgedAt = parts.findIndex((c) => C.HEDGE.test(c));
  const open = parts.filter((c, i) => !declines(c) && !(hedgedAt >= 0 && i > hedgedAt && C.ADOPT_CUE.test(c)));
  const committed = !unsubscribe && open.some(commits);
  // "Can I adopt two?": asks about committing, and the next sentence may say which.
  const asks = !committed && open.some((c) => /[?？؟]/u.test(c) && C.ADOPT_CUE.test(c) && !C.NEGATION.test(c));
  const found = references(f, input.strategies, titles, strategyStrong);
  let refs = found.ids;
  // A strategy named only in a clause that turns it down or says something else about it ("I don't
  // think #1 works for us, but I'll adopt #2") is not a candidate: the committing clauses' own
  // references, else those of the clauses that neither decline nor negate ("#4: I'll try it").
  if (parts.length > 1 && refs.length > 0) {
    const refsIn = (cs: string[]) => new Set(cs.flatMap((c) => references(c, input.strategies, titles, strategyStrong).ids));
    const committing = refsIn(open.filter(commits));
    const kept = committing.size ? committing : refsIn(open.filter((c) => !C.NEGATION.test(c)));
    if (committed || open.length < parts.length) refs = refs.filter((id) => kept.has(id));
  }
  let paraphrased = false;
  if (input.context.kind === 'check-in') {
    const asked = input.context.strategyId;
    refs = refs.filter((id) => id !== asked);
  }
  // "La 5 no la voy a intentar" opens with a reference but turns it down.
  const elliptic = found.leading && input.context.kind === 'training' && !strategyStrong && !C.NEGATION.test(f) && !C.DECLINE.test(f) && !notOwnCommitment(f);
  if (committed && refs.length === 0 && !strategyStrong && input.context.kind !== 'check-in') {
    // Two words only one strategy's explanation uses, or one long one in the clause that commits
    // ("I'll do the handover note").
    // The long word must be named as a thing (after a determiner): "the handover", not "remember".
    const committing = open.filter((c) => commits(c) && !/[?？؟]/u.test(c)).map((c) => new Set([...c.matchAll(NAMED_THING)].map((m) => stem(m[1]!)).filter((w) => w.length >= 7)));
    const single = [...new Set(committing.map((w) => bodyMatch(w, titles, 1)?.id).filter((id) => id !== undefined))];
    const paraphrase = bodyMatch(stems(f), titles, 2) ?? (single.length === 1 ? { id: single[0]!, score: 1 } : undefined);
    if (paraphrase) {
      refs = [paraphrase.id];
      paraphrased = true;
    }
  }
  const adopts = !unsubscribe && (committed || elliptic) ? refs : [];
  const rating = input.context.kind === 'check-in' ? findRating(u.text) : undefined;
  return {
    asks,
    unsubscribe,
    adopts,
    refs,
    committed,
    strategyStrong,
    strategyWeak,
    paraphrased,
    // A question about a part of the series ("could the check-ins come on a weekday?") is about the series.
    feedback: C.FEEDBACK.test(f) || preference !== undefined || (/[?？؟]/u.test(u.text) && C.PARTS.some(([, re]) => re.test(f))),
    ...(preference ? { preference } : {}),
    praise: C.PRAISE.test(f),
    ack: isAck(f),
    ...(rating !== undefined ? { rating } : {}),
  };
}

type Key = { intent: Intent; strategyId?: string };

/** What one sentence says, given the context; empty when it only continues its neighbours. */
function unitIntents(s: Signals, context: ReplyContext): Key[] {
  if (s.unsubscribe) return [{ intent: 'unsubscribe' }];
  const out: Key[] = s.adopts.map((id) => ({ intent: 'adopt' as const, strategyId: id }));
  if (s.strategyStrong) out.push({ intent: 'strategy' });
  if (context.kind === 'check-in' && s.rating !== undefined) out.push({ intent: 'follow-up', strategyId: context.strategyId });
  // Feedback words inside an adoption or a strategy describe that, not the series.
  if (s.feedback && out.length === 0) out.push({ intent: 'feedback' });
  if (out.length === 0 && s.praise) {
    if (context.kind === 'check-in') out.push({ intent: 'follow-up', strategyId: context.strategyId });
    else if (context.kind === 'kickoff') out.push({ intent: 'feedback' });
    else out.push({ intent: 'comment' });
  }
  return out;
}

function defaultKey(context: ReplyContext): Key {
  switch (context.kind) {
    case 'check-in':
      return { intent: 'follow-up', strategyId: context.strategyId };
    case 'kickoff':
      return { intent: 'feedback' };
    default:
      return { intent: 'comment' };
  }
}

/** Inline images of signatures and Outlook's logo copies are not contributions. */
function meaningfulAttachments(list: AttachmentInfo[] | undefined): AttachmentInfo[] {
  return (list ?? []).filter(
    (a) => !(a.contentType.startsWith('image/') && (/^(?:image|outlook-)\d*[\w-]*\.(?:png|jpe?g|gif)$/i.test(a.filename) && a.size < 50_000)),
  );
}

const keyOf = (k: Key) => `${k.intent}|${k.strategyId ?? ''}`;

// ---------------------------------------------------------------------------------------------

/**
 * Classifies a trimmed reply into one or more intents, in reading order. Never throws: a bug in
 * the rules gives the context's default intent, and the error goes to `swallowed` to be logged.
 */
export function classifyReply(input: ClassifyInput, swallowed: (error: unknown) => void): Classified[] {
  try {
    return inLanguagesOf(input.text ?? '', () => readUnits(input));
  } catch (error) {
    swallowed(error);
    const key = defaultKey(input.context);
    return [finish(input, key, input.text ?? '')];
  }
}

function readUnits(input: ClassifyInput, read?: { units: Unit[]; sigs: Signals[] }): Classified[] {
  const text = (input.text ?? '').replace(/\r\n?/g, '\n');
  const titles = indexTitles(input.strategies);
  // An attribution line a trimmer left behind ("… <a@b> wrote:" in any language) says nothing.
  // Blanked rather than cut, so that offsets into the text stay true.
  const units = read?.units ?? splitUnits(text.split('\n').map((l) => (ATTRIBUTION.test(l) ? ' '.repeat(l.length) : l)).join('\n'));
  const sigs = read?.sigs ?? units.map((u) => signals(u, input, titles));
  // A paraphrase is the weakest way to name a strategy: it gives way to any explicit one.
  if (sigs.some((s) => s.adopts.length && !s.paraphrased)) for (const s of sigs) if (s.paraphrased) s.adopts = [];
  // "Can I adopt two? If so, #1 and #4.": the commitment and the references can be split.
  for (let i = 1; i < sigs.length; i++) {
    const s = sigs[i];
    const before = sigs[i - 1];
    if (s && before && !s.adopts.length && s.refs.length && !s.unsubscribe && (before.committed || before.asks) && !before.refs.length && units[i]?.para === units[i - 1]?.para) {
      s.adopts = s.refs;
    }
  }
  const own = sigs.map((s) => unitIntents(s, input.context));
  const attachments = meaningfulAttachments(input.attachments);
  const button = parseSubject(input.subject ?? '');

  if (button?.kind === 'unsubscribe') return [finish(input, { intent: 'unsubscribe' }, text)];
  if (button?.kind === 'survey') return [finish(input, { intent: 'feedback' }, text)];

  let subjectKey: Key | undefined;
  if (button?.kind === 'adopt') {
    const byNumber = button.number !== undefined ? input.strategies.find((s) => s.number === button.number) : undefined;
    const byTitle = button.title ? input.strategies.find((s) => fold(s.title) === button.title) ?? titleMatches(stems(button.title), titles).map((id) => input.strategies.find((s) => s.id === id))[0] : undefined;
    const s = byNumber ?? byTitle;
    subjectKey = { intent: 'adopt', ...(s ? { strategyId: s.id } : {}) };
  } else if (button?.kind === 'strategy') {
    subjectKey = { intent: 'strategy' };
  }
  // An Adopt subject we cannot resolve gives way to a body that says which strategy it is.
  if (subjectKey?.intent === 'adopt' && !subjectKey.strategyId && own.some((k) => k.some((x) => x.intent === 'adopt'))) subjectKey = undefined;

  // Attachments make a strategy of the sentences that say nothing else (or of the whole reply).
  if (attachments.length && !subjectKey && !own.some((k) => k.some((x) => x.intent === 'strategy'))) {
    let marked = false;
    own.forEach((k, i) => {
      if (k.length === 0 && !sigs[i]?.ack) {
        k.push({ intent: 'strategy' });
        marked = true;
      }
    });
    if (!marked) own.forEach((k) => k.push({ intent: 'strategy' }));
  }

  if (subjectKey) {
    // The subject decides; the body adds only what clearly says something else.
    const extra = new Set<Intent>(subjectKey.intent === 'adopt' ? ['adopt', 'strategy', 'feedback', 'unsubscribe'] : ['adopt', 'feedback', 'unsubscribe']);
    // Feedback there must be said to us (a question, "could you", "please"): "I put the agenda
    // link in the calendar invite" describes the adoption.
    const toUs = (i: number) => sigs[i]?.preference !== undefined || /[?？؟]/u.test(units[i]?.text ?? '') || C.YOU.test(units[i]?.f ?? '');
    const keys = own.map((k, i) =>
      k.filter((x) => extra.has(x.intent) && keyOf(x) !== keyOf(subjectKey) && (x.intent !== 'feedback' || toUs(i))),
    );
    const assigned = keys.map((k) => (k.length ? k : [subjectKey]));
    return assemble(input, text, units, assigned, subjectKey);
  }

  if (button?.kind === 'read' && own.every((k) => k.length === 0)) return [finish(input, { intent: 'read' }, text)];

  if (own.every((k) => k.length === 0)) {
    const blank = units.length === 0;
    const ack = blank || units.every((_, i) => sigs[i]?.ack);
    let key: Key;
    if (ack && input.context.kind === 'training') key = { intent: 'read' };
    else if (ack && input.context.kind === 'kickoff') key = { intent: 'read' };
    else if (input.context.kind === 'training' && sigs.some((s) => s.strategyWeak)) key = { intent: 'strategy' };
    else key = defaultKey(input.context);
    return [finish(input, key, text)];
  }

  // Sentences without a signal continue the one before them. Leading ones go with the first
  // that has one (a greeting), except in a check-in or on a teammate's contribution, where what
  // comes first is the answer to the question or the reaction to the teammate.
  const assigned: Key[][] = [];
  let prev: Key[] | undefined;
  for (const k of own) {
    const mine = k.length ? k : prev;
    assigned.push(mine ?? []);
    if (k.length) prev = k;
  }
  const firstKeys = own.find((k) => k.length) ?? [];
  const answersFirst = input.context.kind === 'check-in' || input.context.kind === 'submission';
  for (let i = 0; i < assigned.length && (assigned[i]?.length ?? 0) === 0; i++) {
    const u = units[i];
    assigned[i] = answersFirst && u && !isGreeting(u.f) ? [defaultKey(input.context)] : firstKeys;
  }
  return assemble(input, text, units, assigned);
}

function assemble(input: ClassifyInput, text: string, units: Unit[], assigned: Key[][], lead?: Key): Classified[] {
  const order: string[] = [];
  const keys = new Map<string, Key>();
  const parts = new Map<string, number[]>();
  if (lead) {
    order.push(keyOf(lead));
    keys.set(keyOf(lead), lead);
    parts.set(keyOf(lead), []);
  }
  assigned.forEach((ks, i) => {
    for (const k of ks) {
      const id = keyOf(k);
      if (!keys.has(id)) {
        keys.set(id, k);
        order.push(id);
        parts.set(id, []);
      }
      parts.get(id)?.push(i);
    }
  });
  if (order.length === 0) return [finish(input, defaultKey(input.context), text)];
  const single = order.length === 1;
  return order.map((id) => {
    const key = keys.get(id) as Key;
    const idx = parts.get(id) ?? [];
    return finish(input, key, single ? text : joinUnits(text, units, idx));
  });
}

/** Consecutive sentences are sliced together from the original; separate runs get a blank line. */
function joinUnits(text: string, units: Unit[], idx: number[]): string {
  const runs: string[] = [];
  let runStart = -1;
  let runEnd = -1;
  let last = -2;
  for (const i of idx) {
    const u = units[i];
    if (!u) continue;
    if (i === last + 1 && runStart >= 0) runEnd = u.end;
    else {
      if (runStart >= 0) runs.push(text.slice(runStart, runEnd));
      runStart = u.start;
      runEnd = u.end;
    }
    last = i;
  }
  if (runStart >= 0) runs.push(text.slice(runStart, runEnd));
  return runs.join('\n\n');
}

function finish(input: ClassifyInput, key: Key, text: string): Classified {
  const out: Classified = { intent: key.intent, text: text.trim(), links: extractLinks(text) };
  if (key.strategyId) out.strategyId = key.strategyId;
  if (key.intent === 'follow-up') {
    const rating = ratingOf(text);
    if (rating !== undefined) out.rating = rating;
  }
  if (key.intent === 'comment' && input.context.kind === 'submission') out.targetResponseId = input.context.responseId;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The reading as a whole: what the answered email makes of the sentences' signals.

const CONTEXT_ANSWERS: Record<ReplyContext['kind'], AnsweredKind> = { training: 'training', kickoff: 'kickoff', 'check-in': 'check-in', submission: 'contribution' };

/**
 * Reads a trimmed reply as a trainer would, given the email it answers (see CLASSIFY_RULES and
 * READING_RULES). Never throws: a reply Baton cannot read is `unclear`, which records nothing.
 */
export function readReply(input: ClassifyInput, swallowed: (error: unknown) => void): Reading {
  const answers = input.answered ?? CONTEXT_ANSWERS[input.context.kind];
  try {
    return inLanguagesOf(input.text ?? '', () => read(input, answers));
  } catch (error) {
    // A bug in the rules must not lose the reply: it is kept as unclear for the trainer to look
    // at, and what went wrong is reported so the bug is seen and fixed.
    swallowed(error);
    return { status: 'unclear', answers, intents: [], correction: false, reason: 'the reply could not be read' };
  }
}

export const READING_RULES = `
What the answered email changes (readReply), on top of the sentence signals above:
- wrap-up: a survey answer. Everything is one feedback, with the usefulness rating when one is
  given (subject button "Survey: usefulness 4/5", or in the body: 4/5, 8/10 halved, words, stars,
  emoji; the last one given counts). An unsubscribe is an unsubscribe.
- check-in: a follow-up on the strategy asked about, with the last rating given; a committed
  reference to another strategy is a new adoption; a request about the series (or to stop the
  check-ins) is feedback; an unsubscribe alone is only that.
- kickoff: not an answer to training 1. Unsubscribe ("don't enrol me"), an own practice
  (strategy), a question or request about the series (feedback), joining or thanks (read).
- contribution (a teammate's, from the roll-up's Comment address): a comment on that teammate,
  plus an adoption only by explicit reference to a training strategy and a strategy only by a
  strong phrase.
- rollup: a sentence naming a teammate the roll-up showed is a comment on that teammate; taking up
  a teammate's idea is not an adoption.
- ack: read as a correction of what the acknowledgement said was recorded (correction: true).
- upload-link: a link or a file is a strategy.
- training, reminder, ack, upload-link: a comment needs something of its own (a question, an
  opinion: "I disagree with #3", "in my experience", or praise with a story); "not read yet" /
  "I'll read it on Sunday" is a comment, never a read; thanks and praise alone are read; anything
  else without a signal is unclear. Comment is never the fallback.
- A reply that opens by speaking to someone who is not a trainer or the training's author
  ("Hey Jess, can you …", "Team, please add …"; not "Hi team," nor "Great, thanks!") and says
  nothing Baton records was sent to the thread by mistake: no contribution (training and roll-up).
- Under an Adopt or Strategy subject, feedback in the body counts only when said to us (a
  question, "could you", "please", a stop request).
- Sign-offs in every language ("Beste Grüße", "Sekian, terima kasih") end the reply.
- Partial opt-outs ("stop the reminders / roll-ups / check-ins / calendar invites") are feedback
  with a preference, never an unsubscribe.
`;

/**
 * Replies are read up to this many characters: people write a few paragraphs, and a bound keeps a
 * hostile 1 MB body as cheap as a long reply (the whole text is still stored).
 */
export const MAX_READ_CHARS = 20_000;

function read(given: ClassifyInput, answers: AnsweredKind): Reading {
  const { text: unquoted, quotes } = inlineQuotes(beforeSignOff((given.text ?? '').slice(0, MAX_READ_CHARS).replace(/\r\n?/g, '\n')));
  const input = { ...given, text: unquoted };
  const text = input.text;
  const titles = indexTitles(input.strategies);
  const units = splitUnits(text.split('\n').map((l) => (ATTRIBUTION.test(l) ? ' '.repeat(l.length) : l)).join('\n'));
  const sigs = units.map((u) => signals(u, input, titles));
  // An answer written under a quoted strategy ("> 4. Close with written next steps" / "This I'll
  // do") commits to the strategy it answers.
  units.forEach((u, i) => {
    const s = sigs[i];
    if (!s || !s.committed || s.refs.length || s.strategyStrong || s.unsubscribe || input.context.kind === 'check-in') return;
    const above = quotes.filter((q) => q.end <= u.start).at(-1);
    const id = above ? quotedStrategy(above.text, input.strategies, titles) : undefined;
    if (id) {
      s.refs = [id];
      s.adopts = [id];
    }
  });
  const button = parseSubject(input.subject ?? '');
  const parsed = (intents: Classified[]): Reading => ({ status: 'parsed', answers, intents, correction: answers === 'ack' });
  const unclear = (reason: string): Reading => ({ status: 'unclear', answers, intents: [], correction: answers === 'ack', reason });
  const key = (k: Key, part = text) => finish(input, k, part);
  const preference = sigs.find((s) => s.preference)?.preference;
  const feedback = (part = text): Classified => ({ ...key({ intent: 'feedback' }, part), ...(preference ? { preference } : {}) });
  const unsubscribes = button?.kind === 'unsubscribe' || sigs.some((s) => s.unsubscribe);

  if (answers === 'wrap-up' || button?.kind === 'survey') {
    if (unsubscribes) return parsed([key({ intent: 'unsubscribe' })]);
    const rating = (button?.kind === 'survey' ? button.rating : undefined) ?? ratingOf(text);
    return parsed([{ ...feedback(), ...(rating !== undefined ? { rating } : {}) }]);
  }

  if (input.context.kind === 'check-in') {
    const asked = input.context.strategyId;
    const rating = ratingOf(text);
    if (unsubscribes && rating === undefined) return parsed([key({ intent: 'unsubscribe' })]);
    const out: Classified[] = [{ ...key({ intent: 'follow-up', strategyId: asked }), ...(rating !== undefined ? { rating } : {}) }];
    for (const id of new Set(sigs.flatMap((s) => s.adopts))) if (id !== asked) out.push(key({ intent: 'adopt', strategyId: id }));
    if (sigs.some((s) => s.feedback && !s.adopts.length)) out.push(feedback());
    if (unsubscribes) out.push(key({ intent: 'unsubscribe' }));
    return parsed(out);
  }

  if (unsubscribes && button?.kind !== 'adopt') return parsed([key({ intent: 'unsubscribe' })]);

  if (answers === 'kickoff') {
    if (sigs.some((s) => s.strategyStrong || s.strategyWeak)) return parsed([key({ intent: 'strategy' })]);
    if (sigs.some((s) => s.feedback) || text.includes('?')) return parsed([feedback()]);
    if (units.length === 0 || units.every((u, i) => sigs[i]?.ack || sigs[i]?.praise || C.JOIN.test(u.f) || isGreeting(u.f))) return parsed([key({ intent: 'read' })]);
    return unclear('an answer to the kickoff that is neither a question, a strategy nor a greeting');
  }

  if (input.context.kind === 'submission') {
    const out: Classified[] = [key({ intent: 'comment' })];
    for (const id of new Set(sigs.flatMap((s, i) => (s.committed && explicitRefs(units[i]!.f, input.strategies, titles).length ? s.refs : [])))) out.push(key({ intent: 'adopt', strategyId: id }));
    if (sigs.some((s) => s.strategyStrong)) out.push(key({ intent: 'strategy' }));
    if (input.attachments && meaningfulAttachments(input.attachments).length && !out.some((c) => c.intent === 'strategy')) out.push(key({ intent: 'strategy' }));
    return parsed(out);
  }

  if (answers === 'rollup') {
    const named = (f: string) => (input.teammates ?? []).find((n) => namesTeammate(f, n));
    if (addressedElsewhere(text, input.trainers) && !units.some((u) => named(u.f)) && !sigs.some((s) => s.adopts.length || s.strategyStrong || s.unsubscribe)) {
      return { ...parsed([]), reason: 'addressed to someone else: sent to the thread by mistake' };
    }
    const out: Classified[] = [];
    const teammateUnits = units.map((u) => named(u.f));
    const target = teammateUnits.find((n) => n);
    if (target) out.push({ ...key({ intent: 'comment' }), target });
    for (const id of new Set(sigs.flatMap((s, i) => (s.committed && !teammateUnits[i] && explicitRefs(units[i]!.f, input.strategies, titles).length ? s.refs : [])))) out.push(key({ intent: 'adopt', strategyId: id }));
    if (sigs.some((s) => s.feedback && s.preference) || (!target && sigs.some((s) => s.feedback))) out.push(feedback());
    if (out.length) return parsed(out);
    return unclear('a reply to the roll-up that names no teammate and says nothing Baton can read');
  }

  // training, reminder, ack, upload-link
  if (addressedElsewhere(text, input.trainers) && !sigs.some((s) => s.adopts.length || s.strategyStrong || s.unsubscribe)) {
    return { ...parsed([]), reason: 'addressed to someone else: sent to the thread by mistake' };
  }
  if (answers === 'upload-link' && (extractLinks(text).length || meaningfulAttachments(input.attachments).length)) return parsed([key({ intent: 'strategy' })]);
  const found = readUnits(input, { units, sigs: sigs.map((x) => ({ ...x, adopts: [...x.adopts] })) });
  // On the ack, "I meant #1, not #2" names the strategy meant without a commitment verb: the
  // references no negation stands right before (since the previous reference) are what was meant.
  if (answers === 'ack' && !found.some((c) => c.intent === 'adopt' || c.intent === 'strategy' || c.intent === 'unsubscribe')) {
    const meant = units.flatMap((u) =>
      explicitRefs(u.f, input.strategies, titles)
        .filter((r, i, all) => !C.NEGATION.test(u.f.slice(Math.max(i ? all[i - 1]!.end : 0, r.at - 16), r.at)))
        .map((r) => r.id),
    );
    if (meant.length) return parsed([...new Set(meant)].map((id) => key({ intent: 'adopt', strategyId: id })));
  }
  // "I'll try that" with nothing that says which: asking beats guessing.
  if (!found.some((c) => c.intent === 'adopt' || c.intent === 'unsubscribe' || c.intent === 'feedback') && sigs.some((s) => s.committed && !s.refs.length && !s.strategyStrong)) {
    return unclear('a commitment without a strategy Baton can tell');
  }
  if (found.some((c) => c.intent !== 'comment')) {
    // Praise around an adoption or a strategy frames it; only a question stands as a comment.
    return parsed(found.filter((c) => c.intent !== 'comment' || /[?？؟]/u.test(c.text)).map((c) => (c.intent === 'feedback' && preference ? { ...c, preference } : c)));
  }
  if (isComment(text, units, sigs)) return parsed(found.map((c) => ({ ...c, text: text.trim() })).slice(0, 1));
  // "Sorry, not had time to read it yet": something of its own, and never a read.
  if (units.some((u) => C.NOT_YET.test(u.f))) return parsed([key({ intent: 'comment' })]);
  if (units.length === 0 || units.every((u, i) => sigs[i]?.ack || sigs[i]?.praise || isGreeting(u.f) || C.ACK.test(u.f) || C.DECLINE.test(u.f))) return parsed([key({ intent: 'read' })]);
  return unclear('no strategy, adoption, question or request Baton can tell');
}

/**
 * Lines an inline reply quotes (">") are ours, not the participant's: blanked (offsets stay true),
 * and kept as blocks with where they end, for the answers written under them.
 */
function inlineQuotes(text: string): { text: string; quotes: { end: number; text: string }[] } {
  if (!/^[ \t]*>/m.test(text)) return { text, quotes: [] };
  const quotes: { end: number; text: string }[] = [];
  let block: string[] = [];
  let offset = 0;
  const lines = text.split('\n').map((line) => {
    const start = offset;
    offset += line.length + 1;
    if (/^[ \t]*>/.test(line)) {
      block.push(line.replace(/^[\s>]+/, ''));
      return ' '.repeat(line.length);
    }
    if (block.length && line.trim()) {
      quotes.push({ end: start, text: block.join('\n') });
      block = [];
    }
    return line;
  });
  return { text: lines.join('\n'), quotes };
}

/** The one strategy a quoted block shows: "4. Close with …" or its title. */
function quotedStrategy(block: string, strategies: Strategy[], titles: TitleIndex[]): string | undefined {
  const numbered = /^\s*(?:#\s?)?(\d{1,2})[.):]\s+\S/mu.exec(block);
  if (numbered?.[1]) {
    const s = strategies.find((x) => x.number === Number(numbered[1]));
    if (s) return s.id;
  }
  const firstLine = fold(block.split('\n').find((l) => l.trim()) ?? '');
  const ids = titleMatches(stems(firstLine), titles);
  return ids.length === 1 ? ids[0] : undefined;
}

/** Something of its own: a question, or an opinion with a story about the training. */
function isComment(text: string, units: Unit[], sigs: Signals[]): boolean {
  if (/[?？؟]/u.test(text) || units.some((u) => C.QUESTION.test(u.f) || C.OPINION.test(u.f))) return true;
  const content = units.filter((u, i) => !sigs[i]?.ack && !isGreeting(u.f));
  return sigs.some((s) => s.praise) && content.length >= 2;
}

/** "Ana's Friday look-back", "Nice one, Ana", "Rosa Martínez": a teammate by first or full name. */
function namesTeammate(f: string, name: string): boolean {
  const full = fold(name).replace(/,.*$/, '').trim();
  const first = full.split(/\s+/)[0] ?? '';
  const re = (w: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(w)}(?![\\p{L}\\p{N}])`, 'u');
  const possessive = (w: string) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRe(w)}s(?![\\p{L}\\p{N}])`, 'u');
  return (first.length >= 3 && (re(first).test(f) || possessive(first).test(f))) || re(full).test(f);
}


/**
 * The text before a sign-off line ("Cheers,", "Un saludo") that follows some content: what comes
 * after is a name, a signature or a disclaimer, which never makes a contribution.
 */
function beforeSignOff(text: string): string {
  const lines = text.split('\n');
  let content = false;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    const bare = fold(line).replace(/[,.!\s]+$/u, '');
    if (content && bare && bare.length <= 30 && C.SIGN_OFF.test(bare) && bare.replace(C.SIGN_OFF_G, '').replace(/[^\p{L}\p{N}]+/gu, '') === '') return lines.slice(0, i).join('\n');
    // Once content has begun it stays begun: later lines need no greeting check.
    if (!content && line && !isGreeting(fold(line))) content = true;
  }
  return text;
}

/** "Jen, forgot to say …", "Team, reminder that …": written to someone other than the trainers. */
function addressedElsewhere(text: string, trainers: string[] | undefined): boolean {
  if (!trainers?.length) return false;
  // "Jen, …" or "Hey Jen, …": a greeting word may come first.
  const m = /^\s*(?:([\p{L}']+)\s+)?([\p{Lu}][\p{L}'-]{1,20})\s*,/u.exec(text);
  if (!m?.[2] || (m[1] && !C.GREETING_WORDS.includes(fold(m[1])))) return false;
  const who = fold(m[2]);
  // "Hi team," greets everyone; a bare "Team, …" is a note to the team, like one to a person.
  if (C.EVERYONE.has(who)) {
    if (m[1]) return false;
  } else if (C.KNOWN_WORDS.has(who)) {
    // "Great, thanks!", "Sorry, …": a word, not a name.
    return false;
  }
  // And whoever it is, is spoken to ("Jess, can you …", "Team, please add …").
  if (!C.YOU.test(fold(text.slice(m[0].length, m[0].length + 300)))) return false;
  if (C.GREETING_TEST.test(who) || C.ACK.test(who)) return false;
  return !trainers.some((t) => fold(t).split(/\s+/).includes(who));
}
