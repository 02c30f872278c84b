// Cancellations: a training removed from a published series, or a participant removed from it.
// Both carry METHOD:CANCEL for the calendar holds the reader was sent, so their calendar drops
// them. One template each per series, compiled at publish time: a removed training is no longer
// in the series folder, so its title and dates are filled at send time from what was announced.
import type { Series } from '#core/model';
import { compileLayout, type CompiledEmail } from './compile.ts';
import { placeholder } from '#mail/escape';
import { block, plain, section, text, type LayoutInput } from './layout.ts';


/** Placeholders of the training cancellation besides the layout's. */
export const CANCEL_PLACEHOLDERS = ['firstName', 'trainingTitle', 'window'] as const;
export const CANCEL_SUBJECT = `${placeholder('trainingTitle')} is cancelled`;

export function removedSubject(series: Series): string {
  return `You've been removed from ${series.title}`;
}

const h1 = (s: string) => `<h1 style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">${s}</h1>`;

export function cancelLayout(series: Series): LayoutInput {
  const body = `Hi ${placeholder('firstName')}, this training (${placeholder('window')}) will not take place.`;
  const rest = 'This email removes its holds from your calendar. The rest of the series goes on as planned.';
  return {
    series,
    title: 'A training is cancelled',
    preheader: `${placeholder('trainingTitle')} will not take place. Your calendar updates with this email.`,
    bodyMjml: section(
      block('Cancelled', { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(h1(`${placeholder('trainingTitle')} is cancelled`), { cssClass: 'bt-title', padding: '0 24px 16px' }) +
        block(body) +
        block(rest, { padding: '0 24px 16px' }),
    ),
    bodyText: ['Cancelled', '', `${placeholder('trainingTitle')} is cancelled`, '', body, '', rest].join('\n'),
  };
}

export function removedLayout(series: Series): LayoutInput {
  const subject = removedSubject(series);
  const body = `Hi ${placeholder('firstName')}, you are no longer taking part in this series, so you will get no more of its emails.`;
  const rest = 'This email removes its trainings from your calendar. If this is a mistake, reply and tell the trainers.';
  return {
    series,
    title: subject,
    preheader: `${text(series.title)}: its trainings leave your calendar with this email.`,
    bodyMjml: section(
      block('Enrollment', { muted: true, size: 14, padding: '0 24px 4px' }) +
        block(h1(text(subject)), { cssClass: 'bt-title', padding: '0 24px 16px' }) +
        block(body) +
        block(rest, { padding: '0 24px 16px' }),
    ),
    bodyText: ['Enrollment', '', plain(subject), '', body, '', rest].join('\n'),
  };
}

export async function compileCancel(series: Series): Promise<CompiledEmail> {
  const compiled = await compileLayout(cancelLayout(series), 'A training is cancelled', 'cancel');
  return { ...compiled, subject: CANCEL_SUBJECT };
}

export async function compileRemoved(series: Series): Promise<CompiledEmail> {
  return compileLayout(removedLayout(series), removedSubject(series), 'cancel-removed');
}
