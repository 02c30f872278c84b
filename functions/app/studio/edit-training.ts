// Changing a training from the studio: its window (opens, closes) and title, or its text (title,
// article, strategies). First the re-plan, then, on confirmation, the same publish `baton publish`
// runs, done by the publish worker (apply-edit.ts).
//
// Primary course:
//   1. the edit is checked and applied to a copy of the published trainings: dates and order for a
//      window; for text, the training file the fields make is parsed by the folder's own parser
//      (core/training-source.ts), so problems come back at their field and line;
//   2. the re-plan is core/publish-plan.ts's planPublish against the trainings as published, for
//      the active participants (who gets an updated invitation, what moves, the errors that stop
//      `baton publish`), and for text what has already gone out: who holds the earlier text;
//   3. confirming re-plans (nothing is trusted from the preview), stores the edit (StudioEdit,
//      state pending, under the id minted with the preview, so a double POST stores it once) and
//      hands its id to the `EditPublisher`: locally it publishes at once, on AWS it invokes the
//      publish function, whose bundle alone may hold mjml. The studio then shows the edit's state.
// Compiled emails carry the dates, titles and text, so every edit is a publish; mjml must never
// reach the studio's bundle (house rule mjml-only-in-emails), hence the worker.
import type { Training } from '#core/model';
import { isActive } from '#core/audience';
import { planPublish, type PublishPlan } from '#core/publish-plan';
import type { PublishedSeries, StudioEdit } from '#core/records';
import { checkTrainingText, type FieldProblem, type TrainingText } from '#core/training-source';
import type { Session, StudioDeps } from './access.ts';
import { textPlanLines } from './text-plan.ts';

export { textPlanLines } from './text-plan.ts';

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
  /** Whether this studio can apply it (it has a publisher). */
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
  // Trainings go out in file-number order: the folder's parser refuses a window out of it, so the
  // studio does too (or the next `baton publish` of the downloaded file would stop on it).
  if (!errors.length) {
    const before = published.trainings.filter((t) => t.order < training.order).at(-1);
    const after = published.trainings.find((t) => t.order > training.order);
    if (before && edit.opens < before.opens) errors.push(`It would open (${edit.opens}) before training ${before.order} “${before.title}” (which opens ${before.opens}), although it comes after it: trainings go out in their order.`);
    if (after && edit.opens > after.opens) errors.push(`It would open (${edit.opens}) after training ${after.order} “${after.title}” (which opens ${after.opens}), although it comes before it: trainings go out in their order.`);
  }
  if (errors.length) return { errors };
  return { trainings: published.trainings.map((t) => (t.slug === edit.slug ? { ...t, opens: edit.opens, closes: edit.closes, title } : t)), errors };
}

async function replan(published: PublishedSeries, trainings: Training[] | undefined, deps: Pick<StudioDeps, 'store' | 'now'>): Promise<PublishPlan> {
  if (!trainings) return { errors: [], warnings: [], lines: [] };
  const participants = (await deps.store.listParticipants(published.series.id)).filter(isActive);
  return planPublish({ series: published.series, trainings, participants, newcomers: [], previous: published.trainings, now: deps.now });
}

export async function previewTrainingEdit(published: PublishedSeries, edit: TrainingEdit, deps: Pick<StudioDeps, 'store' | 'now' | 'publisher'>): Promise<EditPreview & { trainings?: Training[] }> {
  const next = edited(published, edit);
  const plan = await replan(published, next.trainings, deps);
  return { edit, errors: [...next.errors, ...plan.errors], plan, canApply: deps.publisher !== undefined, ...(next.trainings ? { trainings: next.trainings } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Text

export interface TextEditPreview {
  slug: string;
  text: TrainingText;
  /** Problems at their field and line (the folder parser's); nothing is stored while there are any. */
  errors: FieldProblem[];
  warnings: FieldProblem[];
  /** Reasons `baton publish` would refuse the series as it would then be (not about the text). */
  refusals: string[];
  plan: PublishPlan;
  /** The edited training, when the text is valid. */
  training?: Training;
  /** Active participants who already had this training's email: they keep the text they got. */
  alreadySent: number;
  /** Active participants it has not reached yet: they get the new text. */
  waiting: number;
  canApply: boolean;
}

export async function previewTextEdit(published: PublishedSeries, slug: string, text: TrainingText, deps: Pick<StudioDeps, 'store' | 'now' | 'publisher'>): Promise<TextEditPreview | undefined> {
  const current = published.trainings.find((t) => t.slug === slug);
  if (!current) return undefined;
  const checked = checkTrainingText(current, text);
  const trainings = checked.ok ? published.trainings.map((t) => (t.slug === slug ? checked.training : t)) : undefined;
  const plan = await replan(published, trainings, deps);
  const active = (await deps.store.listParticipants(published.series.id)).filter(isActive);
  // The ledger's `training#<slug>#<email>` entries: who has had this training's email.
  const sent = new Set(
    (await deps.store.listDeliveries(published.series.id, `training#${slug}#`))
      .map((d) => d.emailId.slice(`training#${slug}#`.length))
      .filter((rest) => !rest.includes('#')),
  );
  const alreadySent = active.filter((p) => sent.has(p.email)).length;
  return {
    slug,
    text,
    errors: checked.ok ? [] : checked.errors,
    warnings: checked.warnings,
    refusals: plan.errors,
    plan,
    ...(checked.ok ? { training: checked.training } : {}),
    alreadySent,
    waiting: active.length - alreadySent,
    canApply: deps.publisher !== undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Confirming: store the edit, hand it to the publisher

export type EditOutcome =
  | { kind: 'started'; id: string }
  | { kind: 'refused'; preview: EditPreview }
  | { kind: 'refused-text'; preview: TextEditPreview }
  | { kind: 'no-publisher'; preview: EditPreview }
  | { kind: 'bad-confirmation' };

/** The id of the edit a preview page would confirm: minted with the page, one edit per id. */
export const newEditId = (deps: Pick<StudioDeps, 'newId'>): string => deps.newId().replace(/[^A-Za-z0-9_-]/g, '').slice(0, 32);
const EDIT_ID = /^[A-Za-z0-9_-]{8,64}$/;

async function start(published: PublishedSeries, request: { id: string; kind: StudioEdit['kind']; training: Training; plan: string[] }, session: Session, deps: StudioDeps): Promise<EditOutcome> {
  const publisher = deps.publisher!;
  const edit: StudioEdit = {
    id: request.id,
    seriesId: published.series.id,
    slug: request.training.slug,
    kind: request.kind,
    training: request.training,
    baseVersion: published.version,
    by: session.email,
    requestedAt: deps.now.toISOString(),
    state: 'pending',
    plan: request.plan,
  };
  // A second POST of the same confirmation finds its edit stored: it is started once.
  if (await deps.store.putStudioEdit(edit)) await publisher.start(edit.seriesId, edit.id);
  return { kind: 'started', id: edit.id };
}

export async function applyTrainingEdit(published: PublishedSeries, edit: TrainingEdit, id: string, session: Session, deps: StudioDeps): Promise<EditOutcome> {
  if (!EDIT_ID.test(id)) return { kind: 'bad-confirmation' };
  const preview = await previewTrainingEdit(published, edit, deps);
  if (preview.errors.length || !preview.trainings) return { kind: 'refused', preview };
  if (!deps.publisher) return { kind: 'no-publisher', preview };
  const training = preview.trainings.find((t) => t.slug === edit.slug)!;
  return start(published, { id, kind: 'dates', training, plan: preview.plan.lines }, session, deps);
}

export async function applyTextEdit(published: PublishedSeries, slug: string, text: TrainingText, id: string, session: Session, deps: StudioDeps): Promise<EditOutcome | undefined> {
  if (!EDIT_ID.test(id)) return { kind: 'bad-confirmation' };
  const preview = await previewTextEdit(published, slug, text, deps);
  if (!preview) return undefined;
  if (preview.errors.length || preview.refusals.length || !preview.training || !deps.publisher) return { kind: 'refused-text', preview };
  return start(published, { id, kind: 'text', training: preview.training, plan: textPlanLines(preview) }, session, deps);
}

/** The state of an edit this trainer's series holds, for the page that follows a confirmation. */
export async function editStatus(published: PublishedSeries, id: string, deps: Pick<StudioDeps, 'store'>): Promise<StudioEdit | undefined> {
  if (!EDIT_ID.test(id)) return undefined;
  return deps.store.getStudioEdit(published.series.id, id);
}
