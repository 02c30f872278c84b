import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deadlineInstant, formatCalendarDate, formatDeadline, formatWindow, timeZoneName } from '#mail/dates';
import { zonedTimeToUtc as zonedInstant } from '#core/time';

describe('calendar dates', () => {
  it('formats a date the same way in long and short form', () => {
    expect(formatCalendarDate('2027-01-31')).toBe('Sunday 31 January');
    expect(formatCalendarDate('2027-01-21', 'short')).toBe('Thu 21 Jan');
  });

  it('adds the year only when a window spans two years', () => {
    expect(formatWindow('2027-01-21', '2027-01-31')).toBe('Thursday 21 January – Sunday 31 January');
    expect(formatWindow('2026-12-28', '2027-01-08', 'short')).toBe('Mon 28 Dec 2026 – Fri 8 Jan 2027');
  });
});

describe('deadlines in the reader’s own zone', () => {
  it('ends the closing day at local midnight, a different instant in each zone', () => {
    expect(deadlineInstant('2027-01-31', 'Asia/Brunei').toISOString()).toBe('2027-01-31T16:00:00.000Z');
    expect(deadlineInstant('2027-01-31', 'America/Los_Angeles').toISOString()).toBe('2027-02-01T08:00:00.000Z');
    expect(deadlineInstant('2027-01-31', 'Asia/Kolkata').toISOString()).toBe('2027-01-31T18:30:00.000Z');
  });

  it('handles the day daylight saving starts (Los Angeles, 14 March 2027)', () => {
    // The window closes on the DST day; its end (midnight after) is already in PDT, UTC-7.
    expect(deadlineInstant('2027-03-14', 'America/Los_Angeles').toISOString()).toBe('2027-03-15T07:00:00.000Z');
    expect(zonedInstant('2027-03-14', '01:30', 'America/Los_Angeles').toISOString()).toBe('2027-03-14T09:30:00.000Z');
    expect(zonedInstant('2027-03-14', '03:30', 'America/Los_Angeles').toISOString()).toBe('2027-03-14T10:30:00.000Z');
  });

  it('names the zone as the reader knows it, summer or winter', () => {
    expect(timeZoneName('America/Los_Angeles', new Date('2027-01-31T12:00:00Z'))).toBe('Pacific Standard Time');
    expect(timeZoneName('America/Los_Angeles', new Date('2027-07-01T12:00:00Z'))).toBe('Pacific Daylight Time');
  });

  it('says when a window closes in words', () => {
    expect(formatDeadline('2027-01-31', 'Asia/Brunei')).toBe('Sunday 31 January, end of your day (23:59 Brunei Time)');
    expect(formatDeadline('2027-01-31', 'America/Los_Angeles')).toBe('Sunday 31 January, end of your day (23:59 Pacific Standard Time)');
    expect(formatDeadline('2027-03-14', 'America/Los_Angeles')).toBe('Sunday 14 March, end of your day (23:59 Pacific Daylight Time)');
  });

  it('maps a wall-clock time to an instant that shows that wall-clock time in the zone', () => {
    const zones = ['Asia/Brunei', 'America/Los_Angeles', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Africa/Accra', 'Pacific/Chatham'];
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2026-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(...zones),
        (day, hour, zone) => {
          const date = day.toISOString().slice(0, 10);
          // 04:00–23:00 avoids the hours a DST switch can skip or repeat in these zones.
          const time = `${String(Math.max(hour, 4)).padStart(2, '0')}:15`;
          const instant = zonedInstant(date, time, zone);
          const shown = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'short', hourCycle: 'h23' }).format(instant);
          expect(shown).toBe(`${date} ${time}`);
        },
      ),
    );
  });
});
