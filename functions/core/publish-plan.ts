// What a publish will do, in the words a trainer uses: who gets what, and when. Computed before
// anything is stored, so `baton publish --dry-run` and a real publish print the same plan, and a
// window that has already closed stops the publish instead of being silently never sent.
import type { Participant, Series, Training } from './model.ts';
import { isActive, isOutOfOffice, workDaysOf, type AudienceMember } from './audience.ts';
import { trainingSendDay } from './schedule-plan.ts';
import { addDays, formatDate, formatDateRange, zonedTimeToUtc } from './time.ts';

export interface PublishPlanInput {
  series: Pick<Series, 'defaultTimeZone' | 'defaultWorkDays'>;
  trainings: readonly Training[];
  /** Everyone enrolled once this publish is done (already enrolled and newcomers). */
  participants: readonly Pick<Participant, 'email' | 'timeZone' | 'workStart' | 'workDays'>[];
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

export const people = (n: number): string => `${n} ${n === 1 ? 'person' : 'people'}`;
const shortDate = (date: string): string => formatDate(date).slice(0, -5);

/**
 * When a training reaches people, as a trainer says it: "on Mon 1 Feb at each person's 09:00".
 * The day is the window's first working day in each person's week (a window opening on a Sunday
 * goes out on Monday), so several weeks give "from" the earliest of those days.
 */
function goesOut(t: Training, participants: readonly Pick<Participant, 'workStart' | 'workDays'>[], series: Pick<Series, 'defaultWorkDays'>): string {
  const who = participants.length ? participants : [{ workStart: '09:00' }];
  const days = [...new Set(who.map((p) => trainingSendDay(t, workDaysOf(p, series))))].sort();
  const starts = [...new Set(who.map((p) => p.workStart))].sort();
  const at = starts.length === 1 ? `at each person's ${starts[0]}` : `at each person's start of work (${starts[0]}–${starts.at(-1)})`;
  return `${days.length === 1 ? 'on' : 'from'} ${shortDate(days[0]!)} ${at}`;
}

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

  const at = (t: Training): string => goesOut(t, input.participants, input.series);

  if (input.previous === undefined) {
    out.lines.push(count ? `kickoff goes out now to ${people(count)}` : 'kickoff goes out now to nobody yet: enrol people with `baton enroll` and they get it then');
    for (const t of trainings) {
      const span = windowSpan(t, zones);
      const when = span.firstOpen <= nowMs ? 'now (its window is already open)' : at(t);
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
      out.lines.push(`new training ${t.order} "${t.title}": ${people(count)} get it ${at(t)}, with a calendar invitation`);
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

// ---------------------------------------------------------------------------------------------
// Where a published series stands, for `baton status` and `baton enroll`: who is enrolled, what
// has gone out to how many people, and what goes out next and when. Read from the participants
// and the delivery ledger, never from the schedules' names.

export interface SeriesStandingInput {
  series: Pick<Series, 'defaultWorkDays'>;
  trainings: readonly Training[];
  participants: readonly (Pick<Participant, 'email' | 'timeZone' | 'workStart' | 'workDays'> & Pick<AudienceMember, 'unsubscribedAt' | 'bouncedAt' | 'outOfOfficeUntil'>)[];
  /** Delivery ids of the mail already sent: `kickoff#…#<email>`, `training#<slug>#<email>`. */
  sentEmailIds: Iterable<string>;
  now: Date;
}

export interface SeriesStanding {
  /** "12 people enrolled: 10 active (1 out of office until Sun 31 Jan), 1 bounced, 1 unsubscribed". */
  people: string;
  /** The kickoff and each training: sent to whom, or when it goes out. */
  lines: string[];
}

export function describeStanding(input: SeriesStandingInput): SeriesStanding {
  const { now } = input;
  const active = input.participants.filter(isActive);
  const away = active.filter((p) => isOutOfOffice(p, now));
  const bounced = input.participants.filter((p) => p.bouncedAt).length;
  const unsubscribed = input.participants.filter((p) => p.unsubscribedAt && !p.bouncedAt).length;
  const backOn = [...new Set(away.map((p) => p.outOfOfficeUntil!.slice(0, 10)))].sort();
  const awayText = away.length
    ? ` (${away.length} out of office ${backOn.length === 1 ? `until ${shortDate(backOn[0]!)}` : `for now, back between ${shortDate(backOn[0]!)} and ${shortDate(backOn.at(-1)!)}`})`
    : '';
  const parts = [`${active.length} active${awayText}`, ...(bounced ? [`${bounced} bounced`] : []), ...(unsubscribed ? [`${unsubscribed} unsubscribed`] : [])];
  const peopleLine = `${people(input.participants.length)} enrolled${input.participants.length ? `: ${parts.join(', ')}` : ''}`;

  const sent = new Map<string, Set<string>>();
  for (const id of input.sentEmailIds) {
    // emailId(): `<kind>#<training slug or ->#<email>[#<extra>]`.
    const [kind, slug, email] = id.split('#');
    if ((kind !== 'kickoff' && kind !== 'training') || !email) continue;
    const key = kind === 'training' ? `training#${slug}` : kind;
    let set = sent.get(key);
    if (!set) sent.set(key, (set = new Set()));
    set.add(email);
  }
  const activeEmails = new Set(active.map((p) => p.email));
  const reached = (key: string): number => [...(sent.get(key) ?? [])].filter((e) => activeEmails.has(e)).length;
  const lines: string[] = [];
  const kickoff = sent.get('kickoff')?.size ?? 0;
  const kickoffMissing = active.length - reached('kickoff');
  if (!active.length) lines.push('kickoff goes out to each person as they are enrolled: nobody yet (baton enroll <series-id> <participants.csv>)');
  else if (kickoffMissing <= 0) lines.push(`kickoff sent to ${people(kickoff)}`);
  else lines.push(`kickoff ${kickoff ? `sent to ${people(kickoff)}, and on its way to ${people(kickoffMissing)} more` : `on its way to ${people(kickoffMissing)}`}`);

  for (const t of [...input.trainings].sort((a, b) => a.order - b.order)) {
    const label = `training ${t.order} "${t.title}"`;
    // Closed once it has closed for everyone (windows end at midnight in each person's zone).
    const closed = windowSpan(t, active.length ? active : [{ timeZone: 'UTC', workStart: '09:00' }]).lastClose <= now.getTime();
    const got = sent.get(`training#${t.slug}`)?.size ?? 0;
    const waiting = active.length - reached(`training#${t.slug}`);
    if (closed) lines.push(`${label} ${got ? `went to ${people(got)}` : 'went to nobody'}; closed ${shortDate(t.closes)}`);
    else if (waiting <= 0) lines.push(`${label} sent to ${people(got)}, open until ${shortDate(t.closes)}`);
    else if (got) lines.push(`${label} sent to ${people(got)} so far; the other ${people(waiting)} get it at their start of work, open until ${shortDate(t.closes)}`);
    else lines.push(`${label} goes out ${goesOut(t, active, input.series)} to ${people(waiting)}, open until ${shortDate(t.closes)}`);
  }
  return { people: peopleLine, lines };
}
