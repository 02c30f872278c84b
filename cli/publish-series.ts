// Publishing from a series folder, as the commands (and the local stack's first start) do it:
// read and validate the folder, then run the publish use case with mjml as its template compiler.
// The use case itself (functions/app/publish.ts) never touches the disk or mjml. mjml is loaded
// only when a publish compiles: `baton publish --dry-run` and the other commands importing this
// file for preparePublish or audioFor never pay its ~0.8 s of module loading.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Store } from '#adapters/aws/dynamo';
import { publish, type PublishResult, type RemoteSchedules } from '#app/publish';
import type { AudioDeps } from '#app/audio';
import type { SpeechSynthesizer } from '#app/ports';
import { LocalMailStore } from '#adapters/local/mail-store';
import { EspeakSynthesizer } from '#adapters/local/espeak';
import type { Target } from './target.ts';
import type { Participant } from '#core/model';
import { planPublish, type PublishPlan } from '#core/publish-plan';
import { UserError } from '#core/user-error';
import { trainingFilePath } from '#core/training-source';
import { editsAtRisk } from '#app/studio/apply-edit';
import { displayPath, loadParticipants, loadSeries, type LoadedSeries } from './series-dir.ts';

export async function publishSeries(
  dir: string,
  store: Store,
  now: Date,
  options: { remote?: RemoteSchedules; participants?: Participant[]; audio?: AudioDeps } = {},
): Promise<PublishResult> {
  return publish(
    { ...(await loadSeries(dir)), ...(options.participants ? { participants: options.participants } : {}) },
    { store, now, compile: (await import('#emails/compile-series')).compileTemplates, ...(options.remote ? { remote: options.remote } : {}), ...(options.audio ? { audio: options.audio } : {}) },
  );
}

/**
 * The local target's audio: espeak-ng into the data folder's attachments, served by the links
 * server under /audio/. `say` hears once when espeak-ng is missing (publishing goes on).
 */
export function localAudio(config: { dataDir: string; linksBaseUrl: string }, say: (line: string) => void, synthesizer: SpeechSynthesizer = new EspeakSynthesizer()): AudioDeps {
  return { synthesizer, store: new LocalMailStore(config.dataDir), baseUrl: config.linksBaseUrl, say };
}

/** Audio for a publish to `target`: espeak-ng locally, Amazon Polly into the attachment bucket on AWS. */
export async function audioFor(target: Target, say: (line: string) => void): Promise<AudioDeps> {
  if (target.name === 'local') return localAudio(target.config, say);
  const [{ PollySynthesizer, createPollyClient }, { S3AudioStore }, { createS3Client }] = await Promise.all([
    import('#adapters/aws/polly'),
    import('#adapters/aws/audio-store'),
    import('#adapters/aws/mail-store'),
  ]);
  const { attachmentBucket, linksUrl } = target.outputs;
  return {
    synthesizer: new PollySynthesizer(createPollyClient()),
    store: new S3AudioStore({ client: createS3Client(), attachmentBucket }),
    baseUrl: linksUrl,
    say,
  };
}

export interface PreparedPublish {
  loaded: LoadedSeries;
  /** The people this publish enrols (the folder's participants.csv), or none. */
  participants: Participant[];
  plan: PublishPlan;
}

/**
 * Everything a publish checks and says before it acts: the folder, its participants.csv (which
 * `validate` reads too, so publishing without it must be asked for), and the plan against what is
 * already published. Stores nothing.
 */
export async function preparePublish(dir: string, store: Pick<Store, 'getSeries' | 'listParticipants' | 'listStudioEdits'>, now: Date, options: { withParticipants: boolean }): Promise<PreparedPublish> {
  const loaded = await loadSeries(dir);
  const csv = join(dir, 'participants.csv');
  const published = await store.getSeries(loaded.series.id);
  const enrolled = published ? await store.listParticipants(loaded.series.id) : [];
  let participants: Participant[] = [];
  if (options.withParticipants && existsSync(csv)) {
    try {
      participants = await loadParticipants(csv, loaded.series);
    } catch (err) {
      if (!(err instanceof Error && err.name === 'UserError')) throw err;
      throw new UserError(`found participants.csv, not enrolled: ${err.message}\nFix those rows (baton validate ${displayPath(dir)} lists them), or pass --no-participants to publish without people.`);
    }
  } else if (options.withParticipants && enrolled.length === 0) {
    // The kickoff goes out at once: published to nobody, it is never sent to anyone.
    throw new UserError(
      `no participants.csv in ${displayPath(dir)} and nobody enrolled yet, so the kickoff would reach nobody: add one (columns email,name,timeZone,workStart), ` +
        'or pass --no-participants to publish without people and `baton enroll` them later.',
    );
  }
  const known = new Set(enrolled.map((p) => p.email));
  const byEmail = new Map<string, Pick<Participant, 'email' | 'timeZone' | 'workStart' | 'workDays'>>();
  for (const p of enrolled) if (!p.unsubscribedAt && !p.bouncedAt) byEmail.set(p.email, p);
  for (const p of participants) byEmail.set(p.email, p);
  const plan = planPublish({
    series: loaded.series,
    trainings: loaded.trainings,
    participants: [...byEmail.values()],
    newcomers: participants.filter((p) => !known.has(p.email)),
    ...(published ? { previous: published.trainings } : {}),
    now,
  });
  const missing = enrolled.filter((p) => !participants.some((x) => x.email === p.email));
  if (participants.length && missing.length) {
    plan.warnings.push(
      `${missing.length} ${missing.length === 1 ? 'person' : 'people'} enrolled earlier ${missing.length === 1 ? 'is' : 'are'} not in participants.csv and stay${missing.length === 1 ? 's' : ''} enrolled ` +
        `(${missing.slice(0, 3).map((p) => p.email).join(', ')}${missing.length > 3 ? ', …' : ''}): \`baton unenroll ${loaded.series.id} <email>\` removes someone.`,
    );
  }
  // A training changed in the studio since: publishing the folder's older text would revert it.
  if (published) {
    for (const edit of editsAtRisk(await store.listStudioEdits(loaded.series.id), published.trainings, loaded.trainings)) {
      plan.errors.push(
        `${trainingFilePath(edit.training)} was changed in the studio on ${edit.appliedAt?.slice(0, 10) ?? edit.requestedAt.slice(0, 10)} by ${edit.by} (${edit.kind === 'text' ? 'its text' : 'its dates or title'}), ` +
          `and the folder still has another version: publishing it would undo that change. Download the file from the studio (Trainings → “Download the file” next to the training) and save it over ${trainingFilePath(edit.training)}, ` +
          'merging in anything you changed since, then publish again.',
      );
    }
  }
  return { loaded, participants, plan };
}

/** After a publish from the folder: the studio's applied edits are in the folder now (preparePublish checked it). */
export async function markEditsInFolder(store: Pick<Store, 'listStudioEdits' | 'updateStudioEdit'>, seriesId: string, now: Date): Promise<number> {
  let marked = 0;
  for (const edit of await store.listStudioEdits(seriesId)) {
    if (edit.state === 'applied' && !edit.inFolderAt && (await store.updateStudioEdit(seriesId, edit.id, ['applied'], { inFolderAt: now.toISOString() }))) marked++;
  }
  return marked;
}
