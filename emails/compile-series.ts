// Publish-time: every email of a series compiled once, under the names the runtime looks them up
// by. The publish use case receives this as its TemplateCompiler port, so mjml is loaded only by
// the command that publishes (or previews) and never reaches a Lambda bundle.
import type { Language, Series, Training } from '#core/model';
import type { CompiledEmail } from '#mail/fill';
import { TEMPLATE } from '#mail/template-names';
import { compileKickoff, compileTraining } from './compile.ts';
import { splitIntoBites } from '#core/bites';

/** What publish learnt before compiling (app/ports.ts CompileExtras): each training's generated audio. */
export interface CompileExtras {
  audio?: ReadonlyMap<string, { url: string; seconds: number }>;
  /** Languages participants read besides the series' own: the emails framed in Baton's words are compiled in each. */
  languages?: readonly Language[];
}

export async function compileTemplates(series: Series, trainings: Training[], extras: CompileExtras = {}): Promise<Map<string, CompiledEmail>> {
  const out = new Map<string, CompiledEmail>();
  out.set(TEMPLATE.kickoff, await compileKickoff(series, trainings));
  for (const training of trainings) {
    const audio = extras.audio?.get(training.slug);
    out.set(TEMPLATE.training(training.slug), await compileTraining(series, training, trainings, audio ? { audio } : {}));
    // Every training that can be cut is compiled as bites too: a participant may ask for bites
    // on the preferences page whatever the series says.
    const bites = splitIntoBites(training);
    if (!bites) continue;
    for (const [part, piece] of [bites.overview, ...bites.parts].entries()) {
      out.set(TEMPLATE.bite(training.slug, part), await compileTraining(series, piece, trainings));
    }
  }
  const [{ compileDigest }, { compileRollup }] = await Promise.all([import('./digest.ts'), import('./rollup.ts')]);
  out.set(TEMPLATE.digest, await compileDigest(series));
  out.set(TEMPLATE.rollup, await compileRollup(series));
  const { compileAck } = await import('./ack.ts');
  out.set(TEMPLATE.ack, await compileAck(series));
  const [{ compileUpdate }, { compileCancel, compileRemoved }] = await Promise.all([import('./update.ts'), import('./cancel.ts')]);
  out.set(TEMPLATE.update, await compileUpdate(series));
  out.set(TEMPLATE.cancel, await compileCancel(series));
  out.set(TEMPLATE.removed, await compileRemoved(series));
  const [{ compileReminder }, { compileFollowUp }, { compileWrapUp }] = await Promise.all([
    import('./reminder.ts'),
    import('./follow-up.ts'),
    import('./wrap-up.ts'),
  ]);
  for (const training of trainings) {
    out.set(TEMPLATE.reminder(training.slug), await compileReminder(series, training, trainings));
    out.set(TEMPLATE.followUp(training.slug), await compileFollowUp(series, training, trainings));
  }
  out.set(TEMPLATE.wrapUp, await compileWrapUp(series, trainings));
  const own = series.language ?? 'en';
  for (const language of new Set(extras.languages ?? [])) {
    if (language === own) continue;
    out.set(TEMPLATE.inLanguage(TEMPLATE.ack, language), await compileAck(series, language));
    out.set(TEMPLATE.inLanguage(TEMPLATE.rollup, language), await compileRollup(series, language));
    for (const training of trainings) {
      out.set(TEMPLATE.inLanguage(TEMPLATE.reminder(training.slug), language), await compileReminder(series, training, trainings, language));
      out.set(TEMPLATE.inLanguage(TEMPLATE.followUp(training.slug), language), await compileFollowUp(series, training, trainings, language));
    }
    out.set(TEMPLATE.inLanguage(TEMPLATE.wrapUp, language), await compileWrapUp(series, trainings, undefined, language));
  }
  return out;
}
