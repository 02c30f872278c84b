// The follow-up check-in job, some weeks after a training's window closed (series policy).
//
// Primary course:
//   1. one Query for the training's responses;
//   2. every adoption of one of its strategies, once per person and strategy (someone who said
//      "adopt #2" twice gets one check-in, about their first adoption);
//   3. minus adoptions already followed up (a spontaneous "it worked!" reply, an early click);
//   4. one email per adoption: the ledger keys on emailId('follow-up', slug, email, strategyId).
// Out-of-office does not hold a check-in back: it waits in the inbox, there is no second one.
import { TEMPLATE } from '#mail/template-names';
import { emailId, type StoredParticipant } from '#core/records';
import type { Outgoing } from '../deliver.ts';
import { prepareFollowUpSend, type Adoption } from '#mail/compose';
import { composersByLanguage, type JobPlanner } from './planner.ts';
import type { Job } from '#core/jobs';
import type { Response, Training } from '#core/model';
import { inGroup, skipFor } from '#core/audience';


export interface CheckIn {
  participant: StoredParticipant;
  adoption: Adoption;
  skip?: Outgoing['skip'];
}

/** Who gets a check-in about which adoption; pure, so the rules are testable alone. */
export function planFollowUp(input: {
  job: Job;
  training: Training;
  participants: readonly StoredParticipant[];
  /** The training's responses. */
  responses: readonly Response[];
  /** For a pause chosen on the preferences page. */
  now: Date;
}): CheckIn[] {
  const { job, training } = input;
  const strategies = new Map(training.strategies.map((s) => [s.id, s]));
  const ofTraining = input.responses.filter((r) => r.trainingSlug === training.slug);
  const answered = new Set<string>();
  for (const r of ofTraining) {
    if (r.intent !== 'follow-up') continue;
    if (r.targetResponseId) answered.add(r.targetResponseId);
    if (r.strategyId) answered.add(`${r.participantEmail}#${r.strategyId}`);
  }
  const first = new Map<string, Response>();
  for (const r of ofTraining) {
    if (r.intent !== 'adopt' || !r.strategyId || !strategies.has(r.strategyId)) continue;
    const key = `${r.participantEmail}#${r.strategyId}`;
    const seen = first.get(key);
    if (!seen || r.receivedAt < seen.receivedAt || (r.receivedAt === seen.receivedAt && r.id < seen.id)) first.set(key, r);
  }
  const people = new Map(input.participants.map((p) => [p.email, p]));
  const out: CheckIn[] = [];
  for (const [key, r] of [...first].sort(([a], [b]) => a.localeCompare(b))) {
    const participant = people.get(r.participantEmail);
    // Someone removed from the series since adopting gets nothing.
    if (!participant || !inGroup(job, participant)) continue;
    if (answered.has(r.id) || answered.has(key)) continue;
    const strategy = strategies.get(r.strategyId!)!;
    const skip = skipFor(participant, 'checkIns', input.now);
    out.push({ participant, adoption: { responseId: r.id, strategy: { id: strategy.id, title: strategy.title } }, ...(skip ? { skip } : {}) });
  }
  return out;
}

export const followUpPlanner: JobPlanner = async ({ job, published, participants, deps, template }) => {
  const training = published.trainings.find((t) => t.slug === job.trainingSlug);
  if (!training) {
    throw new Error(`series "${job.seriesId}" has no training "${job.trainingSlug}"; was it removed without re-publishing its schedules?`);
  }
  const responses = await deps.store.listResponses(job.seriesId, { trainingSlug: training.slug });
  // No adoption of this training, no check-in, whoever is enrolled: nobody to read.
  if (!responses.some((r) => r.intent === 'adopt' && r.trainingSlug === training.slug)) return [];
  const checkIns = planFollowUp({ job, training, participants: await participants(), responses, now: deps.now() });
  if (checkIns.length === 0) return [];
  const now = deps.now();
  const composerFor = await composersByLanguage(template, published.series, TEMPLATE.followUp(training.slug), checkIns.map((c) => c.participant), (found, language) =>
    prepareFollowUpSend({ series: published.series, training, trainings: published.trainings, template: found, settings: deps.settings, now, language }),
  );
  return checkIns.map(({ participant, adoption, skip }) => ({
    emailId: emailId('follow-up', training.slug, participant.email, adoption.strategy.id),
    to: participant.email,
    skip,
    build: () => composerFor(participant)(participant, adoption),
  }));
};
