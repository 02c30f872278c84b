import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sampleSeries, sampleTrainings } from '#emails/sample';
import type { Response } from '#core/model';
import { computeFunnel, contributionsBetween, isKudos, isoWeek, parseTrainingDelivery, type ParticipantLike } from '#core/report';

const [t1, t2] = sampleTrainings as [(typeof sampleTrainings)[0], (typeof sampleTrainings)[0]];
const people: ParticipantLike[] = ['ana', 'ben', 'cho', 'dev', 'eli', 'fay'].map((n) => ({
  email: `${n}@example.com`,
  name: n[0]!.toUpperCase() + n.slice(1),
  timeZone: 'Europe/Berlin',
  workStart: '09:00',
}));
people[4]!.bouncedAt = '2027-01-25T00:00:00.000Z';
people[5]!.unsubscribedAt = '2027-01-26T00:00:00.000Z';

let n = 0;
function resp(who: string, intent: Response['intent'], extra: Partial<Response> = {}): Response {
  n++;
  return {
    id: `r${n}`,
    seriesId: sampleSeries.id,
    trainingSlug: t1.slug,
    participantEmail: `${who}@example.com`,
    intent,
    text: '',
    links: [],
    attachments: [],
    source: `<m${n}@mail.example>`,
    receivedAt: `2027-01-2${Math.min(9, 1 + n)}T10:00:00.000Z`,
    ...extra,
  };
}

const sent = (slug: string, who: string) => ({ emailId: `training#${slug}#${who}@example.com`, status: 'sent' as const });
const deliveries = [
  ...['ana', 'ben', 'cho', 'dev', 'eli', 'fay'].map((w) => sent(t1.slug, w)),
  { emailId: `training#${t1.slug}#zed@example.com`, status: 'claimed' as const },
  { emailId: `kickoff#-#ana@example.com`, status: 'sent' as const },
  ...['ana', 'ben'].map((w) => sent(t2.slug, w)),
];
const strategy = resp('ana', 'strategy', { text: 'I block Friday mornings.' });
const responses: Response[] = [
  resp('ana', 'read'),
  strategy,
  resp('ben', 'adopt', { strategyId: 'stuck-first', text: 'Because I forget to ask.' }),
  resp('ben', 'adopt', { strategyId: 'stuck-first', text: 'again, by click' }),
  resp('cho', 'adopt', { strategyId: 'stuck-first', text: '' }),
  resp('cho', 'comment', { text: '', source: 'link:ABC', targetResponseId: strategy.id }),
  resp('dev', 'comment', { text: 'Nice one', targetResponseId: strategy.id }),
  resp('ben', 'follow-up', { strategyId: 'stuck-first', rating: 4 }),
  resp('cho', 'follow-up', { strategyId: 'stuck-first', rating: 2 }),
  resp('fay', 'unsubscribe'),
  resp('ana', 'strategy', { trainingSlug: t2.slug, text: 'Inbox zero on Mondays' }),
];

describe('computeFunnel', () => {
  const f = computeFunnel({ series: sampleSeries, trainings: sampleTrainings, participants: people, responses, deliveries });
  const stage = (stages: typeof f.stages, name: string) => stages.find((s) => s.stage === name)!;

  it('counts each stage per training as distinct people, rates of those sent', () => {
    const one = f.trainings[0]!;
    expect(one.slug).toBe(t1.slug);
    // Only "sent" ledger items count: zed's claim never went out.
    expect(stage(one.stages, 'sent').count).toBe(6);
    // ana read+shared, ben adopted, cho adopted+kudos, dev commented; fay's unsubscribe is not a read.
    expect(stage(one.stages, 'read').count).toBe(4);
    expect(stage(one.stages, 'contributed').count).toBe(4);
    expect(stage(one.stages, 'adopted').count).toBe(2);
    expect(stage(one.stages, 'followedUp')).toMatchObject({ count: 2, rate: 1, base: 'adopted' });
    expect(stage(one.stages, 'read').rate).toBeCloseTo(4 / 6);
    expect(one).toMatchObject({ strategiesShared: 1, comments: 1, kudos: 1 });
  });

  it('credits adoptions once per person, with the reasons given', () => {
    const s = f.trainings[0]!.strategies[0]!;
    expect(s.id).toBe('stuck-first');
    expect(s.adopters).toBe(2);
    expect(s.reasons.map((r) => [r.name, r.text])).toEqual([['Ben', 'Because I forget to ask.']]);
    expect(s.ratings).toMatchObject({ counts: [0, 1, 0, 1, 0], total: 2, average: 3 });
    expect(f.topStrategies.map((x) => x.id)).toEqual(['stuck-first']);
  });

  it('lists who has not engaged, without bounced or unsubscribed people', () => {
    // eli bounced, fay unsubscribed: neither is someone to reach out to.
    expect(f.trainings[0]!.notEngaged).toEqual([]);
    expect(f.trainings[1]!.notEngaged.map((p) => p.email)).toEqual(['ben@example.com']);
    expect(f.notEngaged).toEqual([]);
    expect(f.bounces.map((b) => b.email)).toEqual(['eli@example.com']);
    expect(f.unsubscribes.map((b) => b.email)).toEqual(['fay@example.com']);
    expect(f.participants).toEqual({ total: 6, active: 4, unsubscribed: 1, bounced: 1 });
  });

  it('measures the goal "at least N of M" over active participants', () => {
    // ana contributed to two trainings; ben, cho, dev to one.
    expect(f.goal).toEqual({ atLeast: 2, of: 4, reached: 1, participants: 4, rate: 0.25, byTrainings: [0, 3, 1, 0, 0] });
  });

  it('series stages count distinct people across trainings', () => {
    expect(stage(f.stages, 'sent').count).toBe(6);
    expect(stage(f.stages, 'contributed').count).toBe(4);
  });

  it('keeps the funnel monotonic for any responses (a stage never exceeds the one before)', () => {
    const intents = ['read', 'strategy', 'adopt', 'comment', 'feedback', 'follow-up', 'unsubscribe'] as const;
    fc.assert(
      fc.property(fc.array(fc.record({ who: fc.integer({ min: 0, max: 5 }), intent: fc.constantFrom(...intents) }), { maxLength: 40 }), (list) => {
        const rs = list.map(({ who, intent }, i) => ({
          ...resp(people[who]!.email.split('@')[0]!, intent, intent === 'adopt' ? { strategyId: 'stuck-first' } : {}),
          id: `p${i}`,
        }));
        const g = computeFunnel({ series: sampleSeries, trainings: sampleTrainings, participants: people, responses: rs, deliveries });
        const c = g.trainings[0]!.stages.map((s) => s.count);
        return c[1]! >= c[2]! && c[2]! >= c[3]!;
      }),
    );
  });
});

describe('contributionsBetween', () => {
  it('returns strategies, reasoned adoptions and comments in the window, credited, without kudos or your own', () => {
    const list = contributionsBetween({ trainings: sampleTrainings, participants: people, responses }, new Date('2027-01-20T00:00:00Z'), new Date('2027-02-01T00:00:00Z'), {
      exclude: 'ana@example.com',
    });
    expect(list.map((c) => [c.author.name, c.response.intent])).toEqual([
      ['Ben', 'adopt'],
      ['Ben', 'adopt'],
      ['Dev', 'comment'],
    ]);
    expect(list[2]!.target?.author.name).toBe('Ana');
    expect(list[0]!.strategy?.number).toBe(2);
  });
});

describe('helpers', () => {
  it('recognises kudos and parses ledger ids', () => {
    expect(isKudos(responses[5]!)).toBe(true);
    expect(isKudos(responses[6]!)).toBe(false);
    expect(parseTrainingDelivery('training#a-b#x#y@example.com')).toEqual({ slug: 'a-b', email: 'x#y@example.com' });
    expect(parseTrainingDelivery('kickoff#-#x@example.com')).toBeUndefined();
  });

  it('computes ISO weeks across year boundaries', () => {
    expect(isoWeek('2027-01-04')).toBe('2027-w01');
    expect(isoWeek('2027-01-03')).toBe('2026-w53');
    expect(isoWeek('2026-12-28')).toBe('2026-w53');
    expect(isoWeek('2025-12-29')).toBe('2026-w01');
    expect(isoWeek('2027-01-18')).toBe('2027-w03');
  });
});
