// The acknowledgement: a short "thanks, we got it" after a contribution, saying what Baton
// understood (a strategy, the adoption of #2, a comment …) so that a misreading can be corrected
// by simply replying. Compiled once per series at publish time like every other email; the
// per-message values (what was understood, an excerpt) are filled by mail/compose's prepareAckSend.
import type { Series } from '#core/model';
import { compileMjml, type CompiledEmail } from './compile.ts';
import { placeholder } from '#mail/escape';
import { block, layoutMjml, layoutText, section, type LayoutInput } from './layout.ts';
import { wrapText } from '#mail/markdown';

/** Placeholders of the ack email besides the layout's. */
export const ACK_PLACEHOLDERS = ['subject', 'firstName', 'trainingTitle', 'understood', 'ackHtml', 'ackText', 'replyAddress'] as const;

export function ackLayout(series: Series): LayoutInput {
  const intro = `Hi ${placeholder('firstName')}, thanks! We got your reply to “${placeholder('trainingTitle')}” and read it as ${placeholder('understood')}.`;
  const correct =
    'Or reply to this email and say it in a sentence ("I meant #1"): a reply to this email corrects what is recorded above. ' +
    'Your words above are what teammates will see in the roll-up.';
  // What was recorded (with one-click corrections), or the question, changes per reply: a raw slot
  // filled at send time, as the digest's lists are.
  const bodyMjml = [
    section(block(intro, { padding: '0 24px 16px' })),
    section(block(`{${placeholder('ackHtml')}}`, { padding: '0 24px 8px' })),
    section(block(correct, { muted: true, size: 14, padding: '0 24px 16px' })),
  ].join('\n');
  const bodyText = [wrapText(intro), placeholder('ackText'), wrapText(correct), `Replies go to ${placeholder('replyAddress')}`].join('\n\n');
  return { series, title: series.title, preheader: `We read it as ${placeholder('understood')}.`, bodyMjml, bodyText };
}

export async function compileAck(series: Series): Promise<CompiledEmail> {
  const layout = ackLayout(series);
  // The subject is the participant's own with "Re:", so the ack threads under their reply; it is
  // all placeholder, so it is not brace-protected as authored subjects are.
  return { subject: placeholder('subject'), html: await compileMjml(layoutMjml(layout), 'acknowledgement'), text: layoutText(layout) };
}
