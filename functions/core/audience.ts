// Who gets what: the audience rules every job and use case applies, written once. Pure: the
// participant's status fields and the job's group are all they read; `now` is passed in.
//
//   in the job's group   a send split by time zone (and start of day) covers only that group
//   blocked              unsubscribed or bounced: no mail from this series at all
//   out of office        reminders (only reminders) pause until the date the auto-reply gave
//   preferences        a participant may stop reminders, roll-ups, check-ins or calendar
//                      invitations without leaving the series (wants)
//   window closed        a training's window closes at midnight after its last day, in the
//                        reader's own zone
import type { PreferenceFlag, Preferences } from './records.ts';
import { addDays, zonedTimeToUtc } from './time.ts';

/** The fields of a participant the audience rules read. */
export interface AudienceMember {
  timeZone: string;
  workStart: string;
  unsubscribedAt?: string | undefined;
  bouncedAt?: string | undefined;
  outOfOfficeUntil?: string | undefined;
  preferences?: Preferences | undefined;
}

/** The part of a job that names a group of recipients. */
export interface AudienceGroup {
  timeZone?: string | undefined;
  workStart?: string | undefined;
}

export type BlockReason = 'unsubscribed' | 'bounced';

/** In the job's group: a send split by time zone (and start of day) covers only that group. */
export function inGroup(group: AudienceGroup, p: Pick<AudienceMember, 'timeZone' | 'workStart'>): boolean {
  if (group.timeZone && p.timeZone !== group.timeZone) return false;
  if (group.workStart && p.workStart !== group.workStart) return false;
  return true;
}

/** Why a participant must not get mail from this series at all, if they must not. */
export function blockReason(p: Pick<AudienceMember, 'unsubscribedAt' | 'bouncedAt'>): BlockReason | undefined {
  if (p.unsubscribedAt) return 'unsubscribed';
  if (p.bouncedAt) return 'bounced';
  return undefined;
}

/** Still reachable: neither unsubscribed nor bounced. */
export function isActive(p: Pick<AudienceMember, 'unsubscribedAt' | 'bouncedAt'>): boolean {
  return blockReason(p) === undefined;
}

/** Out-of-office pauses reminders (only reminders) until the date the auto-reply gave. */
export function isOutOfOffice(p: Pick<AudienceMember, 'outOfOfficeUntil'>, now: Date): boolean {
  return p.outOfOfficeUntil !== undefined && Date.parse(p.outOfOfficeUntil) > now.getTime();
}

/** When a training's window has closed for someone in `timeZone`: midnight after its last day. */
export function windowClosedAt(training: { closes: string }, timeZone: string): Date {
  return zonedTimeToUtc(addDays(training.closes, 1), '00:00', timeZone);
}

/** Whether this participant still wants that part of the series: only an explicit opt-out says no. */
export function wants(p: Pick<AudienceMember, 'preferences'>, part: PreferenceFlag): boolean {
  return p.preferences?.[part] !== false;
}
