// The weekly trainer digest: a fixed frame compiled at publish time around one raw slot that the
// digest planner fills at send time with the week's numbers (funnel bars, new contributions, most
// adopted strategies, who to reach out to). The slot is `{{{digestHtml}}}`: lists that change every
// week cannot be baked in, and mjml must not run in a Lambda.
import type { Series } from '#core/model';
import { compileLayout, type CompiledEmail } from './compile.ts';
import { placeholder } from '#mail/escape';
import { block, section, text, type LayoutInput } from './layout.ts';

/** Placeholders of the digest besides the layout's; the `Html` one is raw (trusted, built by the planner). */
export const DIGEST_PLACEHOLDERS = ['firstName', 'weekLabel', 'digestHtml', 'digestText'] as const;

/** A raw slot: filled without HTML escaping, so only HTML the planner built may go in. */
export function rawSlot(name: string): string {
  return `{${placeholder(name)}}`;
}

export function digestSubject(series: Series): string {
  return `Weekly digest: ${series.title}`;
}

export function digestLayout(series: Series): LayoutInput {
  const subject = digestSubject(series);
  return {
    series,
    audience: 'trainers',
    title: subject,
    preheader: `Participation in ${text(series.title)} for the week of ${placeholder('weekLabel')}: who read, shared, adopted and followed up.`,
    bodyMjml: section(
      block(`Trainer digest · week of ${placeholder('weekLabel')}`, { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(`<h1 style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">How the series is going</h1>`, {
          cssClass: 'bt-title',
          padding: '0 24px 12px',
        }) +
        block(`Hi ${placeholder('firstName')}, here is this week's participation, with everything new since your last digest.`) +
        block(rawSlot('digestHtml'), { padding: '0 24px 8px' }),
    ),
    bodyText: [
      `Trainer digest, week of ${placeholder('weekLabel')}`,
      '',
      `Hi ${placeholder('firstName')}, here is this week's participation, with everything new since your last digest.`,
      '',
      placeholder('digestText'),
    ].join('\n'),
  };
}

export async function compileDigest(series: Series): Promise<CompiledEmail> {
  return compileLayout(digestLayout(series), digestSubject(series), 'digest');
}
