// The series overview: the funnel per training (report.ts, the numbers the digest and `baton
// status` show), participation over the weeks and by time zone, the "N of M" goal, and who has not
// engaged yet (with whether their one personal nudge went out).
import type { PublishedSeries } from '#core/records';
import { computeFunnel, type SeriesFunnel } from '#core/report';
import { participationByWeek, participationByZone, type WeekParticipation, type ZoneParticipation } from '#core/participation';
import type { StudioDeps } from './access.ts';
import { NUDGE_PREFIX } from './nudge.ts';

export interface Overview {
  published: PublishedSeries;
  funnel: SeriesFunnel;
  weeks: WeekParticipation[];
  zones: ZoneParticipation[];
  /** Addresses that were sent their one nudge already. */
  nudged: Set<string>;
}

export async function loadOverview(published: PublishedSeries, deps: Pick<StudioDeps, 'store'>): Promise<Overview> {
  const id = published.series.id;
  const [participants, responses, deliveries, nudges] = await Promise.all([
    deps.store.listParticipants(id),
    deps.store.listResponses(id),
    deps.store.listDeliveries(id, 'training#'),
    deps.store.listDeliveries(id, NUDGE_PREFIX),
  ]);
  const funnel = computeFunnel({ series: published.series, trainings: published.trainings, participants, responses, deliveries });
  return {
    published,
    funnel,
    weeks: participationByWeek(responses),
    zones: participationByZone(participants, responses),
    nudged: new Set(nudges.filter((d) => d.status === 'sent').map((d) => d.emailId.slice(NUDGE_PREFIX.length))),
  };
}
