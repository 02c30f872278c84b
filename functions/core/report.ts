// The participation funnel of a series, from what the table already holds: the delivery ledger
// (who was sent each training), the responses (who read, contributed, adopted, followed up) and
// the participants' status (bounced, unsubscribed). Pure: the trainer digest, `baton status` and
// the wiki export all read the same numbers from here.
//
// Stage definitions (per training; the series row counts distinct people across trainings):
//   sent        a `training#<slug>#<email>` delivery with status "sent"
//   read        marked read, or answered in any way (a contributor has read it)
//   contributed shared a strategy, adopted one, or commented on a teammate's contribution
//   adopted     said which strategy they will adopt
//   followedUp  answered a follow-up check-in (its rate is of the adopters, not of those sent)
// Kudos (a one-click "comment" without text) count as engagement, not as contributions.
import { isActive } from './audience.ts';
import type { Intent, Participant, Response, Series, Training } from './model.ts';

export interface DeliveryLike {
  emailId: string;
  status: 'claimed' | 'sent';
  sentAt?: string | undefined;
}

export type ParticipantLike = Participant & { unsubscribedAt?: string | undefined; bouncedAt?: string | undefined };

export const STAGES = ['sent', 'read', 'contributed', 'adopted', 'followedUp'] as const;
export type Stage = (typeof STAGES)[number];

export interface StageCount {
  stage: Stage;
  count: number;
  /** count / base; null when the base is 0. */
  rate: number | null;
  /** What the rate is of: those sent, or (for follow-ups) the adopters. */
  base: 'sent' | 'adopted';
}

export interface PersonRef {
  email: string;
  name: string;
}

export interface StrategyAdoption {
  id: string;
  number: number;
  title: string;
  trainingSlug: string;
  adopters: number;
  /** The reasons adopters gave (non-empty texts), oldest first. */
  reasons: Array<PersonRef & { text: string; at: string }>;
  ratings: RatingSummary;
}

export interface RatingSummary {
  /** counts[0] is the number of 1s … counts[4] the number of 5s. */
  counts: [number, number, number, number, number];
  total: number;
  average: number | null;
}

export interface TrainingFunnel {
  slug: string;
  order: number;
  title: string;
  opens: string;
  closes: string;
  stages: StageCount[];
  strategiesShared: number;
  comments: number;
  kudos: number;
  strategies: StrategyAdoption[];
  /** Strategies adopted, one per person and strategy: a person who adopts two counts twice here, once among the adopters. */
  adoptions: number;
  /**
   * The follow-up check-ins of this training: one email per adopted strategy (`follow-up#<slug>#…`
   * deliveries, when the input has them) and the answers to them.
   */
  checkIns: { sent: number; answered: number };
  ratings: RatingSummary;
  /** Sent this training, still active, and no answer of any kind to it yet. */
  notEngaged: PersonRef[];
}

export interface GoalProgress {
  atLeast: number;
  of: number;
  /** Active participants who contributed to at least `atLeast` trainings. */
  reached: number;
  participants: number;
  rate: number | null;
  /** byTrainings[k] = active participants who contributed to exactly k trainings. */
  byTrainings: number[];
}

export interface StatusEvent extends PersonRef {
  at: string;
}

export interface SeriesFunnel {
  seriesId: string;
  title: string;
  participants: { total: number; active: number; unsubscribed: number; bounced: number };
  /** Distinct people over all trainings. */
  stages: StageCount[];
  trainings: TrainingFunnel[];
  goal?: GoalProgress;
  /** Every strategy of the series that someone adopted, most adopted first. */
  topStrategies: StrategyAdoption[];
  ratings: RatingSummary;
  /** Active participants who were sent something and have not answered anything yet. */
  notEngaged: PersonRef[];
  bounces: StatusEvent[];
  unsubscribes: StatusEvent[];
}

export interface FunnelInput {
  series: Series;
  trainings: readonly Training[];
  participants: readonly ParticipantLike[];
  responses: readonly Response[];
  deliveries: readonly DeliveryLike[];
}

/** A one-click kudos is stored as a comment without text whose source is the link token's id. */
export function isKudos(r: Response): boolean {
  return r.intent === 'comment' && r.text.trim() === '' && r.source.startsWith('link:');
}

const CONTRIBUTION_INTENTS: ReadonlySet<Intent> = new Set(['strategy', 'adopt', 'comment']);

/** Something a teammate wrote for the team: a strategy, an adoption, a comment (not a kudos click). */
export function isContribution(r: Response): boolean {
  return CONTRIBUTION_INTENTS.has(r.intent) && !isKudos(r);
}

const FEED_INTENTS: ReadonlySet<Intent> = new Set(['strategy', 'adopt', 'comment', 'feedback', 'follow-up']);

/**
 * What the studio's contributions feed shows: strategies, adoptions, comments (not kudos clicks),
 * feedback, and check-in answers that say or rate something. Fixed when the response is stored.
 */
export function isFeedItem(r: Response): boolean {
  return FEED_INTENTS.has(r.intent) && !isKudos(r) && (r.intent !== 'follow-up' || r.text.trim() !== '' || r.rating !== undefined);
}

/** The participants grid's cell for one response: 0 nothing, 1 read, 2 contributed, 3 adopted. */
export function gridLevel(r: Response): 0 | 1 | 2 | 3 {
  if (!isEngagement(r)) return 0;
  return r.intent === 'adopt' ? 3 : isContribution(r) ? 2 : 1;
}

/** Anything that shows the person opened the training (unsubscribing does not). */
export function isEngagement(r: Response): boolean {
  return r.intent !== 'unsubscribe';
}

/** `training#<slug>#<email>` → slug and email; undefined for other kinds. */
export function parseTrainingDelivery(emailId: string): { slug: string; email: string } | undefined {
  if (!emailId.startsWith('training#')) return undefined;
  const rest = emailId.slice('training#'.length);
  const hash = rest.indexOf('#');
  if (hash <= 0) return undefined;
  return { slug: rest.slice(0, hash), email: rest.slice(hash + 1) };
}

function rate(count: number, base: number): number | null {
  return base === 0 ? null : count / base;
}

function stagesOf(sets: Record<Stage, ReadonlySet<string>>): StageCount[] {
  const sent = sets.sent.size;
  return STAGES.map((stage) => {
    const count = sets[stage].size;
    const base = stage === 'followedUp' ? 'adopted' : 'sent';
    return { stage, count, rate: stage === 'sent' ? rate(count, count) : rate(count, base === 'sent' ? sent : sets.adopted.size), base };
  });
}

export function summarizeRatings(ratings: Iterable<number>): RatingSummary {
  const counts: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  let total = 0;
  let sum = 0;
  for (const r of ratings) {
    if (!Number.isInteger(r) || r < 1 || r > 5) continue;
    counts[r - 1]!++;
    total++;
    sum += r;
  }
  return { counts, total, average: total ? sum / total : null };
}

const byReceived = (a: Response, b: Response) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.id < b.id ? -1 : 1);

export function computeFunnel(input: FunnelInput): SeriesFunnel {
  const { series } = input;
  const trainings = [...input.trainings].sort((a, b) => a.order - b.order);
  const people = new Map(input.participants.map((p) => [p.email, p]));
  const nameOf = (email: string) => people.get(email)?.name ?? email;
  
  const sentBySlug = new Map<string, Set<string>>();
  const checkInsSent = new Map<string, number>();
  for (const d of input.deliveries) {
    if (d.status !== 'sent') continue;
    if (d.emailId.startsWith('follow-up#')) {
      const slug = d.emailId.split('#')[1]!;
      checkInsSent.set(slug, (checkInsSent.get(slug) ?? 0) + 1);
      continue;
    }
    const parsed = parseTrainingDelivery(d.emailId);
    if (!parsed) continue;
    let set = sentBySlug.get(parsed.slug);
    if (!set) sentBySlug.set(parsed.slug, (set = new Set()));
    set.add(parsed.email);
  }

  const responsesBySlug = new Map<string, Response[]>();
  for (const r of [...input.responses].sort(byReceived)) {
    let list = responsesBySlug.get(r.trainingSlug);
    if (!list) responsesBySlug.set(r.trainingSlug, (list = []));
    list.push(r);
  }

  const all: Record<Stage, Set<string>> = { sent: new Set(), read: new Set(), contributed: new Set(), adopted: new Set(), followedUp: new Set() };
  const contributedTrainings = new Map<string, number>();
  const topStrategies: StrategyAdoption[] = [];
  const allRatings: number[] = [];

  const perTraining = trainings.map((t): TrainingFunnel => {
    const responses = responsesBySlug.get(t.slug) ?? [];
    const sets: Record<Stage, Set<string>> = {
      sent: new Set(sentBySlug.get(t.slug)),
      read: new Set(),
      contributed: new Set(),
      adopted: new Set(),
      followedUp: new Set(),
    };
    let strategiesShared = 0;
    let comments = 0;
    let kudos = 0;
    let answered = 0;
    const adoptersBy = new Map<string, Set<string>>();
    const reasonsBy = new Map<string, StrategyAdoption['reasons']>();
    const ratingsBy = new Map<string, number[]>();
    const ratings: number[] = [];
    for (const r of responses) {
      const who = r.participantEmail;
      if (isEngagement(r)) sets.read.add(who);
      if (isContribution(r)) sets.contributed.add(who);
      if (r.intent === 'strategy') strategiesShared++;
      if (r.intent === 'comment') isKudos(r) ? kudos++ : comments++;
      if (r.intent === 'adopt') {
        sets.adopted.add(who);
        if (r.strategyId) {
          let adopters = adoptersBy.get(r.strategyId);
          if (!adopters) adoptersBy.set(r.strategyId, (adopters = new Set()));
          // One person adopting the same strategy twice (a reply and a click) is one adopter.
          if (!adopters.has(who)) {
            adopters.add(who);
            if (r.text.trim()) {
              let reasons = reasonsBy.get(r.strategyId);
              if (!reasons) reasonsBy.set(r.strategyId, (reasons = []));
              reasons.push({ email: who, name: nameOf(who), text: r.text.trim(), at: r.receivedAt });
            }
          }
        }
      }
      if (r.intent === 'follow-up') {
        answered++;
        sets.followedUp.add(who);
        if (r.rating !== undefined) {
          ratings.push(r.rating);
          if (r.strategyId) {
            let list = ratingsBy.get(r.strategyId);
            if (!list) ratingsBy.set(r.strategyId, (list = []));
            list.push(r.rating);
          }
        }
      }
    }
    for (const stage of STAGES) for (const who of sets[stage]) all[stage].add(who);
    for (const who of sets.contributed) contributedTrainings.set(who, (contributedTrainings.get(who) ?? 0) + 1);
    allRatings.push(...ratings);

    const strategies = t.strategies
      .map(
        (s): StrategyAdoption => ({
          id: s.id,
          number: s.number,
          title: s.title,
          trainingSlug: t.slug,
          adopters: adoptersBy.get(s.id)?.size ?? 0,
          reasons: reasonsBy.get(s.id) ?? [],
          ratings: summarizeRatings(ratingsBy.get(s.id) ?? []),
        }),
      )
      .sort((a, b) => b.adopters - a.adopters || a.number - b.number);
    topStrategies.push(...strategies.filter((s) => s.adopters > 0));

    const notEngaged = [...sets.sent]
      .filter((email) => !sets.read.has(email))
      .map((email) => people.get(email))
      .filter((p): p is ParticipantLike => p !== undefined && isActive(p))
      .map((p) => ({ email: p.email, name: p.name }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email));

    return {
      slug: t.slug,
      order: t.order,
      title: t.title,
      opens: t.opens,
      closes: t.closes,
      stages: stagesOf(sets),
      strategiesShared,
      comments,
      kudos,
      strategies,
      adoptions: strategies.reduce((n, s) => n + s.adopters, 0),
      checkIns: { sent: checkInsSent.get(t.slug) ?? 0, answered },
      ratings: summarizeRatings(ratings),
      notEngaged,
    };
  });

  const active = input.participants.filter(isActive);
  const statusEvents = (field: 'bouncedAt' | 'unsubscribedAt'): StatusEvent[] =>
    input.participants
      .filter((p) => p[field])
      .map((p) => ({ email: p.email, name: p.name, at: p[field]! }))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.email.localeCompare(b.email)));

  let goal: GoalProgress | undefined;
  const encourage = series.policies.encourage;
  if (encourage) {
    const byTrainings = Array.from({ length: trainings.length + 1 }, () => 0);
    let reached = 0;
    for (const p of active) {
      const k = Math.min(contributedTrainings.get(p.email) ?? 0, trainings.length);
      byTrainings[k]!++;
      if (k >= encourage.atLeast) reached++;
    }
    goal = { atLeast: encourage.atLeast, of: encourage.of, reached, participants: active.length, rate: rate(reached, active.length), byTrainings };
  }

  return {
    seriesId: series.id,
    title: series.title,
    participants: {
      total: input.participants.length,
      active: active.length,
      unsubscribed: input.participants.filter((p) => p.unsubscribedAt).length,
      bounced: input.participants.filter((p) => p.bouncedAt).length,
    },
    stages: stagesOf(all),
    trainings: perTraining,
    ...(goal ? { goal } : {}),
    topStrategies: topStrategies.sort((a, b) => b.adopters - a.adopters || a.trainingSlug.localeCompare(b.trainingSlug) || a.number - b.number),
    ratings: summarizeRatings(allRatings),
    notEngaged: active
      .filter((p) => all.sent.has(p.email) && !all.read.has(p.email))
      .map((p) => ({ email: p.email, name: p.name }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.email.localeCompare(b.email)),
    bounces: statusEvents('bouncedAt'),
    unsubscribes: statusEvents('unsubscribedAt'),
  };
}

export interface Contribution {
  response: Response;
  author: PersonRef;
  training: { slug: string; order: number; title: string };
  /** For a comment on a contribution: what it answers. */
  target?: { id: string; author: PersonRef; intent: Intent };
  /** For an adoption: the strategy adopted. */
  strategy?: { id: string; number: number; title: string };
}

/**
 * Strategies, adoptions with a reason, and comments received in [since, until), oldest first,
 * credited. `exclude` leaves out one person's own (the roll-up does not show you your own).
 */
export function contributionsBetween(
  input: { trainings: readonly Training[]; participants: readonly ParticipantLike[]; responses: readonly Response[] },
  since: Date,
  until: Date,
  opts: { exclude?: string; intents?: readonly Intent[] } = {},
): Contribution[] {
  const from = since.toISOString();
  const to = until.toISOString();
  const intents = new Set(opts.intents ?? ['strategy', 'adopt', 'comment']);
  const people = new Map(input.participants.map((p) => [p.email, p]));
  const person = (email: string): PersonRef => ({ email, name: people.get(email)?.name ?? email });
  const trainings = new Map(input.trainings.map((t) => [t.slug, t]));
  const byId = new Map(input.responses.map((r) => [r.id, r]));
  const out: Contribution[] = [];
  for (const r of input.responses) {
    if (r.receivedAt < from || r.receivedAt >= to) continue;
    if (!intents.has(r.intent) || !isContribution(r)) continue;
    if (opts.exclude && r.participantEmail === opts.exclude) continue;
    // An adoption without a reason says nothing to teammates; the funnel counts it anyway.
    if (r.intent === 'adopt' && !r.text.trim()) continue;
    const t = trainings.get(r.trainingSlug);
    if (!t) continue;
    const c: Contribution = { response: r, author: person(r.participantEmail), training: { slug: t.slug, order: t.order, title: t.title } };
    if (r.targetResponseId) {
      const target = byId.get(r.targetResponseId);
      if (target) c.target = { id: target.id, author: person(target.participantEmail), intent: target.intent };
    }
    if (r.intent === 'adopt' && r.strategyId) {
      const s = t.strategies.find((x) => x.id === r.strategyId);
      if (s) c.strategy = { id: s.id, number: s.number, title: s.title };
    }
    out.push(c);
  }
  return out.sort((a, b) => byReceived(a.response, b.response));
}

/** ISO 8601 week of a calendar date (YYYY-MM-DD): `2027-w03`, lowercase so it fits in ids. */
export function isoWeek(date: string): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d));
  const day = (t.getUTCDay() + 6) % 7; // Monday 0
  t.setUTCDate(t.getUTCDate() - day + 3); // the Thursday of this week decides the year
  const year = t.getUTCFullYear();
  const firstThursday = new Date(Date.UTC(year, 0, 4));
  firstThursday.setUTCDate(firstThursday.getUTCDate() - ((firstThursday.getUTCDay() + 6) % 7) + 3);
  const week = 1 + Math.round((t.getTime() - firstThursday.getTime()) / (7 * 86_400_000));
  return `${year}-w${String(week).padStart(2, '0')}`;
}

/** Formats a rate for people: 42%, or – when there is nothing to divide by. */
export function percent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)}%`;
}

export const STAGE_LABELS: Record<Stage, string> = {
  sent: 'Sent',
  read: 'Read',
  contributed: 'Contributed',
  adopted: 'Adopted',
  followedUp: 'Followed up',
};
