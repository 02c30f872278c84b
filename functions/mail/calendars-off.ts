// The email that takes Baton's entries out of someone's calendar after they turned calendar
// entries off (the footer link, click-link.ts). Written by hand, like upload-link.ts, rather than
// compiled at publish: a series published before the preference existed can still send it.
// Placeholders are filled by prepareCancelSend like any compiled template's.
import type { CompiledEmail } from './fill.ts';
import { dark, light, FONT_STACK } from './palette.ts';

const p = (inner: string) => `<p style="margin:0 0 16px;">${inner}</p>`;

export function calendarsOffEmail(seriesTitle: string): CompiledEmail {
  // The title is authored text: escape it here, the placeholders are escaped by the fill.
  const title = seriesTitle.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/\{\{/g, '&#123;&#123;');
  const plainTitle = seriesTitle.replace(/\{\{/g, '{ {');
  const body = 'Calendar entries are off, as you asked. This email cancels the entries Baton had placed in your calendar; the emails of the series keep coming.';
  return {
    subject: `Calendar entries off: ${plainTitle}`,
    text: [`Hi {{firstName}},`, '', body, '', 'Changed your mind? Reply to any email from the series.', '', `Unsubscribe from this series: {{unsubscribeUrl}}`, ''].join('\n'),
    html:
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>Calendar entries off</title>` +
      `<style>@media (prefers-color-scheme: dark){body.bt-page{background-color:${dark.page} !important;color:${dark.text} !important;}.bt-card{background-color:${dark.card} !important;color:${dark.text} !important;}.bt-link{color:${dark.link} !important;}}</style></head>` +
      `<body class="bt-page" style="margin:0;padding:24px;background-color:${light.page};font-family:${FONT_STACK.replace(/'/g, '&#39;')};font-size:16px;line-height:1.6;color:${light.text};">` +
      `<div class="bt-card" style="max-width:560px;margin:0 auto;padding:24px;background-color:${light.card};border-radius:8px;">` +
      p(`<strong>${title}</strong>`) +
      p('Hi {{firstName}},') +
      p(body) +
      p('Changed your mind? Reply to any email from the series.') +
      p(`<a class="bt-link" href="{{unsubscribeUrl}}" style="color:${light.link};text-decoration:underline;">Unsubscribe from this series</a>`) +
      `</div></body></html>`,
  };
}
