// Calendar holds as RFC 5545 text, written by hand rather than with the `ics` package: invitations
// need METHOD, ORGANIZER, ATTENDEE;RSVP=TRUE, SEQUENCE and STATUS:CANCELLED, and at send time a
// calendar is built per recipient, so the per-training part is built once and reused.
//
// Two kinds of event:
// - the window: all-day dates (VALUE=DATE), the same dates for everyone whatever their zone,
//   DTEND the day after the closing date because DTEND is exclusive;
// - the focus hold: a timed block at the participant's workStart on the window's first working
//   day in their own zone, written as a UTC instant so no VTIMEZONE is needed.
// UIDs are stable and domain-qualified, so an update re-sends the same UID with a higher SEQUENCE
// and a removal sends METHOD:CANCEL for the same UIDs.
import type { Participant, Series, Trainer, Training } from '#core/model';
import { sanitizeLine } from '#core/sanitize';
import { participantKey } from '#core/short-key';
import { addDays, firstWorkingDay, icsDate, icsUtc, zonedTimeToUtc } from '#core/time';

export interface CalendarPerson {
  name: string;
  email: string;
}

export type CalendarMethod = 'REQUEST' | 'CANCEL';

const CRLF = '\r\n';
const PRODID = '-//Baton//Async training series//EN';

/** RFC 5545 TEXT escaping: backslash, semicolon, comma and line breaks. */
export function escapeText(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\\;,\r\n\u0000-\u0008\u000b-\u001f\u007f]/.test(value)) return value;
  return (
    value
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\r\n|\r|\n/g, '\\n')
      // Other control characters are not allowed in TEXT at all.
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
  );
}

/**
 * A parameter value (a CN: someone's name), always quoted; DQUOTE cannot appear inside, and the
 * name is the one the mail headers show, without controls or bidi overrides.
 */
function paramValue(value: string): string {
  return `"${sanitizeLine(value).replace(/"/g, "'")}"`;
}

function mailto(email: string): string {
  return `mailto:${email}`;
}

/**
 * Folds one content line at 75 octets (RFC 5545 3.1): the first physical line holds at most 75
 * octets, each continuation a space plus at most 74, and no UTF-8 character is split.
 */
export function foldLine(line: string): string {
  // Every UTF-16 unit is at most 3 UTF-8 octets, so a line this short cannot be too long.
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

function attendeeLine(person: CalendarPerson): string {
  return foldLine(
    `ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN=${paramValue(person.name)}:${mailto(person.email)}`,
  );
}

function organizerLine(person: CalendarPerson): string {
  return foldLine(`ORGANIZER;CN=${paramValue(person.name)}:${mailto(person.email)}`);
}

function header(method: CalendarMethod): string {
  return `BEGIN:VCALENDAR${CRLF}VERSION:2.0${CRLF}PRODID:${PRODID}${CRLF}CALSCALE:GREGORIAN${CRLF}METHOD:${method}${CRLF}`;
}
const FOOTER = `END:VCALENDAR${CRLF}`;

export function windowUid(seriesId: string, trainingSlug: string, domain: string): string {
  return `${seriesId}.${trainingSlug}.window@${domain}`;
}

export function focusUid(seriesId: string, trainingSlug: string, pkey: string, domain: string): string {
  return `${seriesId}.${trainingSlug}.focus.${pkey}@${domain}`;
}

export interface FocusHold {
  start: Date;
  end: Date;
  /** The calendar date the hold falls on, in the participant's zone. */
  date: string;
}

/**
 * The focus hold: `workStart` on the window's first working day in the participant's own zone.
 * A window that is only a weekend keeps its opening day rather than leaving the window.
 */
export function focusHold(training: Pick<Training, 'opens' | 'closes'>, participant: Pick<Participant, 'timeZone' | 'workStart'>, minutes: number): FocusHold {
  const working = firstWorkingDay(training.opens);
  const date = working <= training.closes ? working : training.opens;
  const start = zonedTimeToUtc(date, participant.workStart, participant.timeZone);
  return { start, end: new Date(start.getTime() + minutes * 60_000), date };
}

interface WindowText {
  summary: string;
  description: string;
}

/** `position` is "2 of 4" style numbering, known when the calendar lists the whole series. */
function windowText(series: Series, training: Training, position: string | undefined, link: string | undefined): WindowText {
  const where = position ? `Training ${position} in "${series.title}"` : `A training in "${series.title}"`;
  const description =
    `${where}: ${training.title}, by ${training.author}.\n` +
    `The submission window is open: read the email, then reply to it with your own strategy, the one you will adopt, or a comment on a teammate's.` +
    (link ? `\n${link}` : '');
  return { summary: `${series.title}: ${training.title}`, description };
}

/** The lines of an event that do not depend on the recipient, from DTSTART to the last text property. */
function windowBody(series: Series, training: Training, organizer: CalendarPerson, position: string | undefined, link: string | undefined, cancelled: boolean): string {
  const text = windowText(series, training, position, link);
  return (
    `DTSTART;VALUE=DATE:${icsDate(training.opens)}${CRLF}` +
    `DTEND;VALUE=DATE:${icsDate(addDays(training.closes, 1))}${CRLF}` +
    `${foldLine(`SUMMARY:${escapeText(cancelled ? `Cancelled: ${text.summary}` : text.summary)}`)}${CRLF}` +
    `${foldLine(`DESCRIPTION:${escapeText(text.description)}`)}${CRLF}` +
    (link ? `${foldLine(`URL:${link}`)}${CRLF}` : '') +
    `TRANSP:TRANSPARENT${CRLF}` +
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}${CRLF}` +
    `${organizerLine(organizer)}${CRLF}`
  );
}

function focusBody(series: Series, training: Training, organizer: CalendarPerson, hold: FocusHold, link: string | undefined, cancelled: boolean): string {
  const summary = `Focus time: ${training.title}`;
  const description =
    `Time set aside to read "${training.title}" (${series.title}) and reply with what works for you.` +
    (link ? `\n${link}` : '');
  return (
    `DTSTART:${icsUtc(hold.start)}${CRLF}` +
    `DTEND:${icsUtc(hold.end)}${CRLF}` +
    `${foldLine(`SUMMARY:${escapeText(cancelled ? `Cancelled: ${summary}` : summary)}`)}${CRLF}` +
    `${foldLine(`DESCRIPTION:${escapeText(description)}`)}${CRLF}` +
    (link ? `${foldLine(`URL:${link}`)}${CRLF}` : '') +
    `TRANSP:OPAQUE${CRLF}` +
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}${CRLF}` +
    `${organizerLine(organizer)}${CRLF}`
  );
}

function event(uid: string, dtstamp: string, sequence: number, body: string, attendee: string, alarm: boolean): string {
  return (
    `BEGIN:VEVENT${CRLF}${foldLine(`UID:${uid}`)}${CRLF}DTSTAMP:${dtstamp}${CRLF}SEQUENCE:${sequence}${CRLF}` +
    body +
    `${attendee}${CRLF}` +
    (alarm ? `BEGIN:VALARM${CRLF}ACTION:DISPLAY${CRLF}DESCRIPTION:Focus time${CRLF}TRIGGER:-PT10M${CRLF}END:VALARM${CRLF}` : '') +
    `END:VEVENT${CRLF}`
  );
}

function checkSequence(sequence: number): void {
  if (!Number.isInteger(sequence) || sequence < 0) {
    throw new RangeError(`SEQUENCE must be a whole number ≥ 0, got ${sequence}: increase it by one for every update`);
  }
}

export interface KickoffCalendarInput {
  series: Series;
  trainings: readonly Training[];
  attendee: CalendarPerson;
  organizer: CalendarPerson | Trainer;
  domain: string;
  sequence: number;
  dtstamp: Date;
  /** Per training slug: the link the event description points to. */
  links?: Readonly<Record<string, string>>;
  /** Per training slug: its own SEQUENCE when its window moved since it was first announced. */
  sequences?: Readonly<Record<string, number>>;
}

/** One calendar with every training's window, for the kickoff email. */
export function kickoffCalendar(input: KickoffCalendarInput): string {
  checkSequence(input.sequence);
  const stamp = icsUtc(input.dtstamp);
  const attendee = attendeeLine(input.attendee);
  let out = header('REQUEST');
  for (const [i, training] of input.trainings.entries()) {
    const position = `${i + 1} of ${input.trainings.length}`;
    const body = windowBody(input.series, training, input.organizer, position, input.links?.[training.slug], false);
    const sequence = input.sequences?.[training.slug] ?? input.sequence;
    checkSequence(sequence);
    out += event(windowUid(input.series.id, training.slug, input.domain), stamp, sequence, body, attendee, false);
  }
  return out + FOOTER;
}

export interface TrainingCalendarInput {
  series: Series;
  training: Training;
  participant: Participant;
  organizer: CalendarPerson | Trainer;
  domain: string;
  sequence: number;
  dtstamp: Date;
  /** Length of the focus hold; 0 leaves it out. */
  focusMinutes: number;
  /** "2 of 4", when the caller knows the training's place in the series. */
  position?: string;
  /** Where the event descriptions point (the training's web view or mailbox search). */
  link?: string;
}

/**
 * Builds training calendars for many participants of one training: everything that does not
 * depend on the participant is rendered once. Same output as `trainingCalendar`.
 */
export function trainingCalendarBuilder(base: Omit<TrainingCalendarInput, 'participant'>): (participant: Participant) => string {
  checkSequence(base.sequence);
  if (!Number.isInteger(base.focusMinutes) || base.focusMinutes < 0) {
    throw new RangeError(`focusMinutes must be a whole number ≥ 0, got ${base.focusMinutes}`);
  }
  const { series, training, organizer, domain, sequence, link } = base;
  const stamp = icsUtc(base.dtstamp);
  const prefix = header('REQUEST');
  const windowId = windowUid(series.id, training.slug, domain);
  const window = windowBody(series, training, organizer, base.position, link, false);
  const holds = new Map<string, string>();
  return (participant) => {
    const attendee = attendeeLine(participant);
    let out = prefix + event(windowId, stamp, sequence, window, attendee, false);
    if (base.focusMinutes > 0) {
      const holdKey = `${participant.timeZone} ${participant.workStart}`;
      let focus = holds.get(holdKey);
      if (focus === undefined) {
        focus = focusBody(series, training, organizer, focusHold(training, participant, base.focusMinutes), link, false);
        holds.set(holdKey, focus);
      }
      out += event(focusUid(series.id, training.slug, participantKey(series.id, participant.email), domain), stamp, sequence, focus, attendee, true);
    }
    return out + FOOTER;
  };
}

/** A training's calendar for one participant: the window and their personal focus hold. */
export function trainingCalendar(input: TrainingCalendarInput): string {
  return trainingCalendarBuilder(input)(input.participant);
}

export interface CancelCalendarInput {
  series: Series;
  /** The trainings as they were announced: the cancellation repeats their dates and UIDs. */
  trainings: readonly Training[];
  participant: CalendarPerson & Partial<Pick<Participant, 'timeZone' | 'workStart'>>;
  organizer: CalendarPerson | Trainer;
  domain: string;
  /** Higher than any SEQUENCE sent before for these events. */
  sequence: number;
  dtstamp: Date;
  /** The focus hold's length when it was announced; omit (or 0) when no focus hold was sent. */
  focusMinutes?: number;
  /** Per training slug: a SEQUENCE of its own (each above what that training's events last carried). */
  sequences?: Readonly<Record<string, number>>;
  /** Slugs whose focus hold was sent (with their training email); default: every training's. */
  focusFor?: ReadonlySet<string>;
}

/**
 * METHOD:CANCEL for trainings that were removed or moved: the same UIDs with STATUS:CANCELLED and
 * a higher SEQUENCE, so calendars remove the holds instead of keeping stale ones.
 */
export function cancelCalendar(input: CancelCalendarInput): string {
  checkSequence(input.sequence);
  const { series, participant, organizer, domain, sequence } = input;
  const stamp = icsUtc(input.dtstamp);
  const attendee = attendeeLine(participant);
  const minutes = input.focusMinutes ?? 0;
  if (minutes > 0 && (!participant.timeZone || !participant.workStart)) {
    throw new RangeError('cancelling a focus hold needs the participant\'s timeZone and workStart as they were when it was sent');
  }
  let out = header('CANCEL');
  for (const training of input.trainings) {
    const seq = input.sequences?.[training.slug] ?? sequence;
    checkSequence(seq);
    out += event(windowUid(series.id, training.slug, domain), stamp, seq, windowBody(series, training, organizer, undefined, undefined, true), attendee, false);
    if (minutes > 0 && (!input.focusFor || input.focusFor.has(training.slug))) {
      const hold = focusHold(training, { timeZone: participant.timeZone!, workStart: participant.workStart! }, minutes);
      const uid = focusUid(series.id, training.slug, participantKey(series.id, participant.email), domain);
      out += event(uid, stamp, seq, focusBody(series, training, organizer, hold, undefined, true), attendee, false);
    }
  }
  return out + FOOTER;
}
