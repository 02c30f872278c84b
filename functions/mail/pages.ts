// The small HTML pages a one-click link answers with: a confirmation with one button, the outcome,
// and the errors. Self-contained (inline CSS, no scripts, images or fonts), so the strict
// Content-Security-Policy below holds and the page works in any browser a mail client opens.
// Colours come from the email palette, whose text/background pairs are held to 4.5:1 by a test.
import type { Language } from '#core/model';
import { formatDate } from '#core/time';
import { formatCalendarDate } from './dates.ts';
import { escapeHtml } from './escape.ts';
import { directionOf, t } from './messages/index.ts';
import { dark, FONT_STACK, light } from './palette.ts';

export interface PageReply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** A form that POSTs back to the link; the only way a page changes anything. */
export interface PageForm {
  /** Path of the link itself (`/l/<token>`), so `form-action 'self'` allows it. */
  action: string;
  button: string;
  /** Hidden fields: the unsubscribe form sends RFC 8058's `List-Unsubscribe=One-Click`. */
  fields?: Record<string, string>;
  /** Choices above the button (the preferences page): each a group of options or a date. */
  controls?: PageControl[];
}

/** One question on a form: pick one of a few options, or a date (empty allowed). */
export type PageControl =
  | { kind: 'choice'; name: string; legend: string; options: ReadonlyArray<{ value: string; label: string }>; value: string }
  | { kind: 'date'; name: string; legend: string; hint: string; value: string; min: string; max: string };

function renderControl(c: PageControl): string {
  const legend = `<legend>${escapeHtml(c.legend)}</legend>`;
  if (c.kind === 'date') {
    const id = `f-${escapeHtml(c.name)}`;
    return (
      `<fieldset>${legend}<label class="date" for="${id}">${escapeHtml(c.hint)}</label>` +
      `<input type="date" id="${id}" name="${escapeHtml(c.name)}" value="${escapeHtml(c.value)}" min="${escapeHtml(c.min)}" max="${escapeHtml(c.max)}"></fieldset>`
    );
  }
  const options = c.options
    .map(
      (o) =>
        `<label class="option"><input type="radio" name="${escapeHtml(c.name)}" value="${escapeHtml(o.value)}"${o.value === c.value ? ' checked' : ''}> <span>${escapeHtml(o.label)}</span></label>`,
    )
    .join('');
  return `<fieldset>${legend}${options}</fieldset>`;
}

export interface PageContent {
  /** Shown above the heading ("Q1 training series…"), when the series is known. */
  context?: string;
  /** The one h1: what happened, or what the button will do. */
  heading: string;
  /** Plain-text paragraphs (escaped here). */
  paragraphs?: string[];
  /** Quoted text, such as the teammate's contribution a kudos is for. */
  quote?: string;
  form?: PageForm;
  /** A line in smaller print under everything else. */
  note?: string;
  /** The language the page is written in (the participant's, messages/); default English. */
  language?: Language;
}

/** A date on a page (YYYY-MM-DD or an ISO instant's day): Baton's English "Sun 31 Jan 2027", or the reader's language's own. */
export function pageDate(language: Language, iso: string): string {
  const day = iso.slice(0, 10);
  return language === 'en' ? formatDate(day) : formatCalendarDate(day, 'long', true, language);
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
};

const STYLE = `
:root{color-scheme:light dark;--page:${light.page};--card:${light.card};--text:${light.text};--muted:${light.muted};--accent:${light.accent};--on-accent:${light.onAccent};--soft:${light.soft};--on-soft:${light.onSoft};--border:${light.border}}
@media (prefers-color-scheme:dark){:root{--page:${dark.page};--card:${dark.card};--text:${dark.text};--muted:${dark.muted};--accent:${dark.accent};--on-accent:${dark.onAccent};--soft:${dark.soft};--on-soft:${dark.onSoft};--border:${dark.border}}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--page);color:var(--text);font:1rem/1.55 ${FONT_STACK}}
main{max-width:34rem;margin:0 auto;padding:2rem 1rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:12px;padding:1.5rem}
.context{margin:0 0 .75rem;color:var(--muted);font-size:.875rem}
h1{margin:0 0 1rem;font-size:1.5rem;line-height:1.3}
p{margin:0 0 1rem}
h1,p,blockquote{overflow-wrap:anywhere}
blockquote{margin:0 0 1rem;padding:.75rem 1rem;background:var(--soft);color:var(--on-soft);border-radius:8px;white-space:pre-line}
form{margin:1.5rem 0 0}
button{font:inherit;font-weight:600;color:var(--on-accent);background:var(--accent);border:0;border-radius:8px;padding:.75rem 1.5rem;min-height:44px;width:100%;cursor:pointer}
button:hover{filter:brightness(1.1)}
button:focus-visible{outline:3px solid var(--text);outline-offset:3px}
fieldset{margin:0 0 1rem;padding:0;border:0;border-top:1px solid var(--border);padding-top:.75rem}
legend{font-weight:600;padding:0 0 .25rem}
.option{display:flex;gap:.5rem;align-items:center;min-height:44px;cursor:pointer}
.option input{width:1.25rem;height:1.25rem;margin:0;accent-color:var(--accent);flex:none}
.date{display:block;color:var(--muted);font-size:.875rem;margin:0 0 .5rem}
input[type=date]{font:inherit;color:var(--text);background:var(--card);border:1px solid var(--border);border-radius:8px;padding:.5rem .75rem;min-height:44px;width:100%;max-width:16rem}
.note{margin:1.5rem 0 0;color:var(--muted);font-size:.875rem}
.brand{margin:1rem 0 0;text-align:center;color:var(--muted);font-size:.875rem}
`
  .trim()
  .replace(/\n/g, '');

/** The whole document for one page. */
export function renderPage(content: PageContent): string {
  const parts: string[] = [];
  if (content.context) parts.push(`<p class="context">${escapeHtml(content.context)}</p>`);
  parts.push(`<h1>${escapeHtml(content.heading)}</h1>`);
  for (const p of content.paragraphs ?? []) parts.push(`<p>${escapeHtml(p)}</p>`);
  if (content.quote) parts.push(`<blockquote>${escapeHtml(content.quote)}</blockquote>`);
  if (content.form) {
    const { action, button, fields = {}, controls = [] } = content.form;
    const hidden = Object.entries(fields)
      .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
      .join('');
    parts.push(`<form method="post" action="${escapeHtml(action)}">${hidden}${controls.map(renderControl).join('')}<button type="submit">${escapeHtml(button)}</button></form>`);
  }
  if (content.note) parts.push(`<p class="note">${escapeHtml(content.note)}</p>`);
  const title = content.context ? `${content.heading} · ${content.context}` : content.heading;
  const lang = content.language ?? 'en';
  return (
    '<!doctype html>' +
    `<html lang="${lang}"${directionOf(lang) === 'rtl' ? ' dir="rtl"' : ''}><head><meta charset="utf-8">` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<meta name="color-scheme" content="light dark">' +
    '<meta name="referrer" content="no-referrer">' +
    '<meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)}</title>` +
    `<style>${STYLE}</style></head>` +
    `<body><main><div class="card">${parts.join('')}</div><p class="brand">${escapeHtml(t(lang, 'page.brand'))}</p></main></body></html>`
  );
}

export function page(status: number, content: PageContent, extraHeaders: Record<string, string> = {}): PageReply {
  return { status, headers: { ...SECURITY_HEADERS, ...extraHeaders }, body: renderPage(content) };
}
