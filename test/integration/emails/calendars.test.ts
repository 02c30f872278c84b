// Every calendar Baton writes, in every kind of email that carries one (kickoff, training, update,
// cancel, removed), read by two parsers we did not write: Debian's python3-icalendar and ical.js.
// iTIP (RFC 5546) is one calendar object per message and Outlook acts on the first event only, so
// each file must hold exactly one UID, and the inline part's method= must equal its METHOD.
import ICAL from 'ical.js';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Participant } from '#core/model';
import { calendarMails, calendarsOf, exampleSeries, type KindMail } from '#test/support/every-kind';
import { pythonIcal } from '#test/support/python-ical';

const python = pythonIcal();
afterAll(() => python.close());

let person: Participant;
let mails: KindMail[];

beforeAll(async () => {
  const { participants } = await exampleSeries();
  person = participants.find((p) => p.timeZone === 'Asia/Brunei') ?? participants[0]!;
  mails = await calendarMails(person);
}, 60_000);

describe('every calendar in every kind of email', () => {
  it('covers kickoff, training, update, cancel and removed', () => {
    expect([...new Set(mails.map((m) => m.kind))]).toEqual(['kickoff', 'training', 'update', 'cancel', 'removed', 'calendars-off']);
  });

  it('holds exactly one UID per file, parses in python3-icalendar and ical.js, and the inline method= is its METHOD', async () => {
    const seen: string[] = [];
    for (const mail of mails) {
      const calendars = await calendarsOf(mail.raw);
      expect(calendars.length, mail.name).toBeGreaterThan(0);
      const py = await python.parse(...calendars.map((c) => c.text));
      calendars.forEach((c, i) => {
        const where = `${mail.name} ${c.filename}`;
        const root = new ICAL.Component(ICAL.parse(c.text));
        const uids = new Set(root.getAllSubcomponents('vevent').map((e) => String(e.getFirstPropertyValue('uid'))));
        expect(uids.size, where).toBe(1);
        expect(new Set(py[i]!.events.map((e) => e.uid)).size, where).toBe(1);
        const method = String(root.getFirstPropertyValue('method'));
        expect(py[i]!.method, where).toBe(method);
        if (c.inlineMethod) expect(c.inlineMethod, where).toBe(method);
        // A CANCEL or PUBLISH asks nobody to answer; only the invitation does.
        const rsvp = py[i]!.events.flatMap((e) => e.attendees.map((a) => a.rsvp));
        if (method === 'REQUEST') expect(rsvp, where).toEqual(['TRUE']);
        else expect(rsvp.filter((r) => r !== null), where).toEqual([]);
        if (method === 'CANCEL') {
          expect(py[i]!.events.every((e) => e.status === 'CANCELLED'), where).toBe(true);
          expect(c.text, where).toMatch(/is cancelled/);
        }
        seen.push(`${mail.kind}:${method}`);
      });
    }
    expect(new Set(seen)).toEqual(new Set(['kickoff:PUBLISH', 'training:REQUEST', 'training:PUBLISH', 'update:REQUEST', 'update:PUBLISH', 'cancel:CANCEL', 'removed:CANCEL', 'calendars-off:CANCEL']));
  });

  it('has the same text/calendar invitation inline and as invite.ics, and never more than one inline part', async () => {
    for (const mail of mails) {
      const calendars = await calendarsOf(mail.raw);
      const inline = calendars.filter((c) => c.filename === '(inline)');
      expect(inline.length, mail.name).toBeLessThanOrEqual(1);
      if (inline[0]) expect(calendars.find((c) => c.filename === 'invite.ics')?.text, mail.name).toBe(inline[0].text);
    }
  });

  it.each([
    ['the CSV says no', { calendars: false }],
    // What the store holds after the footer link's POST (click-link.ts).
    ['they clicked the footer link', { calendarsOffAt: '2027-01-22T10:00:00.000Z' }],
  ])('sends the same emails without any calendar when %s', async (_, off) => {
    const without = await calendarMails({ ...person, ...off } as Participant);
    expect(without.map((m) => m.kind)).toEqual(mails.map((m) => m.kind));
    // Except the one that takes the placed entries away: it carries its CANCELs regardless.
    expect((await calendarsOf(without.find((m) => m.kind === 'calendars-off')!.raw)).length).toBeGreaterThan(0);
    for (const mail of without.filter((m) => m.kind !== 'calendars-off')) {
      expect(await calendarsOf(mail.raw), mail.name).toEqual([]);
      expect(mail.raw, mail.name).not.toMatch(/text\/calendar|application\/ics/);
    }
  });

  it('offers the preference link in every email footer, signed for this person (not in the one saying it is off)', async () => {
    for (const mail of mails.filter((m) => m.kind !== 'calendars-off')) {
      const parsed = await simpleParser(mail.raw);
      expect(parsed.text, mail.name).toMatch(/Turn off calendar entries: https:\/\/links\.baton\.example\.com\/l\/\S+/);
    }
  });
});
