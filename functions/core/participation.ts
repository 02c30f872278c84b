// Participation beside the funnel, for the studio's charts: distinct people engaging each ISO week,
// and per time zone how many are enrolled and how many have engaged. Pure, from the same records
// the funnel reads (report.ts).
import type { Response } from './model.ts';
import { isContribution, isEngagement, isoWeek, type ParticipantLike } from './report.ts';

export interface WeekParticipation {
  week: string;
  /** Distinct people who answered anything that week. */
  engaged: number;
  /** Distinct people who contributed (strategy, adoption, comment) that week. */
  contributed: number;
}

export interface ZoneParticipation {
  timeZone: string;
  enrolled: number;
  engaged: number;
}

export function participationByWeek(responses: readonly Response[]): WeekParticipation[] {
  const weeks = new Map<string, { engaged: Set<string>; contributed: Set<string> }>();
  for (const r of responses) {
    if (!isEngagement(r)) continue;
    const week = isoWeek(r.receivedAt.slice(0, 10));
    let w = weeks.get(week);
    if (!w) weeks.set(week, (w = { engaged: new Set(), contributed: new Set() }));
    w.engaged.add(r.participantEmail);
    if (isContribution(r)) w.contributed.add(r.participantEmail);
  }
  return [...weeks.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([week, w]) => ({ week, engaged: w.engaged.size, contributed: w.contributed.size }));
}

export interface GroupParticipation {
  group: string;
  enrolled: number;
  engaged: number;
}

/** Per group (`groupOf` each participant): how many are enrolled and how many engaged; largest first. */
function participationBy<P extends ParticipantLike>(participants: readonly P[], responses: readonly Response[], groupOf: (p: P) => string): GroupParticipation[] {
  const engaged = new Set<string>();
  for (const r of responses) if (isEngagement(r)) engaged.add(r.participantEmail);
  const groups = new Map<string, GroupParticipation>();
  for (const p of participants) {
    const key = groupOf(p);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { group: key, enrolled: 0, engaged: 0 }));
    g.enrolled++;
    if (engaged.has(p.email)) g.engaged++;
  }
  return [...groups.values()].sort((a, b) => b.enrolled - a.enrolled || a.group.localeCompare(b.group));
}

export function participationByZone(participants: readonly ParticipantLike[], responses: readonly Response[]): ZoneParticipation[] {
  return participationBy(participants, responses, (p) => p.timeZone).map(({ group, ...counts }) => ({ timeZone: group, ...counts }));
}

/** The label of participants without a team. */
export const NO_TEAM = 'No team';

/** Per team (the CSV's `team` column), people without one counted under NO_TEAM. */
export function participationByTeam(participants: readonly (ParticipantLike & { team?: string | undefined })[], responses: readonly Response[]): GroupParticipation[] {
  return participationBy(participants, responses, (p) => p.team ?? NO_TEAM);
}
