// The answer to a reply whose attachments are too large (or of a kind we do not keep): their
// words were stored, the files were not, and here is where to share them instead. Built at
// runtime in the inbound Lambda, so it uses neither mjml nor marked: a small hand-written HTML
// part with inline styles, and the same content as plain text.
import { escapeHtml, mailtoUri } from './escape.ts';
import { dark, light, FONT_STACK } from './palette.ts';

export interface SkippedFile {
  filename: string;
  size: number;
  /** Why it was not kept: over the size limit, or a type we do not keep. */
  reason: 'too-large' | 'type';
}

export interface UploadLinkInput {
  firstName: string;
  trainingTitle: string;
  subject: string;
  files: SkippedFile[];
  /** Configured upload page; without one, the participant is asked to reply with a share link. */
  uploadUrl?: string;
  /** The participant's reply address (a reply with a link is routed like any other). */
  replyAddress: string;
  maxFileBytes: number;
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} bytes`;
}

export function uploadLinkEmail(input: UploadLinkInput): { subject: string; text: string; html: string } {
  const files = input.files.map(
    (f) => `${f.filename} (${formatBytes(f.size)}${f.reason === 'too-large' ? `, over the ${formatBytes(input.maxFileBytes)} limit` : ', a file type we cannot keep'})`,
  );
  const intro = `Hi ${input.firstName}, thanks for your reply to “${input.trainingTitle}”. We saved what you wrote, but not ${files.length === 1 ? 'this file' : 'these files'}:`;
  const mailto = mailtoUri(input.replyAddress, { subject: input.subject, body: 'Here is the link to my file: ' });
  const how = input.uploadUrl
    ? 'Please upload it here instead, and it will be added to your contribution:'
    : 'Please share it as a link instead (Google Drive, OneDrive, Dropbox, Loom, YouTube …) by replying to this email with the link. Videos are best shared that way anyway.';
  const text = [
    intro,
    '',
    ...files.map((f) => `- ${f}`),
    '',
    how,
    ...(input.uploadUrl ? [input.uploadUrl] : []),
    '',
    `Replies go to ${input.replyAddress}`,
    '',
  ].join('\n');
  const p = (inner: string) => `<p style="margin:0 0 16px;">${inner}</p>`;
  const link = (href: string, label: string) => `<a class="bt-link" href="${escapeHtml(href)}" style="color:${light.link};text-decoration:underline;">${escapeHtml(label)}</a>`;
  const html =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><meta name="supported-color-schemes" content="light dark"><title>${escapeHtml(input.subject)}</title>` +
    DARK_STYLE +
    `</head>` +
    `<body class="bt-page" style="margin:0;padding:24px;background-color:${light.page};font-family:${escapeHtml(FONT_STACK)};font-size:16px;line-height:1.6;color:${light.text};">` +
    `<div class="bt-card" style="max-width:560px;margin:0 auto;padding:24px;background-color:${light.card};border-radius:8px;">` +
    p(escapeHtml(intro)) +
    `<ul style="margin:0 0 16px;padding-left:20px;">${files.map((f) => `<li>${escapeHtml(f)}</li>`).join('')}</ul>` +
    p(escapeHtml(how)) +
    (input.uploadUrl ? p(link(input.uploadUrl, input.uploadUrl)) : p(link(mailto, 'Reply with a link'))) +
    `</div></body></html>`;
  return { subject: input.subject, text, html };
}

// Written by hand rather than through MJML (it is composed when a reply arrives, not at publish),
// so it carries the same dark palette as the templated emails itself: clients that honour
// prefers-color-scheme would otherwise show a white card in a dark inbox. Inline light styles
// need !important to lose.
const DARK_STYLE =
  '<style>:root{color-scheme:light dark;supported-color-schemes:light dark;}' +
  '@media (prefers-color-scheme: dark){' +
  `body.bt-page{background-color:${dark.page} !important;color:${dark.text} !important;}` +
  `.bt-card{background-color:${dark.card} !important;color:${dark.text} !important;}` +
  `.bt-link{color:${dark.link} !important;}` +
  '}</style>';
