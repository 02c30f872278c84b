// Enrolling from a CSV upload, in two steps: the preview parses the file with the same rules as
// `baton enroll` (core/participants.ts) and shows every problem with its line, storing nothing;
// only a file without errors can be confirmed, and the confirmation parses the same text again
// (the page carries it back), stores it and plans the newcomers' kickoff and open trainings.
import type { Participant } from '#core/model';
import { parseParticipantsCsv } from '#core/participants';
import type { Problem } from '#core/problem';
import type { PublishedSeries } from '#core/records';
import { syncSchedules } from '../publish.ts';
import type { StudioDeps } from './access.ts';

export interface EnrolPreview {
  file: string;
  participants: Participant[];
  errors: Problem[];
  warnings: Problem[];
  /** Of `participants`, those not enrolled yet. */
  newcomers: number;
}

export async function previewEnrolment(published: PublishedSeries, file: string, text: string, deps: Pick<StudioDeps, 'store'>): Promise<EnrolPreview> {
  const { series } = published;
  const result = parseParticipantsCsv(text, { file, defaultTimeZone: series.defaultTimeZone, defaultWorkStart: series.defaultWorkStart });
  const before = new Set((await deps.store.listParticipants(series.id)).map((p) => p.email));
  return { file, ...result, newcomers: result.participants.filter((p) => !before.has(p.email)).length };
}

export type EnrolOutcome = { kind: 'enrolled'; total: number; added: number } | { kind: 'has-errors'; preview: EnrolPreview };

export async function enrol(published: PublishedSeries, file: string, text: string, deps: StudioDeps): Promise<EnrolOutcome> {
  const preview = await previewEnrolment(published, file, text, deps);
  if (preview.errors.length > 0 || preview.participants.length === 0) return { kind: 'has-errors', preview };
  const id = published.series.id;
  const before = new Set((await deps.store.listParticipants(id)).map((p) => p.email));
  await deps.store.putParticipants(id, preview.participants);
  const added = preview.participants.filter((p) => !before.has(p.email));
  await syncSchedules(deps.store, id, deps.now, { added, ...(deps.remote ? { remote: deps.remote } : {}) });
  return { kind: 'enrolled', total: preview.participants.length, added: added.length };
}
