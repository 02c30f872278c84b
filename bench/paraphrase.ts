// Strategies named by their meaning in another language (issue 14): a Spanish, German, French …
// reply that refers to an English strategy title by paraphrase, not by number. A measuring stick,
// not a goal met: Baton matches titles by their words, stemmed, and cognates rarely give it the
// 1.5 points a title needs ("agenda" alone is one), so these replies are held as unclear. What
// counts is that none is recorded as the wrong strategy. `npm run bench -- paraphrase`.
import { readReply } from '#core/classify';
import { STRATEGIES } from './classify-speed.ts';

/** [the strategy meant, the reply]: written for this bench, one per way of paraphrasing. */
export const PARAPHRASES: Array<[string, string]> = [
  ['write-a-shared-agenda', 'Voy a probar lo de la agenda compartida antes de cada 1:1.'],
  ['rotate-the-meeting-time', 'Voy a rotar el horario de la reunión entre las zonas horarias.'],
  ['keep-a-wins-log', 'Vou começar a registrar as vitórias e os bloqueios num log.'],
  ['write-a-shared-agenda', 'Ich werde die Agenda gemeinsam mit meiner Chefin führen.'],
  ['block-prep-time', 'Je vais bloquer 15 minutes pour préparer chaque 1:1.'],
  ['end-with-action-items', 'Ik ga de actiepunten aan het eind opschrijven.'],
  ['end-with-action-items', 'Voy a terminar con los puntos de acción por escrito.'],
  ['keep-a-wins-log', 'Je vais tenir un journal des victoires et des blocages.'],
  ['block-prep-time', 'Saya akan blok 15 minit untuk persediaan.'],
  ['rotate-the-meeting-time', 'Ich werde die Uhrzeit des Meetings zwischen den Zeitzonen rotieren.'],
];

export async function benchParaphrase(): Promise<object> {
  let right = 0;
  let wrong = 0;
  let held = 0;
  for (const [meant, text] of PARAPHRASES) {
    const r = readReply({ subject: 'Re: A productive 1:1', text, strategies: STRATEGIES, context: { kind: 'training' } }, (e) => {
      throw e;
    });
    const adopted = r.intents.filter((i) => i.intent === 'adopt').map((i) => i.strategyId);
    if (r.status === 'unclear') held++;
    else if (adopted.length === 1 && adopted[0] === meant) right++;
    else if (adopted.some((id) => id !== meant)) wrong++;
  }
  const pct = (n: number) => Math.round((1000 * n) / PARAPHRASES.length) / 10;
  return { replies: PARAPHRASES.length, rightPct: pct(right), wronglyRecordedPct: pct(wrong), heldPct: pct(held) };
}
