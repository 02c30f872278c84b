// The wrap-up, after the last window: thanks, what the team contributed (credited, per training),
// and a three-question survey answered by replying (each answer a prefilled mailto). Compiled once
// per series at publish time; the totals and each training's contributions are the same for every
// recipient and are built once per send (raw slots for the HTML lists), the personal line per recipient (wrapUpValues()).
import type { Series, Training } from '#core/model';
import { escapeHtml, mailtoUri, placeholder } from '#mail/escape';
import { compileLayout } from './compile.ts';
import type { CompiledEmail } from '#mail/fill';
import { block, panel, plain, section, text, trainerNames, type LayoutInput } from './layout.ts';
import { markdownInlineToEmailHtml, markdownInlineToText, wrapText, type MarkdownOptions } from '#mail/markdown';
import { light } from '#mail/palette';
import { ordered } from './training.ts';

export interface WrapUpOptions {
  /** Where the series' contributions are published (the team wiki), if anywhere. */
  wikiUrl?: string;
}

/** Placeholders of the wrap-up besides the layout's and the per-training `shared<i>` ones. */
export const WRAP_UP_PLACEHOLDERS = ['firstName', 'personal', 'contributionCount', 'contributorCount', 'strategyCount', 'replyTo', 'replyAddress'] as const;

/** The text placeholder of training `i` (1-based, in order) and its raw HTML twin (values.ts sharedHtml). */
export const sharedPlaceholder = (i: number) => `shared${i}`;
export const sharedHtmlPlaceholder = (i: number) => `sharedHtml${i}`;

/** The survey: every answer is a reply with a fixed subject, so the inbound side can tally them. */
export const SURVEY = {
  useful: { question: 'How useful was the series for you, from 1 (not at all) to 5 (very)?', answers: ['1', '2', '3', '4', '5'] },
  format: { question: 'Which format would you like next?', answers: ['written', 'audio', 'video', 'daily bites'] },
  change: { question: 'What should we change next time?' },
} as const;

export function surveyMail(question: keyof typeof SURVEY, answer?: string): { subject: string; body: string } {
  if (question === 'useful') return { subject: `Survey: usefulness ${answer}/5`, body: 'Anything to add:\n\n' };
  if (question === 'format') return { subject: `Survey: next format ${answer}`, body: 'Anything to add:\n\n' };
  return { subject: 'Survey: what to change', body: 'What I would change:\n\n' };
}

export function wrapUpSubject(series: Series): string {
  return `${series.title}: thank you, and what we shared`;
}

const h2 = (s: string) => `<h2 style="margin:0;font-size:20px;line-height:1.3;font-weight:700;">${s}</h2>`;
const h3 = (s: string) => `<h3 style="margin:0;font-size:17px;line-height:1.35;font-weight:700;">${s}</h3>`;
const linkStyle = `color:${light.link};text-decoration:underline;`;

export function wrapUpLayout(series: Series, trainings: readonly Training[], opts: WrapUpOptions = {}): LayoutInput {
  const list = ordered(trainings);
  const replyTo = placeholder('replyTo');
  const md = (t: Training): MarkdownOptions => ({ source: `${String(t.order).padStart(2, '0')}-${t.slug}.md (title)` });
  if (opts.wikiUrl && !/^https?:\/\//i.test(opts.wikiUrl)) {
    throw new Error(`The wiki address "${opts.wikiUrl}" must be an http(s) address that mail clients can open.`);
  }
  const totals =
    `<strong>${list.length} trainings</strong> · <strong>${placeholder('contributionCount')}</strong> from ` +
    `<strong>${placeholder('contributorCount')}</strong> · <strong>${placeholder('strategyCount')}</strong> of your own`;

  const pick = (q: 'useful' | 'format') =>
    SURVEY[q].answers
      .map((a) => `<a class="bt-link" href="${escapeHtml(mailtoUri(replyTo, surveyMail(q, a)))}" style="${linkStyle}">${text(a)}</a>`)
      .join(' · ');

  const bodyMjml = [
    section(
      block(`<h1 style="margin:0;font-size:28px;line-height:1.25;font-weight:700;">Thank you!</h1>`, { cssClass: 'bt-title', padding: '0 24px 16px' }) +
        block(
          `Hi ${placeholder('firstName')}, that's a wrap for <strong>${text(series.title)}</strong>. ` +
            `${text(trainerNames(series))} thank you for reading, trying things out and sharing what works.`,
          { padding: '0 24px 8px' },
        ) + block(placeholder('personal')),
    ),
    panel(totals),
    section(
      block(h2('What the team shared'), { padding: '8px 24px 12px' }) +
        list
          .map((t, i) => block(h3(`${i + 1}. ${markdownInlineToEmailHtml(t.title, md(t))}`), { padding: '0 24px 8px' }) + block(`{${placeholder(sharedHtmlPlaceholder(i + 1))}}`))
          .join('') +
        (opts.wikiUrl
          ? block(`Everything, with credit, is in the <a class="bt-link" href="${text(opts.wikiUrl)}" style="${linkStyle}">team wiki</a>.`)
          : ''),
    ),
    section(
      `<mj-divider css-class="bt-rule" border-width="1px" border-color="${light.border}" padding="8px 24px 16px" />` +
        block(h2('Three quick questions'), { padding: '0 24px 12px' }) +
        block(`Each answer is a reply to this email: click one and press send.`, { padding: '0 24px 12px' }) +
        block(`<strong>1. ${text(SURVEY.useful.question)}</strong><br>${pick('useful')}`) +
        block(`<strong>2. ${text(SURVEY.format.question)}</strong><br>${pick('format')}`) +
        block(
          `<strong>3. ${text(SURVEY.change.question)}</strong><br>` +
            `<a class="bt-link" href="${escapeHtml(mailtoUri(replyTo, surveyMail('change')))}" style="${linkStyle}">Tell us in a reply</a>` +
            ` (to <a class="bt-link" href="mailto:${replyTo}" style="${linkStyle}">${placeholder('replyAddress')}</a>).`,
        ),
    ),
  ].join('\n');

  const rule = (title: string) => `${title}\n${'-'.repeat(title.length)}`;
  const bodyText = [
    `Thank you!\n==========`,
    wrapText(
      `Hi ${placeholder('firstName')}, ${plain(`that's a wrap for "${series.title}". ${trainerNames(series)} thank you for reading, trying things out and sharing what works.`)}`,
    ),
    placeholder('personal'),
    `${list.length} trainings, ${placeholder('contributionCount')} from ${placeholder('contributorCount')}, ${placeholder('strategyCount')} of your own.`,
    rule('What the team shared'),
    ...list.map((t, i) => `${wrapText(`${i + 1}. ${markdownInlineToText(t.title, md(t))}`, 76, '', '   ')}\n\n${placeholder(sharedPlaceholder(i + 1))}`),
    ...(opts.wikiUrl ? [`Everything, with credit, is in the team wiki: ${plain(opts.wikiUrl)}`] : []),
    rule('Three quick questions'),
    [
      'Answer by replying to this email:',
      '',
      wrapText(`1. ${SURVEY.useful.question} Reply with the number, e.g. subject "${surveyMail('useful', '4').subject}".`, 76, '', '   '),
      wrapText(`2. ${SURVEY.format.question} ${SURVEY.format.answers.join(', ')}? E.g. subject "${surveyMail('format', 'audio').subject}".`, 76, '', '   '),
      wrapText(`3. ${SURVEY.change.question} Subject "${surveyMail('change').subject}".`, 76, '', '   '),
      '',
      `Replies go to ${placeholder('replyAddress')}`,
    ].join('\n'),
  ].join('\n\n');

  return {
    series,
    title: wrapUpSubject(series),
    preheader: text(`Thank you for taking part. Here is what the team shared across ${list.length} trainings, and three quick questions.`),
    bodyMjml,
    bodyText,
  };
}

export async function compileWrapUp(series: Series, trainings: readonly Training[], opts?: WrapUpOptions): Promise<CompiledEmail> {
  return compileLayout(wrapUpLayout(series, trainings, opts), wrapUpSubject(series), 'wrap-up');
}
