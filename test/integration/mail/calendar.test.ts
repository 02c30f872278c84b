// Every calendar built here is read back by two parsers we did not write: ical.js and Debian's
// python3-icalendar (test/support/python-ical.py), so a mistake in our RFC 5545 output (or in
// the ics package's) cannot hide behind a matching mistake in our own reading of it.
import fc from 'fast-check';
import ICAL from 'ical.js';
import { afterAll, describe, expect, it } from 'vitest';
import { focusCalendar, focusHold, foldLine, uidsOf, windowCalendar, type CalendarMethod } from '#mail/calendar';
import type { Participant, Series, Training } from '#core/model';
import { participantKey } from '#core/short-key';
import { pythonIcal } from '#test/support/python-ical';

const DOMAIN = 'baton.example.com';
const DTSTAMP = new Date('2027-01-10T12:00:00Z');

const series: Series = {
  id: 'q1-productivity',
  title: 'Productivity, communication; and organization \\ Q1',
  intro: '',
  trainers: [{ name: 'Juliet Chen', email: 'juliet@example.com', timeZone: 'Asia/Brunei' }],
  defaultTimeZone: 'UTC',
  defaultWorkStart: '09:00',
  policies: {
    reminderDaysBeforeClose: 3,
    followUpWeeksAfterClose: 3,
    digest: { day: 'mon', hour: 9 },
    rollup: { day: 'fri', hour: 10 },
    acknowledgeContributions: true,
  },
};
const organizer = series.trainers[0]!;

function training(order: number, slug: string, title: string, opens: string, closes: string): Training {
  return { slug, order, title, opens, closes, author: 'Juliet Chen', media: {}, body: '', strategies: [] };
}

// The seed's four trainings, moved to 2027 around the DST changes the tests care about.
const trainings = [
  training(1, 'productive-one-on-ones', 'Schedule a productive 1:1 sync with your manager', '2027-03-12', '2027-03-25'),
  training(2, 'keep-up-with-comms', 'Keep up to date with company communications', '2027-03-13', '2027-03-26'),
  training(3, 'reviews-for-growth', 'Performance reviews as a gateway to growth — «Wachstum» 🌱', '2027-04-02', '2027-04-15'),
  training(4, 'launch-prep', 'Preparation for product launch', '2027-04-05', '2027-04-18'),
] as const;

const ana: Participant = { email: 'ana@example.com', name: 'Ana Müller, "AM"', timeZone: 'America/New_York', workStart: '09:00' };
const ben: Participant = { email: 'ben@example.com', name: 'Ben Okafor', timeZone: 'Australia/Sydney', workStart: '08:30' };
const hari: Participant = { email: 'hari@example.com', name: 'हरि शर्मा', timeZone: 'Asia/Kathmandu', workStart: '09:00' };

const python = pythonIcal();
afterAll(() => python.close());
const parseWithPython = (...calendars: string[]) => python.parse(...calendars);

interface JsEvent {
  uid: string;
  sequence: number;
  status: string;
  summary: string;
  description: string;
  startIsDate: boolean;
  start: string;
  end: string;
  organizer: string;
  attendees: { value: string; cn: string; rsvp: string; partstat: string }[];
}

function parseWithIcalJs(text: string): { method: string; events: JsEvent[] } {
  const root = new ICAL.Component(ICAL.parse(text));
  const events = root.getAllSubcomponents('vevent').map((vevent) => {
    const event = new ICAL.Event(vevent);
    const time = (t: InstanceType<typeof ICAL.Time>): string => (t.isDate ? t.toString() : t.toJSDate().toISOString());
    return {
      uid: event.uid,
      sequence: event.sequence,
      status: String(vevent.getFirstPropertyValue('status')),
      summary: event.summary,
      description: event.description,
      startIsDate: event.startDate.isDate,
      start: time(event.startDate),
      end: time(event.endDate),
      organizer: String(event.organizer),
      attendees: event.attendees.map((a) => ({
        value: String(a.getFirstValue()),
        cn: String(a.getParameter('cn')),
        rsvp: String(a.getParameter('rsvp')),
        partstat: String(a.getParameter('partstat')),
      })),
    };
  });
  return { method: String(root.getFirstPropertyValue('method')), events };
}

function physicalLines(text: string): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  return text.slice(0, -2).split('\r\n');
}

const LINK = (t: Training) => `https://${DOMAIN}/t/${t.slug}`;

function windowFor(t: Training, method: CalendarMethod = 'REQUEST', sequence = 0, who: Participant | undefined = ana): string {
  return windowCalendar({ series, training: t, organizer, domain: DOMAIN, method, sequence, dtstamp: DTSTAMP, link: LINK(t) })(method === 'PUBLISH' ? undefined : who);
}

function focusFor(participant: Participant, t: Training, sequence = 0, minutes = 30, method: 'PUBLISH' | 'CANCEL' = 'PUBLISH', s: Series = series): string {
  return focusCalendar({ series: s, training: t, organizer, domain: DOMAIN, method, sequence, dtstamp: DTSTAMP, minutes, link: LINK(t) })(participant);
}

describe('one calendar object per file', () => {
  it('every window and focus hold, for every method, holds exactly one UID and one VEVENT', async () => {
    for (const t of trainings) {
      for (const method of ['REQUEST', 'CANCEL', 'PUBLISH'] as const) {
        const text = windowFor(t, method);
        expect(uidsOf(text)).toHaveLength(1);
        const [py] = await parseWithPython(text);
        expect(py!.method).toBe(method);
        expect(py!.events).toHaveLength(1);
        expect(parseWithIcalJs(text).events).toHaveLength(1);
      }
      for (const method of ['PUBLISH', 'CANCEL'] as const) {
        const text = focusFor(ben, t, 0, 30, method);
        expect(uidsOf(text)).toEqual([`q1-productivity.${t.slug}.focus.${participantKey(series.id, ben.email)}@baton.example.com`]);
        expect((await parseWithPython(text))[0]!.method).toBe(method);
      }
    }
  });
});

describe('the window', () => {
  it('is an invitation: METHOD:REQUEST, a stable domain-qualified UID, SEQUENCE, organizer and attendee with RSVP', async () => {
    const text = windowFor(trainings[0], 'REQUEST', 3);
    const [py] = await parseWithPython(text);
    const js = parseWithIcalJs(text);
    expect(py!.method).toBe('REQUEST');
    expect(js.method).toBe('REQUEST');
    expect(py!.version).toBe('2.0');
    const e = py!.events[0]!;
    expect(e.uid).toBe('q1-productivity.productive-one-on-ones.window@baton.example.com');
    expect(js.events[0]!.uid).toBe(e.uid);
    expect(e.sequence).toBe(3);
    expect(e.status).toBe('CONFIRMED');
    expect(e.dtstamp.value).toBe('2027-01-10T12:00:00Z');
    expect(e.organizer).toMatchObject({ value: 'MAILTO:juliet@example.com', cn: 'Juliet Chen' });
    // A double quote cannot appear in a parameter value; it becomes a single quote.
    expect(e.attendees).toEqual([{ value: 'mailto:ana@example.com', cn: "Ana Müller, 'AM'", rsvp: 'TRUE', partstat: 'NEEDS-ACTION' }]);
    expect(js.events[0]!.attendees).toEqual([{ value: 'mailto:ana@example.com', cn: "Ana Müller, 'AM'", rsvp: 'TRUE', partstat: 'NEEDS-ACTION' }]);
  });

  it('writes all-day dates with an exclusive DTEND, the same whoever receives it', async () => {
    for (const person of [ana, ben, hari]) {
      const text = windowFor(trainings[1], 'REQUEST', 0, person);
      const [py] = await parseWithPython(text);
      const js = parseWithIcalJs(text);
      expect(py!.events[0]!.dtstart).toEqual({ kind: 'date', value: '2027-03-13' });
      expect(py!.events[0]!.dtend).toEqual({ kind: 'date', value: '2027-03-27' });
      expect(js.events[0]!.startIsDate).toBe(true);
      expect(js.events[0]!.end).toBe('2027-03-27');
    }
  });

  it('as PUBLISH (the kickoff overview) names no attendee and asks for no RSVP', async () => {
    const text = windowFor(trainings[0], 'PUBLISH');
    expect(text).not.toMatch(/ATTENDEE|RSVP/);
    expect((await parseWithPython(text))[0]!.events[0]!.attendees).toEqual([]);
  });

  it('as CANCEL is STATUS:CANCELLED, asks for no RSVP and says the entry is cancelled', async () => {
    const text = windowFor(trainings[2], 'CANCEL', 2, ben);
    const [py] = await parseWithPython(text);
    const js = parseWithIcalJs(text);
    expect(py!.method).toBe('CANCEL');
    const e = py!.events[0]!;
    expect(e.status).toBe('CANCELLED');
    expect(e.sequence).toBe(2);
    expect(e.summary).toMatch(/^Cancelled: /);
    expect(e.description).toContain('This calendar entry is cancelled');
    expect(e.attendees).toEqual([{ value: 'mailto:ben@example.com', cn: 'Ben Okafor', rsvp: null, partstat: null }]);
    expect(js.events[0]!.status).toBe('CANCELLED');
    expect(text).not.toContain('RSVP');
  });

  it('escapes , ; \\ and keeps non-ASCII text intact through folding', async () => {
    const text = windowFor(trainings[2], 'REQUEST', 0, hari);
    const [py] = await parseWithPython(text);
    const js = parseWithIcalJs(text);
    const summary = `${series.title}: ${trainings[2].title}`;
    expect(py!.events[0]!.summary).toBe(summary);
    expect(js.events[0]!.summary).toBe(summary);
    expect(js.events[0]!.description).toContain('Performance reviews as a gateway to growth — «Wachstum» 🌱, by Juliet Chen.\n');
    expect(py!.events[0]!.description).toBe(js.events[0]!.description);
    expect(py!.events[0]!.attendees[0]!.cn).toBe('हरि शर्मा');
  });

  it('writes the same sanitised names as the mail headers: no bidi override, NUL or line break', () => {
    const eve: Participant = { ...ana, name: 'Eve\u0000 \u202eRe: invoice\u202c\r\nX-Evil: 1 Smith' };
    const text = windowCalendar({ series, training: trainings[0], organizer: { name: 'Juliet\u2066 Chen\u2069', email: organizer.email }, domain: DOMAIN, method: 'REQUEST', sequence: 0, dtstamp: DTSTAMP })(eve);
    expect(parseWithIcalJs(text).events[0]!.attendees[0]!.cn).toBe('Eve Re: invoice X-Evil: 1 Smith');
    expect(text).toContain('ORGANIZER;CN="Juliet Chen":');
    expect(text).not.toMatch(/[\u0000\u202a-\u202e\u2066-\u2069]/);
  });

  it('folds every line at 75 octets with CRLF and never splits a UTF-8 character (the ics package counts characters)', () => {
    for (const person of [ana, ben, hari]) {
      for (const t of trainings) {
        for (const text of [windowFor(t, 'REQUEST', 0, person), focusFor(person, t)]) {
          for (const line of physicalLines(text)) {
            expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
            expect(line).not.toContain('\uFFFD');
          }
        }
      }
    }
  });
});

describe('the focus hold', () => {
  it('is a PUBLISH with no attendee, at workStart local on both sides of the New York DST change', async () => {
    // Training 1 opens Friday 2027-03-12 (EST, -5); training 2 opens Saturday 03-13, so its first
    // working day is Monday 03-15, after the change to EDT (-4) on Sunday 03-14.
    const first = focusFor(ana, trainings[0]);
    const second = focusFor(ana, trainings[1]);
    const [py1, py2] = await parseWithPython(first, second);
    expect(py1!.method).toBe('PUBLISH');
    expect(py1!.events[0]!.attendees).toEqual([]);
    expect(py1!.events[0]!.dtstart).toEqual({ kind: 'instant', value: '2027-03-12T14:00:00Z' });
    expect(py1!.events[0]!.dtend).toEqual({ kind: 'instant', value: '2027-03-12T14:30:00Z' });
    expect(parseWithIcalJs(first).events[0]!.start).toBe('2027-03-12T14:00:00.000Z');
    expect(py2!.events[0]!.dtstart).toEqual({ kind: 'instant', value: '2027-03-15T13:00:00Z' });
    expect(parseWithIcalJs(second).events[0]!.end).toBe('2027-03-15T13:30:00.000Z');
  });

  it('handles the Sydney DST change, a quarter-hour zone and a 45-minute hold', async () => {
    const [py3, py4] = await parseWithPython(focusFor(ben, trainings[2]), focusFor(ben, trainings[3]));
    expect(py3!.events[0]!.dtstart.value).toBe('2027-04-01T21:30:00Z');
    expect(py4!.events[0]!.dtstart.value).toBe('2027-04-04T22:30:00Z');
    const [pyHari] = await parseWithPython(focusFor(hari, trainings[0], 0, 45));
    expect(pyHari!.events[0]!.dtstart.value).toBe('2027-03-12T03:15:00Z');
    expect(pyHari!.events[0]!.dtend.value).toBe('2027-03-12T04:00:00Z');
  });

  it("lands on the person's own working day: Friday in Brunei (Mon–Thu, Sat) moves to Saturday, a Sun–Thu team keeps Sunday", async () => {
    // Training 1 opens Friday 2027-03-12.
    const nurul: Participant = { email: 'nurul@example.com', name: 'Nurul', timeZone: 'Asia/Brunei', workStart: '08:30', workDays: ['mon', 'tue', 'wed', 'thu', 'sat'] };
    expect(focusHold(trainings[0], nurul, 30).date).toBe('2027-03-13');
    expect((await parseWithPython(focusFor(nurul, trainings[0])))[0]!.events[0]!.dtstart.value).toBe('2027-03-13T00:30:00Z');
    // Training 2 opens Saturday 03-13: a Sun–Thu week starts its hold on Sunday 03-14.
    const omar: Participant = { email: 'omar@example.com', name: 'Omar', timeZone: 'Asia/Riyadh', workStart: '09:00' };
    const sunThu: Series = { ...series, defaultWorkDays: ['sun', 'mon', 'tue', 'wed', 'thu'] };
    expect(focusHold(trainings[1], omar, 30, sunThu).date).toBe('2027-03-14');
    expect((await parseWithPython(focusFor(omar, trainings[1], 0, 30, 'PUBLISH', sunThu)))[0]!.events[0]!.dtstart.value).toBe('2027-03-14T06:00:00Z');
    // The default week is Monday to Friday.
    expect(focusHold(trainings[1], ana, 30).date).toBe('2027-03-15');
  });

  it('fills each person from the shared build exactly as a fresh build would', () => {
    const people = [ana, ben, hari, { ...ana, email: 'ana2@example.com' }, { ...ben, workDays: ['sun', 'mon'] as Participant['workDays'] }];
    const shared = focusCalendar({ series, training: trainings[0], organizer, domain: DOMAIN, method: 'PUBLISH', sequence: 1, dtstamp: DTSTAMP, minutes: 30 });
    for (const p of [...people, ...people]) {
      expect(shared(p)).toBe(focusCalendar({ series, training: trainings[0], organizer, domain: DOMAIN, method: 'PUBLISH', sequence: 1, dtstamp: DTSTAMP, minutes: 30 })(p));
    }
  });
});

describe('any title and any name', () => {
  it('still parses in both parsers as one event with the text intact', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 120 }), fc.string({ minLength: 1, maxLength: 60 }), (title, name) => {
        const t = { ...trainings[0], title };
        const who: Participant = { ...ana, name };
        const text = windowCalendar({ series, training: t, organizer, domain: DOMAIN, method: 'REQUEST', sequence: 0, dtstamp: DTSTAMP })(who);
        expect(uidsOf(text)).toHaveLength(1);
        const js = parseWithIcalJs(text);
        expect(js.events).toHaveLength(1);
        for (const line of physicalLines(text)) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
      }),
      { numRuns: 150 },
    );
  });

  it('foldLine keeps short lines and cuts long ones at 75 octets', () => {
    expect(foldLine('SUMMARY:short')).toBe('SUMMARY:short');
    const long = `SUMMARY:${'é'.repeat(80)}`;
    for (const line of foldLine(long).split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(foldLine(long).replace(/\r\n /g, '')).toBe(long);
  });
});
