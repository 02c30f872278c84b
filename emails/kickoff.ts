// The kickoff email: the series intro, the whole calendar, and how to take part. Sent once per
// participant before the first window opens.
import type { Series, Training } from '#core/model';
import { placeholder } from '#mail/escape';
import { formatCalendarDate, formatWindow } from '#mail/dates';
import { block, layoutMjml, panel, plain, section, text, trainerNames, type LayoutInput } from './layout.ts';
import { markdownInlineToEmailHtml, markdownInlineToText, markdownToEmailHtml, markdownToText, wrapText, type MarkdownOptions } from '#mail/markdown';
import { light } from '#mail/palette';
import { encouragement, ordered, type TemplateOptions } from './training.ts';

export interface KickoffOptions extends Omit<TemplateOptions, 'sourceOf'> {
  /** Where the series intro was authored (series.yaml or README.md), for error messages. */
  introSource?: { file: string; line?: number };
}

export function kickoffSubject(series: Series, trainings: readonly Training[]): string {
  return `Welcome to ${series.title}: your calendar for ${trainings.length} trainings`;
}

const HOW = [
  'Each training arrives by email on the morning its window opens. Read it when it suits you.',
  'Read it? Click "Mark as read" in the email, so the trainers know it landed.',
  'Share a strategy or technique that works for you, or pick one of the presented strategies you want to adopt and say why and how.',
  'Everything works by replying to the email: text, links, screenshots or a short video.',
  "Your teammates' contributions come back to you in a weekly roll-up, and everything ends up in the team wiki, with credit.",
];

export function kickoffLayout(series: Series, trainings: readonly Training[], opts: KickoffOptions = {}): LayoutInput {
  const list = ordered(trainings);
  const intro: MarkdownOptions = {
    source: opts.introSource?.file ?? `series "${series.id}" intro`,
    ...(opts.introSource?.line ? { startLine: opts.introSource.line } : {}),
    ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}),
  };
  const titleOpts = (t: Training): MarkdownOptions => ({ source: `${String(t.order).padStart(2, '0')}-${t.slug}.md (title)` });
  const encourage = encouragement(series, trainings);
  const subject = kickoffSubject(series, list);
  const first = list[0];

  const calendarHtml = list
    .map(
      (t, i) =>
        `<tr><td style="padding:10px 12px 10px 0;vertical-align:top;width:32px;">` +
        `<span class="bt-badge" style="display:inline-block;width:28px;padding:2px 0;border-radius:14px;background-color:${light.accent};color:${light.onAccent};text-align:center;font-size:15px;font-weight:700;">${i + 1}</span></td>` +
        `<td class="bt-cell" style="padding:10px 0;vertical-align:top;border-bottom:1px solid ${light.border};">` +
        `<strong>${markdownInlineToEmailHtml(t.title, titleOpts(t))}</strong><br>` +
        `<span>${text(formatWindow(t.opens, t.closes, 'short'))} · by ${text(t.author)}</span></td></tr>`,
    )
    .join('');

  const bodyMjml = [
    section(
      block(`<h1 style="margin:0;font-size:28px;line-height:1.25;font-weight:700;">Welcome to ${text(series.title)}</h1>`, {
        cssClass: 'bt-title',
        padding: '0 24px 16px',
      }) +
        block(`Hi ${placeholder('firstName')},`, { padding: '0 24px 8px' }) +
        block(markdownToEmailHtml(series.intro, intro), { padding: '0 24px 8px' }),
    ),
    section(
      block(`<h2 style="margin:0;font-size:20px;line-height:1.3;font-weight:700;">The calendar</h2>`, { padding: '8px 24px 8px' }) +
        block(`<table role="presentation" style="width:100%;border-collapse:collapse;">${calendarHtml}</table>`, { padding: '0 24px 16px' }),
    ),
    panel(
      `Each window closes at the <strong>end of its last day, in your time zone</strong> (${placeholder('timeZoneName')}).` +
        (encourage ? `<br>${text(encourage)}` : ''),
    ),
    section(
      block(`<h2 style="margin:0;font-size:20px;line-height:1.3;font-weight:700;">How to take part</h2>`, { padding: '8px 24px 8px' }) +
        block(`<ol style="margin:0;padding:0 0 0 24px;">${HOW.map((h) => `<li style="margin:0 0 8px;">${text(h)}</li>`).join('')}</ol>`) +
        block(
          `Your trainers: ${text(trainerNames(series))}. ` +
            (first ? `The first training, <strong>${markdownInlineToEmailHtml(first.title, titleOpts(first))}</strong>, arrives on ${text(formatCalendarDate(first.opens))}. ` : '') +
            `Questions before then? Reply to this email or write to ` +
            `<a class="bt-link" href="mailto:${placeholder('replyTo')}" style="color:${light.link};text-decoration:underline;">${placeholder('replyAddress')}</a>.`,
        ),
    ),
  ].join('\n');

  const calendarText = list
    .map((t, i) => {
      const head = `${i + 1}. ${markdownInlineToText(t.title, titleOpts(t))}`;
      return `${wrapText(head, 76, '', '   ')}\n   ${plain(formatWindow(t.opens, t.closes, 'short'))}, by ${plain(t.author)}`;
    })
    .join('\n');
  const bodyText = [
    `Welcome to ${plain(series.title)}\n${'='.repeat(Math.min(76, series.title.length + 11))}`,
    `Hi ${placeholder('firstName')},`,
    markdownToText(series.intro, intro),
    `The calendar\n------------`,
    calendarText,
    [
      `Each window closes at the end of its last day, in your time zone (${placeholder('timeZoneName')}).`,
      ...(encourage ? [wrapText(encourage)] : []),
    ].join('\n'),
    `How to take part\n----------------`,
    HOW.map((h, i) => wrapText(h, 76, `${i + 1}. `, '   ')).join('\n'),
    wrapText(
      plain(
        `Your trainers: ${trainerNames(series)}. ` +
          (first ? `The first training, "${first.title}", arrives on ${formatCalendarDate(first.opens)}. ` : ''),
      ) + `Questions before then? Reply to this email or write to ${placeholder('replyAddress')}.`,
    ),
  ].join('\n\n');

  return {
    series,
    title: subject,
    preheader: text(`${list.length} trainings by ${trainerNames(series)}, one window at a time. Here is the calendar.`),
    bodyMjml,
    bodyText,
  };
}

export function kickoffMjml(series: Series, trainings: readonly Training[], opts?: KickoffOptions): string {
  return layoutMjml(kickoffLayout(series, trainings, opts));
}
