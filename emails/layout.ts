// The frame every Baton email shares: language, colours (light and dark), the reply marker where a
// quoted reply starts, the series header, and the footer that says why the reader gets this and
// how to stop. Each email only supplies its body, as MJML and as plain text of the same content.
// Pure string building: compile.ts runs mjml on the result at publish time.
import { REPLY_MARKER } from '#core/reply-marker';
import type { Language, Series } from '#core/model';
import { directionOf, listOf, t, type MessageKey } from '#mail/messages/index';
import { escapeHtml, placeholder, protectBraces } from '#mail/escape';
import { dark, FONT_STACK, light } from '#mail/palette';
import { wrapText } from '#mail/markdown';

/** Placeholders the layout itself uses: every email's values must provide them. */
export const LAYOUT_PLACEHOLDERS = ['unsubscribeUrl', 'calendarsOffUrl', 'preferencesUrl', 'timeZoneName'] as const;

export interface LayoutInput {
  series: Series;
  /** The email's title (the HTML <title>), usually its subject. */
  title: string;
  /** The preview line inboxes show after the subject. May contain placeholders. */
  preheader: string;
  /** mj-section / mj-wrapper elements for the card. Authored text must already be escaped. */
  bodyMjml: string;
  /** The same content as plain text, already wrapped. */
  bodyText: string;
  /**
   * Who reads it. Trainers' mail (the digest) is not answered into the series, so it gets no reply
   * marker, and its footer says why a trainer gets it instead of "you are taking part".
   */
  audience?: 'participants' | 'trainers';
  /** The language of Baton's own words in it (messages/); trainers' mail stays English. Default: English. */
  language?: Language;
}

/**
 * One catalogue message as HTML: its own text escaped (&, <, >), its values given as HTML
 * already, so a translation can move a value (a bold title, a link) anywhere in the sentence.
 */
export function messageHtml(language: Language, key: MessageKey, values: Record<string, string | number> = {}): string {
  const slots = Object.keys(values);
  const marked = t(language, key, Object.fromEntries(slots.map((k, i) => [k, typeof values[k] === 'number' ? values[k]! : `\u0000${i}\u0000`])));
  return marked.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\u0000(\d+)\u0000/g, (_, i: string) => String(values[slots[Number(i)]!]));
}

/** Escapes authored text for MJML/HTML and protects its braces from the filler. */
export function text(s: string): string {
  return escapeHtml(protectBraces(s));
}

/** Protects authored text's braces for a plain-text template. */
export function plain(s: string): string {
  return protectBraces(s);
}

export function trainerNames(series: Series, language: Language = 'en'): string {
  return listOf(language, series.trainers.map((t) => t.name));
}

// ---- small MJML builders, so templates read as structure rather than attribute soup -----------

export function section(children: string, opts: { cssClass?: string; padding?: string; background?: string } = {}): string {
  const attrs = [
    `padding="${opts.padding ?? '0'}"`,
    opts.cssClass ? `css-class="${opts.cssClass}"` : '',
    opts.background ? `background-color="${opts.background}"` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `<mj-section ${attrs}><mj-column>${children}</mj-column></mj-section>`;
}

/** A tinted panel for what the reader must not miss (their window, the deadline). */
export function panel(html: string): string {
  return (
    `<mj-section padding="0 24px 16px"><mj-column css-class="bt-soft" background-color="${light.soft}" border-radius="6px">` +
    `${block(html, { padding: '14px 20px' })}</mj-column></mj-section>`
  );
}

/** An mj-text with body styling; `html` is trusted (already escaped) HTML. */
export function block(html: string, opts: { muted?: boolean; size?: number; padding?: string; cssClass?: string } = {}): string {
  const cls = ['bt-text', opts.muted ? 'bt-muted' : '', opts.cssClass ?? ''].filter(Boolean).join(' ');
  const size = opts.size ? ` font-size="${opts.size}px"` : '';
  const color = opts.muted ? ` color="${light.muted}"` : '';
  return `<mj-text css-class="${cls}"${size}${color} padding="${opts.padding ?? '0 24px 16px'}">${html}</mj-text>`;
}

export function button(label: string, href: string, opts: { secondary?: boolean; title?: string; padding?: string } = {}): string {
  const cls = opts.secondary ? 'bt-btn2' : 'bt-btn';
  const colors = opts.secondary
    ? `background-color="${light.soft}" color="${light.onSoft}" border="1px solid ${light.border}"`
    : `background-color="${light.accent}" color="${light.onAccent}"`;
  const title = opts.title ? ` title="${text(opts.title)}"` : '';
  return (
    `<mj-button css-class="${cls}" href="${href}"${title} ${colors} align="left" font-size="16px" font-weight="600" ` +
    `border-radius="6px" inner-padding="12px 20px" padding="${opts.padding ?? '0 24px 16px'}">${text(label)}</mj-button>`
  );
}

// Lists built at send time (digest, roll-up, teammates' contributions) and small hand-made pieces
// (rating buttons) colour themselves with inline light-palette styles: they carry no classes and
// must not need the layout. In dark mode each of those inline colours is swapped for its dark
// twin, matched on the style attribute; the selectors outrank `.bt-text a` so buttons keep their
// label colour.
function inlinePaletteToDark(): string {
  const d = dark;
  const styled = (prop: string, value: string, tag = '') => `.bt-text ${tag}[style*="${prop}:${value}"]`;
  return [
    `  ${styled('color', light.muted)} { color: ${d.muted} !important; }`,
    `  ${styled('border-left', `3px solid ${light.quoteBar}`)} { border-left-color: ${d.quoteBar} !important; }`,
    `  ${styled('background-color', light.accent)} { background-color: ${d.accent} !important; }`,
    `  ${styled('background-color', light.accent, 'a')} { color: ${d.onAccent} !important; }`,
    `  ${styled('background-color', light.soft)} { background-color: ${d.soft} !important; border-color: ${d.border} !important; }`,
    `  ${styled('background-color', light.soft, 'a')} { color: ${d.onSoft} !important; }`,
  ].join('\n');
}

function darkModeCss(): string {
  const d = dark;
  // Clients that honour prefers-color-scheme (Apple Mail, Outlook for Mac, Thunderbird) get a real
  // dark palette; the others invert on their own. Inline light styles need !important to lose.
  return `
:root { color-scheme: light dark; supported-color-schemes: light dark; }
.bt-text > div { overflow-wrap: anywhere; }
@media (prefers-color-scheme: dark) {
  body, .bt-page, div[role="article"] { background-color: ${d.page} !important; }
  .bt-card, .bt-card > table, .bt-card > table > tbody > tr > td { background-color: ${d.card} !important; }
  .bt-text > div { color: ${d.text} !important; }
  .bt-muted > div { color: ${d.muted} !important; }
  .bt-text a, .bt-link { color: ${d.link} !important; }
  .bt-pre, .bt-code { background-color: ${d.codeBg} !important; color: ${d.codeText} !important; }
  .bt-quote { border-left-color: ${d.quoteBar} !important; }
  .bt-cell, .bt-rule p { border-color: ${d.border} !important; }
  .bt-soft, .bt-soft > table, .bt-soft > table > tbody > tr > td { background-color: ${d.soft} !important; }
  .bt-soft .bt-text > div { color: ${d.onSoft} !important; }
  .bt-btn td, .bt-btn a { background-color: ${d.accent} !important; color: ${d.onAccent} !important; }
  .bt-btn2 td, .bt-btn2 a { background-color: ${d.soft} !important; color: ${d.onSoft} !important; border-color: ${d.border} !important; }
  .bt-badge { background-color: ${d.accent} !important; color: ${d.onAccent} !important; }
${inlinePaletteToDark()}
}
@media only screen and (max-width: 480px) {
  .bt-text > div { font-size: 16px !important; }
  .bt-title > div { font-size: 24px !important; }
}`;
}

/** The line above the header: where a reply starts, or (trainers) that participants never see this. */
export const TRAINERS_ONLY = 'For the trainers of this series: participants do not get this email.';

const STOP_DIGEST = 'To stop these digests, take your name out of the trainers in series.yaml and publish again.';

/** The whole email as MJML: head, reply marker, header, the body in a card, footer. */
/**
 * The inbox preview line, hidden in the body. MJML's <mj-preview> paints it white (#ffffff) on
 * the page, and SpamAssassin's HTML_FONT_LOW_CONTRAST scores that as hidden text on every email;
 * this one sets no colour at all: it is hidden by its size and display, not by contrast.
 */
function preheader(textHtml: string): string {
  return `<mj-raw><div class="bt-preheader" style="display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all;">${textHtml}</div></mj-raw>`;
}

export function layoutMjml(input: LayoutInput): string {
  const { series } = input;
  const trainers = input.audience === 'trainers';
  const lang = trainers ? 'en' : (input.language ?? 'en');
  const zone = messageHtml(lang, 'layout.zone', { zone: placeholder('timeZoneName') });
  const why = trainers
    ? `You get this weekly digest because you run <strong>${text(series.title)}</strong> (trainers: ${text(trainerNames(series))}). ${zone}`
    : `${messageHtml(lang, 'layout.why', { title: `<strong>${text(series.title)}</strong>`, trainers: text(trainerNames(series, lang)) })} ${zone}`;
  const unsubscribe = (label: string) =>
    `<a class="bt-link" href="${placeholder('unsubscribeUrl')}" style="color:${light.muted};text-decoration:underline;">${label}</a>`;
  // The preference link: the same emails, without invitations or focus time (click-link.ts).
  const calendarsOff = (label: string) =>
    `<a class="bt-link" href="${placeholder('calendarsOffUrl')}" style="color:${light.muted};text-decoration:underline;">${label}</a>`;
  // The preferences page: reminders, roll-ups, calendar entries, bites, a pause (click-link.ts).
  const preferences = (label: string) =>
    `<a class="bt-link" href="${placeholder('preferencesUrl')}" style="color:${light.muted};text-decoration:underline;">${label}</a>`;
  const help = trainers
    ? `${text(STOP_DIGEST)} ${unsubscribe('Stop participant emails to this address')}`
    : `${messageHtml(lang, 'layout.questions')} ${preferences(messageHtml(lang, 'layout.preferences'))} · ${unsubscribe(messageHtml(lang, 'layout.unsubscribe'))} · ${calendarsOff(messageHtml(lang, 'layout.calendarsOff'))}`;
  // Left to mjml's dir="auto" unless the language is written right to left.
  return `<mjml lang="${lang}"${directionOf(lang) === 'rtl' ? ' dir="rtl"' : ''}>
<mj-head>
<mj-title>${text(input.title)}</mj-title>
<mj-breakpoint width="480px" />
<mj-attributes>
<mj-all font-family="${FONT_STACK}" />
<mj-text font-size="16px" line-height="1.6" color="${light.text}" />
<mj-section padding="0" />
</mj-attributes>
<mj-raw><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"></mj-raw>
<mj-style>${darkModeCss()}</mj-style>
</mj-head>
<mj-body background-color="${light.page}" width="600px" css-class="bt-page">
${preheader(input.preheader)}
${section(block(text(trainers ? TRAINERS_ONLY : REPLY_MARKER), { muted: true, size: 12, padding: '16px 24px 8px' }), { cssClass: 'bt-marker' })}
${section(block(text(series.title.toUpperCase()), { muted: true, size: 13, padding: '8px 24px 12px', cssClass: 'bt-series' }))}
<mj-wrapper css-class="bt-card" background-color="${light.card}" border-radius="8px" padding="24px 0 8px">
${input.bodyMjml}
</mj-wrapper>
${section(
  block(why, { muted: true, size: 13, padding: '20px 24px 8px' }) + block(help, { muted: true, size: 13, padding: '0 24px 32px' }),
)}
</mj-body>
</mjml>`;
}

/** The plain-text alternative with the same frame. */
export function layoutText(input: LayoutInput): string {
  const { series } = input;
  const trainers = input.audience === 'trainers';
  const lang = trainers ? 'en' : (input.language ?? 'en');
  const why = wrapText(
    protectBraces(
      trainers
        ? `You get this weekly digest because you run "${series.title}" (trainers: ${trainerNames(series)}). `
        : `${t(lang, 'layout.why', { title: `"${series.title}"`, trainers: trainerNames(series, lang) })} `,
    ) + t(lang, 'layout.zone', { zone: placeholder('timeZoneName') }),
  );
  const help = trainers
    ? [wrapText(STOP_DIGEST), `Stop participant emails to this address: ${placeholder('unsubscribeUrl')}`]
    : [
        t(lang, 'layout.questions'),
        `${t(lang, 'layout.preferences')}: ${placeholder('preferencesUrl')}`,
        `${t(lang, 'layout.unsubscribe')}: ${placeholder('unsubscribeUrl')}`,
        `${t(lang, 'layout.calendarsOff')}: ${placeholder('calendarsOffUrl')}`,
      ];
  return [
    trainers ? TRAINERS_ONLY : REPLY_MARKER,
    '',
    protectBraces(series.title.toUpperCase()),
    '',
    input.bodyText.trim(),
    '',
    '-- ',
    why,
    ...help,
    '',
  ].join('\n');
}

