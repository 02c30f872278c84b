import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  daysBetween,
  firstWorkingDay,
  formatDate,
  formatDateRange,
  icsDate,
  icsUtc,
  offsetMs,
  rfc5322Date,
  utcToZoned,
  weekdayOf,
  zonedTimeToUtc,
} from '#core/time';

const iso = (d: Date): string => d.toISOString();

describe('zonedTimeToUtc', () => {
  it('America/New_York: EST before 2027-03-14, EDT from the same day on', () => {
    expect(iso(zonedTimeToUtc('2027-03-13', '09:00', 'America/New_York'))).toBe('2027-03-13T14:00:00.000Z');
    expect(iso(zonedTimeToUtc('2027-03-14', '01:59', 'America/New_York'))).toBe('2027-03-14T06:59:00.000Z');
    expect(iso(zonedTimeToUtc('2027-03-14', '09:00', 'America/New_York'))).toBe('2027-03-14T13:00:00.000Z');
    expect(iso(zonedTimeToUtc('2027-03-15', '09:00', 'America/New_York'))).toBe('2027-03-15T13:00:00.000Z');
  });

  it('moves a time in the spring-forward gap forward by the gap', () => {
    // 02:00–02:59 does not exist in New York on 2027-03-14; 02:30 becomes 03:30 EDT.
    const t = zonedTimeToUtc('2027-03-14', '02:30', 'America/New_York');
    expect(iso(t)).toBe('2027-03-14T07:30:00.000Z');
    expect(utcToZoned(t, 'America/New_York')).toEqual({ date: '2027-03-14', time: '03:30', weekday: 'sun' });
  });

  it('takes the first of two 01:30s when New York falls back (2027-11-07)', () => {
    const t = zonedTimeToUtc('2027-11-07', '01:30', 'America/New_York');
    expect(iso(t)).toBe('2027-11-07T05:30:00.000Z'); // 01:30 EDT, not 01:30 EST (06:30Z)
    expect(iso(zonedTimeToUtc('2027-11-07', '09:00', 'America/New_York'))).toBe('2027-11-07T14:00:00.000Z');
  });

  it('Australia/Sydney: AEDT ends 2027-04-04 (southern hemisphere), AEST afterwards', () => {
    expect(iso(zonedTimeToUtc('2027-04-03', '09:00', 'Australia/Sydney'))).toBe('2027-04-02T22:00:00.000Z');
    // 02:30 happens twice on 2027-04-04: the first is still +11.
    expect(iso(zonedTimeToUtc('2027-04-04', '02:30', 'Australia/Sydney'))).toBe('2027-04-03T15:30:00.000Z');
    expect(iso(zonedTimeToUtc('2027-04-04', '09:00', 'Australia/Sydney'))).toBe('2027-04-03T23:00:00.000Z');
    expect(iso(zonedTimeToUtc('2027-04-05', '09:00', 'Australia/Sydney'))).toBe('2027-04-04T23:00:00.000Z');
  });

  it('Australia/Sydney spring-forward gap (2027-10-03 02:30 does not exist)', () => {
    const t = zonedTimeToUtc('2027-10-03', '02:30', 'Australia/Sydney');
    expect(utcToZoned(t, 'Australia/Sydney').time).toBe('03:30');
  });

  it('Asia/Brunei has no DST: +08:00 all year', () => {
    for (const date of ['2027-01-15', '2027-03-14', '2027-07-01', '2027-11-07']) {
      expect(iso(zonedTimeToUtc(date, '09:00', 'Asia/Brunei'))).toBe(`${date}T01:00:00.000Z`);
    }
  });

  it('Europe/London: GMT in winter, BST from 2027-03-28', () => {
    expect(iso(zonedTimeToUtc('2027-03-27', '09:00', 'Europe/London'))).toBe('2027-03-27T09:00:00.000Z');
    expect(iso(zonedTimeToUtc('2027-03-29', '09:00', 'Europe/London'))).toBe('2027-03-29T08:00:00.000Z');
    // 01:00–01:59 is skipped that night: 01:30 becomes 02:30 BST.
    expect(iso(zonedTimeToUtc('2027-03-28', '01:30', 'Europe/London'))).toBe('2027-03-28T01:30:00.000Z');
    expect(iso(zonedTimeToUtc('2027-03-28', '00:59', 'Europe/London'))).toBe('2027-03-28T00:59:00.000Z');
  });

  it('half- and quarter-hour zones: Asia/Kolkata +05:30, Asia/Kathmandu +05:45', () => {
    expect(iso(zonedTimeToUtc('2027-01-21', '09:00', 'Asia/Kolkata'))).toBe('2027-01-21T03:30:00.000Z');
    expect(iso(zonedTimeToUtc('2027-01-21', '09:00', 'Asia/Kathmandu'))).toBe('2027-01-21T03:15:00.000Z');
    expect(iso(zonedTimeToUtc('2027-01-21', '00:00', 'Asia/Kathmandu'))).toBe('2027-01-20T18:15:00.000Z');
  });

  it('crosses the date line: Pacific/Kiritimati (+14) and Pacific/Pago_Pago (-11)', () => {
    expect(iso(zonedTimeToUtc('2027-01-21', '09:00', 'Pacific/Kiritimati'))).toBe('2027-01-20T19:00:00.000Z');
    expect(iso(zonedTimeToUtc('2027-01-21', '09:00', 'Pacific/Pago_Pago'))).toBe('2027-01-21T20:00:00.000Z');
  });

  it('round-trips with utcToZoned for every quarter hour of DST-change days', () => {
    const zones = ['America/New_York', 'Australia/Sydney', 'Europe/London', 'Asia/Kathmandu', 'Australia/Lord_Howe'];
    const days = ['2027-03-14', '2027-04-04', '2027-03-28', '2027-10-03', '2027-10-31', '2027-11-07'];
    for (const zone of zones) {
      for (const date of days) {
        for (let m = 0; m < 24 * 60; m += 15) {
          const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
          const back = utcToZoned(zonedTimeToUtc(date, time, zone), zone);
          // Times in a gap come back later; every other time comes back as written.
          if (back.date !== date || back.time !== time) {
            expect(back.date).toBe(date);
            expect(back.time > time).toBe(true);
          }
        }
      }
    }
  });

  it('agrees with utcToZoned on random instants in many zones (property)', () => {
    const zones = ['America/New_York', 'America/Santiago', 'Europe/Berlin', 'Africa/Accra', 'Asia/Dubai', 'Asia/Kolkata', 'Australia/Adelaide', 'Pacific/Chatham'];
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2020, 0, 1) / 60_000, max: Date.UTC(2035, 0, 1) / 60_000 }), fc.constantFrom(...zones), (minute, zone) => {
        const instant = new Date(minute * 60_000);
        const local = utcToZoned(instant, zone);
        const back = zonedTimeToUtc(local.date, local.time, zone);
        // The same wall clock maps back to this instant, or to an earlier one in a fall-back overlap.
        expect(back.getTime()).toBeLessThanOrEqual(instant.getTime());
        expect(utcToZoned(back, zone)).toEqual(local);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects malformed input with a message that says what to write', () => {
    expect(() => zonedTimeToUtc('2027-3-14', '09:00', 'UTC')).toThrow(/YYYY-MM-DD/);
    expect(() => zonedTimeToUtc('2027-03-14', '9:00', 'UTC')).toThrow(/HH:MM/);
    expect(() => zonedTimeToUtc('2027-03-14', '09:00', 'Mars/Olympus')).toThrow(/IANA/);
  });
});

describe('utcToZoned', () => {
  it('gives date, time and weekday in the zone', () => {
    const t = new Date('2027-01-21T23:30:00Z');
    expect(utcToZoned(t, 'UTC')).toEqual({ date: '2027-01-21', time: '23:30', weekday: 'thu' });
    expect(utcToZoned(t, 'Asia/Brunei')).toEqual({ date: '2027-01-22', time: '07:30', weekday: 'fri' });
    expect(utcToZoned(t, 'America/Los_Angeles')).toEqual({ date: '2027-01-21', time: '15:30', weekday: 'thu' });
  });

  it('offsetMs reflects DST', () => {
    expect(offsetMs(Date.UTC(2027, 0, 1), 'America/New_York')).toBe(-5 * 3_600_000);
    expect(offsetMs(Date.UTC(2027, 6, 1), 'America/New_York')).toBe(-4 * 3_600_000);
    expect(offsetMs(Date.UTC(2027, 0, 1), 'Asia/Kathmandu')).toBe((5 * 60 + 45) * 60_000);
  });
});

describe('calendar dates', () => {
  it('addDays crosses months, leap days and years', () => {
    expect(addDays('2027-01-31', 1)).toBe('2027-02-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-02-28', 1)).toBe('2027-03-01');
    expect(addDays('2027-12-31', 1)).toBe('2028-01-01');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(addDays('2027-03-14', 14)).toBe('2027-03-28');
    expect(daysBetween('2027-01-21', '2027-01-31')).toBe(10);
    expect(daysBetween('2027-03-28', '2027-03-14')).toBe(-14);
  });

  it('firstWorkingDay keeps weekdays and moves Saturday and Sunday to Monday', () => {
    expect(weekdayOf('2027-01-21')).toBe('thu');
    expect(firstWorkingDay('2027-01-21')).toBe('2027-01-21'); // Thursday
    expect(firstWorkingDay('2027-01-22')).toBe('2027-01-22'); // Friday
    expect(firstWorkingDay('2027-01-23')).toBe('2027-01-25'); // Saturday
    expect(firstWorkingDay('2027-01-24')).toBe('2027-01-25'); // Sunday
    expect(firstWorkingDay('2027-01-25')).toBe('2027-01-25'); // Monday
  });

  it('formats for iCalendar, mail headers and people', () => {
    expect(icsDate('2027-01-21')).toBe('20270121');
    expect(icsUtc(new Date('2027-01-21T14:05:09.123Z'))).toBe('20270121T140509Z');
    expect(rfc5322Date(new Date('2027-01-21T14:05:09Z'))).toBe('Thu, 21 Jan 2027 14:05:09 +0000');
    expect(formatDate('2027-02-01')).toBe('Mon 1 Feb 2027');
    expect(formatDateRange('2027-01-21', '2027-01-31')).toBe('Thu 21 Jan – Sun 31 Jan 2027');
    expect(formatDateRange('2027-12-28', '2028-01-07')).toBe('Tue 28 Dec 2027 – Fri 7 Jan 2028');
  });
});
