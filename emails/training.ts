// The training email: the article, its media and the numbered strategies, with the ways to answer
// (mark read, share a strategy, adopt one, or just reply). Builds MJML and plain text of equal
// content; recipient-specific parts are placeholders filled by trainingValues().
import type { Series, Training } from '#core/model';
// Hrefs holding placeholders are escaped with escapeHtml only: protecting their braces would
// turn {{replyTo}} into literal text. Authored parts of a mailto are percent-encoded anyway.
import { escapeHtml, mailtoUri, placeholder } from '#mail/escape';
import { block, button, layoutMjml, layoutText, panel, plain, section, text, type LayoutInput } from './layout.ts';
import { KEEP, markdownInlineToEmailHtml, markdownInlineToText, markdownToEmailHtml, markdownToText, wrapText, type MarkdownOptions } from '#mail/markdown';
import { light } from '#mail/palette';
import { listenMinutes } from '#core/audio';
import { t } from '#mail/messages/index';

export interface SourceRef {
  file: string;
  line?: number;
}

export interface TemplateOptions {
  /** Base URL for relative links and images in authored Markdown. */
  baseUrl?: string;
  /** Where a training's article and strategies were authored, for error messages. */
  sourceOf?: (training: Training) => SourceRef;
  /** The generated audio version (app/audio.ts), linked unless the trainer gave a recording. */
  audio?: { url: string; seconds: number };
}

/** Trainings in the order participants get them. */
export function ordered(trainings: readonly Training[]): Training[] {
  return [...trainings].sort((a, b) => a.order - b.order);
}

export function positionOf(training: Training, trainings: readonly Training[]): { n: number; of: number } {
  const list = ordered(trainings);
  const i = list.findIndex((t) => t.slug === training.slug);
  if (i === -1) throw new Error(`Training "${training.slug}" is not in the series' trainings (${list.map((t) => t.slug).join(', ')}).`);
  return { n: i + 1, of: list.length };
}

export function encouragement(series: Series, trainings: readonly Training[]): string | undefined {
  const e = series.policies.encourage;
  if (!e) return undefined;
  return `We encourage everyone to contribute to at least ${e.atLeast} of the ${e.of ?? trainings.length} trainings.`;
}

export function trainingSubject(series: Series, training: Training, trainings: readonly Training[]): string {
  // Phones show ~40 characters of a subject: the training's own title first. The series name is
  // already in the sender line and the List-Id.
  const { n, of } = positionOf(training, trainings);
  return `${training.title} (training ${n} of ${of})`;
}

/** What the Share and Adopt mailto links prefill; exported so tests and the reply parser agree. */
export function shareMail(training: Training): { subject: string; body: string } {
  return { subject: `Strategy: ${training.title}`, body: 'A strategy that works for me:\n\n' };
}

export function adoptMail(strategy: { number: number; title: string }): { subject: string; body: string } {
  return { subject: `Adopt #${strategy.number}: ${strategy.title}`, body: "Why I'll adopt it / how I'll use it:\n\n" };
}

function mdOptions(training: Training, opts: TemplateOptions, what: string): MarkdownOptions {
  const ref = opts.sourceOf?.(training);
  const file = ref?.file ?? `${String(training.order).padStart(2, '0')}-${training.slug}.md`;
  return { source: `${file} (${what})`, ...(ref?.line ? { startLine: ref.line } : {}), ...(opts.baseUrl ? { baseUrl: opts.baseUrl } : {}) };
}

function mediaLinks(training: Training, generated?: TemplateOptions['audio']): Array<{ label: string; url: string }> {
  const m = training.media;
  return [
    m.audio
      ? { label: 'Listen to the audio version', url: m.audio }
      : generated
        ? // The training's frame is English for now (messages/ has the label in every language).
          { label: t('en', 'audio.listen', { minutes: listenMinutes(generated.seconds) }), url: generated.url }
        : undefined,
    m.video ? { label: 'Watch the video version', url: m.video } : undefined,
    m.slides ? { label: 'Flip through the slides', url: m.slides } : undefined,
  ]
    .filter((x): x is { label: string; url: string } => x !== undefined)
    .map((x) => {
      if (!/^https?:\/\//i.test(x.url)) {
        throw new Error(`Training "${training.slug}": the media link "${x.url}" must be an http(s) address that mail clients can open.`);
      }
      return x;
    });
}

const h2 = (s: string) => `<h2 style="margin:0;font-size:20px;line-height:1.3;font-weight:700;">${s}</h2>`;
const linkStyle = `color:${light.link};text-decoration:underline;`;

export function trainingLayout(series: Series, training: Training, trainings: readonly Training[], opts: TemplateOptions = {}): LayoutInput {
  const { n, of } = positionOf(training, trainings);
  const subject = trainingSubject(series, training, trainings);
  const encourage = encouragement(series, trainings);
  const replyTo = placeholder('replyTo');
  const replyAddress = placeholder('replyAddress');
  const share = shareMail(training);
  const media = mediaLinks(training, opts.audio);
  const article = mdOptions(training, opts, 'article');
  const strategies = [...training.strategies].sort((a, b) => a.number - b.number);

  // ---- HTML ----
  const windowPanel =
    `<strong>Your window:</strong> ${placeholder('window')}<br>` +
    `<strong>Closes:</strong> ${placeholder('deadline')}` +
    (encourage ? `<br>${text(encourage)}` : '');

  const mediaHtml = media.length
    ? block(
        `<strong>Prefer to listen or watch?</strong><br>` +
          media.map((m) => `<a class="bt-link" href="${text(m.url)}" target="_blank" style="${linkStyle}">${text(m.label)}</a>`).join('<br>'),
      )
    : '';

  const strategyBlocks = strategies
    .map((s) => {
      const so = mdOptions(training, opts, `strategy #${s.number}`);
      const adopt = adoptMail(s);
      const badge =
        `<span class="bt-badge" style="display:inline-block;min-width:28px;padding:2px 0;margin-right:8px;border-radius:14px;` +
        `background-color:${light.accent};color:${light.onAccent};text-align:center;font-size:15px;font-weight:700;">${s.number}</span>`;
      return (
        block(`<h3 style="margin:8px 0 8px;font-size:18px;line-height:1.35;font-weight:700;">${badge}${markdownInlineToEmailHtml(s.title, so)}</h3>${markdownToEmailHtml(s.body, so)}`, {
          padding: '0 24px 4px',
        }) +
        button(`Adopt #${s.number}`, escapeHtml(mailtoUri(replyTo, adopt)), {
          secondary: true,
          title: `Adopt #${s.number}: ${s.title} (opens an email to the trainers)`,
          padding: '0 24px 24px',
        })
      );
    })
    .join('\n');

  const bodyMjml = [
    section(
      block(`Training ${n} of ${of} · by ${text(training.author)}`, { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(`<h1 style="margin:0;font-size:28px;line-height:1.25;font-weight:700;">${markdownInlineToEmailHtml(training.title, article)}</h1>`, {
          cssClass: 'bt-title',
          padding: '0 24px 16px',
        }) +
        block(`Hi ${placeholder('firstName')}, here is training ${n} of ${of}. Read it when it suits you, then tell the team what works for you: the ways to answer are at the end.`),
    ),
    panel(windowPanel),
    mediaHtml ? section(mediaHtml) : '',
    section(block(markdownToEmailHtml(training.body, article), { padding: '8px 24px 8px' })),
    strategies.length
      ? section(
          `<mj-divider css-class="bt-rule" border-width="1px" border-color="${light.border}" padding="8px 24px 16px" />` +
            block(h2(`Strategies (${strategies.length})`), { padding: '0 24px 12px' }) +
            strategyBlocks,
        )
      : '',
    section(
      `<mj-divider css-class="bt-rule" border-width="1px" border-color="${light.border}" padding="8px 24px 16px" />` +
        block(h2('Your turn'), { padding: '0 24px 12px' }) +
        block('Read it? One click lets the trainers know:', { padding: '0 24px 8px' }) +
        button('Mark as read', placeholder('readUrl'), { title: `Mark "${training.title}" as read` }) +
        block('Something works well for you? Share it with the team:', { padding: '0 24px 8px' }) +
        button('Share a strategy', escapeHtml(mailtoUri(replyTo, share)), { secondary: true }) +
        block(
          (strategies.length ? 'Want to try one of the strategies above? Use its <strong>Adopt</strong> button and tell us why and how. ' : '') +
            `Or just reply to this email: write above the line at the top. Replies go to ` +
            `<a class="bt-link" href="mailto:${replyTo}" style="${linkStyle}">${replyAddress}</a>.`,
          { padding: '8px 24px 16px' },
        ),
    ),
  ].join('\n');

  // ---- plain text ----
  const rule = (title: string) => `${title}\n${'-'.repeat(title.length)}`;
  const textParts: string[] = [
    wrapText(plain(`Training ${n} of ${of}, by ${training.author}`)),
    `${markdownInlineToText(training.title, article)}\n${'='.repeat(Math.min(76, training.title.length))}`,
    wrapText(`Hi ${placeholder('firstName')}, here is training ${n} of ${of}. Read it when it suits you, then tell the team what works for you: the ways to answer are at the end.`),
    [`Your window: ${placeholder('window')}`, `Closes: ${placeholder('deadline')}`, ...(encourage ? [wrapText(encourage)] : [])].join('\n'),
  ];
  if (media.length) textParts.push(['Prefer to listen or watch?', ...media.map((m) => `- ${m.label}: ${plain(m.url)}`)].join('\n'));
  textParts.push(markdownToText(training.body, article));
  if (strategies.length) {
    textParts.push(rule(`Strategies (${strategies.length})`));
    for (const s of strategies) {
      const so = mdOptions(training, opts, `strategy #${s.number}`);
      textParts.push(`${s.number}. ${markdownInlineToText(s.title, so)}\n\n${markdownToText(s.body, so)}`);
    }
  }
  const keep = (x: string) => x.replace(/ /g, KEEP);
  const actions = [
    `- Mark as read (one click):\n  ${placeholder('readUrl')}`,
    wrapText(`- Share a strategy: reply with the subject ${keep(`"${plain(share.subject)}"`)}`, 76, '', '  '),
    ...strategies.map((s) =>
      wrapText(
        `- Adopt #${s.number} (${plain(s.title)}): reply with the subject ${keep(`"Adopt #${s.number}"`)} and say why and how you'll use it`,
        76,
        '',
        '  ',
      ),
    ),
    '- Or just reply to this email: write above the line at the top.',
    '',
    `Replies go to ${replyAddress}`,
  ];
  textParts.push(rule('Your turn'), actions.join('\n'));

  return {
    series,
    title: subject,
    preheader: `Training ${n} of ${of} by ${text(training.author)}. Your window: ${placeholder('window')}.`,
    bodyMjml,
    bodyText: textParts.join('\n\n'),
  };
}

export function trainingMjml(series: Series, training: Training, trainings: readonly Training[], opts?: TemplateOptions): string {
  return layoutMjml(trainingLayout(series, training, trainings, opts));
}

/**
 * The text alternative compileTraining writes, without compiling the MJML: what a participant
 * quotes back when they answer, which is all that reading a reply offline needs of the email
 * (`baton parse-reply --series`). Compiling the HTML it never reads cost every reply tens of
 * milliseconds and the command loading mjml.
 */
export function trainingText(series: Series, training: Training, trainings: readonly Training[], opts?: TemplateOptions): string {
  return layoutText(trainingLayout(series, training, trainings, opts));
}
