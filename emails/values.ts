// Per-recipient values for the compiled templates: only what differs between participants (their
// name, their zone's deadline, their signed links). Everything else was baked in at compile time.
// Runtime code: no mjml here, nor in anything imported.
import type { Participant, Series, Training } from '#core/model';
import { formatDeadline, formatWindow, timeZoneName } from './dates.ts';
import { encodeMailtoAddress } from './escape.ts';

export interface RecipientLinks {
  /** Where replies go: the participant's signed reply address. */
  replyAddress: string;
  /** One-click unsubscribe URL (signed). */
  unsubscribe: string;
}

export interface TrainingLinks extends RecipientLinks {
  /** One-click "mark as read" URL (signed). */
  read: string;
}

/** Values every email's layout needs. */
export interface LayoutValues extends Record<string, string> {
  unsubscribeUrl: string;
  timeZoneName: string;
}

export interface KickoffValues extends LayoutValues {
  firstName: string;
  replyAddress: string;
  replyTo: string;
}

export interface TrainingValues extends KickoffValues {
  window: string;
  deadline: string;
  readUrl: string;
}

/** What the email calls the participant: the first word of their name. */
export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

export function layoutValues(participant: Participant, links: RecipientLinks, at: Date): LayoutValues {
  return { unsubscribeUrl: links.unsubscribe, timeZoneName: timeZoneName(participant.timeZone, at) };
}

function replyValues(links: RecipientLinks): { replyAddress: string; replyTo: string } {
  // replyTo goes inside mailto: hrefs, so it is percent-encoded; replyAddress is what people read.
  return { replyAddress: links.replyAddress, replyTo: encodeMailtoAddress(links.replyAddress) };
}

export function kickoffValues(input: {
  series: Series;
  trainings: readonly Training[];
  participant: Participant;
  links: RecipientLinks;
}): KickoffValues {
  const first = [...input.trainings].sort((a, b) => a.order - b.order)[0];
  // The zone's name as it will be when the series starts (summer and winter names differ).
  const at = first ? new Date(`${first.opens}T12:00:00Z`) : new Date(0);
  return {
    ...layoutValues(input.participant, input.links, at),
    firstName: firstName(input.participant.name),
    ...replyValues(input.links),
  };
}

export function trainingValues(input: {
  series: Series;
  training: Training;
  trainings: readonly Training[];
  participant: Participant;
  links: TrainingLinks;
}): TrainingValues {
  const { training, participant, links } = input;
  const tz = participant.timeZone;
  return {
    ...layoutValues(participant, links, new Date(`${training.closes}T12:00:00Z`)),
    firstName: firstName(participant.name),
    ...replyValues(links),
    window: formatWindow(training.opens, training.closes),
    deadline: formatDeadline(training.closes, tz),
    readUrl: links.read,
  };
}
