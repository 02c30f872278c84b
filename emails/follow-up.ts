// The follow-up check-in: weeks after a window closed, each adopter is asked how the strategy they
// picked worked for them. Five one-click ratings and a reply address whose token points at the
// adoption, so a written answer is stored as a follow-up on it. Kept short: one question.
// Compiled per training at publish time; the strategy and the signed links are filled per
// recipient by followUpValues().
import type { Language, Series, Training } from '#core/model';
import { placeholder } from '#mail/escape';
import { t, type MessageKey } from '#mail/messages/index';
import { compileLayout } from './compile.ts';
import type { CompiledEmail } from '#mail/fill';
import { block, messageHtml, plain, section, text, type LayoutInput } from './layout.ts';
import { markdownInlineToEmailHtml, markdownInlineToText, wrapText, type MarkdownOptions } from '#mail/markdown';
import { light } from '#mail/palette';
import { positionOf } from './training.ts';

/** Placeholders of the check-in besides the layout's. */
export const FOLLOW_UP_PLACEHOLDERS = [
  'firstName',
  'strategyTitle',
  'rating1Url',
  'rating2Url',
  'rating3Url',
  'rating4Url',
  'rating5Url',
  'replyTo',
  'replyAddress',
] as const;

/** What each rating means, shown next to the number (English; messages/ has `rating.<n>` in every language). */
export const RATING_LABELS = [1, 2, 3, 4, 5].map((n) => t('en', `rating.${n}` as MessageKey)) as readonly string[];

const ratingLabel = (language: Language, n: number) => t(language, `rating.${n}` as MessageKey);

export function followUpSubject(language: Language = 'en'): string {
  return t(language, 'followUp.subject', { strategy: placeholder('strategyTitle') });
}

export function followUpLayout(series: Series, training: Training, trainings: readonly Training[], language: Language = series.language ?? 'en'): LayoutInput {
  const { n, of } = positionOf(training, trainings);
  const say = (key: MessageKey, values?: Record<string, string | number>) => t(language, key, values);
  const md: MarkdownOptions = { source: `${String(training.order).padStart(2, '0')}-${training.slug}.md (title)` };
  const strategy = placeholder('strategyTitle');
  const when = say('followUp.when', { weeks: series.policies.followUpWeeksAfterClose, n, of });
  const low = ratingLabel(language, 1);
  const high = ratingLabel(language, 5);

  const cell = (i: number) =>
    `<td style="padding:0 6px 0 0;">` +
    `<a class="bt-rate" href="${placeholder(`rating${i}Url`)}" title="${messageHtml(language, 'followUp.rating', { n: i, label: ratingLabel(language, i) })}" ` +
    `style="display:inline-block;min-width:44px;padding:10px 0;border-radius:6px;background-color:${light.accent};color:${light.onAccent};` +
    `text-align:center;font-size:18px;font-weight:700;text-decoration:none;">${i}</a></td>`;
  const scale =
    `<table role="presentation" style="border-collapse:collapse;"><tr>${[1, 2, 3, 4, 5].map(cell).join('')}</tr></table>` +
    `<div style="margin-top:6px;font-size:14px;">1 = ${text(low)} · 5 = ${text(high)}</div>`;

  const bodyMjml = [
    section(
      block(`${messageHtml(language, 'common.training', { n, of })} · ${messageHtml(language, 'followUp.kind')}`, { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(`<h1 style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">${messageHtml(language, 'followUp.heading', { strategy })}</h1>`, {
          cssClass: 'bt-title',
          padding: '0 24px 16px',
        }) +
        block(
          messageHtml(language, 'followUp.intro', {
            firstName: placeholder('firstName'),
            when: text(when),
            title: `<strong>${markdownInlineToEmailHtml(training.title, md)}</strong>`,
            strategy: `“${strategy}”`,
          }),
        ) +
        block(scale, { padding: '0 24px 20px' }) +
        block(
          `${messageHtml(language, 'followUp.more')} ` +
            messageHtml(language, 'common.repliesGoTo', {
              address: `<a class="bt-link" href="mailto:${placeholder('replyTo')}" style="color:${light.link};text-decoration:underline;">${placeholder('replyAddress')}</a>`,
            }) +
            '.',
        ),
    ),
  ].join('\n');

  const title = markdownInlineToText(training.title, md);
  const bodyText = [
    plain(`${say('common.training', { n, of })}, ${say('followUp.kind')}`),
    say('followUp.subject', { strategy }),
    wrapText(say('followUp.intro', { firstName: placeholder('firstName'), when: plain(when), title: plain(`"${title}"`), strategy: `"${strategy}"` })),
    [1, 2, 3, 4, 5].map((i) => `${i} (${ratingLabel(language, i)}):\n  ${placeholder(`rating${i}Url`)}`).join('\n'),
    wrapText(`${say('followUp.more')} ${say('common.repliesGoTo', { address: placeholder('replyAddress') })}`),
  ].join('\n\n');

  return {
    series,
    title: say('followUp.title', { title: training.title }),
    preheader: messageHtml(language, 'followUp.preheader', { when: text(when), strategy }),
    bodyMjml,
    bodyText,
    language,
  };
}

export async function compileFollowUp(series: Series, training: Training, trainings: readonly Training[], language: Language = series.language ?? 'en'): Promise<CompiledEmail> {
  const compiled = await compileLayout(followUpLayout(series, training, trainings, language), 'check-in', `follow-up "${training.slug}"`);
  // compileLayout protects a subject's braces (subjects are authored); this one has a placeholder.
  return { ...compiled, subject: followUpSubject(language) };
}
