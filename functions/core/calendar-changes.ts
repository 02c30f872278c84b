// What re-publishing does to each training's calendar, and the one-time jobs that tell the people
// holding it (app/planners/update.ts sends them). Pure: publishing (app/publish.ts) plans with it
// without loading the planners or composition.
//
//   1. a training whose opens/closes changed gets SEQUENCE + 1 and `changedAt` = now;
//   2. a training no longer in the folder gets SEQUENCE + 1 and `removedAt` (its cancellation);
//   3. the states are stored; changeSchedules turns every change into a one-time job named after
//      the training and its SEQUENCE, so publishing the same edit again plans the same job, which
//      has already run.
import type { Job } from './jobs.ts';
import type { Training } from './model.ts';
import type { CalendarState } from './records.ts';
import { MAX_NAME_LENGTH, shortHash, type ScheduleSpec } from './schedule-plan.ts';

export interface CalendarChanges {
  states: CalendarState[];
  moved: CalendarState[];
  removed: CalendarState[];
}

function stateOf(t: Training, sequence: number): CalendarState {
  return { slug: t.slug, order: t.order, title: t.title, author: t.author, opens: t.opens, closes: t.closes, sequence };
}

/**
 * The calendars after publishing `next`. `stored` is what the last publish left; `published` the
 * trainings it published, which seed the states of a series published before states were kept.
 */
export function advanceCalendars(stored: readonly CalendarState[], published: readonly Training[], next: readonly Training[], now: Date): CalendarChanges {
  const before = new Map(stored.map((s) => [s.slug, s]));
  for (const t of published) if (!before.has(t.slug)) before.set(t.slug, stateOf(t, 0));
  const changedAt = now.toISOString();
  const out: CalendarChanges = { states: [], moved: [], removed: [] };
  const seen = new Set<string>();
  for (const t of next) {
    seen.add(t.slug);
    const prev = before.get(t.slug);
    if (!prev) {
      out.states.push(stateOf(t, 0));
      continue;
    }
    // A training added back after its cancellation is announced anew, above the cancellation.
    if (prev.removedAt || prev.opens !== t.opens || prev.closes !== t.closes) {
      const state = { ...stateOf(t, prev.sequence + 1), changedAt };
      out.states.push(state);
      out.moved.push(state);
      continue;
    }
    out.states.push({ ...stateOf(t, prev.sequence), ...(prev.changedAt ? { changedAt: prev.changedAt } : {}) });
  }
  for (const prev of before.values()) {
    if (seen.has(prev.slug)) continue;
    if (prev.removedAt) {
      out.states.push(prev);
      continue;
    }
    const state = { ...prev, sequence: prev.sequence + 1, changedAt, removedAt: changedAt };
    out.states.push(state);
    out.removed.push(state);
  }
  return out;
}

function changeName(kind: 'update' | 'cancel', slug: string, sequence: number): string {
  const tail = `-s${sequence}`;
  const room = MAX_NAME_LENGTH - kind.length - 1 - tail.length;
  const part = slug.length <= room ? slug : `${slug.slice(0, room - 9)}-${shortHash(slug)}`;
  return `${kind}-${part}${tail}`;
}

/** The one-time update / cancel jobs the stored calendar changes call for, at the time of the change. */
export function changeSchedules(seriesId: string, states: readonly CalendarState[]): ScheduleSpec[] {
  return states
    .filter((s) => s.changedAt !== undefined)
    .map((s) => {
      const kind = s.removedAt ? 'cancel' : 'update';
      const instant = new Date(s.changedAt!).toISOString();
      return {
        name: changeName(kind, s.slug, s.sequence),
        job: { kind, seriesId, trainingSlug: s.slug, sequence: s.sequence },
        at: { local: instant.slice(0, 19), timeZone: 'UTC', instant },
      };
    });
}

/** Change jobs are not in the series plan: a pending one must survive a re-sync until it ran. */
export function isChangeJob(job: unknown): boolean {
  const kind = (job as Partial<Job> | null)?.kind;
  return kind === 'update' || kind === 'cancel';
}
