// The acknowledgement: a short "thanks, we got it" after a contribution, saying what Baton
// understood (a strategy, the adoption of #2, a comment …) so that a misreading can be corrected
// by simply replying. Compiled once per series at publish time like every other email; the
// per-message values (what was understood, an excerpt) are filled by mail/compose's prepareAckSend.
import type { Language, Series } from '#core/model';
import { t } from '#mail/messages/index';
import { compileMjml, type CompiledEmail } from './compile.ts';
import { placeholder } from '#mail/escape';
import { block, layoutMjml, layoutText, messageHtml, section, type LayoutInput } from './layout.ts';
import { wrapText } from '#mail/markdown';

/** Placeholders of the ack email besides the layout's. */
export const ACK_PLACEHOLDERS = ['subject', 'firstName', 'trainingTitle', 'understood', 'ackHtml', 'ackText', 'replyAddress'] as const;

export function ackLayout(series: Series, language: Language = series.language ?? 'en'): LayoutInput {
  const values = { firstName: placeholder('firstName'), trainingTitle: placeholder('trainingTitle'), understood: placeholder('understood') };
  const intro = t(language, 'ack.intro', values);
  const correct = t(language, 'ack.correct');
  // What was recorded (with one-click corrections), or the question, changes per reply: a raw slot
  // filled at send time, as the digest's lists are.
  const bodyMjml = [
    section(block(messageHtml(language, 'ack.intro', values), { padding: '0 24px 16px' })),
    section(block(`{${placeholder('ackHtml')}}`, { padding: '0 24px 8px' })),
    section(block(messageHtml(language, 'ack.correct'), { muted: true, size: 14, padding: '0 24px 16px' })),
  ].join('\n');
  const bodyText = [wrapText(intro), placeholder('ackText'), wrapText(correct), t(language, 'common.repliesGoTo', { address: placeholder('replyAddress') })].join('\n\n');
  return { series, title: series.title, preheader: t(language, 'ack.preheader', { understood: placeholder('understood') }), bodyMjml, bodyText, language };
}

export async function compileAck(series: Series, language?: Language): Promise<CompiledEmail> {
  const layout = ackLayout(series, language);
  // The subject is the participant's own with "Re:", so the ack threads under their reply; it is
  // all placeholder, so it is not brace-protected as authored subjects are.
  return { subject: placeholder('subject'), html: await compileMjml(layoutMjml(layout), 'acknowledgement'), text: layoutText(layout) };
}
