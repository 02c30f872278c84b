// The reminder: one per training, a few days before its window closes, to those who have not
// contributed yet. It shows what teammates already shared (so joining feels easy, not like
// homework) and where the reader stands against the series' goal. Short on purpose: it must
// nudge, not nag. Compiled per training at publish time; teammates' contributions go into a raw
// slot built once per send (values.ts sharedHtml, everything escaped), the rest is filled per
// recipient by reminderValues().
import type { Language, Series, Training } from '#core/model';
import { t } from '#mail/messages/index';
import { formatCalendarDate } from '#mail/dates';
import { escapeHtml, mailtoUri, placeholder } from '#mail/escape';
import { compileLayout } from './compile.ts';
import type { CompiledEmail } from '#mail/fill';
import { block, button, messageHtml, panel, plain, section, text, type LayoutInput } from './layout.ts';
import { KEEP, markdownInlineToEmailHtml, markdownInlineToText, wrapText, type MarkdownOptions } from '#mail/markdown';
import { light } from '#mail/palette';
import { adoptMail, positionOf, shareMail } from './training.ts';

/** Placeholders of the reminder besides the layout's; `sharedHtml` is a raw slot (values.ts sharedHtml()). */
export const REMINDER_PLACEHOLDERS = ['firstName', 'nudge', 'deadline', 'progress', 'shared', 'sharedHtml', 'replyTo', 'replyAddress'] as const;

export function reminderSubject(training: Training, language: Language = 'en'): string {
  return t(language, 'reminder.subject', { date: formatCalendarDate(training.closes, 'long', false, language), title: training.title });
}

const h2 = (s: string) => `<h2 style="margin:0;font-size:20px;line-height:1.3;font-weight:700;">${s}</h2>`;
const linkStyle = `color:${light.link};text-decoration:underline;`;

export function reminderLayout(series: Series, training: Training, trainings: readonly Training[], language: Language = series.language ?? 'en'): LayoutInput {
  const { n, of } = positionOf(training, trainings);
  const m = (key: Parameters<typeof t>[1], values?: Record<string, string | number>) => messageHtml(language, key, values);
  const say = (key: Parameters<typeof t>[1], values?: Record<string, string | number>) => t(language, key, values);
  const md: MarkdownOptions = { source: `${String(training.order).padStart(2, '0')}-${training.slug}.md (title)` };
  const replyTo = placeholder('replyTo');
  const replyAddress = placeholder('replyAddress');
  const strategies = [...training.strategies].sort((a, b) => a.number - b.number);
  const share = shareMail(training);

  const adoptLinks = strategies
    .map(
      (s) =>
        `<li style="margin:0 0 6px;"><a class="bt-link" href="${escapeHtml(mailtoUri(replyTo, adoptMail(s)))}" style="${linkStyle}">` +
        `${m('common.adopt', { number: s.number })}</a>: ${markdownInlineToEmailHtml(s.title, md)}</li>`,
    )
    .join('');

  const bodyMjml = [
    section(
      block(`${m('common.training', { n, of })} · ${m('reminder.friendly')}`, { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(`<h1 style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">${markdownInlineToEmailHtml(training.title, md)}</h1>`, {
          cssClass: 'bt-title',
          padding: '0 24px 16px',
        }) +
        block(m('reminder.greeting', { firstName: placeholder('firstName'), nudge: placeholder('nudge') })),
    ),
    panel(`<strong>${m('common.closes')}</strong> ${placeholder('deadline')}<br>${placeholder('progress')}`),
    section(block(h2(m('reminder.sharedSoFar')), { padding: '8px 24px 12px' }) + block(`{${placeholder('sharedHtml')}}`)),
    section(
      `<mj-divider css-class="bt-rule" border-width="1px" border-color="${light.border}" padding="8px 24px 16px" />` +
        block(h2(m('common.yourTurn')), { padding: '0 24px 12px' }) +
        button(m('common.shareStrategy'), escapeHtml(mailtoUri(replyTo, share)), { title: say('common.shareTitle', { title: training.title }) }) +
        (strategies.length
          ? block(`${m('reminder.pickOne')}<ul style="margin:8px 0 0;padding:0 0 0 20px;">${adoptLinks}</ul>`)
          : '') +
        block(
          `${m('common.justReply')} ` +
            m('common.repliesGoTo', { address: `<a class="bt-link" href="mailto:${replyTo}" style="${linkStyle}">${replyAddress}</a>` }) +
            '.',
          { padding: '0 24px 16px' },
        ),
    ),
  ].join('\n');

  const keep = (x: string) => x.replace(/ /g, KEEP);
  const title = markdownInlineToText(training.title, md);
  const underline = (s: string) => `${s}\n${'-'.repeat(s.length)}`;
  const bodyText = [
    plain(`${say('common.training', { n, of })}, ${say('reminder.friendly')}`),
    `${title}\n${'='.repeat(Math.min(76, title.length))}`,
    say('reminder.greeting', { firstName: placeholder('firstName'), nudge: placeholder('nudge') }),
    `${say('common.closes')} ${placeholder('deadline')}\n${placeholder('progress')}`,
    underline(say('reminder.sharedSoFar')),
    placeholder('shared'),
    underline(say('common.yourTurn')),
    [
      wrapText(`- ${say('common.shareBySubject', { subject: keep(`"${plain(share.subject)}"`) })}`, 76, '', '  '),
      ...strategies.map((s) =>
        wrapText(
          `- ${say('reminder.adoptBySubject', { number: s.number, title: plain(markdownInlineToText(s.title, md)), subject: keep(`"Adopt #${s.number}"`) })}`,
          76,
          '',
          '  ',
        ),
      ),
      `- ${say('common.justReply')}`,
      '',
      say('common.repliesGoTo', { address: replyAddress }),
    ].join('\n'),
  ].join('\n\n');

  return {
    series,
    title: reminderSubject(training, language),
    preheader: text(say('reminder.preheader', { title: training.title, date: formatCalendarDate(training.closes, 'long', false, language) })),
    bodyMjml,
    bodyText,
    language,
  };
}

export async function compileReminder(series: Series, training: Training, trainings: readonly Training[], language: Language = series.language ?? 'en'): Promise<CompiledEmail> {
  return compileLayout(reminderLayout(series, training, trainings, language), reminderSubject(training, language), `reminder "${training.slug}"`);
}
