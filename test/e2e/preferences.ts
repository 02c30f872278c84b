// Every preference honoured in a simulated series: the example played twice on the virtual clock
// against the real local servers (what `baton simulate --preferences` prints), once as is and once
// with five people choosing on the preferences page behind the kickoff's footer link (a real POST
// over HTTP). What each of them then got is compared with what they got before.
//
// Imported by simulate.test.ts, whose run of the example is the "before" here: one simulation
// fewer in the suite (test/support/example-simulation.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { simulateSeries, type SimulationResult } from '#cli/simulate';
import { formatPerWeek } from '#cli/commands/simulate';
import { loadSeries } from '#cli/series-dir';
import { biteCount } from '#core/bites';
import { zonedTimeToUtc } from '#core/time';
import type { Training } from '#core/model';
import { example, simulatedExample } from '#test/support/example-simulation';

let before: SimulationResult;
let after: SimulationResult;
let trainings: Training[];

beforeAll(async () => {
  ({ trainings } = await loadSeries(example));
  // Both at once: each has its own local stack, table and virtual clock, and a simulation spends a
  // quarter of its time waiting on its servers, which the other fills.
  [before, after] = await Promise.all([simulatedExample(), simulateSeries({ dir: example, seed: 7, preferences: true })]);
}, 600_000);

const chooser = (choice: string) => {
  const email = Object.entries(after.choices).find(([, c]) => c === choice)?.[0];
  if (!email) throw new Error(`nobody chose ${choice}`);
  return email;
};
const mails = (run: SimulationResult, email: string, kind?: string) => run.sent.filter((m) => m.to === email && (!kind || m.kind === kind));
const total = (run: SimulationResult, email: string) => (run.perWeek.perPerson[email] ?? []).reduce((a, b) => a + b, 0);
const choseAt = (email: string) => {
  const name = after.participants.find((p) => p.email === email)!.name;
  const entry = after.timeline.find((e) => e.what.includes(`${name} chose`));
  expect(entry?.what).toMatch(/on the preferences page \(200\)$/);
  return entry!.at;
};

describe('a simulated series with preferences', () => {
  it('runs without failures, and five people chose on the preferences page', () => {
    expect(after.failedJobs).toEqual([]);
    expect(Object.values(after.choices)).toEqual(['no reminders', 'roll-ups never', 'no calendar entries', 'daily bites', 'pause for two weeks']);
  });

  it('no reminders: none after choosing', () => {
    const email = chooser('no reminders');
    const at = choseAt(email);
    expect(mails(after, email, 'reminder').filter((m) => m.at > at)).toEqual([]);
  });

  it('roll-ups never: none after choosing, where there were some before', () => {
    const email = chooser('roll-ups never');
    expect(mails(before, email, 'rollup').length).toBeGreaterThan(0);
    expect(mails(after, email, 'rollup').filter((m) => m.at > choseAt(email))).toEqual([]);
    expect(total(after, email)).toBeLessThan(total(before, email));
  });

  it('no calendar entries: the trainings come without them, and one mail takes the placed ones away', () => {
    const email = chooser('no calendar entries');
    const at = choseAt(email);
    expect(mails(before, email, 'training').every((m) => m.calendar)).toBe(true);
    // The cancellation is scheduled at the instant of the choice and fires at once.
    const later = mails(after, email).filter((m) => m.at >= at);
    expect(later.filter((m) => m.kind === 'training')).toHaveLength(trainings.length);
    expect(later.filter((m) => m.calendar).map((m) => m.kind)).toEqual(['cancel']);
  });

  it('daily bites: an overview and one part a working day for every training that can be cut', () => {
    const email = chooser('daily bites');
    const expected = trainings.reduce((n, t) => n + 1 + biteCount(t), 0);
    expect(trainings.some((t) => biteCount(t) > 0)).toBe(true);
    expect(mails(before, email, 'training')).toHaveLength(trainings.length);
    expect(mails(after, email, 'training')).toHaveLength(expected);
    // One a day at most: a bite never doubles up with another training mail.
    const days = mails(after, email, 'training').map((m) => m.date.slice(0, 10));
    expect(new Set(days).size).toBe(days.length);
  });

  it('pause: nothing from the choice until the chosen day (midnight in their zone), everything again after it', () => {
    const email = chooser('pause for two weeks');
    const p = after.participants.find((x) => x.email === email)!;
    const at = Date.parse(choseAt(email));
    const day = after.timeline.find((e) => e.what.includes(`${p.name} chose pause`))!.what.match(/pauseUntil=(\d{4}-\d{2}-\d{2})/)![1]!;
    const end = zonedTimeToUtc(day, '00:00', p.timeZone).getTime();
    const during = (run: SimulationResult) => mails(run, email).filter((m) => Date.parse(m.date) > at && Date.parse(m.date) < end);
    expect(during(before).length).toBeGreaterThan(0);
    expect(during(after)).toEqual([]);
    expect(mails(after, email).filter((m) => Date.parse(m.date) >= end).length).toBeGreaterThan(0);
    expect(total(after, email)).toBeLessThan(total(before, email));
  });

  it('reports mails per person per week before and after', () => {
    expect(before.perWeek.weeks.length).toBeGreaterThan(6);
    expect(after.perWeek.max).toBeGreaterThan(0);
    const report = formatPerWeek(before, after);
    expect(report).toMatch(/^Mails per person per week\nbefore preferences +[\d.]+ a week on average, \d+ in the busiest week\nafter preferences +[\d.]+ a week on average/);
    for (const [email, choice] of Object.entries(after.choices)) expect(report).toContain(`${email} (${choice}): ${total(before, email)} → ${total(after, email)} mails`);
  });
});
