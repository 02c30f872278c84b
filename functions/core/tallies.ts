// Running totals for the studio's overview, kept on write instead of recomputed from the whole
// series on every view. Pure: what the data layer keeps per person (their "facts": the level they
// reached per training, whether they followed up, which trainings were sent to them, the weeks
// they answered in, and, while enrolled, their zone, team and status) and what one person adds to
// the series' counters. The store keeps the counters as the sum of `tallyOf` over everyone's
// facts: every change to a person's facts adds `tallyOf(after) - tallyOf(before)`, so the counters
// cannot drift from the facts, and a rebuild from the records (`factsFromRecords`) gives the same
// numbers as `computeFunnel` / `participation*` (report.ts, participation.ts) read from everything.
import type { Response, Series, Training } from './model.ts';
import { NO_TEAM, type GroupParticipation, type WeekParticipation, type ZoneParticipation } from './participation.ts';
import { gridLevel, isContribution, isEngagement, isoWeek, parseTrainingDelivery, STAGES, type DeliveryLike, type GoalProgress, type ParticipantLike, type Stage, type StageCount } from './report.ts';

/** What one person (an address the series sent to or heard from) has reached. */
export interface PersonFacts {
  /** Per training slug: 1 read, 2 contributed, 3 adopted (report.ts gridLevel; absent is 0). */
  level: Record<string, number>;
  /** Training slugs they answered a follow-up check-in of. */
  followedUp: Record<string, true>;
  /** Training slugs whose `training#<slug>#<email>` delivery was sent. */
  sent: Record<string, true>;
  /** Per ISO week (report.ts isoWeek): 1 answered something, 2 contributed. */
  weeks: Record<string, number>;
  /** While enrolled: what the overview groups and filters them by. */
  enrolled?: { name: string; timeZone: string; team?: string; unsubscribed: boolean; bounced: boolean };
}

export const noFacts = (): PersonFacts => ({ level: {}, followedUp: {}, sent: {}, weeks: {} });

const STAGE_OF_LEVEL: ReadonlyArray<[Stage, number]> = [
  ['read', 1],
  ['contributed', 2],
  ['adopted', 3],
];

/** Enrolled, active, sent a training and never answered anything: the overview's "not engaged yet". */
export function isQuiet(f: PersonFacts): boolean {
  return !!f.enrolled && !f.enrolled.unsubscribed && !f.enrolled.bounced && Object.keys(f.sent).length > 0 && !Object.values(f.level).some((l) => l >= 1);
}

/** What one person adds to the series' counters (each 0 or 1, so only the names with 1). */
export function tallyOf(f: PersonFacts): Record<string, number> {
  const out: Record<string, number> = {};
  const one = (name: string) => (out[name] = 1);
  const slugs = new Set([...Object.keys(f.level), ...Object.keys(f.followedUp), ...Object.keys(f.sent)]);
  for (const slug of slugs) {
    if (f.sent[slug]) one(`sent#${slug}`), one('sent');
    for (const [stage, min] of STAGE_OF_LEVEL) if ((f.level[slug] ?? 0) >= min) one(`${stage}#${slug}`), one(stage);
    if (f.followedUp[slug]) one(`followedUp#${slug}`), one('followedUp');
  }
  for (const [week, l] of Object.entries(f.weeks)) {
    if (l >= 1) one(`week#${week}`);
    if (l >= 2) one(`weekContributed#${week}`);
  }
  const p = f.enrolled;
  if (p) {
    const engaged = out.read === 1;
    const active = !p.unsubscribed && !p.bounced;
    one('people');
    if (active) one('active');
    if (p.unsubscribed) one('unsubscribed');
    if (p.bounced) one('bounced');
    one(`zone#${p.timeZone}`);
    if (engaged) one(`zoneEngaged#${p.timeZone}`);
    if (p.team) one('teamed');
    one(`team#${p.team ?? NO_TEAM}`);
    if (engaged) one(`teamEngaged#${p.team ?? NO_TEAM}`);
    if (active) one(`goal#${Object.values(f.level).filter((l) => l >= 2).length}`);
    if (isQuiet(f)) one('quiet');
  }
  return out;
}

/** tallyOf(after) - tallyOf(before), only the counters that move. */
export function tallyDelta(before: PersonFacts, after: PersonFacts): Record<string, number> {
  const a = tallyOf(before);
  const b = tallyOf(after);
  const out: Record<string, number> = {};
  for (const name of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const d = (b[name] ?? 0) - (a[name] ?? 0);
    if (d !== 0) out[name] = d;
  }
  return out;
}

export function addTallies(into: Record<string, number>, add: Record<string, number>): Record<string, number> {
  for (const [name, n] of Object.entries(add)) into[name] = (into[name] ?? 0) + n;
  return into;
}

export const sameFacts = (a: PersonFacts, b: PersonFacts): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
const sorted = <T>(o: Record<string, T>) => Object.fromEntries(Object.entries(o).sort(([x], [y]) => (x < y ? -1 : 1)));
const canonical = (f: PersonFacts) => ({ level: sorted(f.level), followedUp: sorted(f.followedUp), sent: sorted(f.sent), weeks: sorted(f.weeks), enrolled: f.enrolled ? { ...f.enrolled, team: f.enrolled.team ?? null } : null });

/** A week's level for one response: 0 none, 1 answered, 2 contributed (participation.ts participationByWeek). */
export function weekLevel(r: Response): number {
  return isContribution(r) ? 2 : isEngagement(r) ? 1 : 0;
}

/** The enrolled part of someone's facts from their participant record. */
export function enrolledFacts(p: ParticipantLike & { team?: string | undefined }): NonNullable<PersonFacts['enrolled']> {
  return { name: p.name, timeZone: p.timeZone, ...(p.team ? { team: p.team } : {}), unsubscribed: !!p.unsubscribedAt, bounced: !!p.bouncedAt };
}

/**
 * What their current responses say about one training and one week: the part a stored response
 * raises and a withdrawal (or a correction) recomputes. `responses` are the person's current ones.
 */
export function recomputeFromResponses(f: PersonFacts, responses: readonly Response[], slug: string, week: string): PersonFacts {
  const out: PersonFacts = { ...f, level: { ...f.level }, followedUp: { ...f.followedUp }, weeks: { ...f.weeks } };
  const level = Math.max(0, ...responses.filter((r) => r.trainingSlug === slug).map(gridLevel));
  if (level > 0) out.level[slug] = level;
  else delete out.level[slug];
  if (responses.some((r) => r.trainingSlug === slug && r.intent === 'follow-up')) out.followedUp[slug] = true;
  else delete out.followedUp[slug];
  const w = Math.max(0, ...responses.filter((r) => isoWeek(r.receivedAt.slice(0, 10)) === week).map(weekLevel));
  if (w > 0) out.weeks[week] = w;
  else delete out.weeks[week];
  return out;
}

/** A new current response: what it raises (never lowers). */
export function raiseWithResponse(f: PersonFacts, r: Response): PersonFacts {
  const out: PersonFacts = { ...f, level: { ...f.level }, followedUp: { ...f.followedUp }, weeks: { ...f.weeks } };
  const level = gridLevel(r);
  if (level > (out.level[r.trainingSlug] ?? 0)) out.level[r.trainingSlug] = level;
  if (r.intent === 'follow-up') out.followedUp[r.trainingSlug] = true;
  const week = isoWeek(r.receivedAt.slice(0, 10));
  const w = weekLevel(r);
  if (w > (out.weeks[week] ?? 0)) out.weeks[week] = w;
  return out;
}

/** Everyone's facts from the records: the rebuild (participants, current responses, `training#` deliveries). */
export function factsFromRecords(input: { participants: readonly (ParticipantLike & { team?: string | undefined })[]; responses: readonly Response[]; deliveries: readonly DeliveryLike[] }): Map<string, PersonFacts> {
  const facts = new Map<string, PersonFacts>();
  const of = (email: string) => {
    let f = facts.get(email);
    if (!f) facts.set(email, (f = noFacts()));
    return f;
  };
  for (const p of input.participants) of(p.email).enrolled = enrolledFacts(p);
  for (const d of input.deliveries) {
    if (d.status !== 'sent') continue;
    const parsed = parseTrainingDelivery(d.emailId);
    if (parsed) of(parsed.email).sent[parsed.slug] = true;
  }
  for (const r of input.responses) facts.set(r.participantEmail, raiseWithResponse(of(r.participantEmail), r));
  return facts;
}

// ---------------------------------------------------------------------------------------------
// The overview's numbers from the counters

export interface OverviewCounts {
  participants: { total: number; active: number; unsubscribed: number; bounced: number };
  stages: StageCount[];
  trainings: Array<{ slug: string; order: number; title: string; opens: string; closes: string; stages: StageCount[] }>;
  goal?: GoalProgress;
  weeks: WeekParticipation[];
  zones: ZoneParticipation[];
  /** Undefined when nobody enrolled has a team. */
  teams?: GroupParticipation[];
  /** How many are not engaged yet (isQuiet). */
  quiet: number;
}

const rate = (count: number, base: number): number | null => (base === 0 ? null : count / base);

function stagesFrom(count: (stage: Stage) => number): StageCount[] {
  const sent = count('sent');
  const adopted = count('adopted');
  return STAGES.map((stage) => {
    const n = count(stage);
    const base = stage === 'followedUp' ? 'adopted' : 'sent';
    return { stage, count: n, rate: stage === 'sent' ? rate(n, n) : rate(n, base === 'sent' ? sent : adopted), base };
  });
}

/** The counters (as the store keeps them) as the overview shows them, in computeFunnel's shapes and order. */
export function overviewFromTallies(counters: Readonly<Record<string, number>>, series: Series, trainingList: readonly Training[]): OverviewCounts {
  const n = (name: string) => counters[name] ?? 0;
  const trainings = [...trainingList].sort((a, b) => a.order - b.order);
  const grouped = (prefix: string, engagedPrefix: string) =>
    Object.keys(counters)
      .filter((name) => name.startsWith(prefix) && n(name) > 0)
      .map((name) => {
        const group = name.slice(prefix.length);
        return { group, enrolled: n(name), engaged: n(engagedPrefix + group) };
      })
      .sort((a, b) => b.enrolled - a.enrolled || a.group.localeCompare(b.group));
  const active = n('active');
  let goal: GoalProgress | undefined;
  const encourage = series.policies.encourage;
  if (encourage) {
    const byTrainings = Array.from({ length: trainings.length + 1 }, () => 0);
    for (const name of Object.keys(counters)) {
      if (!name.startsWith('goal#')) continue;
      const k = Math.min(Number(name.slice('goal#'.length)), trainings.length);
      byTrainings[k]! += n(name);
    }
    const reached = byTrainings.slice(encourage.atLeast).reduce((s, x) => s + x, 0);
    goal = { atLeast: encourage.atLeast, of: encourage.of, reached, participants: active, rate: rate(reached, active), byTrainings };
  }
  const teams = n('teamed') > 0 ? grouped('team#', 'teamEngaged#') : undefined;
  return {
    participants: { total: n('people'), active, unsubscribed: n('unsubscribed'), bounced: n('bounced') },
    stages: stagesFrom((stage) => n(stage)),
    trainings: trainings.map((t) => ({ slug: t.slug, order: t.order, title: t.title, opens: t.opens, closes: t.closes, stages: stagesFrom((stage) => n(`${stage}#${t.slug}`)) })),
    ...(goal ? { goal } : {}),
    weeks: Object.keys(counters)
      .filter((name) => name.startsWith('week#') && n(name) > 0)
      .map((name) => name.slice('week#'.length))
      .sort()
      .map((week) => ({ week, engaged: n(`week#${week}`), contributed: n(`weekContributed#${week}`) })),
    zones: grouped('zone#', 'zoneEngaged#').map(({ group, ...counts }) => ({ timeZone: group, ...counts })),
    ...(teams ? { teams } : {}),
    quiet: n('quiet'),
  };
}
