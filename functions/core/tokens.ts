// Signed tokens that let a reply or a click act for a participant without a login.
//
// Reply tokens live in the local part of the Reply-To address (`reply+<token>@<inbound-domain>`),
// which holds 64 characters at most and which some servers lowercase, so they are short base32
// of a fixed binary layout carrying short keys (see short-key.ts), not ids:
//
//   byte 0       version (high 4 bits) | target kind (low 4 bits: 0 none, 1 response, 2 check-in,
//                3 ack)
//   bytes 1-4    series key
//   byte 5       training order
//   bytes 6-10   participant key
//   bytes 11-12  expiry: whole days since 2020-01-01 UTC (versions 2 and 3; good until 2199)
//   byte 13      the email answered (version 3 only): 0 unsaid, else 1 + its index in REPLY_ANSWERS
//   next 5       target response key (only when a target is present)
//   last 12      HMAC-SHA256 over a domain label and the bytes above, truncated to 96 bits
//
// The longest token is 31 bytes, 50 characters; `reply+` makes 56, within 64. Version 3 carries
// which email was answered because the same words mean different things in answer to a roll-up,
// a check-in or an acknowledgement ("I meant #1" corrects a record only in answer to its ack).
//
// Version 1 tokens (sent before expiry existed) had no expiry bytes. They still verify, marked
// `legacy`, and the inbound pipeline gives them the expiry their series would give a new token
// (replyExpiry below: it knows the series once the token has named it). So a participant
// answering an old email inside the series' grace period is not turned away, and no old token
// stays valid for ever. A version 1 token cannot be minted any more: signReplyToken writes version 2.
//
// Link tokens sit in one-click URLs, may be longer and carry the ids themselves plus an expiry,
// as base64url of a binary layout with a 128-bit MAC. Both kinds verify against a list of secrets
// (the first signs) so a secret can be rotated without breaking mail already sent, and compare
// MACs in constant time. Reply and link MACs use different labels, so one can never pass as the other.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Series, Training } from './model.ts';
import { base32Decode, base32Encode, participantKey, responseKey, seriesKey } from './short-key.ts';

export type Secret = string | Uint8Array;
/** One secret, or several during a rotation: the first signs, any verifies. */
export type Secrets = Secret | readonly Secret[];

const REPLY_VERSION = 3;
const LEGACY_REPLY_VERSION = 1;
// Each version has its own label, so bytes of one layout can never verify as the other.
const REPLY_LABELS: Record<number, Buffer> = {
  1: Buffer.from('baton/reply/v1\0'),
  2: Buffer.from('baton/reply/v2\0'),
  3: Buffer.from('baton/reply/v3\0'),
};
const REPLY_MAC_BYTES = 12;
const SERIES_KEY_BYTES = 4;
const PARTICIPANT_KEY_BYTES = 5;
const RESPONSE_KEY_BYTES = 5;
const EXPIRY_BYTES = 2;
const KEYS_END = 1 + SERIES_KEY_BYTES + 1 + PARTICIPANT_KEY_BYTES;
const replyBodyBytes = (version: number) => KEYS_END + (version === LEGACY_REPLY_VERSION ? 0 : EXPIRY_BYTES) + (version >= 3 ? 1 : 0);
const DAY_MS = 86_400_000;
const EXPIRY_EPOCH_MS = Date.UTC(2020, 0, 1);

const TARGET_KINDS = ['response', 'check-in', 'ack'] as const;
export type ReplyTargetKind = (typeof TARGET_KINDS)[number];

/**
 * Every email a participant can answer, in the order their codes were given: append only, a
 * code once sent must keep its meaning. The same list as classify.ts's AnsweredKind.
 */
export const REPLY_ANSWERS = ['kickoff', 'training', 'reminder', 'rollup', 'contribution', 'ack', 'upload-link', 'check-in', 'wrap-up'] as const;
export type ReplyAnswers = (typeof REPLY_ANSWERS)[number];

export type ReplyTarget =
  /** A comment on a teammate's submission: `responseId` is that submission. */
  | { kind: 'response'; responseId: string }
  /** An answer to a follow-up check-in: `responseId` is the adoption being followed up. */
  | { kind: 'check-in'; responseId: string }
  /** An answer to an acknowledgement: `responseId` is the first record it acknowledged. */
  | { kind: 'ack'; responseId: string };

export interface ReplyTokenInput {
  seriesId: string;
  trainingOrder: number;
  participantEmail: string;
  target?: ReplyTarget;
  /** Which email this address answers. */
  answers?: ReplyAnswers;
  /**
   * From this instant on the token is expired. Kept to whole days (rounded up to the next UTC
   * midnight), which is what fits in two bytes; replyExpiry (below) chooses it.
   */
  expiresAt: Date;
}

export interface ReplyTokenClaims {
  seriesKey: string;
  trainingOrder: number;
  participantKey: string;
  /** `responseKey` is short-key.ts's `responseKey(seriesId, responseId)` of the target. */
  target?: { kind: ReplyTargetKind; responseKey: string };
  /** Which email was answered; absent on tokens from before version 3 and when unsaid. */
  answers?: ReplyAnswers;
  /** Absent on a legacy (version 1) token: the caller applies the series' expiry itself. */
  expiresAt?: Date;
  legacy?: true;
}

/** A genuine token past its expiry: the claims say whose it was, so they can be told what to do. */
export type ExpiredReplyToken = { error: 'expired'; claims: ReplyTokenClaims };

export type TokenError<E extends string> = { error: E };

export function secretList(secrets: Secrets): readonly Secret[] {
  const list = typeof secrets === 'string' || secrets instanceof Uint8Array ? [secrets] : secrets;
  if (list.length === 0) throw new Error('no token secret configured: pass at least one secret (the first one signs)');
  for (const s of list) {
    if (s.length < 16) throw new Error('a token secret is shorter than 16 bytes: generate at least 32 random bytes');
  }
  return list;
}

export function mac(secret: Secret, label: Buffer, body: Uint8Array, bytes: number): Buffer {
  return createHmac('sha256', secret).update(label).update(body).digest().subarray(0, bytes);
}

export function macMatchesAny(secrets: readonly Secret[], label: Buffer, body: Uint8Array, given: Uint8Array): boolean {
  let ok = false;
  // Every secret is tried, so timing does not reveal which one matched.
  for (const secret of secrets) {
    const expected = mac(secret, label, body, given.length);
    if (timingSafeEqual(expected, given)) ok = true;
  }
  return ok;
}

function keyBytes(key: string, bytes: number): Uint8Array {
  const decoded = base32Decode(key);
  if (!decoded || decoded.length !== bytes) throw new Error(`"${key}" is not a ${bytes}-byte short key`);
  return decoded;
}

/** The reply token for one participant's reply to one training (or to a target within it). */
export function signReplyToken(input: ReplyTokenInput, secrets: Secrets): string {
  const [secret] = secretList(secrets);
  const order = input.trainingOrder;
  if (!Number.isInteger(order) || order < 0 || order > 255) {
    throw new RangeError(`training order ${order} does not fit a reply token: it must be a whole number from 0 to 255`);
  }
  const kindIndex = input.target ? TARGET_KINDS.indexOf(input.target.kind) : -1;
  if (input.target && kindIndex < 0) throw new RangeError(`unknown reply target kind "${input.target.kind}"`);
  const kind = kindIndex + 1;
  const days = Math.ceil((input.expiresAt.getTime() - EXPIRY_EPOCH_MS) / DAY_MS);
  if (!Number.isFinite(days) || days < 0 || days > 0xffff) {
    throw new RangeError(`reply token expiry ${String(input.expiresAt)} does not fit a reply token: it must be a date from 2020 to 2199`);
  }
  const bodyBytes = replyBodyBytes(REPLY_VERSION);
  const body = new Uint8Array(bodyBytes + (kind ? RESPONSE_KEY_BYTES : 0));
  body[0] = (REPLY_VERSION << 4) | kind;
  body.set(keyBytes(seriesKey(input.seriesId), SERIES_KEY_BYTES), 1);
  body[1 + SERIES_KEY_BYTES] = order;
  body.set(keyBytes(participantKey(input.seriesId, input.participantEmail), PARTICIPANT_KEY_BYTES), 2 + SERIES_KEY_BYTES);
  body[KEYS_END] = days >> 8;
  body[KEYS_END + 1] = days & 0xff;
  body[KEYS_END + EXPIRY_BYTES] = input.answers ? REPLY_ANSWERS.indexOf(input.answers) + 1 : 0;
  if (input.answers && !REPLY_ANSWERS.includes(input.answers)) throw new RangeError(`unknown answered email kind "${input.answers}"`);
  if (input.target) body.set(keyBytes(responseKey(input.seriesId, input.target.responseId), RESPONSE_KEY_BYTES), bodyBytes);
  const signed = Buffer.concat([body, mac(secret!, REPLY_LABELS[REPLY_VERSION]!, body, REPLY_MAC_BYTES)]);
  return base32Encode(signed);
}

/**
 * A version 1 token, as mail sent before expiry existed carries it. Only for tests of how those
 * are still read; nothing sends new ones.
 */
export function signLegacyReplyToken(input: Omit<ReplyTokenInput, 'expiresAt' | 'answers'>, secrets: Secrets): string {
  const [secret] = secretList(secrets);
  const kind = input.target ? TARGET_KINDS.indexOf(input.target.kind) + 1 : 0;
  if (kind > 2) throw new RangeError('a version 1 token has no ack target');
  const body = new Uint8Array(KEYS_END + (kind ? RESPONSE_KEY_BYTES : 0));
  body[0] = (LEGACY_REPLY_VERSION << 4) | kind;
  body.set(keyBytes(seriesKey(input.seriesId), SERIES_KEY_BYTES), 1);
  body[1 + SERIES_KEY_BYTES] = input.trainingOrder;
  body.set(keyBytes(participantKey(input.seriesId, input.participantEmail), PARTICIPANT_KEY_BYTES), 2 + SERIES_KEY_BYTES);
  if (input.target) body.set(keyBytes(responseKey(input.seriesId, input.target.responseId), RESPONSE_KEY_BYTES), KEYS_END);
  return base32Encode(Buffer.concat([body, mac(secret!, REPLY_LABELS[LEGACY_REPLY_VERSION]!, body, REPLY_MAC_BYTES)]));
}

/**
 * Reads a reply token in either case. `malformed` when it is not one of ours at all (wrong
 * alphabet, length, version or layout), `bad-signature` when it is shaped right but was not
 * signed by any of `secrets` (tampered, or signed by a retired secret), `expired` (with the
 * claims) when it is genuine but `now` is at or past its expiry. The signature is checked before
 * the expiry, so only a genuine token can ever be reported as expired.
 */
export function verifyReplyToken(
  token: string,
  secrets: Secrets,
  now: Date,
): ReplyTokenClaims | TokenError<'malformed' | 'bad-signature'> | ExpiredReplyToken {
  const list = secretList(secrets);
  const lower = token.toLowerCase();
  const bytes = base32Decode(lower);
  // Only the canonical spelling is accepted: the spare bits of the last character must be zero.
  if (!bytes || base32Encode(bytes) !== lower) return { error: 'malformed' };
  const head = bytes[0];
  const version = head === undefined ? 0 : head >> 4;
  const label = REPLY_LABELS[version];
  if (head === undefined || !label) return { error: 'malformed' };
  const kind = head & 0x0f;
  // Version 3 added the ack target; older versions never carried it.
  if (kind > (version >= 3 ? TARGET_KINDS.length : 2)) return { error: 'malformed' };
  const keysAndExpiry = replyBodyBytes(version);
  const bodyLength = keysAndExpiry + (kind ? RESPONSE_KEY_BYTES : 0);
  if (bytes.length !== bodyLength + REPLY_MAC_BYTES) return { error: 'malformed' };
  const body = bytes.subarray(0, bodyLength);
  if (!macMatchesAny(list, label, body, bytes.subarray(bodyLength))) return { error: 'bad-signature' };
  const claims: ReplyTokenClaims = {
    seriesKey: base32Encode(body.subarray(1, 1 + SERIES_KEY_BYTES)),
    trainingOrder: body[1 + SERIES_KEY_BYTES]!,
    participantKey: base32Encode(body.subarray(2 + SERIES_KEY_BYTES, KEYS_END)),
  };
  if (kind) claims.target = { kind: TARGET_KINDS[kind - 1]!, responseKey: base32Encode(body.subarray(keysAndExpiry)) };
  if (version === LEGACY_REPLY_VERSION) {
    claims.legacy = true;
    return claims;
  }
  if (version >= 3) {
    const code = body[KEYS_END + EXPIRY_BYTES]!;
    if (code > REPLY_ANSWERS.length) return { error: 'malformed' };
    if (code) claims.answers = REPLY_ANSWERS[code - 1]!;
  }
  claims.expiresAt = new Date(EXPIRY_EPOCH_MS + ((body[KEYS_END]! << 8) | body[KEYS_END + 1]!) * DAY_MS);
  if (now.getTime() >= claims.expiresAt.getTime()) return { error: 'expired', claims };
  return claims;
}

/** `reply+<token>@<inbound-domain>`. */
export function replyAddress(token: string, inboundDomain: string): string {
  return `reply+${token}@${inboundDomain}`;
}

/**
 * The token in a reply address (`reply+<token>@domain`, any case, optionally in angle brackets
 * or with a display name), or undefined when the address is not a reply address of `inboundDomain`.
 */
export function tokenFromAddress(address: string, inboundDomain: string): string | undefined {
  const m = /(?:^|[<\s"])reply\+([a-z2-7]+)@([^>\s"]+)/i.exec(address.trim());
  if (!m || m[2]!.toLowerCase() !== inboundDomain.toLowerCase()) return undefined;
  return m[1]!.toLowerCase();
}

// ---------------------------------------------------------------------------------------------
// Link tokens

// Version 2 added the actions that make a doubt fixable (tag, correct, withdraw, preference,
// resubscribe) and two fields for them: `choice` (an intent, or a preference) and `number` (a
// strategy number, or 0/1 for a preference off/on). Version 1 links, already in people's mail,
// still verify: their layout is version 2's without those fields.
const LINK_VERSION = 2;
const LINK_LABEL = Buffer.from('baton/link/v1\0');
const LINK_MAC_BYTES = 16;
// A token stores its action's index: new actions go at the end so issued links keep their meaning.
const LINK_ACTIONS = ['read', 'kudos', 'rating', 'unsubscribe', 'tag', 'correct', 'withdraw', 'preference', 'resubscribe', 'calendars-off', 'preferences'] as const;
export type LinkAction = (typeof LINK_ACTIONS)[number];
/** What a tag or a correction may make of a reply; `nothing` only tags (it records nothing). */
export const LINK_CHOICES = ['strategy', 'adopt', 'comment', 'feedback', 'nothing'] as const;
export type LinkChoice = (typeof LINK_CHOICES)[number];

export interface LinkTokenPayload {
  action: LinkAction;
  seriesId: string;
  trainingSlug?: string;
  participantEmail: string;
  /**
   * kudos: the teammate's submission; rating: the adoption the check-in asks about; correct and
   * withdraw: the participant's own record; tag: the needs-a-look record's id.
   */
  responseId?: string;
  /** rating: 1–5. */
  rating?: number;
  /** tag, correct: a LinkChoice; preference: a PreferenceFlag. */
  choice?: string;
  /** tag and correct as `adopt`: the strategy number; preference: 1 on, 0 off. */
  number?: number;
  /** After this instant the link shows "expired" and changes nothing (whole seconds). */
  expiresAt: Date;
}

function writeString(parts: Buffer[], value: string | undefined, field: string): void {
  const bytes = Buffer.from(value ?? '', 'utf8');
  if (bytes.length > 255) throw new RangeError(`${field} is ${bytes.length} bytes long; a link token holds at most 255`);
  parts.push(Buffer.of(bytes.length), bytes);
}

function checkLinkPayload(p: LinkTokenPayload): void {
  if (!LINK_ACTIONS.includes(p.action)) throw new RangeError(`unknown link action "${p.action}"`);
  if (p.action === 'rating') {
    if (p.rating === undefined || !Number.isInteger(p.rating) || p.rating < 1 || p.rating > 5) {
      throw new RangeError(`a rating link needs a rating from 1 to 5, got ${p.rating}`);
    }
  } else if (p.rating !== undefined) {
    throw new RangeError(`only rating links carry a rating, not ${p.action} links`);
  }
  if (p.action === 'kudos' && !p.responseId) throw new RangeError('a kudos link needs the responseId of the submission');
  if ((p.action === 'tag' || p.action === 'correct' || p.action === 'withdraw') && !p.responseId) throw new RangeError(`a ${p.action} link needs the id of what it changes`);
  if ((p.action === 'tag' || p.action === 'correct') && !LINK_CHOICES.includes(p.choice as LinkChoice)) throw new RangeError(`a ${p.action} link needs a choice of ${LINK_CHOICES.join(', ')}`);
  if (p.action === 'preference' && !p.choice) throw new RangeError('a preference link needs the preference it sets');
  if (p.number !== undefined && (!Number.isInteger(p.number) || p.number < 0 || p.number > 255)) throw new RangeError(`a link's number must be 0 to 255, got ${p.number}`);
  const seconds = p.expiresAt.getTime() / 1000;
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 0xffffffff) {
    throw new RangeError(`link expiry ${String(p.expiresAt)} is not a date between 1970 and 2106`);
  }
}

/** A URL-safe token (base64url) for one one-click action. */
export function signLinkToken(payload: LinkTokenPayload, secrets: Secrets): string {
  const [secret] = secretList(secrets);
  checkLinkPayload(payload);
  const head = Buffer.alloc(9);
  head[0] = LINK_VERSION;
  head[1] = LINK_ACTIONS.indexOf(payload.action);
  head.writeUInt32BE(Math.floor(payload.expiresAt.getTime() / 1000), 2);
  head[6] = payload.rating ?? 0;
  // A flag byte says whether there is a number, so 0 (a preference turned off) is not lost.
  head[7] = payload.number === undefined ? 0 : 1;
  head[8] = payload.number ?? 0;
  const parts = [head];
  writeString(parts, payload.seriesId, 'seriesId');
  writeString(parts, payload.trainingSlug, 'trainingSlug');
  writeString(parts, payload.participantEmail, 'participantEmail');
  writeString(parts, payload.responseId, 'responseId');
  writeString(parts, payload.choice, 'choice');
  const body = Buffer.concat(parts);
  return Buffer.concat([body, mac(secret!, LINK_LABEL, body, LINK_MAC_BYTES)]).toString('base64url');
}

function readLinkBody(body: Buffer): LinkTokenPayload | undefined {
  const version = body[0];
  if (version !== 1 && version !== 2) return undefined;
  const headBytes = version === 1 ? 7 : 9;
  const stringCount = version === 1 ? 4 : 5;
  if (body.length < headBytes + stringCount) return undefined;
  const action = LINK_ACTIONS[body[1]!];
  if (!action || (version === 1 && LINK_ACTIONS.indexOf(action) > 3)) return undefined;
  const expires = body.readUInt32BE(2);
  const rating = body[6]!;
  const hasNumber = version === 2 && body[7] === 1;
  if (version === 2 && body[7]! > 1) return undefined;
  const strings: string[] = [];
  let at = headBytes;
  for (let i = 0; i < stringCount; i++) {
    const length = body[at];
    if (length === undefined || at + 1 + length > body.length) return undefined;
    strings.push(body.toString('utf8', at + 1, at + 1 + length));
    at += 1 + length;
  }
  if (at !== body.length) return undefined;
  const [seriesId, trainingSlug, participantEmail, responseId, choice] = strings as [string, string, string, string, string | undefined];
  if (!seriesId || !participantEmail) return undefined;
  if ((action === 'rating') !== (rating >= 1 && rating <= 5) || (action !== 'rating' && rating !== 0)) return undefined;
  const payload: LinkTokenPayload = { action, seriesId, participantEmail, expiresAt: new Date(expires * 1000) };
  if (trainingSlug) payload.trainingSlug = trainingSlug;
  if (responseId) payload.responseId = responseId;
  if (action === 'rating') payload.rating = rating;
  if (choice) payload.choice = choice;
  if (hasNumber) payload.number = body[8]!;
  return payload;
}

/**
 * Checks a link token: `malformed` when it cannot be one of ours, `bad-signature` when it was
 * changed or signed with an unknown secret, `expired` when it is genuine but `now` is at or past
 * its expiry. Only a genuine, current token returns its payload.
 */
export function verifyLinkToken(token: string, secrets: Secrets, now: Date): LinkTokenPayload | TokenError<'malformed' | 'bad-signature' | 'expired'> {
  const list = secretList(secrets);
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return { error: 'malformed' };
  const bytes = Buffer.from(token, 'base64url');
  // Only the canonical spelling: otherwise spare bits let two strings stand for one token.
  if (bytes.toString('base64url') !== token || bytes.length <= LINK_MAC_BYTES) return { error: 'malformed' };
  if (bytes[0] !== 1 && bytes[0] !== LINK_VERSION) return { error: 'malformed' };
  const body = bytes.subarray(0, bytes.length - LINK_MAC_BYTES);
  if (!macMatchesAny(list, LINK_LABEL, body, bytes.subarray(bytes.length - LINK_MAC_BYTES))) return { error: 'bad-signature' };
  const payload = readLinkBody(body);
  if (!payload) return { error: 'malformed' };
  if (now.getTime() >= payload.expiresAt.getTime()) return { error: 'expired' };
  return payload;
}

/**
 * A short stable id for a link token, for `Response.source`: a second click of the same link is
 * then recognised as the same event.
 */
export function linkTokenId(token: string): string {
  return `link:${base32Encode(createHash('sha256').update(token).digest().subarray(0, 10))}`;
}

/** Midnight UTC starting the last training's `closes` day (the epoch for none). */
const lastCloseDay = (trainings: readonly Pick<Training, 'closes'>[]): number =>
  Date.parse(`${trainings.reduce((max, t) => (t.closes > max ? t.closes : max), '1970-01-01')}T00:00:00Z`);

/** One-click links stay valid until well after the series: a year past the last window. */
export function linkExpiry(trainings: readonly Training[]): Date {
  return new Date(lastCloseDay(trainings) + 365 * 86_400_000);
}

/**
 * How long a reply address keeps working after the series' last email could have gone out: long
 * enough for a late answer to an old email (holidays, a busy quarter), short enough that an address
 * left in an old thread or a forwarded email stops speaking for its participant. Documented in
 * docs/threat-model.md.
 */
export const REPLY_GRACE_DAYS = 60;

/**
 * When a series' reply addresses expire: the last training's close, plus the follow-up weeks
 * (its check-ins are answered by reply), plus REPLY_GRACE_DAYS. Every reply token of a series
 * carries the same expiry, and legacy tokens without one are given it on receipt.
 */
export function replyExpiry(series: Pick<Series, 'policies'>, trainings: readonly Pick<Training, 'closes'>[]): Date {
  const days = series.policies.followUpWeeksAfterClose * 7 + REPLY_GRACE_DAYS;
  // +1: a training closes at the end of its `closes` day.
  return new Date(lastCloseDay(trainings) + (days + 1) * 86_400_000);
}
