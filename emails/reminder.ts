// The reminder: one per training, a few days before its window closes, to those who have not
// contributed yet. It shows what teammates already shared (so joining feels easy, not like
// homework) and where the reader stands against the series' goal. Short on purpose: it must
// nudge, not nag. Compiled per training at publish time; teammates' contributions go into a raw
// slot built once per send (values.ts sharedHtml, everything escaped), the rest is filled per
// recipient by reminderValues().
import type { Series, Training } from '#core/model';
import { formatCalendarDate } from '#mail/dates';
import { escapeHtml, mailtoUri, placeholder } from '#mail/escape';
import { compileLayout } from './compile.ts';
import type { CompiledEmail } from '#mail/fill';
import { block, button, panel, plain, section, text, type LayoutInput } from './layout.ts';
import { KEEP, markdownInlineToEmailHtml, markdownInlineToText, wrapText, type MarkdownOptions } from '#mail/markdown';
import { light } from '#mail/palette';
import { adoptMail, positionOf, shareMail } from './training.ts';

/** Placeholders of the reminder besides the layout's; `sharedHtml` is a raw slot (values.ts sharedHtml()). */
export const REMINDER_PLACEHOLDERS = ['firstName', 'nudge', 'deadline', 'progress', 'shared', 'sharedHtml', 'replyTo', 'replyAddress'] as const;

export function reminderSubject(training: Training): string {
  return `Open until ${formatCalendarDate(training.closes)}: ${training.title}`;
}

const h2 = (s: string) => `<h2 style="margin:0;font-size:20px;line-height:1.3;font-weight:700;">${s}</h2>`;
const linkStyle = `color:${light.link};text-decoration:underline;`;

export function reminderLayout(series: Series, training: Training, trainings: readonly Training[]): LayoutInput {
  const { n, of } = positionOf(training, trainings);
  const md: MarkdownOptions = { source: `${String(training.order).padStart(2, '0')}-${training.slug}.md (title)` };
  const replyTo = placeholder('replyTo');
  const replyAddress = placeholder('replyAddress');
  const strategies = [...training.strategies].sort((a, b) => a.number - b.number);
  const share = shareMail(training);

  const adoptLinks = strategies
    .map(
      (s) =>
        `<li style="margin:0 0 6px;"><a class="bt-link" href="${escapeHtml(mailtoUri(replyTo, adoptMail(s)))}" style="${linkStyle}">` +
        `Adopt #${s.number}</a>: ${markdownInlineToEmailHtml(s.title, md)}</li>`,
    )
    .join('');

  const bodyMjml = [
    section(
      block(`Training ${n} of ${of} · a friendly reminder`, { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(`<h1 style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">${markdownInlineToEmailHtml(training.title, md)}</h1>`, {
          cssClass: 'bt-title',
          padding: '0 24px 16px',
        }) +
        block(`Hi ${placeholder('firstName')}, ${placeholder('nudge')}`),
    ),
    panel(`<strong>Closes:</strong> ${placeholder('deadline')}<br>${placeholder('progress')}`),
    section(block(h2('What your teammates shared so far'), { padding: '8px 24px 12px' }) + block(`{${placeholder('sharedHtml')}}`)),
    section(
      `<mj-divider css-class="bt-rule" border-width="1px" border-color="${light.border}" padding="8px 24px 16px" />` +
        block(h2('Your turn'), { padding: '0 24px 12px' }) +
        button('Share a strategy', escapeHtml(mailtoUri(replyTo, share)), { title: `Share a strategy for "${training.title}"` }) +
        (strategies.length
          ? block(`Or pick one of the strategies and say why and how you'll use it:<ul style="margin:8px 0 0;padding:0 0 0 20px;">${adoptLinks}</ul>`)
          : '') +
        block(
          `Or just reply to this email: write above the line at the top. Replies go to ` +
            `<a class="bt-link" href="mailto:${replyTo}" style="${linkStyle}">${replyAddress}</a>.`,
          { padding: '0 24px 16px' },
        ),
    ),
  ].join('\n');

  const keep = (x: string) => x.replace(/ /g, KEEP);
  const title = markdownInlineToText(training.title, md);
  const bodyText = [
    plain(`Training ${n} of ${of}, a friendly reminder`),
    `${title}\n${'='.repeat(Math.min(76, title.length))}`,
    `Hi ${placeholder('firstName')}, ${placeholder('nudge')}`,
    `Closes: ${placeholder('deadline')}\n${placeholder('progress')}`,
    `What your teammates shared so far\n---------------------------------`,
    placeholder('shared'),
    `Your turn\n---------`,
    [
      wrapText(`- Share a strategy: reply with the subject ${keep(`"${plain(share.subject)}"`)}`, 76, '', '  '),
      ...strategies.map((s) =>
        wrapText(
          `- Adopt #${s.number} (${plain(markdownInlineToText(s.title, md))}): reply with the subject ${keep(`"Adopt #${s.number}"`)} and say why and how`,
          76,
          '',
          '  ',
        ),
      ),
      '- Or just reply to this email: write above the line at the top.',
      '',
      `Replies go to ${replyAddress}`,
    ].join('\n'),
  ].join('\n\n');

  return {
    series,
    title: reminderSubject(training),
    preheader: text(`The window for "${training.title}" closes ${formatCalendarDate(training.closes)}. One line counts.`),
    bodyMjml,
    bodyText,
  };
}

export async function compileReminder(series: Series, training: Training, trainings: readonly Training[]): Promise<CompiledEmail> {
  return compileLayout(reminderLayout(series, training, trainings), reminderSubject(training), `reminder "${training.slug}"`);
}
