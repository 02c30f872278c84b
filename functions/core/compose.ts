// Turning a compiled template into one participant's message: their values, their signed reply
// address and one-click links, their calendar, the headers that keep a training's mail in one
// thread and make replies routable. Everything that is the same for all recipients of a send is
// prepared once in `prepareTrainingSend`; the per-recipient function only fills and assembles.
import { fillEmail, type CompiledEmail } from '#emails/fill';
import { kickoffValues, trainingValues } from '#emails/values';
import { kickoffCalendar, trainingCalendarBuilder, type CalendarPerson } from './ics.ts';
import { listHeaders, threadHeaders } from './headers.ts';
import { buildMessage, formatAddress, type Address } from './mime.ts';
import type { EmailKind, Participant, Series, Training } from './model.ts';
import { participantKey } from './short-key.ts';
import { replyAddress, signLinkToken, signReplyToken, type Secrets } from './tokens.ts';

export interface MailSettings {
  /** Domain of our Message-IDs and calendar UIDs. */
  domain: string;
  /** Where replies are received: reply+<token>@<inboundDomain>. */
  inboundDomain: string;
  /** From header: `Baton <training@example.com>`; the trainer's name is shown as the sender name. */
  senderAddress: string;
  /** Base of one-click links, e.g. https://links.example.com (locally http://localhost:8787). */
  linksBaseUrl: string;
  secrets: Secrets;
  /** Minutes of the personal focus hold in the training calendar. */
  focusMinutes?: number;
}

/** Every email to one person about one thing has one id; the delivery ledger keys on it. */
export function emailId(kind: EmailKind, trainingSlug: string | undefined, email: string): string {
  return `${kind}#${trainingSlug ?? '-'}#${email}`;
}

/** One-click links stay valid until well after the series: a year past the last window. */
export function linkExpiry(trainings: readonly Training[]): Date {
  const last = trainings.reduce((max, t) => (t.closes > max ? t.closes : max), '1970-01-01');
  return new Date(Date.parse(`${last}T00:00:00Z`) + 365 * 86_400_000);
}

export function linkUrl(settings: MailSettings, token: string): string {
  return `${settings.linksBaseUrl.replace(/\/$/, '')}/l/${token}`;
}

/**
 * The calendar ORGANIZER is the trainer by name, but an address Baton receives: accepting a
 * hold must not send thousands of RSVP mails to the trainer's own inbox.
 */
export function organizerFor(series: Series, settings: MailSettings): CalendarPerson {
  const trainer = series.trainers[0]!;
  return { name: trainer.name, email: `rsvp@${settings.inboundDomain}` };
}

/** Mail comes from Baton's sending address, under the trainer's name people recognise. */
function fromHeader(series: Series, settings: MailSettings): Address {
  const trainer = series.trainers[0]!;
  const address = settings.senderAddress.match(/<([^>]+)>/)?.[1] ?? settings.senderAddress;
  return { name: `${trainer.name} via Baton`, address };
}

function commonLinks(series: Series, trainings: readonly Training[], participant: Participant, settings: MailSettings, trainingOrder: number) {
  const expiresAt = linkExpiry(trainings);
  const token = signReplyToken({ seriesId: series.id, trainingOrder, participantEmail: participant.email }, settings.secrets);
  const unsubscribe = linkUrl(
    settings,
    signLinkToken({ action: 'unsubscribe', seriesId: series.id, participantEmail: participant.email, expiresAt }, settings.secrets),
  );
  return { replyAddress: replyAddress(token, settings.inboundDomain), unsubscribe, expiresAt };
}

function headersFor(series: Series, settings: MailSettings, unsubscribe: string): Record<string, string> {
  const https = unsubscribe.startsWith('https://');
  return {
    ...(https
      ? listHeaders({ unsubscribeUrl: unsubscribe, listId: `${series.id}.${settings.domain}`, listName: series.title })
      : {
          // Locally the links server is plain http; RFC 8058 one-click needs https, so only the
          // URL is offered and the rest of the bulk headers stay as in production.
          'List-Unsubscribe': `<${unsubscribe}>`,
          'List-Id': `"${series.title.replace(/["\\]/g, '')}" <${series.id}.${settings.domain}>`,
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
        }),
  };
}

export interface ComposedMail {
  from: string;
  to: string;
  raw: string;
  messageId: string;
}

export interface TrainingSend {
  series: Series;
  training: Training;
  trainings: readonly Training[];
  template: CompiledEmail;
  settings: MailSettings;
  /** DTSTAMP and the Date header. */
  now: Date;
  /** Calendar SEQUENCE: 0 first, +1 for every update of the same training. */
  sequence?: number;
}

/** Prepares a training send once; returns the per-participant composer. */
export function prepareTrainingSend(send: TrainingSend): (participant: Participant) => ComposedMail {
  const { series, training, trainings, template, settings, now } = send;
  const organizer = organizerFor(series, settings);
  const calendar = trainingCalendarBuilder({
    series,
    training,
    organizer,
    domain: settings.domain,
    sequence: send.sequence ?? 0,
    dtstamp: now,
    focusMinutes: settings.focusMinutes ?? 30,
    position: `${trainings.findIndex((t) => t.slug === training.slug) + 1} of ${trainings.length}`,
  });
  const from = fromHeader(series, settings);
  return (participant) => {
    const links = commonLinks(series, trainings, participant, settings, training.order);
    const read = linkUrl(
      settings,
      signLinkToken(
        { action: 'read', seriesId: series.id, trainingSlug: training.slug, participantEmail: participant.email, expiresAt: links.expiresAt },
        settings.secrets,
      ),
    );
    const filled = fillEmail(template, trainingValues({ series, training, trainings, participant, links: { ...links, read } }));
    const thread = threadHeaders({
      kind: 'training',
      seriesId: series.id,
      trainingSlug: training.slug,
      participantKey: participantKey(series.id, participant.email),
      domain: settings.domain,
    });
    const raw = buildMessage({
      from,
      to: { name: participant.name, address: participant.email },
      replyTo: links.replyAddress,
      subject: filled.subject,
      date: now,
      messageId: thread.messageId,
      inReplyTo: thread.inReplyTo,
      references: thread.references,
      headers: headersFor(series, settings, links.unsubscribe),
      text: filled.text,
      html: filled.html,
      calendar: { method: 'REQUEST', ics: calendar(participant) },
      boundarySeed: thread.messageId,
    });
    return { from: formatAddress(from), to: participant.email, raw, messageId: thread.messageId };
  };
}

export interface KickoffSend {
  series: Series;
  trainings: readonly Training[];
  template: CompiledEmail;
  settings: MailSettings;
  now: Date;
  sequence?: number;
}

export function prepareKickoffSend(send: KickoffSend): (participant: Participant) => ComposedMail {
  const { series, trainings, template, settings, now } = send;
  const organizer = organizerFor(series, settings);
  const from = fromHeader(series, settings);
  return (participant) => {
    // Replies to the kickoff are about the series as a whole; the first training routes them.
    const first = trainings[0]!;
    const links = commonLinks(series, trainings, participant, settings, first.order);
    const filled = fillEmail(template, kickoffValues({ series, trainings, participant, links }));
    const thread = threadHeaders({
      kind: 'kickoff',
      seriesId: series.id,
      participantKey: participantKey(series.id, participant.email),
      domain: settings.domain,
    });
    const ics = kickoffCalendar({
      series,
      trainings,
      attendee: { name: participant.name, email: participant.email },
      organizer,
      domain: settings.domain,
      sequence: send.sequence ?? 0,
      dtstamp: now,
    });
    const raw = buildMessage({
      from,
      to: { name: participant.name, address: participant.email },
      replyTo: links.replyAddress,
      subject: filled.subject,
      date: now,
      messageId: thread.messageId,
      inReplyTo: thread.inReplyTo,
      references: thread.references,
      headers: headersFor(series, settings, links.unsubscribe),
      text: filled.text,
      html: filled.html,
      calendar: { method: 'REQUEST', ics },
      boundarySeed: thread.messageId,
    });
    return { from: formatAddress(from), to: participant.email, raw, messageId: thread.messageId };
  };
}
