// The overview's counters as arithmetic: the sum of what each person adds (tallyOf) shows the
// numbers computeFunnel and participation* compute from every record, on a generated series with
// every kind of answer (kudos, unsubscribe replies, follow-ups, people no longer enrolled, bites
// deliveries); a change to one person moves the sum by tallyDelta and nothing else.
import { describe, expect, it } from 'vitest';
import type { Intent, Response } from '#core/model';
import { computeFunnel, type DeliveryLike, type ParticipantLike } from '#core/report';
import { participationByTeam, participationByWeek, participationByZone } from '#core/participation';
import { addTallies, factsFromRecords, isQuiet, overviewFromTallies, raiseWithResponse, recomputeFromResponses, tallyDelta, tallyOf, type PersonFacts } from '#core/tallies';
import { isoWeek } from '#core/report';
import { makeSeries } from '../../../bench/reports.ts';

const { series, trainings } = makeSeries('unit');
const slugs = trainings.map((t) => t.slug);

/** A small deterministic generator (mulberry32), so a failure can be replayed. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(seed: number) {
  const rnd = random(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const participants: Array<ParticipantLike & { team?: string }> = Array.from({ length: 120 }, (_, i) => ({
    email: `p${i}@x.example.com`,
    name: `Person ${i}`,
    timeZone: pick(['Europe/Berlin', 'Asia/Tokyo', 'America/Chicago']),
    workStart: '09:00',
    ...(rnd() < 0.5 ? { team: pick(['Ops', 'Sales', 'R&D']) } : {}),
    ...(rnd() < 0.08 ? { unsubscribedAt: '2027-02-01T00:00:00.000Z' } : {}),
    ...(rnd() < 0.05 ? { bouncedAt: '2027-02-02T00:00:00.000Z' } : {}),
  }));
  // Some addresses the series heard from or sent to are no longer enrolled.
  const addresses = [...participants.map((p) => p.email), 'gone1@x.example.com', 'gone2@x.example.com'];
  const deliveries: DeliveryLike[] = [];
  for (const email of addresses)
    for (const slug of slugs) {
      const r = rnd();
      if (r < 0.6) deliveries.push({ emailId: `training#${slug}#${email}`, status: 'sent' });
      else if (r < 0.65) deliveries.push({ emailId: `training#${slug}#${email}`, status: 'claimed' });
      else if (r < 0.7) deliveries.push({ emailId: `training#${slug}#${email}#bites`, status: 'sent' });
    }
  const intents: Intent[] = ['read', 'strategy', 'adopt', 'comment', 'feedback', 'follow-up', 'unsubscribe'];
  const responses: Response[] = Array.from({ length: 400 }, (_, i) => {
    const intent = pick(intents);
    const kudos = intent === 'comment' && rnd() < 0.4;
    return {
      seriesId: 'unit',
      trainingSlug: pick(slugs),
      participantEmail: pick(addresses),
      id: `r${i}`,
      intent,
      text: kudos ? '' : 'Some words.',
      links: [],
      attachments: [],
      source: kudos ? `link:k${i}` : `<m${i}@x>`,
      receivedAt: new Date(Date.UTC(2027, 0, 1) + Math.floor(rnd() * 90) * 86_400_000).toISOString(),
      ...(intent === 'adopt' || intent === 'follow-up' ? { strategyId: pick(['strategy-1', 'strategy-2']) } : {}),
    };
  });
  return { participants, deliveries, responses };
}

function expected(input: ReturnType<typeof generate>) {
  const funnel = computeFunnel({ series, trainings, ...input });
  return {
    participants: funnel.participants,
    stages: funnel.stages,
    trainings: funnel.trainings.map(({ slug, order, title, opens, closes, stages }) => ({ slug, order, title, opens, closes, stages })),
    goal: funnel.goal,
    weeks: participationByWeek(input.responses),
    zones: participationByZone(input.participants, input.responses),
    teams: participationByTeam(input.participants, input.responses),
    quiet: funnel.notEngaged.length,
  };
}

const summed = (facts: Map<string, PersonFacts>) => {
  const totals: Record<string, number> = {};
  for (const f of facts.values()) addTallies(totals, tallyOf(f));
  return totals;
};

describe('the overview counters', () => {
  it.each([1, 2, 3, 42])('add up to computeFunnel and participation over every record (seed %i)', (seed) => {
    const input = generate(seed);
    const facts = factsFromRecords(input);
    expect(overviewFromTallies(summed(facts), series, trainings)).toEqual(expected(input));
    expect([...facts].filter(([, f]) => isQuiet(f)).map(([email]) => email).sort()).toEqual(computeFunnel({ series, trainings, ...input }).notEngaged.map((p) => p.email).sort());
  });

  it('move by tallyDelta when one person answers and withdraws, as a rebuild would count them', () => {
    const input = generate(7);
    const facts = factsFromRecords(input);
    const totals = summed(facts);
    const who = input.participants.find((p) => !p.unsubscribedAt && !p.bouncedAt)!.email;
    const answer: Response = { seriesId: 'unit', trainingSlug: slugs[2]!, participantEmail: who, id: 'new', intent: 'adopt', strategyId: 'strategy-1', text: '', links: [], attachments: [], source: '<new@x>', receivedAt: '2027-02-10T10:00:00.000Z' };
    const before = facts.get(who)!;
    const raised = raiseWithResponse(before, answer);
    addTallies(totals, tallyDelta(before, raised));
    expect(overviewFromTallies(totals, series, trainings)).toEqual(expected({ ...input, responses: [...input.responses, answer] }));
    // Withdrawn again: recomputed from their remaining responses, the numbers are those without it.
    const theirs = input.responses.filter((r) => r.participantEmail === who);
    const lowered = recomputeFromResponses(raised, theirs, answer.trainingSlug, isoWeek(answer.receivedAt.slice(0, 10)));
    addTallies(totals, tallyDelta(raised, lowered));
    expect(overviewFromTallies(totals, series, trainings)).toEqual(expected(input));
  });

  it('show no teams while nobody has one, and clamp the goal to the trainings there are', () => {
    const view = overviewFromTallies({ people: 3, active: 3, 'team#No team': 3, 'goal#0': 1, 'goal#6': 2 }, series, trainings);
    expect(view.teams).toBeUndefined();
    expect(view.goal).toEqual({ atLeast: 2, of: 4, reached: 2, participants: 3, rate: 2 / 3, byTrainings: [1, 0, 0, 0, 2] });
  });
});
