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
} as const;
