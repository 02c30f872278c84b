// The follow-up check-in: weeks after a window closed, each adopter is asked how the strategy they
// picked worked for them. Five one-click ratings and a reply address whose token points at the
// adoption, so a written answer is stored as a follow-up on it. Kept short: one question.
// Compiled per training at publish time; the strategy and the signed links are filled per
// recipient by followUpValues().
import type { Series, Training } from '#core/model';
import { placeholder } from '#mail/escape';
import { compileLayout } from './compile.ts';
import type { CompiledEmail } from '#mail/fill';
import { block, plain, section, text, type LayoutInput } from './layout.ts';
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

/** What each rating means, shown next to the number. */
export const RATING_LABELS = ["didn't work for me", 'not really', 'somewhat', 'worked well', 'worked great'] as const;

export function followUpSubject(): string {
  return `How did "${placeholder('strategyTitle')}" work for you?`;
}

function weeksAgo(series: Series): string {
  const w = series.policies.followUpWeeksAfterClose;
  return w === 1 ? 'A week ago' : `${w} weeks ago`;
}

export function followUpLayout(series: Series, training: Training, trainings: readonly Training[]): LayoutInput {
  const { n, of } = positionOf(training, trainings);
  const md: MarkdownOptions = { source: `${String(training.order).padStart(2, '0')}-${training.slug}.md (title)` };
  const strategy = placeholder('strategyTitle');
  const when = `${weeksAgo(series)} the window for training ${n} of ${of}`;

  const cell = (i: number) =>
    `<td style="padding:0 6px 0 0;">` +
    `<a class="bt-rate" href="${placeholder(`rating${i}Url`)}" title="${i} of 5: ${RATING_LABELS[i - 1]}" ` +
    `style="display:inline-block;min-width:44px;padding:10px 0;border-radius:6px;background-color:${light.accent};color:${light.onAccent};` +
    `text-align:center;font-size:18px;font-weight:700;text-decoration:none;">${i}</a></td>`;
  const scale =
    `<table role="presentation" style="border-collapse:collapse;"><tr>${[1, 2, 3, 4, 5].map(cell).join('')}</tr></table>` +
    `<div style="margin-top:6px;font-size:14px;">1 = ${RATING_LABELS[0]} · 5 = ${RATING_LABELS[4]}</div>`;

  const bodyMjml = [
    section(
      block(`Training ${n} of ${of} · check-in`, { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(`<h1 style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">How did “${strategy}” work for you?</h1>`, {
          cssClass: 'bt-title',
          padding: '0 24px 16px',
        }) +
        block(
          `Hi ${placeholder('firstName')}, ${text(when)} closed: <strong>${markdownInlineToEmailHtml(training.title, md)}</strong>. ` +
            `You said you would adopt “${strategy}”. How has it gone? One click is enough:`,
        ) +
        block(scale, { padding: '0 24px 20px' }) +
        block(
          `Want to say more? Reply to this email: what worked, what you changed, what got in the way. ` +
            `Your answer helps the trainers, and the next person who tries it. Replies go to ` +
            `<a class="bt-link" href="mailto:${placeholder('replyTo')}" style="color:${light.link};text-decoration:underline;">${placeholder('replyAddress')}</a>.`,
        ),
    ),
  ].join('\n');

  const title = markdownInlineToText(training.title, md);
  const bodyText = [
    plain(`Training ${n} of ${of}, check-in`),
    `How did "${strategy}" work for you?`,
    wrapText(`Hi ${placeholder('firstName')}, ${plain(`${when} closed: "${title}".`)} You said you would adopt "${strategy}". How has it gone? One click is enough:`),
    [1, 2, 3, 4, 5].map((i) => `${i} (${RATING_LABELS[i - 1]}):\n  ${placeholder(`rating${i}Url`)}`).join('\n'),
    wrapText(
      `Want to say more? Reply to this email: what worked, what you changed, what got in the way. ` +
        `Your answer helps the trainers, and the next person who tries it. Replies go to ${placeholder('replyAddress')}`,
    ),
  ].join('\n\n');

  return {
    series,
    title: `How did it work for you? ${training.title}`,
    preheader: `${text(when)} closed. One click tells us how “${strategy}” worked for you.`,
    bodyMjml,
    bodyText,
  };
}

export async function compileFollowUp(series: Series, training: Training, trainings: readonly Training[]): Promise<CompiledEmail> {
  const compiled = await compileLayout(followUpLayout(series, training, trainings), 'check-in', `follow-up "${training.slug}"`);
  // compileLayout protects a subject's braces (subjects are authored); this one has a placeholder.
  return { ...compiled, subject: followUpSubject() };
}
