// The reminder job, a few days before a training's window closes (series policy).
//
// Primary course:
//   1. one Query for the series' responses: who contributed to this training, who only read it,
//      and how many trainings each person contributed to (the "at least N of M" goal);
//   2. recipients: the job's group, minus everyone who contributed to this training and everyone
//      whose window has already closed (a late retry must not say "closes Sunday" on Monday);
//      unsubscribed, bounced and out-of-office people are reported as skipped;
//   3. up to three teammates' contributions, one per person, for everyone in the send;
//   4. one reminder per training and person: the ledger keys on emailId('reminder', slug, email);
//   5. reminder fatigue: someone quiet for the last QUIET_TRAININGS_BEFORE_REST trainings gets this
//      reminder saying it is the last for now, and their reminders rest until they reply "resume";
//      and nobody gets more than policies.remindersPerWeek reminders in their week, across every
//      series (a quota counter per person and week: one conditional write each, a retry passes).
//
// Planners import only types from dispatch.ts: dispatch.ts imports the planners, and a value
// import back would make the map's initialisation depend on module order. Nor do they import the
// email templates (emails/reminder.ts …): those pull in mjml, which must stay out of Lambdas.
import { TEMPLATE } from '#mail/template-names';
import { t } from '#mail/messages/index';
import { emailId, type StoredParticipant } from '#core/records';
import { firstName, plainTitle, sharedHtml, sharedText, type SharedItem } from '#mail/values';
import type { Outgoing } from '../deliver.ts';
import { prepareReminderSend, type ReminderStatus } from '#mail/compose';
import { composersByLanguage, type JobPlanner } from './planner.ts';
import type { Job } from '#core/jobs';
import type { Language, Response, Training } from '#core/model';
import { isContribution } from '#core/report';
import { DEFAULT_REMINDERS_PER_WEEK, inGroup, QUIET_TRAININGS_BEFORE_REST, quietStreak, skipFor, windowClosedAt } from '#core/audience';
import { weekOf } from './digest.ts';


/** Shown instead of teammates' contributions when nobody has shared yet (English; messages/ has the rest). */
export const REMINDER_NOBODY_YET = t('en', 'reminder.nobodyYet');

/** How many teammates' contributions a reminder shows. */
export const SHARED_IN_REMINDER = 3;

/** Trainings (of `trainings`) each person contributed to, by email. */
export function contributedCounts(responses: readonly Response[], trainings: readonly Training[]): Map<string, number> {
  const slugs = new Set(trainings.map((t) => t.slug));
  const seen = new Map<string, Set<string>>();
  for (const r of responses) {
    if (!isContribution(r) || !slugs.has(r.trainingSlug)) continue;
    let set = seen.get(r.participantEmail);
    if (!set) seen.set(r.participantEmail, (set = new Set()));
    set.add(r.trainingSlug);
  }
  return new Map([...seen].map(([email, set]) => [email, set.size]));
}

const INTENT_RANK: Record<string, number> = { strategy: 0, adopt: 1, comment: 2 };

const hasWords = (r: Response) => (r.text.trim() ? 0 : 1);

/**
 * Which contributions to show: one per person (their richest), strategies before adoptions
 * before comments, those with the person's own words before bare ones, then the newest first.
 * Returns the picks and how many were left out.
 */
export function pickShared(responses: readonly Response[], limit: number): { picked: Response[]; more: number } {
  const contributions = responses.filter(isContribution);
  const sorted = [...contributions].sort(
    (a, b) =>
      (INTENT_RANK[a.intent] ?? 9) - (INTENT_RANK[b.intent] ?? 9) ||
      hasWords(a) - hasWords(b) ||
      b.receivedAt.localeCompare(a.receivedAt) ||
      a.id.localeCompare(b.id),
  );
  const people = new Set<string>();
  const picked: Response[] = [];
  for (const r of sorted) {
    if (picked.length >= limit) break;
    if (people.has(r.participantEmail)) continue;
    people.add(r.participantEmail);
    picked.push(r);
  }
  return { picked, more: contributions.length - picked.length };
}

/** A contribution as the emails credit it: first name, what they did, their words. */
export function sharedItem(r: Response, training: Training, names: ReadonlyMap<string, string>, language: Language = 'en'): SharedItem {
  const name = names.get(r.participantEmail);
  let what: string;
  if (r.intent === 'strategy') what = t(language, 'reminder.sharedStrategy');
  else if (r.intent === 'adopt') {
    const s = training.strategies.find((x) => x.id === r.strategyId);
    what = s ? t(language, 'reminder.willTry', { number: s.number, title: plainTitle(s.title) }) : t(language, 'reminder.willTryOne');
  } else what = t(language, r.targetResponseId ? 'reminder.commentedOnIdea' : 'reminder.commented');
  return { name: name ? firstName(name) : t(language, 'reminder.teammate'), what, text: r.text };
}

export interface ReminderRecipient {
  participant: StoredParticipant;
  status: ReminderStatus;
  skip?: Outgoing['skip'];
}

export interface ReminderPlan {
  recipients: ReminderRecipient[];
  /** Teammates' contributions shown to everyone in the send. */
  shared: SharedItem[];
  /** The same contributions, credited in another language. */
  sharedIn?: (language: Language) => SharedItem[];
  more: number;
}

/** Who gets this training's reminder and what it shows; pure, so the rules are testable alone. */
export function planReminder(input: {
  job: Job;
  training: Training;
  trainings: readonly Training[];
  participants: readonly StoredParticipant[];
  /** All responses of the series. */
  responses: readonly Response[];
  /** Others the plan may credit by name (a batch's `participants` are its recipients only). */
  named?: readonly StoredParticipant[];
  now: Date;
}): ReminderPlan {
  const { job, training, now } = input;
  const ofTraining = input.responses.filter((r) => r.trainingSlug === training.slug);
  const contributors = new Set(ofTraining.filter(isContribution).map((r) => r.participantEmail));
  const readers = new Set(ofTraining.filter((r) => r.intent === 'read' || r.intent === 'feedback').map((r) => r.participantEmail));
  const counts = contributedCounts(input.responses, input.trainings);
  const names = new Map([...(input.named ?? []), ...input.participants].map((p) => [p.email, p.name]));

  const recipients: ReminderRecipient[] = [];
  for (const p of input.participants) {
    if (!inGroup(job, p) || contributors.has(p.email)) continue;
    if (now.getTime() >= windowClosedAt(training, p.timeZone).getTime()) continue;
    const skip = skipFor(p, 'reminders', now);
    const lastForNow = !skip && quietStreak(p.email, training, input.trainings, input.responses) >= QUIET_TRAININGS_BEFORE_REST;
    recipients.push({
      participant: p,
      status: { hasRead: readers.has(p.email), contributed: counts.get(p.email) ?? 0, ...(lastForNow ? { lastForNow } : {}) },
      ...(skip ? { skip } : {}),
    });
  }
  const { picked, more } = pickShared(ofTraining, SHARED_IN_REMINDER);
  return { recipients, shared: picked.map((r) => sharedItem(r, training, names)), sharedIn: (language) => picked.map((r) => sharedItem(r, training, names, language)), more };
}

export const reminderPlanner: JobPlanner = async ({ job, published, participants, people, deps, template }) => {
  const training = published.trainings.find((t) => t.slug === job.trainingSlug);
  if (!training) {
    throw new Error(`series "${job.seriesId}" has no training "${job.trainingSlug}"; was it removed without re-publishing its schedules?`);
  }
  const now = deps.now();
  const responses = await deps.store.listResponses(job.seriesId);
  // The teammates it shows are read by name (pickShared is the plan's own choice), not the series.
  const named = await people(pickShared(responses.filter((r) => r.trainingSlug === training.slug), SHARED_IN_REMINDER).picked.map((r) => r.participantEmail));
  const plan = planReminder({ job, training, trainings: published.trainings, participants: await participants(), responses, named, now });
  // Fatigue is counted only for this batch's people: a fan-out plans everyone, sends a batch.
  const batch = job.recipients ? new Set(job.recipients) : undefined;
  const perWeek = published.series.policies.remindersPerWeek ?? DEFAULT_REMINDERS_PER_WEEK;
  for (const r of plan.recipients) {
    if (r.skip || (batch && !batch.has(r.participant.email))) continue;
    const within = await deps.store.takeQuota(`reminders#${r.participant.email}#${weekOf(now, r.participant.timeZone).week}`, `${job.seriesId}#${training.slug}`, {
      limit: perWeek,
      at: now,
      ttlDays: 14,
    });
    if (!within) {
      r.skip = 'weekly-cap';
      continue;
    }
    // Said once: this reminder says it is the last, and from now on they rest.
    if (r.status.lastForNow && !r.participant.remindersRestedAt) await deps.store.setParticipantStatus(job.seriesId, r.participant.email, { remindersRestedAt: now });
  }
  const series = published.series;
  // One send per language its recipients read: their language's template, else the series' own.
  const composerFor = await composersByLanguage(template, series, TEMPLATE.reminder(training.slug), plan.recipients.map((r) => r.participant), (found, used) => {
    const items = used === 'en' || !plan.sharedIn ? plan.shared : plan.sharedIn(used);
    const nobody = t(used, 'reminder.nobodyYet');
    return prepareReminderSend({
      series,
      training,
      trainings: published.trainings,
      template: found,
      settings: deps.settings,
      now,
      language: used,
      // Nobody else is listed when nobody else shared: "…and 2 more" only counts what is hidden.
      shared: { html: sharedHtml(items, nobody, plan.more, used), text: sharedText(items, nobody, plan.more, used) },
    });
  });
  return plan.recipients.map(({ participant, status, skip }) => ({
    emailId: emailId('reminder', training.slug, participant.email),
    to: participant.email,
    skip,
    build: () => composerFor(participant)(participant, status),
  }));
};
