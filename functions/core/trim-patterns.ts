// Line patterns for the reply trimmer. Every test here looks at one line (or a few joined lines)
// of bounded length: regexes are anchored, have no nested quantifiers over unbounded input, and
// are only ever run on slices capped by the constants below, so a hostile 1 MB body costs time
// linear in its size. Word lists are plain data so adding a language is adding strings.

/** Longest line a header-like pattern is ever run on; longer lines are body text. */
export const MAX_HEADER_LINE = 400;
/** Longest joined text (a wrapped "On … wrote:" over several lines) a header pattern examines. */
export const MAX_HEADER_JOINED = 600;

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (words: readonly string[]): string =>
  [...words].sort((a, b) => b.length - a.length).map(escape).join('|');

// Invisible characters some clients leave on otherwise empty lines (Gmail's tracking "ᐧ",
// zero-width spaces, BOM, word joiners).
const INVISIBLE = '\\u00a0\\u1427\\u200b-\\u200f\\u2060-\\u2064\\ufeff';
const EMPTY_RE = new RegExp(`^[\\s${INVISIBLE}]*$`);
export const isEmptyLine = (line: string): boolean => EMPTY_RE.test(line);

// `>` quoting, and Supercite-style `Name>` prefixes that some Emacs/Gnus users still send.
const isAsciiLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);

export function isQuotedLine(line: string): boolean {
  // A character scan: this runs on every line, several times.
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  if (line[i] === '>') return true;
  const start = i;
  while (i < line.length && i - start <= 10 && isAsciiLetter(line.charCodeAt(i))) i++;
  if (i === start || i - start > 10 || line[i] !== '>') return false;
  const after = line[i + 1];
  return after === undefined || after === ' ' || after === '\t';
}

/** The line without its quote prefix(es) (`> > text` -> `text`). */
export function stripQuotePrefix(line: string): string {
  if (!isQuotedLine(line)) return line;
  const head = line.slice(0, 200);
  const m = /^(?:[ \t]*>)+[ \t]?/.exec(head) ?? /^[ \t]*[A-Za-z]{1,10}>[ \t]?/.exec(head);
  return m ? line.slice(m[0].length) : line;
}

/** Lines that start or end a fenced code block (``` only: `~~~` doubles as a delimiter). */
export const isFenceLine = (line: string): boolean => /^[ \t]{0,3}```/.test(line.slice(0, 8));

// ---------------------------------------------------------------------------------------------
// "On <date>, <someone> wrote:" attributions, in the languages clients localise them into.

// Words ending an attribution ("… wrote:"), at the very end of the (joined) header text.
const WROTE_WORDS = [
  'wrote', 'writes', 'sent', 'schrieb', 'schreef', 'geschreven', 'a écrit', 'écrit', 'escribió',
  'escribio', 'escreveu', 'ha scritto', 'scrisse', 'napisał(a)', 'napisała', 'napisał', 'napsal',
  'napsala', 'написал(а)', 'написала', 'написал', 'пише', 'написав', 'написала', 'skrev', 'skrivit',
  'kirjoitti', 'írta', 'yazdı', 'đã viết', 'viết', 'a scris', 'έγραψε', 'כתב', 'كتب',
  '写道', '寫道', '님이 작성', '작성', 'のメッセージ', 'wrote ---', 'escribió ---',
  // Malay and Indonesian Gmail, Thai Gmail, Arabic Gmail.
  'menulis', 'เขียนว่า', 'كتب:',
];
// How attributions begin, in the languages above ("On", "Le", "Am", "El", "Em", "Il", "Op" …).
const LEADS = [
  'on', 'le', 'am', 'el', 'em', 'il', 'op', 'den', 'på', 'w dniu', 'dnia', 'vào', 'at', 'в', 'dne',
  'el día', 'em', 'on behalf of', '在', 'στις', 'ב-', 'pada', 'ในวันที่', 'في',
];

// Indexed by last character, so most lines are rejected by one lookup.
const WROTE_BY_LAST = new Map<string, string[]>();
for (const w of new Set(WROTE_WORDS.map((x) => x.toLowerCase()))) {
  const last = w.slice(-1);
  WROTE_BY_LAST.set(last, [...(WROTE_BY_LAST.get(last) ?? []), w]);
}
const BOUNDARY = new Set([' ', '\t', '"', "'", '»', '”', '>', ')', ']', '-', '\u00a0']);

/** Whether the text ends with a "wrote" word (then an optional colon and dashes). */
function endsWithWrote(text: string): boolean {
  let end = text.length;
  while (end > 0 && /[\s:：-]/u.test(text[end - 1] ?? '')) end--;
  const candidates = WROTE_BY_LAST.get((text[end - 1] ?? '').toLowerCase());
  if (!candidates) return false;
  const tail = text.slice(Math.max(0, end - 40), end).toLowerCase();
  for (const w of candidates) {
    if (!tail.endsWith(w)) continue;
    const before = tail.length - w.length - 1;
    // CJK words need no space before them.
    if (before < 0 || BOUNDARY.has(tail[before] ?? '') || /[^\x00-\u024f]/u.test(w)) return true;
  }
  return false;
}
// The same words inside the line ("Am … schrieb Max <a@b>:", "Max <a@b> schrieb am … Uhr:").
// "sent" is left out: "On Monday I sent:" is prose.
const WROTE_INFIX_RE = new RegExp(
  `(?:^|[\\s"'>])(?:${alternation(WROTE_WORDS.filter((w) => w !== 'sent' && !w.endsWith('---')))})(?=[\\s:：,]|$)`,
  'iu',
);
const LEAD_RE = new RegExp(`^[ \\t*_-]*(?:${alternation(LEADS)})(?=[\\s,])`, 'iu');
/** Something date-like: a clock time, a numeric date, or a year. */
const DATE_RE = /\d{1,2}[:.]\d{2}|\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\b(?:19|20)\d{2}\b|\d{4}年|\d{1,2}月/u;
/** A numeric or weekday-led date at the start of a line (Gmail's old "2014-10-17 11:28 GMT…", Finnish "pe 20. lokakuuta 2017", time-led "11:00 AM, November 17, 2021, Name <a@b>:"). */
const DATE_START_RE =
  /^[ \t]*(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{4}年|\d{1,2}:\d{2}(?:\s?[ap]\.?m\.?)?, \p{L}{3,9}\.? \d{1,2},? \d{4}|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6},? \d{1,2} [a-z]{3,9}\.? \d{4}|\p{L}{2,3}\.?,? \d{1,2}\.? \p{L}{3,9}\.? \d{4})/iu;
const EMAIL_END_RE = /@[^\s<>@]{1,200}>?[ \t]*[:：]?[ \t]*$|<[^<>]{0,200}>[ \t]*[:：]?[ \t]*$/u;
const GMT_RE = /\bGMT[+-]\d/;

export interface AttributionMatch {
  /** Text before the attribution on its first line ("reply On Wed … wrote:"), kept as reply text. */
  prefix: string;
}

/**
 * Whether `joined` (one to a few physical lines, whitespace-collapsed, no quote prefix) is an
 * attribution line: "On … wrote:", "Am … schrieb …:", "2011/4/7 Name <a@b>", "---- X wrote ----".
 */
export function matchAttribution(joined: string, singleLine: boolean): AttributionMatch | undefined {
  if (joined.length > MAX_HEADER_JOINED) return undefined;
  const tail = joined.slice(-80);
  if (endsWithWrote(tail)) {
    const headerish =
      joined.includes('@') || joined.includes('<') || joined.startsWith('--') || LEAD_RE.test(joined) || DATE_RE.test(joined);
    if (headerish && joined.split(' ').length <= 45) {
      return { prefix: singleLine ? splitPrefix(joined) : '' };
    }
    return undefined;
  }
  const endsWithColon = /[:：][ \t]*$/.test(tail);
  if (endsWithColon && WROTE_INFIX_RE.test(joined) && (DATE_RE.test(joined) || joined.includes('@'))) {
    return { prefix: '' };
  }
  if (DATE_START_RE.test(joined) && (EMAIL_END_RE.test(tail) || GMT_RE.test(joined))) {
    return { prefix: '' };
  }
  return undefined;
}

// A client that forgot the line break ("reply On Wed, Apr 4, 2012 at 3:59 PM, bob wrote:"): the
// attribution starts at the last "On " that is followed by a date.
function splitPrefix(line: string): string {
  if (LEAD_RE.test(line)) return '';
  const re = /(?:^|[\s-])On\s/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line)) !== null) {
    const start = m.index + (m[0].startsWith('O') ? 0 : 1);
    if (DATE_RE.test(line.slice(start, start + 60))) {
      return line.slice(0, start).replace(/[\s-]+$/, '');
    }
  }
  return '';
}

/** Whether a line may begin a wrapped attribution (so joining the next lines is worth trying). */
export function mayStartAttribution(line: string): boolean {
  if (line.length > MAX_HEADER_LINE || !/[\d@<]/.test(line)) return false;
  if (DATE_START_RE.test(line)) return true;
  // A finished sentence is not the first half of "On <date>, <name> <address> wrote:".
  if (/\p{L}{2}[.!?]["')\]]?[ \t]*$/u.test(line.slice(-8))) return false;
  const lead = LEAD_RE.test(line);
  const address = line.includes('@') || line.includes('<');
  return ((lead || address) && DATE_RE.test(line)) || (lead && address) || (address && WROTE_INFIX_RE.test(line));
}

// ---------------------------------------------------------------------------------------------
// "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:".

const SEPARATOR_PHRASES = [
  'original message', 'reply message', 'forwarded message', 'begin forwarded message',
  'ursprüngliche nachricht', 'antwort nachricht', 'weitergeleitete nachricht',
  'anfang der weitergeleiteten nachricht', 'oprindelig meddelelse', 'videresendt meddelelse', 'oprindelig besked', 'videresendt besked',
  'mensaje original', 'mensaje reenviado', 'comienzo del mensaje reenviado', "message d'origine",
  'message d’origine', 'message original', 'message transféré', 'début du message réexpédié',
  'début du message transféré', 'messaggio originale', 'messaggio inoltrato', 'inizio messaggio inoltrato',
  'mensagem original', 'mensagem encaminhada', 'início da mensagem reencaminhada',
  'oorspronkelijk bericht', 'origineel bericht', 'doorgestuurd bericht', 'begin doorgestuurd bericht',
  'ursprungligt meddelande', 'originalmeddelande', 'vidarebefordrat meddelande', 'opprinnelig melding',
  'videresendt melding', 'alkuperäinen viesti', 'välitetty viesti', 'wiadomość oryginalna',
  'oryginalna wiadomość', 'przekazana wiadomość', 'původní zpráva', 'přeposlaná zpráva',
  'исходное сообщение', 'пересылаемое сообщение', 'пересланное сообщение', 'оригінальне повідомлення',
  'переслане повідомлення', '原始邮件', '转发的邮件', '原始郵件', '轉寄郵件', '元のメッセージ',
  '転送されたメッセージ', '원본 메시지', '전달된 메시지', 'orijinal mesaj', 'iletilen mesaj',
  'eredeti üzenet', 'továbbított üzenet', 'mesaj original',
];
const SEPARATOR_SET = new Set(SEPARATOR_PHRASES);

/** "-----Original Message-----" and its translations, with any dash/star/underscore framing. */
export function isSeparatorLine(line: string): boolean {
  if (line.length > 120) return false;
  const s = stripQuotePrefix(line).trim();
  if (s.length > 90 || !/--|__|\*\*|==|[:：]$|[^\x00-\u024f]/u.test(s)) return false;
  const inner = s.replace(/^[-_=*~\s]+|[-_=*~\s:：]+$/g, '').toLowerCase();
  return SEPARATOR_SET.has(inner);
}

// ---------------------------------------------------------------------------------------------
// Outlook-style header blocks: "From: … / Sent: … / To: … / Subject: …", in many languages.

export type FieldKind = 'from' | 'sent' | 'date' | 'to' | 'cc' | 'subject' | 'replyTo';

const FIELDS: Record<FieldKind, readonly string[]> = {
  from: [
    'from', 'von', 'de', 'da', 'van', 'från', 'fra', 'od', 'от', 'від', 'lähettäjä', 'feladó',
    'kimden', '差出人', '发件人', '寄件者', '보낸 사람', 'expéditeur', 'remitente', 'remetente', 'afzender',
    'daripada', 'dari', 'จาก', 'من',
  ],
  sent: [
    'sent', 'gesendet', 'envoyé', 'enviado', 'enviada', 'inviato', 'verzonden', 'skickat', 'sendt',
    'wysłano', 'wysłane', 'отправлено', 'надіслано', 'odesláno', 'lähetetty', 'elküldve', 'gönderildi',
    'gönderilme', '送信日時', '发送时间', '寄件日期', '보낸 날짜', 'sent at', 'enviado el', 'enviada em',
    'envoyé le', 'inviato il', 'gesendet am', 'dihantar', 'dikirim', 'ส่ง', 'تم الإرسال', 'أرسل',
  ],
  date: ['date', 'datum', 'fecha', 'data', 'dato', 'дата', 'päivämäärä', 'dátum', 'tarih', '日期', 'tarikh', 'tanggal', 'วันที่', 'التاريخ'],
  to: [
    'to', 'an', 'à', 'a', 'para', 'aan', 'till', 'til', 'do', 'кому', 'komu', 'vastaanottaja',
    'címzett', 'kime', '宛先', '收件人', '收件者', '받는 사람', 'destinataire', 'kepada', 'ถึง', 'إلى',
  ],
  cc: ['cc', 'kopie', 'copie', 'kopia', 'kopi', 'копия', 'копія', 'dw', 'kopio', 'másolat', '抄送', '副本'],
  subject: [
    'subject', 'betreff', 'objet', 'asunto', 'assunto', 'oggetto', 'onderwerp', 'ämne', 'emne',
    'temat', 'тема', 'předmět', 'aihe', 'tárgy', 'konu', '件名', '主题', '主旨', '제목', 'sujet',
    'perkara', 'subjek', 'เรื่อง', 'الموضوع',
  ],
  replyTo: ['reply-to', 'antwort an', 'répondre à', 'responder a', 'rispondi a', 'risposta', 'svara till'],
};

const FIELD_LOOKUP = new Map<string, FieldKind>();
for (const [kind, words] of Object.entries(FIELDS) as [FieldKind, readonly string[]][]) {
  for (const w of words) FIELD_LOOKUP.set(w, kind);
}
const FIELD_RE = new RegExp(
  `^[ \\t]*\\*{0,2}(${alternation([...FIELD_LOOKUP.keys()])})\\*{0,2}[ \\t]?[:：][ \\t]*\\*{0,2}[ \\t]*(.*)$`,
  'iu',
);

export interface FieldMatch {
  kind: FieldKind;
  value: string;
}

/** "From: x", "*Sent:* y", "De : z" -> its kind and value; undefined for anything else. */
export function matchField(line: string): FieldMatch | undefined {
  if (line.length > MAX_HEADER_LINE) return undefined;
  const colon = line.slice(0, 40).search(/[:：]/);
  if (colon < 0) return undefined;
  const m = FIELD_RE.exec(line);
  if (!m) return undefined;
  const kind = FIELD_LOOKUP.get((m[1] ?? '').toLowerCase());
  return kind ? { kind, value: m[2] ?? '' } : undefined;
}

export const hasAddress = (value: string): boolean => /@|mailto:/i.test(value);

// ---------------------------------------------------------------------------------------------
// Delimiters and signatures.

/** The RFC 3676 signature delimiter "-- " (and the common "--"). */
export const isSigDashLine = (line: string): boolean => /^[ \t]*--[ \t]?$/.test(line);

/** A line of only decoration: "___", "***", "====", "-----", "~~~~", "++++". */
export const isDelimiterLine = (line: string): boolean =>
  line.length <= 200 && /^[ \t]*(?:-{2,}|_{3,}|={3,}|\*{3,}|~{3,}|\+{3,})[ \t]*$/.test(line);

// "Sent from my iPhone" and friends. Matched on the start of the line, then checked for length,
// so "Sent from my desk, is much easier …" (a sentence) is not a footer.
const FOOTER_STARTS = [
  'sent from', 'sent with', 'sent via', 'sent by', 'sent using', 'sent wirelessly from',
  'sent automatically from', 'get outlook for', 'envoyé de mon', 'envoyé depuis', 'envoyé avec',
  'envoyé à partir de', 'von meinem', 'gesendet von', 'gesendet mit', 'diese nachricht wurde von',
  'enviado desde', 'enviado do meu', 'enviado de meu', 'enviado do', 'enviado con', 'enviado com',
  'inviato da', 'inviato dal', 'sendt fra', 'skickat från', 'från min', 'verzonden met',
  'verzonden vanaf', 'verstuurd vanaf', 'verstuurd met', 'wysłane z', 'wysłano z', 'odesláno z',
  'отправлено с', 'отправлено из', 'надіслано з', 'lähetetty', 'iphoneから送信', 'ipadから送信',
  '从我的', '從我的', '发自我的', '發自我的', 'from my iphone', 'from my ipad', 'from my android',
  'from my mobile', 'from my samsung', 'from my galaxy', 'from my phone', 'from my blackberry',
];
const FOOTER_START_RE = new RegExp(`^(?:${alternation(FOOTER_STARTS)})(?:$|[\\s:(\\[<]|(?<=[^\\x00-\\x7f]))`, 'iu');
const APOLOGY_RE = /^(?:please |pls |so )?(?:excuse|forgive|pardon|sorry|apologies|typos|brevity|beware|disculpe|désolé|entschuldig)/i;

/** A mobile/app footer line: "Sent from my iPhone", "Envoyé depuis mon iPad", "Get Outlook for iOS". */
const FOOTER_HINT_RE = /sent|envoy|von |gesendet|diese|enviad|inviat|sendt|skickat|från|verzonden|verstuurd|wys[lł]an|odesl|отправлено|надіслано|lähetetty|から送信|我的|get outlook|from my|from mobile/iu;

export function isFooterLine(line: string): boolean {
  if (line.length > 300 || !FOOTER_HINT_RE.test(line)) return false;
  // Markdown/HTML link leftovers: "Sent from [Mail](https://…) for Windows", "Outlook Mobile<https://…>".
  let s = line
    .replace(/\[([^\]]{0,80})\]\([^)]{0,300}\)/g, '$1')
    .replace(/<[^<>]{0,300}>/g, ' ')
    .replace(/https?:\/\/\S{0,300}/g, ' ')
    .replace(/^[\s(<*_>«]+|[\s)>*_»!]+$/g, '')
    .trim();
  if (!s) return false;
  if (/^\S{1,20} from mobile$/i.test(s) || /^\S{1,20}から送信$/u.test(s)) return true;
  if (!FOOTER_START_RE.test(s)) return false;
  if (/\bgesendet$|\s傳送$|\s发送$/iu.test(s)) return true;
  // The device part runs to the first punctuation; what follows may only be an apology.
  const cut = /[,;.!]/.exec(s);
  const head = cut ? s.slice(0, cut.index) : s;
  const rest = cut ? s.slice(cut.index + 1).trim() : '';
  if (head.split(/\s+/).length > 12) return false;
  return rest === '' || APOLOGY_RE.test(rest);
}

// Closing phrases that, followed by a short name, make a sign-off block.
const SIGN_OFFS = [
  'thanks', 'thank you', 'thanks a lot', 'many thanks', 'thanks again', 'thx', 'ta', 'cheers',
  'regards', 'best regards', 'kind regards', 'warm regards', 'warmest regards', 'best wishes',
  'all the best', 'best', 'sincerely', 'yours sincerely', 'yours truly', 'yours', 'cordially',
  'take care', 'talk soon', 'see you', 'greetings', 'love', 'hugs', 'bye',
  'merci', 'merci beaucoup', 'cordialement', 'bien cordialement', 'bien à vous', 'amitiés', 'bises',
  'à bientôt', 'danke', 'vielen dank', 'gruß', 'grüße', 'viele grüße', 'liebe grüße', 'beste grüße',
  'mit freundlichen grüßen', 'freundliche grüße', 'lg', 'vg', 'mfg', 'gracias', 'muchas gracias',
  'saludos', 'un saludo', 'un abrazo', 'atentamente', 'saludos cordiales', 'obrigado', 'obrigada',
  'abraço', 'abraços', 'atenciosamente', 'cumprimentos', 'grazie', 'grazie mille', 'saluti',
  'cordiali saluti', 'un saluto', 'distinti saluti', 'bedankt', 'dank je', 'groeten',
  'met vriendelijke groet', 'vriendelijke groeten', 'groetjes', 'tack', 'hälsningar',
  'med vänliga hälsningar', 'vänliga hälsningar', 'mvh', 'hilsen', 'med venlig hilsen',
  'venlig hilsen', 'vennlig hilsen', 'dziękuję', 'pozdrawiam', 'pozdrowienia', 'z poważaniem',
  'спасибо', 'с уважением', 'всего доброго', 'дякую', 'з повагою', 'děkuji', 's pozdravem',
  'kiitos', 'terveisin', 'köszönöm', 'üdvözlettel', 'teşekkürler', 'saygılarımla',
  '谢谢', '謝謝', '此致', 'よろしくお願いします', 'よろしくお願いいたします', 'ありがとうございます', '감사합니다',
];
const SIGN_OFF_SET = new Set(SIGN_OFFS);
const SIGN_OFF_WITH_NAME_RE = new RegExp(`^(?:${alternation(SIGN_OFFS)})[,!]?[ \\t]+(.+)$`, 'iu');

const normalizeSignOff = (s: string): string =>
  s.trim().replace(/[\s,.!…:;~-]+$/u, '').replace(/\s+/g, ' ').toLowerCase();

/** "Thanks,", "Best regards", "Mit freundlichen Grüßen" (the whole line is the closing). */
export function isSignOffLine(line: string): boolean {
  return line.length <= 60 && SIGN_OFF_SET.has(normalizeSignOff(line));
}

/** "Thanks, Roman" / "Cheers Bob": a closing and a name on one line. */
export function isSignOffWithNameLine(line: string): boolean {
  if (line.length > 60) return false;
  const m = SIGN_OFF_WITH_NAME_RE.exec(line.trim());
  const name = m?.[1] ?? '';
  return isNameLine(name, false) && name.split(/\s+/).every((w) => /^\p{Lu}/u.test(w));
}

/** A short name: "Roman", "Bob Smith", "J. Doe", "//Jef", "-Lev." (with dash when `dashed`). */
export function isNameLine(line: string, dashed: boolean): boolean {
  if (line.length > 50) return false;
  let s = line.trim();
  if (dashed) {
    const m = /^(?:[-–—~]|\/\/)[ \t]?(.*)$/u.exec(s);
    if (!m) return false;
    s = m[1] ?? '';
  } else {
    s = s.replace(/^(?:[-–—~]|\/\/)[ \t]?/u, '');
  }
  s = s.replace(/[.,!]+$/, '');
  if (!s || s.length > 40) return false;
  const words = s.split(/\s+/);
  return words.length <= 3 && words.every((w) => /^\p{L}[\p{L}\p{M}'’.-]*$/u.test(w));
}

/** A bullet-list item ("- milk", "* eggs", "• bread", "1. flour"). */
export const isListItemLine = (line: string): boolean => /^[ \t]*(?:[-*•+]|\d{1,3}[.)])[ \t]/.test(line);
