// A trainer's fix from the studio: tag a reply that needed a look, correct or withdraw any record,
// let someone who asked back in rejoin. Each is exactly the participant's (or the digest's) own
// signed link, run through click-link.ts's POST: the studio signs a link token for the series the
// trainer was authorized for, valid for a minute, and hands it to handleLink. One code path, so the
// studio's tag and the digest's tag, the studio's correction and the ack's, cannot drift apart.
import { handleLink, LINK_PATH_PREFIX } from '../click-link.ts';
import { LINK_CHOICES, signLinkToken, type LinkAction, type LinkChoice } from '#core/tokens';
import { responseKey } from '#core/short-key';
import type { PublishedSeries } from '#core/records';
import type { StudioDeps } from './access.ts';

export interface FixRequest {
  action: Extract<LinkAction, 'tag' | 'correct' | 'withdraw' | 'resubscribe'>;
  /** tag: the needs-a-look record; correct, withdraw: the response; resubscribe: unused. */
  id?: string;
  /** resubscribe: the person. */
  email?: string;
  /** tag, correct: strategy, adopt, comment, feedback (tag also: nothing). */
  choice?: string;
  /** adopt: the strategy number. */
  number?: number;
}

export type FixOutcome = { ok: true; message: string } | { ok: false; status: number; message: string };

const LIFETIME_MS = 60_000;

export function parseChoice(value: string | undefined): { choice: LinkChoice; number?: number } | undefined {
  // "adopt:2" is adopting strategy #2; the rest are plain choices.
  const m = /^(strategy|adopt|comment|feedback|nothing)(?::(\d{1,3}))?$/.exec(value ?? '');
  if (!m || !LINK_CHOICES.includes(m[1] as LinkChoice)) return undefined;
  if ((m[1] === 'adopt') !== (m[2] !== undefined)) return undefined;
  return { choice: m[1] as LinkChoice, ...(m[2] !== undefined ? { number: Number(m[2]) } : {}) };
}

export async function fixRecord(published: PublishedSeries, request: FixRequest, deps: StudioDeps): Promise<FixOutcome> {
  const seriesId = published.series.id;
  const notFound = (what: string): FixOutcome => ({ ok: false, status: 404, message: `${what} is not in this series.` });
  let subject: { trainingSlug?: string; participantEmail: string; responseId?: string };
  if (request.action === 'tag') {
    const look = request.id ? await deps.store.getNeedsLook(seriesId, request.id) : undefined;
    if (!look) return notFound('That reply');
    subject = { trainingSlug: look.trainingSlug, participantEmail: look.participantEmail, responseId: look.id };
  } else if (request.action === 'resubscribe') {
    const person = request.email ? await deps.store.getParticipant(seriesId, request.email) : undefined;
    if (!person) return notFound('That person');
    subject = { participantEmail: person.email };
  } else {
    const response = request.id ? await deps.store.findResponseByKey(seriesId, responseKey(seriesId, request.id)) : undefined;
    if (!response || response.id !== request.id) return notFound('That record');
    subject = { trainingSlug: response.trainingSlug, participantEmail: response.participantEmail, responseId: response.id };
  }
  if ((request.action === 'tag' || request.action === 'correct') && !request.choice) return { ok: false, status: 400, message: 'Choose what it should be recorded as.' };
  const token = signLinkToken(
    {
      action: request.action,
      seriesId,
      ...subject,
      ...(request.choice ? { choice: request.choice } : {}),
      ...(request.number !== undefined ? { number: request.number } : {}),
      expiresAt: new Date(deps.now.getTime() + LIFETIME_MS),
    },
    deps.secrets,
  );
  const reply = await handleLink({ method: 'POST', path: `${LINK_PATH_PREFIX}${token}` }, { store: deps.store, secrets: deps.secrets, now: deps.now, language: 'en' });
  const heading = /<h1>([^<]*)<\/h1>/.exec(reply.body)?.[1]?.replace(/&#39;/g, '’').replace(/&quot;/g, '"').replace(/&amp;/g, '&') ?? '';
  return reply.status === 200 ? { ok: true, message: heading } : { ok: false, status: reply.status, message: heading || 'Nothing was changed.' };
}
