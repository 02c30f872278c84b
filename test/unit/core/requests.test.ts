// A rejoin request, read from the reply of someone who left (core/requests.ts, phrases from each
// language's `rejoin` list in functions/core/lexicon).
import { describe, expect, it } from 'vitest';
import { isRejoinRequest } from '#core/requests';

describe('isRejoinRequest', () => {
  it.each([
    ['en', 'Hi, I unsubscribed by mistake. Could you please add me back to the series?'],
    ['en', 'Can I rejoin? I miss the trainings.'],
    ['de', 'Ich habe mich versehentlich abgemeldet, können Sie mich wieder aufnehmen?'],
    ['es', 'Me di de baja por error, ¿puedo volver a unirme?'],
    ['fr', 'Je me suis désinscrit par erreur, pouvez-vous me réinscrire ?'],
    ['pt', 'Me descadastrei por engano, quero voltar a participar.'],
    ['nl', 'Ik heb me per ongeluk afgemeld, kan ik me weer aanmelden?'],
    ['ms', 'Boleh saya daftar semula? Saya tersilap tadi.'],
    ['id', 'Saya mau bergabung lagi dengan seri ini.'],
    ['th', 'ขอสมัครใหม่ได้ไหมครับ'],
    ['ar', 'أرغب في العودة إلى السلسلة من فضلكم'],
    ['ja', '再登録をお願いできますか。'],
  ])('reads a request to come back (%s)', (_, text) => {
    expect(isRejoinRequest(text)).toBe(true);
  });

  it.each([
    'Please stop the reminders, thanks.',
    'I will adopt #2 from next week.',
    'Bitte keine Erinnerungen mehr.',
    'Voy a probar la #3.',
  ])('leaves other replies alone: %s', (text) => {
    expect(isRejoinRequest(text)).toBe(false);
  });
});
