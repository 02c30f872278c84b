// The participants page: everyone with their status (active, out of office until …, bounced,
// unsubscribed, preferences turned off), and a person × training grid of read / contributed /
// adopted, from the same responses every report reads.
import type { PublishedSeries, StoredParticipant } from '#core/records';
import { isContribution, isEngagement } from '#core/report';
import type { StudioDeps } from './access.ts';

/** Per training: 0 nothing, 1 read, 2 contributed, 3 adopted (the highest reached). */
export type GridCell = 0 | 1 | 2 | 3;

export interface ParticipantRow {
  participant: StoredParticipant;
  cells: GridCell[];
}

export interface ParticipantsView {
  published: PublishedSeries;
  rows: ParticipantRow[];
}

export async function loadParticipants(published: PublishedSeries, deps: Pick<StudioDeps, 'store'>): Promise<ParticipantsView> {
  const id = published.series.id;
  const [participants, responses] = await Promise.all([deps.store.listParticipants(id), deps.store.listResponses(id)]);
  const column = new Map(published.trainings.map((t, i) => [t.slug, i]));
  const grid = new Map<string, GridCell[]>();
  for (const r of responses) {
    const i = column.get(r.trainingSlug);
    if (i === undefined || !isEngagement(r)) continue;
    let cells = grid.get(r.participantEmail);
    if (!cells) grid.set(r.participantEmail, (cells = published.trainings.map(() => 0 as GridCell)));
    const level: GridCell = r.intent === 'adopt' ? 3 : isContribution(r) ? 2 : 1;
    if (level > cells[i]!) cells[i] = level;
  }
  const empty = published.trainings.map(() => 0 as GridCell);
  const rows = participants
    .map((p) => ({ participant: p, cells: grid.get(p.email) ?? empty }))
    .sort((a, b) => a.participant.name.localeCompare(b.participant.name) || a.participant.email.localeCompare(b.participant.email));
  return { published, rows };
}
