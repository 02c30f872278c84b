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

export function participationByZone(participants: readonly ParticipantLike[], responses: readonly Response[]): ZoneParticipation[] {
  const engaged = new Set<string>();
  for (const r of responses) if (isEngagement(r)) engaged.add(r.participantEmail);
  const zones = new Map<string, ZoneParticipation>();
  for (const p of participants) {
    let z = zones.get(p.timeZone);
    if (!z) zones.set(p.timeZone, (z = { timeZone: p.timeZone, enrolled: 0, engaged: 0 }));
    z.enrolled++;
    if (engaged.has(p.email)) z.engaged++;
  }
  return [...zones.values()].sort((a, b) => b.enrolled - a.enrolled || a.timeZone.localeCompare(b.timeZone));
}
