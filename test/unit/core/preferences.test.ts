// The audience rules that honour preferences, in one place (core/audience.ts), and the short
// replies that ask about them (core/requests.ts).
import { describe, expect, it } from 'vitest';
import { formatFor, isPaused, quietStreak, skipFor, type AudienceMember, type SeriesPart } from '#core/audience';
import { settingsRequest } from '#core/requests';

const NOW = new Date('2027-02-01T10:00:00Z');
const person: AudienceMember = { timeZone: 'Europe/Berlin', workStart: '09:00' };
const PARTS: SeriesPart[] = ['content', 'reminders', 'rollups', 'checkIns'];
const every = (p: AudienceMember, now = NOW) => PARTS.map((part) => skipFor(p, part, now));

describe('skipFor: may this person get this part of the series now?', () => {
  it('everything, by default', () => {
    expect(every(person)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('nothing when unsubscribed or bounced, whatever else is set', () => {
    expect(every({ ...person, unsubscribedAt: '2027-01-01T00:00:00.000Z', pausedUntil: '2027-03-01T00:00:00.000Z' })).toEqual(Array(4).fill('unsubscribed'));
    expect(every({ ...person, bouncedAt: '2027-01-01T00:00:00.000Z' })).toEqual(Array(4).fill('bounced'));
  });

  it('nothing while paused, everything again from the instant the pause ends', () => {
    const paused = { ...person, pausedUntil: '2027-02-08T00:00:00.000Z' };
    expect(isPaused(paused, NOW)).toBe(true);
    expect(every(paused)).toEqual(Array(4).fill('paused'));
    expect(every(paused, new Date('2027-02-08T00:00:00.000Z'))).toEqual(Array(4).fill(undefined));
  });

  it('each preference stops only its own part', () => {
    expect(every({ ...person, preferences: { reminders: false } })).toEqual([undefined, 'opted-out', undefined, undefined]);
    expect(every({ ...person, preferences: { rollups: false } })).toEqual([undefined, undefined, 'opted-out', undefined]);
    expect(every({ ...person, preferences: { checkIns: false } })).toEqual([undefined, undefined, undefined, 'opted-out']);
    // Calendar entries are not a part of their own: the same emails come without them.
    expect(every({ ...person, preferences: { calendar: false } })).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('out of office and resting reminders stop reminders only', () => {
    expect(every({ ...person, outOfOfficeUntil: '2027-02-03T00:00:00.000Z' })).toEqual([undefined, 'out-of-office', undefined, undefined]);
    expect(every({ ...person, remindersRestedAt: '2027-01-20T00:00:00.000Z' })).toEqual([undefined, 'resting', undefined, undefined]);
  });
});

describe('formatFor: bites or whole', () => {
  it('their own choice, else the training’s, else the series’, else whole', () => {
    expect(formatFor({}, {}, {})).toBe('whole');
    expect(formatFor({}, {}, { format: 'bites' })).toBe('bites');
    expect(formatFor({}, { format: 'whole' }, { format: 'bites' })).toBe('whole');
    expect(formatFor({ format: 'bites' }, { format: 'whole' }, {})).toBe('bites');
    expect(formatFor({ format: 'whole' }, { format: 'bites' }, { format: 'bites' })).toBe('whole');
  });
});

describe('quietStreak: trainings in a row without a word', () => {
  const trainings = [1, 2, 3, 4].map((order) => ({ slug: `t${order}`, order }));
  const said = (...slugs: string[]) => slugs.map((trainingSlug) => ({ participantEmail: 'a@x.test', trainingSlug }));
  it('counts back from the training before, and stops at the first answered', () => {
    expect(quietStreak('a@x.test', trainings[3]!, trainings, [])).toBe(3);
    expect(quietStreak('a@x.test', trainings[3]!, trainings, said('t1'))).toBe(2);
    expect(quietStreak('a@x.test', trainings[3]!, trainings, said('t2'))).toBe(1);
    expect(quietStreak('a@x.test', trainings[3]!, trainings, said('t3'))).toBe(0);
    expect(quietStreak('a@x.test', trainings[0]!, trainings, [])).toBe(0);
    // Someone else's answers are not theirs.
    expect(quietStreak('b@x.test', trainings[3]!, trainings, said('t3'))).toBe(3);
  });
});

describe('settingsRequest: a reply that only asks about what Baton sends', () => {
  it.each([
    ['preferences', 'preferences'],
    ['Preferences.', 'preferences'],
    ['Hi, my settings please?', undefined],
    ['Hi, settings?', 'preferences'],
    ['change my preferences', 'preferences'],
    ['Einstellungen', 'preferences'],
    ['resume', 'resume'],
    ['Resume the reminders please!', 'resume'],
    ['turn reminders back on', 'resume'],
    ['reanudar', 'resume'],
  ] as const)('%j → %s', (text, expected) => {
    expect(settingsRequest(text)).toBe(expected);
  });

  it('leaves contributions that mention them alone', () => {
    expect(settingsRequest('I adopt #2: I changed my calendar preferences so 1:1s never move.')).toBeUndefined();
    expect(settingsRequest('We should resume the weekly demo, it helped everyone see progress.')).toBeUndefined();
    expect(settingsRequest('')).toBeUndefined();
  });
});
