// What `baton status` and `baton enroll` say about a published series, in people and trainings:
// who is enrolled (and who is away until when), what went to how many people, what goes out next.
import { describe, expect, it } from 'vitest';
import { describeStanding, planPublish } from '#core/publish-plan';
import type { Training } from '#core/model';

const training = (order: number, opens: string, closes: string): Training => ({ order, slug: `t${order}`, title: `T${order}`, opens, closes }) as Training;
const trainings = [training(1, '2027-01-21', '2027-01-31'), training(2, '2027-01-31', '2027-02-14')];
const person = (i: number, extra: Record<string, string> = {}) => ({ email: `p${i}@example.com`, timeZone: 'Europe/London', workStart: '09:00', ...extra });
const series = { defaultWorkDays: undefined };

describe('a series in people and trainings', () => {
  it('counts the people by what they can receive, with the day the away ones are back', () => {
    const participants = [
      ...Array.from({ length: 9 }, (_, i) => person(i)),
      person(9, { outOfOfficeUntil: '2027-01-25T00:00:00.000Z' }),
      person(10, { outOfOfficeUntil: '2027-01-25T09:00:00.000Z' }),
      person(11, { outOfOfficeUntil: '2027-01-29T00:00:00.000Z' }),
      person(12, { bouncedAt: '2027-01-10T00:00:00.000Z' }),
      person(13, { unsubscribedAt: '2027-01-11T00:00:00.000Z' }),
      // Away until a day already past: back.
      person(14, { outOfOfficeUntil: '2027-01-02T00:00:00.000Z' }),
    ];
    const standing = describeStanding({ series, trainings, participants, sentEmailIds: [], now: new Date('2027-01-20T12:00:00Z') });
    expect(standing.people).toBe('15 people enrolled: 13 active (3 out of office for now, back between Mon 25 Jan and Fri 29 Jan), 1 bounced, 1 unsubscribed');
    const one = describeStanding({ series, trainings, participants: participants.slice(8, 11), sentEmailIds: [], now: new Date('2027-01-20T12:00:00Z') });
    expect(one.people).toBe('3 people enrolled: 3 active (2 out of office until Mon 25 Jan)');
  });

  it('says what went to how many people and what goes out when, on the working day a window opens', () => {
    const participants = [person(1), person(2, { workStart: '08:00' }), person(3, { timeZone: 'Asia/Kolkata', workStart: '10:00' })];
    const sentEmailIds = [
      'kickoff#-#p1@example.com',
      'kickoff#-#p2@example.com',
      'training#t1#p1@example.com',
      // A check-in is not a training: it never counts as one.
      'follow-up#t1#p2@example.com#s1',
    ];
    const standing = describeStanding({ series, trainings, participants, sentEmailIds, now: new Date('2027-01-21T10:00:00Z') });
    expect(standing.lines).toEqual([
      'kickoff sent to 2 people, and on its way to 1 person more',
      'training 1 "T1" sent to 1 person so far; the other 2 people get it at their start of work, open until Sun 31 Jan',
      // Sun 31 Jan opens it; Monday is the first working day.
      'training 2 "T2" goes out on Mon 1 Feb at each person\'s start of work (08:00–10:00) to 3 people, open until Sun 14 Feb',
    ]);
  });

  it('tells a closed window from an open one, and someone whose own week starts on Sunday', () => {
    const participants = [person(1), person(2, { timeZone: 'Asia/Jerusalem', workDays: ['sun', 'mon', 'tue', 'wed', 'thu'] as never })];
    const sentEmailIds = ['kickoff#-#p1@example.com', 'kickoff#-#p2@example.com', 'training#t1#p1@example.com', 'training#t1#p2@example.com'];
    const standing = describeStanding({ series, trainings, participants, sentEmailIds, now: new Date('2027-01-30T12:00:00Z') });
    expect(standing.lines).toEqual([
      'kickoff sent to 2 people',
      'training 1 "T1" sent to 2 people, open until Sun 31 Jan',
      'training 2 "T2" goes out from Sun 31 Jan at each person\'s 09:00 to 2 people, open until Sun 14 Feb',
    ]);
    const later = describeStanding({ series, trainings, participants, sentEmailIds, now: new Date('2027-02-02T12:00:00Z') });
    expect(later.lines[1]).toBe('training 1 "T1" went to 2 people; closed Sun 31 Jan');
  });

  it('with nobody enrolled says how to enrol', () => {
    const standing = describeStanding({ series, trainings, participants: [], sentEmailIds: [], now: new Date('2027-01-20T12:00:00Z') });
    expect(standing.people).toBe('0 people enrolled');
    expect(standing.lines[0]).toMatch(/nobody yet \(baton enroll <series-id> <participants\.csv>\)/);
  });
});

describe('the publish plan names the day a training really goes out', () => {
  it('a window opening on a Sunday goes out on Monday', () => {
    const plan = planPublish({ series: { defaultTimeZone: 'Europe/London' }, trainings: [trainings[1]!], participants: [person(1)], newcomers: [person(1)], now: new Date('2027-01-10T12:00:00Z') });
    expect(plan.lines[1]).toBe('training 2 "T2" on Mon 1 Feb at each person\'s 09:00, open until Sun 14 Feb 2027');
  });
});
