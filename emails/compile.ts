// Publish-time step: every email's MJML is compiled once into HTML (and text) with {{placeholders}}.
// Only this module imports mjml; Lambdas import fill.ts and values.ts, never this.
import mjml2html from 'mjml';
import type { Series, Training } from '#core/model';
import type { CompiledEmail } from '#mail/fill';
import { protectBraces } from '#mail/escape';
import { kickoffLayout, kickoffSubject, type KickoffOptions } from './kickoff.ts';
import { layoutMjml, layoutText, type LayoutInput } from './layout.ts';
import { trainingLayout, trainingSubject, type TemplateOptions } from './training.ts';

export type { CompiledEmail };

export class MjmlValidationError extends Error {
  override name = 'MjmlValidationError';
}

/**
 * What this process compiled lately, by MJML text: mjml is a pure function of its input and costs
 * tens of milliseconds an email (a series' ~50 templates are seconds), while most of a publish
 * compiles what the previous one did: a re-publish after one training changed, a studio edit
 * applied by a warm publish function, the local stack publishing again. The most recently used
 * entries are kept, at most COMPILED_KEPT (~100 KB each with its key); failures are never kept.
 */
const compiled = new Map<string, string>();
const COMPILED_KEPT = 200;

/** Forgets what compileMjml remembers: for measuring what a first compile costs (bench/send.ts). */
export function forgetCompiled(): void {
  compiled.clear();
}

/** MJML to HTML at strict validation: a template error stops publishing instead of mangling mail. */
export async function compileMjml(mjml: string, where: string): Promise<string> {
  const known = compiled.get(mjml);
  if (known !== undefined) {
    compiled.delete(mjml);
    compiled.set(mjml, known);
    return known;
  }
  try {
    const result = await mjml2html(mjml, { validationLevel: 'strict', keepComments: false, fonts: {} });
    compiled.set(mjml, result.html);
    if (compiled.size > COMPILED_KEPT) compiled.delete(compiled.keys().next().value!);
    return result.html;
  } catch (e) {
    const errors = (e as { errors?: Array<{ formattedMessage?: string; message?: string }> }).errors;
    const detail = errors?.length ? errors.map((x) => x.formattedMessage ?? x.message).join('; ') : (e as Error).message;
    throw new MjmlValidationError(`The ${where} email template is not valid MJML: ${detail}. This is a bug in emails/: please report it.`);
  }
}

/** Compiles a layout (the shared frame plus one email's body) into subject, HTML and text. */
export async function compileLayout(input: LayoutInput, subject: string, where: string): Promise<CompiledEmail> {
  return {
    subject: protectBraces(subject),
    html: await compileMjml(layoutMjml(input), where),
    text: layoutText(input),
  };
}

export async function compileKickoff(series: Series, trainings: readonly Training[], opts?: KickoffOptions): Promise<CompiledEmail> {
  return compileLayout(kickoffLayout(series, trainings, opts), kickoffSubject(series, trainings), 'kickoff');
}

export async function compileTraining(
  series: Series,
  training: Training,
  trainings: readonly Training[],
  opts?: TemplateOptions,
): Promise<CompiledEmail> {
  return compileLayout(trainingLayout(series, training, trainings, opts), trainingSubject(series, training, trainings), `training "${training.slug}"`);
}
