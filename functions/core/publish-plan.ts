// What a publish will do, in the words a trainer uses: who gets what, and when. Computed before
// anything is stored, so `baton publish --dry-run` and a real publish print the same plan, and a
// window that has already closed stops the publish instead of being silently never sent.
import type { Participant, Series, Training } from './model.ts';
import { addDays, formatDate, formatDateRange, zonedTimeToUtc } from './time.ts';

export interface PublishPlanInput {
  series: Pick<Series, 'defaultTimeZone'>;
  trainings: readonly Training[];
  /** Everyone enrolled once this publish is done (already enrolled and newcomers). */
  participants: readonly Pick<Participant, 'email' | 'timeZone' | 'workStart'>[];
  /** Of those, the people this publish enrols for the first time. */
  newcomers: readonly Pick<Participant, 'email'>[];
  /** The trainings as last published; absent on the first publish. */
  previous?: readonly Training[];
  now: Date;
}

export interface PublishPlan {
  /** Reasons not to publish: each names the training and what to do. */
  errors: string[];
  /** Things that will happen that the trainer may not expect. */
  warnings: string[];
  /** The plan, one sentence a line. */
  lines: string[];
}

const people = (n: number): string => `${n} ${n === 1 ? 'person' : 'people'}`;
const shortDate = (date: string): string => formatDate(date).slice(0, -5);

/** The first and last moment of a window across the zones of the people in it. */
function windowSpan(training: Training, zones: readonly { timeZone: string; workStart: string }[]): { firstOpen: number; lastOpen: number; firstClose: number; lastClose: number } {
  const opens = zones.map((z) => zonedTimeToUtc(training.opens, z.workStart, z.timeZone).getTime());
  // A window is open through its last day, in each person's own zone.
  const closes = zones.map((z) => zonedTimeToUtc(addDays(training.closes, 1), '00:00', z.timeZone).getTime());
  return { firstOpen: Math.min(...opens), lastOpen: Math.max(...opens), firstClose: Math.min(...closes), lastClose: Math.max(...closes) };
}

function sameWindow(a: Training, b: Training): boolean {
  return a.opens === b.opens && a.closes === b.closes;
}

export function planPublish(input: PublishPlanInput): PublishPlan {
  const { now } = input;
  const nowMs = now.getTime();
  const trainings = [...input.trainings].sort((a, b) => a.order - b.order);
  const previous = new Map((input.previous ?? []).map((t) => [t.slug, t]));
  const count = input.participants.length;
  const zones = count > 0 ? input.participants : [{ timeZone: input.series.defaultTimeZone, workStart: '09:00' }];
  const out: PublishPlan = { errors: [], warnings: [], lines: [] };
  const label = (t: Training): string => `training ${t.order} "${t.title}"`;

  for (const t of trainings) {
    const before = previous.get(t.slug);
    // A window that ran as published is history, not a mistake: only a new or moved window that
    // is already over would be announced and never sent.
    const settled = before !== undefined && sameWindow(before, t);
    const span = windowSpan(t, zones);
    if (!settled && span.firstClose <= nowMs) {
      out.errors.push(
        `${label(t)} closed on ${formatDate(t.closes)}${span.lastClose > nowMs ? ' for some people' : ''}, so it would be announced and never sent: ` +
          `move its opens/closes to future dates in trainings/${String(t.order).padStart(2, '0')}-${t.slug}.md, or remove the file.`,
      );
    } else if (!settled && span.firstOpen <= nowMs) {
      const daysLeft = Math.max(0, Math.ceil((span.firstClose - nowMs) / 86_400_000));
      out.warnings.push(
        `${label(t)} opened on ${formatDate(t.opens)}: it goes out now to ${count ? `the ${people(count)} whose window has opened` : 'everyone enrolled'}, ` +
          `with ${daysLeft} day${daysLeft === 1 ? '' : 's'} left to answer.`,
      );
    }
  }

  const starts = [...new Set(input.participants.map((p) => p.workStart))].sort();
  const at = starts.length <= 1 ? `at each person's ${starts[0] ?? '09:00'}` : `at each person's start of work (${starts[0]}–${starts.at(-1)})`;

  if (input.previous === undefined) {
    out.lines.push(count ? `kickoff goes out now to ${people(count)}` : 'kickoff goes out now to nobody yet: enrol people with `baton enroll` and they get it then');
    for (const t of trainings) {
      const span = windowSpan(t, zones);
      const when = span.firstOpen <= nowMs ? 'now (its window is already open)' : `on ${shortDate(t.opens)} ${at}`;
      out.lines.push(`training ${t.order} "${t.title}" ${when}, open until ${formatDate(t.closes)}`);
    }
    out.lines.push(`${trainings.length} training${trainings.length === 1 ? '' : 's'}, ${trainings.length * count} calendar invitation${trainings.length * count === 1 ? '' : 's'}`);
    return out;
  }

  const already = count - input.newcomers.length;
  let changed = false;
  for (const t of trainings) {
    const before = previous.get(t.slug);
    if (!before) {
      changed = true;
      out.lines.push(`new training ${t.order} "${t.title}": ${people(count)} get it on ${shortDate(t.opens)} ${at}, with a calendar invitation`);
    } else if (!sameWindow(before, t) || before.title !== t.title) {
      changed = true;
      const what = sameWindow(before, t) ? `renamed "${t.title}"` : `now ${formatDateRange(t.opens, t.closes)}, was ${formatDateRange(before.opens, before.closes)}`;
      out.lines.push(`${people(already)} get an updated invitation for training ${t.order} (${what})`);
    }
  }
  const slugs = new Set(trainings.map((t) => t.slug));
  for (const t of input.previous ?? []) {
    if (slugs.has(t.slug)) continue;
    changed = true;
    out.lines.push(`${people(already)} get a cancellation for training ${t.order} "${t.title}"`);
  }
  if (input.newcomers.length) {
    changed = true;
    out.lines.push(`${people(input.newcomers.length)} newly enrolled: they get the kickoff now, and any training whose window is open`);
  }
  if (!changed) out.lines.push(`nothing changes for the ${people(count)} enrolled: no email goes out because of this publish`);
  return out;
}
