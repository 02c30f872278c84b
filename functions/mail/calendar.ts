// Calendar entries, built with the `ics` package and filled per recipient.
//
// One calendar object per iTIP message (RFC 5546): Outlook acts on the first event of an
// invitation and drops the rest, so every .ics Baton writes holds exactly one UID.
//
//   kickoff    one PUBLISH file per training window (no ATTENDEE, no RSVP): an overview the person
//              can add; nothing asks them to answer before the training arrives
//   training   the invitation is the window: REQUEST with ATTENDEE;RSVP=TRUE, inline and as
//              invite.ics; the personal focus hold travels beside it as focus.ics, a PUBLISH
//   update     the moved window as a REQUEST (a PUBLISH for someone who only had the kickoff's
//              overview) and the moved focus hold as a PUBLISH, SEQUENCE above the last one sent
//   cancel     the window as a CANCEL, the focus hold as a CANCEL file beside it; no RSVP, and the
//              text says the entry is cancelled
//   removed    every placed entry as its own CANCEL file; the first window's is also inline
//
// The window and the overview share a UID, so a calendar that added the overview turns that
// entry into the invitation instead of showing the training twice.
//
// Kinds of event:
// - the window: all-day dates (VALUE=DATE), the same for everyone whatever their zone, DTEND the
//   day after the closing date because DTEND is exclusive;
// - the focus hold: a timed block at the participant's workStart on the day the training reaches
//   them (their first working day of the window), a UTC instant so no VTIMEZONE is needed.
//
// Speed: `ics` validates every event with a schema (about a millisecond each), so each kind of
// event is built once per send, or once per (zone, work start, week) for focus holds, and only
// the UID and ATTENDEE lines are written per recipient. That, and what `ics` cannot say, is done
// in one place: `prepare` below.
import { createEvent, type DateTime, type EventAttributes } from 'ics';
import { workDaysOf } from '#core/audience';
import type { Language, Participant, Series, Training } from '#core/model';
import { messagesFor } from './messages/index.ts';
import { sanitizeLine } from '#core/sanitize';
import { trainingSendDay } from '#core/schedule-plan';
import { participantKey } from '#core/short-key';
import { addDays, zonedTimeToUtc, type Weekday } from '#core/time';

export interface CalendarPerson {
  name: string;
  email: string;
}

export type CalendarMethod = 'REQUEST' | 'CANCEL' | 'PUBLISH';

/** One calendar object: exactly one UID, one METHOD. */
export interface CalendarFile {
  method: CalendarMethod;
  filename: string;
  ics: string;
}

/** What one email carries: at most one invitation inline (REQUEST or CANCEL) and files to add. */
export interface MailCalendars {
  invite?: CalendarFile & { method: 'REQUEST' | 'CANCEL' };
  files: CalendarFile[];
}

const CRLF = '\r\n';
const PRODID = '-//Baton//Async training series//EN';

/**
 * Folds one content line at 75 octets (RFC 5545 3.1). `ics` folds at 75 characters, which is
 * up to 300 octets for non-Latin titles; strict parsers and some Outlook builds refuse those.
 */
export function foldLine(line: string): string {
  if (line.length <= 25) return line;
  if (line.length <= 75 && Buffer.byteLength(line) <= 75) return line;
  let out = '';
  let octets = 0;
  let limit = 75;
  for (let i = 0; i < line.length; i++) {
    const code = line.charCodeAt(i);
    let width: number;
    let unit = line[i]!;
    if (code < 0x80) width = 1;
    else if (code < 0x800) width = 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < line.length) {
      width = 4;
      unit += line[++i]!;
    } else width = 3;
    if (octets + width > limit) {
      out += `${CRLF} `;
      octets = 0;
      limit = 74;
    }
    out += unit;
    octets += width;
  }
  return out;
}

/** Text as `ics` will escape it, without what TEXT cannot hold (controls, bidi overrides). */
function text(value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.split('\n').map((line) => sanitizeLine(line, 10_000)).join('\n');
}

/** A CN parameter: DQUOTE cannot appear inside one at all (`ics` writes \" which is not RFC 5545). */
function cn(name: string): string {
  return sanitizeLine(name).replace(/"/g, "'");
}

function attendeeLine(person: CalendarPerson, method: CalendarMethod): string | undefined {
  // PUBLISH has no attendees; a CANCEL names who is removed but asks nothing of them.
  if (method === 'PUBLISH') return undefined;
  const ask = method === 'REQUEST' ? ';PARTSTAT=NEEDS-ACTION;RSVP=TRUE' : '';
  return foldLine(`ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT${ask};CN="${cn(person.name)}":mailto:${person.email}`);
}

/** An event as `ics` wrote it, cut where the per-recipient UID and ATTENDEE lines go. */
interface Prepared {
  method: CalendarMethod;
  head: string;
  body: string;
  tail: string;
}

const UID_MARK = 'baton-uid-placeholder';

/**
 * The one place `ics` output is extended: it runs `ics` once, unfolds its character-counted
 * folds and refolds at 75 octets, drops X-PUBLISHED-TTL (a refresh hint for subscribed feeds, not
 * for a message), and leaves room for the UID and ATTENDEE lines each recipient gets.
 */
// `ics` reads `timestamp` for DTSTAMP (its README documents it) but its typings leave it out;
// without it DTSTAMP would be the clock at build time and the same input would not give the same bytes.
type BatonEvent = Omit<EventAttributes & { end: DateTime }, 'uid' | 'productId' | 'method'> & { timestamp: number };

function prepare(attributes: BatonEvent, method: CalendarMethod): Prepared {
  const event: EventAttributes = { ...attributes, uid: UID_MARK, productId: PRODID, method };
  const { error, value } = createEvent(event);
  if (error || !value) throw new Error(`the ics package refused a ${method} event "${String(attributes.title)}": ${error?.message ?? 'no output'}`);
  const lines = value
    .replace(/\r\n[ \t]/g, '')
    .split(CRLF)
    .filter((line) => line !== '' && !line.startsWith('X-PUBLISHED-TTL:'));
  const uidAt = lines.indexOf(`UID:${UID_MARK}`);
  const endAt = lines.lastIndexOf('END:VEVENT');
  if (uidAt < 0 || endAt < uidAt) throw new Error('the ics package wrote an event without its UID: check the ics version');
  const join = (part: string[]) => part.map((l) => foldLine(l) + CRLF).join('');
  return { method, head: join(lines.slice(0, uidAt)), body: join(lines.slice(uidAt + 1, endAt)), tail: join(lines.slice(endAt)) };
}

function fill(p: Prepared, uid: string, attendee?: CalendarPerson): string {
  const who = attendee ? attendeeLine(attendee, p.method) : undefined;
  return `${p.head}${foldLine(`UID:${uid}`)}${CRLF}${p.body}${who ? who + CRLF : ''}${p.tail}`;
}

export function windowUid(seriesId: string, trainingSlug: string, domain: string): string {
  return `${seriesId}.${trainingSlug}.window@${domain}`;
}

export function focusUid(seriesId: string, trainingSlug: string, pkey: string, domain: string): string {
  return `${seriesId}.${trainingSlug}.focus.${pkey}@${domain}`;
}

function dateParts(date: string): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function checkSequence(sequence: number): void {
  if (!Number.isInteger(sequence) || sequence < 0) {
    throw new RangeError(`SEQUENCE must be a whole number ≥ 0, got ${sequence}: increase it by one for every update`);
  }
}

export interface FocusHold {
  start: Date;
  end: Date;
  /** The calendar date the hold falls on, in the participant's zone. */
  date: string;
}

/**
 * The focus hold: `workStart` on the day the training reaches the participant, their first
 * working day of the window (their own week, else the series').
 */
export function focusHold(
  training: Pick<Training, 'opens' | 'closes'>,
  participant: Pick<Participant, 'timeZone' | 'workStart'> & { workDays?: readonly Weekday[] | undefined },
  minutes: number,
  series?: Pick<Series, 'defaultWorkDays'>,
): FocusHold {
  const date = trainingSendDay(training, workDaysOf(participant, series));
  const start = zonedTimeToUtc(date, participant.workStart, participant.timeZone);
  return { start, end: new Date(start.getTime() + minutes * 60_000), date };
}

export interface WindowInput {
  series: Series;
  training: Training;
  organizer: CalendarPerson;
  domain: string;
  method: CalendarMethod;
  sequence: number;
  dtstamp: Date;
  /** "2 of 4": the training's place in the series. */
  position?: string;
  /** Where the description points (the training's web view or mailbox search). */
  link?: string;
  /** The language of the words Baton writes in it (messages/); default English. */
  language?: Language;
}

/** A training's window, built once: returns the per-recipient calendar (one UID). */
export function windowCalendar(input: WindowInput): (attendee?: CalendarPerson) => string {
  checkSequence(input.sequence);
  const { series, training, method, link } = input;
  const say = messagesFor(input.language ?? 'en');
  const cancelled = method === 'CANCEL';
  const where = input.position ? say('calendar.where', { position: input.position, series: series.title }) : say('calendar.whereAny', { series: series.title });
  const summary = `${series.title}: ${training.title}`;
  const description = cancelled
    ? say('calendar.cancelledEntry', { title: training.title, series: series.title })
    : `${say('calendar.about', { where, title: training.title, author: training.author })}\n` + say('calendar.open') + (link ? `\n${link}` : '');
  const prepared = prepare(
    {
      start: dateParts(training.opens),
      end: dateParts(addDays(training.closes, 1)),
      title: text(cancelled ? say('calendar.cancelled', { summary }) : summary),
      description: text(description),
      ...(link && !cancelled ? { url: link } : {}),
      timestamp: input.dtstamp.getTime(),
      sequence: input.sequence,
      status: cancelled ? 'CANCELLED' : 'CONFIRMED',
      transp: 'TRANSPARENT',
      organizer: { name: cn(input.organizer.name), email: input.organizer.email },
    },
    method,
  );
  const uid = windowUid(series.id, training.slug, input.domain);
  return (attendee) => fill(prepared, uid, attendee);
}

export interface FocusInput {
  series: Series;
  training: Training;
  organizer: CalendarPerson;
  domain: string;
  /** PUBLISH to place or move it, CANCEL to take it away. */
  method: 'PUBLISH' | 'CANCEL';
  sequence: number;
  dtstamp: Date;
  minutes: number;
  link?: string;
  /** The language of the words Baton writes in it (messages/); default English. */
  language?: Language;
}

export type FocusPerson = CalendarPerson & Pick<Participant, 'timeZone' | 'workStart'> & { workDays?: readonly Weekday[] | undefined };

/** Personal focus holds for one training: built once per (zone, work start, week), filled per person. */
export function focusCalendar(input: FocusInput): (participant: FocusPerson) => string {
  checkSequence(input.sequence);
  if (!Number.isInteger(input.minutes) || input.minutes <= 0) {
    throw new RangeError(`focus minutes must be a whole number > 0, got ${input.minutes}`);
  }
  const { series, training, method, link } = input;
  const say = messagesFor(input.language ?? 'en');
  const cancelled = method === 'CANCEL';
  const summary = say('calendar.focus', { title: training.title });
  const description = cancelled
    ? say('calendar.focusCancelled', { title: training.title, series: series.title })
    : say('calendar.focusWhy', { title: training.title, series: series.title }) + (link ? `\n${link}` : '');
  const byGroup = new Map<string, Prepared>();
  return (participant) => {
    const week = workDaysOf(participant, series);
    const key = `${participant.timeZone} ${participant.workStart} ${week.join(',')}`;
    let prepared = byGroup.get(key);
    if (!prepared) {
      const hold = focusHold(training, { ...participant, workDays: week }, input.minutes);
      prepared = prepare(
        {
          start: hold.start.getTime(),
          startInputType: 'utc',
          startOutputType: 'utc',
          end: hold.end.getTime(),
          endInputType: 'utc',
          endOutputType: 'utc',
          title: text(cancelled ? say('calendar.cancelled', { summary }) : summary),
          description: text(description),
          ...(link && !cancelled ? { url: link } : {}),
          timestamp: input.dtstamp.getTime(),
          sequence: input.sequence,
          status: cancelled ? 'CANCELLED' : 'CONFIRMED',
          transp: 'OPAQUE',
          organizer: { name: cn(input.organizer.name), email: input.organizer.email },
          ...(cancelled ? {} : { alarms: [{ action: 'display', description: say('calendar.focusAlarm'), trigger: { minutes: 10, before: true } }] }),
        },
        method,
      );
      byGroup.set(key, prepared);
    }
    return fill(prepared, focusUid(series.id, training.slug, participantKey(series.id, participant.email), input.domain), participant);
  };
}

/** `02-launch-prep.ics`: files sort in series order in a mail client's attachment list. */
export function trainingFilename(training: Pick<Training, 'order' | 'slug'>, prefix = ''): string {
  return `${prefix}${String(training.order).padStart(2, '0')}-${training.slug}.ics`;
}

/** The UIDs of a calendar text, in order: what tests and the preview check (exactly one). */
export function uidsOf(ics: string): string[] {
  return [...ics.replace(/\r\n[ \t]/g, '').matchAll(/^UID:(.*)$/gm)].map((m) => m[1]!.trim());
}
