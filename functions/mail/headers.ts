// Message-IDs, threading and list headers for outbound mail.
//
// SES replaces the Message-ID we set with its own (`<id@<region>.amazonses.com>`) but keeps
// References. So every mail carries our own ids in References as well: the thread root of its
// training (clients then group one training's mails together) and the id we would have given the
// mail itself, which names the participant. A reply's In-Reply-To/References then still lead back
// to series, training and participant when the signed Reply-To address was lost (a client that
// replies to From, a forwarded mail).
//
// Our ids: `<kind.seriesId.trainingSlug.participantKey[.extra]@domain>` and
// `<thread.seriesId.trainingSlug@domain>`. Slugs are lowercase letters, digits and dashes, so dots
// separate fields unambiguously; `_` stands for "no training" (series-wide mail such as kickoff).
import { EmailKindSchema, type EmailKind } from '#core/model';
import { displayPhrase } from './mime.ts';

const NO_TRAINING = '_';
const ID_RE = /<([^<>@\s]+)@([^<>\s]+)>/g;
const FIELD_RE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

function field(value: string, what: string): string {
  if (!FIELD_RE.test(value)) throw new RangeError(`${what} "${value}" cannot go in a Message-ID: use lowercase letters, digits and dashes`);
  return value;
}

export interface MessageIdInput {
  kind: EmailKind;
  seriesId: string;
  trainingSlug?: string;
  participantKey: string;
  domain: string;
  /** Tells apart mails that may be sent more than once for the same kind, training and person (acks). */
  extra?: string;
}

/** Deterministic, so a retried send produces the same id (and the delivery ledger can key on it). */
export function messageIdFor(input: MessageIdInput): string {
  const parts = [
    field(input.kind, 'email kind'),
    field(input.seriesId, 'series id'),
    input.trainingSlug === undefined ? NO_TRAINING : field(input.trainingSlug, 'training slug'),
    field(input.participantKey, 'participant key'),
  ];
  if (input.extra !== undefined) parts.push(field(input.extra, 'extra'));
  return `<${parts.join('.')}@${input.domain}>`;
}

/** The (never sent) root every mail of one training refers to; without a training, the series'. */
export function threadRootId(seriesId: string, trainingSlug: string | undefined, domain: string): string {
  return `<thread.${field(seriesId, 'series id')}.${trainingSlug === undefined ? NO_TRAINING : field(trainingSlug, 'training slug')}@${domain}>`;
}

export interface ThreadHeaders {
  messageId: string;
  inReplyTo: string;
  references: string[];
}

/** Message-ID, In-Reply-To and References for one outbound mail. */
export function threadHeaders(input: MessageIdInput): ThreadHeaders {
  const messageId = messageIdFor(input);
  const root = threadRootId(input.seriesId, input.trainingSlug, input.domain);
  return { messageId, inReplyTo: root, references: [root, messageId] };
}

export interface OurIds {
  seriesId: string;
  trainingSlug?: string;
  /** Present when the id named a participant (not for a bare thread root). */
  participantKey?: string;
  kind?: EmailKind;
}

const KINDS = new Set<string>(EmailKindSchema.options);

function readId(local: string): OurIds | undefined {
  const parts = local.toLowerCase().split('.');
  const [first, seriesId, training, pkey, extra] = parts;
  if (parts.length < 3 || parts.length > 5 || !first || !seriesId || !training) return undefined;
  if (!FIELD_RE.test(seriesId) || (training !== NO_TRAINING && !FIELD_RE.test(training))) return undefined;
  const trainingSlug = training === NO_TRAINING ? undefined : training;
  const base: OurIds = trainingSlug ? { seriesId, trainingSlug } : { seriesId };
  if (first === 'thread') return parts.length === 3 ? base : undefined;
  if (!KINDS.has(first) || !pkey || !/^[a-z2-7]+$/.test(pkey)) return undefined;
  if (extra !== undefined && !FIELD_RE.test(extra)) return undefined;
  return { ...base, participantKey: pkey, kind: first as EmailKind };
}

/**
 * Our ids found in In-Reply-To / References values (any number of them, in any order), for
 * routing a reply whose signed address was lost. Prefers the id that names a participant and,
 * among those, the latest in the chain. Ids of other domains are ignored.
 */
export function parseOurIds(headerValues: string | readonly (string | undefined)[] | undefined, domain: string): OurIds | undefined {
  const values = typeof headerValues === 'string' ? [headerValues] : (headerValues ?? []);
  const wanted = domain.toLowerCase();
  let root: OurIds | undefined;
  let personal: OurIds | undefined;
  for (const value of values) {
    if (!value) continue;
    for (const m of value.matchAll(ID_RE)) {
      if (m[2]!.toLowerCase() !== wanted) continue;
      const ids = readId(m[1]!);
      if (!ids) continue;
      if (ids.participantKey) personal = ids;
      else root = ids;
    }
  }
  return personal ?? root;
}

export interface ListHeadersInput {
  /** The one-click https URL; it must accept POST `List-Unsubscribe=One-Click` (RFC 8058). */
  unsubscribeUrl: string;
  unsubscribeMailto?: string;
  /** The list's identifier, a domain-like name: `q1-productivity.baton.example.com`. */
  listId: string;
  /** Shown by clients next to the list id: the series title. */
  listName?: string;
}

/**
 * Headers every bulk mail carries: one-click unsubscribe (required by Gmail and Yahoo for bulk
 * senders), a List-Id clients can filter on, and the markers that keep out-of-office answers away.
 */
export function listHeaders(input: ListHeadersInput): Record<string, string> {
  if (!input.unsubscribeUrl.startsWith('https://')) {
    throw new RangeError(`the unsubscribe URL must be https (RFC 8058), got "${input.unsubscribeUrl}"`);
  }
  const targets = [`<${input.unsubscribeUrl}>`];
  if (input.unsubscribeMailto) {
    targets.push(`<${input.unsubscribeMailto.startsWith('mailto:') ? input.unsubscribeMailto : `mailto:${input.unsubscribeMailto}`}>`);
  }
  return {
    'List-Unsubscribe': targets.join(', '),
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    'List-Id': listIdValue(input.listId, input.listName),
    'Auto-Submitted': 'auto-generated',
    'X-Auto-Response-Suppress': 'All',
  };
}

/**
 * `"Series title" <list.id>`: the title is the trainer's and may be anything (quotes, Thai,
 * 3,000 characters), so it goes through the same phrase encoding as a display name.
 */
export function listIdValue(listId: string, listName?: string): string {
  const phrase = listName ? displayPhrase(listName) : '';
  return phrase ? `${phrase} <${listId}>` : `<${listId}>`;
}
