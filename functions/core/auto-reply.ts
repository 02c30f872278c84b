// Mail that no person wrote: bounces, out-of-office notices and other auto-replies. None of it is
// ever a contribution. An out-of-office notice from a participant pauses their reminders until the
// day they say they are back (read from the text when it can be), so they are not nagged on leave.
//
// Signals, strongest first: a delivery report (multipart/report; report-type=delivery-status) is
// a bounce; RFC 3834 `Auto-Submitted` other than `no`, `X-Autoreply`, `X-Autorespond`,
// `Precedence: bulk|junk|list|auto_reply`, an empty Return-Path or MAIL FROM <>, and
// out-of-office subjects in many languages mark an auto-reply. Last, the body alone: a notice with
// an ordinary "Re:" subject and no headers is an auto-reply only when it has the shape of one
// (see bodyAutoReply), because people who write about their own leave are not auto-replies. `X-Auto-Response-Suppress` is a
// request not to be answered automatically, not a sign of being automatic, so it is ignored.
import { all } from './lexicon/index.ts';
import { REPLY_MARKER } from './reply-marker.ts';
import { addDays } from './time.ts';

export interface AutoReplyInput {
  /** Header values by lower-case name (the first occurrence). */
  headers: ReadonlyMap<string, string>;
  subject: string;
  /** The body text (not trimmed); only its start is read. */
  text: string;
  /** SMTP MAIL FROM; '' or null for the null sender `<>`; undefined when unknown. */
  envelopeFrom?: string | null;
  /** The From address. */
  from?: string;
}

export type AutoReplyVerdict =
  | { kind: 'bounce'; reason: string }
  | { kind: 'auto-reply'; reason: string; outOfOffice: boolean }
  | undefined;

/** Lower case, accents removed, so one pattern serves "Réponse" and "reponse". */
function fold(s: string): string {
  return s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const OOO_SUBJECT_PHRASES = [
  'out of office',
  'out of the office',
  'ooo',
  'automatic reply',
  'auto reply',
  'auto-reply',
  'autoreply',
  'auto response',
  'automatic response',
  'away from the office',
  'away from my desk',
  'on vacation',
  'on holiday',
  'on leave',
  'vacation reply',
  'abwesenheitsnotiz',
  'abwesenheit',
  'automatische antwort',
  'abwesend',
  'reponse automatique',
  'absence du bureau',
  'absent du bureau',
  'absent',
  'en conge',
  'respuesta automatica',
  'fuera de la oficina',
  'ausente',
  'resposta automatica',
  'fora do escritorio',
  'fuori sede',
  'fuori ufficio',
  'risposta automatica',
  'afwezig',
  'automatisch antwoord',
  'afwezigheidsbericht',
  'franvaro',
  'autosvar',
  'fravaerende',
  'fraværende',
  'poissa',
  'automaattinen vastaus',
  'nieobecnosc',
  'automatyczna odpowiedz',
  'automaticka odpoved',
  'otomatik yanit',
  'автоответ',
  'автоматический ответ',
  'нет на месте',
  'balasan automatik',
  'di luar pejabat',
  'ตอบกลับอัตโนมัติ',
];
// Scripts without word spaces: matched anywhere in the subject.
const OOO_SUBJECT_CJK = ['自動応答', '自動返信', '不在', '自动回复', '自動回覆', '休假', '자동 응답', '부재중'];

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// At the start of the subject (after reply prefixes and tags) or in brackets anywhere, so a
// training called "Plan your leave" replied to as "Re: Plan your leave" is not mistaken.
const OOO_SUBJECT = new RegExp(
  `^(?:\\s*(?:re|aw|sv|vs|antw|r|rv|res|tr|wg|fw|fwd)\\s*:\\s*|\\s*\\[[^\\]]*\\]\\s*)*(?:${OOO_SUBJECT_PHRASES.map(escapeRe).join('|')})(?![\\p{L}])` +
    `|[\\[(](?:${OOO_SUBJECT_PHRASES.map(escapeRe).join('|')})[\\])]`,
  'u',
);

const OOO_BODY = new RegExp(
  [
    'out of (?:the )?office',
    'i am (?:currently )?(?:away|on (?:vacation|holiday|leave|parental leave|sick leave))',
    "i'?m (?:currently )?(?:away|on (?:vacation|holiday|leave|parental leave))",
    'limited access to (?:my )?e-?mail',
    'ich bin (?:derzeit |zur zeit |bis )?.{0,40}?(?:nicht im buro|abwesend|im urlaub)',
    'je suis (?:actuellement )?(?:absent|en conge|en vacances)',
    'estoy (?:fuera de la oficina|de vacaciones|ausente)',
    'estou (?:fora do escritorio|de ferias|ausente)',
    'sono (?:fuori ufficio|in ferie|assente)',
    'ik ben (?:afwezig|met vakantie|niet op kantoor)',
  ].join('|'),
);

function isOutOfOffice(subject: string, text: string): boolean {
  const s = fold(subject);
  if (OOO_SUBJECT.test(s) || OOO_SUBJECT_CJK.some((w) => subject.includes(w))) return true;
  return OOO_BODY.test(fold(text.slice(0, 2000)));
}

const BOUNCE_SUBJECT =
  /^(?:undeliverable|undelivered mail|delivery status notification \(failure\)|mail delivery (?:failed|failure|subsystem)|returned mail|failure notice|delivery failure|unzustellbar|non remis|no se puede entregar)/;

/** Classifies a received message as a bounce, an auto-reply, or (undefined) mail a person wrote. */
export function detectAutoReply(input: AutoReplyInput): AutoReplyVerdict {
  const h = input.headers;
  const contentType = (h.get('content-type') ?? '').toLowerCase();
  const subject = fold(input.subject.trim());
  const fromLocal = (input.from ?? '').toLowerCase().split('@')[0] ?? '';
  const nullSender = input.envelopeFrom === '' || input.envelopeFrom === null || /^\s*<\s*>\s*$/.test(h.get('return-path') ?? 'x');

  if (contentType.startsWith('multipart/report')) {
    if (/report-type\s*=\s*"?disposition-notification/.test(contentType)) return { kind: 'auto-reply', reason: 'read receipt', outOfOffice: false };
    return { kind: 'bounce', reason: 'delivery report' };
  }
  if (nullSender && (fromLocal === 'mailer-daemon' || fromLocal === 'postmaster' || BOUNCE_SUBJECT.test(subject))) {
    return { kind: 'bounce', reason: 'null sender from a mail system' };
  }

  const ooo = () => isOutOfOffice(input.subject, input.text);
  const autoSubmitted = (h.get('auto-submitted') ?? '').trim().toLowerCase();
  if (autoSubmitted && !/^no\b/.test(autoSubmitted)) return { kind: 'auto-reply', reason: `Auto-Submitted: ${autoSubmitted}`, outOfOffice: ooo() };
  if (h.has('x-autoreply')) return { kind: 'auto-reply', reason: 'X-Autoreply', outOfOffice: ooo() };
  if (h.has('x-autorespond')) return { kind: 'auto-reply', reason: 'X-Autorespond', outOfOffice: ooo() };
  const precedence = (h.get('precedence') ?? '').trim().toLowerCase();
  if (/^(?:bulk|junk|list|auto_reply)\b/.test(precedence)) return { kind: 'auto-reply', reason: `Precedence: ${precedence}`, outOfOffice: ooo() };
  if (nullSender) return { kind: 'auto-reply', reason: 'empty Return-Path', outOfOffice: ooo() };
  const s = fold(input.subject);
  if (OOO_SUBJECT.test(s) || OOO_SUBJECT_CJK.some((w) => input.subject.includes(w))) {
    return { kind: 'auto-reply', reason: 'out-of-office subject', outOfOffice: true };
  }
  if (bodyAutoReply(input.text)) return { kind: 'auto-reply', reason: 'out-of-office body', outOfOffice: true };
  return undefined;
}

// Out-of-office phrases of every language Baton reads (lexicon/<lang>.ts), as whole words where
// the script has spaces.
const OOO_PHRASES = (() => {
  const latin: string[] = [];
  const other: string[] = [];
  for (const p of all('outOfOffice')) (/[a-z]/.test(p) ? latin : other).push(escapeRe(fold(p)).replace(/ /g, '\\s+'));
  return new RegExp([latin.length ? `(?<![\\p{L}\\p{N}])(?:${latin.join('|')})(?![\\p{L}\\p{N}])` : '', other.length ? `(?:${other.join('|')})` : ''].filter(Boolean).join('|') || '(?!)', 'u');
})();
/** Quoted history: ">" lines, our reply marker, or a client's header block ("From: … @"). */
const QUOTED = /^\s*>|^\s*(?:from|von|de|da|van|dari|daripada|จาก|من|差出人|发件人)\s*[:：].*@|wrote:\s*$|schrieb:?\s*$|escribio:?\s*$|a ecrit\s*:?\s*$|escreveu:?\s*$|menulis:?\s*$|schreef:?\s*$/imu;

/**
 * A body that alone says "automatic out-of-office notice": it has an out-of-office phrase near its
 * start, says when the writer is back (a date after "until"/"back on" in any language, or a second
 * away/return phrase), is short, quotes nothing of ours (a person's reply from a mail client quotes
 * the email answered; an auto-responder does not), and neither asks nor names a strategy. A person
 * who writes "I'm on leave until March but I'll try #4" is not an auto-reply.
 */
export function bodyAutoReply(text: string): boolean {
  const body = text.replace(/\r\n?/g, '\n').trim();
  if (!body || body.length > 1500 || body.includes(REPLY_MARKER) || QUOTED.test(body)) return false;
  const f = fold(body).replace(/[’‘]/g, "'");
  const head = f.slice(0, 600);
  const m = OOO_PHRASES.exec(head) ?? OOO_BODY.exec(head);
  if (!m) return false;
  if (/[?？؟]|#\s?\d/u.test(f)) return false;
  DATE_AFTER_CUE.lastIndex = 0;
  const dated = DATE_AFTER_CUE.test(f);
  DATE_AFTER_CUE.lastIndex = 0;
  const rest = f.slice(0, m.index) + ' ' + f.slice(m.index + m[0].length);
  return dated || OOO_PHRASES.test(rest) || OOO_BODY.test(rest);
}

// ---------------------------------------------------------------------------------------------
// The return date of an out-of-office notice

const MONTHS: Record<string, number> = {};
const MONTH_NAMES: string[][] = [
  ['january', 'jan', 'januar', 'janner', 'janvier', 'janv', 'enero', 'ene', 'janeiro', 'gennaio', 'gen', 'januari'],
  ['february', 'feb', 'februar', 'fevrier', 'fevr', 'fev', 'febrero', 'fevereiro', 'febbraio', 'februari'],
  ['march', 'mar', 'marz', 'maerz', 'mars', 'marzo', 'marco', 'maart', 'mrt', 'maret', 'mac'],
  ['april', 'apr', 'avril', 'avr', 'abril', 'abr', 'aprile'],
  ['may', 'mai', 'mayo', 'maio', 'maggio', 'mag', 'mei'],
  ['june', 'jun', 'juni', 'juin', 'junio', 'junho', 'giugno', 'giu'],
  ['july', 'jul', 'juli', 'juillet', 'juil', 'julio', 'julho', 'luglio', 'lug', 'julai'],
  ['august', 'aug', 'aout', 'agosto', 'ago', 'augustus', 'agustus', 'ogos'],
  ['september', 'sep', 'sept', 'septembre', 'septiembre', 'setiembre', 'setembro', 'set', 'settembre'],
  ['october', 'oct', 'oktober', 'okt', 'octobre', 'octubre', 'outubro', 'out', 'ottobre', 'ott'],
  ['november', 'nov', 'novembre', 'noviembre', 'novembro'],
  ['december', 'dec', 'dezember', 'dez', 'decembre', 'diciembre', 'dic', 'dezembro', 'dicembre', 'desember', 'disember'],
];
MONTH_NAMES.forEach((names, i) => names.forEach((n) => (MONTHS[n] = i + 1)));
const MONTH_ALT = Object.keys(MONTHS)
  .sort((a, b) => b.length - a.length)
  .join('|');

// Cues after which a date is the last day away ("until 3 February": back the day after) …
const UNTIL_CUES = "until|till|til|sampai(?: dengan| tanggal)?|hingga|sehingga|through|thru|up to and including|bis(?: zum| einschliesslich)?|jusqu'?(?:au|a)|hasta(?: el)?|ate(?: o dia| dia)?|fino al?|tot(?: en met)?";
// … and after which it is the day they are back ("back on 3 February").
const BACK_CUES =
  'back(?: in the office| at work)?(?: on)?|return(?:ing)?(?: on)?|returns(?: on)?|in the office (?:again )?(?:on|from)|zuruck(?: am)?|wieder (?:am|ab)|ab dem|de retour(?: le)?|retour(?: le)?|regreso(?: el)?|regresare(?: el)?|de vuelta(?: el)?|volto(?: em| dia)?|retorno(?: em)?|rientro(?: il)?|terug(?: op)?';

const DAY_NAME =
  '(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|miercoles|jueves|viernes|sabado|domingo|segunda(?:-feira)?|terca(?:-feira)?|quarta(?:-feira)?|quinta(?:-feira)?|sexta(?:-feira)?|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag),?\\s+(?:(?:the|le|el|den|de)\\s+)?';

const DATE_AFTER_CUE = new RegExp(
  `\\b(${UNTIL_CUES}|${BACK_CUES})\\b[\\s:,]*(?:${DAY_NAME})?(?:` +
    `(\\d{4})-(\\d{2})-(\\d{2})` +
    `|(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4}|\\d{2})?` +
    `|(\\d{1,2})(?:st|nd|rd|th|er|º|\\.)?\\s*(?:de\\s+|of\\s+)?(${MONTH_ALT})\\b\\.?(?:,?\\s*(?:de\\s+)?(\\d{4}))?` +
    `|(${MONTH_ALT})\\b\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?\\b(?:,?\\s*(\\d{4}))?` +
    `)`,
  'g',
);

function validDate(y: number, m: number, d: number): string | undefined {
  const t = new Date(Date.UTC(y, m - 1, d));
  if (t.getUTCFullYear() !== y || t.getUTCMonth() !== m - 1 || t.getUTCDate() !== d) return undefined;
  return t.toISOString().slice(0, 10);
}

/**
 * The day an out-of-office writer is back, as YYYY-MM-DD, when the notice says it: "until
 * 3 February" (back the 4th), "back on 2027-02-03", "bis zum 3. Februar", "jusqu'au 3 février",
 * "hasta el 3 de febrero". A date without a year is the next one on or after `today`. Dates in
 * the past or more than `maxDays` ahead are not believed.
 */
export function readReturnDate(text: string, today: string, maxDays = 120): string | undefined {
  const folded = fold(text.slice(0, 4000)).replace(/[’‘]/g, "'");
  const year = Number(today.slice(0, 4));
  for (const m of folded.matchAll(DATE_AFTER_CUE)) {
    const cue = m[1]!;
    let y: number | undefined;
    let mo: number | undefined;
    let d: number | undefined;
    if (m[2]) [y, mo, d] = [Number(m[2]), Number(m[3]), Number(m[4])];
    else if (m[5]) [d, mo, y] = [Number(m[5]), Number(m[6]), m[7] ? Number(m[7].length === 2 ? `20${m[7]}` : m[7]) : undefined];
    else if (m[8]) [d, mo, y] = [Number(m[8]), MONTHS[m[9]!], m[10] ? Number(m[10]) : undefined];
    else if (m[11]) [mo, d, y] = [MONTHS[m[11]!], Number(m[12]), m[13] ? Number(m[13]) : undefined];
    if (!mo || !d) continue;
    let date = validDate(y ?? year, mo, d);
    if (date && y === undefined && date < today) date = validDate(year + 1, mo, d);
    if (!date) continue;
    const back = new RegExp(`^(?:${BACK_CUES})$`).test(cue) ? date : addDays(date, 1);
    if (back <= today || back > addDays(today, maxDays)) continue;
    return back;
  }
  return undefined;
}
