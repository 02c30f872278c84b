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
//   working week         mail is planned for the reader's working days (their own week, else the
//                        series'); a send split by week covers only that week
//   calendars            entries only for those who did not turn them off
//   paused               nothing from the series until the date they chose (preferences page)
//   format               bites or whole trainings: their choice, else the training's, else the series'
//   resting reminders    after trainings without a word from them, reminders rest until "resume"
//
// `skipFor` is the one answer every planner asks: may this person get this kind of mail now?
import type { PreferenceFlag, Preferences } from './records.ts';
import { addDays, MON_TO_FRI, zonedTimeToUtc, type Weekday } from './time.ts';

/** The fields of a participant the audience rules read. */
export interface AudienceMember {
  timeZone: string;
  workStart: string;
  unsubscribedAt?: string | undefined;
  bouncedAt?: string | undefined;
  outOfOfficeUntil?: string | undefined;
  preferences?: Preferences | undefined;
  workDays?: readonly Weekday[] | undefined;
  calendars?: boolean | undefined;
  calendarsOffAt?: string | undefined;
  pausedUntil?: string | undefined;
  format?: 'bites' | 'whole' | undefined;
  remindersRestedAt?: string | undefined;
}

/** The part of a job that names a group of recipients. */
export interface AudienceGroup {
  timeZone?: string | undefined;
  workStart?: string | undefined;
  /** The group's working week as `workWeekKey` writes it. */
  workDays?: string | undefined;
}

export type BlockReason = 'unsubscribed' | 'bounced';

/** In the job's group: a send split by time zone (and start of day) covers only that group. */
export function inGroup(group: AudienceGroup, p: Pick<AudienceMember, 'timeZone' | 'workStart' | 'workDays'>): boolean {
  if (group.timeZone && p.timeZone !== group.timeZone) return false;
  if (group.workStart && p.workStart !== group.workStart) return false;
  // A split send is planned per week too: someone with a week of their own is in the group
  // carrying that week, everyone else in the group without one (the series' week). Jobs that
  // are not split by zone (kickoff, cancel) reach every week.
  if (group.timeZone && (group.workDays ?? '') !== (p.workDays ? workWeekKey(p.workDays) : '')) return false;
  return true;
}

/** Someone's working week: their own, else the series' default, else Monday to Friday. */
export function workDaysOf(p: { workDays?: readonly Weekday[] | undefined }, series?: { defaultWorkDays?: readonly Weekday[] | undefined }): readonly Weekday[] {
  return p.workDays ?? series?.defaultWorkDays ?? MON_TO_FRI;
}

/** A week as a short stable key for grouping and job payloads: `mon,tue,wed,thu,sat`. */
export function workWeekKey(workDays: readonly Weekday[]): string {
  // In week order whatever order it was written in, so one week is always one group.
  return WEEK.filter((d) => workDays.includes(d)).join(',');
}

const WEEK: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Whether Baton places calendar entries for them: on unless they turned them off. */
export function wantsCalendars(p: Pick<AudienceMember, 'calendars' | 'calendarsOffAt' | 'preferences'>): boolean {
  // Three ways to say no, one answer: the CSV's `calendar` column, the footer link, and a reply
  // asking to stop the calendar invites (a stored preference).
  return p.calendars !== false && !p.calendarsOffAt && p.preferences?.calendar !== false;
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

/** They paused the series on the preferences page and the date has not come yet. */
export function isPaused(p: Pick<AudienceMember, 'pausedUntil'>, now: Date): boolean {
  return p.pausedUntil !== undefined && Date.parse(p.pausedUntil) > now.getTime();
}

/** Why a planned mail is not sent to someone (deliver.ts reports it). */
export type SkipReason = BlockReason | 'paused' | 'out-of-office' | 'opted-out' | 'resting' | 'weekly-cap';

/**
 * What a planner sends, by the part of the series it belongs to:
 *   content     kickoff, training, bites, wrap-up: only blocks and a pause stop them
 *   reminders   also out of office, the reminders preference, and reminders resting (fatigue)
 *   rollups     also the roll-ups preference (weekly or never)
 *   checkIns    also the check-ins preference
 */
export type SeriesPart = 'content' | 'reminders' | 'rollups' | 'checkIns';

/**
 * Whether (and why not) this person gets this part of the series now: the one place the
 * preferences are honoured. Calendar updates and cancellations are not asked: they keep the
 * entries people already hold true, paused or not.
 */
export function skipFor(p: AudienceMember, part: SeriesPart, now: Date): SkipReason | undefined {
  const blocked = blockReason(p);
  if (blocked) return blocked;
  if (isPaused(p, now)) return 'paused';
  if (part === 'content') return undefined;
  if (part === 'reminders') {
    if (isOutOfOffice(p, now)) return 'out-of-office';
    if (!wants(p, 'reminders')) return 'opted-out';
    if (p.remindersRestedAt) return 'resting';
    return undefined;
  }
  return wants(p, part) ? undefined : 'opted-out';
}

/** Reminder fatigue: how many reminders a person gets in a week, across every series, unless the series says. */
export const DEFAULT_REMINDERS_PER_WEEK = 2;

/** Reminder fatigue: after this many trainings in a row without a word (not even a read), reminders rest. */
export const QUIET_TRAININGS_BEFORE_REST = 2;

/**
 * How many trainings right before `training` (in series order) someone left without any response
 * at all: no read, no feedback, no contribution. Counting stops at the first they answered.
 */
export function quietStreak(
  email: string,
  training: { slug: string; order: number },
  trainings: ReadonlyArray<{ slug: string; order: number }>,
  responses: ReadonlyArray<{ participantEmail: string; trainingSlug: string }>,
): number {
  const answered = new Set(responses.filter((r) => r.participantEmail === email).map((r) => r.trainingSlug));
  const before = trainings.filter((t) => t.order < training.order).sort((a, b) => b.order - a.order);
  let streak = 0;
  for (const t of before) {
    if (answered.has(t.slug)) break;
    streak++;
  }
  return streak;
}

/** How a training is sent: whole (one email) or as bites (an overview, then one part a working day). */
export type TrainingFormat = 'bites' | 'whole';

/** Their own choice first, then the training's front matter, then the series'; whole by default. */
export function formatFor(
  p: Pick<AudienceMember, 'format'>,
  training: { format?: TrainingFormat | undefined },
  series: { format?: TrainingFormat | undefined },
): TrainingFormat {
  return p.format ?? training.format ?? series.format ?? 'whole';
}
