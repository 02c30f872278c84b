// The weekly roll-up to participants: what teammates shared this week, each contribution with a
// one-click kudos and a reply address that comments on it. The frame is compiled at publish time;
// the list is per recipient (their own contributions are left out, their links are signed for
// them), so it goes into the raw slot `{{{rollupHtml}}}` at send time.
import type { Language, Series } from '#core/model';
import { t } from '#mail/messages/index';
import { compileLayout, type CompiledEmail } from './compile.ts';
import { placeholder } from '#mail/escape';
import { rawSlot } from './digest.ts';
import { block, messageHtml, plain, section, type LayoutInput } from './layout.ts';

export const ROLLUP_PLACEHOLDERS = ['firstName', 'weekLabel', 'rollupCount', 'rollupHtml', 'rollupText'] as const;

export function rollupSubject(series: Series, language: Language = 'en'): string {
  return t(language, 'rollup.subject', { title: series.title });
}

export function rollupLayout(series: Series, language: Language = series.language ?? 'en'): LayoutInput {
  const subject = rollupSubject(series, language);
  const count = placeholder('rollupCount');
  const intro = { firstName: placeholder('firstName'), count };
  const week = { week: placeholder('weekLabel') };
  return {
    series,
    title: subject,
    preheader: messageHtml(language, 'rollup.preheader', { count }),
    bodyMjml: section(
      block(`${messageHtml(language, 'rollup.kind')} · ${messageHtml(language, 'rollup.weekOf', week)}`, { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(`<h1 style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">${messageHtml(language, 'rollup.heading')}</h1>`, {
          cssClass: 'bt-title',
          padding: '0 24px 12px',
        }) +
        block(`${messageHtml(language, 'rollup.intro', intro)} ${messageHtml(language, 'rollup.howHtml')}`) +
        block(rawSlot('rollupHtml'), { padding: '0 24px 8px' }),
    ),
    bodyText: [
      `${plain(t(language, 'rollup.kind'))}, ${t(language, 'rollup.weekOf', week)}`,
      '',
      t(language, 'rollup.intro', intro),
      t(language, 'rollup.howText'),
      '',
      placeholder('rollupText'),
    ].join('\n'),
    language,
  };
}

export async function compileRollup(series: Series, language: Language = series.language ?? 'en'): Promise<CompiledEmail> {
  return compileLayout(rollupLayout(series, language), rollupSubject(series, language), 'roll-up');
}
