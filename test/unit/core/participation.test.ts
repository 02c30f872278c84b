import { describe, expect, it } from 'vitest';
import type { Response } from '#core/model';
import { NO_TEAM, participationByTeam, participationByZone } from '#core/participation';

const person = (email: string, timeZone: string, team?: string) => ({ email, name: email, timeZone, workStart: '09:00', ...(team ? { team } : {}) });
const reply = (email: string, intent: Response['intent']): Response => ({
  id: `${email}-${intent}`,
  seriesId: 's',
  trainingSlug: 't',
  participantEmail: email,
  intent,
  text: '',
  links: [],
  attachments: [],
  source: '<x@y>',
  receivedAt: '2027-01-22T10:00:00.000Z',
});

describe('participation by team and by time zone', () => {
  const people = [person('a@x.com', 'Europe/Madrid', 'Platform'), person('b@x.com', 'Europe/Madrid', 'Platform'), person('c@x.com', 'Asia/Tokyo', 'Sales'), person('d@x.com', 'Asia/Tokyo')];
  const responses = [reply('a@x.com', 'read'), reply('a@x.com', 'strategy'), reply('c@x.com', 'adopt'), reply('d@x.com', 'unsubscribe')];

  it('counts each person once per team, largest team first, people without a team under one label', () => {
    expect(participationByTeam(people, responses)).toEqual([
      { group: 'Platform', enrolled: 2, engaged: 1 },
      { group: NO_TEAM, enrolled: 1, engaged: 0 },
      { group: 'Sales', enrolled: 1, engaged: 1 },
    ]);
  });

  it('keeps the time-zone shape the overview reads', () => {
    expect(participationByZone(people, responses)).toEqual([
      { timeZone: 'Asia/Tokyo', enrolled: 2, engaged: 1 },
      { timeZone: 'Europe/Madrid', enrolled: 2, engaged: 1 },
    ]);
  });
});
