// The publish worker's use case: apply one training edit confirmed in the studio (edit-training.ts)
// with the same publish `baton publish` runs: compile (mjml, handed in as the TemplateCompiler),
// audio, store, calendars (SEQUENCE + 1 and an update job for a moved window), schedules.
//
// Primary course:
//   1. read the edit; one already applied or failed is done (a retried invoke changes nothing);
//   2. claim it (pending → applying, a conditional update; applying again for a retry);
//   3. it is applied onto the series version it was made against only: a publish in between
//      (from the folder or another edit) fails it with the reason, nothing changed;
//   4. re-plan (a window that closed since is refused as `baton publish` refuses it);
//   5. publish with the edited training; mark it applied with the new version.
// An error while publishing marks the edit failed with the message, so the studio shows it and
// the trainer can confirm again; nothing retries behind their back.
import { isActive } from '#core/audience';
import { planPublish } from '#core/publish-plan';
import type { StudioEdit } from '#core/records';
import { publish } from '../publish.ts';
import type { AudioDeps } from '../audio.ts';
import type { PublishStore, Schedules, StudioEditRepository, TemplateCompiler } from '../ports.ts';

export interface ApplyEditDeps {
  store: PublishStore & StudioEditRepository;
  compile: TemplateCompiler;
  now: Date;
  remote?: Schedules;
  /** The speech engine and audio store: the edited text gets its audio version like a publish's. */
  audio?: AudioDeps;
}

export type ApplyEditOutcome = { kind: 'applied'; version: number } | { kind: 'failed'; error: string } | { kind: 'done-already'; state: StudioEdit['state'] } | { kind: 'missing' };

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export async function applyStudioEdit(seriesId: string, id: string, deps: ApplyEditDeps): Promise<ApplyEditOutcome> {
  const { store, now } = deps;
  const edit = await store.getStudioEdit(seriesId, id);
  if (!edit) return { kind: 'missing' };
  if (edit.state === 'applied' || edit.state === 'failed') return { kind: 'done-already', state: edit.state };
  if (!(await store.updateStudioEdit(seriesId, id, ['pending', 'applying'], { state: 'applying' }))) {
    const again = await store.getStudioEdit(seriesId, id);
    return { kind: 'done-already', state: again?.state ?? 'failed' };
  }
  const fail = async (error: string): Promise<ApplyEditOutcome> => {
    await store.updateStudioEdit(seriesId, id, ['applying'], { state: 'failed', error });
    return { kind: 'failed', error };
  };
  try {
    const published = await store.getSeries(seriesId);
    if (!published) return await fail('The series is no longer published: nothing was changed.');
    const current = published.trainings.find((t) => t.slug === edit.slug);
    if (published.version !== edit.baseVersion) {
      // An earlier attempt that published and died before saying so: the edit is what is stored.
      if (published.version === edit.baseVersion + 1 && current && same(current, edit.training)) {
        await store.updateStudioEdit(seriesId, id, ['applying'], { state: 'applied', appliedAt: now.toISOString(), version: published.version });
        return { kind: 'applied', version: published.version };
      }
      return await fail(`The series was published again (version ${published.version}) after this change was made on version ${edit.baseVersion}: nothing was changed. Open the training again and make the change on what is published now.`);
    }
    if (!current) return await fail('The training is no longer in the series: nothing was changed.');
    const trainings = published.trainings.map((t) => (t.slug === edit.slug ? edit.training : t));
    const participants = (await store.listParticipants(seriesId)).filter(isActive);
    const plan = planPublish({ series: published.series, trainings, participants, newcomers: [], previous: published.trainings, now });
    if (plan.errors.length) return await fail(`Nothing was changed: ${plan.errors.join(' ')}`);
    const result = await publish({ series: published.series, trainings }, { store, compile: deps.compile, now, ...(deps.remote ? { remote: deps.remote } : {}), ...(deps.audio ? { audio: deps.audio } : {}) });
    await store.updateStudioEdit(seriesId, id, ['applying'], { state: 'applied', appliedAt: now.toISOString(), version: result.version });
    return { kind: 'applied', version: result.version };
  } catch (err) {
    return fail(`Publishing failed: ${err instanceof Error ? err.message : String(err)}. Open the training and confirm the change again.`);
  }
}

/**
 * The studio edits a publish from the folder would overwrite: applied, not yet in the folder, and
 * the folder's training differs from what is published. `baton publish` refuses while there are
 * any (see cli/publish-series.ts), and marks the rest as in the folder once it has published.
 */
export function editsAtRisk(edits: readonly StudioEdit[], published: readonly { slug: string }[], folder: readonly { slug: string }[]): StudioEdit[] {
  const latest = new Map<string, StudioEdit>();
  for (const e of edits) if (e.state === 'applied' && !e.inFolderAt) latest.set(e.slug, e);
  const stored = new Map(published.map((t) => [t.slug, t]));
  const inFolder = new Map(folder.map((t) => [t.slug, t]));
  return [...latest.values()].filter((e) => !same(inFolder.get(e.slug), stored.get(e.slug)));
}
