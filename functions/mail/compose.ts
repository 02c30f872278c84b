// Turning a compiled template into one participant's message: their values, their signed reply
// address and one-click links, their calendar, the headers that keep a training's mail in one
// thread and make replies routable. Everything that is the same for all recipients of a send is
// prepared once in `prepareTrainingSend`; the per-recipient function only fills and assembles.
import { fillEmail, fillEmailParts, fillTemplate, placeholdersOf, type CompiledEmail } from './fill.ts';
import { firstName, kickoffValues, layoutValues, trainingValues } from './values.ts';
import { escapeHtml } from './escape.ts';
import { followUpValues, reminderValues, wrapUpValues, type WrapUpTotals } from './values.ts';
import { uploadLinkEmail, type SkippedFile } from './upload-link.ts';
import { ackBody, type AckBodyInput, type LinkSigner } from './doubts.ts';
import { formatDeadline, formatWindow, timeZoneName } from './dates.ts';
import { focusCalendar, trainingFilename, windowCalendar, type CalendarFile, type CalendarPerson, type MailCalendars } from './calendar.ts';
import { listHeaders, listIdValue, threadHeaders } from './headers.ts';
import { buildMessage, formatAddress, type Address } from './mime.ts';
import { wantsCalendars } from '#core/audience';
import { languageOf, t } from './messages/index.ts';
import type { EmailKind, Language, Participant, Series, Trainer, Training } from '#core/model';
import { sanitizeLine } from '#core/sanitize';
import { participantKey } from '#core/short-key';
import { linkExpiry, replyAddress, replyExpiry, signLinkToken, signReplyToken, type ReplyAnswers, type ReplyTarget, type Secrets } from '#core/tokens';

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

// The ledger's key of one email: in core/records.ts, so fanning out (app/fan-out.ts) reads the
// ledger without loading composition.
export { emailId } from '#core/records';

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

/**
 * The links every email carries. `answers` goes into the reply address: the same words mean
 * different things in answer to different emails, and only the signed address can say which.
 */
function commonLinks(
  series: Series,
  trainings: readonly Training[],
  participant: Participant,
  settings: MailSettings,
  trainingOrder: number,
  answers: ReplyAnswers,
  target?: ReplyTarget,
) {
  const expiresAt = linkExpiry(trainings);
  const token = signReplyToken(
    { seriesId: series.id, trainingOrder, participantEmail: participant.email, answers, ...(target ? { target } : {}), expiresAt: replyExpiry(series, trainings) },
    settings.secrets,
  );
  const unsubscribe = linkUrl(
    settings,
    signLinkToken({ action: 'unsubscribe', seriesId: series.id, participantEmail: participant.email, expiresAt }, settings.secrets),
  );
  const calendarsOff = linkUrl(
    settings,
    signLinkToken({ action: 'calendars-off', seriesId: series.id, participantEmail: participant.email, expiresAt }, settings.secrets),
  );
  const preferences = linkUrl(settings, signLinkToken({ action: 'preferences', seriesId: series.id, participantEmail: participant.email, expiresAt }, settings.secrets));
  return { replyAddress: replyAddress(token, settings.inboundDomain), unsubscribe, calendarsOff, preferences, expiresAt };
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
          // Shared with listHeaders: a non-ASCII title unencoded here made buildMessage refuse every local send.
          'List-Id': listIdValue(`${series.id}.${settings.domain}`, series.title),
          'Auto-Submitted': 'auto-generated',
          'X-Auto-Response-Suppress': 'All',
        }),
    // Mail the series sends on its schedule, to many people at once: out-of-office replies and
    // vacation responders leave it alone. Answers to one person (ack, upload-link) drop it.
    Precedence: 'bulk',
  };
}

/** Headers of an answer to someone's own message: list mail, but personal, so not bulk. */
function answerHeaders(series: Series, settings: MailSettings, unsubscribe: string): Record<string, string> {
  const { Precedence: _bulk, ...rest } = headersFor(series, settings, unsubscribe);
  return { ...rest, 'Auto-Submitted': 'auto-replied' };
}

export interface ComposedMail {
  from: string;
  to: string;
  raw: string;
  messageId: string;
}

/** What differs between Baton's emails once their content is filled: the rest is assembled alike. */
interface Envelope {
  kind: EmailKind;
  series: Series;
  settings: MailSettings;
  from: Address;
  to: { name: string; email: string; calendars?: boolean | undefined };
  trainingSlug?: string;
  /** Tells apart mails that may be sent more than once for the same kind, training and person. */
  extra?: string;
  replyTo?: string | Address;
  filled: { subject: string; text: string | string[]; html: string | string[] };
  date: Date;
  headers: Record<string, string>;
  /** Left out for someone who turned calendar entries off: the same email, without them. */
  calendars?: MailCalendars;
  /** The cancellation sent because they turned entries off carries its calendars regardless. */
  forceCalendars?: boolean;
  /** An answer to a received message threads under it rather than under the training. */
  answering?: string;
}

// The Message-ID being answered is the sender's: a 5,000-character or NUL-laden one would go
// into In-Reply-To and References as is. A real one is short printable ASCII; anything else
// threads under the training instead.
const ANSWERABLE_ID = /^<[!-;=?-~]{1,250}>$/;

function calendarParts(c: MailCalendars) {
  return {
    ...(c.invite ? { calendar: { method: c.invite.method, ics: c.invite.ics } } : {}),
    ...(c.files.length ? { calendarFiles: c.files.map((f) => ({ filename: f.filename, ics: f.ics })) } : {}),
  };
}

/** Message-ID, threading and MIME for one recipient: the tail every composer shares. */
function assemble(e: Envelope): ComposedMail {
  const answering = e.answering !== undefined && ANSWERABLE_ID.test(e.answering) ? e.answering : undefined;
  const thread = threadHeaders({
    kind: e.kind,
    seriesId: e.series.id,
    ...(e.trainingSlug ? { trainingSlug: e.trainingSlug } : {}),
    participantKey: participantKey(e.series.id, e.to.email),
    domain: e.settings.domain,
    ...(e.extra !== undefined ? { extra: e.extra } : {}),
  });
  const raw = buildMessage({
    from: e.from,
    to: { name: e.to.name, address: e.to.email },
    ...(e.replyTo ? { replyTo: e.replyTo } : {}),
    subject: e.filled.subject,
    date: e.date,
    messageId: thread.messageId,
    inReplyTo: answering ?? thread.inReplyTo,
    references: answering ? [...thread.references.slice(0, 1), answering] : thread.references,
    headers: e.headers,
    text: e.filled.text,
    html: e.filled.html,
    ...(e.calendars && (e.forceCalendars || wantsCalendars(e.to)) ? calendarParts(e.calendars) : {}),
    boundarySeed: thread.messageId,
  });
  // SES takes this as FromEmailAddress, one line: encoded words separated by a space, not a fold.
  return { from: formatAddress(e.from).replace(/\r\n /g, ' '), to: e.to.email, raw, messageId: thread.messageId };
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
  /** A daily bite after the overview: the calendar stays as the overview placed it, so no calendar parts. */
  withoutCalendars?: boolean;
  /** Tells a re-send apart from the original: its own Message-ID, since mail clients drop a second message with an id they hold. */
  extra?: string;
}

/** Prepares a training send once; returns the per-participant composer. */
export function prepareTrainingSend(send: TrainingSend): (participant: Participant) => ComposedMail {
  const { series, training, trainings, template, settings, now } = send;
  const organizer = organizerFor(series, settings);
  const common = { series, training, organizer, domain: settings.domain, sequence: send.sequence ?? 0, dtstamp: now };
  const window = perLanguage(series, (language) => windowCalendar({ ...common, method: 'REQUEST', position: positionOf(training, trainings, language), language }));
  const minutes = settings.focusMinutes ?? 30;
  const focus = minutes > 0 ? perLanguage(series, (language) => focusCalendar({ ...common, method: 'PUBLISH', minutes, language })) : undefined;
  const from = fromHeader(series, settings);
  return (participant) => {
    const links = commonLinks(series, trainings, participant, settings, training.order, 'training');
    const read = linkUrl(
      settings,
      signLinkToken(
        { action: 'read', seriesId: series.id, trainingSlug: training.slug, participantEmail: participant.email, expiresAt: links.expiresAt },
        settings.secrets,
      ),
    );
    const filled = fillEmailParts(template, trainingValues({ series, training, trainings, participant, links: { ...links, read } }));
    return assemble({
      kind: 'training',
      series,
      settings,
      from,
      to: participant,
      trainingSlug: training.slug,
      ...(send.extra !== undefined ? { extra: send.extra } : {}),
      replyTo: links.replyAddress,
      filled,
      date: now,
      headers: headersFor(series, settings, links.unsubscribe),
      // Built only for those who keep calendar entries: the fill is most of a send's cost.
      ...(wantsCalendars(participant) && !send.withoutCalendars
        ? { calendars: { invite: { method: 'REQUEST' as const, filename: 'invite.ics', ics: window(participant)(participant) }, files: focus ? [focusFile(focus(participant)(participant))] : [] } }
        : {}),
    });
  };
}

/** "2 of 4": where a training sits in the series, for the calendar text (in `language`). */
function positionOf(training: Training, trainings: readonly Training[], language: Language = 'en'): string {
  return t(language, 'calendar.position', { n: trainings.findIndex((x) => x.slug === training.slug) + 1, of: trainings.length });
}

/**
 * What a send builds once per language its recipients read (calendar text): `make` runs the
 * first time someone reading that language needs it.
 */
function perLanguage<T>(series: Series, make: (language: Language) => T): (participant: Participant) => T {
  const made = new Map<Language, T>();
  return (participant) => {
    const language = languageOf(participant, series);
    let value = made.get(language);
    if (value === undefined) made.set(language, (value = make(language)));
    return value;
  };
}

function focusFile(ics: string): CalendarFile {
  return { method: 'PUBLISH', filename: 'focus.ics', ics };
}

export interface KickoffSend {
  series: Series;
  trainings: readonly Training[];
  template: CompiledEmail;
  settings: MailSettings;
  now: Date;
  sequence?: number;
  /** Per training slug: the SEQUENCE of a training whose window moved since it was announced. */
  sequences?: Readonly<Record<string, number>>;
}

export function prepareKickoffSend(send: KickoffSend): (participant: Participant) => ComposedMail {
  const { series, trainings, template, settings, now } = send;
  const organizer = organizerFor(series, settings);
  const from = fromHeader(series, settings);
  // The overview: one PUBLISH file per window, the same for everyone (PUBLISH names no attendee),
  // so it is built once per send. Each training's own email brings the invitation.
  const overview = perLanguage(series, (language): CalendarFile[] =>
    trainings.map((training) => ({
      method: 'PUBLISH',
      filename: trainingFilename(training),
      ics: windowCalendar({
        series,
        training,
        organizer,
        domain: settings.domain,
        method: 'PUBLISH',
        sequence: send.sequences?.[training.slug] ?? send.sequence ?? 0,
        dtstamp: now,
        position: positionOf(training, trainings, language),
        language,
      })(),
    })),
  );
  return (participant) => {
    // Replies to the kickoff are about the series as a whole; the first training routes them.
    const first = trainings[0]!;
    const links = commonLinks(series, trainings, participant, settings, first.order, 'kickoff');
    const filled = fillEmailParts(template, kickoffValues({ series, trainings, participant, links }));
    return assemble({
      kind: 'kickoff',
      series,
      settings,
      from,
      to: participant,
      replyTo: links.replyAddress,
      filled,
      date: now,
      headers: headersFor(series, settings, links.unsubscribe),
      calendars: { files: overview(participant) },
    });
  };
}

// ---- weekly digest (to trainers) and roll-up (to participants) --------------------------------

/** The week's body of a digest or roll-up, rendered at send time: trusted HTML and its text twin. */
export interface RenderedBody {
  html: string;
  text: string;
}

export interface DigestSend {
  series: Series;
  template: CompiledEmail;
  settings: MailSettings;
  now: Date;
  /** `2027-w04`: one digest per trainer and week (the ledger and the Message-ID key on it). */
  week: string;
  weekLabel: string;
  body: RenderedBody;
  trainings: readonly Training[];
}

/** One digest per trainer; the body is the same for all of them and rendered once. */
export function prepareDigestSend(send: DigestSend): (trainer: Trainer) => ComposedMail {
  const { series, template, settings, now } = send;
  const from = fromHeader(series, settings);
  const expiresAt = linkExpiry(send.trainings);
  return (trainer) => {
    const unsubscribe = linkUrl(
      settings,
      signLinkToken({ action: 'unsubscribe', seriesId: series.id, participantEmail: trainer.email, expiresAt }, settings.secrets),
    );
    const filled = fillEmailParts(template, {
      unsubscribeUrl: unsubscribe,
      timeZoneName: timeZoneName(trainer.timeZone, now),
      firstName: firstName(trainer.name),
      weekLabel: send.weekLabel,
      digestHtml: send.body.html,
      digestText: send.body.text,
    });
    return assemble({
      kind: 'digest',
      series,
      settings,
      from,
      to: trainer,
      extra: send.week,
      filled,
      date: now,
      // A report for the trainers, not list mail: no List-Unsubscribe, but keep auto-replies away.
      headers: { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All', Precedence: 'bulk' },
    });
  };
}

/** Signed per-recipient links for the contributions a roll-up shows. */
export interface RollupLinks {
  kudos(responseId: string, trainingSlug: string): string;
  /** The reply address whose replies become a comment on that contribution. */
  commentAddress(responseId: string, trainingOrder: number): string;
}

export interface RollupSend {
  series: Series;
  trainings: readonly Training[];
  template: CompiledEmail;
  settings: MailSettings;
  now: Date;
  week: string;
  weekLabel: string;
  /** The recipient's list, or undefined when teammates shared nothing new for them. */
  render(participant: Participant, links: RollupLinks): (RenderedBody & { count: number }) | undefined;
  /** The language `template` is written in. */
  language?: Language;
}

export function prepareRollupSend(send: RollupSend): (participant: Participant) => ComposedMail | undefined {
  const { series, trainings, template, settings, now } = send;
  const from = fromHeader(series, settings);
  // General replies to a roll-up are about the training running now (or the last one that ran).
  const today = now.toISOString().slice(0, 10);
  const ordered = [...trainings].sort((a, b) => a.order - b.order);
  const current = ordered.filter((t) => t.opens <= today).at(-1) ?? ordered[0]!;
  return (participant) => {
    const links = commonLinks(series, trainings, participant, settings, current.order, 'rollup');
    const body = send.render(participant, {
      kudos: (responseId, trainingSlug) =>
        linkUrl(
          settings,
          signLinkToken(
            { action: 'kudos', seriesId: series.id, trainingSlug, participantEmail: participant.email, responseId, expiresAt: links.expiresAt },
            settings.secrets,
          ),
        ),
      commentAddress: (responseId, trainingOrder) =>
        replyAddress(
          signReplyToken(
            {
              seriesId: series.id,
              trainingOrder,
              participantEmail: participant.email,
              target: { kind: 'response', responseId },
              answers: 'contribution',
              expiresAt: replyExpiry(series, trainings),
            },
            settings.secrets,
          ),
          settings.inboundDomain,
        ),
    });
    if (!body) return undefined;
    const filled = fillEmailParts(template, {
      unsubscribeUrl: links.unsubscribe,
      calendarsOffUrl: links.calendarsOff,
      preferencesUrl: links.preferences,
      timeZoneName: timeZoneName(participant.timeZone, now, send.language),
      firstName: firstName(participant.name),
      weekLabel: send.weekLabel,
      rollupCount: t(send.language ?? 'en', 'count.contributions', { n: body.count }),
      rollupHtml: body.html,
      rollupText: body.text,
    });
    return assemble({
      kind: 'rollup',
      series,
      settings,
      from,
      to: participant,
      extra: send.week,
      replyTo: links.replyAddress,
      filled,
      date: now,
      headers: headersFor(series, settings, links.unsubscribe),
    });
  };
}

// ---------------------------------------------------------------------------------------------
// Inbound: what we sent (to recognise it quoted in a reply) and what we answer with.

export interface SentTextInput {
  series: Series;
  training: Training;
  trainings: readonly Training[];
  /** The compiled template of the email being answered (training/<slug>, or kickoff). */
  template: CompiledEmail;
  kind: 'training' | 'kickoff';
  settings: MailSettings;
  participant: Participant;
}

/**
 * The plain text this participant was sent, rebuilt from the template: the trimmer recognises its
 * lines when a client quotes them without `>` (Outlook), and cuts there.
 */
export function sentTextFor(input: SentTextInput): string {
  const { series, training, trainings, template, settings, participant } = input;
  const links = commonLinks(series, trainings, participant, settings, input.kind === 'kickoff' ? trainings[0]!.order : training.order, input.kind);
  if (input.kind === 'kickoff') return fillTemplate(template.text, kickoffValues({ series, trainings, participant, links }), 'text');
  const read = linkUrl(
    settings,
    signLinkToken(
      { action: 'read', seriesId: series.id, trainingSlug: training.slug, participantEmail: participant.email, expiresAt: links.expiresAt },
      settings.secrets,
    ),
  );
  return fillTemplate(template.text, trainingValues({ series, training, trainings, participant, links: { ...links, read } }), 'text');
}

/**
 * An email whose filled text depends on state the reply does not carry (the roll-up's week, a
 * reminder's status, the wrap-up's totals, the ack's record), as far as the reply's address tells:
 * the recipient's and the training's values filled in, the rest left empty. The trimmer matches
 * its lines where a client quotes it without ">"; the state-dependent parts are quoted between them.
 */
export function sentTextLike(input: Omit<SentTextInput, 'kind'> & { answers?: ReplyAnswers }): string {
  const { series, training, trainings, template, settings, participant } = input;
  // The reply address says which email it answers, so the text quoted back carries that address.
  const links = commonLinks(series, trainings, participant, settings, training.order, input.answers ?? 'training');
  const known: Record<string, unknown> = {
    ...kickoffValues({ series, trainings, participant, links }),
    ...trainingValues({ series, training, trainings, participant, links: { ...links, read: '' } }),
  };
  const values = Object.fromEntries(placeholdersOf(template.text).map((name) => [name, typeof known[name] === 'string' ? (known[name] as string) : '']));
  return fillTemplate(template.text, values, 'text');
}

export interface AckSend {
  series: Series;
  training: Training;
  trainings: readonly Training[];
  /** The compiled `ack` template; absent for a series published before acks existed (plain fallback). */
  template: CompiledEmail | undefined;
  settings: MailSettings;
  now: Date;
  /** The language `template` is written in: the recorded lines and zone name follow it. */
  language?: Language;
}

export interface AckInput {
  participant: Participant;
  /** What was recorded (with corrections), or the question when nothing could be, and preference undos. */
  body?: Omit<AckBodyInput, 'sign' | 'training'>;
  /** The first record acknowledged: a reply to this ack corrects it. */
  ackTarget?: string;
  /** The participant's subject; the ack answers with "Re: " in front. */
  subject: string;
  /** Message-ID of the reply being acknowledged. */
  inReplyTo: string;
  /** "your adoption of #2 Write a shared agenda" … */
  understood: string;
  /** The start of what they wrote, as teammates will see it. */
  excerpt: string;
  /** Short hash of the reply's Message-ID, so each reply has its own ack id. */
  hash: string;
}

// The ack's subject is the sender's, so anything can be in it: controls, bidi overrides that make
// "Re: gnp" read as something else, 100 KB of text. Cut at a length any client shows whole.
const MAX_ACK_SUBJECT = 250;

/** Signs one-click links for one series (the digest's tag links, the ack's corrections). */
export function linkSigner(series: Series, trainings: readonly Training[], settings: MailSettings): LinkSigner {
  const expiresAt = linkExpiry(trainings);
  return (payload) => linkUrl(settings, signLinkToken({ ...payload, seriesId: series.id, expiresAt }, settings.secrets));
}

function reSubject(subject: string): string {
  const s = sanitizeLine(subject, MAX_ACK_SUBJECT);
  return /^re\s*:/i.test(s) ? s : `Re: ${s || 'your reply'}`;
}

/** Prepares acknowledgements for one training; returns the per-reply composer. */
export function prepareAckSend(send: AckSend): (input: AckInput) => ComposedMail {
  const { series, training, trainings, template, settings, now } = send;
  const from = fromHeader(series, settings);
  return (input) => {
    const { participant } = input;
    const links = commonLinks(series, trainings, participant, settings, training.order, 'ack', input.ackTarget ? { kind: 'ack', responseId: input.ackTarget } : undefined);
    const values: Record<string, string> = {
      ...layoutValues(participant, links, now, send.language),
      subject: reSubject(input.subject),
      firstName: firstName(participant.name),
      trainingTitle: training.title,
      understood: input.understood,
      excerpt: input.excerpt,
      replyAddress: links.replyAddress,
    };
    const body = ackBody({ recorded: [], ...input.body, training, sign: linkSigner(series, trainings, settings), ...(send.language ? { language: send.language } : {}) });
    values.ackHtml = body.html;
    values.ackText = body.text;
    const filled = template
      ? fillEmail(template, values)
      : {
          subject: values.subject!,
          text: `Hi ${values.firstName}, thanks! We got your reply to "${training.title}" and read it as ${input.understood}.\n\n  ${input.excerpt}\n\n${body.text}\n\nNot what you meant? Just reply to this email and say so.\n`,
          html: '',
        };
    if (!template) filled.html = `<p>${filled.text.split('\n\n').map((p: string) => escapeHtml(p)).join('</p><p>')}</p>`;
    return assemble({
      kind: 'ack',
      series,
      settings,
      from,
      to: participant,
      trainingSlug: training.slug,
      extra: input.hash,
      replyTo: links.replyAddress,
      filled,
      date: now,
      // RFC 3834: an answer to a message is auto-replied, and must not itself be answered.
      headers: answerHeaders(series, settings, links.unsubscribe),
      answering: input.inReplyTo,
    });
  };
}

export interface UploadLinkSend {
  series: Series;
  training: Training;
  trainings: readonly Training[];
  settings: MailSettings;
  now: Date;
  participant: Participant;
  subject: string;
  inReplyTo: string;
  hash: string;
  files: SkippedFile[];
  maxFileBytes: number;
  uploadUrl?: string;
}

/** The friendly answer to files we could not keep: what was saved, and where to share them instead. */
export function composeUploadLink(send: UploadLinkSend): ComposedMail {
  const { series, training, trainings, settings, participant } = send;
  const from = fromHeader(series, settings);
  const links = commonLinks(series, trainings, participant, settings, training.order, 'upload-link');
  const mail = uploadLinkEmail({
    firstName: firstName(participant.name),
    trainingTitle: training.title,
    subject: reSubject(send.subject),
    files: send.files,
    replyAddress: links.replyAddress,
    maxFileBytes: send.maxFileBytes,
    ...(send.uploadUrl ? { uploadUrl: send.uploadUrl } : {}),
  });
  return assemble({
    kind: 'upload-link',
    series,
    settings,
    from,
    to: participant,
    trainingSlug: training.slug,
    extra: send.hash,
    replyTo: links.replyAddress,
    filled: mail,
    date: send.now,
    headers: answerHeaders(series, settings, links.unsubscribe),
    answering: send.inReplyTo,
  });
}

// ---- reminder, follow-up check-in, wrap-up ------------------------------------------------------

/** What the reminder shows of teammates' contributions: built once per send (values.ts shared*). */
export interface SharedBody {
  html: string;
  text: string;
}

export interface ReminderSend {
  series: Series;
  training: Training;
  trainings: readonly Training[];
  template: CompiledEmail;
  settings: MailSettings;
  now: Date;
  shared: SharedBody;
  /** The language `template` is written in (its values are filled in the same). */
  language?: Language;
}

/** Where a reminder's recipient stands: they may have marked it read, never contributed to it. */
export interface ReminderStatus {
  hasRead: boolean;
  /** Trainings of the series they contributed to. */
  contributed: number;
  /** Reminder fatigue: the last reminder for now, saying so (planners/reminder.ts). */
  lastForNow?: boolean;
}

/** A reminder sits in its training's thread and its replies route like replies to the training. */
export function prepareReminderSend(send: ReminderSend): (participant: Participant, status: ReminderStatus) => ComposedMail {
  const { series, training, trainings, template, settings, now } = send;
  const from = fromHeader(series, settings);
  return (participant, status) => {
    const links = commonLinks(series, trainings, participant, settings, training.order, 'reminder');
    const filled = fillEmailParts(
      template,
      reminderValues({
        series,
        training,
        trainings,
        participant,
        links,
        hasRead: status.hasRead,
        contributed: status.contributed,
        shared: send.shared,
        ...(send.language ? { language: send.language } : {}),
        ...(status.lastForNow ? { lastForNow: true } : {}),
      }),
    );
    return assemble({
      kind: 'reminder',
      series,
      settings,
      from,
      to: participant,
      trainingSlug: training.slug,
      replyTo: links.replyAddress,
      filled,
      date: now,
      headers: headersFor(series, settings, links.unsubscribe),
    });
  };
}

export interface FollowUpSend {
  series: Series;
  training: Training;
  trainings: readonly Training[];
  template: CompiledEmail;
  settings: MailSettings;
  now: Date;
  /** The language `template` is written in. */
  language?: Language;
}

/** The adoption a check-in asks about: the adopt response and the strategy it named. */
export interface Adoption {
  responseId: string;
  strategy: { id: string; title: string };
}

/**
 * One check-in per adoption. Its rating links and its reply address both carry the adopt
 * response's id, so a click or a written answer is stored as a follow-up on that adoption.
 */
export function prepareFollowUpSend(send: FollowUpSend): (participant: Participant, adoption: Adoption) => ComposedMail {
  const { series, training, trainings, template, settings, now } = send;
  const from = fromHeader(series, settings);
  return (participant, adoption) => {
    const links = commonLinks(series, trainings, participant, settings, training.order, 'check-in');
    const checkIn = replyAddress(
      signReplyToken(
        {
          seriesId: series.id,
          trainingOrder: training.order,
          participantEmail: participant.email,
          target: { kind: 'check-in', responseId: adoption.responseId },
          answers: 'check-in',
          expiresAt: replyExpiry(series, trainings),
        },
        settings.secrets,
      ),
      settings.inboundDomain,
    );
    const rating = (n: number) =>
      linkUrl(
        settings,
        signLinkToken(
          {
            action: 'rating',
            seriesId: series.id,
            trainingSlug: training.slug,
            participantEmail: participant.email,
            responseId: adoption.responseId,
            rating: n,
            expiresAt: links.expiresAt,
          },
          settings.secrets,
        ),
      );
    const filled = fillEmailParts(
      template,
      followUpValues({
        training,
        participant,
        strategy: adoption.strategy,
        links: { replyAddress: checkIn, unsubscribe: links.unsubscribe, calendarsOff: links.calendarsOff, preferences: links.preferences, ratings: [rating(1), rating(2), rating(3), rating(4), rating(5)] },
        now,
        ...(send.language ? { language: send.language } : {}),
      }),
    );
    return assemble({
      kind: 'follow-up',
      series,
      settings,
      from,
      to: participant,
      trainingSlug: training.slug,
      extra: adoption.strategy.id,
      replyTo: checkIn,
      filled,
      date: now,
      headers: headersFor(series, settings, links.unsubscribe),
    });
  };
}

export interface WrapUpSend {
  series: Series;
  trainings: readonly Training[];
  template: CompiledEmail;
  settings: MailSettings;
  now: Date;
  totals: WrapUpTotals;
  /** The language `template` is written in. */
  language?: Language;
}

/** The wrap-up: series-wide, so it is threaded with the kickoff; replies route to the last training. */
export function prepareWrapUpSend(send: WrapUpSend): (participant: Participant, contributed: number) => ComposedMail {
  const { series, trainings, template, settings, now } = send;
  const from = fromHeader(series, settings);
  const last = [...trainings].sort((a, b) => a.order - b.order).at(-1)!;
  return (participant, contributed) => {
    const links = commonLinks(series, trainings, participant, settings, last.order, 'wrap-up');
    const filled = fillEmailParts(template, wrapUpValues({ series, trainings, participant, links, totals: send.totals, contributed, now, ...(send.language ? { language: send.language } : {}) }));
    return assemble({
      kind: 'wrap-up',
      series,
      settings,
      from,
      to: participant,
      replyTo: links.replyAddress,
      filled,
      date: now,
      headers: headersFor(series, settings, links.unsubscribe),
    });
  };
}

// ---- calendar updates and cancellations (re-publishing, unenrolling) ---------------------------

export interface UpdateSend {
  series: Series;
  /** The training as it is now, after its window moved. */
  training: Training;
  trainings: readonly Training[];
  template: CompiledEmail;
  settings: MailSettings;
  now: Date;
  /** The training's new SEQUENCE, above every one its events carried before. */
  sequence: number;
}

/**
 * "<training> moved": the same UIDs with the new window and a higher SEQUENCE. Someone who got the
 * training email holds its invitation and their focus hold: the window comes as a REQUEST, the
 * hold as a PUBLISH beside it. Someone who only got the kickoff holds the overview's entry: it is
 * published again, and they get no focus hold they never had.
 */
export function prepareUpdateSend(send: UpdateSend): (participant: Participant, holds: { focus: boolean }) => ComposedMail {
  const { series, training, trainings, template, settings, now, sequence } = send;
  const organizer = organizerFor(series, settings);
  const base = (language: Language) => ({ series, training, organizer, domain: settings.domain, sequence, dtstamp: now, position: positionOf(training, trainings, language), language });
  const invitation = perLanguage(series, (language) => windowCalendar({ ...base(language), method: 'REQUEST' }));
  const published = perLanguage(series, (language) => windowCalendar({ ...base(language), method: 'PUBLISH' }));
  const minutes = settings.focusMinutes ?? 30;
  const focus = minutes > 0 ? perLanguage(series, (language) => focusCalendar({ ...base(language), method: 'PUBLISH', minutes })) : undefined;
  const from = fromHeader(series, settings);
  const window = formatWindow(training.opens, training.closes);
  return (participant, holds) => {
    const links = commonLinks(series, trainings, participant, settings, training.order, 'training');
    const filled = fillEmailParts(template, {
      ...layoutValues(participant, links, now),
      firstName: firstName(participant.name),
      trainingTitle: training.title,
      window,
      deadline: formatDeadline(training.closes, participant.timeZone),
      holds: holds.focus ? 'its window and your focus time' : 'its window',
    });
    return assemble({
      kind: 'update',
      series,
      settings,
      from,
      to: participant,
      trainingSlug: training.slug,
      extra: `s${sequence}`,
      replyTo: links.replyAddress,
      filled,
      date: now,
      headers: headersFor(series, settings, links.unsubscribe),
      calendars: holds.focus
        ? { invite: { method: 'REQUEST', filename: 'invite.ics', ics: invitation(participant)(participant) }, files: focus ? [focusFile(focus(participant)(participant))] : [] }
        : { files: [{ method: 'PUBLISH', filename: trainingFilename(training), ics: published(participant)() }] },
    });
  };
}

export interface CancelSend {
  series: Series;
  /** The trainings being cancelled, as they were announced. */
  cancelled: readonly Training[];
  /** The series' trainings, for link expiry and reply routing. */
  trainings: readonly Training[];
  template: CompiledEmail;
  settings: MailSettings;
  now: Date;
  /** Per cancelled training: its SEQUENCE, above every one its events carried before. */
  sequences: Readonly<Record<string, number>>;
  /** `cancel` of one training (threaded with it), or `removed`: the reader left the series. */
  reason: 'training' | 'removed' | 'calendars-off';
}

/**
 * METHOD:CANCEL with STATUS:CANCELLED for the same UIDs, one calendar object each; `focusFor`
 * names the trainings whose focus hold was sent. A cancelled training's window is the invitation;
 * someone removed from the series gets the first window's cancellation inline and every placed
 * entry as its own CANCEL file (Outlook reads one object per message, so the files are what
 * lets every client drop the rest).
 */
export function prepareCancelSend(send: CancelSend): (participant: Participant, focusFor: ReadonlySet<string>) => ComposedMail {
  const { series, cancelled, trainings, template, settings, now, sequences } = send;
  const organizer = organizerFor(series, settings);
  const from = fromHeader(series, settings);
  const only = send.reason === 'training' ? cancelled[0] : undefined;
  if (send.reason === 'training' && cancelled.length !== 1) throw new RangeError(`a training cancellation names one training, got ${cancelled.length}`);
  const routeTo = only ?? [...trainings].sort((a, b) => a.order - b.order)[0] ?? cancelled[0];
  if (!routeTo) throw new RangeError('a cancellation needs at least one training to cancel');
  const seq = (t: Training) => sequences[t.slug] ?? Math.max(0, ...Object.values(sequences));
  const common = { series, organizer, domain: settings.domain, dtstamp: now };
  const windowsIn = perLanguage(series, (language) => cancelled.map((training) => windowCalendar({ ...common, training, method: 'CANCEL', sequence: seq(training), language })));
  const minutes = settings.focusMinutes ?? 30;
  const holdsIn = perLanguage(series, (language) =>
    minutes > 0 ? cancelled.map((training) => focusCalendar({ ...common, training, method: 'CANCEL', sequence: seq(training), minutes, language })) : [],
  );
  // "Reply and tell the trainers": the removed have no reply route left, so replies go to the trainer.
  const trainer = series.trainers[0]!;
  return (participant, focusFor) => {
    const links = commonLinks(series, trainings.length ? trainings : cancelled, participant, settings, routeTo.order, 'training');
    const filled = fillEmailParts(template, {
      ...layoutValues(participant, links, now),
      firstName: firstName(participant.name),
      ...(only ? { trainingTitle: only.title, window: formatWindow(only.opens, only.closes) } : {}),
    });
    const files: CalendarFile[] = [];
    let invite: MailCalendars['invite'];
    // Someone who turned entries off gets this one cancellation anyway: it is what takes them away.
    if (send.reason === 'calendars-off' || wantsCalendars(participant)) {
      const windows = windowsIn(participant);
      const holds = holdsIn(participant);
      cancelled.forEach((training, i) => {
        const ics = windows[i]!(participant);
        if (!invite) invite = { method: 'CANCEL', filename: 'invite.ics', ics };
        else files.push({ method: 'CANCEL', filename: trainingFilename(training, 'cancel-'), ics });
        if (holds[i] && focusFor.has(training.slug)) files.push({ method: 'CANCEL', filename: trainingFilename(training, 'cancel-focus-'), ics: holds[i]!(participant) });
      });
    }
    return assemble({
      kind: 'cancel',
      series,
      settings,
      from,
      to: participant,
      ...(only ? { trainingSlug: only.slug, extra: `s${sequences[only.slug] ?? 0}` } : { extra: send.reason }),
      replyTo: send.reason === 'removed' ? { name: trainer.name, address: trainer.email } : links.replyAddress,
      filled,
      date: now,
      headers: headersFor(series, settings, links.unsubscribe),
      ...(invite ? { calendars: { invite, files }, forceCalendars: send.reason === 'calendars-off' } : {}),
    });
  };
}
