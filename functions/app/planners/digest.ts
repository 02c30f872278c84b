// The weekly trainer digest. Primary course:
//   1. two Queries on the series partition: every response, and the training deliveries;
//   2. the funnel (report.ts) and what is new since the last digest (the fire time minus 7 days);
//   3. the week's body rendered once as HTML (bar rows built from tables: no SVG, no scripts,
//      which email clients strip) and as text;
//   4. one mail per trainer (of the job's zone, when it names one), ledger id
//      `digest#-#<trainer>#<iso week>` so a re-fired job in the same week sends nothing twice.
import { TEMPLATE } from '#mail/template-names';
import { escapeHtml } from '#mail/escape';
import { formatCalendarDate } from '#mail/dates';
import { light } from '#mail/palette';
import type { JobPlanner } from './planner.ts';
import { linkSigner, prepareDigestSend, type RenderedBody } from '#mail/compose';
import { emailId, type NeedsLook } from '#core/records';
import { linkRowHtml, linkRowText, tagLinks, type LabelledLink } from '#mail/doubts';
import type { Language } from '#core/model';
import type { Outgoing } from '../deliver.ts';
import {
  computeFunnel,
  contributionsBetween,
  isoWeek,
  percent,
  STAGE_LABELS,
  type Contribution,
  type SeriesFunnel,
  type StageCount,
  type StatusEvent,
} from '#core/report';
import { utcToZoned } from '#core/time';

const WEEK_MS = 7 * 86_400_000;
/** Long lists are cut here; `baton status` has everyone. */
const LIST_LIMIT = 25;
const EXCERPT_CHARS = 320;

// ---- HTML pieces shared with the roll-up ------------------------------------------------------

/** User-written text for an email: escaped (nothing of it is markup), shortened, line breaks kept. */
export function excerptHtml(text: string, max = EXCERPT_CHARS): string {
  return escapeHtml(shorten(text, max)).replace(/\r?\n/g, '<br>');
}

export function shorten(text: string, max = EXCERPT_CHARS): string {
  const t = text.trim().replace(/\n{3,}/g, '\n\n');
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

export const h2 = (s: string) => `<h2 style="margin:24px 0 8px;font-size:20px;line-height:1.3;font-weight:700;">${s}</h2>`;
export const h3 = (s: string) => `<h3 style="margin:16px 0 6px;font-size:17px;line-height:1.35;font-weight:700;">${s}</h3>`;
export const muted = (s: string) => `<span style="color:${light.muted};">${s}</span>`;
const TABLE = 'role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"';

/** One bar: a coloured cell `pct`% wide beside a pale one, as tables every client lays out. */
export function barHtml(rate: number | null): string {
  const pct = rate === null ? 0 : Math.max(0, Math.min(100, Math.round(rate * 100)));
  const cell = (w: number, color: string) =>
    `<td width="${w}%" style="width:${w}%;background-color:${color};height:14px;font-size:0;line-height:0;">&nbsp;</td>`;
  const cells = (pct > 0 ? cell(pct, light.accent) : '') + (pct < 100 ? cell(100 - pct, light.soft) : '');
  return `<table ${TABLE} style="border-collapse:collapse;"><tr>${cells}</tr></table>`;
}

/** Rows of label · bar · figure, fixed layout so long labels wrap instead of widening the mail. */
export function barRows(rows: Array<{ label: string; rate: number | null; figure: string }>): string {
  const tr = rows
    .map(
      (r) =>
        `<tr><td style="width:92px;padding:4px 8px 4px 0;font-size:14px;line-height:1.3;vertical-align:middle;">${escapeHtml(r.label)}</td>` +
        `<td style="padding:4px 0;vertical-align:middle;">${barHtml(r.rate)}</td>` +
        `<td style="width:78px;padding:4px 0 4px 8px;font-size:14px;line-height:1.3;text-align:right;white-space:nowrap;vertical-align:middle;">${escapeHtml(r.figure)}</td></tr>`,
    )
    .join('');
  return `<table ${TABLE} style="border-collapse:collapse;table-layout:fixed;margin:4px 0 8px;">${tr}</table>`;
}

/** The same bars in plain text: `Read         [#########-----]  31  62%`. */
export function barText(rows: Array<{ label: string; rate: number | null; figure: string }>): string {
  const width = Math.max(...rows.map((r) => r.label.length), 4);
  return rows
    .map((r) => {
      const n = r.rate === null ? 0 : Math.max(0, Math.min(20, Math.round(r.rate * 20)));
      return `${r.label.padEnd(width)}  [${'#'.repeat(n)}${'-'.repeat(20 - n)}]  ${r.figure}`;
    })
    .join('\n');
}

function stageRows(stages: readonly StageCount[]) {
  return stages.map((s) => ({
    label: STAGE_LABELS[s.stage],
    rate: s.rate,
    figure: s.stage === 'sent' ? String(s.count) : `${s.count} · ${percent(s.rate)}`,
  }));
}

function ratingRows(counts: readonly number[], total: number) {
  return [5, 4, 3, 2, 1].map((star) => {
    const n = counts[star - 1] ?? 0;
    return { label: `${star} of 5`, rate: total ? n / total : null, figure: String(n) };
  });
}

const dateOf = (iso: string) => formatCalendarDate(iso.slice(0, 10), 'short');

function kindOf(c: Contribution): string {
  if (c.response.intent === 'strategy') return 'shared a strategy';
  if (c.response.intent === 'adopt') return c.strategy ? `adopts #${c.strategy.number} ${c.strategy.title}` : 'adopts a strategy';
  return c.target ? `commented on ${c.target.author.name}'s contribution` : 'commented on the training';
}

// ---- the digest body ----------------------------------------------------------------------------

/** A reply waiting for the trainer, with its one-click tags (needs a look) or nothing to click (needs you). */
export interface DoubtItem {
  record: NeedsLook;
  name: string;
  trainingTitle: string;
  tags: LabelledLink[];
}

export interface DigestBodyInput {
  funnel: SeriesFunnel;
  /** Open replies Baton could not read, oldest first. */
  needsLook?: readonly DoubtItem[];
  /** Open requests and rejoin asks. */
  needsYou?: readonly DoubtItem[];
  /** New strategies and comments since the last digest. */
  news: readonly Contribution[];
  since: Date;
  now: Date;
}

export function renderDigestBody(input: DigestBodyInput): RenderedBody {
  const { funnel, news, since } = input;
  const html: string[] = [];
  const text: string[] = [];
  const p = funnel.participants;
  const people = `${p.active} active participant${p.active === 1 ? '' : 's'} of ${p.total}` + (p.bounced || p.unsubscribed ? ` (${p.bounced} bounced, ${p.unsubscribed} unsubscribed)` : '');
  html.push(`<p style="margin:0 0 8px;">${escapeHtml(people)}.</p>`);
  text.push(`${people}.`);

  if (funnel.goal) {
    const g = funnel.goal;
    const line = `Goal: ${g.reached} of ${g.participants} contributed to at least ${g.atLeast} of ${g.of} trainings (${percent(g.rate)}).`;
    html.push(h2('Toward the goal'), `<p style="margin:0 0 4px;">${escapeHtml(line)}</p>`, barRows([{ label: `≥ ${g.atLeast} of ${g.of}`, rate: g.rate, figure: `${g.reached} · ${percent(g.rate)}` }]));
    text.push('TOWARD THE GOAL', line);
  }

  // Doubts first: they are what the trainer has to act on.
  const looks = input.needsLook ?? [];
  if (looks.length) {
    html.push(h2(`Needs a look (${looks.length})`), `<p style="margin:0 0 4px;font-size:15px;">Baton could not tell what these replies meant, so nothing is recorded for them. One click records each as it should be.</p>`);
    text.push(`NEEDS A LOOK (${looks.length})`, 'Baton could not tell what these replies meant, so nothing is recorded for them. One click records each as it should be.');
    for (const d of looks.slice(0, LIST_LIMIT)) {
      html.push(
        `<p style="margin:12px 0 2px;font-size:14px;"><strong>${escapeHtml(d.name)}</strong> ${muted(escapeHtml(`answering the ${d.record.answers} · ${d.trainingTitle} · ${dateOf(d.record.receivedAt)}`))}</p>` +
          `<p style="margin:0 0 4px;padding-left:12px;border-left:3px solid ${light.quoteBar};">${excerptHtml(d.record.text || '(no text)')}</p>` +
          `<p style="margin:0 0 8px;font-size:14px;line-height:1.7;">Record as: ${linkRowHtml(d.tags)}</p>`,
      );
      text.push(`- ${d.name}, answering the ${d.record.answers} (${d.trainingTitle}, ${dateOf(d.record.receivedAt)})\n  ${shorten(d.record.text || '(no text)').replace(/\n/g, '\n  ')}\n  Record as:\n${linkRowText(d.tags, '    ')}`);
    }
  }
  const asks = input.needsYou ?? [];
  if (asks.length) {
    html.push(h2(`Needs you (${asks.length})`), `<p style="margin:0 0 4px;font-size:15px;">Questions and requests that are not contributions: answer them by email.</p>`);
    text.push(`NEEDS YOU (${asks.length})`, 'Questions and requests that are not contributions: answer them by email.');
    for (const d of asks.slice(0, LIST_LIMIT)) {
      const what = d.record.kind === 'rejoin' ? 'asks to rejoin (they got a one-click resubscribe link)' : 'asks';
      html.push(
        `<p style="margin:12px 0 2px;font-size:14px;"><strong>${escapeHtml(d.name)}</strong> ${escapeHtml(what)} ${muted(`&lt;${escapeHtml(d.record.participantEmail)}&gt; · ${escapeHtml(dateOf(d.record.receivedAt))}`)}</p>` +
          `<p style="margin:0 0 8px;padding-left:12px;border-left:3px solid ${light.quoteBar};">${excerptHtml(d.record.text || '(no text)')}</p>`,
      );
      text.push(`- ${d.name} <${d.record.participantEmail}> ${what} (${dateOf(d.record.receivedAt)})\n  ${shorten(d.record.text || '(no text)').replace(/\n/g, '\n  ')}`);
    }
  }

  html.push(h2('The whole series'), barRows(stageRows(funnel.stages)));
  text.push('THE WHOLE SERIES', barText(stageRows(funnel.stages)));

  for (const t of funnel.trainings) {
    if (t.stages[0]!.count === 0 && t.stages[1]!.count === 0) continue;
    const extra = `${t.strategiesShared} strateg${t.strategiesShared === 1 ? 'y' : 'ies'} shared, ${t.comments} comment${t.comments === 1 ? '' : 's'}, ${t.kudos} kudos`;
    const window = `${formatCalendarDate(t.opens, 'short')} – ${formatCalendarDate(t.closes, 'short')}`;
    html.push(h3(escapeHtml(t.title)), `<p style="margin:0 0 4px;font-size:14px;">${muted(escapeHtml(`${window} · ${extra}`))}</p>`, barRows(stageRows(t.stages)));
    text.push(`${t.title} (${window}; ${extra})`, barText(stageRows(t.stages)));
  }

  const sinceLabel = formatCalendarDate(since.toISOString().slice(0, 10), 'short');
  html.push(h2(`New since ${escapeHtml(sinceLabel)} (${news.length})`));
  text.push(`NEW SINCE ${sinceLabel.toUpperCase()} (${news.length})`);
  if (!news.length) {
    html.push(`<p style="margin:0 0 8px;">${muted('No new strategies or comments this week.')}</p>`);
    text.push('No new strategies or comments this week.');
  }
  for (const c of news.slice(0, LIST_LIMIT)) {
    const head = `${c.author.name} ${kindOf(c)} · ${c.training.title} · ${dateOf(c.response.receivedAt)}`;
    html.push(
      `<p style="margin:12px 0 2px;font-size:14px;"><strong>${escapeHtml(c.author.name)}</strong> ${escapeHtml(kindOf(c))}<br>${muted(escapeHtml(`${c.training.title} · ${dateOf(c.response.receivedAt)}`))}</p>` +
        `<p style="margin:0 0 8px;padding-left:12px;border-left:3px solid ${light.quoteBar};">${excerptHtml(c.response.text)}</p>`,
    );
    text.push(`- ${head}\n  ${shorten(c.response.text).replace(/\n/g, '\n  ')}`);
  }
  if (news.length > LIST_LIMIT) {
    html.push(`<p style="margin:0 0 8px;">${muted(`…and ${news.length - LIST_LIMIT} more: see them all with baton export.`)}</p>`);
    text.push(`...and ${news.length - LIST_LIMIT} more: see them all with baton export.`);
  }

  const top = funnel.topStrategies.slice(0, 5);
  if (top.length) {
    html.push(h2('Most adopted strategies'));
    text.push('MOST ADOPTED STRATEGIES');
    for (const s of top) {
      const training = funnel.trainings.find((t) => t.slug === s.trainingSlug);
      const head = `#${s.number} ${s.title}: ${s.adopters} adopter${s.adopters === 1 ? '' : 's'}` + (s.ratings.average !== null ? `, rated ${s.ratings.average.toFixed(1)} of 5` : '');
      html.push(`<p style="margin:12px 0 2px;"><strong>${escapeHtml(head)}</strong><br>${muted(escapeHtml(training?.title ?? s.trainingSlug))}</p>`);
      text.push(`- ${head} (${training?.title ?? s.trainingSlug})`);
      for (const r of s.reasons.slice(0, 3)) {
        html.push(`<p style="margin:0 0 6px;padding-left:12px;border-left:3px solid ${light.quoteBar};font-size:15px;">${excerptHtml(r.text, 200)} ${muted(`— ${escapeHtml(r.name)}`)}</p>`);
        text.push(`  "${shorten(r.text, 200).replace(/\n/g, ' ')}" (${r.name})`);
      }
    }
  }

  if (funnel.ratings.total) {
    const avg = funnel.ratings.average!.toFixed(1);
    html.push(h2('Follow-up ratings'), `<p style="margin:0 0 4px;">${funnel.ratings.total} rating${funnel.ratings.total === 1 ? '' : 's'}, average ${avg} of 5.</p>`, barRows(ratingRows(funnel.ratings.counts, funnel.ratings.total)));
    text.push('FOLLOW-UP RATINGS', `${funnel.ratings.total} ratings, average ${avg} of 5.`, barText(ratingRows(funnel.ratings.counts, funnel.ratings.total)));
  }

  html.push(h2(`Not engaged yet (${funnel.notEngaged.length})`));
  text.push(`NOT ENGAGED YET (${funnel.notEngaged.length})`);
  if (funnel.notEngaged.length) {
    const names = funnel.notEngaged.slice(0, LIST_LIMIT);
    const more = funnel.notEngaged.length - names.length;
    html.push(
      `<p style="margin:0 0 4px;font-size:15px;">A personal note often helps: these people got the trainings and have not answered anything yet.</p>` +
        `<p style="margin:0 0 8px;font-size:15px;">${names.map((n) => `${escapeHtml(n.name)} ${muted(`&lt;${escapeHtml(n.email)}&gt;`)}`).join('<br>')}` +
        (more ? `<br>${muted(`…and ${more} more (baton status ${escapeHtml(funnel.seriesId)} lists everyone).`)}` : '') +
        '</p>',
    );
    text.push([...names.map((n) => `- ${n.name} <${n.email}>`), ...(more ? [`...and ${more} more (baton status ${funnel.seriesId})`] : [])].join('\n'));
  } else {
    html.push(`<p style="margin:0 0 8px;">${muted('Everyone who got a training has answered.')}</p>`);
    text.push('Everyone who got a training has answered.');
  }

  const recent = (list: readonly StatusEvent[]) => list.filter((e) => e.at >= since.toISOString());
  const bounces = recent(funnel.bounces);
  const unsubscribes = recent(funnel.unsubscribes);
  html.push(h2('Bounces and unsubscribes'));
  text.push('BOUNCES AND UNSUBSCRIBES');
  const statusLine = `This week: ${bounces.length} bounced, ${unsubscribes.length} unsubscribed. In all: ${funnel.bounces.length} bounced, ${funnel.unsubscribes.length} unsubscribed.`;
  html.push(`<p style="margin:0 0 4px;">${escapeHtml(statusLine)}</p>`);
  text.push(statusLine);
  const events = [...bounces.map((e) => ({ ...e, what: 'bounced' })), ...unsubscribes.map((e) => ({ ...e, what: 'unsubscribed' }))].slice(0, LIST_LIMIT);
  if (events.length) {
    html.push(`<p style="margin:0 0 8px;font-size:15px;">${events.map((e) => `${escapeHtml(e.name)} ${muted(`&lt;${escapeHtml(e.email)}&gt; ${e.what} ${escapeHtml(dateOf(e.at))}`)}`).join('<br>')}</p>`);
    text.push(events.map((e) => `- ${e.name} <${e.email}> ${e.what} ${dateOf(e.at)}`).join('\n'));
  }

  return { html: html.join('\n'), text: text.join('\n\n') };
}

/** The ISO week of `now` in the recipient's zone, its Monday (`monday`) and as people read it ("Mon 18 Jan 2027"). */
export function weekOf(now: Date, timeZone: string, language: Language = 'en'): { week: string; label: string; date: string; monday: string } {
  const { date, weekday } = utcToZoned(now, timeZone);
  const back = { mon: 0, tue: 1, wed: 2, thu: 3, fri: 4, sat: 5, sun: 6 }[weekday];
  const monday = new Date(Date.parse(`${date}T00:00:00Z`) - back * 86_400_000).toISOString().slice(0, 10);
  return { week: isoWeek(date), label: formatCalendarDate(monday, 'short', true, language), date, monday };
}

export const digestPlanner: JobPlanner = async ({ job, published, participants, deps, template }) => {
  const now = deps.now();
  const since = new Date(now.getTime() - WEEK_MS);
  const [everyone, responses, deliveries, open] = await Promise.all([
    participants(),
    deps.store.listResponses(job.seriesId),
    deps.store.listDeliveries(job.seriesId, 'training#'),
    deps.store.listNeedsLook(job.seriesId, { open: true }),
  ]);
  const input = { series: published.series, trainings: published.trainings, participants: everyone, responses, deliveries };
  const funnel = computeFunnel(input);
  const news = contributionsBetween(input, since, now, { intents: ['strategy', 'comment'] });
  const sign = linkSigner(published.series, published.trainings, deps.settings);
  const item = (record: NeedsLook): DoubtItem => {
    const training = published.trainings.find((t) => t.slug === record.trainingSlug);
    return {
      record,
      name: everyone.find((p) => p.email === record.participantEmail)?.name ?? record.participantEmail,
      trainingTitle: training?.title ?? record.trainingSlug,
      tags: record.kind === 'unclear' ? tagLinks(sign, record, training) : [],
    };
  };
  const body = renderDigestBody({
    funnel,
    news,
    since,
    now,
    needsLook: open.filter((r) => r.kind === 'unclear').map(item),
    needsYou: open.filter((r) => r.kind !== 'unclear').map(item),
  });
  const compiled = await template(TEMPLATE.digest);
  const trainers = published.series.trainers.filter((t) => !job.timeZone || t.timeZone === job.timeZone);
  return trainers.map((trainer): Outgoing => {
    const week = weekOf(now, trainer.timeZone);
    const compose = prepareDigestSend({
      series: published.series,
      trainings: published.trainings,
      template: compiled,
      settings: deps.settings,
      now,
      week: week.week,
      weekLabel: week.label,
      body,
    });
    return { emailId: `${emailId('digest', undefined, trainer.email)}#${week.week}`, to: trainer.email, build: () => compose(trainer) };
  });
};

