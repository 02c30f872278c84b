// Every calendar built here is read back by two parsers we did not write: ical.js and Debian's
// python3-icalendar (test/support/python-ical.py), so a mistake in our RFC 5545 output cannot
// hide behind a matching mistake in our own reading of it.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { cancelCalendar, escapeText, focusHold, foldLine, kickoffCalendar, trainingCalendar, trainingCalendarBuilder } from '#mail/ics';
import type { Participant, Series, Training } from '#core/model';
import { participantKey } from '#core/short-key';

const PYTHON_HELPER = fileURLToPath(new URL('../../support/python-ical.py', import.meta.url));
// Debian's interpreter: python3-icalendar is installed for it, not for a pyenv python3 on PATH.
const PYTHON = '/usr/bin/python3';
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

interface PyWhen {
  kind: 'date' | 'instant' | 'floating';
  value: string;
}
interface PyPerson {
  value: string;
  cn: string | null;
  rsvp: string | null;
  partstat: string | null;
}
interface PyEvent {
  uid: string;
  sequence: number;
  status: string | null;
  summary: string;
  description: string | null;
  dtstart: PyWhen;
  dtend: PyWhen;
  dtstamp: PyWhen;
  organizer: PyPerson | null;
  attendees: PyPerson[];
}
interface PyCalendar {
  method: string;
  version: string;
  events: PyEvent[];
}

function parseWithPython(...calendars: string[]): PyCalendar[] {
  const out = execFileSync(PYTHON, [PYTHON_HELPER], { input: calendars.join('\n----\n'), encoding: 'utf8' });
  return JSON.parse(out) as PyCalendar[];
}

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

function build(participant: Participant, t: Training, sequence = 0, focusMinutes = 30): string {
  return trainingCalendar({ series, training: t, participant, organizer, domain: DOMAIN, sequence, dtstamp: DTSTAMP, focusMinutes, link: `https://${DOMAIN}/t/${t.slug}` });
}

describe('trainingCalendar', () => {
  it('puts the focus hold at workStart local on both sides of the New York DST change', () => {
    // Training 1 opens Friday 2027-03-12 (EST, -5); training 2 opens Saturday 03-13, so its first
    // working day is Monday 03-15, after the change to EDT (-4) on Sunday 03-14.
    const first = build(ana, trainings[0]);
    const second = build(ana, trainings[1]);
    const [py1, py2] = parseWithPython(first, second);
    const js1 = parseWithIcalJs(first);
    const js2 = parseWithIcalJs(second);

    expect(py1!.events[1]!.dtstart).toEqual({ kind: 'instant', value: '2027-03-12T14:00:00Z' });
    expect(py1!.events[1]!.dtend).toEqual({ kind: 'instant', value: '2027-03-12T14:30:00Z' });
    expect(js1.events[1]!.start).toBe('2027-03-12T14:00:00.000Z');
    expect(py2!.events[1]!.dtstart).toEqual({ kind: 'instant', value: '2027-03-15T13:00:00Z' });
    expect(js2.events[1]!.start).toBe('2027-03-15T13:00:00.000Z');
    expect(js2.events[1]!.end).toBe('2027-03-15T13:30:00.000Z');
  });

  it('puts the focus hold at workStart local on both sides of the Sydney DST change', () => {
    // Training 3 opens Friday 2027-04-02 (AEDT, +11); training 4 Monday 04-05 (AEST, +10).
    const [py3, py4] = parseWithPython(build(ben, trainings[2]), build(ben, trainings[3]));
    expect(py3!.events[1]!.dtstart.value).toBe('2027-04-01T21:30:00Z');
    expect(py4!.events[1]!.dtstart.value).toBe('2027-04-04T22:30:00Z');
    expect(parseWithIcalJs(build(ben, trainings[3])).events[1]!.start).toBe('2027-04-04T22:30:00.000Z');
  });

  it('handles a quarter-hour zone and a 45-minute hold', () => {
    const text = build(hari, trainings[0], 0, 45);
    const [py] = parseWithPython(text);
    expect(py!.events[1]!.dtstart.value).toBe('2027-03-12T03:15:00Z');
    expect(py!.events[1]!.dtend.value).toBe('2027-03-12T04:00:00Z');
  });

  it('writes the window as all-day dates with an exclusive DTEND, the same for every zone', () => {
    for (const person of [ana, ben, hari]) {
      const text = build(person, trainings[1]);
      const [py] = parseWithPython(text);
      const js = parseWithIcalJs(text);
      expect(py!.events[0]!.dtstart).toEqual({ kind: 'date', value: '2027-03-13' });
      expect(py!.events[0]!.dtend).toEqual({ kind: 'date', value: '2027-03-27' });
      expect(js.events[0]!.startIsDate).toBe(true);
      expect(js.events[0]!.start).toBe('2027-03-13');
      expect(js.events[0]!.end).toBe('2027-03-27');
    }
  });

  it('is an invitation: METHOD:REQUEST, stable domain-qualified UIDs, SEQUENCE, organizer and attendee with RSVP', () => {
    const text = build(ana, trainings[0], 3);
    const [py] = parseWithPython(text);
    const js = parseWithIcalJs(text);
    const pkey = participantKey(series.id, ana.email);
    expect(py!.method).toBe('REQUEST');
    expect(js.method).toBe('REQUEST');
    expect(py!.version).toBe('2.0');
    expect(py!.events.map((e) => e.uid)).toEqual([
      'q1-productivity.productive-one-on-ones.window@baton.example.com',
      `q1-productivity.productive-one-on-ones.focus.${pkey}@baton.example.com`,
    ]);
    expect(js.events.map((e) => e.uid)).toEqual(py!.events.map((e) => e.uid));
    for (const e of py!.events) {
      expect(e.sequence).toBe(3);
      expect(e.status).toBe('CONFIRMED');
      expect(e.dtstamp.value).toBe('2027-01-10T12:00:00Z');
      expect(e.organizer).toMatchObject({ value: 'mailto:juliet@example.com', cn: 'Juliet Chen' });
      // A double quote cannot appear in a parameter value; it becomes a single quote.
      expect(e.attendees).toEqual([{ value: 'mailto:ana@example.com', cn: "Ana Müller, 'AM'", rsvp: 'TRUE', partstat: 'NEEDS-ACTION' }]);
    }
    for (const e of js.events) {
      expect(e.sequence).toBe(3);
      expect(e.organizer).toBe('mailto:juliet@example.com');
      expect(e.attendees).toEqual([{ value: 'mailto:ana@example.com', cn: "Ana Müller, 'AM'", rsvp: 'TRUE', partstat: 'NEEDS-ACTION' }]);
    }
    // The same input gives the same UIDs: an update replaces rather than duplicates.
    expect(parseWithIcalJs(build(ana, trainings[0], 4)).events.map((e) => e.uid)).toEqual(js.events.map((e) => e.uid));
  });

  it('escapes , ; \\ and keeps non-ASCII text intact through folding', () => {
    const text = build(hari, trainings[2]);
    const [py] = parseWithPython(text);
    const js = parseWithIcalJs(text);
    const summary = `${series.title}: ${trainings[2].title}`;
    expect(py!.events[0]!.summary).toBe(summary);
    expect(js.events[0]!.summary).toBe(summary);
    expect(js.events[0]!.description).toContain('Performance reviews as a gateway to growth — «Wachstum» 🌱, by Juliet Chen.\n');
    expect(js.events[0]!.description).toContain(`https://${DOMAIN}/t/reviews-for-growth`);
    expect(py!.events[0]!.description).toBe(js.events[0]!.description);
    expect(py!.events[0]!.attendees[0]!.cn).toBe('हरि शर्मा');
    expect(js.events[0]!.attendees[0]!.cn).toBe('हरि शर्मा');
  });

  it('writes the same sanitised name in ATTENDEE and ORGANIZER CN as the mail headers: no bidi override, NUL or line break', () => {
    const eve: Participant = { ...ana, name: 'Eve\u0000 \u202eRe: invoice\u202c\r\nX-Evil: 1 Smith' };
    const text = trainingCalendar({
      series: { ...series, trainers: [{ ...series.trainers[0]!, name: 'Juliet\u2066 Chen\u2069' }] },
      training: trainings[0],
      participant: eve,
      organizer: { name: 'Juliet\u2066 Chen\u2069', email: organizer.email },
      domain: DOMAIN,
      sequence: 0,
      dtstamp: DTSTAMP,
      focusMinutes: 30,
      position: '1 of 3',
    });
    const js = parseWithIcalJs(text);
    expect(js.events[0]!.attendees[0]!.cn).toBe('Eve Re: invoice X-Evil: 1 Smith');
    expect(text).toContain('ORGANIZER;CN="Juliet Chen":');
    expect(text).not.toMatch(/[\u0000\u202a-\u202e\u2066-\u2069]/);
  });

  it('folds every line at 75 octets with CRLF and never splits a UTF-8 character', () => {
    for (const person of [ana, ben, hari]) {
      for (const t of trainings) {
        const text = build(person, t);
        for (const line of physicalLines(text)) {
          expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
          expect(line).not.toContain('\uFFFD');
          expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
        }
      }
    }
  });

  it('keeps a weekend-only window\'s hold inside the window', () => {
    const weekend = training(5, 'weekend', 'Weekend special', '2027-03-13', '2027-03-14');
    expect(focusHold(weekend, ana, 30).date).toBe('2027-03-13');
    expect(focusHold(trainings[1], ana, 30).date).toBe('2027-03-15');
  });

  it('leaves the focus hold out when focusMinutes is 0', () => {
    const [py] = parseWithPython(build(ana, trainings[0], 0, 0));
    expect(py!.events).toHaveLength(1);
  });

  it('the per-training builder gives exactly what trainingCalendar gives', () => {
    const base = { series, training: trainings[1], organizer, domain: DOMAIN, sequence: 2, dtstamp: DTSTAMP, focusMinutes: 30, position: '2 of 4' };
    const make = trainingCalendarBuilder(base);
    const people: Participant[] = [ana, ben, hari, { ...ana, email: 'ana2@example.com' }, { ...ben, workStart: '10:15' }];
    for (const p of [...people, ...people]) expect(make(p)).toBe(trainingCalendar({ ...base, participant: p }));
    expect(make(ben)).not.toBe(make({ ...ben, workStart: '10:15' }));
  });

  it('rejects a negative SEQUENCE with a reason', () => {
    expect(() => build(ana, trainings[0], -1)).toThrow(/SEQUENCE/);
  });
});

describe('kickoffCalendar', () => {
  it('holds one all-day event per training window, numbered in the description', () => {
    const text = kickoffCalendar({ series, trainings, attendee: ana, organizer, domain: DOMAIN, sequence: 0, dtstamp: DTSTAMP, links: { 'launch-prep': `https://${DOMAIN}/t/launch-prep` } });
    const [py] = parseWithPython(text);
    const js = parseWithIcalJs(text);
    expect(py!.method).toBe('REQUEST');
    expect(py!.events.map((e) => [e.uid, e.dtstart.value, e.dtend.value])).toEqual([
      ['q1-productivity.productive-one-on-ones.window@baton.example.com', '2027-03-12', '2027-03-26'],
      ['q1-productivity.keep-up-with-comms.window@baton.example.com', '2027-03-13', '2027-03-27'],
      ['q1-productivity.reviews-for-growth.window@baton.example.com', '2027-04-02', '2027-04-16'],
      ['q1-productivity.launch-prep.window@baton.example.com', '2027-04-05', '2027-04-19'],
    ]);
    expect(js.events.map((e) => e.startIsDate)).toEqual([true, true, true, true]);
    expect(js.events[3]!.description).toMatch(/^Training 4 of 4 in "Productivity, communication; and organization \\ Q1"/);
    expect(js.events[3]!.description).toContain(`https://${DOMAIN}/t/launch-prep`);
    for (const e of py!.events) expect(e.attendees.map((a) => a.value)).toEqual(['mailto:ana@example.com']);
    // The kickoff's window UIDs are the ones the training emails use, so they update the same holds.
    expect(js.events[0]!.uid).toBe(parseWithIcalJs(build(ana, trainings[0])).events[0]!.uid);
    for (const line of physicalLines(text)) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  });
});

describe('cancelCalendar', () => {
  it('cancels the same UIDs with a higher SEQUENCE and STATUS:CANCELLED', () => {
    const sent = parseWithIcalJs(build(ben, trainings[2], 1));
    const text = cancelCalendar({ series, trainings: [trainings[2]], participant: ben, organizer, domain: DOMAIN, sequence: 2, dtstamp: DTSTAMP, focusMinutes: 30 });
    const [py] = parseWithPython(text);
    const js = parseWithIcalJs(text);
    expect(py!.method).toBe('CANCEL');
    expect(js.method).toBe('CANCEL');
    expect(js.events.map((e) => e.uid)).toEqual(sent.events.map((e) => e.uid));
    expect(js.events.map((e) => [e.start, e.end])).toEqual(sent.events.map((e) => [e.start, e.end]));
    for (const e of py!.events) {
      expect(e.status).toBe('CANCELLED');
      expect(e.sequence).toBe(2);
      expect(e.attendees[0]!.value).toBe('mailto:ben@example.com');
    }
  });

  it('cancels only windows when no focus hold was sent, and needs the zone to cancel a hold', () => {
    const text = cancelCalendar({ series, trainings: [...trainings], participant: { name: 'Ben', email: 'ben@example.com' }, organizer, domain: DOMAIN, sequence: 1, dtstamp: DTSTAMP });
    expect(parseWithIcalJs(text).events.map((e) => e.uid.endsWith('.window@baton.example.com'))).toEqual([true, true, true, true]);
    expect(() =>
      cancelCalendar({ series, trainings: [trainings[0]], participant: { name: 'Ben', email: 'ben@example.com' }, organizer, domain: DOMAIN, sequence: 1, dtstamp: DTSTAMP, focusMinutes: 30 }),
    ).toThrow(/timeZone and workStart/);
  });
});

describe('foldLine and escapeText', () => {
  it('folds any text into lines of at most 75 octets that unfold to the original (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (raw) => {
        // Lone surrogates cannot be written as UTF-8 at all; real text never has them.
        const text = `DESCRIPTION:${raw.replace(/[\ud800-\udfff]/g, 'x')}`;
        const folded = foldLine(text);
        const lines = folded.split('\r\n');
        expect(Buffer.byteLength(lines[0]!)).toBeLessThanOrEqual(75);
        for (const line of lines.slice(1)) {
          expect(line.startsWith(' ')).toBe(true);
          expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
        }
        expect(folded.replace(/\r\n /g, '')).toBe(text);
        // Each physical line is valid UTF-8 on its own: no character was cut in half.
        for (const line of lines) expect(Buffer.from(line, 'utf8').toString('utf8')).toBe(line);
      }),
      { numRuns: 300 },
    );
  });

  it('escapes TEXT as RFC 5545 3.3.11 says', () => {
    expect(escapeText('a,b;c\\d\ne\r\nf')).toBe('a\\,b\\;c\\\\d\\ne\\nf');
    expect(escapeText('plain text: with colon')).toBe('plain text: with colon');
  });
});
