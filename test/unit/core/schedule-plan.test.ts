import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { SeriesSchema, TrainingSchema, type Participant, type Training } from '#core/model';
import {
  catchUpNames,
  diffSchedules,
  diffSeries,
  firstCronOccurrence,
  nextCronOccurrence,
  planSchedules,
  type ScheduleSpec,
  type StoredSchedule,
} from '#core/schedule-plan';

const series = SeriesSchema.parse({
  id: 'spring-series',
  title: 'Spring series',
  intro: '',
  trainers: [
    { name: 'Maya', email: 'maya@example.com', timeZone: 'America/New_York' },
    { name: 'Dan', email: 'dan@example.org', timeZone: 'Europe/London' },
    { name: 'Ann', email: 'ann@example.org', timeZone: 'America/New_York' },
  ],
  defaultTimeZone: 'UTC',
  policies: {},
});

function training(order: number, slug: string, opens: string, closes: string): Training {
  return TrainingSchema.parse({ slug, order, title: `Training ${slug}`, opens, closes, author: 'Maya', body: '', strategies: [] });
}

const person = (email: string, timeZone: string, workStart: string): Participant => ({ email, name: email, timeZone, workStart });

const trainings = [training(1, 'one-on-ones', '2027-03-15', '2027-03-28'), training(2, 'deep-work', '2027-03-29', '2027-04-11')];
const participants = [
  person('ny@example.com', 'America/New_York', '09:00'),
  person('ny2@example.com', 'America/New_York', '09:00'),
  person('syd@example.com', 'Australia/Sydney', '08:30'),
  person('bn@example.com', 'Asia/Brunei', '08:30'),
];
const publishedAt = new Date('2027-03-01T12:00:00Z');

/** The wall clock in a zone, read with Intl directly (not through core/time). */
function wallClock(instant: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const get = (t: string) => parts.find((p) => p.type === t)!.value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

const byName = (specs: ScheduleSpec[], kind: string, slug?: string, timeZone?: string) =>
  specs.filter((s) => s.job.kind === kind && (slug === undefined || s.job.trainingSlug === slug) && (timeZone === undefined || s.job.timeZone === timeZone));

describe('planSchedules', () => {
  const plan = planSchedules({ series, trainings, participants, publishedAt });

  it('sends the kickoff at publishing, in UTC, to everyone', () => {
    expect(byName(plan, 'kickoff')).toEqual([
      { name: 'kickoff', job: { kind: 'kickoff', seriesId: 'spring-series' }, at: { local: '2027-03-01T12:00:00', timeZone: 'UTC', instant: '2027-03-01T12:00:00.000Z' } },
    ]);
    const later = planSchedules({ series, trainings, participants, publishedAt, kickoffAt: new Date('2027-03-08T15:30:00.250Z') });
    expect(byName(later, 'kickoff')[0]!.at).toEqual({ local: '2027-03-08T15:30:00', timeZone: 'UTC', instant: '2027-03-08T15:30:00.000Z' });
  });

  it('plans one training job per training and (timeZone, workStart) group', () => {
    const jobs = byName(plan, 'training');
    expect(jobs).toHaveLength(2 * 3);
    expect(jobs.map((s) => s.job)).toContainEqual({ kind: 'training', seriesId: 'spring-series', trainingSlug: 'one-on-ones', timeZone: 'America/New_York', workStart: '09:00' });
    const groups = new Set(jobs.map((s) => `${s.job.timeZone} ${s.job.workStart}`));
    expect(groups).toEqual(new Set(['America/New_York 09:00', 'Australia/Sydney 08:30', 'Asia/Brunei 08:30']));
  });

  it('opens a window at workStart in New York just after the March DST change (09:00 EDT = 13:00Z)', () => {
    const [ny] = byName(plan, 'training', 'one-on-ones', 'America/New_York');
    expect(ny!.at).toEqual({ local: '2027-03-15T09:00:00', timeZone: 'America/New_York', instant: '2027-03-15T13:00:00.000Z' });
    // The week before, still on EST, the same 09:00 is 14:00Z.
    const early = planSchedules({ series, trainings: [training(1, 'early', '2027-03-08', '2027-03-12')], participants, publishedAt });
    expect(byName(early, 'training', 'early', 'America/New_York')[0]!.at!.instant).toBe('2027-03-08T14:00:00.000Z');
  });

  it('follows Sydney out of daylight saving in April (08:30 AEDT = 21:30Z the day before; AEST = 22:30Z)', () => {
    const april = [training(1, 'before', '2027-04-01', '2027-04-02'), training(2, 'after', '2027-04-05', '2027-04-09')];
    const specs = planSchedules({ series, trainings: april, participants, publishedAt });
    expect(byName(specs, 'training', 'before', 'Australia/Sydney')[0]!.at).toEqual({ local: '2027-04-01T08:30:00', timeZone: 'Australia/Sydney', instant: '2027-03-31T21:30:00.000Z' });
    expect(byName(specs, 'training', 'after', 'Australia/Sydney')[0]!.at).toEqual({ local: '2027-04-05T08:30:00', timeZone: 'Australia/Sydney', instant: '2027-04-04T22:30:00.000Z' });
  });

  it('keeps Brunei, which has no DST, at the same UTC hour all year', () => {
    const instants = byName(plan, 'training', undefined, 'Asia/Brunei').map((s) => s.at!.instant.slice(11));
    expect(instants).toEqual(['00:30:00.000Z', '00:30:00.000Z']);
  });

  it('puts every group-timed job at workStart on the wall clock of its zone (checked with Intl)', () => {
    const timed = plan.filter((s) => s.at && s.job.workStart);
    expect(timed.length).toBeGreaterThan(10);
    for (const spec of timed) {
      expect(wallClock(spec.at!.instant, spec.job.timeZone!)).toBe(`${spec.at!.local.slice(0, 10)}T${spec.job.workStart}:00`);
      expect(spec.at!.local.slice(11)).toBe(`${spec.job.workStart}:00`);
      expect(spec.at!.timeZone).toBe(spec.job.timeZone);
    }
  });

  it('moves a workStart that falls in the spring-forward gap to the time that exists', () => {
    // Working Sundays too: the gap is on Sunday 14 March, which a Monday-to-Friday week would skip.
    const night = [{ ...person('owl@example.com', 'America/New_York', '02:30'), workDays: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as Participant['workDays'] }];
    const specs = planSchedules({ series, trainings: [training(1, 'gap', '2027-03-14', '2027-03-20')], participants: night, publishedAt });
    expect(byName(specs, 'training')[0]!.at).toEqual({ local: '2027-03-14T03:30:00', timeZone: 'America/New_York', instant: '2027-03-14T07:30:00.000Z' });
  });

  it('reminds N days before close, follows up N weeks after, wraps up the day after the last window', () => {
    const ny = (kind: string, slug?: string) => byName(plan, kind, slug, 'America/New_York').map((s) => s.at!.local);
    expect(ny('reminder', 'one-on-ones')).toEqual(['2027-03-25T09:00:00']);
    // Three weeks after the close is Sunday 18 April: the check-in waits for Monday, a working day.
    expect(ny('follow-up', 'one-on-ones')).toEqual(['2027-04-19T09:00:00']);
    expect(ny('wrap-up')).toEqual(['2027-04-12T09:00:00']);
    expect(byName(plan, 'reminder')).toHaveLength(6);
    const custom = SeriesSchema.parse({ ...series, policies: { reminderDaysBeforeClose: 5, followUpWeeksAfterClose: 1 } });
    const specs = planSchedules({ series: custom, trainings, participants, publishedAt });
    expect(byName(specs, 'reminder', 'deep-work', 'Asia/Brunei').map((s) => s.at!.local)).toEqual(['2027-04-06T08:30:00']);
    expect(byName(specs, 'follow-up', 'deep-work', 'Asia/Brunei').map((s) => s.at!.local)).toEqual(['2027-04-19T08:30:00']);
  });

  it('gives a window shorter than the reminder lead no reminder', () => {
    const short = planSchedules({ series, trainings: [training(1, 'short', '2027-03-15', '2027-03-17')], participants, publishedAt });
    expect(byName(short, 'reminder')).toEqual([]);
  });

  it('runs digests weekly per trainer zone and roll-ups per participant zone, within the series', () => {
    const digests = byName(plan, 'digest');
    expect(digests.map((s) => [s.job.timeZone, s.cron!.expression, s.cron!.timeZone])).toEqual([
      ['America/New_York', 'cron(0 9 ? * MON *)', 'America/New_York'],
      ['Europe/London', 'cron(0 9 ? * MON *)', 'Europe/London'],
    ]);
    expect(digests[0]!.cron!.start).toBe('2027-03-15T04:00:00.000Z');
    const rollups = byName(plan, 'rollup');
    expect(rollups.map((s) => s.cron!.timeZone).sort()).toEqual(['America/New_York', 'Asia/Brunei', 'Australia/Sydney']);
    expect(rollups.every((s) => s.cron!.expression === 'cron(0 10 ? * FRI *)' && s.job.workStart === undefined)).toBe(true);
    // Roll-ups stop a week after the last window closes; digests also wait for the follow-ups.
    const ny = rollups.find((s) => s.job.timeZone === 'America/New_York')!;
    expect(ny.cron!.end).toBe('2027-04-19T04:00:00.000Z');
    expect(Date.parse(digests[0]!.cron!.end!)).toBeGreaterThan(Date.parse(byName(plan, 'follow-up').at(-1)!.at!.instant));
  });

  it('leaves out jobs whose time has passed, except the kickoff; an open window is sent at once', () => {
    const midway = new Date('2027-03-26T00:00:00Z');
    const specs = planSchedules({ series, trainings, participants, publishedAt: midway });
    expect(specs.filter((s) => s.at && s.job.kind !== 'kickoff' && Date.parse(s.at.instant) < midway.getTime())).toEqual([]);
    // Reminders for the first window: New York's (25th 09:00 EDT) has passed, Brunei's too.
    expect(byName(specs, 'reminder', 'one-on-ones')).toEqual([]);
    // The first window is still open everywhere, so its training goes out at publishing.
    expect(byName(specs, 'training', 'one-on-ones').map((s) => s.at!.instant)).toEqual(Array(3).fill(midway.toISOString()));
    expect(byName(specs, 'kickoff')).toHaveLength(1);
    // Once a window has closed in a zone, nobody there is sent it.
    const after = planSchedules({ series, trainings, participants, publishedAt: new Date('2027-03-29T12:00:00Z') });
    expect(byName(after, 'training', 'one-on-ones')).toEqual([]);
    // includePast keeps everything.
    const all = planSchedules({ series, trainings, participants, publishedAt: midway, includePast: true });
    expect(byName(all, 'reminder', 'one-on-ones')).toHaveLength(3);
  });

  it('names every job uniquely and deterministically, within 64 name-safe characters', () => {
    const long = 'a-very-long-training-slug-that-goes-on-and-on-for-quite-a-while-indeed';
    const longer = `${long}-and-then-some`;
    const many = [...trainings, training(3, long, '2027-04-12', '2027-04-25'), training(4, longer, '2027-04-26', '2027-05-09')];
    const a = planSchedules({ series, trainings: many, participants, publishedAt });
    const b = planSchedules({ series, trainings: [...many].reverse(), participants: [...participants].reverse(), publishedAt: new Date('2027-03-02T00:00:00Z') });
    expect(a.map((s) => s.name).sort()).toEqual(b.map((s) => s.name).sort());
    expect(new Set(a.map((s) => s.name)).size).toBe(a.length);
    for (const s of a) expect(s.name).toMatch(/^[0-9A-Za-z_.-]{1,64}$/);
    expect(a.find((s) => s.job.kind === 'training' && s.job.trainingSlug === 'one-on-ones' && s.job.timeZone === 'Asia/Brunei')!.name).toMatch(/^training-one-on-ones-[0-9a-f]{8}$/);
  });

  it('plans no group jobs without participants (they come with enrollment)', () => {
    const specs = planSchedules({ series, trainings, participants: [], publishedAt });
    expect(specs.map((s) => s.job.kind).sort()).toEqual(['digest', 'digest', 'kickoff']);
  });
});

describe('nextCronOccurrence', () => {
  it('finds the next weekday and hour in the zone, strictly after the given instant', () => {
    const cron = { expression: 'cron(0 10 ? * FRI *)', timeZone: 'Australia/Sydney' };
    // Friday 2 April 2027 is before Sydney leaves DST (Sunday 4 April); Friday 9 April after.
    const first = nextCronOccurrence(cron, new Date('2027-03-30T00:00:00Z'));
    expect(first.toISOString()).toBe('2027-04-01T23:00:00.000Z');
    const second = nextCronOccurrence(cron, first);
    expect(second.toISOString()).toBe('2027-04-09T00:00:00.000Z');
    expect(wallClock(second.toISOString(), 'Australia/Sydney')).toBe('2027-04-09T10:00:00');
  });

  it('always lands on the right weekday and hour, whatever the zone and instant', () => {
    const days = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'] as const;
    const short = { MON: 'Mon', TUE: 'Tue', WED: 'Wed', THU: 'Thu', FRI: 'Fri', SAT: 'Sat', SUN: 'Sun' };
    fc.assert(
      fc.property(
        fc.constantFrom('America/New_York', 'Australia/Sydney', 'Asia/Brunei', 'Europe/London', 'Pacific/Chatham'),
        fc.constantFrom(...days),
        fc.integer({ min: 4, max: 23 }),
        fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2029-01-01') }),
        (timeZone, day, hour, ms) => {
          const after = new Date(ms);
          const next = nextCronOccurrence({ expression: `cron(0 ${hour} ? * ${day} *)`, timeZone }, after);
          expect(next.getTime()).toBeGreaterThan(ms);
          expect(next.getTime() - ms).toBeLessThanOrEqual(7 * 86_400_000 + 3_600_000);
          const weekday = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short' }).format(next);
          expect(weekday).toBe(short[day]);
          expect(wallClock(next.toISOString(), timeZone).slice(11)).toBe(`${String(hour).padStart(2, '0')}:00:00`);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses expressions it does not understand', () => {
    expect(() => nextCronOccurrence({ expression: 'rate(1 day)', timeZone: 'UTC' }, new Date())).toThrow(/not a weekly cron/);
  });

  it('starts at the cron start and ends after its end', () => {
    const cron = { expression: 'cron(0 9 ? * MON *)', timeZone: 'UTC', start: '2027-03-15T00:00:00.000Z', end: '2027-03-30T00:00:00.000Z' };
    expect(firstCronOccurrence(cron, new Date('2027-01-01T00:00:00Z'))!.toISOString()).toBe('2027-03-15T09:00:00.000Z');
    expect(firstCronOccurrence(cron, new Date('2027-03-23T10:00:00Z'))!.toISOString()).toBe('2027-03-29T09:00:00.000Z');
    expect(firstCronOccurrence(cron, new Date('2027-03-29T10:00:00Z'))).toBeUndefined();
  });
});

describe('diffSchedules', () => {
  const plan = planSchedules({ series, trainings, participants, publishedAt });
  const stored = (spec: ScheduleSpec, state: StoredSchedule['state'] = 'pending'): StoredSchedule => ({
    name: spec.name,
    job: spec.job,
    at: spec.at?.instant ?? spec.cron!.start!,
    ...(spec.cron ? { cron: spec.cron } : {}),
    state,
  });

  it('creates everything on the first publish and changes nothing on an identical one', () => {
    const first = diffSchedules([], plan);
    expect(first.create).toEqual(plan);
    expect([...first.update, ...first.delete, ...first.unchanged]).toEqual([]);
    const again = diffSchedules(plan.map((s) => stored(s)), plan);
    expect(again.unchanged.sort()).toEqual(plan.map((s) => s.name).sort());
    expect([...again.create, ...again.update, ...again.delete]).toEqual([]);
  });

  it('compares jobs whatever the order of their fields', () => {
    const spec = plan.find((s) => s.job.kind === 'training')!;
    const reordered = { ...stored(spec), job: Object.fromEntries(Object.entries(spec.job).reverse()) };
    expect(diffSchedules([reordered], [spec]).unchanged).toEqual([spec.name]);
  });

  it('moves schedules of a moved window, deletes those of a removed training, creates those of a new one', () => {
    const edited = [training(1, 'one-on-ones', '2027-03-16', '2027-03-28'), training(3, 'inbox-zero', '2027-04-12', '2027-04-20')];
    const next = planSchedules({ series, trainings: edited, participants, publishedAt });
    const diff = diffSchedules(plan.map((s) => stored(s)), next);
    // The moved opening moves its training sends and the digests' and roll-ups' start; the new
    // last window moves the wrap-up and their end.
    const moved = [...byName(next, 'training', 'one-on-ones'), ...byName(next, 'wrap-up'), ...byName(next, 'digest'), ...byName(next, 'rollup')];
    expect(diff.update.map((s) => s.name).sort()).toEqual(moved.map((s) => s.name).sort());
    expect(diff.delete.sort()).toEqual(plan.filter((s) => s.job.trainingSlug === 'deep-work').map((s) => s.name).sort());
    expect(diff.create.map((s) => s.job.trainingSlug)).toEqual(Array(9).fill('inbox-zero'));
    // The reminder and follow-up of the moved window kept their dates (the close did not move).
    expect(diff.unchanged).toEqual(expect.arrayContaining(byName(next, 'reminder', 'one-on-ones').map((s) => s.name)));
  });

  it('never repeats a one-time job that already ran, unless asked to catch latecomers up', () => {
    const kickoff = plan.find((s) => s.name === 'kickoff')!;
    const moved = { ...kickoff, at: { ...kickoff.at!, instant: '2027-03-05T00:00:00.000Z' } };
    expect(diffSchedules([stored(kickoff, 'done')], [moved])).toMatchObject({ alreadyRan: ['kickoff'], update: [] });
    expect(diffSchedules([stored(kickoff, 'done')], [moved], { rerun: new Set(['kickoff']) }).update).toEqual([moved]);
  });

  it('counts a pending one-time job whose time has passed as fired when catching latecomers up (EventBridge never marks records done)', () => {
    const kickoff = plan.find((s) => s.name === 'kickoff')!;
    const at = Date.parse(kickoff.at!.instant);
    const rerun = new Set(['kickoff']);
    // The same second as the record (an enrolment right after publishing) still catches up.
    expect(diffSchedules([stored(kickoff)], [kickoff], { rerun, now: new Date(at) }).update).toEqual([kickoff]);
    // Not yet due: it will fire with the newcomers in it, so nothing changes.
    expect(diffSchedules([stored(kickoff)], [kickoff], { rerun, now: new Date(at - 1000) })).toMatchObject({ update: [], unchanged: ['kickoff'] });
    // Without latecomers a past pending job is left as it is.
    expect(diffSchedules([stored(kickoff)], [kickoff], { now: new Date(at + 60_000) })).toMatchObject({ update: [], unchanged: ['kickoff'] });
  });

  it('keeps an overdue pending job the plan left out only because its time has passed', () => {
    const reminder = byName(plan, 'reminder', 'one-on-ones', 'Asia/Brunei')[0]!;
    const diff = diffSchedules([stored(reminder)], [], { stillPlanned: new Set([reminder.name]) });
    expect(diff).toMatchObject({ unchanged: [reminder.name], delete: [] });
    expect(diffSchedules([stored(reminder)], []).delete).toEqual([reminder.name]);
    expect(diffSchedules([stored(reminder, 'done')], [], { stillPlanned: new Set([reminder.name]) }).delete).toEqual([reminder.name]);
  });

  it('resets a failed job on re-publish, and a finished recurring job whose end moved', () => {
    const spec = byName(plan, 'reminder')[0]!;
    expect(diffSchedules([stored(spec, 'failed')], [spec]).update).toEqual([spec]);
    const digest = byName(plan, 'digest')[0]!;
    const extended = { ...digest, cron: { ...digest.cron!, end: '2027-12-01T00:00:00.000Z' } };
    expect(diffSchedules([stored(digest, 'done')], [extended]).update).toEqual([extended]);
    expect(diffSchedules([stored(digest, 'done')], [digest]).unchanged).toEqual([digest.name]);
  });

  it('refuses two schedules with one name', () => {
    expect(() => diffSchedules([], [plan[0]!, plan[0]!])).toThrow(/two schedules are named "kickoff"/);
  });
});

describe('catchUpNames', () => {
  it('names the kickoff and the training sends that reach the latecomers\u2019 groups', () => {
    const plan = planSchedules({ series, trainings, participants, publishedAt });
    const names = catchUpNames(plan, [person('late@example.com', 'Asia/Brunei', '08:30')]);
    expect([...names].sort()).toEqual(['kickoff', ...byName(plan, 'training', undefined, 'Asia/Brunei').map((s) => s.name)].sort());
  });
});

describe('diffSeries', () => {
  it('tells moved, renamed, removed and added trainings and added and removed participants apart', () => {
    const [one, two] = trainings as [Training, Training];
    const next = [{ ...one, closes: '2027-03-27' }, { ...two, title: 'Deeper work' }, training(3, 'new-one', '2027-04-12', '2027-04-20')];
    const d = diffSeries([...trainings, training(4, 'gone', '2027-05-01', '2027-05-05')], next, participants.slice(0, 2), participants.slice(1));
    expect(d.trainings.changed.map((c) => [c.after.slug, c.fields])).toEqual([
      ['one-on-ones', ['closes']],
      ['deep-work', ['title']],
    ]);
    expect(d.trainings.added.map((t) => t.slug)).toEqual(['new-one']);
    expect(d.trainings.removed.map((t) => t.slug)).toEqual(['gone']);
    expect(d.participants.added.map((p) => p.email)).toEqual(['syd@example.com', 'bn@example.com']);
    expect(d.participants.removed.map((p) => p.email)).toEqual(['ny@example.com']);
    expect(diffSeries(trainings, trainings, participants, participants).trainings.unchanged).toEqual(['one-on-ones', 'deep-work']);
  });
});
