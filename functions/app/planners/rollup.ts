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
import type { JobPlanner } from './planner.ts';
import { emailId, prepareRollupSend, type RollupLinks } from '#mail/compose';
import type { Outgoing } from '../deliver.ts';
import type { Participant } from '#core/model';
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


function headline(c: Contribution): string {
  const who = c.author.name;
  if (c.response.intent === 'strategy') return `${who} shared a strategy`;
  if (c.response.intent === 'adopt') return c.strategy ? `${who} will adopt #${c.strategy.number} ${c.strategy.title}` : `${who} adopts a strategy`;
  return c.target ? `${who} commented on ${c.target.author.name}'s contribution` : `${who} commented on the training`;
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

export function prepareContribution(c: Contribution): Prepared {
  const meta = `${c.training.title} · ${formatCalendarDate(c.response.receivedAt.slice(0, 10), 'short')}`;
  const links = c.response.links.filter((l) => /^https?:\/\//i.test(l));
  const linkHtml = links.length
    ? `<br>${links.map((l) => `<a href="${escapeHtml(l)}" style="color:${light.link};text-decoration:underline;overflow-wrap:anywhere;">${escapeHtml(shorten(l, 60))}</a>`).join('<br>')}`
    : '';
  return {
    contribution: c,
    html:
      `<p style="margin:16px 0 2px;"><strong>${escapeHtml(headline(c))}</strong><br>${muted(escapeHtml(meta))}</p>` +
      `<p style="margin:0 0 6px;padding-left:12px;border-left:3px solid ${light.quoteBar};">${excerptHtml(c.response.text, ROLLUP_ITEM_CHARS)}${linkHtml}</p>`,
    text: `* ${headline(c)} (${meta})\n  ${shorten(c.response.text, ROLLUP_ITEM_CHARS).replace(/\n/g, '\n  ')}${links.map((l) => `\n  ${l}`).join('')}`,
  };
}

/** The roll-up's list for one recipient: teammates' contributions with their signed links. */
export function renderRollupBody(prepared: readonly Prepared[], participant: Participant, links: RollupLinks) {
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
        `<a href="${escapeHtml(kudos)}" style="display:inline-block;padding:6px 12px;margin:0 8px 4px 0;border-radius:6px;background-color:${light.accent};color:${light.onAccent};text-decoration:none;font-weight:600;">Kudos</a>` +
        `<a href="${escapeHtml(mailto)}" style="display:inline-block;padding:6px 12px;margin:0 0 4px;border-radius:6px;background-color:${light.soft};color:${light.onSoft};border:1px solid ${light.border};text-decoration:none;font-weight:600;">Comment</a>` +
        `</p>`,
    );
    text.push(`${p.text}\n  Kudos (one click): ${kudos}\n  Comment: write to ${address}`);
  }
  if (mine.length > shown.length) {
    const more = `…and ${mine.length - shown.length} more this week, in the team wiki after the series.`;
    html.push(`<p style="margin:0 0 8px;">${muted(escapeHtml(more))}</p>`);
    text.push(more);
  }
  return { html: html.join('\n'), text: text.join('\n\n'), count: mine.length };
}

export const rollupPlanner: JobPlanner = async ({ job, published, participants, deps, template }) => {
  const now = deps.now();
  const responses = await deps.store.listResponses(job.seriesId);
  const news = contributionsBetween({ trainings: published.trainings, participants, responses }, new Date(now.getTime() - WEEK_MS), now);
  if (!news.length) return [];
  const prepared = news.map(prepareContribution);
  const authors = new Map<string, number>();
  for (const c of news) authors.set(c.author.email, (authors.get(c.author.email) ?? 0) + 1);
  const compiled = await template(TEMPLATE.rollup);
  // The week (and so the ledger id) is the recipient's local one; zones share a composer.
  const composers = new Map<string, { compose: ReturnType<typeof prepareRollupSend>; week: string }>();
  const composerFor = (timeZone: string) => {
    let entry = composers.get(timeZone);
    if (!entry) {
      const week = weekOf(now, timeZone);
      const compose = prepareRollupSend({
        series: published.series,
        trainings: published.trainings,
        template: compiled,
        settings: deps.settings,
        now,
        week: week.week,
        weekLabel: week.label,
        render: (participant, links) => renderRollupBody(prepared, participant, links),
      });
      composers.set(timeZone, (entry = { compose, week: week.week }));
    }
    return entry;
  };
  const out: Outgoing[] = [];
  for (const p of participants) {
    if (!inGroup(job, p)) continue;
    // Only your own contributions this week: nothing new from teammates, so no mail.
    if ((authors.get(p.email) ?? 0) === news.length) continue;
    const { compose, week } = composerFor(p.timeZone);
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
