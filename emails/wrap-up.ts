// The wrap-up, after the last window: thanks, what the team contributed (credited, per training),
// and a three-question survey answered by replying (each answer a prefilled mailto). Compiled once
// per series at publish time; the totals and each training's contributions are the same for every
// recipient and are built once per send (raw slots for the HTML lists), the personal line per recipient (wrapUpValues()).
import type { Language, Series, Training } from '#core/model';
import { escapeHtml, mailtoUri, placeholder } from '#mail/escape';
import { t, type MessageKey } from '#mail/messages/index';
import { compileLayout } from './compile.ts';
import type { CompiledEmail } from '#mail/fill';
import { block, messageHtml, panel, plain, section, text, trainerNames, type LayoutInput } from './layout.ts';
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

/**
 * The survey: every answer is a reply with a fixed subject, so the inbound side can tally them.
 * Subjects stay English in every language (the reply reader matches them); what people read is
 * the question and answer in their language (`survey.*` in messages/).
 */
export const SURVEY = {
  useful: { question: 'How useful was the series for you, from 1 (not at all) to 5 (very)?', answers: ['1', '2', '3', '4', '5'] },
  format: { question: 'Which format would you like next?', answers: ['written', 'audio', 'video', 'daily bites'] },
  change: { question: 'What should we change next time?' },
} as const;

/** A survey answer as the reader sees it: a number as is, a format in their language. */
const answerLabel = (language: Language, answer: string): string =>
  /^\d+$/.test(answer) ? answer : t(language, `survey.${answer === 'daily bites' ? 'bites' : answer}` as MessageKey);

export function surveyMail(question: keyof typeof SURVEY, answer?: string): { subject: string; body: string } {
  if (question === 'useful') return { subject: `Survey: usefulness ${answer}/5`, body: 'Anything to add:\n\n' };
  if (question === 'format') return { subject: `Survey: next format ${answer}`, body: 'Anything to add:\n\n' };
  return { subject: 'Survey: what to change', body: 'What I would change:\n\n' };
}

export function wrapUpSubject(series: Series, language: Language = 'en'): string {
  return t(language, 'wrapUp.subject', { title: series.title });
}

const h2 = (s: string) => `<h2 style="margin:0;font-size:20px;line-height:1.3;font-weight:700;">${s}</h2>`;
const h3 = (s: string) => `<h3 style="margin:0;font-size:17px;line-height:1.35;font-weight:700;">${s}</h3>`;
const linkStyle = `color:${light.link};text-decoration:underline;`;

export function wrapUpLayout(series: Series, trainings: readonly Training[], opts: WrapUpOptions = {}, language: Language = series.language ?? 'en'): LayoutInput {
  const list = ordered(trainings);
  const replyTo = placeholder('replyTo');
  const say = (key: MessageKey, values?: Record<string, string | number>) => t(language, key, values);
  const m = (key: MessageKey, values?: Record<string, string | number>) => messageHtml(language, key, values);
  const md = (t: Training): MarkdownOptions => ({ source: `${String(t.order).padStart(2, '0')}-${t.slug}.md (title)` });
  if (opts.wikiUrl && !/^https?:\/\//i.test(opts.wikiUrl)) {
    throw new Error(`The wiki address "${opts.wikiUrl}" must be an http(s) address that mail clients can open.`);
  }
  const strong = (s: string) => `<strong>${s}</strong>`;
  const counts = { contributions: placeholder('contributionCount'), contributors: placeholder('contributorCount'), strategies: placeholder('strategyCount') };
  const totals = m('wrapUp.totals', {
    trainings: strong(m('wrapUp.trainings', { n: list.length })),
    contributions: strong(counts.contributions),
    contributors: strong(counts.contributors),
    strategies: strong(counts.strategies),
  });
  const question = (q: keyof typeof SURVEY) => say(`survey.${q}` as MessageKey);

  const pick = (q: 'useful' | 'format') =>
    SURVEY[q].answers
      .map((a) => `<a class="bt-link" href="${escapeHtml(mailtoUri(replyTo, surveyMail(q, a)))}" style="${linkStyle}">${text(answerLabel(language, a))}</a>`)
      .join(' · ');

  const bodyMjml = [
    section(
      block(`<h1 style="margin:0;font-size:28px;line-height:1.25;font-weight:700;">${m('wrapUp.thanks')}</h1>`, { cssClass: 'bt-title', padding: '0 24px 16px' }) +
        block(m('wrapUp.intro', { firstName: placeholder('firstName'), title: strong(text(series.title)), trainers: text(trainerNames(series, language)) }), {
          padding: '0 24px 8px',
        }) + block(placeholder('personal')),
    ),
    panel(totals),
    section(
      block(h2(m('wrapUp.shared')), { padding: '8px 24px 12px' }) +
        list
          .map((t, i) => block(h3(`${i + 1}. ${markdownInlineToEmailHtml(t.title, md(t))}`), { padding: '0 24px 8px' }) + block(`{${placeholder(sharedHtmlPlaceholder(i + 1))}}`))
          .join('') +
        (opts.wikiUrl
          ? block(m('wrapUp.wiki', { wiki: `<a class="bt-link" href="${text(opts.wikiUrl)}" style="${linkStyle}">${m('wrapUp.wikiLink')}</a>` }))
          : ''),
    ),
    section(
      `<mj-divider css-class="bt-rule" border-width="1px" border-color="${light.border}" padding="8px 24px 16px" />` +
        block(h2(m('wrapUp.questions')), { padding: '0 24px 12px' }) +
        block(m('wrapUp.eachAnswer'), { padding: '0 24px 12px' }) +
        block(`<strong>1. ${text(question('useful'))}</strong><br>${pick('useful')}`) +
        block(`<strong>2. ${text(question('format'))}</strong><br>${pick('format')}`) +
        block(
          `<strong>3. ${text(question('change'))}</strong><br>` +
            `<a class="bt-link" href="${escapeHtml(mailtoUri(replyTo, surveyMail('change')))}" style="${linkStyle}">${m('wrapUp.tellUs')}</a> ` +
            m('wrapUp.to', { address: `<a class="bt-link" href="mailto:${replyTo}" style="${linkStyle}">${placeholder('replyAddress')}</a>` }),
        ),
    ),
  ].join('\n');

  const rule = (title: string) => `${title}\n${'-'.repeat(title.length)}`;
  const thanks = say('wrapUp.thanks');
  const bodyText = [
    `${thanks}\n${'='.repeat(thanks.length)}`,
    wrapText(say('wrapUp.intro', { firstName: placeholder('firstName'), title: plain(`"${series.title}"`), trainers: plain(trainerNames(series, language)) })),
    placeholder('personal'),
    say('wrapUp.totalsText', { trainings: say('wrapUp.trainings', { n: list.length }), ...counts }),
    rule(say('wrapUp.shared')),
    ...list.map((t, i) => `${wrapText(`${i + 1}. ${markdownInlineToText(t.title, md(t))}`, 76, '', '   ')}\n\n${placeholder(sharedPlaceholder(i + 1))}`),
    ...(opts.wikiUrl ? [say('wrapUp.wikiText', { url: plain(opts.wikiUrl) })] : []),
    rule(say('wrapUp.questions')),
    [
      say('wrapUp.answerByReply'),
      '',
      wrapText(`1. ${say('wrapUp.usefulText', { question: question('useful'), subject: `"${surveyMail('useful', '4').subject}"` })}`, 76, '', '   '),
      wrapText(
        `2. ${say('wrapUp.formatText', {
          question: question('format'),
          answers: SURVEY.format.answers.map((a) => answerLabel(language, a)).join(', '),
          subject: `"${surveyMail('format', 'audio').subject}"`,
        })}`,
        76,
        '',
        '   ',
      ),
      wrapText(`3. ${say('wrapUp.changeText', { question: question('change'), subject: `"${surveyMail('change').subject}"` })}`, 76, '', '   '),
      '',
      say('common.repliesGoTo', { address: placeholder('replyAddress') }),
    ].join('\n'),
  ].join('\n\n');

  return {
    series,
    title: wrapUpSubject(series, language),
    preheader: text(say('wrapUp.preheader', { n: list.length })),
    bodyMjml,
    bodyText,
    language,
  };
}

export async function compileWrapUp(series: Series, trainings: readonly Training[], opts?: WrapUpOptions, language: Language = series.language ?? 'en'): Promise<CompiledEmail> {
  return compileLayout(wrapUpLayout(series, trainings, opts, language), wrapUpSubject(series, language), 'wrap-up');
}
