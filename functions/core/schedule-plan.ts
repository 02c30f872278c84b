// The series clock, planned: every job a published series will need, when it fires in whose
// local time, under a name that stays the same when the series is published again. The same plan
// becomes EventBridge schedules in AWS and schedule records for the local clock; re-publishing
// diffs the new plan against what is stored, so an edit moves schedules instead of adding more.
//
// Everything here is pure: `publishedAt` stands in for "now".
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { Job } from './jobs.ts';
import { IsoDateTimeSchema, type Participant, type Series, type Training } from './model.ts';
import { workDaysOf, workWeekKey } from './audience.ts';
import { biteCount } from './bites.ts';
import { addDays, firstWorkingDay, lastWorkingDay, utcToZoned, weekdayOf, zonedTimeToUtc, type Weekday } from './time.ts';
import { builtOnFirstUse } from './built-on-first-use.ts';

/** A one-time schedule: the wall clock in its zone (what EventBridge's at() takes) and the instant it means. */
export interface AtSpec {
  /** 'YYYY-MM-DDTHH:MM:SS', wall-clock time in `timeZone`. */
  local: string;
  timeZone: string;
  /** The same moment as an ISO 8601 UTC instant. */
  instant: string;
}

/** A recurring schedule, in EventBridge's six-field cron form, active between start and end. */
export interface CronSpec {
  /** `cron(0 9 ? * MON *)`: minutes hours day-of-month month day-of-week year. */
  expression: string;
  timeZone: string;
  start?: string;
  end?: string;
}

export interface ScheduleSpec {
  /** Unique within the series, ≤ 64 characters of [A-Za-z0-9-_.] (EventBridge's rule for names). */
  name: string;
  job: Job;
  at?: AtSpec;
  cron?: CronSpec;
}

export interface PlanInput {
  series: Series;
  trainings: readonly Training[];
  participants: readonly Pick<Participant, 'timeZone' | 'workStart' | 'workDays'>[];
  publishedAt: Date;
  /** When the kickoff goes out; default: at publishing. */
  kickoffAt?: Date;
  /**
   * Keep jobs whose time has passed. Publishing leaves them out (they would all fire at once);
   * re-publishing asks for them to tell "no longer planned" from "overdue".
   */
  includePast?: boolean;
}

export const MAX_NAME_LENGTH = 64;

const WEEKDAY_CRON: Record<Weekday, string> = { mon: 'MON', tue: 'TUE', wed: 'WED', thu: 'THU', fri: 'FRI', sat: 'SAT', sun: 'SUN' };
const CRON_WEEKDAY = Object.fromEntries(Object.entries(WEEKDAY_CRON).map(([k, v]) => [v, k])) as Record<string, Weekday>;
const WEEK_MS = 7 * 86_400_000;

/** Short, stable and name-safe: 8 hex characters of a SHA-256. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** A slug that fits the room left in a name; a cut slug carries a hash so two long slugs never collide. */
function slugPart(slug: string, room: number): string {
  if (slug.length <= room) return slug;
  return `${slug.slice(0, room - 9)}-${shortHash(slug)}`;
}

function scheduleName(kind: string, slug: string | undefined, group: string | undefined): string {
  const suffix = group === undefined ? '' : `-${shortHash(group)}`;
  if (slug === undefined) return `${kind}${suffix}`;
  const room = MAX_NAME_LENGTH - kind.length - 1 - suffix.length;
  return `${kind}-${slugPart(slug, room)}${suffix}`;
}

function atUtc(instant: Date): AtSpec {
  const whole = new Date(Math.floor(instant.getTime() / 1000) * 1000);
  return { local: whole.toISOString().slice(0, 19), timeZone: 'UTC', instant: whole.toISOString() };
}

/**
 * The wall clock is read back from the instant rather than copied from the input: a workStart
 * that falls in a spring-forward gap has already moved forward, and EventBridge should get the
 * time that exists.
 */
function atLocal(date: string, time: string, timeZone: string): AtSpec {
  const instant = zonedTimeToUtc(date, time, timeZone);
  const wall = utcToZoned(instant, timeZone);
  return { local: `${wall.date}T${wall.time}:00`, timeZone, instant: instant.toISOString() };
}

export function weeklyCron(day: Weekday, hour: number): string {
  return `cron(0 ${hour} ? * ${WEEKDAY_CRON[day]} *)`;
}

const CRON_RE = /^cron\((\d{1,2}) (\d{1,2}) \? \* (MON|TUE|WED|THU|FRI|SAT|SUN) \*\)$/;

/**
 * The first occurrence of a weekly cron strictly after `after`, in the cron's zone. Only the form
 * `weeklyCron` writes is understood; anything else is refused rather than guessed.
 */
export function nextCronOccurrence(cron: Pick<CronSpec, 'expression' | 'timeZone'>, after: Date): Date {
  const m = CRON_RE.exec(cron.expression);
  if (!m) {
    throw new RangeError(`"${cron.expression}" is not a weekly cron Baton writes (such as cron(0 9 ? * MON *)): re-publish the series`);
  }
  const minute = Number(m[1]);
  const hour = Number(m[2]);
  const day = CRON_WEEKDAY[m[3]!]!;
  const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
  const today = utcToZoned(after, cron.timeZone).date;
  for (let i = -1; i <= 8; i++) {
    const date = addDays(today, i);
    if (weekdayOf(date) !== day) continue;
    const at = zonedTimeToUtc(date, time, cron.timeZone);
    if (at.getTime() > after.getTime()) return at;
  }
  throw new Error(`no occurrence of ${cron.expression} in ${cron.timeZone} within a week of ${after.toISOString()}`);
}

/** The first time a cron spec fires at or after `from` (and after its start), or undefined when past its end. */
export function firstCronOccurrence(cron: CronSpec, from: Date): Date | undefined {
  const start = cron.start ? Math.max(Date.parse(cron.start), from.getTime()) : from.getTime();
  const next = nextCronOccurrence(cron, new Date(start - 1));
  if (cron.end && next.getTime() > Date.parse(cron.end)) return undefined;
  return next;
}

interface Group {
  timeZone: string;
  workStart: string;
  /** A week of the group's own (workWeekKey); absent: the series' week. */
  workDays?: string;
  /** The week its sends are planned on: its own, else the series'. */
  week: readonly Weekday[];
}

function groupsOf(participants: PlanInput['participants'], series: Series): Group[] {
  const seen = new Map<string, Group>();
  for (const p of participants) {
    const own = p.workDays ? workWeekKey(p.workDays) : undefined;
    const group: Group = { timeZone: p.timeZone, workStart: p.workStart, ...(own ? { workDays: own } : {}), week: workDaysOf(p, series) };
    seen.set(groupKey(group), group);
  }
  return [...seen.values()].sort((a, b) => groupKey(a).localeCompare(groupKey(b)));
}

// Without a week of its own the key is what it was before working weeks existed, so re-publishing
// an older series keeps its schedule names instead of replacing every one of them.
const groupKey = (g: Pick<Group, 'timeZone' | 'workStart' | 'workDays'>): string => `${g.timeZone}|${g.workStart}${g.workDays ? `|${g.workDays}` : ''}`;

/** A weekly send day moved to the first working day from it: Friday's roll-up reaches a Sunday-to-Thursday team on Sunday. */
function workingWeekday(day: Weekday, week: readonly Weekday[]): Weekday {
  const order: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  for (let i = 0; i < 7; i++) {
    const d = order[(order.indexOf(day) + i) % 7]!;
    if (week.includes(d)) return d;
  }
  return day;
}

/**
 * The day a training goes out: the window's first working day for the group. A window with no
 * working day in it (a weekend-only window) goes out on the last working day before it opens,
 * early rather than on someone's weekend.
 */
export function trainingSendDay(training: Pick<Training, 'opens' | 'closes'>, week: readonly Weekday[]): string {
  const first = firstWorkingDay(training.opens, week);
  return first <= training.closes ? first : lastWorkingDay(training.opens, week);
}

/**
 * The reminder's day: reminderDaysBeforeClose days before the close, moved to the next working
 * day; if that is past the window, the working day before. None when that would not come after
 * the training itself.
 */
export function reminderSendDay(training: Pick<Training, 'opens' | 'closes'>, daysBefore: number, week: readonly Weekday[]): string | undefined {
  const target = addDays(training.closes, -daysBefore);
  let day = firstWorkingDay(target, week);
  if (day > training.closes) day = lastWorkingDay(target, week);
  return day > trainingSendDay(training, week) ? day : undefined;
}

/** The moment a window's last day ends in a zone: the window is open until then. */
function windowEnd(training: Pick<Training, 'closes'>, timeZone: string): Date {
  return zonedTimeToUtc(addDays(training.closes, 1), '00:00', timeZone);
}

/**
 * Every job of a series, earliest first within each kind.
 *
 *   kickoff     at publishing (or kickoffAt), in UTC, to everyone
 *   (every at-time below is moved to the group's next working day: their own week, else the series')
 *   training    each window's opening day at workStart, per (timeZone, workStart, week) group; a window
 *               already open at publishing is sent at once to its groups (latecomers catch up)
 *   bite (training with part n)  the n-th working day after the training's day, at workStart, per
 *               group, for trainings that can be cut into bites (bites.ts)
 *   reminder    reminderDaysBeforeClose days before the window closes, at workStart, per group
 *   follow-up   followUpWeeksAfterClose weeks after the window closes, at workStart, per group
 *   wrap-up     the day after the last window closes, at workStart, per group
 *   digest      weekly at the digest day/hour, per trainer time zone, while the series runs
 *   rollup      weekly at the roll-up day/hour, per participant time zone, while windows are open
 */
export function planSchedules(input: PlanInput): ScheduleSpec[] {
  const { series, participants, publishedAt } = input;
  const seriesId = series.id;
  const policies = series.policies;
  const trainings = [...input.trainings].sort((a, b) => a.order - b.order);
  const groups = groupsOf(participants, series);
  const specs: ScheduleSpec[] = [];
  const now = publishedAt.getTime();
  const future = (spec: AtSpec): boolean => input.includePast === true || Date.parse(spec.instant) > now;

  specs.push({ name: 'kickoff', job: { kind: 'kickoff', seriesId }, at: atUtc(input.kickoffAt ?? publishedAt) });

  for (const training of trainings) {
    for (const g of groups) {
      const group = { timeZone: g.timeZone, workStart: g.workStart, ...(g.workDays ? { workDays: g.workDays } : {}) };
      const open = atLocal(trainingSendDay(training, g.week), g.workStart, g.timeZone);
      const job: Job = { kind: 'training', seriesId, trainingSlug: training.slug, ...group };
      const name = scheduleName('training', training.slug, groupKey(g));
      if (future(open)) specs.push({ name, job, at: open });
      else if (windowEnd(training, g.timeZone).getTime() > now) specs.push({ name, job, at: atUtc(publishedAt) });

      // Daily bites: part n on the n-th working day after the training's day, for whoever takes
      // the training as bites when the part fires (audience.ts formatFor); the others get nothing.
      let biteDay = trainingSendDay(training, g.week);
      for (let part = 1; part <= biteCount(training); part++) {
        biteDay = firstWorkingDay(addDays(biteDay, 1), g.week);
        const at = atLocal(biteDay, g.workStart, g.timeZone);
        if (future(at)) specs.push({ name: scheduleName(`bite${part}`, training.slug, groupKey(g)), job: { ...job, part }, at });
      }

      const reminderDay = reminderSendDay(training, policies.reminderDaysBeforeClose, g.week);
      // A window shorter than the reminder lead gets no reminder: it would arrive with the training.
      if (reminderDay !== undefined) {
        const at = atLocal(reminderDay, g.workStart, g.timeZone);
        if (future(at)) specs.push({ name: scheduleName('reminder', training.slug, groupKey(g)), job: { kind: 'reminder', seriesId, trainingSlug: training.slug, ...group }, at });
      }

      const followUp = atLocal(firstWorkingDay(addDays(training.closes, 7 * policies.followUpWeeksAfterClose), g.week), g.workStart, g.timeZone);
      if (future(followUp)) {
        specs.push({ name: scheduleName('follow-up', training.slug, groupKey(g)), job: { kind: 'follow-up', seriesId, trainingSlug: training.slug, ...group }, at: followUp });
      }
    }
  }

  const last = trainings.reduce<Training | undefined>((max, t) => (max === undefined || t.closes > max.closes ? t : max), undefined);
  const first = trainings.reduce<Training | undefined>((min, t) => (min === undefined || t.opens < min.opens ? t : min), undefined);
  if (last && first) {
    for (const g of groups) {
      const at = atLocal(firstWorkingDay(addDays(last.closes, 1), g.week), g.workStart, g.timeZone);
      const job: Job = { kind: 'wrap-up', seriesId, timeZone: g.timeZone, workStart: g.workStart, ...(g.workDays ? { workDays: g.workDays } : {}) };
      if (future(at)) specs.push({ name: scheduleName('wrap-up', undefined, groupKey(g)), job, at });
    }

    // Digests run until the last check-ins have had a week to come in; roll-ups while there is
    // something new to roll up, i.e. until a week after the last window.
    const digestZones = [...new Set(series.trainers.map((t) => t.timeZone))].sort();
    for (const timeZone of digestZones) {
      const cron: CronSpec = {
        // Trainers keep the series' week.
        expression: weeklyCron(workingWeekday(policies.digest.day, workDaysOf({}, series)), policies.digest.hour),
        timeZone,
        start: zonedTimeToUtc(first.opens, '00:00', timeZone).toISOString(),
        end: new Date(windowEnd(last, timeZone).getTime() + policies.followUpWeeksAfterClose * WEEK_MS + WEEK_MS).toISOString(),
      };
      if (input.includePast || Date.parse(cron.end!) > now) specs.push({ name: scheduleName('digest', undefined, timeZone), job: { kind: 'digest', seriesId, timeZone }, cron });
    }
    // One roll-up per zone and week: a Sunday-to-Thursday team gets Friday's roll-up on Sunday.
    const rollupGroups = new Map<string, Group>();
    for (const g of groups) rollupGroups.set(g.workDays ? `${g.timeZone}|${g.workDays}` : g.timeZone, g);
    for (const [key, g] of [...rollupGroups].sort(([a], [b]) => a.localeCompare(b))) {
      const timeZone = g.timeZone;
      const cron: CronSpec = {
        expression: weeklyCron(workingWeekday(policies.rollup.day, g.week), policies.rollup.hour),
        timeZone,
        start: zonedTimeToUtc(first.opens, '00:00', timeZone).toISOString(),
        end: new Date(windowEnd(last, timeZone).getTime() + WEEK_MS).toISOString(),
      };
      if (input.includePast || Date.parse(cron.end!) > now) specs.push({ name: scheduleName('rollup', undefined, key), job: { kind: 'rollup', seriesId, timeZone, ...(g.workDays ? { workDays: g.workDays } : {}) }, cron });
    }
  }
  return specs;
}

// ---------------------------------------------------------------------------------------------
// Re-publishing: what changes between the stored schedules and a new plan.

/** A schedule as it is stored: the instant it fires next, and whether it already ran. */
export interface StoredSchedule {
  name: string;
  job: unknown;
  /** ISO instant: a one-time schedule's time, a recurring one's next occurrence. */
  at: string;
  cron?: CronSpec;
  state: 'pending' | 'done' | 'failed';
}

export interface ScheduleDiff {
  create: ScheduleSpec[];
  update: ScheduleSpec[];
  /** Names of stored schedules the new plan no longer has. */
  delete: string[];
  unchanged: string[];
  /** One-time jobs that already ran: left alone, so publishing again never repeats them. */
  alreadyRan: string[];
}

export interface DiffOptions {
  /**
   * Names the new plan would still have if past jobs were kept (`planSchedules` with
   * includePast). A pending stored schedule among them is overdue, not removed: it is kept.
   */
  stillPlanned?: ReadonlySet<string>;
  /** Done one-time jobs to run again (latecomers catching up; the delivery ledger keeps it to them). */
  rerun?: ReadonlySet<string>;
  /**
   * The time of the diff. A one-time record still `pending` at or before it has fired where the
   * records are not the clock (EventBridge deletes a fired schedule and never tells the store), so
   * for `rerun` it counts as done.
   */
  now?: Date;
}

/** JSON with sorted keys, so two jobs compare equal whatever order their fields were written in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

function sameCron(a: CronSpec | undefined, b: CronSpec | undefined): boolean {
  if (!a || !b) return a === b;
  return a.expression === b.expression && a.timeZone === b.timeZone && a.start === b.start && a.end === b.end;
}

function sameSchedule(stored: StoredSchedule, spec: ScheduleSpec): boolean {
  if (canonical(stored.job) !== canonical(spec.job)) return false;
  if (spec.cron || stored.cron) return sameCron(stored.cron, spec.cron);
  return spec.at !== undefined && Date.parse(stored.at) === Date.parse(spec.at.instant);
}

export function diffSchedules(previous: readonly StoredSchedule[], next: readonly ScheduleSpec[], options: DiffOptions = {}): ScheduleDiff {
  const diff: ScheduleDiff = { create: [], update: [], delete: [], unchanged: [], alreadyRan: [] };
  const before = new Map(previous.map((s) => [s.name, s]));
  const names = new Set<string>();
  for (const spec of next) {
    if (names.has(spec.name)) throw new Error(`two schedules are named "${spec.name}": schedule names must be unique within a series`);
    names.add(spec.name);
    const stored = before.get(spec.name);
    const fired = stored?.state === 'done' || (stored?.state === 'pending' && options.now !== undefined && Date.parse(stored.at) <= options.now.getTime());
    if (!stored) diff.create.push(spec);
    else if (options.rerun?.has(spec.name) && fired && stored.state === 'pending' && !stored.cron && !spec.cron) diff.update.push(spec);
    else if (stored.state === 'done' && !stored.cron && !spec.cron) {
      if (options.rerun?.has(spec.name)) diff.update.push(spec);
      else diff.alreadyRan.push(spec.name);
    } else if (sameSchedule(stored, spec) && stored.state !== 'failed') diff.unchanged.push(spec.name);
    else diff.update.push(spec);
  }
  for (const stored of previous) {
    if (names.has(stored.name)) continue;
    if (stored.state === 'pending' && options.stillPlanned?.has(stored.name)) diff.unchanged.push(stored.name);
    else diff.delete.push(stored.name);
  }
  return diff;
}

/** Kickoff and training jobs that reach `added` participants: what a latecomer has missed. */
export function catchUpNames(next: readonly ScheduleSpec[], added: readonly Pick<Participant, 'timeZone' | 'workStart' | 'workDays'>[]): Set<string> {
  const groups = new Set(added.map((p) => `${p.timeZone} ${p.workStart} ${p.workDays ? workWeekKey(p.workDays) : ''}`));
  const names = new Set<string>();
  for (const spec of next) {
    if (spec.job.kind === 'kickoff') names.add(spec.name);
    else if (spec.job.kind === 'training' && groups.has(`${spec.job.timeZone} ${spec.job.workStart} ${spec.job.workDays ?? ''}`)) names.add(spec.name);
  }
  return names;
}

// ---------------------------------------------------------------------------------------------
// Re-publishing: what changed in the series itself, for calendar updates and cancellations.

export interface TrainingChange {
  before: Training;
  after: Training;
  /** The fields a calendar hold shows that changed: dates move the hold, a title renames it. */
  fields: Array<'opens' | 'closes' | 'title'>;
}

export interface SeriesDiff {
  trainings: { added: Training[]; removed: Training[]; changed: TrainingChange[]; unchanged: string[] };
  participants: { added: Participant[]; removed: Participant[] };
}

export function diffSeries(
  prevTrainings: readonly Training[],
  nextTrainings: readonly Training[],
  prevParticipants: readonly Participant[],
  nextParticipants: readonly Participant[],
): SeriesDiff {
  const prevBySlug = new Map(prevTrainings.map((t) => [t.slug, t]));
  const nextSlugs = new Set(nextTrainings.map((t) => t.slug));
  const out: SeriesDiff = { trainings: { added: [], removed: [], changed: [], unchanged: [] }, participants: { added: [], removed: [] } };
  for (const after of nextTrainings) {
    const before = prevBySlug.get(after.slug);
    if (!before) {
      out.trainings.added.push(after);
      continue;
    }
    const fields = (['opens', 'closes', 'title'] as const).filter((f) => before[f] !== after[f]);
    if (fields.length > 0) out.trainings.changed.push({ before, after, fields });
    else out.trainings.unchanged.push(after.slug);
  }
  out.trainings.removed = prevTrainings.filter((t) => !nextSlugs.has(t.slug));
  const prevEmails = new Set(prevParticipants.map((p) => p.email));
  const nextEmails = new Set(nextParticipants.map((p) => p.email));
  out.participants.added = nextParticipants.filter((p) => !prevEmails.has(p.email));
  out.participants.removed = prevParticipants.filter((p) => !nextEmails.has(p.email));
  return out;
}

/** A planned job as the store keeps it: pending until it ran, a recurring one at its next occurrence. */
export const ScheduleRecordSchema = /* @__PURE__ */ builtOnFirstUse(() => z.object({
  /** Unique within the series; the EventBridge schedule name where there is one. */
  name: z.string().check(z.minLength(1)),
  at: IsoDateTimeSchema,
  job: z.unknown(),
  state: z.enum(['pending', 'done', 'failed']),
  /** Recurring schedules: the cron expression in its zone; `at` is then the next occurrence. */
  cron: z.optional(
    z.object({
      expression: z.string().check(z.minLength(1)),
      timeZone: z.string().check(z.minLength(1)),
      start: z.optional(IsoDateTimeSchema),
      end: z.optional(IsoDateTimeSchema),
    }),
  ),
  /** Failed runs so far: the local clock retries a failing job, then marks it failed. */
  attempts: z.optional(z.int().check(z.gte(0))),
  lastError: z.optional(z.string()),
}));
export type ScheduleRecord = z.infer<typeof ScheduleRecordSchema>;

/** The record a planned job starts as: pending at its time, or a recurring job at its first occurrence. */
export function recordFromSpec(spec: ScheduleSpec, now: Date): ScheduleRecord {
  if (spec.cron) {
    const first = firstCronOccurrence(spec.cron, now);
    // A recurring job past its end is kept as done, so the diff still knows it.
    return { name: spec.name, job: spec.job, cron: spec.cron, at: (first ?? new Date(spec.cron.end ?? now)).toISOString(), state: first ? 'pending' : 'done', attempts: 0 };
  }
  if (!spec.at) throw new Error(`schedule "${spec.name}" has neither at nor cron`);
  return { name: spec.name, job: spec.job, at: spec.at.instant, state: 'pending', attempts: 0 };
}
