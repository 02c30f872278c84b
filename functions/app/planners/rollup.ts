// The weekly roll-up to participants. Primary course:
//   1. one Query for the series' responses; what teammates contributed in the 7 days before the
//      fire time (strategies, adoptions with a reason, comments; kudos clicks are not news);
//   2. per participant of the job's zone: leave out their own; nothing left, no mail (and no
//      ledger claim, so a contribution arriving before a retry still gets its roll-up);
//   3. each contribution with a one-click kudos and a reply address that comments on it, both
//      signed for this recipient; ledger id `rollup#-#<email>#<iso week>`, one a week at most.
import { inGroup, skipFor } from '#core/audience';
import { TEMPLATE } from '#mail/template-names';
import { escapeHtml, mailtoUri } from '#mail/escape';
import { formatCalendarDate } from '#mail/dates';
import { light } from '#mail/palette';
import { composersByLanguage, type JobPlanner } from './planner.ts';
import { prepareRollupSend, type RollupLinks } from '#mail/compose';
import { emailId } from '#core/records';
import type { Outgoing } from '../deliver.ts';
import type { Language, Participant } from '#core/model';
import { t } from '#mail/messages/index';
import { contributionsBetween, type Contribution } from '#core/report';
import { excerptHtml, muted, shorten, weekOf } from './digest.ts';

const WEEK_MS = 7 * 86_400_000;
/** A roll-up shows at most this many contributions (the newest); the wiki export has them all. */
export const ROLLUP_LIMIT = 30;
/**
 * …and at most this many from any one person (their newest), so nobody, and no leaked reply
 * address, can fill a roll-up; each item's text is cut to ITEM_CHARS. The wiki has the rest.
 */
export const ROLLUP_PER_PERSON = 3;
export const ROLLUP_ITEM_CHARS = 600;


function headline(c: Contribution, language: Language): string {
  const name = c.author.name;
  if (c.response.intent === 'strategy') return t(language, 'rollup.sharedStrategy', { name });
  if (c.response.intent === 'adopt') {
    return c.strategy ? t(language, 'rollup.willAdopt', { name, number: c.strategy.number, title: c.strategy.title }) : t(language, 'rollup.adopts', { name });
  }
  return c.target ? t(language, 'rollup.commentedOn', { name, target: c.target.author.name }) : t(language, 'rollup.commentedTraining', { name });
}

function replySubject(c: Contribution): string {
  return `Re: ${c.author.name}'s ${c.response.intent === 'comment' ? 'comment' : c.response.intent === 'adopt' ? 'adoption' : 'strategy'}`;
}

export interface Prepared {
  contribution: Contribution;
  /** Escaped HTML up to the links: the same for every recipient, built once. */
  html: string;
  text: string;
}

/** A contribution prepared in `language` (its headline and date); `prepareContribution` is English's. */
export const contributionIn = (language: Language) => (c: Contribution): Prepared => prepareIn(c, language);
export const prepareContribution = contributionIn('en');

function prepareIn(c: Contribution, language: Language): Prepared {
  const meta = `${c.training.title} · ${formatCalendarDate(c.response.receivedAt.slice(0, 10), 'short', false, language)}`;
  const links = c.response.links.filter((l) => /^https?:\/\//i.test(l));
  const linkHtml = links.length
    ? `<br>${links.map((l) => `<a href="${escapeHtml(l)}" style="color:${light.link};text-decoration:underline;overflow-wrap:anywhere;">${escapeHtml(shorten(l, 60))}</a>`).join('<br>')}`
    : '';
  return {
    contribution: c,
    html:
      `<p style="margin:16px 0 2px;"><strong>${escapeHtml(headline(c, language))}</strong><br>${muted(escapeHtml(meta))}</p>` +
      `<p style="margin:0 0 6px;padding-left:12px;border-left:3px solid ${light.quoteBar};">${excerptHtml(c.response.text, ROLLUP_ITEM_CHARS)}${linkHtml}</p>`,
    text: `* ${headline(c, language)} (${meta})\n  ${shorten(c.response.text, ROLLUP_ITEM_CHARS).replace(/\n/g, '\n  ')}${links.map((l) => `\n  ${l}`).join('')}`,
  };
}

/** The roll-up's list for one recipient: teammates' contributions with their signed links. */
export function renderRollupBody(prepared: readonly Prepared[], participant: Participant, links: RollupLinks, language: Language = 'en') {
  const mine = prepared.filter((p) => p.contribution.author.email !== participant.email);
  if (!mine.length) return undefined;
  // Newest last: keep each author's last ROLLUP_PER_PERSON, then the last ROLLUP_LIMIT of those.
  const perAuthor = new Map<string, number>();
  const capped = [...mine]
    .reverse()
    .filter((p) => {
      const n = (perAuthor.get(p.contribution.author.email) ?? 0) + 1;
      perAuthor.set(p.contribution.author.email, n);
      return n <= ROLLUP_PER_PERSON;
    })
    .reverse();
  const shown = capped.slice(-ROLLUP_LIMIT);
  const html: string[] = [];
  const text: string[] = [];
  for (const p of shown) {
    const r = p.contribution.response;
    const kudos = links.kudos(r.id, r.trainingSlug);
    const address = links.commentAddress(r.id, p.contribution.training.order);
    const mailto = mailtoUri(address, { subject: replySubject(p.contribution) });
    html.push(
      p.html +
        `<p style="margin:0 0 12px;font-size:15px;">` +
        `<a href="${escapeHtml(kudos)}" style="display:inline-block;padding:6px 12px;margin:0 8px 4px 0;border-radius:6px;background-color:${light.accent};color:${light.onAccent};text-decoration:none;font-weight:600;">${escapeHtml(t(language, 'rollup.kudos'))}</a>` +
        `<a href="${escapeHtml(mailto)}" style="display:inline-block;padding:6px 12px;margin:0 0 4px;border-radius:6px;background-color:${light.soft};color:${light.onSoft};border:1px solid ${light.border};text-decoration:none;font-weight:600;">${escapeHtml(t(language, 'rollup.comment'))}</a>` +
        `</p>`,
    );
    text.push(`${p.text}\n  ${t(language, 'rollup.kudosText', { url: kudos })}\n  ${t(language, 'rollup.commentText', { address })}`);
  }
  if (mine.length > shown.length) {
    const more = t(language, 'rollup.more', { more: mine.length - shown.length });
    html.push(`<p style="margin:0 0 8px;">${muted(escapeHtml(more))}</p>`);
    text.push(more);
  }
  return { html: html.join('\n'), text: text.join('\n\n'), count: mine.length };
}

export const rollupPlanner: JobPlanner = async ({ job, published, participants, people, deps, template }) => {
  const now = deps.now();
  const responses = await deps.store.listResponses(job.seriesId);
  const since = new Date(now.getTime() - WEEK_MS);
  // The week's authors (and those they answered) are read by name; a batch holds only its recipients.
  const unnamed = contributionsBetween({ trainings: published.trainings, participants: [], responses }, since, now);
  const named = await people(unnamed.flatMap((c) => [c.author.email, ...(c.target ? [c.target.author.email] : [])]));
  const news = contributionsBetween({ trainings: published.trainings, participants: named, responses }, since, now);
  if (!news.length) return [];
  const authors = new Map<string, number>();
  for (const c of news) authors.set(c.author.email, (authors.get(c.author.email) ?? 0) + 1);
  const recipients = (await participants()).filter((p) => inGroup(job, p) && (authors.get(p.email) ?? 0) !== news.length);
  // Per language its recipients read (that template, its words in the list), then per zone: the
  // week (and so the ledger id) is the recipient's local one.
  const byLanguage = await composersByLanguage(template, published.series, TEMPLATE.rollup, recipients, (compiled, language) => ({
    compiled,
    language,
    prepared: news.map(contributionIn(language)),
    zones: new Map<string, { compose: ReturnType<typeof prepareRollupSend>; week: string }>(),
  }));
  const composerFor = (p: Participant) => {
    const { compiled, language, prepared, zones } = byLanguage(p);
    let entry = zones.get(p.timeZone);
    if (!entry) {
      const week = weekOf(now, p.timeZone, language);
      const compose = prepareRollupSend({
        series: published.series,
        trainings: published.trainings,
        template: compiled,
        settings: deps.settings,
        now,
        week: week.week,
        weekLabel: week.label,
        render: (participant, links) => renderRollupBody(prepared, participant, links, language),
        language,
      });
      zones.set(p.timeZone, (entry = { compose, week: week.week }));
    }
    return entry;
  };
  const out: Outgoing[] = [];
  // Only your own contributions this week: nothing new from teammates, so no mail.
  for (const p of recipients) {
    const { compose, week } = composerFor(p);
    out.push({
      emailId: `${emailId('rollup', undefined, p.email)}#${week}`,
      to: p.email,
      ...(skipFor(p, 'rollups', now) ? { skip: skipFor(p, 'rollups', now) } : {}),
      build: () => {
        const mail = compose(p);
        if (!mail) throw new Error(`roll-up for ${p.email} had nothing to show after the planner found news for them`);
        return mail;
      },
    });
  }
  return out;
};
