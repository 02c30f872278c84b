// Replies that name a strategy without adopting it, written the way people write them, in the
// eleven languages Baton reads: a negated commitment (wherever the language puts its negation),
// a hypothetical, a question, someone else's adoption, a past attempt, and a mention that only
// says something about the strategy. None of them may record an adoption: holding the reply for
// the trainer ("unclear") or reading it as a comment is fine, "adopt #2" is not. The committed
// sentences next to them must still adopt, so the rule cannot pass by never adopting.
import { describe, expect, it } from 'vitest';
import { readReply } from '#core/classify';
import { LEXICONS } from '#core/lexicon/index';
import { STRATEGIES as ONE_ON_ONE } from '../../../bench/classify-speed.ts';

function adopted(text: string): string[] {
  const r = readReply(
    { subject: 'Re: Schedule a productive 1:1 sync with your manager', text, strategies: ONE_ON_ONE, context: { kind: 'training' }, answered: 'training' },
    (e) => {
      throw e;
    },
  );
  return r.status === 'parsed' ? r.intents.filter((c) => c.intent === 'adopt').map((c) => String(ONE_ON_ONE.find((s) => s.id === c.strategyId)?.number ?? '?')) : [];
}

/** [language, reply] pairs that adopt nothing. */
export const NOT_ADOPTING: readonly (readonly [string, string])[] = [
  // Negated commitments.
  ['en', 'I will not adopt #2, my manager hates shared docs.'],
  ['en', "I'm going to skip #2 this time."],
  ['en', "Honestly I'm not going to try number 2, we tried it before."],
  ['nl', 'Ik ga de #2 niet doen, mijn manager leest nooit documenten.'],
  ['nl', 'Nummer 2 ga ik niet proberen.'],
  ['nl', 'Ik kies nummer 2 niet, dat past niet bij ons.'],
  ['de', 'Ich werde Nummer 2 nicht ausprobieren, mein Chef liest keine Dokumente.'],
  ['de', 'Die 2 probiere ich nicht aus.'],
  ['de', 'Ich nehme die Nummer 2 nicht, das passt bei uns nicht.'],
  ['de', 'Nummer 2 werde ich nie umsetzen.'],
  ['fr', "Je ne vais pas essayer la 2, mon manager n'ouvre jamais les documents."],
  ['fr', 'Je ne prends pas la stratégie 2.'],
  ['fr', "La 2, je ne vais jamais l'essayer."],
  ['es', 'No voy a probar la 2, mi jefa no abre documentos.'],
  ['es', 'La número 2 no la pienso probar.'],
  ['pt', 'Não vou testar a 2, o meu gestor nunca abre documentos.'],
  ['pt', 'A 2 eu não vou tentar.'],
  ['ms', 'Saya tak akan cuba nombor 2.'],
  ['id', 'Saya tidak akan mencoba nomor 2.'],
  ['id', 'Nomor 2 tidak akan saya coba.'],
  ['th', 'ข้อ 2 จะไม่ลองค่ะ'],
  ['th', 'ไม่เลือกข้อ 2 นะคะ'],
  ['ar', 'لن أجرب رقم 2، مديري لا يقرأ المستندات.'],
  ['ar', 'لا أختار رقم 2.'],
  ['ja', '2番はやってみません。'],
  ['ja', '2番はやりません。上司がドキュメントを読まないので。'],
  // Hypotheticals.
  ['en', 'I might try #2 at some point.'],
  ['en', 'Maybe I will try #2 if my manager agrees.'],
  ['en', "If I had more time I'd try number 2."],
  ['en', "If my manager agrees, I'll try #2."],
  ['fr', "Si j'ai le temps, j'essaierai peut-être la 2."],
  ['es', 'Quizás pruebe la 2 más adelante.'],
  ['pt', 'Talvez eu teste a 2 mais para a frente.'],
  ['fr', "J'essaierai peut-être la 2 un jour."],
  ['de', 'Vielleicht probiere ich irgendwann die 2 aus.'],
  ['nl', 'Misschien probeer ik nummer 2 ooit.'],
  ['id', 'Mungkin saya akan coba nomor 2 nanti.'],
  ['ms', 'Mungkin saya akan cuba nombor 2 nanti.'],
  ['th', 'อาจจะลองข้อ 2 ดูค่ะ ถ้ามีเวลา'],
  ['ar', 'ربما سأجرب رقم 2 لاحقاً.'],
  ['ja', '2番もいつかやってみたいです。'],
  // Questions.
  ['en', 'Should I try #2?'],
  ['en', 'Would you adopt number 2 with a manager who never reads anything?'],
  ['es', '¿Debería probar la 2?'],
  ['pt', 'Devo tentar a 2?'],
  ['fr', 'Est-ce que je devrais essayer la 2 ?'],
  ['de', 'Soll ich die Nummer 2 ausprobieren?'],
  ['nl', 'Moet ik nummer 2 proberen?'],
  ['ja', '2番を試してみますか？'],
  ['ar', 'هل سأجرب رقم 2؟'],
  ['id', 'Apakah saya sebaiknya coba nomor 2?'],
  ['ms', 'Patutkah saya cuba nombor 2?'],
  ['th', 'ควรลองข้อ 2 ไหมคะ'],
  // Someone else's adoption.
  ['en', 'Anna adopted #2 last quarter and loves it.'],
  ['en', 'My manager is going to try number 2 with the whole team.'],
  ['en', "Dev said he'll try #2."],
  ['de', 'Er wird die Nummer 2 mit seinem Team ausprobieren.'],
  ['es', 'Mi jefa va a probar la 2 con todo el equipo.'],
  ['fr', "Mon manager a dit qu'il allait essayer la 2."],
  ['pt', 'A minha chefe disse que vai testar a 2.'],
  ['nl', 'Mijn collega zei dat hij nummer 2 gaat proberen.'],
  ['id', 'Dia bilang akan coba nomor 2 minggu depan.'],
  ['ms', 'Mereka akan cuba nombor 2 dulu.'],
  ['th', 'หัวหน้าจะลองข้อ 2 กับทั้งทีมค่ะ'],
  ['ar', 'قال مديري إنه سيجرب رقم 2.'],
  ['ja', '上司は2番を試してみますと言っていました。'],
  // Past attempts.
  ['en', 'I tried #2 last year and it failed.'],
  ['en', 'We started #2 in March but dropped it after two weeks.'],
  ['de', 'Die 2 habe ich letztes Jahr probiert, hat nicht geklappt.'],
  ['es', 'Probé la 2 el año pasado y no funcionó.'],
  ['fr', "J'ai essayé la 2 l'an dernier, ça n'a pas marché."],
  ['pt', 'Já testei a 2 no ano passado e não funcionou.'],
  ['nl', 'Nummer 2 heb ik vorig jaar geprobeerd, werkte niet.'],
  ['id', 'Saya pernah coba nomor 2 tahun lalu, tidak berhasil.'],
  ['ms', 'Saya pernah cuba nombor 2 dulu, tak menjadi.'],
  ['th', 'เคยลองข้อ 2 แล้วค่ะ ไม่ได้ผล'],
  ['ar', 'جربت رقم 2 العام الماضي ولم ينجح.'],
  ['ja', '2番は去年やってみましたが、続きませんでした。'],
  // A mention says something about the strategy; it chooses nothing.
  ['en', 'Number 2 takes me back to my first job.'],
  ['en', '#2 reminds me of a manager I had.'],
  ['en', 'Number 2 sounds like a lot of work for a 15 minute call.'],
  ['de', 'Nummer 2 erinnert mich an meinen alten Job.'],
  ['es', 'La 2 me recuerda a mi primer trabajo.'],
  ['fr', 'La 2 me rappelle mon premier poste.'],
  ['pt', 'A 2 me lembra o meu primeiro emprego.'],
  ['nl', 'Nummer 2 doet me denken aan mijn eerste baan.'],
  ['id', 'Nomor 2 mengingatkan saya pada pekerjaan pertama saya.'],
  ['ja', '2番は前の職場を思い出します。'],
];

/** [language, reply, the numbers it adopts]: the committed controls. */
export const ADOPTING: readonly (readonly [string, string, string[]])[] = [
  ["en", "I'll adopt #2, not #3.", ["2"]],
  ['en', "I won't do #3, but I'll try #2.", ['2']],
  ['en', 'Number 2 please.', ['2']],
  ['en', '#2 but only for the Monday sync.', ['2']],
  ['en', "I'll try #2 because I never remember what we agreed.", ['2']],
  ['en', "I'll try #2, it might help with my forgetful manager.", ['2']],
  ['es', 'La 3 no me sirve. La 2 sí, desde mañana.', ['2']],
  ['ar', 'سأجرب الاستراتيجية الثانية هذا الأسبوع.', ['2']],
  ['de', 'Die 2 probiere ich aus, weil wir nie etwas aufschreiben.', ['2']],
  ['pt', 'Vou testar a 2 porque nunca lembro o que combinamos.', ['2']],
  ['fr', "Je vais essayer la 2 parce que je n'ai jamais d'ordre du jour.", ['2']],
  ['es', 'Voy a probar la 2 porque nunca preparo nada.', ['2']],
  ['ms', 'Saya akan cuba nombor 2 sebab saya tak pernah sediakan agenda.', ['2']],
  ['id', 'Saya akan coba nomor 2 karena saya tidak pernah menyiapkan agenda.', ['2']],
  ['th', 'จะลองข้อ 2 เพราะไม่เคยเตรียมตัวเลยค่ะ', ['2']],
  ['ja', '準備しないので2番をやってみます。', ['2']],
  ['ar', 'سأجرب رقم 2 لأنني لا أحضر أبدا.', ['2']],
  ['en', 'My manager and I will try #2 from Monday.', ['2']],
  ['en', "I can't wait to try #2 with my new manager.", ['2']],
  ['es', 'Sin duda voy a probar la 2.', ['2']],
  ['nl', 'Ik ga nummer 2 proberen, want we vergeten niet graag iets.', ['2']],
  ['nl', 'Nummer 3 doe ik niet, maar nummer 2 ga ik proberen.', ['2']],
  ['de', 'Nummer 3 mache ich nicht, aber die 2 probiere ich aus.', ['2']],
  ['fr', 'Je ne prends pas la 3, mais je vais essayer la 2.', ['2']],
  ['es', 'La 3 no, pero voy a probar la 2.', ['2']],
  ['pt', 'Não vou tentar a 3, mas vou testar a 2.', ['2']],
  ['id', 'Saya tidak akan coba nomor 3, tapi nomor 2 akan saya coba.', ['2']],
  ['th', 'ลองข้อ 2 ค่ะ', ['2']],
  ['ar', 'سأجرب رقم 2.', ['2']],
  ['ja', '2番をやってみます。', ['2']],
];

describe('a strategy named without adopting it', () => {
  it.each(NOT_ADOPTING)('%s: %s', (_lang, text) => {
    expect(adopted(text)).toEqual([]);
  });
});

describe('a strategy adopted next to a negation, a reason or a contrast', () => {
  it.each(ADOPTING)('%s: %s', (_lang, text, want) => {
    expect(adopted(text).sort()).toEqual(want);
  });
});

describe('every language says how it negates, hedges, subordinates and reports', () => {
  it.each(LEXICONS.map((l) => [l.lang, l] as const))('%s', (_lang, l) => {
    for (const key of ['negation', 'subordinate', 'hedge', 'others', 'affirmative'] as const) expect(l[key]?.length ?? 0, key).toBeGreaterThan(0);
  });
});
