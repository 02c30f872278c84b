import { describe, expect, it } from 'vitest';
import type { Participant, Training } from '#core/model';
import { firstName, kickoffValues, trainingValues } from '#mail/values';
import { sampleSeries, sampleTrainings } from '#emails/sample';

const training = sampleTrainings[0] as Training;
const links = { read: 'https://go.test/r?t=1&s=2', replyAddress: 'reply+ab12@in.test', unsubscribe: 'https://go.test/u?t=1', calendarsOff: 'https://go.test/c?t=1', preferences: 'https://go.test/p?t=1' };
const person = (timeZone: string, name = 'Aisyah binti Rahman'): Participant => ({ email: 'a@x.test', name, timeZone, workStart: '09:00' });

describe('trainingValues', () => {
  it('puts the deadline at the end of the closing day in each participant’s zone', () => {
    const b = trainingValues({ series: sampleSeries, training, trainings: sampleTrainings, participant: person('Asia/Brunei'), links });
    const l = trainingValues({ series: sampleSeries, training, trainings: sampleTrainings, participant: person('America/Los_Angeles'), links });
    expect(b).toEqual({
      firstName: 'Aisyah',
      window: 'Thursday 21 January – Sunday 31 January',
      deadline: 'Sunday 31 January, end of your day (23:59 Brunei Time)',
      timeZoneName: 'Brunei Time',
      readUrl: links.read,
      replyAddress: 'reply+ab12@in.test',
      replyTo: 'reply+ab12@in.test',
      unsubscribeUrl: links.unsubscribe,
      calendarsOffUrl: links.calendarsOff,
      preferencesUrl: links.preferences,
    });
    expect(l.deadline).toBe('Sunday 31 January, end of your day (23:59 Pacific Standard Time)');
  });

  it('percent-encodes the reply address for mailto links only', () => {
    const v = trainingValues({ series: sampleSeries, training, trainings: sampleTrainings, participant: person('UTC'), links: { ...links, replyAddress: 'odd?#%@in.test' } });
    expect(v.replyAddress).toBe('odd?#%@in.test');
    expect(v.replyTo).toBe('odd%3F%23%25@in.test');
  });
});

describe('kickoffValues', () => {
  it('names the zone as it is when the series starts', () => {
    const v = kickoffValues({ series: sampleSeries, trainings: sampleTrainings, participant: person('Europe/Berlin', 'Jo'), links });
    expect(v).toEqual({
      firstName: 'Jo',
      timeZoneName: 'Central European Standard Time',
      replyAddress: links.replyAddress,
      replyTo: links.replyAddress,
      unsubscribeUrl: links.unsubscribe,
      calendarsOffUrl: links.calendarsOff,
      preferencesUrl: links.preferences,
    });
  });
});

describe('firstName', () => {
  it('takes the first word of the name', () => {
    expect(firstName('  Dave Chapman ')).toBe('Dave');
    expect(firstName('Essence')).toBe('Essence');
  });
});
