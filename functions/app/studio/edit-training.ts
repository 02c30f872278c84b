// Editing a training's window (opens, closes) or title from the studio: first the re-plan, then,
// on confirmation, the same publish `baton publish` runs.
//
// Primary course:
//   1. the edit is checked (dates, order, a title) and applied to a copy of the published trainings;
//   2. the re-plan is core/publish-plan.ts's planPublish against the trainings as published, for
//      the active participants: who gets an updated invitation, what moves, and the errors that stop
//      `baton publish` (a window already closed is refused here the same way);
//   3. confirming re-plans (nothing is trusted from the preview) and runs app/publish.ts's publish
//      with the edited trainings: calendars get SEQUENCE + 1 and an update job, schedules move
//      through diffSchedules, exactly as a publish from the folder.
// Compiled emails carry the dates and titles (the kickoff lists every window, a reminder's subject
// names the close), so publishing recompiles them, and compiling needs mjml, which must never reach
// a Lambda bundle. The studio therefore applies an edit only where it is handed a TemplateCompiler
// (the local stack); on AWS it shows the re-plan and says to run `baton publish` from the folder.
import type { Training } from '#core/model';
import { isActive } from '#core/audience';
import { planPublish, type PublishPlan } from '#core/publish-plan';
import type { PublishedSeries } from '#core/records';
import { publish } from '../publish.ts';
import type { TemplateCompiler } from '../ports.ts';
import type { StudioDeps } from './access.ts';

export interface TrainingEdit {
  slug: string;
  opens: string;
  closes: string;
  title: string;
}

export interface EditPreview {
  edit: TrainingEdit;
  /** Problems with the edit itself, or reasons `baton publish` would refuse it. */
  errors: string[];
  plan: PublishPlan;
  /** Whether this studio can apply it (it has a template compiler). */
  canApply: boolean;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const validDate = (d: string) => DATE.test(d) && !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d);

function edited(published: PublishedSeries, edit: TrainingEdit): { trainings?: Training[]; errors: string[] } {
  const training = published.trainings.find((t) => t.slug === edit.slug);
  if (!training) return { errors: ['This series has no such training.'] };
  const errors: string[] = [];
  if (!validDate(edit.opens)) errors.push(`Opens “${edit.opens}” is not a date: write it as YYYY-MM-DD.`);
  if (!validDate(edit.closes)) errors.push(`Closes “${edit.closes}” is not a date: write it as YYYY-MM-DD.`);
  if (!errors.length && edit.closes < edit.opens) errors.push(`The window closes (${edit.closes}) before it opens (${edit.opens}).`);
  const title = edit.title.trim();
  if (!title) errors.push('A training needs a title.');
  if (title.length > 200) errors.push('The title is longer than 200 characters.');
  if (errors.length) return { errors };
  return { trainings: published.trainings.map((t) => (t.slug === edit.slug ? { ...t, opens: edit.opens, closes: edit.closes, title } : t)), errors };
}

export async function previewTrainingEdit(published: PublishedSeries, edit: TrainingEdit, deps: Pick<StudioDeps, 'store' | 'now' | 'compile'>): Promise<EditPreview & { trainings?: Training[] }> {
  const next = edited(published, edit);
  const participants = (await deps.store.listParticipants(published.series.id)).filter(isActive);
  const plan = next.trainings ? planPublish({ series: published.series, trainings: next.trainings, participants, newcomers: [], previous: published.trainings, now: deps.now }) : { errors: [], warnings: [], lines: [] };
  return { edit, errors: [...next.errors, ...plan.errors], plan, canApply: deps.compile !== undefined, ...(next.trainings ? { trainings: next.trainings } : {}) };
}

export type EditOutcome = { kind: 'applied'; version: number } | { kind: 'refused'; preview: EditPreview } | { kind: 'needs-compile'; preview: EditPreview };

export async function applyTrainingEdit(published: PublishedSeries, edit: TrainingEdit, deps: StudioDeps): Promise<EditOutcome> {
  const preview = await previewTrainingEdit(published, edit, deps);
  if (preview.errors.length || !preview.trainings) return { kind: 'refused', preview };
  const compile: TemplateCompiler | undefined = deps.compile;
  if (!compile) return { kind: 'needs-compile', preview };
  const result = await publish({ series: published.series, trainings: preview.trainings }, { store: deps.store, compile, now: deps.now, ...(deps.remote ? { remote: deps.remote } : {}) });
  return { kind: 'applied', version: result.version };
}
