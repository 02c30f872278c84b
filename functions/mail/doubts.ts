// The one-click ways to fix a doubt, as links and as the HTML/text blocks that carry them: the
// acknowledgement's "what we recorded" with its corrections and its question when Baton could not
// tell, its preference undo, and the digest's tagging links for a reply that needs a look.
// Runtime code: the blocks fill raw slots of templates compiled at publish time.
import type { Language, Response, Training } from '#core/model';
import { t } from './messages/index.ts';
import type { NeedsLook, PreferenceFlag } from '#core/records';
import type { LinkChoice, LinkTokenPayload } from '#core/tokens';
import { escapeHtml } from './escape.ts';
import { light } from './palette.ts';

/** Signs one link for the recipient; compose.ts supplies it with the series' secret and expiry. */
export type LinkSigner = (payload: Omit<LinkTokenPayload, 'seriesId' | 'expiresAt'>) => string;

export interface LabelledLink {
  label: string;
  url: string;
}

/** What a response is, in words a participant recognises. */
/** "#2 “Write a shared agenda”", or "one of the strategies" when the strategy is gone. */
export function strategyNamed(language: Language, training: Training | undefined, strategyId: string | undefined): string {
  const s = training?.strategies.find((x) => x.id === strategyId);
  return s ? t(language, 'strategy.named', { number: s.number, title: s.title }) : t(language, 'strategy.unnamed');
}

export function recordedAs(r: Pick<Response, 'intent' | 'strategyId' | 'targetResponseId' | 'rating'>, training: Training | undefined, language: Language = 'en'): string {
  const named = strategyNamed(language, training, r.strategyId);
  switch (r.intent) {
    case 'adopt':
      return t(language, 'recorded.adopt', { named });
    case 'strategy':
      return t(language, 'understood.strategy');
    case 'comment':
      return t(language, r.targetResponseId ? 'understood.commentTeammate' : 'understood.commentTraining');
    case 'feedback':
      return t(language, 'recorded.feedback');
    case 'follow-up':
      return r.rating ? t(language, 'understood.followUpRated', { named, rating: r.rating }) : t(language, 'understood.followUp', { named });
    default:
      return r.intent;
  }
}

const PREFERENCE_KEYS = {
  reminders: 'preference.reminders',
  rollups: 'preference.rollups',
  checkIns: 'preference.checkIns',
  calendar: 'preference.calendar',
} as const satisfies Record<PreferenceFlag, string>;
export const preferenceWords = (flag: PreferenceFlag, language: Language = 'en') => t(language, PREFERENCE_KEYS[flag]);

/** The choices a tag or a correction offers, each a signed link. `except` leaves out what it already is. */
function choiceLinks(
  sign: LinkSigner,
  base: Omit<LinkTokenPayload, 'seriesId' | 'expiresAt' | 'action'> & { action: 'tag' | 'correct' },
  training: Training | undefined,
  except: { intent?: string; strategyId?: string | undefined },
  withNothing: boolean,
  language: Language = 'en',
): LabelledLink[] {
  const link = (choice: LinkChoice, label: string, number?: number): LabelledLink => ({
    label,
    url: sign({ ...base, choice, ...(number !== undefined ? { number } : {}) }),
  });
  const out: LabelledLink[] = [];
  if (except.intent !== 'strategy') out.push(link('strategy', t(language, 'choice.ownStrategy')));
  for (const s of training?.strategies ?? []) {
    if (except.intent === 'adopt' && except.strategyId === s.id) continue;
    out.push(link('adopt', t(language, 'choice.adopt', { number: s.number }), s.number));
  }
  if (except.intent !== 'comment') out.push(link('comment', t(language, 'choice.comment')));
  if (except.intent !== 'feedback') out.push(link('feedback', t(language, 'choice.feedback')));
  if (withNothing) out.push(link('nothing', t(language, 'choice.nothing')));
  return out;
}

/** Tagging links for a reply that needs a look: strategy, adopt #N, comment, feedback, nothing. */
export function tagLinks(sign: LinkSigner, record: Pick<NeedsLook, 'id' | 'trainingSlug' | 'participantEmail'>, training: Training | undefined, language: Language = 'en'): LabelledLink[] {
  return choiceLinks(sign, { action: 'tag', trainingSlug: record.trainingSlug, participantEmail: record.participantEmail, responseId: record.id }, training, {}, true, language);
}

/** "That's not what I meant": the right intent, the right strategy, or withdraw. */
export function correctionLinks(sign: LinkSigner, r: Response, training: Training | undefined, language: Language = 'en'): LabelledLink[] {
  const base = { action: 'correct' as const, trainingSlug: r.trainingSlug, participantEmail: r.participantEmail, responseId: r.id };
  const choices = r.intent === 'follow-up' ? [] : choiceLinks(sign, base, training, { intent: r.intent, strategyId: r.strategyId }, false, language);
  return [...choices, { label: t(language, 'choice.withdraw'), url: sign({ action: 'withdraw', trainingSlug: r.trainingSlug, participantEmail: r.participantEmail, responseId: r.id }) }];
}

export const linkRowHtml = (links: readonly LabelledLink[]) =>
  links.map((l) => `<a href="${escapeHtml(l.url)}" style="color:${light.link};text-decoration:underline;white-space:nowrap;">${escapeHtml(l.label)}</a>`).join(' · ');

export const linkRowText = (links: readonly LabelledLink[], indent = '  ') => links.map((l) => `${indent}${l.label}: ${l.url}`).join('\n');

function quoteHtml(words: string): string {
  return `<p style="margin:4px 0 8px;padding-left:12px;border-left:3px solid ${light.quoteBar};"><em>${escapeHtml(words).replace(/\r?\n/g, '<br>')}</em></p>`;
}

const small = (s: string) => `<p style="margin:0 0 16px;font-size:14px;line-height:1.6;color:${light.muted};">${s}</p>`;

export interface AckRecorded {
  response: Response;
  /** The participant's own words for it, shortened. */
  words: string;
}

export interface AckBodyInput {
  training: Training;
  recorded: readonly AckRecorded[];
  /** Baton could not tell: the participant's words and the needs-a-look record to tag. */
  question?: { record: Pick<NeedsLook, 'id' | 'trainingSlug' | 'participantEmail'>; words: string };
  /** Parts of the series just turned off, each with a link to turn it back on. */
  stopped?: ReadonlyArray<{ flag: PreferenceFlag; undo: string }>;
  /** This ack confirms a correction: the record it replaced is gone from roll-ups and digests. */
  corrected?: boolean;
  /** An unsubscribed participant asked back in: their one-click way back. */
  resubscribe?: string;
  /** They replied "preferences" (or "resume"): their preferences page, and whether reminders and a pause were lifted. */
  settings?: { preferences: string; resumed: boolean };
  sign: LinkSigner;
  /** The language of the ack it goes into. */
  language?: Language;
}

/** The ack's middle: what was recorded, in their words, each with its corrections; or the question. */
export function ackBody(input: AckBodyInput): { html: string; text: string } {
  const lang = input.language ?? 'en';
  const html: string[] = [];
  const text: string[] = [];
  for (const { response, words } of input.recorded) {
    const what = recordedAs(response, input.training, lang);
    const fixes = correctionLinks(input.sign, response, input.training, lang);
    html.push(`<p style="margin:0 0 2px;"><strong>${escapeHtml(t(lang, 'ack.recorded', { what }))}</strong></p>`);
    if (words) html.push(quoteHtml(words));
    html.push(small(`${escapeHtml(t(lang, 'ack.notMeant'))} ${linkRowHtml(fixes)}`));
    text.push(t(lang, 'ack.recorded', { what }), ...(words ? [`  "${words}"`] : []), t(lang, 'ack.notMeant'), linkRowText(fixes));
  }
  if (input.corrected) {
    const line = t(lang, 'ack.corrected');
    html.push(small(escapeHtml(line)));
    text.push(line);
  }
  if (input.question) {
    const ask = t(lang, 'ack.question');
    const links = tagLinks(input.sign, input.question.record, input.training, lang);
    if (input.question.words) html.push(quoteHtml(input.question.words));
    html.push(`<p style="margin:0 0 4px;"><strong>${escapeHtml(ask)}</strong></p>`, small(linkRowHtml(links)));
    text.push(...(input.question.words ? [`  "${input.question.words}"`] : []), ask, linkRowText(links));
  }
  if (input.resubscribe) {
    const line = t(lang, 'ack.rejoin');
    html.push(`<p style="margin:0 0 4px;">${escapeHtml(line)}</p>`, small(`<a href="${escapeHtml(input.resubscribe)}" style="color:${light.link};text-decoration:underline;">${escapeHtml(t(lang, 'ack.resubscribeMe'))}</a>`));
    text.push(line, t(lang, 'ack.resubscribe', { url: input.resubscribe }));
  }
  for (const s of input.stopped ?? []) {
    const words = preferenceWords(s.flag, lang);
    const line = t(lang, 'ack.stopped', { what: words });
    html.push(`<p style="margin:0 0 4px;">${escapeHtml(line)}</p>`, small(`<a href="${escapeHtml(s.undo)}" style="color:${light.link};text-decoration:underline;">${escapeHtml(t(lang, 'ack.turnBackOn', { what: words }))}</a>`));
    text.push(line, t(lang, 'ack.turnThemBackOn', { url: s.undo }));
  }
  if (input.settings) {
    const line = input.settings.resumed
      ? t(lang, 'ack.resumed')
      : t(lang, 'ack.choose');
    html.push(`<p style="margin:0 0 4px;">${escapeHtml(line)}</p>`, small(`<a href="${escapeHtml(input.settings.preferences)}" style="color:${light.link};text-decoration:underline;">${escapeHtml(t(lang, 'ack.yourPreferences'))}</a>`));
    text.push(line, `${t(lang, 'ack.yourPreferences')}: ${input.settings.preferences}`);
  }
  return { html: html.join('\n'), text: text.join('\n') };
}
