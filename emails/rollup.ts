// The weekly roll-up to participants: what teammates shared this week, each contribution with a
// one-click kudos and a reply address that comments on it. The frame is compiled at publish time;
// the list is per recipient (their own contributions are left out, their links are signed for
// them), so it goes into the raw slot `{{{rollupHtml}}}` at send time.
import type { Series } from '#core/model';
import { compileLayout, type CompiledEmail } from './compile.ts';
import { placeholder } from '#mail/escape';
import { rawSlot } from './digest.ts';
import { block, section, type LayoutInput } from './layout.ts';

export const ROLLUP_PLACEHOLDERS = ['firstName', 'weekLabel', 'rollupCount', 'rollupHtml', 'rollupText'] as const;

export function rollupSubject(series: Series): string {
  return `This week in ${series.title}: what your teammates shared`;
}

export function rollupLayout(series: Series): LayoutInput {
  const subject = rollupSubject(series);
  return {
    series,
    title: subject,
    preheader: `${placeholder('rollupCount')} from your teammates this week. Give kudos in one click or reply to comment.`,
    bodyMjml: section(
      block(`Team roll-up · week of ${placeholder('weekLabel')}`, { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(`<h1 style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">What your teammates shared</h1>`, {
          cssClass: 'bt-title',
          padding: '0 24px 12px',
        }) +
        block(
          `Hi ${placeholder('firstName')}, ${placeholder('rollupCount')} from your teammates came in this week. ` +
            'Found something useful? Give kudos in one click, or comment: your comment reaches the team in the next roll-up.',
        ) +
        block(rawSlot('rollupHtml'), { padding: '0 24px 8px' }),
    ),
    bodyText: [
      `Team roll-up, week of ${placeholder('weekLabel')}`,
      '',
      `Hi ${placeholder('firstName')}, ${placeholder('rollupCount')} from your teammates came in this week.`,
      'Give kudos with the link under a contribution, or write to its reply address to comment.',
      '',
      placeholder('rollupText'),
    ].join('\n'),
  };
}

export async function compileRollup(series: Series): Promise<CompiledEmail> {
  return compileLayout(rollupLayout(series), rollupSubject(series), 'roll-up');
}
