// Every name a compiled template is stored under, in one module with no imports: publish stores
// them, the planners and the reply reader look them up, and none of those may pull in the
// compile-time modules that define the emails (they import mjml, ~8 MB in a Lambda bundle).
export const TEMPLATE = {
  kickoff: 'kickoff',
  training: (slug: string): string => `training/${slug}`,
  /** A training as daily bites: part 0 is the overview, 1… the parts (core/bites.ts). */
  bite: (slug: string, part: number): string => `bite/${slug}/${part}`,
  reminder: (slug: string): string => `reminder/${slug}`,
  followUp: (slug: string): string => `follow-up/${slug}`,
  digest: 'digest',
  rollup: 'rollup',
  wrapUp: 'wrap-up',
  update: 'update',
  cancel: 'cancel',
  removed: 'cancel-removed',
  ack: 'ack',
  /**
   * A template in another language than the series' own: `reminder/slug@de`. Publish compiles one
   * for each language its participants read (besides the series' language, which has the plain name).
   */
  inLanguage: (name: string, language: string): string => `${name}@${language}`,
} as const;

/** The kinds whose frame is written per participant language (the rest are the series' language). */
export const LOCALIZED_KINDS = ['ack', 'reminder', 'follow-up'] as const;

/**
 * The names to look a template up by for someone reading `language`: their language's first,
 * then the series' own (a participant enrolled after the last publish in a new language).
 */
export function templateNames(name: string, language: string, seriesLanguage: string): string[] {
  return language === seriesLanguage ? [name] : [TEMPLATE.inLanguage(name, language), name];
}
