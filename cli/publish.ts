// Publishing a series: the trainer's machine does the heavy, once-per-series work (parsing,
// MJML compilation) and hands the runtime only data and ready templates.
//
// Primary course:
//   1. parse and validate the folder (every problem at once, with file:line);
//   2. compile every email's MJML once into HTML/text with {{placeholders}};
//   3. store the series, its trainings and the compiled templates (version + 1);
//   4. drop templates of trainings that no longer exist.
import type { Store } from '#adapters/dynamo';
import type { Series, Training } from '#core/model';
import { compileKickoff, compileTraining, type CompiledEmail } from '#emails/compile';
import { templateNames as templateName } from '#core/dispatch';
import { loadSeries } from './series-dir.ts';


export interface PublishResult {
  series: Series;
  trainings: Training[];
  version: number;
  firstPublish: boolean;
  templates: string[];
}

export async function compileTemplates(series: Series, trainings: Training[]): Promise<Map<string, CompiledEmail>> {
  const out = new Map<string, CompiledEmail>();
  out.set(templateName.kickoff, await compileKickoff(series, trainings));
  for (const training of trainings) {
    out.set(templateName.training(training.slug), await compileTraining(series, training, trainings));
  }
  return out;
}

export async function publishSeries(dir: string, store: Store, now: Date): Promise<PublishResult> {
  const { series, trainings } = await loadSeries(dir);
  const templates = await compileTemplates(series, trainings);
  const previous = await store.getSeries(series.id);
  const version = (previous?.version ?? 0) + 1;
  await store.putSeries(series, trainings, { publishedAt: now, version });
  for (const [name, email] of templates) await store.putTemplate(series.id, name, JSON.stringify(email));
  await store.pruneTemplates(series.id, [...templates.keys()]);
  return { series, trainings, version, firstPublish: !previous, templates: [...templates.keys()] };
}
