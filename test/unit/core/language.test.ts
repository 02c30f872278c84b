// Which languages read a reply (core/language.ts), and the readings that reading every language's
// lexicon at once got wrong: a cue word of one language that is an ordinary word of another.
import { describe, expect, it } from 'vitest';
import { readReply, type Reading } from '#core/classify';
import { latinScores, replyLanguages } from '#core/language';
import type { Strategy } from '#core/model';

const STRATEGIES: Strategy[] = [
  { id: 'agenda', number: 1, title: 'Share an agenda before the meeting', body: '' },
  { id: 'actions', number: 2, title: 'Write down the action items', body: '' },
  { id: 'feedback', number: 3, title: 'Close with a round of feedback', body: '' },
];

const fail = (e: unknown) => {
  throw e;
};
const read = (text: string): Reading => readReply({ subject: 'Re: A productive 1:1', text, strategies: STRATEGIES, context: { kind: 'training' }, trainers: ['Dana Smith'] }, fail);
const adoptions = (r: Reading) => r.intents.filter((i) => i.intent === 'adopt').map((i) => i.strategyId);

describe('replyLanguages', () => {
  it.each([
    ['en', 'I think the second one is what we need, we keep forgetting who does what after the meeting.'],
    ['de', 'Ich glaube, die zweite ist genau das, was wir brauchen. Wir vergessen immer, wer was macht.'],
    ['es', 'Creo que la segunda es la que necesitamos, siempre olvidamos quién hace qué después de la reunión.'],
    ['fr', "Je pense que la deuxième est celle qu'il nous faut, on oublie toujours qui fait quoi après la réunion."],
    ['pt', 'Acho que a segunda é a que precisamos, sempre esquecemos quem faz o quê depois da reunião.'],
    ['nl', 'Ik denk dat de tweede is wat we nodig hebben, we vergeten altijd wie wat doet na de vergadering.'],
    ['ms', 'Saya rasa yang kedua itu yang kami perlukan, kami selalu lupa siapa buat apa selepas mesyuarat.'],
    ['th', 'ผมคิดว่าข้อที่สองคือสิ่งที่เราต้องการ'],
    ['ar', 'أعتقد أن الثانية هي ما نحتاجه'],
    ['ja', '二番目が私たちに必要なものだと思います。'],
  ])('tells %s', (lang, text) => {
    expect(replyLanguages(text)).toContain(lang);
  });

  it('reads Latin text in one language only when it says enough: no Dutch in a long English reply', () => {
    const english = 'Thanks for this one. We tried it in the team meeting and it was great, so I will keep it going.\n\nIn my experience the hard part is the follow-up.';
    expect(replyLanguages(english)).toEqual(['en']);
    expect(replyLanguages('Der Test mit der #2 ging bei uns schief.')).toEqual(['de']);
    expect(replyLanguages('De start van #2 was lastig bij ons.')).toEqual(['nl']);
  });

  it('keeps Malay and Indonesian together, and the English people mix in', () => {
    expect(replyLanguages('Saya akan cuba #2. Thanks for the great idea!')).toEqual(expect.arrayContaining(['ms', 'id', 'en']));
  });

  it('reads each paragraph: a French answer above an English signature is French and English', () => {
    const langs = replyLanguages('Bonjour Daniel,\n\nPlutôt bien, je dirais 8 sur 10 : le tri du matin me prend cinq minutes.\n\nKind regards,\n\nThis message is meant only for the people it is addressed to.');
    expect(langs).toEqual(expect.arrayContaining(['fr', 'en']));
    expect(langs).not.toContain('nl');
  });

  it('adds English beside a script of its own, and says nothing about a reply too short to tell', () => {
    expect(replyLanguages('ลองข้อ 2 ครับ')).toEqual(['th', 'en']);
    expect(replyLanguages('#2 please')).toBeUndefined();
    expect(replyLanguages('👍')).toBeUndefined();
    expect(replyLanguages('4/5')).toBeUndefined();
  });

  it('counts a word shared by languages as a share to each', () => {
    const s = latinScores('de');
    expect(Object.keys(s).length).toBeGreaterThan(1);
    expect(Object.values(s).reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });
});

describe('a reply read with its own languages, not with every lexicon at once', () => {
  it('an English cue word inside Dutch, German or French is not a commitment', () => {
    // English "start" and "test" are adoption cues; here they are nouns ("the start", "der Test").
    for (const text of ['De start van #2 was lastig bij ons.', 'Der Test mit der #2 ging bei uns schief.', "J'ai fait un test avec la #2, bof."]) {
      expect(adoptions(read(text)), text).toEqual([]);
    }
    // The same cue in English still commits.
    expect(adoptions(read("I'll start with #2 on Monday."))).toEqual(['actions']);
  });

  it('a Malay cue word inside English is not a commitment', () => {
    // Malay "cuba" is "try"; in English it is the island.
    expect(adoptions(read('I went to Cuba last year and #1 reminded me of our team offsite there.'))).toEqual([]);
    expect(adoptions(read('Saya akan cuba #1 minggu depan.'))).toEqual(['agenda']);
  });

  it('French "je" is "I", not Dutch "je" (you): a French sentence after a name is not a message for someone else', () => {
    expect(read('Marie, je pense que la #2 est très utile.').reason ?? '').not.toMatch(/someone else/);
    // Dutch "je" is "you": written to Marie, it is.
    expect(read('Marie, kun je de #2 nog eens sturen?').reason).toMatch(/someone else/);
  });

  it('a reply mixing languages is read with each of them', () => {
    expect(adoptions(read('Saya akan cuba #2. Thanks for the great idea!'))).toEqual(['actions']);
    expect(adoptions(read('Die #3 ist nichts für mich, aber die #2 nehme ich.'))).toEqual(['actions']);
  });
});

describe('strategy titles the trainer wrote in other languages (front matter strategyTitles)', () => {
  const withTitles: Strategy[] = STRATEGIES.map((s) =>
    s.id === 'actions' ? { ...s, aliases: ['Anota las tareas pendientes por escrito', 'Schreibe die Aufgaben auf'] } : s.id === 'agenda' ? { ...s, aliases: ['Comparte una agenda antes de la reunión'] } : s,
  );
  const readWith = (text: string) => readReply({ subject: 'Re: A productive 1:1', text, strategies: withTitles, context: { kind: 'training' } }, fail);

  it('a reply naming a strategy in the words of its translated title adopts it', () => {
    expect(adoptions(readWith('Voy a anotar las tareas por escrito al final de cada 1:1.'))).toEqual(['actions']);
    // Words are stemmed the English way: German "aufschreiben" is not the title's "Schreibe … auf",
    // so the reply is held for a look rather than guessed.
    expect(adoptions(readWith('Ich werde die Aufgaben am Ende aufschreiben.'))).toEqual([]);
    // Without the trainer's titles the same reply names nothing Baton can tell.
    expect(read('Voy a anotar las tareas por escrito al final de cada 1:1.').status).toBe('unclear');
  });

  it('the function words of a translated title are no title words', () => {
    // "una", "antes", "de", "la" are in the Spanish title of #1; they name nothing.
    expect(adoptions(readWith('Voy a probar una cosa antes de la próxima semana.'))).toEqual([]);
  });
});
