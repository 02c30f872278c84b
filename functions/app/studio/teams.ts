// Participation by team for the overview, when the participants CSV carries a `team` column.
// Kept apart from overview.ts: a series without teams costs one participants read and nothing
// more (no section is shown), and a series with teams reads its responses once more here.
import { participationByTeam, type GroupParticipation } from '#core/participation';
import type { PublishedSeries } from '#core/records';
import type { StudioDeps } from './access.ts';

/** Teams, largest first, or undefined when nobody in the series has a team. */
export async function loadTeams(published: PublishedSeries, deps: Pick<StudioDeps, 'store'>): Promise<GroupParticipation[] | undefined> {
  const id = published.series.id;
  const participants = await deps.store.listParticipants(id);
  if (!participants.some((p) => p.team)) return undefined;
  return participationByTeam(participants, await deps.store.listResponses(id));
}
