// One-click links: `${linksBaseUrl}/l/<token>` in every email, answered here the same way by the
// Lambda function URL and by the local stack's HTTP server.
//
// Primary course:
//   1. take the token from the path and verify it (signature, then expiry): a tampered token is a
//      400 page, an expired one a 410 page, and neither changes anything;
//   2. load what the page and the record need: the series, the participant (both must still
//      exist, else 404), and for kudos and ratings the response they are about;
//   3. GET (or HEAD) never changes anything: it shows a page with one button that POSTs back, or
//      the outcome when it was already recorded;
//   4. POST records: read, kudos, rating as responses with deterministic ids (a double click or
//      a second link for the same act stores once), unsubscribe as the participant's status.
//
// Why every action needs the button, `read` included: mail security scanners (Outlook Safe
// Links, Mimecast, Proofpoint) and link previewers fetch every URL in a message with GET before
// the person sees it. Recording `read` on GET would mark whole organisations as having read
// every training, and because reminders skip people who answered, it would also silence the one
// reminder to people who never opened the mail. One extra click is the lesser cost.
// Unsubscribe follows RFC 8058: a POST (the mail client's `List-Unsubscribe=One-Click`, or our
// button) unsubscribes at once; GET only asks.
//
// How each click is recorded (reports and exports count these):
//   read    intent 'read', text '', id `read.<trainingSlug>.<participantKey>`
//   kudos   intent 'comment', text '', targetResponseId = the teammate's response,
//           id `kudos.<responseKey of target>.<participantKey>`. The model has no kudos intent:
//           a kudos is a comment without text, coming from a link — see `isKudos`.
//   rating  intent 'follow-up', rating 1–5, strategyId and trainingSlug of the adoption the
//           check-in asks about, targetResponseId = that adoption,
//           id `rating.<responseKey of adoption>.<participantKey>`. The first rating stands; a
//           later click on another number shows the recorded one (a reply can say more).
//   unsubscribe  store.setUnsubscribed (only the first time: the original instant is kept).
//   calendars-off  the participant's calendarsOffAt status (first time only, like unsubscribe):
//           later emails come without calendar entries (audience.ts wantsCalendars).
//   preferences  the preferences page (preferences.ts): a form on GET, the choices stored on POST.
// `source` is always `linkTokenId(token)`. Ids follow the act, not the token, so the same act
// from two emails (the training and its reminder, or mail sent before a re-publish changed the
// links' expiry) is one record.
import type { PublishedSeries, StoredParticipant } from '#core/records';
import type { LinkStore } from './ports.ts';
import type { Language, Response, Training } from '#core/model';
import { languageOf, messagesFor, t, type MessageKey } from '#mail/messages/index';
import { page, pageDate, type PageContent, type PageReply } from '#mail/pages';
import { participantKey, responseKey } from '#core/short-key';
import { formatDate } from '#core/time';
import { linkTokenId, verifyLinkToken, type LinkChoice, type LinkTokenPayload, type Secrets } from '#core/tokens';
import { PREFERENCE_FLAGS, type PreferenceFlag } from '#core/records';
import { preferenceWords } from '#mail/doubts';
import { handlePreferences } from './preferences.ts';

export type { PageReply as LinkReply } from '#mail/pages';

export type { LinkStore } from './ports.ts';

export interface LinkRequest {
  method: string;
  /** The URL path, e.g. `/l/AQ…`; a query string, if any, is ignored. */
  path: string;
  /** The decoded request body (form data), for POST. */
  body?: string;
}

export interface LinkDeps {
  store: LinkStore;
  secrets: Secrets;
  now: Date;
  /**
   * Called once when someone turns calendar entries off: the target schedules the cancellation of
   * what they hold (planners/cancel.ts calendarsOffSchedule). Without it only later emails change.
   */
  onCalendarsOff?: (seriesId: string, participant: StoredParticipant) => Promise<void>;
  /**
   * Pages in this language rather than the participant's: the studio shows a fix's heading to the
   * trainer, in the studio's English (studio/fix-record.ts).
   */
  language?: Language;
}

/** The prefix of one-click link paths (compose.ts linkUrl builds `${base}/l/<token>`). */
export const LINK_PATH_PREFIX = '/l/';

/** The token in a link path, or undefined when the path is not a one-click link. */
export function tokenFromPath(path: string): string | undefined {
  const bare = path.split(/[?#]/)[0] ?? '';
  if (!bare.startsWith(LINK_PATH_PREFIX)) return undefined;
  // Some mail clients and chat apps add a slash or trailing punctuation when they linkify.
  const token = bare.slice(LINK_PATH_PREFIX.length).replace(/[/.)\]>,;]+$/, '');
  return /^[A-Za-z0-9_-]+$/.test(token) ? token : undefined;
}

/** True for a response recorded from a kudos link: a comment without text, from a link. */
export function isKudos(response: Response): boolean {
  return response.intent === 'comment' && response.targetResponseId !== undefined && response.text === '' && response.source.startsWith('link:');
}

/** Deterministic response ids per act (see the header). */
export const linkResponseId = {
  read: (seriesId: string, trainingSlug: string, email: string) => `read.${trainingSlug}.${participantKey(seriesId, email)}`,
  kudos: (seriesId: string, targetResponseId: string, email: string) =>
    `kudos.${responseKey(seriesId, targetResponseId)}.${participantKey(seriesId, email)}`,
  rating: (seriesId: string, adoptionId: string, email: string) =>
    `rating.${responseKey(seriesId, adoptionId)}.${participantKey(seriesId, email)}`,
};

// ---------------------------------------------------------------------------------------------
// Decisions: what a verified token means once its series, participant and target are loaded.

export interface LinkContext {
  token: string;
  payload: LinkTokenPayload;
  series: PublishedSeries;
  participant: StoredParticipant;
  /** kudos: the teammate's response; rating: the adoption. */
  target?: Response;
  /** calendars-off: whether this target sends the cancellation of placed entries (LinkDeps.onCalendarsOff). */
  cancelsEntries?: boolean;
}

export type LinkPlan =
  | { kind: 'response'; response: Response; confirm: PageContent; done: (recorded: Response) => PageContent }
  | { kind: 'unsubscribe'; confirm: PageContent; done: (at: string) => PageContent }
  | { kind: 'calendars-off'; confirm: PageContent; done: (at: string) => PageContent }
  | { kind: 'missing'; page: PageContent }

  /** tag, correct, withdraw, preference, resubscribe: they change records already there (fixDoubt). */
  | { kind: 'fix' }
  /** The preferences page: a form of its own (preferences.ts). */
  | { kind: 'preferences' };

const firstName = (name: string) => name.trim().split(/\s+/)[0] ?? name;

function excerpt(text: string, max = 280): string {
  const t = text.trim();
  return t.length <= max ? t : `${t.slice(0, max - 1).trimEnd()}…`;
}

function replyHint(series: PublishedSeries, language: Language = 'en'): string {
  return t(language, 'page.replyHint', { title: series.series.title });
}


/**
 * What a verified link does, as data: the response to record (or the unsubscribe) and the pages
 * before and after, in the language of the participant the link belongs to. Pure, so every
 * action's decision is a unit test.
 */
export function planLink(ctx: LinkContext, now: Date): LinkPlan {
  const language = languageOf(ctx.participant, ctx.series.series);
  const plan = planIn(ctx, now, language);
  const inLanguage = (content: PageContent): PageContent => ({ ...content, language });
  switch (plan.kind) {
    case 'missing':
      return { ...plan, page: inLanguage(plan.page) };
    case 'fix':
    case 'preferences':
      return plan;
    case 'response':
      return { ...plan, confirm: inLanguage(plan.confirm), done: (r: Response) => inLanguage(plan.done(r)) };
    default:
      return { ...plan, confirm: inLanguage(plan.confirm), done: (at: string) => inLanguage(plan.done(at)) };
  }
}

function planIn(ctx: LinkContext, now: Date, language: Language): LinkPlan {
  const { payload, series, participant, token } = ctx;
  const say = messagesFor(language);
  const context = series.series.title;
  const first = firstName(participant.name);
  const firstNameOf = { firstName: first };
  const action = `${LINK_PATH_PREFIX}${token}`;
  const hint = replyHint(series, language);
  const base = {
    seriesId: series.series.id,
    participantEmail: participant.email,
    text: '',
    links: [],
    attachments: [],
    source: linkTokenId(token),
    receivedAt: now.toISOString(),
  } satisfies Partial<Response>;
  const trainingOf = (slug: string | undefined): Training | undefined => series.trainings.find((t) => t.slug === slug);

  switch (payload.action) {
    case 'read': {
      const training = trainingOf(payload.trainingSlug);
      if (!training) {
        return { kind: 'missing', page: { context, heading: say('page.read.gone'), paragraphs: [say('page.read.goneWhy'), hint] } };
      }
      return {
        kind: 'response',
        response: { ...base, id: linkResponseId.read(series.series.id, training.slug, participant.email), trainingSlug: training.slug, intent: 'read' },
        confirm: {
          context,
          heading: say('page.read.confirm', { title: training.title }),
          paragraphs: [say('page.read.ask', firstNameOf)],
          form: { action, button: say('page.read.button') },
          note: say('page.read.why'),
        },
        done: (recorded) => ({
          context,
          heading: say('page.read.done', firstNameOf),
          paragraphs: [
            say('page.read.when', {
              title: training.title,
              when: recorded.receivedAt === base.receivedAt ? say('page.today') : say('page.onDate', { date: pageDate(language, recorded.receivedAt) }),
            }),
            say('page.read.next'),
          ],
        }),
      };
    }

    case 'kudos': {
      const target = ctx.target;
      if (!target) {
        return { kind: 'missing', page: { context, heading: say('page.kudos.gone'), paragraphs: [say('page.kudos.goneWhy'), hint] } };
      }
      const training = trainingOf(target.trainingSlug);
      const author = target.participantEmail;
      return {
        kind: 'response',
        response: {
          ...base,
          id: linkResponseId.kudos(series.series.id, target.id, participant.email),
          trainingSlug: target.trainingSlug,
          intent: 'comment',
          targetResponseId: target.id,
        },
        confirm: {
          context,
          heading: say('page.kudos.confirm'),
          paragraphs: [training ? say('page.kudos.sharedOn', { title: training.title }) : say('page.kudos.sharedHere')],
          ...(target.text ? { quote: excerpt(target.text) } : {}),
          form: { action, button: say('page.kudos.button') },
          ...(author === participant.email ? { note: say('page.kudos.own') } : {}),
        },
        done: () => ({
          context,
          heading: say('page.kudos.done', firstNameOf),
          paragraphs: [say('page.kudos.cheer'), say('page.kudos.addWord')],
        }),
      };
    }

    case 'rating': {
      const adoption = ctx.target;
      if (!adoption) {
        return { kind: 'missing', page: { context, heading: say('page.rating.gone'), paragraphs: [say('page.nothingChanged'), hint] } };
      }
      const training = trainingOf(adoption.trainingSlug);
      const strategy = training?.strategies.find((s) => s.id === adoption.strategyId);
      const subject = strategy
        ? say('page.rating.strategy', { title: strategy.title })
        : training
          ? say('page.rating.fromTraining', { title: training.title })
          : say('page.rating.tried');
      const rating = payload.rating!;
      return {
        kind: 'response',
        response: {
          ...base,
          id: linkResponseId.rating(series.series.id, adoption.id, participant.email),
          trainingSlug: adoption.trainingSlug,
          intent: 'follow-up',
          rating,
          targetResponseId: adoption.id,
          ...(adoption.strategyId ? { strategyId: adoption.strategyId } : {}),
        },
        confirm: {
          context,
          heading: say('page.rating.confirm', { subject, rating }),
          paragraphs: [say('page.rating.scale', firstNameOf)],
          form: { action, button: say('page.rating.button', { rating }) },
        },
        done: (recorded) => ({
          context,
          heading:
            recorded.rating === rating && recorded.receivedAt === base.receivedAt
              ? say('page.rating.done', { subject, rating })
              : say('page.rating.doneOn', { subject, rating: recorded.rating ?? rating, date: pageDate(language, recorded.receivedAt) }),
          paragraphs: [say('page.thanks', firstNameOf), recorded.rating === rating ? say('page.rating.more') : say('page.rating.stands')],
        }),
      };
    }

    case 'unsubscribe':
      return {
        kind: 'unsubscribe',
        confirm: {
          context,
          heading: say('page.unsubscribe.confirm', { title: context }),
          paragraphs: [say('page.unsubscribe.ask', firstNameOf)],
          form: { action, button: say('page.unsubscribe.button'), fields: { 'List-Unsubscribe': 'One-Click' } },
        },
        done: (at) => ({
          heading: say('page.unsubscribe.done', { title: context }),
          paragraphs: [say('page.unsubscribe.since', { date: pageDate(language, at), firstName: first, email: participant.email }), say('page.unsubscribe.rejoin')],
        }),
      };

    case 'calendars-off':
      return {
        kind: 'calendars-off',
        confirm: {
          context,
          heading: say('page.calendarsOff.confirm'),
          paragraphs: [say('page.calendarsOff.ask', { firstName: first, title: context })],
          form: { action, button: say('layout.calendarsOff'), fields: {} },
        },
        done: (at) => ({
          context,
          heading: say('page.calendarsOff.done'),
          paragraphs: [
            say('page.calendarsOff.since', { date: pageDate(language, at), firstName: first, title: context }),
            say(ctx.cancelsEntries ? 'page.calendarsOff.cancelling' : 'page.calendarsOff.staying'),
          ],
        }),
      };

    case 'tag':
    case 'correct':
    case 'withdraw':
    case 'preference':
    case 'resubscribe':
      return { kind: 'fix' };

    case 'preferences':
      return { kind: 'preferences' };
  }
}

// ---------------------------------------------------------------------------------------------
// Fixing a doubt: a trainer's tag on a reply that needed a look, a participant's correction or
// withdrawal of a record, a preference turned back on, a way back in. The same rule as above:
// GET shows what the button will do (or what was done), only POST changes anything.

const CHOICE_WORDS = {
  strategy: 'page.as.strategy',
  comment: 'page.as.comment',
  feedback: 'page.as.feedback',
  nothing: 'page.as.nothing',
} as const satisfies Record<Exclude<LinkChoice, 'adopt'>, MessageKey>;

function choiceLabel(choice: LinkChoice, number: number | undefined, training: Training | undefined, language: Language = 'en'): string {
  if (choice !== 'adopt') return t(language, CHOICE_WORDS[choice]);
  const s = training?.strategies.find((x) => x.number === number);
  return s ? t(language, 'page.as.adopt', { number: s.number, title: s.title }) : t(language, 'page.as.adoptNumber', { number: number ?? '?' });
}

/**
 * A tag's stored resolution (always English, the label choiceLabel gives: digests and the studio
 * compare and show it) in the reader's language; as stored when no choice of today's training
 * gives it.
 */
function resolutionIn(language: Language, resolution: string, training: Training | undefined): string {
  const choices: Array<[LinkChoice, number | undefined]> = [
    ...(['strategy', 'comment', 'feedback', 'nothing'] as const).map((c): [LinkChoice, undefined] => [c, undefined]),
    ...(training?.strategies ?? []).map((x): [LinkChoice, number] => ['adopt', x.number]),
  ];
  const match = choices.find(([c, n]) => choiceLabel(c, n, training) === resolution);
  return match ? choiceLabel(match[0], match[1], training, language) : resolution;
}

/** The response a tag or a correction records: the same words, read as `choice`. */
function retold(from: Pick<Response, 'seriesId' | 'trainingSlug' | 'participantEmail' | 'text' | 'source'> & Partial<Response>, id: string, choice: LinkChoice, strategyId: string | undefined): Response {
  return {
    id,
    seriesId: from.seriesId,
    trainingSlug: from.trainingSlug,
    participantEmail: from.participantEmail,
    intent: choice === 'nothing' ? 'read' : choice,
    text: from.text,
    links: from.links ?? [],
    attachments: from.attachments ?? [],
    source: from.source,
    ...(from.rawMessage ? { rawMessage: from.rawMessage } : {}),
    ...(strategyId && choice === 'adopt' ? { strategyId } : {}),
    ...(from.targetResponseId && choice === 'comment' ? { targetResponseId: from.targetResponseId } : {}),
    receivedAt: from.receivedAt ?? new Date(0).toISOString(),
  };
}

async function fixDoubt(ctx: LinkContext, method: string, deps: LinkDeps, language: Language): Promise<PageReply> {
  const { payload, series, participant, token } = ctx;
  const say = messagesFor(language);
  const show = (status: number, content: PageContent) => page(status, { ...content, language });
  const context = series.series.title;
  const first = firstName(participant.name);
  const firstNameOf = { firstName: first };
  const form = (button: string) => ({ action: `${LINK_PATH_PREFIX}${token}`, button });
  const post = method === 'POST';
  const seriesId = series.series.id;
  const training = series.trainings.find((t) => t.slug === payload.trainingSlug);
  const choice = payload.choice as LinkChoice;
  const strategy = training?.strategies.find((s) => s.number === payload.number);
  const gone = (heading: string) => show(404, { context, heading, paragraphs: [say('page.nothingChanged'), replyHint(series, language)] });
  const shown = (choice: LinkChoice) => choiceLabel(choice, payload.number, training, language);

  switch (payload.action) {
    case 'tag': {
      const record = await deps.store.getNeedsLook(seriesId, payload.responseId!);
      if (!record) return gone(say('page.tag.gone'));
      // Stored and compared in English: the resolution is what digests and the studio show.
      const label = choiceLabel(choice, payload.number, training);
      if (choice === 'adopt' && !strategy) return gone(say('page.tag.noStrategy', { title: training?.title ?? record.trainingSlug, number: payload.number ?? '' }));
      const done = () => show(200, { context, heading: say('page.tag.done', { label: shown(choice) }), paragraphs: [say('page.tag.counts', { name: participant.name })], quote: excerpt(record.text) });
      if (record.resolution === label) return done();
      if (!post) {
        return show(200, {
          context,
          heading: say('page.tag.confirm', { name: participant.name, label: shown(choice) }),
          paragraphs: [record.resolution ? say('page.tag.replaces', { label: resolutionIn(language, record.resolution, training) }) : say('page.tag.unclear')],
          quote: excerpt(record.text),
          form: form(say('page.fix.recordAs', { label: shown(choice) })),
        });
      }
      const id = `${record.id}.${choice}${choice === 'adopt' ? payload.number : ''}`;
      if (record.responseId && record.responseId !== id) await deps.store.withdrawResponse({ seriesId, trainingSlug: record.trainingSlug, id: record.responseId }, { at: deps.now, replacedBy: id });
      if (choice !== 'nothing') {
        const { stored } = await deps.store.putResponse(retold(record, id, choice, strategy?.id));
        // Tagged this way before, then otherwise: the earlier record comes back.
        if (!stored) await deps.store.withdrawResponse({ seriesId, trainingSlug: record.trainingSlug, id }, null);
      }
      await deps.store.resolveNeedsLook(seriesId, record.id, { at: deps.now, resolution: label, ...(choice !== 'nothing' ? { responseId: id } : {}) });
      return done();
    }

    case 'correct':
    case 'withdraw': {
      const target = ctx.target;
      if (!target || target.participantEmail !== participant.email) return gone(say('page.fix.gone'));
      const withdrawing = payload.action === 'withdraw';
      const label = withdrawing ? '' : shown(choice);
      if (!withdrawing && choice === 'adopt' && !strategy) return gone(say('page.fix.noStrategy', { number: payload.number ?? '' }));
      const id = `${target.id}.${choice}${choice === 'adopt' ? payload.number : ''}`;
      const settled = withdrawing ? target.withdrawnAt !== undefined && !target.replacedBy : target.replacedBy === id;
      const donePage = () =>
        show(200, {
          context,
          heading: withdrawing ? say('page.withdraw.done', firstNameOf) : say('page.correct.done', { label, firstName: first }),
          paragraphs: [say(withdrawing ? 'page.withdraw.hidden' : 'page.correct.replaced')],
        });
      if (settled) return donePage();
      if (target.withdrawnAt && target.replacedBy && target.replacedBy !== id) {
        return show(409, { context, heading: say('page.correct.already'), paragraphs: [say('page.correct.useNewer')] });
      }
      if (!post) {
        return show(200, {
          context,
          heading: withdrawing ? say('page.withdraw.confirm') : say('page.correct.confirm', { label }),
          paragraphs: [say('page.fix.youWrote', firstNameOf)],
          ...(target.text ? { quote: excerpt(target.text) } : {}),
          form: form(withdrawing ? say('page.withdraw.button') : say('page.fix.recordAs', { label })),
        });
      }
      if (withdrawing) {
        await deps.store.withdrawResponse(target, { at: deps.now });
      } else {
        const { stored } = await deps.store.putResponse({ ...retold(target, id, choice, strategy?.id), receivedAt: target.receivedAt });
        if (!stored) await deps.store.withdrawResponse({ seriesId, trainingSlug: target.trainingSlug, id }, null);
        await deps.store.withdrawResponse(target, { at: deps.now, replacedBy: id });
      }
      return donePage();
    }

    case 'preference': {
      const flag = payload.choice as PreferenceFlag;
      if (!PREFERENCE_FLAGS.includes(flag)) return show(400, invalidPage(language));
      const on = payload.number !== 0;
      const what = preferenceWords(flag, language);
      const isOn = participant.preferences?.[flag] !== false;
      const donePage = () => show(200, { context, heading: on ? sentence(say('page.preference.backOn', { what })) : say('page.preference.noMore', { what }), paragraphs: [say('page.preference.rest', firstNameOf)] });
      if (isOn === on) return donePage();
      if (!post) {
        return show(200, {
          context,
          heading: say(on ? 'page.preference.confirmOn' : 'page.preference.confirmOff', { what }),
          paragraphs: [say('page.preference.only', { firstName: first, what })],
          form: form(say(on ? 'page.preference.buttonOn' : 'page.preference.buttonOff', { what })),
        });
      }
      await deps.store.setPreference(seriesId, participant.email, flag, on);
      return donePage();
    }

    case 'resubscribe': {
      const donePage = () => show(200, { context, heading: say('page.rejoin.done', firstNameOf), paragraphs: [say('page.rejoin.again', { title: context, email: participant.email })] });
      if (!participant.unsubscribedAt) return donePage();
      if (!post) return show(200, { context, heading: say('page.rejoin.confirm', { title: context }), paragraphs: [say('page.rejoin.ask', firstNameOf)], form: form(say('page.rejoin.button')) });
      await deps.store.setUnsubscribed(seriesId, participant.email, null);
      return donePage();
    }

    default:
      return show(400, invalidPage(language));
  }
}

/** A message that opens a sentence with a value ("reminders are back on"): its first letter upper-case. */
const sentence = (text: string) => `${text.charAt(0).toUpperCase()}${text.slice(1)}`;

// ---------------------------------------------------------------------------------------------
// The request, end to end.

const ALLOW = 'GET, HEAD, POST';

/** A link Baton cannot read: English while the participant is unknown, theirs once it is. */
function invalidPage(language: Language = 'en'): PageContent {
  return { heading: t(language, 'page.invalid'), paragraphs: [t(language, 'page.invalidWhy')] };
}

async function expiredPage(token: string, deps: LinkDeps): Promise<PageContent> {
  // An expired token has passed its signature check; verifying it at the epoch returns its
  // payload, which says when it expired and which series it belongs to.
  const payload = verifyLinkToken(token, deps.secrets, new Date(0));
  const expired = 'error' in payload ? undefined : payload;
  const series = expired ? await deps.store.getSeries(expired.seriesId) : undefined;
  return {
    ...(series ? { context: series.series.title } : {}),
    heading: 'This link has expired — nothing was changed.',
    paragraphs: [
      expired ? `It expired on ${formatDate(expired.expiresAt.toISOString().slice(0, 10))}.` : 'Links in Baton emails expire a year after the series ends.',
      series ? `To reach the trainers, reply to any email from “${series.series.title}”.` : 'To reach the trainers, reply to any email from the series.',
    ],
  };
}

/** Answers one request to a link URL. Changes something only on POST of a genuine, current link. */
export async function handleLink(request: LinkRequest, deps: LinkDeps): Promise<PageReply> {
  const method = request.method.toUpperCase();
  const token = tokenFromPath(request.path);
  if (!token) {
    return page(404, { heading: 'There is no page here', paragraphs: ['Baton’s links look like /l/ followed by a long code. Open the link again from the email.'] });
  }
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
    return page(405, { heading: 'This link is opened, not sent to', paragraphs: [`Use ${ALLOW}.`] }, { allow: ALLOW });
  }

  const verified = verifyLinkToken(token, deps.secrets, deps.now);
  if ('error' in verified) {
    return verified.error === 'expired' ? page(410, await expiredPage(token, deps)) : page(400, invalidPage());
  }
  const payload = verified;

  const series = await deps.store.getSeries(payload.seriesId);
  if (!series) {
    return page(404, { heading: 'This series is no longer here', paragraphs: ['Nothing was changed. It may have been removed by its trainers.'] });
  }
  const participant = await deps.store.getParticipant(payload.seriesId, payload.participantEmail);
  if (!participant) {
    return page(404, {
      context: series.series.title,
      heading: `${payload.participantEmail} is not enrolled in this series`,
      paragraphs: [
        payload.action === 'unsubscribe'
          ? 'Nothing was changed, and no more emails from this series will come to this address.'
          : 'Nothing was changed. You may have been removed from the series; if that is a mistake, reply to any email from it.',
      ],
    });
  }
  const target = payload.responseId ? await deps.store.findResponseByKey(payload.seriesId, responseKey(payload.seriesId, payload.responseId)) : undefined;

  const ctx: LinkContext = { token, payload, series, participant, ...(target ? { target } : {}), cancelsEntries: deps.onCalendarsOff !== undefined };
  const plan = planLink(ctx, deps.now);
  if (plan.kind === 'missing') return page(404, plan.page);
  const language = deps.language ?? languageOf(participant, series.series);
  if (plan.kind === 'fix') return fixDoubt(ctx, method, deps, language);
  if (plan.kind === 'preferences') {
    return handlePreferences({ method, body: request.body, token, series, participant, language }, { store: deps.store, now: deps.now, ...(deps.onCalendarsOff ? { onCalendarsOff: deps.onCalendarsOff } : {}) });
  }

  if (plan.kind === 'unsubscribe') {
    if (participant.unsubscribedAt) return page(200, plan.done(participant.unsubscribedAt));
    if (method !== 'POST') return page(200, plan.confirm);
    const updated = await deps.store.setUnsubscribed(series.series.id, participant.email, deps.now);
    return page(200, plan.done(updated?.unsubscribedAt ?? deps.now.toISOString()));
  }

  if (plan.kind === 'calendars-off') {
    if (participant.calendarsOffAt) return page(200, plan.done(participant.calendarsOffAt));
    if (method !== 'POST') return page(200, plan.confirm);
    const updated = await deps.store.setParticipantStatus(series.series.id, participant.email, { calendarsOffAt: deps.now });
    await deps.onCalendarsOff?.(series.series.id, updated ?? participant);
    return page(200, plan.done(updated?.calendarsOffAt ?? deps.now.toISOString()));
  }

  const recordedKey = responseKey(series.series.id, plan.response.id);
  if (method !== 'POST') {
    const existing = await deps.store.findResponseByKey(series.series.id, recordedKey);
    return page(200, existing ? plan.done(existing) : plan.confirm);
  }
  const { stored } = await deps.store.putResponse(plan.response);
  const recorded = stored ? plan.response : ((await deps.store.findResponseByKey(series.series.id, recordedKey)) ?? plan.response);
  return page(200, plan.done(recorded));
}
