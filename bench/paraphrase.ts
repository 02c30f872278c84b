// Strategies named by their meaning in another language (issue 14): a Spanish, German, French …
// reply that refers to an English strategy title by paraphrase, not by number. Baton matches
// titles by their words, stemmed; from the English title alone, cognates rarely give the 1.5
// points a title needs ("agenda" alone is one), so such replies are held as unclear. With the
// trainer's own titles in other languages (front matter `strategyTitles`, read as titles are) they
// can be read. The replies were written before the titles below, which are plain translations of
// the English titles as a trainer would write them, not of the replies. What must stay 0 is the
// share recorded as the wrong strategy. `npm run bench -- paraphrase`.
import { readReply } from '#core/classify';
import type { Strategy } from '#core/model';
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

/** The titles as a trainer translates them, in the languages of the replies above. */
export const TRAINER_TITLES: Record<string, string[]> = {
  'block-prep-time': [
    'Reserva 15 minutos para prepararte', 'Reserve 15 minutos para se preparar', 'Blocke 15 Minuten zur Vorbereitung',
    'Bloquez 15 minutes pour vous préparer', 'Blok 15 minuten om je voor te bereiden', 'Peruntukkan 15 minit untuk bersedia',
  ],
  'write-a-shared-agenda': [
    'Escribe una agenda compartida para el 1:1', 'Escreva uma pauta compartilhada para o 1:1', 'Schreibe eine gemeinsame 1:1-Agenda',
    'Rédigez un ordre du jour partagé pour le 1:1', 'Schrijf een gedeelde 1:1-agenda', 'Tulis agenda 1:1 yang dikongsi',
  ],
  'keep-a-wins-log': [
    'Lleva un registro de logros y bloqueos', 'Mantenha um registro de conquistas e bloqueios', 'Führe ein laufendes Protokoll von Erfolgen und Blockern',
    'Tenez un journal de vos réussites et blocages', 'Houd een logboek bij van successen en blokkades', 'Simpan log kejayaan dan halangan',
  ],
  'rotate-the-meeting-time': [
    'Rota la hora de la reunión entre zonas horarias', 'Alterne o horário da reunião entre fusos horários', 'Wechsle die Uhrzeit des Meetings über die Zeitzonen hinweg',
    "Alternez l'heure de la réunion entre les fuseaux horaires", 'Wissel de vergadertijd af over tijdzones', 'Gilirkan masa mesyuarat merentas zon waktu',
  ],
  'end-with-action-items': [
    'Termina con acciones por escrito', 'Termine com ações por escrito', 'Schließe mit schriftlichen Aufgaben ab',
    'Terminez par des actions écrites', 'Sluit af met geschreven actiepunten', 'Akhiri dengan tindakan bertulis',
  ],
};

export async function benchParaphrase(): Promise<object> {
  const withTitles = STRATEGIES.map((s) => ({ ...s, aliases: TRAINER_TITLES[s.id] ?? [] }));
  return { englishTitlesOnly: score(STRATEGIES), withTrainerTitles: score(withTitles) };
}

function score(strategies: Strategy[]): { replies: number; rightPct: number; wronglyRecordedPct: number; heldPct: number } {
  let right = 0;
  let wrong = 0;
  let held = 0;
  for (const [meant, text] of PARAPHRASES) {
    const r = readReply({ subject: 'Re: A productive 1:1', text, strategies, context: { kind: 'training' } }, (e) => {
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
