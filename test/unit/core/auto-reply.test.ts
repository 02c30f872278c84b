import { describe, expect, it } from 'vitest';
import { bodyAutoReply, detectAutoReply, readReturnDate } from '#core/auto-reply';

const h = (entries: Record<string, string>) => new Map(Object.entries(entries));
const person = { headers: h({}), subject: 'Re: Q1 Productivity 1/4: A productive 1:1', text: 'Adopt #2, thanks!', envelopeFrom: 'ana@example.com' };

describe('detectAutoReply', () => {
  it('leaves a person\'s reply alone, even with X-Auto-Response-Suppress or a training about leave', () => {
    expect(detectAutoReply(person)).toBeUndefined();
    expect(detectAutoReply({ ...person, headers: h({ 'x-auto-response-suppress': 'All', 'auto-submitted': 'no' }) })).toBeUndefined();
    expect(detectAutoReply({ ...person, subject: 'Re: Plan your parental leave handover' })).toBeUndefined();
  });
  it.each([
    [{ 'auto-submitted': 'auto-replied' }],
    [{ 'x-autoreply': 'yes' }],
    [{ 'x-autorespond': 'vacation' }],
    [{ precedence: 'bulk' }],
    [{ precedence: 'auto_reply' }],
    [{ 'return-path': '<>' }],
  ])('marks %o as an auto-reply', (headers) => {
    expect(detectAutoReply({ ...person, headers: h(headers) })?.kind).toBe('auto-reply');
  });
  it.each(['Out of Office: training', 'Automatic reply: Q1', 'Abwesenheitsnotiz: Q1', 'Réponse automatique : Q1', 'Respuesta automática: Q1', 'Fuori sede', 'Afwezig: Q1', 'Frånvaro: Q1', '自動応答: Q1', 'RE: [Out of office] Q1'])(
    'reads "%s" as out of office',
    (subject) => {
      expect(detectAutoReply({ ...person, subject })).toMatchObject({ kind: 'auto-reply', outOfOffice: true });
    },
  );
  it('tells bounces from auto-replies', () => {
    expect(detectAutoReply({ ...person, headers: h({ 'content-type': 'multipart/report; report-type=delivery-status; boundary=x' }) })?.kind).toBe('bounce');
    expect(detectAutoReply({ ...person, envelopeFrom: '', from: 'mailer-daemon@mx.example.com', subject: 'Undelivered Mail' })?.kind).toBe('bounce');
    expect(detectAutoReply({ ...person, headers: h({ 'content-type': 'multipart/report; report-type=disposition-notification' }) })).toMatchObject({ kind: 'auto-reply', outOfOffice: false });
  });
});

describe('out of office from the body alone (ordinary subject, no headers)', () => {
  // Written for this test in each language, in the shapes auto-responders use.
  it.each([
    'Thank you for your email. I am out of the office until 12 March with limited access to email.',
    'Hi, I am on annual leave until Monday 3 May. I will reply when I return.',
    'Ich bin bis zum 14. Mai nicht im Büro und habe keinen Zugriff auf meine E-Mails.',
    'Gracias por su mensaje. Estoy de vacaciones hasta el 2 de abril, responderé a mi regreso.',
    'Merci pour votre message. Je suis absente jusqu’au 10 juin, en congé.',
    'Estou de férias até 20 de julho. Responderei quando voltar.',
    'Ik ben met vakantie tot en met 5 augustus en beperkt bereikbaar.',
    'Terima kasih. Saya sedang cuti sampai 9 Oktober dan akan membalas setelah saya kembali.',
    'Saya sedang bercuti hingga 4 Disember. Balasan automatik.',
  ])('%s', (text) => {
    expect(detectAutoReply({ ...person, text })).toMatchObject({ kind: 'auto-reply', outOfOffice: true });
  });
  it.each([
    // a person writing about their own leave, with the email answered quoted below
    "I'm on leave until 3 March, but I read it and will try #4 when I'm back.\n\nOn Mon, 1 Feb 2027 at 10:00, Maya <training@baton.example> wrote:\n> Training 2 of 4",
    'Estou de férias até março, mas vou experimentar a 4 quando voltar.',
    'Out of office next week? Could the check-in wait until I am back on 3 March?',
    "Je suis en congé jusqu'au 10 juin.\n\n--- Reply above this line to contribute ---\nTraining 2",
    'I am away next week, so here is my tip before I go: a shared doc works great.',
  ])('not an auto-reply: %s', (text) => {
    expect(bodyAutoReply(text)).toBe(false);
  });
});

describe('readReturnDate', () => {
  const today = '2027-01-22';
  it.each([
    ['I am out of the office until 3 February.', '2027-02-04'],
    ['Out until February 3rd, 2027', '2027-02-04'],
    ['I will be back on 2027-02-03.', '2027-02-03'],
    ['Ich bin bis zum 3. Februar nicht im Büro.', '2027-02-04'],
    ["Je suis absent jusqu'au 3 février.", '2027-02-04'],
    ['Estoy de vacaciones hasta el 3 de febrero.', '2027-02-04'],
    ['Estou ausente até 3 de fevereiro.', '2027-02-04'],
    ['Ik ben afwezig tot en met 3 februari.', '2027-02-04'],
    ['Back on Monday, February 8', '2027-02-08'],
    ['Ab dem 08.02.2027 bin ich wieder erreichbar.', '2027-02-08'],
    ['Away until 5 January', undefined],
  ])('%s -> %s', (text, expected) => {
    expect(readReturnDate(text, today)).toBe(expected);
  });
  it('does not believe dates in the past or far away, nor text without a cue', () => {
    expect(readReturnDate('until 2026-12-01', today)).toBeUndefined();
    expect(readReturnDate('back on 2029-01-01', today)).toBeUndefined();
    expect(readReturnDate('Our offsite is on 3 February.', today)).toBeUndefined();
  });
});
