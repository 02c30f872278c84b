// The example series played end to end on a virtual clock against the real local servers
// (the same run `baton simulate` prints): who got what, when, in their own local time.
import { beforeAll, describe, expect, it } from 'vitest';
import type { SimulationResult } from '#cli/simulate';
import { loadSeries } from '#cli/series-dir';
import { isoWeek } from '#core/report';
import { utcToZoned, weekdayOf } from '#core/time';
import { workDaysOf } from '#core/audience';
import { trainingSendDay } from '#core/schedule-plan';
import type { Series, Training } from '#core/model';
import { example, simulatedExample } from '#test/support/example-simulation';
// The preferences run, compared with this one: same file, so the example is simulated once.
import './preferences.ts';

let run: SimulationResult;
let trainings: Training[];
let series: Series;

beforeAll(async () => {
  ({ trainings, series } = await loadSeries(example));
  run = await simulatedExample();
}, 300_000);

const who = (persona: string) => Object.entries(run.personas).filter(([, p]) => p === persona).map(([email]) => email);
const mailsTo = (email: string, kind?: string) => run.sent.filter((m) => m.to === email && (!kind || m.kind === kind));
const eventAt = (pattern: RegExp) => run.timeline.find((e) => pattern.test(e.what))?.at;

describe('a simulated series', () => {
  it('runs every job without failures', () => {
    expect(run.failedJobs).toEqual([]);
    expect(run.sent.length).toBeGreaterThan(100);
  });

  it("gives every participant who stays one kickoff and each training once, at their workStart on the window's first working day", () => {
    const staying = run.participants.filter((p) => !['unsubscriber', 'bouncer'].includes(run.personas[p.email]!));
    for (const p of staying) {
      expect(mailsTo(p.email, 'kickoff')).toHaveLength(1);
      const got = mailsTo(p.email, 'training');
      expect(got.map((m) => m.trainingSlug).sort()).toEqual(trainings.map((t) => t.slug).sort());
      for (const mail of got) {
        const training = trainings.find((t) => t.slug === mail.trainingSlug)!;
        const local = utcToZoned(new Date(mail.date), p.timeZone);
        const day = trainingSendDay(training, workDaysOf(p, series));
        expect({ who: p.email, date: local.date, time: local.time }).toEqual({ who: p.email, date: day, time: p.workStart });
      }
    }
  });

  it('never sends Dubai (Mon–Fri) or Brunei (Mon–Thu, Sat) a training, reminder, check-in or wrap-up on their weekend', () => {
    const weekend = { 'Asia/Dubai': ['sat', 'sun'], 'Asia/Brunei': ['fri', 'sun'] } as const;
    let checked = 0;
    for (const [zone, off] of Object.entries(weekend)) {
      const people = run.participants.filter((p) => p.timeZone === zone);
      expect(people.length, zone).toBeGreaterThan(0);
      for (const p of people) {
        for (const mail of run.sent.filter((m) => m.to === p.email && ['training', 'reminder', 'follow-up', 'wrap-up', 'rollup'].includes(m.kind))) {
          const day = weekdayOf(utcToZoned(new Date(mail.date), zone).date);
          expect(off, `${mail.kind} ${mail.trainingSlug ?? ''} to ${p.email} on ${day}`).not.toContain(day);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(8);
  });

  it('never sends anyone the same email twice', () => {
    const once = run.sent.filter((m) => !['rollup', 'digest', 'follow-up'].includes(m.kind));
    const keys = once.map((m) => `${m.kind}|${m.trainingSlug ?? ''}|${m.to}`);
    expect(new Set(keys).size).toBe(keys.length);
    const weekly = run.sent.filter((m) => m.kind === 'rollup' || m.kind === 'digest').map((m) => `${m.kind}|${m.to}|${isoWeek(m.date.slice(0, 10))}`);
    expect(new Set(weekly).size).toBe(weekly.length);
  });

  it('reminds only people who had not contributed, and never someone out of office', () => {
    const contributors = new Set([...who('adopter'), ...who('sharer'), ...who('commenter')]);
    const reminded = run.sent.filter((m) => m.kind === 'reminder');
    expect(reminded.length).toBeGreaterThan(0);
    for (const m of reminded) expect(contributors.has(m.to)).toBe(false);
    const [away] = who('out-of-office');
    const back = Date.parse(run.timeline.find((e) => e.what.includes('out of office until'))!.what.match(/until (\d{4}-\d{2}-\d{2})/)![1]!);
    for (const m of mailsTo(away!, 'reminder')) expect(Date.parse(m.date)).toBeGreaterThanOrEqual(back);
    expect(mailsTo(away!, 'reminder').some((m) => m.trainingSlug === trainings[0]!.slug)).toBe(false);
  });

  it('checks in with adopters only, weeks after the window', () => {
    const checkIns = run.sent.filter((m) => m.kind === 'follow-up');
    expect(checkIns.length).toBeGreaterThan(0);
    const adopters = new Set(who('adopter'));
    for (const m of checkIns) {
      expect(adopters.has(m.to)).toBe(true);
      const training = trainings.find((t) => t.slug === m.trainingSlug)!;
      expect(Date.parse(m.date)).toBeGreaterThan(Date.parse(`${training.closes}T00:00:00Z`) + 14 * 86_400_000);
    }
  });

  it('sends nothing to an address after it unsubscribed or bounced', () => {
    const [quitter] = who('unsubscriber');
    const quitAt = eventAt(/unsubscribed with one click \(200\)/)!;
    expect(quitAt).toBeDefined();
    expect(mailsTo(quitter!).filter((m) => m.at > quitAt)).toEqual([]);
    const [bounced] = who('bouncer');
    const bounceAt = eventAt(/bounced/)!;
    expect(mailsTo(bounced!).filter((m) => m.at > bounceAt)).toEqual([]);
  });

  it('wraps up with everyone still on the list, and the funnel counts what people did', () => {
    const wrapped = new Set(run.sent.filter((m) => m.kind === 'wrap-up').map((m) => m.to));
    const staying = run.participants.filter((p) => !['unsubscriber', 'bouncer'].includes(run.personas[p.email]!)).map((p) => p.email);
    expect([...wrapped].sort()).toEqual(staying.sort());
    const series = run.funnel.stages;
    const count = (stage: string) => series.find((s) => s.stage === stage)!.count;
    expect(count('adopted')).toBe(who('adopter').length);
    expect(count('contributed')).toBe(who('adopter').length + who('sharer').length + who('commenter').length);
    expect(count('read')).toBe(count('contributed') + who('reader').length);
  });
});

describe("the simulation's funnel, recomputed from its own log and outbox", () => {
  it('agrees on sends, adopters, adoptions and check-ins for every training', () => {
    const recorded = run.timeline.flatMap((e) => e.recorded ?? []);
    for (const t of run.funnel.trainings) {
      const mine = recorded.filter((r) => r.trainingSlug === t.slug);
      const people = (intents: string[]) => new Set(mine.filter((r) => intents.includes(r.intent)).map((r) => r.email)).size;
      const adoptions = new Set(mine.filter((r) => r.intent === 'adopt').map((r) => `${r.email} #${r.strategyNumber}`));
      const count = (stage: string) => t.stages.find((s) => s.stage === stage)!.count;
      const fromLog = {
        sent: new Set(run.sent.filter((m) => m.kind === 'training' && m.trainingSlug === t.slug).map((m) => m.to)).size,
        read: people(['read', 'strategy', 'adopt', 'comment', 'feedback', 'follow-up']),
        contributed: people(['strategy', 'adopt', 'comment']),
        adopted: people(['adopt']),
        followedUp: people(['follow-up']),
        adoptions: adoptions.size,
        checkInsSent: run.sent.filter((m) => m.kind === 'follow-up' && m.trainingSlug === t.slug).length,
        checkInsAnswered: mine.filter((r) => r.intent === 'follow-up').length,
        perStrategy: Object.fromEntries(t.strategies.map((s) => [s.number, [...adoptions].filter((a) => a.endsWith(` #${s.number}`)).length])),
      };
      expect(fromLog, t.slug).toEqual({
        sent: count('sent'),
        read: count('read'),
        contributed: count('contributed'),
        adopted: count('adopted'),
        followedUp: count('followedUp'),
        adoptions: t.adoptions,
        checkInsSent: t.checkIns.sent,
        checkInsAnswered: t.checkIns.answered,
        perStrategy: Object.fromEntries(t.strategies.map((s) => [s.number, s.adopters])),
      });
    }
    // The run has someone adopting two strategies at once, so adopters and adoptions differ: the
    // comparison above is between two different numbers, not one number twice.
    expect(run.funnel.trainings.some((t) => t.adoptions > t.stages.find((s) => s.stage === 'adopted')!.count)).toBe(true);
    expect(run.funnel.trainings.every((t) => t.checkIns.sent > 0)).toBe(true);
  });
});
