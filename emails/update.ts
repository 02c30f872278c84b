// The calendar update: a training's window moved after it was announced. One template per series,
// compiled at publish time; the training, its new window and the reader's deadline are filled at
// send time, because an update is sent for whichever training moved. Short on purpose: the news
// is the new dates, and the attached calendar moves the holds by itself.
import type { Series } from '#core/model';
import { compileLayout, type CompiledEmail } from './compile.ts';
import { placeholder } from '#mail/escape';
import { block, panel, section, type LayoutInput } from './layout.ts';


/** Placeholders of the update besides the layout's. */
export const UPDATE_PLACEHOLDERS = ['firstName', 'trainingTitle', 'window', 'deadline', 'holds'] as const;

/** Filled per send: "<training> moved: now <window>". */
export const UPDATE_SUBJECT = `${placeholder('trainingTitle')} moved: now ${placeholder('window')}`;

export function updateLayout(series: Series): LayoutInput {
  return {
    series,
    title: 'A training moved',
    preheader: `${placeholder('trainingTitle')} now runs ${placeholder('window')}. Your calendar updates with this email.`,
    bodyMjml: [
      section(
        block('Calendar update', { muted: true, size: 14, padding: '0 24px 4px' }) +
          block(`<h1 style="margin:0;font-size:26px;line-height:1.25;font-weight:700;">${placeholder('trainingTitle')} moved</h1>`, {
            cssClass: 'bt-title',
            padding: '0 24px 16px',
          }) +
          block(`Hi ${placeholder('firstName')}, the submission window for this training has new dates.`),
      ),
      panel(`<strong>Now:</strong> ${placeholder('window')}<br><strong>Closes:</strong> ${placeholder('deadline')}`),
      section(block(`The attached invitation moves ${placeholder('holds')} in your calendar. Nothing else changes: reply to the training email as before.`)),
    ].join('\n'),
    bodyText: [
      'Calendar update',
      '',
      `${placeholder('trainingTitle')} moved`,
      '',
      `Hi ${placeholder('firstName')}, the submission window for this training has new dates.`,
      '',
      `Now: ${placeholder('window')}`,
      `Closes: ${placeholder('deadline')}`,
      '',
      `The attached invitation moves ${placeholder('holds')} in your calendar. Nothing else changes: reply to the training email as before.`,
    ].join('\n'),
  };
}

export async function compileUpdate(series: Series): Promise<CompiledEmail> {
  const compiled = await compileLayout(updateLayout(series), 'A training moved', 'update');
  // compileLayout protects an authored subject's braces; this one is a template.
  return { ...compiled, subject: UPDATE_SUBJECT };
}
