// A received reply becomes responses: the one pipeline behind the inbound Lambda (SES → S3 →
// handler), the local SMTP server and `baton parse-reply`.
//
// Primary course:
//   1. parse the raw MIME with mailparser (any charset; text, HTML or both; attachments; TNEF
//      leftovers and forwarded messages are tolerated and ignored);
//   2. route: only the signed reply address names series, training, participant and target.
//      Our ids in In-Reply-To/References are not signed and sit in every header we send, so they
//      never let a message in (see docs/threat-model.md). A tampered token is rejected, never
//      guessed around; an expired one is answered with a bounce-back;
//   3. verify: SES's spam/virus/SPF/DKIM/DMARC verdicts; where the sender's domain has no DMARC
//      verdict, an aligned SPF or DKIM pass; then the sender is the participant the token names
//      (or an address of the participant's own domain whose DKIM signature verified);
//   4. bounces and auto-replies stop here; an out-of-office pauses that participant's reminders;
//      a rejected person gets one short bounce-back a day saying how to answer, unless the mail
//      looks automatic, bulk, or forged (see bounceBackTo);
//   5. trim quoted history and signature (with the text we sent them, rebuilt from the template);
//   6. classify into intents; past the day's cap for this participant and training the reply is
//      kept as raw mail only (`rate-limited`); 7. store attachments, then responses; 8. acknowledge
//      (also capped per day).
//
// Exactly once, without transactions: every write is idempotent on its own. Attachment keys and
// response ids are derived from the Message-ID (and the intent's index), responses are conditional
// puts, acks and upload-link answers go through the delivery ledger with ids derived from the
// Message-ID. So a redelivery (SES and S3 deliver at least once) or a retry after a crash at any
// step redoes the remaining steps and stores nothing twice. The Message-ID is recorded last,
// only to tell a duplicate apart from a recovery in the log; recording it first would lose a
// message whose processing crashed after the record.
import { blockReason } from '#core/audience';
import { TEMPLATE, templateNames } from '#mail/template-names';
import { languageOf, listOf, t } from '#mail/messages/index';
import { strategyNamed } from '#mail/doubts';
import { createHash } from 'node:crypto';
import type { AddressObject, Attachment, ParsedMail } from 'mailparser';
import { parseMail } from './parse-mail.ts';
import type { NeedsLook, PreferenceFlag, PublishedSeries, StoredParticipant } from '#core/records';
import type { Preference } from '#core/classify';
import { isRejoinRequest, settingsRequest, type SettingsRequest } from '#core/requests';
import type { InboundStore, Logger, MailStore, Mailer, RouteStore } from './ports.ts';
import type { CompiledEmail } from '#mail/fill';
import type { SkippedFile } from '#mail/upload-link';
import { detectAutoReply, readReturnDate } from '#core/auto-reply';
import { readReply, type AnsweredKind, type AttachmentInfo, type Classified, type Reading, type ReplyContext } from '#core/classify';
import { composeBounceBack } from './bounce-back.ts';
import type { RejectReason } from '#core/rejection';
import { composeUploadLink, linkSigner, prepareAckSend, sentTextFor, sentTextLike, type MailSettings } from '#mail/compose';
import { deliver, screenOf, type Outgoing } from './deliver.ts';
import { parseOurIds } from '#mail/headers';
import type { AttachmentRef, Intent, Language, Participant, Response, Training } from '#core/model';
import { REPLY_MARKER } from '#core/reply-marker';
import { safeFilename, sanitizeText } from '#core/sanitize';
import { base32Encode } from '#core/short-key';
import { addDays, zonedTimeToUtc } from '#core/time';
import { REPLY_ANSWERS, replyExpiry, tokenFromAddress, verifyReplyToken, type ReplyAnswers } from '#core/tokens';
import { trimHtmlReply, trimReply, type Trimmed } from '#core/trim';

// ---------------------------------------------------------------------------------------------
// Types

export type VerdictStatus = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED';

/** What SES receiving computed (locally: mailauth, when configured). */
export interface Verdicts {
  spam?: VerdictStatus;
  virus?: VerdictStatus;
  spf?: VerdictStatus;
  dkim?: VerdictStatus;
  dmarc?: VerdictStatus;
  dmarcPolicy?: 'none' | 'quarantine' | 'reject';
  /**
   * The d= of every DKIM signature that verified, when the checker says (mailauth does locally).
   * SES's dkimVerdict does not, so on AWS this is absent; see dkimVerifiedFor.
   */
  dkimPassDomains?: string[];
}

export interface InboundMessage {
  raw: Uint8Array;
  /** Where the raw message is kept (S3 URL, local path): stored with each response. */
  rawRef?: string;
  envelope: {
    /** MAIL FROM: '' or null for the null sender <>, undefined when unknown. */
    from?: string | null;
    /** RCPT TO (SES: receipt.recipients). */
    to: string[];
  };
  verdicts?: Verdicts;
  receivedAt: Date;
}

export type { RejectReason };

export type InboundOutcome =
  | {
      status: 'stored';
      messageId: string;
      seriesId: string;
      trainingSlug: string;
      participantEmail: string;
      responses: Response[];
      /** Files not kept (too large, or a type we do not keep); the participant got an upload link. */
      skippedFiles: SkippedFile[];
      acknowledged: boolean;
    }
  | { status: 'duplicate'; messageId: string; seriesId: string; participantEmail: string; recovered: boolean }
  | {
      /** Nothing recorded: kept as a needs-a-look record for the trainer (and asked about in the ack). */
      status: 'needs-look';
      messageId: string;
      seriesId: string;
      trainingSlug: string;
      participantEmail: string;
      kind: NeedsLook['kind'];
      reason?: string;
      acknowledged: boolean;
    }
  | {
      status: 'rejected';
      reason: RejectReason;
      detail: string;
      messageId?: string;
      /** A bounce-back explaining how to answer went (or had already gone today) to this address. */
      bouncedTo?: string;
    }
  | { status: 'rate-limited'; messageId: string; seriesId: string; trainingSlug: string; participantEmail: string; limit: number }
  | { status: 'auto-reply'; reason: string; outOfOffice: boolean; outOfOfficeUntil?: string; messageId?: string }
  | { status: 'bounce'; reason: string; messageId?: string }
  | { status: 'rsvp'; messageId?: string }
  | { status: 'too-large'; size: number; limit: number };

export interface AttachmentLimits {
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_LIMITS: AttachmentLimits = { maxFileBytes: 10 * 1024 * 1024, maxTotalBytes: 25 * 1024 * 1024 };

export interface InboundConfig {
  settings: MailSettings;
  limits?: Partial<AttachmentLimits>;
  /** Where people upload what is too large to mail; without one they are asked to reply with a link. */
  uploadUrl?: string;
  /** Larger raw messages are not parsed at all (SES receiving stops at 40 MB). */
  maxMessageBytes?: number;
  /** How long a Message-ID is remembered. */
  inboundTtlDays?: number;
  /** Per participant, training and UTC day; see DEFAULT_DAILY_CAPS. */
  dailyCaps?: Partial<DailyCaps>;
}

export interface DailyCaps {
  /** Replies with a contribution stored; later ones are kept as raw mail only. */
  contributions: number;
  /** Acknowledgements sent; later contributions are stored without one. */
  acks: number;
}

/**
 * A keen participant writes a few replies a day to one training; twenty is far past that and still
 * bounds what one leaked token (or one person) can pour into a training, its roll-up and its wiki
 * in a day. Five acks keep a mail loop or a flood from turning Baton into a mail cannon at them.
 */
export const DEFAULT_DAILY_CAPS: DailyCaps = { contributions: 20, acks: 5 };

export type { InboundStore, RouteStore } from './ports.ts';

export interface InboundDeps {
  store: InboundStore;
  mailStore: Pick<MailStore, 'putAttachment'>;
  /** Sends an ack or upload-link answer; returns the SES message id. */
  send: Mailer;
  /** One JSON-able record per message, with the outcome and its reason. */
  log?: Logger;
}

// ---------------------------------------------------------------------------------------------
// 1. Parse

export interface ParsedAttachment {
  filename: string;
  contentType: string;
  size: number;
  content: Buffer;
  /** Shown inside the HTML body (cid:) rather than attached. */
  inline: boolean;
}

export interface ParsedInbound {
  /** With angle brackets; a content hash stands in when the message has none. */
  messageId: string;
  subject: string;
  from: { address: string; name: string } | undefined;
  headers: Map<string, string>;
  inReplyTo: string | undefined;
  references: string[];
  text: string | undefined;
  html: string | undefined;
  attachments: ParsedAttachment[];
  /** A calendar METHOD:REPLY: someone accepted or declined a hold. */
  calendarReply: boolean;
}

function headerString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toUTCString();
  if (Array.isArray(value)) return value.map(headerString).join(', ');
  if (value && typeof value === 'object') {
    const v = value as { value?: unknown; text?: unknown; params?: Record<string, string> };
    if (typeof v.text === 'string') return v.text;
    if (typeof v.value === 'string') {
      const params = v.params ? Object.entries(v.params).map(([k, p]) => `; ${k}=${p}`).join('') : '';
      return v.value + params;
    }
  }
  return value === undefined || value === null ? '' : String(value);
}

function firstAddress(from: AddressObject | AddressObject[] | undefined): { address: string; name: string } | undefined {
  const list = Array.isArray(from) ? from : from ? [from] : [];
  for (const group of list) {
    for (const a of group.value) {
      if (a.address) return { address: a.address.trim().toLowerCase(), name: (a.name ?? '').trim() };
      for (const g of a.group ?? []) if (g.address) return { address: g.address.trim().toLowerCase(), name: (g.name ?? '').trim() };
    }
  }
  return undefined;
}

function hashId(value: string | Uint8Array, chars: number): string {
  return base32Encode(createHash('sha256').update(value).digest()).slice(0, chars);
}

export async function parseInbound(raw: Uint8Array): Promise<ParsedInbound> {
  // The HTML of a reply that has text is not decoded (parse-mail.ts): only trimParsed and
  // detectAutoReply read it, and only when the text is empty or missing.
  const mail: ParsedMail = await parseMail(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    skipTextLinks: true,
    // Nothing reads an attachment's checksum: hashing every file is work for no one.
    checksumAlgo: false,
  });
  const headers = new Map<string, string>();
  for (const [name, value] of mail.headers) headers.set(name.toLowerCase(), headerString(value));
  const references = typeof mail.references === 'string' ? [mail.references] : (mail.references ?? []);
  const attachments: ParsedAttachment[] = [];
  let calendarReply = false;
  for (const a of mail.attachments as Attachment[]) {
    const contentType = (a.contentType || 'application/octet-stream').toLowerCase();
    if (contentType === 'text/calendar' || contentType === 'application/ics') {
      if (/^METHOD:\s*REPLY\s*$/im.test(a.content.toString('utf8'))) calendarReply = true;
    }
    attachments.push({
      filename: a.filename ?? '',
      contentType,
      size: a.size ?? a.content.length,
      content: a.content,
      inline: a.contentDisposition === 'inline' || Boolean(a.related),
    });
  }
  const messageId = mail.messageId && /^<?[^<>\s]+>?$/.test(mail.messageId.trim())
    ? `<${mail.messageId.trim().replace(/^<|>$/g, '')}>`
    : `<${hashId(raw, 32)}@missing-message-id.baton>`;
  return {
    messageId,
    subject: (mail.subject ?? '').replace(/[\r\n]+/g, ' '),
    from: firstAddress(mail.from),
    headers,
    inReplyTo: mail.inReplyTo,
    references,
    text: mail.text?.trim() ? mail.text : undefined,
    html: typeof mail.html === 'string' && mail.html.trim() ? mail.html : undefined,
    attachments,
    calendarReply,
  };
}

// ---------------------------------------------------------------------------------------------
// 2. Route

export interface Route {
  published: PublishedSeries;
  training: Training;
  participant: StoredParticipant | Participant;
  context: ReplyContext;
  /** How it was found: the signed reply address (tests may hand one in directly). */
  via: 'token' | 'given';
  /** Which of our emails was answered, when the references say (training, kickoff …). */
  answered: 'training' | 'kickoff' | undefined;
  /** Which email exactly (roll-up, check-in, wrap-up, ack …), when the address says: it changes the reading. */
  answers?: AnsweredKind;
  /** Names of the teammates whose contributions the answered email (the roll-up) showed. */
  teammates?: string[];
  /** The first record an answered acknowledgement acknowledged: the reply corrects it. */
  acked?: Response;
}

export type Rejection = { reason: RejectReason; detail: string };

const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * Finds what a message answers from the signed reply address among its recipients (envelope
 * first, then To/Cc/Delivered-To). In-Reply-To/References only say which of our emails was
 * answered, to pick the right template for trimming: they are not signed and hold nothing a
 * stranger cannot read off any email we send, so a message without a token is `no-token`.
 */
export async function routeMessage(parsed: ParsedInbound, recipients: readonly string[], settings: MailSettings, store: RouteStore, now: Date): Promise<Route | Rejection> {
  const ours = parseOurIds([parsed.inReplyTo, ...parsed.references], settings.domain);
  const answered = ours?.kind === 'kickoff' ? 'kickoff' : ours?.kind === 'training' ? 'training' : undefined;
  const addresses = [...recipients, ...['to', 'cc', 'delivered-to'].map((h) => parsed.headers.get(h) ?? '').flatMap((v) => v.split(','))];
  const token = addresses.map((a) => tokenFromAddress(a, settings.inboundDomain)).find((t) => t !== undefined);

  if (token === undefined) {
    return {
      reason: ours ? 'no-token' : 'unknown-recipient',
      detail: ours
        ? `no signed reply address of @${settings.inboundDomain} among ${recipients.join(', ') || 'the recipients'}; the references name series "${ours.seriesId}", but references are not proof of a sender`
        : `no reply address of @${settings.inboundDomain} among ${recipients.join(', ') || 'the recipients'} and no ids of ours in In-Reply-To/References`,
    };
  }
  const verified = verifyReplyToken(token, settings.secrets, now);
  if ('error' in verified && verified.error !== 'expired') {
    return { reason: 'bad-token', detail: `the reply address token is ${verified.error === 'malformed' ? 'not one of ours' : 'not signed by us (tampered or from a retired secret)'}` };
  }
  const claims = 'error' in verified ? verified.claims : verified;
  const seriesId = await store.findSeriesByKey(claims.seriesKey);
  const published = seriesId ? await store.getSeries(seriesId) : undefined;
  if (!published) return { reason: 'unknown-recipient', detail: `no published series has the key "${claims.seriesKey}"` };
  // A legacy token has no expiry of its own; it gets the one a new token of its series carries.
  const expiresAt = claims.expiresAt ?? replyExpiry(published.series, published.trainings);
  if ('error' in verified || now.getTime() >= expiresAt.getTime()) {
    return { reason: 'expired-token', detail: `the reply address${claims.legacy ? ' (an old one without expiry)' : ''} of series "${published.series.id}" expired on ${expiresAt.toISOString().slice(0, 10)}` };
  }
  const training = published.trainings.find((t) => t.order === claims.trainingOrder);
  if (!training) return { reason: 'unknown-recipient', detail: `series "${published.series.id}" has no training number ${claims.trainingOrder} any more` };
  const participant = await store.findParticipantByKey(published.series.id, claims.participantKey);
  if (!participant) return { reason: 'unknown-participant', detail: `nobody with key "${claims.participantKey}" is enrolled in "${published.series.id}"` };
  // The signed address says which email was answered; the references only guess it.
  const answers = claims.answers;
  let context: ReplyContext = (answers ?? answered) === 'kickoff' ? { kind: 'kickoff' } : { kind: 'training' };
  let acked: Response | undefined;
  if (claims.target) {
    const target = await store.findResponseByKey(published.series.id, claims.target.responseKey);
    if (target && claims.target.kind === 'response') context = { kind: 'submission', responseId: target.id };
    else if (target?.strategyId && claims.target.kind === 'check-in') context = { kind: 'check-in', strategyId: target.strategyId };
    else if (target && claims.target.kind === 'ack' && target.participantEmail === participant.email) acked = target;
  }
  return { published, training, participant, context, via: 'token', answered, ...(answers ? { answers } : {}), ...(acked ? { acked } : {}) };
}

// ---------------------------------------------------------------------------------------------
// 3. Verify

/** Verdicts that make a message unacceptable whoever sent it. */
export function checkVerdicts(v: Verdicts | undefined): Rejection | undefined {
  if (!v) return undefined;
  if (v.virus === 'FAIL') return { reason: 'virus', detail: 'the virus scan found something' };
  if (v.spam === 'FAIL') return { reason: 'spam', detail: 'the spam check failed' };
  if (v.dmarc === 'FAIL') return { reason: 'auth-failed', detail: `DMARC failed (the sending domain's policy: ${v.dmarcPolicy ?? 'unknown'})` };
  if (v.spf === 'FAIL' && v.dkim === 'FAIL') return { reason: 'auth-failed', detail: 'both SPF and DKIM failed' };
  return undefined;
}

/** Domains named by d= in the message's DKIM-Signature headers. */
export function dkimDomains(raw: Uint8Array): string[] {
  const head = Buffer.from(raw.buffer, raw.byteOffset, Math.min(raw.byteLength, 256 * 1024)).toString('latin1').split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const out: string[] = [];
  for (const m of unfolded.matchAll(/^dkim-signature:(.*)$/gim)) {
    const d = /(?:^|;)\s*d\s*=\s*([^;\s]+)/i.exec(m[1]!)?.[1];
    if (d) out.push(d.toLowerCase());
  }
  return out;
}

/**
 * DMARC's relaxed alignment, without the public-suffix list: the same domain, or one a subdomain
 * of the other. Stricter than DMARC for siblings (a.example.com, b.example.com), never looser in
 * a way that helps a forger: a pass for a domain proves control of that domain, and a parent can
 * only be signed for by its owner.
 */
export function aligned(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/\.$/, '');
  const y = b.toLowerCase().replace(/\.$/, '');
  return x === y || x.endsWith(`.${y}`) || y.endsWith(`.${x}`);
}

/**
 * Whether a DKIM signature aligned with `domain` verified. Locally mailauth names the d= that
 * passed. SES's dkimVerdict does not: PASS says some signature verified, not whose. So on AWS it
 * counts only when every DKIM-Signature in the message is aligned with `domain`: then the one
 * that passed must be. A forger adding a signature of their own domain next to a broken one for
 * the victim's proves nothing.
 */
export function dkimVerifiedFor(domain: string, verdicts: Verdicts | undefined, raw: Uint8Array): boolean {
  if (!verdicts) return false;
  if (verdicts.dkimPassDomains) return verdicts.dkimPassDomains.some((d) => aligned(d, domain));
  if (verdicts.dkim !== 'PASS') return false;
  const signers = dkimDomains(raw);
  return signers.length > 0 && signers.every((d) => aligned(d, domain));
}

/**
 * The From domain must be authenticated. A DMARC PASS means SPF or DKIM passed aligned with it.
 * A DMARC FAIL never gets here (checkVerdicts). Otherwise (GRAY: the domain publishes no DMARC;
 * PROCESSING_FAILED: it could not be read) DMARC says nothing, so Baton asks for what DMARC
 * would: SPF PASS for an envelope MAIL FROM aligned with the From (SES: mail.source), or a
 * verified DKIM signature aligned with it. Without verdicts (locally, authentication off) there
 * is nothing to check, and the local banner says so.
 */
export function checkAuthenticated(verdicts: Verdicts | undefined, from: string, envelopeFrom: string | null | undefined, raw: Uint8Array): Rejection | undefined {
  if (!verdicts) return undefined;
  if (verdicts.dmarc === 'PASS') return undefined;
  const fromDomain = domainOf(from);
  if (verdicts.spf === 'PASS' && envelopeFrom && aligned(domainOf(envelopeFrom), fromDomain)) return undefined;
  if (dkimVerifiedFor(fromDomain, verdicts, raw)) return undefined;
  return {
    reason: 'unauthenticated',
    detail: `${fromDomain} has no DMARC verdict (${verdicts.dmarc ?? 'none'}) and neither SPF (${verdicts.spf ?? 'none'}, MAIL FROM ${envelopeFrom || '<>'}) nor DKIM (${verdicts.dkim ?? 'none'}) passed aligned with it`,
  };
}

/**
 * The sender must be the participant. Another address is accepted only when it is of the
 * participant's own domain and the DKIM signature that verified is of that domain (a colleague's
 * alias, a shared mailbox); without verdicts (locally, by default) the From must match exactly.
 */
export function checkSender(parsed: ParsedInbound, participantEmail: string, verdicts: Verdicts | undefined, raw: Uint8Array): Rejection | undefined {
  const from = parsed.from?.address;
  if (!from) return { reason: 'malformed', detail: 'the message has no From address' };
  if (from === participantEmail) return undefined;
  const domain = domainOf(participantEmail);
  if (domainOf(from) === domain && dkimVerifiedFor(domain, verdicts, raw)) return undefined;
  return { reason: 'spoofed-sender', detail: `the reply address belongs to ${participantEmail}, but the mail is from ${from}` };
}

/** Rejections that a real person may have caused by answering the wrong way. */
const BOUNCE_BACK_REASONS: ReadonlySet<RejectReason> = new Set(['no-token', 'expired-token', 'spoofed-sender']);

/**
 * Who may get a bounce-back for a rejection, or undefined. Never the null sender, an auto-reply
 * or anything bulk (they do not read it, and answering them can loop); never a From that
 * authentication could not vouch for when it was checked (a bounce to a forged From is
 * backscatter at an innocent third party); never our own addresses.
 */
export function bounceBackTo(
  rejection: Rejection,
  parsed: ParsedInbound,
  message: Pick<InboundMessage, 'envelope' | 'verdicts' | 'raw'>,
  settings: Pick<MailSettings, 'domain' | 'inboundDomain'>,
): string | undefined {
  if (!BOUNCE_BACK_REASONS.has(rejection.reason)) return undefined;
  const from = parsed.from?.address;
  if (!from || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(from)) return undefined;
  if (!message.envelope.from) return undefined;
  const h = parsed.headers;
  if (h.has('list-id') || h.has('list-unsubscribe') || /^(?:bulk|list|junk)$/i.test(h.get('precedence')?.trim() ?? '')) return undefined;
  if ((h.get('auto-submitted') ?? 'no').trim().toLowerCase() !== 'no') return undefined;
  const domain = domainOf(from);
  // Mail loops: never answer our own domains (or their subdomains).
  if ([settings.domain, settings.inboundDomain].some((ours) => domain === ours.toLowerCase() || domain.endsWith(`.${ours.toLowerCase()}`))) return undefined;
  const v = message.verdicts;
  if (v && ((v.spf === 'FAIL' && v.dmarc !== 'PASS') || checkAuthenticated(v, from, message.envelope.from, message.raw))) return undefined;
  return from;
}

// ---------------------------------------------------------------------------------------------
// 5–7. Trim, classify, decide what to keep

const ALLOWED_TYPES = [
  /^image\//,
  /^video\//,
  /^audio\//,
  /^application\/pdf$/,
  /^text\/(?:plain|csv|markdown|x-markdown)$/,
  /^application\/(?:msword|rtf|vnd\.ms-(?:excel|powerpoint)|vnd\.openxmlformats-officedocument\.[a-z.]+|vnd\.oasis\.opendocument\.[a-z.]+|vnd\.apple\.(?:keynote|pages|numbers))$/,
];
// Parts that come with mail but are nobody's contribution: Outlook's TNEF leftovers, calendar
// answers, signatures, delivery reports, forwarded originals.
const IGNORED_TYPES = /^(?:application\/(?:ms-tnef|vnd\.ms-tnef|pgp-signature|pkcs7-signature|x-pkcs7-signature|ics)|text\/calendar|message\/)/;
/** Inline images smaller than this are logos and signature images. */
const SIGNATURE_IMAGE_BYTES = 20 * 1024;

export interface FilePlan {
  keep: ParsedAttachment[];
  skipped: SkippedFile[];
}

export function planAttachments(attachments: readonly ParsedAttachment[], limits: AttachmentLimits): FilePlan {
  const keep: ParsedAttachment[] = [];
  const skipped: SkippedFile[] = [];
  let total = 0;
  attachments.forEach((a, i) => {
    if (IGNORED_TYPES.test(a.contentType) || /^winmail\.dat$/i.test(a.filename)) return;
    if (a.inline && a.contentType.startsWith('image/') && a.size < SIGNATURE_IMAGE_BYTES) return;
    const filename = safeFilename(a.filename, `attachment-${i + 1}`);
    if (!ALLOWED_TYPES.some((re) => re.test(a.contentType))) {
      skipped.push({ filename, size: a.size, reason: 'type' });
      return;
    }
    if (a.size > limits.maxFileBytes || total + a.size > limits.maxTotalBytes) {
      skipped.push({ filename, size: a.size, reason: 'too-large' });
      return;
    }
    total += a.size;
    keep.push({ ...a, filename });
  });
  return { keep, skipped };
}

export interface Analysis {
  parsed: ParsedInbound;
  route: Route;
  trimmed: Trimmed;
  /** Which part was read: the text/plain part, the HTML, or none. */
  source: 'text' | 'html' | 'none';
  /** The reading as a whole: parsed or unclear, and whether it corrects an acknowledged record. */
  reading: Reading;
  /** The contributions to record: none when the reading is unclear. */
  classified: Classified[];
  files: FilePlan;
}

/** The plain text of the email being answered, when it is one we can rebuild. */
export async function sentTexts(route: Route, settings: MailSettings, store: Pick<RouteStore, 'getTemplate'>): Promise<string[]> {
  const kind = route.answers ?? route.answered ?? (route.context.kind === 'training' ? 'training' : route.context.kind === 'kickoff' ? 'kickoff' : undefined);
  if (!kind) return [];
  const { series, trainings } = route.published;
  const load = async (name: string): Promise<CompiledEmail | undefined> => {
    const raw = await store.getTemplate(series.id, name);
    return raw ? (JSON.parse(raw) as CompiledEmail) : undefined;
  };
  const exact = async (which: 'training' | 'kickoff'): Promise<string[]> => {
    const template = await load(which === 'kickoff' ? TEMPLATE.kickoff : TEMPLATE.training(route.training.slug));
    return template ? [sentTextFor({ series, training: route.training, trainings, template, kind: which, settings, participant: route.participant })] : [];
  };
  const fixed = async (name: string): Promise<string[]> => {
    const template = await load(name);
    return template ? [sentTextLike({ series, training: route.training, trainings, template, settings, participant: route.participant, ...(isReplyAnswers(kind) ? { answers: kind } : {}) })] : [];
  };
  // The exact text where the reply's address says all it depends on (training, kickoff); the
  // template's fixed lines for the others, with the training they are about (a reminder or a
  // check-in often sits in the same thread, under it).
  const slug = route.training.slug;
  const byKind: Record<AnsweredKind, () => Promise<string[]>[]> = {
    training: () => [exact('training')],
    kickoff: () => [exact('kickoff')],
    reminder: () => [fixed(TEMPLATE.reminder(slug)), exact('training')],
    'check-in': () => [fixed(TEMPLATE.followUp(slug)), exact('training')],
    rollup: () => [fixed(TEMPLATE.rollup)],
    contribution: () => [fixed(TEMPLATE.rollup)],
    'wrap-up': () => [fixed(TEMPLATE.wrapUp)],
    ack: () => [fixed(TEMPLATE.ack)],
    'upload-link': () => [exact('training')],
  };
  try {
    return (await Promise.all(byKind[kind]())).flat();
  } catch {
    // A template that cannot be rebuilt only costs the trimmer one hint; the marker remains.
    return [];
  }
}

export function trimParsed(parsed: ParsedInbound, sent: string[]): { trimmed: Trimmed; source: Analysis['source'] } {
  const opts = { sentTexts: sent, marker: REPLY_MARKER };
  if (parsed.text !== undefined) return { trimmed: trimReply(parsed.text, opts), source: 'text' };
  if (parsed.html !== undefined) return { trimmed: trimHtmlReply(parsed.html, opts), source: 'html' };
  return { trimmed: { reply: '', signature: '', quoted: '', method: 'none' }, source: 'none' };
}

/** `log` hears what the classifier swallowed (a reply it could not read is given the default intent). */
export function analyzeRouted(parsed: ParsedInbound, route: Route, sent: string[], limits: AttachmentLimits, log?: InboundDeps['log']): Analysis {
  const { trimmed, source } = trimParsed(parsed, sent);
  const files = planAttachments(parsed.attachments, limits);
  const attachments: AttachmentInfo[] = [
    ...files.keep.map((a) => ({ filename: a.filename, contentType: a.contentType, size: a.size })),
    ...files.skipped.map((a) => ({ filename: a.filename, contentType: 'application/octet-stream', size: a.size })),
  ];
  // Logged without the reply's text, which is personal data; the raw message stays under its rawRef.
  const swallowed = (error: unknown) =>
    log?.({
      level: 'ERROR',
      message: 'reading the reply failed; it is kept as unclear',
      messageId: parsed.messageId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
    });
  const reading = readReply({
    subject: parsed.subject,
    text: sanitizeText(trimmed.reply),
    strategies: route.training.strategies,
    context: route.context,
    attachments,
    ...(route.answers ? { answered: route.answers } : {}),
    ...(route.teammates ? { teammates: route.teammates } : {}),
    // Whom a reply may be addressed to: the series' trainers and this training's author.
    trainers: [...route.published.series.trainers.map((t) => t.name), route.training.author],
  }, swallowed);
  return { parsed, route, trimmed, source, reading, classified: reading.intents, files };
}

/** Response ids are a function of the Message-ID and the intent's position: a redelivery cannot mint new ones. */
export function responseIdFor(messageId: string, index: number): string {
  return `m${hashId(`response:${messageId}`, 20)}-${index}`;
}

/** Where an attachment is kept: per series, training and message, so a redelivery overwrites itself. */
export function attachmentKey(seriesId: string, trainingSlug: string, messageId: string, index: number, filename: string): string {
  return `${seriesId}/${trainingSlug}/${hashId(`attachment:${messageId}`, 20)}/${index + 1}-${filename}`;
}

const CONTRIBUTIONS: ReadonlySet<Intent> = new Set(['strategy', 'adopt', 'comment', 'feedback', 'follow-up']);

export function buildResponses(a: Analysis, refs: AttachmentRef[], receivedAt: Date, rawRef: string | undefined): Response[] {
  const { route, parsed } = a;
  // Files belong with the contribution they illustrate: a shared strategy first, else the first one.
  const home = Math.max(0, a.classified.findIndex((c) => c.intent === 'strategy'));
  return a.classified.map((c, i) => {
    const r: Response = {
      id: responseIdFor(parsed.messageId, i),
      seriesId: route.published.series.id,
      trainingSlug: route.training.slug,
      participantEmail: route.participant.email,
      intent: c.intent,
      text: sanitizeText(c.text),
      links: c.links.filter((l) => /^https?:\/\//i.test(l)),
      attachments: i === home ? refs : [],
      source: parsed.messageId,
      receivedAt: receivedAt.toISOString(),
    };
    if (c.strategyId) r.strategyId = c.strategyId;
    if (c.rating !== undefined) r.rating = c.rating;
    if (c.targetResponseId) r.targetResponseId = c.targetResponseId;
    else if (c.intent === 'comment' && route.context.kind === 'submission') r.targetResponseId = route.context.responseId;
    if (rawRef) r.rawMessage = rawRef;
    return r;
  });
}

/** "your adoption of #2 Write a shared agenda and a strategy of your own", in `language`. */
export function understoodAs(responses: readonly Response[], training: Training, language: Language = 'en'): string {
  const phrases = responses
    .filter((r) => CONTRIBUTIONS.has(r.intent))
    .map((r) => {
      const named = strategyNamed(language, training, r.strategyId);
      switch (r.intent) {
        case 'adopt':
          return t(language, 'understood.adopt', { named });
        case 'strategy':
          return r.attachments.length ? t(language, 'understood.strategyFiles', { count: r.attachments.length }) : t(language, 'understood.strategy');
        case 'comment':
          return t(language, r.targetResponseId ? 'understood.commentTeammate' : 'understood.commentTraining');
        case 'feedback':
          return t(language, 'understood.feedback');
        default:
          return r.rating ? t(language, 'understood.followUpRated', { named, rating: r.rating }) : t(language, 'understood.followUp', { named });
      }
    });
  const unique = [...new Set(phrases)];
  return unique.length === 0 ? t(language, 'understood.reply') : listOf(language, unique);
}

function excerpt(text: string, max = 280): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

// ---------------------------------------------------------------------------------------------
// The pipeline

/** A rejection someone may be told about: bounceBackTo allowed it, the rate limit is still to pass. */
export interface BounceBack {
  to: string;
  reason: RejectReason;
  subject: string;
  inReplyTo: string;
}

type Refused = Exclude<InboundOutcome, { status: 'stored' | 'duplicate' | 'rate-limited' }> & { bounceBack?: BounceBack };

/** Parse, route and verify: everything up to deciding that the message is a reply we should read. */
export async function admit(message: InboundMessage, config: InboundConfig, store: RouteStore): Promise<{ parsed: ParsedInbound; route: Route } | Refused> {
  const limit = config.maxMessageBytes ?? 40 * 1024 * 1024;
  if (message.raw.byteLength > limit) return { status: 'too-large', size: message.raw.byteLength, limit };
  const verdictProblem = checkVerdicts(message.verdicts);
  if (verdictProblem) return { status: 'rejected', ...verdictProblem };
  let parsed: ParsedInbound;
  try {
    parsed = await parseInbound(message.raw);
  } catch (err) {
    return { status: 'rejected', reason: 'malformed', detail: `mailparser could not read it: ${err instanceof Error ? err.message : String(err)}` };
  }
  const messageId = parsed.messageId;
  const recipients = message.envelope.to.map((r) => r.toLowerCase());
  const rsvp = `rsvp@${config.settings.inboundDomain.toLowerCase()}`;
  if (parsed.calendarReply || recipients.some((r) => r.replace(/^.*<|>.*$/g, '').trim() === rsvp)) return { status: 'rsvp', messageId };

  const auto = detectAutoReply({
    headers: parsed.headers,
    subject: parsed.subject,
    text: parsed.text ?? parsed.html ?? '',
    ...(message.envelope.from !== undefined ? { envelopeFrom: message.envelope.from } : {}),
    ...(parsed.from ? { from: parsed.from.address } : {}),
  });
  if (auto?.kind === 'bounce') return { status: 'bounce', reason: auto.reason, messageId };

  const refuse = (rejection: Rejection): Refused => {
    const to = bounceBackTo(rejection, parsed, message, config.settings);
    return { status: 'rejected', ...rejection, messageId, ...(to ? { bounceBack: { to, reason: rejection.reason, subject: parsed.subject, inReplyTo: messageId } } : {}) };
  };
  const routed = await routeMessage(parsed, recipients, config.settings, store, message.receivedAt);
  if ('reason' in routed) {
    // An auto-reply to an address we cannot read is still just an auto-reply.
    if (auto) return { status: 'auto-reply', reason: auto.reason, outOfOffice: false, messageId };
    return refuse(routed);
  }
  if (!parsed.from) return { status: 'rejected', reason: 'malformed', detail: 'no From address', messageId };
  const sender =
    checkAuthenticated(message.verdicts, parsed.from.address, message.envelope.from, message.raw) ??
    checkSender(parsed, routed.participant.email, message.verdicts, message.raw);
  if (auto) {
    // Only the participant's own (authenticated) out-of-office may pause their reminders.
    return { status: 'auto-reply', reason: auto.reason, outOfOffice: auto.outOfOffice && !sender, messageId };
  }
  if (sender) return refuse(sender);
  return { parsed, route: routed };
}

/** The whole pipeline for one received message. Never throws for anything the sender controls. */
export async function processInbound(message: InboundMessage, config: InboundConfig, deps: InboundDeps): Promise<InboundOutcome> {
  const outcome = await run(message, config, deps);
  deps.log?.({ level: outcome.status === 'rejected' ? 'WARN' : 'INFO', message: 'inbound', ...summarize(outcome), rawRef: message.rawRef });
  return outcome;
}

function summarize(o: InboundOutcome): Record<string, unknown> {
  if (o.status !== 'stored') return { ...o };
  return {
    status: o.status,
    messageId: o.messageId,
    seriesId: o.seriesId,
    trainingSlug: o.trainingSlug,
    participantEmail: o.participantEmail,
    responses: o.responses.map((r) => ({ id: r.id, intent: r.intent, strategyId: r.strategyId, rating: r.rating, attachments: r.attachments.length })),
    skippedFiles: o.skippedFiles,
    acknowledged: o.acknowledged,
  };
}

/** The UTC day, which is what the daily caps and the bounce-back limit count in. */
const dayOf = (at: Date) => at.toISOString().slice(0, 10);

async function run(message: InboundMessage, config: InboundConfig, deps: InboundDeps): Promise<InboundOutcome> {
  const { store } = deps;
  const admitted = await admit(message, config, store);
  if (!('route' in admitted)) {
    if (admitted.status === 'auto-reply' && admitted.outOfOffice) return pauseReminders(admitted, message, config, store);
    const { bounceBack, ...outcome } = admitted;
    if (bounceBack && outcome.status === 'rejected' && (await sendBounceBack(bounceBack, message, config, deps))) return { ...outcome, bouncedTo: bounceBack.to };
    return outcome;
  }
  const { parsed, route } = admitted;
  const seriesId = route.published.series.id;
  const limits = { ...DEFAULT_LIMITS, ...config.limits };
  const caps = { ...DEFAULT_DAILY_CAPS, ...config.dailyCaps };
  const read = analyzeRouted(parsed, route, await sentTexts(route, config.settings, store), limits, deps.log);
  // "preferences" or "resume" alone is a request about what Baton sends: nothing to record or tag.
  const settings = settingsRequest(read.trimmed.reply);
  const analysis: Analysis = settings ? { ...read, classified: [], reading: { ...read.reading, status: 'parsed', intents: [] } } : read;

  // The cap counts message ids, so a redelivery of a message already counted passes again.
  const day = dayOf(message.receivedAt);
  const counter = `${seriesId}#${route.training.slug}#${route.participant.email}#${day}`;
  if (analysis.classified.some((c) => CONTRIBUTIONS.has(c.intent))) {
    const within = await store.takeQuota(`contributions#${counter}`, parsed.messageId, { limit: caps.contributions, at: message.receivedAt, ttlDays: 2 });
    if (!within) {
      // Leaving a series must work however much someone wrote today.
      if (analysis.classified.some((c) => c.intent === 'unsubscribe')) await store.setUnsubscribed(seriesId, route.participant.email, message.receivedAt);
      return { status: 'rate-limited', messageId: parsed.messageId, seriesId, trainingSlug: route.training.slug, participantEmail: route.participant.email, limit: caps.contributions };
    }
  }

  const refs: AttachmentRef[] = [];
  for (const [i, a] of analysis.files.keep.entries()) {
    const key = attachmentKey(seriesId, route.training.slug, parsed.messageId, i, a.filename);
    refs.push({ key: await deps.mailStore.putAttachment(key, a.content, a.contentType), filename: a.filename, contentType: a.contentType, size: a.size });
  }
  // "Stop the reminders" is a setting, not a contribution: it changes the preference and records nothing.
  const stopped = [...new Set(analysis.classified.flatMap((c) => (c.preference ? [PREFERENCE_FLAG[c.preference]] : [])))];
  // Someone who left and asks back in makes a request for the trainer, not feedback on the training.
  const status = route.participant as Partial<StoredParticipant>;
  const asksBack = Boolean(status.unsubscribedAt) && isRejoinRequest(analysis.trimmed.reply);
  const recordable: Analysis = { ...analysis, classified: analysis.classified.filter((c) => !c.preference && !(asksBack && c.intent === 'feedback')) };
  const responses = buildResponses(recordable, refs, message.receivedAt, message.rawRef);
  const participantEmail = route.participant.email;
  const unsubscribing = responses.some((r) => r.intent === 'unsubscribe');
  const doubts: NeedsLook[] = [];
  const needsLook = (kind: NeedsLook['kind'], suffix: string, extra: Partial<NeedsLook> = {}): NeedsLook => ({
    id: `${responseIdFor(parsed.messageId, 0).replace(/-0$/, '')}-${suffix}`,
    seriesId,
    trainingSlug: route.training.slug,
    participantEmail,
    kind,
    text: sanitizeText(analysis.trimmed.reply),
    answers: analysis.reading.answers,
    ...(route.context.kind === 'check-in' ? { strategyId: route.context.strategyId } : {}),
    ...(route.context.kind === 'submission' ? { targetResponseId: route.context.responseId } : route.acked ? { targetResponseId: route.acked.id } : {}),
    source: parsed.messageId,
    ...(message.rawRef ? { rawMessage: message.rawRef } : {}),
    receivedAt: message.receivedAt.toISOString(),
    ...extra,
  });
  // Unclear is an outcome: nothing is recorded as a contribution (comment is never the fallback);
  // the reply waits for the trainer's tag, and the participant is asked in the ack.
  const rejoin = asksBack && !unsubscribing;
  if (analysis.reading.status === 'unclear' && !rejoin) doubts.push(needsLook('unclear', 'u', analysis.reading.reason ? { reason: analysis.reading.reason } : {}));
  if (rejoin) doubts.push(needsLook('rejoin', 'j'));
  // A question about the series reaches the trainer as well as being kept as feedback.
  if (responses.some((r) => r.intent === 'feedback' && /[?？؟]/u.test(r.text))) doubts.push(needsLook('request', 'q'));
  for (const d of doubts) await store.putNeedsLook(d);

  // A reply to an acknowledgement corrects what it acknowledged: the new reading replaces the old
  // records (withdrawn, pointing at their replacement), so roll-ups and digests show only the new one.
  const contributions = responses.filter((r) => CONTRIBUTIONS.has(r.intent));
  const replaced: Response[] = [];
  if (analysis.reading.correction && route.acked && contributions.length) {
    const acked = route.acked;
    const siblings = await store.listResponses(seriesId, { trainingSlug: acked.trainingSlug });
    replaced.push(...siblings.filter((r) => r.source === acked.source && r.participantEmail === participantEmail && CONTRIBUTIONS.has(r.intent)));
  }
  let newlyStored = 0;
  for (const r of responses) if ((await store.putResponse(r)).stored) newlyStored++;
  for (const old of replaced) await store.withdrawResponse(old, { at: message.receivedAt, replacedBy: contributions[0]!.id });
  // An answer to the ack's question settles the reply it asked about.
  if (analysis.reading.answers === 'ack' && !route.acked && contributions.length) {
    const open = await store.listNeedsLook(seriesId, { open: true });
    for (const d of open.filter((x) => x.kind === 'unclear' && x.participantEmail === participantEmail && x.trainingSlug === route.training.slug)) {
      await store.resolveNeedsLook(seriesId, d.id, { at: message.receivedAt, resolution: 'answered by reply', responseId: contributions[0]!.id });
    }
  }
  for (const flag of stopped) await store.setPreference(seriesId, participantEmail, flag, false);
  if (settings === 'resume' && (status.remindersRestedAt || status.pausedUntil)) {
    await store.setParticipantStatus(seriesId, participantEmail, { remindersRestedAt: null, pausedUntil: null });
  }
  if (unsubscribing) await store.setUnsubscribed(seriesId, participantEmail, message.receivedAt);
  const first = await store.recordInboundMessage(parsed.messageId, { seriesId, at: message.receivedAt, ttlDays: config.inboundTtlDays ?? 30 });

  // Answers go through the ledger, so they are sent once even when this runs again.
  const unclear = doubts.find((d) => d.kind === 'unclear');
  const acknowledged = await answer(analysis, responses, message, config, deps, counter, caps, {
    stopped,
    corrected: replaced.length > 0,
    ...(unclear ? { unclear } : {}),
    rejoin,
    ...(settings ? { settings } : {}),
  });
  const decided = responses.length > 0 || stopped.length > 0 || settings !== undefined;
  if (!decided && doubts.length) {
    return {
      status: 'needs-look',
      messageId: parsed.messageId,
      seriesId,
      trainingSlug: route.training.slug,
      participantEmail,
      kind: doubts[0]!.kind,
      ...(analysis.reading.reason ? { reason: analysis.reading.reason } : {}),
      acknowledged,
    };
  }
  if (newlyStored === 0 && (responses.length > 0 || !first)) return { status: 'duplicate', messageId: parsed.messageId, seriesId, participantEmail, recovered: first };
  return {
    status: 'stored',
    messageId: parsed.messageId,
    seriesId,
    trainingSlug: route.training.slug,
    participantEmail,
    responses,
    skippedFiles: analysis.files.skipped,
    acknowledged,
  };
}

/** The reading's names for the parts of a series, and the preference flags they set. */
const PREFERENCE_FLAG: Record<Preference, PreferenceFlag> = { reminders: 'reminders', rollups: 'rollups', 'check-ins': 'checkIns', calendar: 'calendar' };

/** What the ack says besides the records: the question, the preferences turned off, a correction, a rejoin. */
interface AckExtras {
  unclear?: NeedsLook;
  stopped: PreferenceFlag[];
  corrected: boolean;
  rejoin: boolean;
  settings?: SettingsRequest;
}

async function pauseReminders(
  outcome: Extract<InboundOutcome, { status: 'auto-reply' }>,
  message: InboundMessage,
  config: InboundConfig,
  store: InboundStore,
): Promise<InboundOutcome> {
  // admit() only reports an out-of-office once the sender is verified as the routed participant.
  const parsed = await parseInbound(message.raw);
  const route = await routeMessage(parsed, message.envelope.to.map((r) => r.toLowerCase()), config.settings, store, message.receivedAt);
  if ('reason' in route) return outcome;
  const { participant } = route;
  const tz = participant.timeZone;
  const today = message.receivedAt.toISOString().slice(0, 10);
  const back = readReturnDate(`${parsed.subject}\n${parsed.text ?? ''}`, today) ?? addDays(today, 7);
  const until = zonedTimeToUtc(back, participant.workStart, tz);
  await store.setOutOfOffice(route.published.series.id, participant.email, until);
  return { ...outcome, outOfOfficeUntil: until.toISOString() };
}

async function answer(
  a: Analysis,
  responses: Response[],
  message: InboundMessage,
  config: InboundConfig,
  deps: InboundDeps,
  counter: string,
  caps: DailyCaps,
  extras: AckExtras,
): Promise<boolean> {
  const { route, parsed } = a;
  const { series, trainings } = route.published;
  const participant = route.participant;
  const hash = hashId(parsed.messageId, 12);
  const status = participant as Partial<StoredParticipant>;
  const skip: Outgoing['skip'] = blockReason(status);
  const outgoing: Outgoing[] = [];
  const contributions = responses.filter((r) => CONTRIBUTIONS.has(r.intent));
  const unsubscribing = responses.some((r) => r.intent === 'unsubscribe');
  const ackWithinCap = async () => {
    const within = await deps.store.takeQuota(`acks#${counter}`, parsed.messageId, { limit: caps.acks, at: message.receivedAt, ttlDays: 2 });
    if (!within) deps.log?.({ level: 'WARN', message: 'inbound ack not sent: daily cap reached', participantEmail: participant.email, cap: caps.acks, messageId: parsed.messageId });
    return within;
  };
  const worthAnAck = contributions.length > 0 || extras.unclear !== undefined || extras.stopped.length > 0 || extras.rejoin || extras.settings !== undefined;
  if (!unsubscribing && worthAnAck && (series.policies.acknowledgeContributions || extras.rejoin || extras.settings) && (await ackWithinCap())) {
    const sign = linkSigner(series, trainings, config.settings);
    // In their language when the series has the ack compiled in it, else in the series' own.
    const own = series.language ?? 'en';
    let language: Language = own;
    let raw: string | undefined;
    for (const name of templateNames(TEMPLATE.ack, languageOf(participant, series), own)) {
      raw = await deps.store.getTemplate(series.id, name);
      if (raw) {
        language = name === TEMPLATE.ack ? own : languageOf(participant, series);
        break;
      }
    }
    const understood = extras.rejoin
      ? t(language, 'understood.rejoin')
      : contributions.length
        ? understoodAs(contributions, route.training, language)
        : extras.unclear
          ? t(language, 'understood.unclear')
          : extras.settings === 'preferences'
            ? t(language, 'understood.preferences')
            : t(language, 'understood.change');
    const noText = t(language, 'ack.noText');
    const compose = prepareAckSend({
      series,
      training: route.training,
      trainings,
      template: raw ? (JSON.parse(raw) as CompiledEmail) : undefined,
      settings: config.settings,
      now: message.receivedAt,
      language,
    });
    outgoing.push({
      emailId: `ack#${route.training.slug}#${participant.email}#${hash}`,
      to: participant.email,
      // They left and asked back in: the answer with the resubscribe link is the one mail they get.
      skip: extras.rejoin && skip === 'unsubscribed' ? undefined : skip,
      build: () =>
        compose({
          participant,
          subject: parsed.subject,
          inReplyTo: parsed.messageId,
          understood,
          excerpt: excerpt(contributions.map((r) => r.text).join(' ')) || noText,
          hash,
          ...(contributions[0] ? { ackTarget: contributions[0].id } : {}),
          body: {
            recorded: contributions.map((r) => ({ response: r, words: excerpt(r.text) || noText })),
            corrected: extras.corrected,
            ...(extras.unclear ? { question: { record: extras.unclear, words: excerpt(extras.unclear.text) } } : {}),
            stopped: extras.stopped.map((flag) => ({
              flag,
              undo: sign({ action: 'preference', participantEmail: participant.email, choice: flag, number: 1 }),
            })),
            ...(extras.rejoin ? { resubscribe: sign({ action: 'resubscribe', participantEmail: participant.email }) } : {}),
            ...(extras.settings ? { settings: { preferences: sign({ action: 'preferences', participantEmail: participant.email }), resumed: extras.settings === 'resume' } } : {}),
          },
        }),
    });
  }
  if (!unsubscribing && a.files.skipped.length) {
    const limits = { ...DEFAULT_LIMITS, ...config.limits };
    outgoing.push({
      emailId: `upload-link#${route.training.slug}#${participant.email}#${hash}`,
      to: participant.email,
      skip,
      build: () =>
        composeUploadLink({
          series,
          training: route.training,
          trainings,
          settings: config.settings,
          now: message.receivedAt,
          participant,
          subject: parsed.subject,
          inReplyTo: parsed.messageId,
          hash,
          files: a.files.skipped,
          maxFileBytes: limits.maxFileBytes,
          ...(config.uploadUrl ? { uploadUrl: config.uploadUrl } : {}),
        }),
    });
  }
  if (!outgoing.length) return false;
  const report = await deliver(series.id, outgoing, {
    ledger: deps.store,
    send: deps.send,
    suppressedAmong: (emails) => deps.store.suppressedAmong(emails),
    ...screenOf(deps.store, series.id),
    now: () => message.receivedAt,
  });
  for (const f of report.failed) deps.log?.({ level: 'ERROR', message: 'inbound answer not sent', emailId: f.emailId, error: f.error });
  return report.sent.some((id) => id.startsWith('ack#')) || report.alreadySent.some((id) => id.startsWith('ack#'));
}

/** Bounce-backs share one ledger partition, whatever series (if any) the mail was meant for. */
export const BOUNCE_BACK_LEDGER = '_bounce-back';

/**
 * One bounce-back per address per UTC day: the delivery ledger's conditional claim on
 * `bounce-back#<address>#<day>` makes duplicates, retries and parallel deliveries send it once.
 */
async function sendBounceBack(b: BounceBack, message: InboundMessage, config: InboundConfig, deps: InboundDeps): Promise<boolean> {
  const day = dayOf(message.receivedAt);
  const report = await deliver(
    BOUNCE_BACK_LEDGER,
    [{ emailId: `bounce-back#${b.to}#${day}`, to: b.to, build: () => composeBounceBack({ ...b, settings: config.settings, now: message.receivedAt, day }) }],
    { ledger: deps.store, send: deps.send, suppressedAmong: (emails) => deps.store.suppressedAmong(emails), now: () => message.receivedAt },
  );
  for (const f of report.failed) deps.log?.({ level: 'ERROR', message: 'bounce-back not sent', emailId: f.emailId, error: f.error });
  return report.sent.length + report.alreadySent.length + report.inFlight.length > 0;
}

function isReplyAnswers(kind: string): kind is ReplyAnswers {
  return (REPLY_ANSWERS as readonly string[]).includes(kind);
}
