// The one short answer to a reply Baton would not take: what went wrong, in a sentence, and how
// to answer so that it counts. It names no participant, series or address of ours beyond the
// sender's own, because it may go to someone who is not enrolled at all.
import { createHash } from 'node:crypto';
import type { MailSettings } from '#mail/compose';
import type { BuiltMail } from './deliver.ts';
import { buildMessage, formatAddress, type Address } from '#mail/mime';
import type { RejectReason } from '#core/rejection';

export interface BounceBackInput {
  to: string;
  reason: RejectReason;
  /** The subject of the mail being answered. */
  subject: string;
  inReplyTo: string;
  settings: Pick<MailSettings, 'domain' | 'senderAddress'>;
  now: Date;
  /** The UTC day the bounce-back is counted on: part of its Message-ID. */
  day: string;
}

function why(reason: RejectReason): string {
  if (reason === 'expired-token') return 'The reply address in the email you answered has expired: it belongs to a series that ended a while ago.';
  if (reason === 'spoofed-sender') return 'It came from a different address than the one that email was sent to, and each reply address only works for its own recipient.';
  return 'It was not sent as a reply to an email from Baton, so Baton cannot tell whose it is.';
}

export function composeBounceBack(input: BounceBackInput): BuiltMail {
  const subject = `Not delivered to the training: ${input.subject.replace(/^(?:re|aw|sv|fw|fwd):\s*/i, '').slice(0, 120) || 'your reply'}`;
  const how =
    input.reason === 'expired-token'
      ? 'If your training series is still running, reply to the most recent email Baton sent you, from the address it was sent to.'
      : 'To take part, open the email Baton sent you and press Reply there, from the address it was sent to. Replies to that email (not new messages) are how Baton knows they are yours.';
  const text = `Hello,\n\nYour message was not added to the training. ${why(input.reason)}\n\n${how}\n\nThis is an automatic message; you will get at most one a day.\n`;
  const html = `<p>Hello,</p><p>Your message was not added to the training. ${why(input.reason)}</p><p>${how}</p><p>This is an automatic message; you will get at most one a day.</p>`;
  const id = createHash('sha256').update(`${input.to}#${input.day}`).digest('hex').slice(0, 24);
  const messageId = `<bounce-back.${id}@${input.settings.domain}>`;
  // The sender setting may carry a display name ("Baton <training@…>"); the header gets it whole.
  const sender = input.settings.senderAddress;
  const from: Address = { name: sender.match(/^\s*"?([^"<]*?)"?\s*</)?.[1] || 'Baton', address: sender.match(/<([^>]+)>/)?.[1] ?? sender.trim() };
  return {
    from: formatAddress(from),
    to: input.to,
    raw: buildMessage({
      from,
      to: input.to,
      subject,
      date: input.now,
      messageId,
      inReplyTo: input.inReplyTo,
      references: [input.inReplyTo],
      // RFC 3834: an auto-reply, so the other side's auto-responders stay quiet.
      headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
      text,
      html,
      boundarySeed: messageId,
    }),
  };
}
