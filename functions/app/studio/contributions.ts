// The contributions page: the feed of strategies, adoptions with reasons, comments and ratings
// (newest first, with attachments), the replies Baton could not read with confidence ("needs a
// look", one click to tag), and the requests that need the trainer ("needs you").
import type { Response } from '#core/model';
import type { NeedsLook, PublishedSeries, StoredParticipant } from '#core/records';
import { isKudos } from '#core/report';
import type { StudioDeps } from './access.ts';

export interface FeedItem {
  response: Response;
  name: string;
  trainingTitle: string;
  strategyTitle?: string;
}

export interface ContributionsView {
  published: PublishedSeries;
  feed: FeedItem[];
  /** Every current record, for the correction form (by id). */
  total: number;
  needsLook: Array<NeedsLook & { name: string }>;
  needsYou: Array<NeedsLook & { name: string }>;
  participants: Map<string, StoredParticipant>;
}

const FEED_INTENTS = new Set(['strategy', 'adopt', 'comment', 'feedback', 'follow-up']);
/** The feed shows the newest this many; older ones are in the wiki export. */
export const FEED_LIMIT = 200;

export async function loadContributions(published: PublishedSeries, deps: Pick<StudioDeps, 'store'>): Promise<ContributionsView> {
  const id = published.series.id;
  const [participants, responses, looks] = await Promise.all([deps.store.listParticipants(id), deps.store.listResponses(id), deps.store.listNeedsLook(id, { open: true })]);
  const people = new Map(participants.map((p) => [p.email, p]));
  const nameOf = (email: string) => people.get(email)?.name ?? email;
  const trainings = new Map(published.trainings.map((t) => [t.slug, t]));
  const feed = responses
    .filter((r) => FEED_INTENTS.has(r.intent) && !isKudos(r) && (r.intent !== 'follow-up' || r.text.trim() || r.rating !== undefined))
    .sort((a, b) => (a.receivedAt < b.receivedAt ? 1 : a.receivedAt > b.receivedAt ? -1 : a.id < b.id ? 1 : -1))
    .slice(0, FEED_LIMIT)
    .map((r): FeedItem => {
      const t = trainings.get(r.trainingSlug);
      const s = r.strategyId ? t?.strategies.find((x) => x.id === r.strategyId) : undefined;
      return { response: r, name: nameOf(r.participantEmail), trainingTitle: t?.title ?? r.trainingSlug, ...(s ? { strategyTitle: `#${s.number} ${s.title}` } : {}) };
    });
  const named = (l: NeedsLook) => ({ ...l, name: nameOf(l.participantEmail) });
  return {
    published,
    feed,
    total: responses.length,
    needsLook: looks.filter((l) => l.kind === 'unclear').map(named),
    needsYou: looks.filter((l) => l.kind !== 'unclear').map(named),
    participants: people,
  };
}
