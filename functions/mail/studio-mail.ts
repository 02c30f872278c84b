// The two emails the trainer studio sends itself: the sign-in link, and the one personal nudge a
// trainer may send to someone who has not engaged yet. Plain and short, text and HTML.
import { buildMessage, formatAddress, type Address } from './mime.ts';
import { escapeHtml } from './escape.ts';
import { FONT_STACK, light } from './palette.ts';

export interface StudioMailInput {
  from: string;
  to: string;
  domain: string;
  now: Date;
  /** A unique part of the Message-ID (the nonce, the delivery id). */
  id: string;
}

/** The sender setting (`Baton <training@example.com>` or a bare address) under a display name. */
export function studioSender(senderAddress: string, name: string): { header: Address; envelope: string } {
  const address = senderAddress.match(/<([^>]+)>/)?.[1] ?? senderAddress;
  const header = { name, address };
  // SES takes this as FromEmailAddress, one line.
  return { header, envelope: formatAddress(header).replace(/\r\n /g, ' ') };
}

const shell = (paragraphs: string[], button?: { href: string; label: string }) =>
  `<div style="font:16px/1.5 ${FONT_STACK};color:${light.text};max-width:34rem">` +
  paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join('') +
  (button
    ? `<p style="margin:24px 0"><a href="${escapeHtml(button.href)}" style="display:inline-block;background:${light.accent};color:${light.onAccent};padding:12px 24px;border-radius:8px;text-decoration:none;font-weight:600">${escapeHtml(button.label)}</a></p>`
    : '') +
  '</div>';

export function signInMail(input: StudioMailInput & { link: string; minutes: number; seriesTitles: string[] }): string {
  const lines = [
    `Someone (hopefully you) asked to sign in to the Baton studio as ${input.to}.`,
    `The link works once, for ${input.minutes} minutes. Series you run: ${input.seriesTitles.join('; ')}.`,
    'If it was not you, ignore this email: nothing happens without the link.',
  ];
  return buildMessage({
    from: studioSender(input.from, 'Baton studio').header,
    to: input.to,
    subject: 'Your sign-in link to the Baton studio',
    date: input.now,
    messageId: `studio-signin.${input.id}@${input.domain}`,
    headers: { 'Auto-Submitted': 'auto-generated' },
    text: `${lines[0]}\n\nSign in: ${input.link}\n\n${lines.slice(1).join('\n\n')}\n`,
    html: shell(lines, { href: input.link, label: 'Sign in to the studio' }),
    boundarySeed: input.id,
  });
}

export function nudgeMail(input: StudioMailInput & { trainerName: string; replyTo: string; personName: string; seriesTitle: string; trainingTitle: string }): string {
  const first = input.personName.trim().split(/\s+/)[0] ?? input.personName;
  const lines = [
    `Hi ${first},`,
    `${input.trainerName} here, from “${input.seriesTitle}”. “${input.trainingTitle}” is waiting for you, and the team would love to hear from you.`,
    'Reply to this email with the strategy you would like to try, or one of your own: a sentence is plenty.',
  ];
  return buildMessage({
    from: studioSender(input.from, `${input.trainerName} via Baton`).header,
    to: input.to,
    replyTo: input.replyTo,
    subject: `${first}, a word from ${input.trainerName} about “${input.trainingTitle}”`,
    date: input.now,
    messageId: `studio-nudge.${input.id}@${input.domain}`,
    text: `${lines.join('\n\n')}\n`,
    html: shell(lines),
    boundarySeed: input.id,
  });
}
