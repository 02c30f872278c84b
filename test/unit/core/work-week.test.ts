// Each person's working week: a training, reminder, check-in or wrap-up reaches them at their work
// start on one of their own working days, across a whole series, whatever weekday a window opens
// on. Dubai works Monday to Friday, Brunei Monday to Thursday and Saturday, Riyadh Sunday to Thursday.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inGroup, workDaysOf } from '#core/audience';
import { SeriesSchema, TrainingSchema, type Participant, type Training } from '#core/model';
import { parseParticipantsCsv } from '#core/participants';
import { parseSeries } from '#core/series';
import type { SourceFile } from '#core/problem';
import { planSchedules, reminderSendDay, trainingSendDay } from '#core/schedule-plan';
import { addDays, firstWorkingDay, formatWorkDays, lastWorkingDay, parseWorkDays, weekdayOf, type Weekday } from '#core/time';

const series = SeriesSchema.parse({
  id: 'gulf-series',
  title: 'Gulf and Borneo series',
  intro: '',
  trainers: [{ name: 'Maya', email: 'maya@example.com', timeZone: 'Asia/Dubai' }],
  defaultTimeZone: 'Asia/Dubai',
  policies: {},
});

// Eight two-week windows, one opening on every day of the week and one more on a Friday.
const trainings: Training[] = Array.from({ length: 8 }, (_, i) => {
  const opens = addDays('2027-03-01', i * 9); // Monday, then every weekday in turn
  return TrainingSchema.parse({ slug: `t${i + 1}`, order: i + 1, title: `T${i + 1}`, opens, closes: addDays(opens, 13), author: 'Maya', body: '', strategies: [] });
});

const MON_FRI: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
const BRUNEI: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'sat'];
// Weeks are kept in Monday-first order, however they were written.
const SUN_THU: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'sun'];

const dubai: Participant = { email: 'omar@example.com', name: 'Omar', timeZone: 'Asia/Dubai', workStart: '09:00', workDays: MON_FRI };
const brunei: Participant = { email: 'nurul@example.com', name: 'Nurul', timeZone: 'Asia/Brunei', workStart: '08:30', workDays: BRUNEI };
const riyadh: Participant = { email: 'sara@example.com', name: 'Sara', timeZone: 'Asia/Riyadh', workStart: '08:00', workDays: SUN_THU };
// No week of their own: the series' week, here the default Monday to Friday.
const dubaiDefault: Participant = { email: 'aisha@example.com', name: 'Aisha', timeZone: 'Asia/Dubai', workStart: '09:00' };
const people = [dubai, brunei, riyadh, dubaiDefault];

describe('reading a working week', () => {
  it.each([
    ['Mon-Fri', MON_FRI],
    ['Sun–Thu', SUN_THU],
    ['Mon-Thu, Sat', BRUNEI],
    ['mon tue wed thu sat', BRUNEI],
    ['Sat-Wed', ['mon', 'tue', 'wed', 'sat', 'sun']],
    ['Monday to Friday', MON_FRI],
  ])('%s', (text, week) => {
    expect(parseWorkDays(text)).toEqual(week);
  });

  it('refuses what is not a week, and writes weeks back compactly', () => {
    expect(parseWorkDays('weekdays')).toBeUndefined();
    expect(parseWorkDays('Mon-Fri-Sat')).toBeUndefined();
    expect(formatWorkDays(BRUNEI)).toBe('Mon–Thu, Sat');
    expect(formatWorkDays(SUN_THU)).toBe('Mon–Thu, Sun');
  });

  it('moves to the next (or last) working day of the week given', () => {
    // 2027-03-05 is a Friday.
    expect(firstWorkingDay('2027-03-05', BRUNEI)).toBe('2027-03-06');
    expect(firstWorkingDay('2027-03-05', SUN_THU)).toBe('2027-03-07');
    expect(firstWorkingDay('2027-03-05')).toBe('2027-03-05');
    expect(lastWorkingDay('2027-03-05', SUN_THU)).toBe('2027-03-04');
  });
});

describe('the participants CSV', () => {
  const options = { file: 'participants.csv', defaultTimeZone: 'UTC', defaultWorkStart: '09:00' };

  it('reads a workDays and a calendar column; empty cells keep the series default and calendars on', () => {
    const csv = 'email,name,timeZone,workDays,calendar\nnurul@example.com,Nurul,Asia/Brunei,"Mon-Thu, Sat",no\nomar@example.com,Omar,Asia/Dubai,,\n';
    const result = parseParticipantsCsv(csv, options);
    expect(result.errors).toEqual([]);
    expect(result.participants).toEqual([
      { email: 'nurul@example.com', name: 'Nurul', timeZone: 'Asia/Brunei', workStart: '09:00', workDays: BRUNEI, calendars: false },
      { email: 'omar@example.com', name: 'Omar', timeZone: 'Asia/Dubai', workStart: '09:00' },
    ]);
  });

  it('says which cell is wrong', () => {
    const result = parseParticipantsCsv('email,name,workDays,calendar\na@example.com,A,weekdays,perhaps\n', options);
    expect(result.errors.map((e) => [e.line, e.column, e.message.split(':')[0]])).toEqual([
      [2, 17, 'workDays "weekdays" is not a working week'],
      [2, 26, 'calendar "perhaps" is not yes or no'],
    ]);
  });
});

describe('a whole series, planned', () => {
  const specs = planSchedules({ series, trainings, participants: people, publishedAt: new Date('2027-02-01T00:00:00Z') });

  it('sends every training, reminder, check-in and wrap-up on a working day of each person, at their work start', () => {
    let checked = 0;
    for (const p of people) {
      const week = workDaysOf(p, series);
      const mine = specs.filter((s) => s.at && s.job.timeZone && inGroup(s.job, p));
      expect(mine.filter((s) => s.job.kind === 'training')).toHaveLength(trainings.length);
      for (const spec of mine) {
        const [date, time] = spec.at!.local.split('T');
        expect(spec.at!.timeZone).toBe(p.timeZone);
        expect(week, `${p.email} ${spec.name} on ${date} (${weekdayOf(date!)})`).toContain(weekdayOf(date!));
        expect(time).toBe(`${p.workStart}:00`);
        checked++;
      }
    }
    // 8 trainings × (training + reminder + follow-up) + wrap-up, for four people.
    expect(checked).toBe(4 * (8 * 3 + 1));
  });

  it('never sends a training outside its window, and only in Brunei on a Saturday', () => {
    for (const t of trainings) {
      for (const week of [MON_FRI, BRUNEI, SUN_THU]) {
        const day = trainingSendDay(t, week);
        expect(day >= t.opens && day <= t.closes).toBe(true);
        const reminder = reminderSendDay(t, series.policies.reminderDaysBeforeClose, week);
        if (reminder) expect(reminder > day && reminder <= t.closes).toBe(true);
      }
    }
    const saturday = specs.filter((s) => s.job.kind === 'training' && weekdayOf(s.at!.local.slice(0, 10)) === 'sat');
    expect(saturday.length).toBeGreaterThan(0);
    expect(new Set(saturday.map((s) => s.job.timeZone))).toEqual(new Set(['Asia/Brunei']));
  });

  it('puts each person in exactly one group per send, so nobody gets a training twice', () => {
    for (const p of people) {
      for (const t of trainings) {
        expect(specs.filter((s) => s.job.kind === 'training' && s.job.trainingSlug === t.slug && inGroup(s.job, p)), `${p.email} ${t.slug}`).toHaveLength(1);
      }
    }
  });

  it('moves the weekly roll-up to a working day of each week: Friday becomes Saturday in Brunei and Sunday in Riyadh', () => {
    const rollups = specs.filter((s) => s.job.kind === 'rollup');
    const day = (p: Participant) => rollups.find((s) => inGroup(s.job, p))!.cron!.expression;
    expect(day(dubai)).toBe('cron(0 10 ? * FRI *)');
    expect(day(dubaiDefault)).toBe('cron(0 10 ? * FRI *)');
    expect(day(brunei)).toBe('cron(0 10 ? * SAT *)');
    expect(day(riyadh)).toBe('cron(0 10 ? * SUN *)');
  });

  it('keeps the schedule names of a series without weeks of its own', () => {
    const plain = planSchedules({ series, trainings, participants: [dubaiDefault], publishedAt: new Date('2027-02-01T00:00:00Z') });
    const withWeeks = specs.filter((s) => s.job.timeZone === 'Asia/Dubai' && !s.job.workDays).map((s) => s.name);
    expect(plain.filter((s) => s.job.timeZone === 'Asia/Dubai').map((s) => s.name).sort()).toEqual(withWeeks.sort());
  });
});

describe('series.yaml', () => {
  const dir = join(import.meta.dirname, '../../../examples/q1-productivity');
  const files = (yamlEdit: (text: string) => string): SourceFile[] => [
    { path: 'series.yaml', text: yamlEdit(readFileSync(join(dir, 'series.yaml'), 'utf8')) },
    ...readdirSync(join(dir, 'trainings'))
      .sort()
      .map((name) => ({ path: `trainings/${name}`, text: readFileSync(join(dir, 'trainings', name), 'utf8') })),
  ];

  it('takes a default working week as people write it, and refuses one that is not', () => {
    const ok = parseSeries(files((t) => t.replace('defaultWorkStart:', 'defaultWorkDays: Sun-Thu\ndefaultWorkStart:')));
    expect(ok.ok && ok.series.defaultWorkDays).toEqual(SUN_THU);
    const bad = parseSeries(files((t) => t.replace('defaultWorkStart:', 'defaultWorkDays: weekdays\ndefaultWorkStart:')));
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.map((e) => e.message).join('\n')).toMatch(/"weekdays" is not a working week/);
  });
});
