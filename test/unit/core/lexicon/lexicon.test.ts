// Lexicon-driven reading, per language, with phrases written for these tests (not from any corpus).
import { describe, expect, it } from 'vitest';
import { findRating, readReply, type ClassifyInput } from '#core/classify';
import { LEXICONS } from '#core/lexicon/index';
import type { Strategy } from '#core/model';

const strategies: Strategy[] = [
  { id: 'agenda', number: 1, title: 'Keep a running agenda doc', body: 'A shared document both of you edit.' },
  { id: 'one-thing', number: 2, title: 'Start with the one thing you need', body: 'Open with the decision you need.' },
  { id: 'win', number: 3, title: 'Bring one win and one struggle', body: 'Something to celebrate and something to help with.' },
  { id: 'steps', number: 4, title: 'Close with written next steps', body: 'Who does what by when.' },
];
/** Nothing may be swallowed: a crash in the rules fails the test instead of reading as unclear. */
const failOnSwallowed = (error: unknown): never => {
  throw error;
};
const input = (text: string, extra: Partial<ClassifyInput> = {}): ClassifyInput => ({ subject: 'Re: training', text, strategies, context: { kind: 'training' }, ...extra });
const keys = (text: string, extra: Partial<ClassifyInput> = {}) => {
  const r = readReply(input(text, extra), failOnSwallowed);
  return r.status === 'parsed' ? r.intents.map((i) => `${i.intent}${i.strategyId ? `#${i.strategyId}` : ''}${i.rating ? `(${i.rating})` : ''}`).sort() : [r.status];
};

describe('every supported language has a lexicon', () => {
  it('covers en, de, es, fr, pt, nl, ms, id, th, ar, ja', () => {
    // Prepare / Act
    const langs = LEXICONS.map((l) => l.lang).sort();
    // Assess
    expect(langs).toEqual(['ar', 'de', 'en', 'es', 'fr', 'id', 'ja', 'ms', 'nl', 'pt', 'th']);
  });
});

describe('adoption by number, ordinal and counter, in each language', () => {
  it.each([
    ['en', 'I will give the third one a go next week.', 'adopt#win'],
    ['de', 'Ich nehme die zweite, klingt machbar.', 'adopt#one-thing'],
    ['es', 'Voy a probar la cuarta este mes.', 'adopt#steps'],
    ['fr', 'Je vais essayer la première dès lundi.', 'adopt#agenda'],
    ['pt', 'Vou testar a terceira com a minha chefe.', 'adopt#win'],
    ['nl', 'Ik ga de vierde proberen.', 'adopt#steps'],
    ['ms', 'Saya akan cuba strategi kedua.', 'adopt#one-thing'],
    ['id', 'Saya akan coba nomor 3 mulai besok.', 'adopt#win'],
    ['th', 'ผมจะลองข้อ 4 ครับ', 'adopt#steps'],
    ['ar', 'سأجرب الاستراتيجية الثانية هذا الأسبوع.', 'adopt#one-thing'],
    ['ja', '2番を試してみます。', 'adopt#one-thing'],
  ])('%s', (_lang, text, want) => {
    expect(keys(text)).toEqual([want]);
  });
});

describe('negation and declining', () => {
  it('does not adopt a strategy turned down, and adopts the one taken', () => {
    expect(keys("I won't try #3, my boss hates that. I'll do #4 instead.")).toEqual(['adopt#steps']);
    expect(keys('La 1 no la voy a usar. La 2 sí, desde mañana.')).toEqual(['adopt#one-thing']);
  });
  it('a strategy one already does is not adopted', () => {
    expect(keys('I already do #1, so nothing new for me this time. Thanks!')).not.toContain('adopt#agenda');
  });
});

describe('ratings', () => {
  it.each([
    ['4/5', 4],
    ['I would say 8/10', 4],
    ['ten out of ten', 5],
    ['drei von fünf', 3],
    ['tres sobre cinco', 3],
    ['★★☆☆☆', 2],
    ['⭐⭐⭐⭐', 4],
    ['★3つ', 3],
    ['5段階で2', 2],
    ['تقييمي ٤/٥', 4],
    ['ให้คะแนน 3 จาก 5', 3],
    ['enam daripada sepuluh', 3],
  ])('%s -> %i', (text, want) => {
    expect(findRating(text)).toBe(want);
  });
  it('incidental numbers are not ratings', () => {
    expect(findRating('It took ten minutes on Monday.')).toBeUndefined();
    expect(findRating('We met at 3pm with two people.')).toBeUndefined();
  });
  it('a self-corrected check-in rating keeps the last one', () => {
    const r = readReply(input('I tried it twice. 3/5. Actually no, make that 4/5.', { context: { kind: 'check-in', strategyId: 'steps' }, answered: 'check-in' }), failOnSwallowed);
    expect(r.intents.map((i) => [i.intent, i.rating])).toEqual([['follow-up', 4]]);
  });
});

describe('the answered email changes the reading', () => {
  it('a wrap-up reply is a survey answer with its usefulness', () => {
    expect(keys('Usefulness: 9 out of 10. More examples next time please.', { answered: 'wrap-up' })).toEqual(['feedback(5)']);
  });
  it('a kickoff reply is not an answer to training 1', () => {
    expect(keys('Count me in, looking forward to it!', { context: { kind: 'kickoff' }, answered: 'kickoff' })).toEqual(['read']);
    expect(keys('What day of the week do the trainings arrive?', { context: { kind: 'kickoff' }, answered: 'kickoff' })).toEqual(['feedback']);
  });
  it('a reply to a teammate is a comment on them', () => {
    const r = readReply(input('Love this, how long did it take to get used to?', { context: { kind: 'submission', responseId: 'r1' }, answered: 'contribution' }), failOnSwallowed);
    expect(r.intents.map((i) => [i.intent, i.targetResponseId])).toEqual([['comment', 'r1']]);
  });
  it('a roll-up reply about a named teammate is a comment on that teammate', () => {
    const r = readReply(input("Priya's idea of a Friday recap is clever.", { answered: 'rollup', teammates: ['Priya Natarajan', 'Tom Berg'] }), failOnSwallowed);
    expect(r.intents.map((i) => [i.intent, i.target])).toEqual([['comment', 'Priya Natarajan']]);
  });
  it('a reply to the acknowledgement is a correction', () => {
    const r = readReply(input('Sorry, I meant number 2, not number 1.', { answered: 'ack' }), failOnSwallowed);
    expect(r.correction).toBe(true);
  });
});

describe('unclear is an outcome, comment is never the fallback', () => {
  it('says unclear when nothing can be told', () => {
    expect(keys('The weather in Lisbon was lovely last week and the train was on time.')).toEqual(['unclear']);
  });
  it('a commitment without a strategy Baton can tell is unclear', () => {
    expect(keys("I'll give that a try tomorrow.")).toEqual(['unclear']);
  });
  it('thanks alone are a read', () => {
    expect(keys('Thanks, read it.')).toEqual(['read']);
  });
});

describe('partial opt-outs are preferences, not unsubscribes', () => {
  it.each([
    ['Please stop the reminders, I read everything anyway.', 'reminders'],
    ['Bitte keine Erinnerungen mehr, danke.', 'reminders'],
    ['Could you drop the calendar invites? My calendar is full.', 'calendar'],
    ['Pueden dejar de enviar los resúmenes, por favor.', 'rollups'],
  ])('%s', (text, part) => {
    const r = readReply(input(text), failOnSwallowed);
    expect(r.intents.map((i) => [i.intent, i.preference])).toEqual([['feedback', part]]);
  });
  it('take me off is an unsubscribe', () => {
    expect(keys('Please take me off this series.')).toEqual(['unsubscribe']);
  });
});

describe('segmentation', () => {
  it('finds intents in any paragraph, several per reply', () => {
    expect(keys('Long story about my week.\n\nAnyway, I will try #1.\n\nAnd my tip: I keep a notes file for each manager.')).toEqual(['adopt#agenda', 'strategy']);
  });
  it('reads Thai and Japanese without spaces', () => {
    expect(keys('1番と4番、両方やってみます。')).toEqual(['adopt#agenda', 'adopt#steps']);
  });
  it('cuts the signature after a sign-off', () => {
    expect(keys('I will try #2.\n\nCheers,\nSam\nPlease consider the environment before printing this email.')).toEqual(['adopt#one-thing']);
  });
});

describe('clauses: negation and declining reach the end of their clause, no further', () => {
  it.each([
    ['Already doing #1, but I will try #4 from next week.', ['adopt#steps']],
    ["I won't try #2, my team is too small for it.", ['unclear']],
    ['Ya hago la 1, pero voy a probar la 3.', ['adopt#win']],
    ['Die 1 mache ich schon, aber die 4 probiere ich aus.', ['adopt#steps']],
    ["Je ne vais pas essayer la 2 ; par contre j'adopte la 3.", ['adopt#win']],
    ['Saya sudah buat nombor 1, tapi saya akan cuba nombor 4.', ['adopt#steps']],
  ])('%s', (text, want) => {
    expect(keys(text)).toEqual(want);
  });
  it('asks to stop a part only in the clause that names it', () => {
    const r = readReply(input('The agenda helps, but we still skip it on busy weeks.', { context: { kind: 'check-in', strategyId: 'agenda' }, answered: 'check-in' }), failOnSwallowed);
    expect(r.intents.map((i) => i.intent)).toEqual(['follow-up']);
  });
});

describe('ratings: an explicit rating corrects, a stray small number does not', () => {
  const checkIn = { context: { kind: 'check-in' as const, strategyId: 'agenda' }, answered: 'check-in' as const };
  it.each([
    ['4 de 5. Aunque a veces lo olvido.', 4],
    ['Un 3 sobre 5, aunque una semana no pude.', 3],
    ['Four out of five. We skipped it one week.', 4],
    ['I would say a 2. Then it got better, honestly 4/5 now.', 4],
    ['Vier von fünf. Eine Woche lang hat es nicht geklappt.', 4],
  ])('%s -> %i', (text, rating) => {
    expect(keys(text, checkIn)).toEqual([`follow-up#agenda(${rating})`]);
  });
  it('does not read a number word inside another word as a rating', () => {
    expect(findRating('aunque mi jefa no siempre lo lee')).toBeUndefined();
    expect(findRating('anyone can do it')).toBeUndefined();
  });
});

describe('general vocabulary', () => {
  it.each([
    ['What works better for me is a short voice memo after each 1:1.', ['strategy']],
    ["Here's how my notes look, green means done.", ['strategy']],
    ['Please stop emailing me about this.', ['unsubscribe']],
  ])('%s', (text, want) => {
    expect(keys(text)).toEqual(want);
  });
});

describe('more rating forms and survey answers', () => {
  const checkIn = { context: { kind: 'check-in' as const, strategyId: 'agenda' }, answered: 'check-in' as const };
  it.each([
    ['Used it every week. Solid 4.', 4],
    ['Funktioniert. Glatte 5!', 5],
    ['Bastante útil. Nota 4.', 4],
  ])('%s -> %i', (text, rating) => {
    expect(keys(text, checkIn)).toEqual([`follow-up#agenda(${rating})`]);
  });
  it('does not read "number 4" at the end of a short sentence as a rating', () => {
    expect(keys('Next I try number 3.', checkIn)).toEqual(['adopt#win', 'follow-up#agenda']);
  });
  it.each([
    ['1. 4\n2. video\n3. Nothing, all good.', 4],
    ['1) 5\n2) podcast please\n3) no', 5],
    ['1. 2 - too long for me\n2. text\n3. shorter emails', 2],
  ])('numbered survey answers: %j -> %i', (text, rating) => {
    const r = readReply(input(text, { answered: 'wrap-up' }), failOnSwallowed);
    expect(r.intents.map((i) => [i.intent, i.rating])).toEqual([['feedback', rating]]);
  });
});

describe('declining in other words', () => {
  it.each([
    ['I will try #3. #1 I have been doing for years, no need.', ['adopt#win']],
    ['Nr. 4 probiere ich aus. Nr. 2 brauche ich nicht.', ['adopt#steps']],
    ['La 3 la voy a probar. La 1 no me hace falta.', ['adopt#win']],
    ['Nummer 4 ga ik proberen. Nummer 1 doe ik al jaren.', ['adopt#steps']],
  ])('%s', (text, want) => {
    expect(keys(text)).toEqual(want);
  });
});

describe('questions about a part of the series are feedback', () => {
  const checkIn = { context: { kind: 'check-in' as const, strategyId: 'agenda' }, answered: 'check-in' as const };
  it.each([
    'It went well, 4/5. Could the reminders come on Monday instead?',
    'Ging gut, 4/5. Können die Erinnerungen montags kommen?',
    'Fue bien, 4/5. ¿Pueden llegar los recordatorios el lunes?',
  ])('%s', (text) => {
    expect(keys(text, checkIn)).toEqual(['feedback', 'follow-up#agenda(4)']);
  });
});

describe('sign-offs in every language end the reply: what follows never makes a contribution', () => {
  it.each([
    'I will try #2.\n\nBeste Grüße\nAnna Schmidt\nTipp: Ich nehme mir jeden Freitag eine Stunde für Lernen.',
    'Voy a probar la 2.\n\nUn saludo,\nMarta\nMi truco: siempre llego con tres preguntas.',
    'Je vais essayer la 2.\n\nCordialement,\nPaul\nMon astuce : un carnet.',
    'Vou testar a 2.\n\nAbraços,\nJoão\nUma dica: use post-its.',
    'Ik ga nummer 2 proberen.\n\nMet vriendelijke groet,\nEva\nMijn tip: een notitieboek.',
    'Saya akan cuba nombor 2.\n\nSekian, terima kasih.\nAiman\nTip saya: tulis nota.',
  ])('%j', (text) => {
    expect(keys(text)).toEqual(['adopt#one-thing']);
  });
});

describe('not read yet is a comment, never a read', () => {
  it.each([
    "Thanks for the reminder! Haven't had a chance to read it yet, will do this weekend.",
    'Danke! Ich habe es noch nicht gelesen.',
    'Gracias. Todavía no lo he leído, lo leeré el domingo.',
    "Merci ! Je n'ai pas encore eu le temps de regarder.",
    'Obrigada, ainda não li.',
    'Bedankt, nog niet gelezen.',
    'Terima kasih, saya belum sempat baca.',
  ])('%s', (text) => {
    expect(keys(text)).toEqual(['comment']);
  });
});

describe('answers written under a quoted strategy (inline replies)', () => {
  it('commits to the strategy the answer sits under, and not to the one turned down', () => {
    const text = '> 3. Bring one win and one struggle\n> Something to celebrate.\n\nNot my thing.\n\n> 4. Close with written next steps\n> Who does what by when.\n\nThis one I will do from Monday.';
    expect(keys(text)).toEqual(['adopt#steps']);
  });
  it('does not read the quoted text as the participant\'s', () => {
    expect(keys('> What works for me is a shared doc.\n\nThanks, read it.')).toEqual(['read']);
  });
});

describe('written to someone else on the thread', () => {
  it.each([
    ['Hey Sam, can you cover my Tuesday shift? I have a dentist appointment.', { trainers: ['Maya Okafor'] }],
    ['Hi Jo, the report you wanted is in the shared drive.', { trainers: ['Maya Okafor'] }],
  ])('%s', (text, extra) => {
    const r = readReply(input(text, extra), failOnSwallowed);
    expect([r.status, r.intents]).toEqual(['parsed', []]);
  });
  it('is not said of a reply to the trainer or the training\'s author', () => {
    expect(keys('Dear Maya, one question: does #2 work for remote teams?', { trainers: ['Maya Okafor'] })).toEqual(['comment']);
  });
});

describe('references in other forms', () => {
  it.each([
    ['Honestly the last one is for me.', ['adopt#steps']],
    ['I will go with the second one.', ['adopt#one-thing']],
    ['Ik doe mee met de derde.', ['adopt#win']],
    ['Die vierte führe ich in meinem Team ein.', ['adopt#steps']],
    ["I'll start celebrating something every week.", ['adopt#win']],
  ])('%s', (text, want) => {
    expect(keys(text)).toEqual(want);
  });
});

describe('a greeting to the whole group is a reply to everyone, not a mistaken message', () => {
  it.each(['Hi Team, great read, thanks!', 'Hola Equipo, gracias, muy útil.', 'Hallo Zusammen, danke!'])('%s', (text) => {
    expect(keys(text, { trainers: ['Maya Okafor'] })).toEqual(['read']);
  });
});

describe('a single word of a strategy\'s explanation names it only as a thing', () => {
  it.each(["I'll try to remember that.", 'I will definitely share this with my manager.', 'Going to think about it.'])('%s: asks instead of guessing', (text) => {
    expect(keys(text)).toEqual(['unclear']);
  });
});

describe('a capitalised word before a comma is not always a name', () => {
  it.each([
    ['Great, thanks!\n\nCheers', ['read']],
    ["Sorry, I haven't had time to read it yet.", ['comment']],
    ['Honestly, I will try #2.', ['adopt#one-thing']],
  ])('%j', (text, want) => {
    expect(keys(text, { trainers: ['Maya Okafor'] })).toEqual(want);
  });
});

describe('clauses that say something else about a strategy', () => {
  it.each([
    ["I don't think #1 works for us, however #2 does and I'll adopt it.", ['adopt#one-thing']],
    ["I already keep an agenda doc, so I'll go with #4 instead.", ['adopt#steps']],
    ['Number 4: I will give it a go.', ['adopt#steps']],
    ['لن أجرب رقم 1، لكن سأجرب رقم 3.', ['adopt#win']],
  ])('%s', (text, want) => {
    expect(keys(text)).toEqual(want);
  });
  it('"remove me from the roll-ups" is a preference, not leaving', () => {
    const r = readReply(input('Please remove me from the roll-up emails.'), failOnSwallowed);
    expect(r.intents.map((i) => [i.intent, i.preference])).toEqual([['feedback', 'rollups']]);
  });
});

describe('an opinion of one\'s own is a comment', () => {
  it.each([
    'Interesting read. I disagree with #3 though, struggles are private.',
    'In my experience managers never read the agenda.',
    'No estoy de acuerdo con la 3, es demasiado personal.',
    'Sehe ich anders: Nummer 3 passt nicht zu uns.',
  ])('%s', (text) => {
    expect(keys(text)).toEqual(['comment']);
  });
  it('a promise to read later is not a read', () => {
    expect(keys("Busy week, I'll read it on Sunday.")).toEqual(['comment']);
  });
});

describe('under an Adopt subject, feedback must be said to us', () => {
  const adopt = { subject: 'Adopt #2: Start with the one thing you need' };
  it('a sentence about the calendar invite that describes the adoption is not feedback', () => {
    expect(keys('I will put the question in the calendar invite itself, so it is the first thing we see.', adopt)).toEqual(['adopt#one-thing']);
  });
  it('a request about the emails is', () => {
    expect(keys('Doing this from Monday. Could you send the calendar invite an hour earlier?', adopt)).toEqual(['adopt#one-thing', 'feedback']);
  });
});
