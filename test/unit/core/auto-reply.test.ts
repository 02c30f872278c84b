import { describe, expect, it } from 'vitest';
import { detectAutoReply, readReturnDate } from '#core/auto-reply';

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
