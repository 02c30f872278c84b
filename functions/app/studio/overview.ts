// The series overview: the funnel per training (the numbers the digest and `baton status` show),
// participation over the weeks, by time zone and by team, the "N of M" goal, and who has not
// engaged yet (with whether their one personal nudge went out). Read from the running totals the
// store keeps as deliveries, replies and enrolments happen (core/tallies.ts), and one page of the
// people not engaged yet: what it reads does not grow with the series.
import type { PublishedSeries } from '#core/records';
import type { PersonRef } from '#core/report';
import { overviewFromTallies, type OverviewCounts } from '#core/tallies';
import type { StudioDeps } from './access.ts';
import { NUDGE_PREFIX } from './nudge.ts';

/** The "not engaged yet" table shows this many, by name. */
export const QUIET_LIMIT = 100;

export interface Overview {
  published: PublishedSeries;
  funnel: OverviewCounts;
  /** The first QUIET_LIMIT of those not engaged yet (funnel.quiet of them), by name. */
  quiet: PersonRef[];
  /** Addresses among `quiet` that were sent their one nudge already. */
  nudged: Set<string>;
  /** False when the store does not keep the counters for this series yet (stored before them): publish it again. */
  ready: boolean;
}

export async function loadOverview(published: PublishedSeries, deps: Pick<StudioDeps, 'store'>): Promise<Overview> {
  const id = published.series.id;
  const [tallies, quiet] = await Promise.all([deps.store.readTallies(id), deps.store.pageQuiet(id, QUIET_LIMIT)]);
  const nudged = quiet.length ? await deps.store.sentAmong(id, quiet.map((p) => `${NUDGE_PREFIX}${p.email}`)) : new Set<string>();
  return {
    published,
    funnel: overviewFromTallies(tallies.counters, published.series, published.trainings),
    quiet,
    nudged: new Set([...nudged].map((emailId) => emailId.slice(NUDGE_PREFIX.length))),
    ready: tallies.ready,
  };
}
