// The acknowledgement: a short "thanks, we got it" after a contribution, saying what Baton
// understood (a strategy, the adoption of #2, a comment …) so that a misreading can be corrected
// by simply replying. Compiled once per series at publish time like every other email; the
// per-message values (what was understood, an excerpt) are filled by mail/compose's prepareAckSend.
import type { Series } from '#core/model';
import { compileMjml, type CompiledEmail } from './compile.ts';
import { placeholder } from '#mail/escape';
import { block, layoutMjml, layoutText, panel, section, type LayoutInput } from './layout.ts';
import { wrapText } from '#mail/markdown';

/** Placeholders of the ack email besides the layout's. */
export const ACK_PLACEHOLDERS = ['subject', 'firstName', 'trainingTitle', 'understood', 'excerpt', 'replyAddress'] as const;

export function ackLayout(series: Series): LayoutInput {
  const intro = `Hi ${placeholder('firstName')}, thanks! We got your reply to “${placeholder('trainingTitle')}” and read it as ${placeholder('understood')}.`;
  const correct =
    'Not what you meant? Just reply to this email and say so in a sentence: the trainers read every reply. ' +
    'Your words above are what teammates will see in the roll-up.';
  const bodyMjml = [
    section(block(intro, { padding: '0 24px 16px' })),
    panel(`<em>${placeholder('excerpt')}</em>`),
    section(block(correct, { muted: true, size: 14, padding: '0 24px 16px' })),
  ].join('\n');
  const bodyText = [wrapText(intro), `  ${placeholder('excerpt')}`, wrapText(correct), `Replies go to ${placeholder('replyAddress')}`].join('\n\n');
  return { series, title: series.title, preheader: `We read it as ${placeholder('understood')}.`, bodyMjml, bodyText };
}

export async function compileAck(series: Series): Promise<CompiledEmail> {
  const layout = ackLayout(series);
  // The subject is the participant's own with "Re:", so the ack threads under their reply; it is
  // all placeholder, so it is not brace-protected as authored subjects are.
  return { subject: placeholder('subject'), html: await compileMjml(layoutMjml(layout), 'acknowledgement'), text: layoutText(layout) };
}
