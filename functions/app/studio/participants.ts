// The participants page: everyone with their status (active, out of office until …, bounced,
// unsubscribed, preferences turned off), and a person × training grid of read / contributed /
// adopted, from the same responses every report reads.
import type { PublishedSeries, StoredParticipant } from '#core/records';
import type { StudioDeps } from './access.ts';

/** Per training: 0 nothing, 1 read, 2 contributed, 3 adopted (the highest reached). */
export type GridCell = 0 | 1 | 2 | 3;

export interface ParticipantRow {
  participant: StoredParticipant;
  cells: GridCell[];
}

export interface ParticipantsView {
  published: PublishedSeries;
  /** One page, by name. */
  rows: ParticipantRow[];
  /** Everyone enrolled. */
  total: number;
  /** Where the next page starts, when there is one. */
  after?: string;
  /** The name or email prefix searched for, when the page shows matches. */
  search?: string;
}

/** The table shows this many people a page. */
export const PEOPLE_LIMIT = 100;

/** A page link's `after`: a folded name and an email (as pageParticipants gives it). */
export const isPeopleCursor = (after: string): boolean => after.length <= 400 && /^[^\n]*#[^\s#]+@[^\s#]+$/.test(after);

// One page of people by name and, for the grid, their levels (one item per person the store keeps
// as replies arrive and are withdrawn), and the count the overview's counters keep: what a page
// reads does not grow with the series.
export async function loadParticipants(published: PublishedSeries, deps: Pick<StudioDeps, 'store'>, options: { after?: string; search?: string } = {}): Promise<ParticipantsView> {
  const id = published.series.id;
  const search = options.search?.trim() || undefined;
  const [page, total] = await Promise.all([
    deps.store.pageParticipants(id, { limit: PEOPLE_LIMIT, ...(search ? { search } : options.after ? { after: options.after } : {}) }),
    // The overview's counter of those enrolled (one GetItem), else a COUNT of the pointers.
    deps.store.readTallies(id).then(async (t) => (t.ready ? (t.counters.people ?? 0) : deps.store.countParticipants(id))),
  ]);
  const levels = await deps.store.getLevels(id, page.participants.map((p) => p.email));
  const rows = page.participants.map((participant): ParticipantRow => {
    const theirs = levels.get(participant.email);
    return { participant, cells: published.trainings.map((t) => Math.min(3, Math.max(0, theirs?.get(t.slug) ?? 0)) as GridCell) };
  });
  return { published, rows, total, ...(page.after ? { after: page.after } : {}), ...(search ? { search } : {}) };
}
