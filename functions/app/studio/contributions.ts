// The contributions page: the feed of strategies, adoptions with reasons, comments and ratings
// (newest first, with attachments), the replies Baton could not read with confidence ("needs a
// look", one click to tag), and the requests that need the trainer ("needs you").
import type { Response } from '#core/model';
import type { NeedsLook, PublishedSeries, StoredParticipant } from '#core/records';
import type { StudioDeps } from './access.ts';

export interface FeedItem {
  response: Response;
  name: string;
  trainingTitle: string;
  strategyTitle?: string;
}

export interface ContributionsView {
  published: PublishedSeries;
  /** One page of the feed, newest first. */
  feed: FeedItem[];
  /** Where the next (older) page starts, when there is one. */
  older?: string;
  needsLook: Array<NeedsLook & { name: string }>;
  needsYou: Array<NeedsLook & { name: string }>;
  /** The people named on this page, by email. */
  participants: Map<string, StoredParticipant>;
}

/** The feed shows this many a page, newest first; "older" pages back (the wiki export has them all). */
export const FEED_LIMIT = 50;

/** A page link's `older`: the time and id of the last record of the page before (as listFeed gives it). */
export const isFeedCursor = (older: string): boolean => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z#[^\s]{1,200}$/.test(older);

// One page of pointers and the records they name, the open looks, and the few people on the page:
// what it reads does not grow with the series (the store keeps the feed sorted by time).
export async function loadContributions(published: PublishedSeries, deps: Pick<StudioDeps, 'store'>, options: { older?: string } = {}): Promise<ContributionsView> {
  const id = published.series.id;
  const [page, looks] = await Promise.all([deps.store.listFeed(id, { limit: FEED_LIMIT, ...(options.older ? { older: options.older } : {}) }), deps.store.listNeedsLook(id, { open: true })]);
  const people = new Map((await deps.store.getParticipants(id, [...page.responses.map((r) => r.participantEmail), ...looks.map((l) => l.participantEmail)])).map((p) => [p.email, p] as const));
  const nameOf = (email: string) => people.get(email)?.name ?? email;
  const trainings = new Map(published.trainings.map((t) => [t.slug, t]));
  const feed = page.responses.map((r): FeedItem => {
    const t = trainings.get(r.trainingSlug);
    const s = r.strategyId ? t?.strategies.find((x) => x.id === r.strategyId) : undefined;
    return { response: r, name: nameOf(r.participantEmail), trainingTitle: t?.title ?? r.trainingSlug, ...(s ? { strategyTitle: `#${s.number} ${s.title}` } : {}) };
  });
  const named = (l: NeedsLook) => ({ ...l, name: nameOf(l.participantEmail) });
  return {
    published,
    feed,
    ...(page.older ? { older: page.older } : {}),
    needsLook: looks.filter((l) => l.kind === 'unclear').map(named),
    needsYou: looks.filter((l) => l.kind !== 'unclear').map(named),
    participants: people,
  };
}
