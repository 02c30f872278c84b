// The trainer studio's pages, rendered on the server as whole documents. Plain HTML forms, no
// script: every action is a POST with the session's CSRF token that answers with a redirect (so a
// reload never repeats it) or with the page that says what went wrong. Charts are inline SVG
// (charts.ts). Colours come from the email palette (text pairs held to 4.5:1 by its test); every
// control has a visible label and a focus ring, and the layout is one column below 40rem.
import type { Session } from '#app/studio/access';
import type { ContributionsView } from '#app/studio/contributions';
import type { EnrolPreview } from '#app/studio/enrol';
import type { Overview } from '#app/studio/overview';
import { PEOPLE_LIMIT, type ParticipantsView, type GridCell } from '#app/studio/participants';
import type { Response as BatonResponse } from '#core/model';
import type { PublishedSeries, StoredParticipant } from '#core/records';
import type { GroupParticipation } from '#core/participation';
import { percent, STAGE_LABELS, STAGES } from '#core/report';
import { formatDate } from '#core/time';
import { escapeHtml } from '#mail/escape';
import { FONT_STACK, light } from '#mail/palette';
import { horizontalBars, pairedColumns } from './charts.ts';

export const STUDIO_BASE = '/studio';
export const seriesPath = (id: string, rest = '') => `${STUDIO_BASE}/s/${encodeURIComponent(id)}${rest}`;
export const personPath = (id: string, email: string, rest = '') => seriesPath(id, `/person${rest}?email=${encodeURIComponent(email)}`);

const e = escapeHtml;

const STYLE = `
:root{color-scheme:light}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:${light.page};color:${light.text};font:1rem/1.5 ${FONT_STACK}}
header.top{background:${light.card};border-bottom:1px solid ${light.border};padding:.5rem 1rem;display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center}
header.top .brand{font-weight:700;margin-right:auto}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .75rem}
nav a{display:inline-block;padding:.4rem .2rem;color:${light.link}}
nav a[aria-current=page]{font-weight:700;color:${light.text};text-decoration:none;border-bottom:3px solid ${light.accent}}
main{max-width:64rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem;line-height:1.3}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem}
h3{font-size:1.05rem;margin:1.25rem 0 .5rem}
h1,h2,h3,p,li,td,th,blockquote,dd{overflow-wrap:anywhere}
a{color:${light.link}}
section.card,.card{background:${light.card};border:1px solid ${light.border};border-radius:10px;padding:1rem;margin:0 0 1rem}
.muted{color:${light.muted}}
.notice{padding:.75rem 1rem;border-left:4px solid #1d6b2f;background:#eef7f0;margin:0 0 1rem;border-radius:4px}
.notice.error{border-color:#a11;background:#fbeeee}
label{display:block;font-weight:600;margin:.75rem 0 .25rem}
input[type=email],input[type=text],input[type=date],input:not([type]),input[type=file],select,textarea{font:inherit;width:100%;max-width:28rem;padding:.5rem;border:1px solid #6b7785;border-radius:6px;background:#fff;color:${light.text}}
button,.button{font:inherit;font-weight:600;display:inline-block;min-height:44px;padding:.55rem 1rem;border:0;border-radius:6px;background:${light.accent};color:${light.onAccent};cursor:pointer;text-decoration:none;margin:.25rem .25rem .25rem 0}
button.secondary{background:${light.soft};color:${light.onSoft};border:1px solid ${light.border}}
button.danger{background:#a11;color:#fff}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible,iframe:focus-visible{outline:3px solid ${light.text};outline-offset:2px}
form.inline{display:inline}
table{border-collapse:collapse;width:100%;font-size:.95rem}
th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid ${light.border};vertical-align:top}
th{font-weight:600}
td.num,th.num{text-align:right}
.chart{width:100%;height:auto;display:block;max-width:40rem}
blockquote{margin:.5rem 0;padding:.5rem .75rem;background:${light.soft};color:${light.onSoft};border-radius:6px;white-space:pre-line}
ul.feed{list-style:none;padding:0;margin:0}
ul.feed>li{border-top:1px solid ${light.border};padding:.75rem 0}
.tags{display:flex;flex-wrap:wrap;gap:.25rem}
.problems li{margin:.25rem 0}
textarea.source{max-width:100%;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9rem}
.field-problems{color:#a11;margin:.25rem 0}
.email-text{border:1px solid ${light.border};border-radius:6px;padding:.75rem;background:#fff;max-width:40rem}
.grid td.cell{text-align:center;font-weight:700}
.grid .c0{color:${light.muted}} .grid .c3{color:#0f5132}
iframe.email{display:block;border:1px solid ${light.border};background:#fff;width:100%;height:75vh}
.sr-only{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0}
dl.kv dt{font-weight:600} dl.kv dd{margin:0}
@media (max-width:40rem){.wide{display:none}}
`
  .trim()
  .replace(/\n/g, '');

export const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
/** An email shown in the preview frame: its images and inline styles, no script, its own origin. */
export const EMAIL_CSP = "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src http: https: data: cid:; style-src 'unsafe-inline'; font-src http: https: data:; frame-ancestors 'self'";

type Tab = 'overview' | 'contributions' | 'participants' | 'trainings';
const TABS: Array<[Tab, string, string]> = [
  ['overview', 'Overview', ''],
  ['contributions', 'Contributions', '/contributions'],
  ['participants', 'Participants', '/participants'],
  ['trainings', 'Trainings', '/trainings'],
];

export interface Notice {
  text: string;
  error?: boolean;
}

interface Layout {
  title: string;
  session?: Session;
  series?: PublishedSeries;
  tab?: Tab;
  notice?: Notice;
  body: string;
}

export const csrfField = (session: Session) => `<input type="hidden" name="csrf" value="${e(session.csrf)}">`;

function noticeHtml(n: Notice | undefined): string {
  if (!n) return '';
  return n.error ? `<p class="notice error" role="alert">${e(n.text)}</p>` : `<p class="notice" role="status">${e(n.text)}</p>`;
}

export function layout(p: Layout): string {
  const nav = p.series
    ? `<nav aria-label="Series"><ul>${TABS.map(([tab, label, rest]) => `<li><a href="${seriesPath(p.series!.series.id, rest)}"${tab === p.tab ? ' aria-current="page"' : ''}>${label}</a></li>`).join('')}</ul></nav>`
    : '';
  const who = p.session
    ? `<form class="inline" method="post" action="${STUDIO_BASE}/signout">${csrfField(p.session)}<span class="muted">${e(p.session.email)}</span> <button class="secondary" type="submit">Sign out</button></form>`
    : '';
  const context = p.series ? `<p class="muted" style="margin:0"><a href="${STUDIO_BASE}">All series</a> · ${e(p.series.series.title)}</p>` : '';
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex"><title>${e(p.title)} · Baton studio</title><style>${STYLE}</style></head>` +
    `<body><header class="top"><span class="brand">Baton studio</span>${nav}${who}</header><main>${context}<h1>${e(p.title)}</h1>${noticeHtml(p.notice)}${p.body}</main></body></html>`
  );
}

// ---------------------------------------------------------------------------------------------
// Signing in

export function signInPage(opts: { notice?: Notice; email?: string } = {}): string {
  return layout({
    title: 'Sign in',
    ...(opts.notice ? { notice: opts.notice } : {}),
    body:
      `<section class="card"><p>Trainers of a series sign in with the address the series lists. We email you a link that works once, for 15 minutes.</p>` +
      `<form method="post" action="${STUDIO_BASE}/signin"><label for="email">Your email address</label>` +
      `<input id="email" name="email" type="email" autocomplete="email" required value="${e(opts.email ?? '')}">` +
      `<p><button type="submit">Email me a sign-in link</button></p></form></section>`,
  });
}

export function checkEmailPage(email: string): string {
  return layout({
    title: 'Check your email',
    body: `<section class="card"><p>If ${e(email)} runs a series here, a sign-in link is on its way. It works once, for 15 minutes.</p><p><a href="${STUDIO_BASE}">Back</a></p></section>`,
  });
}

export function signInConfirmPage(token: string, email: string): string {
  return layout({
    title: 'Sign in to the studio',
    body:
      `<section class="card"><p>Signing in as ${e(email)}.</p>` +
      `<form method="post" action="${STUDIO_BASE}/signin/${e(token)}"><button type="submit">Sign in</button></form>` +
      `<p class="muted">One click more, because some mail systems open every link in a message by themselves.</p></section>`,
  });
}

export function signInProblemPage(kind: 'invalid' | 'expired' | 'used'): string {
  const text = {
    invalid: 'This sign-in link is not valid: it may have been cut short when it was copied.',
    expired: 'This sign-in link has expired: links work for 15 minutes.',
    used: 'This sign-in link was used already: each link works once.',
  }[kind];
  return signInPage({ notice: { text: `${text} Ask for a new one below.`, error: true } });
}

export function messagePage(title: string, text: string, session?: Session): string {
  return layout({ title, ...(session ? { session } : {}), body: `<section class="card"><p>${e(text)}</p><p><a href="${STUDIO_BASE}">Back to the studio</a></p></section>` });
}

export function seriesListPage(session: Session, list: readonly PublishedSeries[], notice?: Notice): string {
  const items = list.length
    ? `<ul>${list.map((s) => `<li><a href="${seriesPath(s.series.id)}">${e(s.series.title)}</a> <span class="muted">(${e(s.series.id)}, ${s.trainings.length} trainings)</span></li>`).join('')}</ul>`
    : '<p>No series lists you as a trainer any more.</p>';
  return layout({ title: 'Your series', session, ...(notice ? { notice } : {}), body: `<section class="card">${items}</section>` });
}

// ---------------------------------------------------------------------------------------------
// Overview

function funnelTable(caption: string, rows: Array<{ stage: string; count: number; rate: number | null; base: string }>): string {
  return (
    `<table aria-label="${e(caption)}"><thead><tr><th scope="col">Stage</th><th scope="col" class="num">People</th><th scope="col" class="num">Rate</th></tr></thead><tbody>` +
    rows.map((r) => `<tr><th scope="row">${e(r.stage)}</th><td class="num">${r.count}</td><td class="num">${percent(r.rate)}${r.base === 'adopted' ? ' of adopters' : ''}</td></tr>`).join('') +
    '</tbody></table>'
  );
}

/** The overview's "By team" section (participants CSV column `team`): bars and their numbers. */
export function teamsSection(teams: readonly GroupParticipation[]): string {
  const shown = teams.slice(0, 20);
  return (
    `<section class="card" aria-labelledby="teams"><h2 id="teams">By team</h2>` +
    horizontalBars('Engaged participants by team', shown.map((t) => ({ label: t.group, value: t.engaged, figure: `${t.engaged} of ${t.enrolled}` })), { max: Math.max(1, ...shown.map((t) => t.enrolled)) }) +
    `<details><summary>Numbers</summary><table data-testid="teams"><thead><tr><th scope="col">Team</th><th scope="col" class="num">Enrolled</th><th scope="col" class="num">Engaged</th></tr></thead><tbody>${teams
      .map((t) => `<tr><th scope="row">${e(t.group)}</th><td class="num">${t.enrolled}</td><td class="num">${t.engaged}</td></tr>`)
      .join('')}</tbody></table></details>` +
    (teams.length > shown.length ? `<p class="muted">The chart shows the ${shown.length} largest of ${teams.length} teams; the table lists them all.</p>` : '') +
    '</section>'
  );
}

export function overviewPage(o: Overview, session: Session, notice?: Notice): string {
  const { funnel, published } = o;
  const teams = funnel.teams;
  const id = published.series.id;
  const stageRows = (stages: typeof funnel.stages) => stages.map((s) => ({ stage: STAGE_LABELS[s.stage], count: s.count, rate: s.rate, base: s.base }));
  const bars = (stages: typeof funnel.stages) => stages.map((s) => ({ label: STAGE_LABELS[s.stage], value: s.count, figure: `${s.count} · ${percent(s.rate)}` }));
  const goal = funnel.goal
    ? `<section class="card" aria-labelledby="goal"><h2 id="goal">Goal: ${funnel.goal.atLeast} of ${funnel.goal.of} trainings</h2>` +
      `<p><strong data-testid="goal">${funnel.goal.reached} of ${funnel.goal.participants}</strong> active participants have contributed to at least ${funnel.goal.atLeast} trainings (${percent(funnel.goal.rate)}).</p>` +
      horizontalBars(
        'Participants by number of trainings contributed to',
        funnel.goal.byTrainings.map((n, k) => ({ label: `${k} training${k === 1 ? '' : 's'}`, value: n, figure: String(n) })),
      ) +
      '</section>'
    : '';
  const perTraining = funnel.trainings
    .map(
      (t) =>
        `<section class="card" aria-labelledby="t-${e(t.slug)}"><h3 id="t-${e(t.slug)}">${e(t.title)} <span class="muted">${e(formatDate(t.opens))} – ${e(formatDate(t.closes))}</span></h3>` +
        horizontalBars(`Funnel of ${t.title}`, bars(t.stages)) +
        `<details><summary>Numbers</summary>${funnelTable(`Funnel of ${t.title}`, stageRows(t.stages))}</details></section>`,
    )
    .join('');
  const weeks = funnel.weeks.length
    ? pairedColumns('People answering per week', ['Engaged', 'Contributed'], funnel.weeks.map((w) => ({ label: w.week.slice(5), values: [w.engaged, w.contributed] }))) +
      `<details><summary>Numbers</summary><table><thead><tr><th scope="col">Week</th><th scope="col" class="num">Engaged</th><th scope="col" class="num">Contributed</th></tr></thead><tbody>${funnel.weeks.map((w) => `<tr><th scope="row">${e(w.week)}</th><td class="num">${w.engaged}</td><td class="num">${w.contributed}</td></tr>`).join('')}</tbody></table></details>`
    : '<p class="muted">No answers yet.</p>';
  const zones =
    horizontalBars('Engaged participants by time zone', funnel.zones.slice(0, 12).map((z) => ({ label: z.timeZone, value: z.engaged, figure: `${z.engaged} of ${z.enrolled}` })), { max: Math.max(1, ...funnel.zones.map((z) => z.enrolled)) }) +
    (funnel.zones.length > 12 ? `<p class="muted">And ${funnel.zones.length - 12} more zones.</p>` : '');
  const shown = o.quiet;
  const quiet = funnel.quiet
    ? `<p>${funnel.quiet} active participant${funnel.quiet === 1 ? ' has' : 's have'} not answered anything yet. A personal nudge goes once per person, from you, about the latest training they got.</p>` +
      `<table><thead><tr><th scope="col">Name</th><th scope="col" class="wide">Address</th><th scope="col">Nudge</th></tr></thead><tbody>` +
      shown
        .map(
          (p) =>
            `<tr><td>${e(p.name)}</td><td class="wide">${e(p.email)}</td><td>${
              o.nudged.has(p.email)
                ? '<span class="muted">Nudged</span>'
                : `<form class="inline" method="post" action="${seriesPath(id, '/nudge')}">${csrfField(session)}<input type="hidden" name="email" value="${e(p.email)}"><button type="submit" class="secondary" aria-label="Nudge ${e(p.name)}">Nudge</button></form>`
            }</td></tr>`,
        )
        .join('') +
      `</tbody></table>${funnel.quiet > shown.length ? `<p class="muted">The first ${shown.length} by name; the participants page lists everyone.</p>` : ''}`
    : '<p>Everyone who was sent a training has answered. 🎉</p>';
  const p = funnel.participants;
  return layout({
    title: 'Overview',
    session,
    series: published,
    tab: 'overview',
    ...(notice ? { notice } : {}),
    body:
      (o.ready ? '' : `<p class="notice" role="note">These numbers are kept as things happen from the series' next publish on; until then they may be incomplete. Publish the series again (or run <code>baton recount ${e(id)}</code>) to count everything so far.</p>`) +
      `<section class="card" aria-labelledby="series-funnel"><h2 id="series-funnel">The whole series</h2>` +
      `<p>${p.total} enrolled: ${p.active} active, ${p.unsubscribed} unsubscribed, ${p.bounced} bounced.</p>` +
      horizontalBars('Series funnel: distinct people over all trainings', bars(funnel.stages)) +
      `<div data-testid="series-funnel">${funnelTable('Series funnel', stageRows(funnel.stages))}</div></section>` +
      goal +
      `<h2>Per training</h2>${perTraining}` +
      `<section class="card" aria-labelledby="weeks"><h2 id="weeks">Over the weeks</h2>${weeks}</section>` +
      `<section class="card" aria-labelledby="zones"><h2 id="zones">By time zone</h2>${zones}</section>` +
      (teams ? teamsSection(teams) : '') +
      `<section class="card" aria-labelledby="quiet"><h2 id="quiet">Not engaged yet</h2>${quiet}</section>`,
  });
}

// ---------------------------------------------------------------------------------------------
// Contributions

export const INTENT_WORDS: Record<string, string> = { strategy: 'Strategy', adopt: 'Adoption', comment: 'Comment', feedback: 'Feedback', 'follow-up': 'Check-in', read: 'Read' };

function choiceOptions(published: PublishedSeries, trainingSlug: string, withNothing: boolean): Array<[string, string]> {
  const t = published.trainings.find((x) => x.slug === trainingSlug);
  return [
    ['strategy', 'Strategy of their own'],
    ...(t?.strategies ?? []).map((s): [string, string] => [`adopt:${s.number}`, `Adopts #${s.number}`]),
    ['comment', 'Comment'],
    ['feedback', 'Feedback'],
    ...(withNothing ? ([['nothing', 'Nothing']] as Array<[string, string]>) : []),
  ];
}

/** A response's text and attachments, as the feed shows them. */
export function responseBody(r: BatonResponse): string {
  return (r.text.trim() ? `<blockquote>${e(r.text.slice(0, 1200))}</blockquote>` : '') + (r.attachments.length ? `<p class="muted">Attachments: ${r.attachments.map((a) => e(a.filename)).join(', ')}</p>` : '');
}

/**
 * The "correct this record" form of a response (none for check-ins). `person` sends the trainer
 * back to that person's page instead of the contributions page.
 */
export function correctForm(published: PublishedSeries, r: BatonResponse, session: Session, person?: string): string {
  if (r.intent === 'follow-up') return '';
  const id = published.series.id;
  const options = choiceOptions(published, r.trainingSlug, false).filter(([value]) => value !== (r.intent === 'adopt' ? `adopt:${published.trainings.find((t) => t.slug === r.trainingSlug)?.strategies.find((s) => s.id === r.strategyId)?.number}` : r.intent));
  const fid = `fix-${e(r.id.replace(/[^A-Za-z0-9_-]/g, '_'))}`;
  return (
    `<details><summary>Correct this record</summary><form method="post" action="${seriesPath(id, '/correct')}">${csrfField(session)}<input type="hidden" name="id" value="${e(r.id)}">` +
    (person ? `<input type="hidden" name="person" value="${e(person)}">` : '') +
    `<label for="${fid}">Record it as</label><select id="${fid}" name="choice">${options.map(([value, label]) => `<option value="${e(value)}">${e(label)}</option>`).join('')}<option value="withdraw">Withdraw it</option></select>` +
    `<p><button type="submit">Correct</button></p></form></details>`
  );
}

export function contributionsPage(v: ContributionsView, session: Session, notice?: Notice): string {
  const id = v.published.series.id;
  const looks = v.needsLook.length
    ? `<ul class="feed">${v.needsLook
        .map(
          (l) =>
            `<li data-look="${e(l.id)}"><p><strong>${e(l.name)}</strong> <span class="muted">answering the ${e(l.answers)}, ${e(l.receivedAt.slice(0, 10))}${l.reason ? ` · ${e(l.reason)}` : ''}</span></p><blockquote>${e(l.text.slice(0, 1200))}</blockquote>` +
            `<form method="post" action="${seriesPath(id, '/tag')}" aria-label="Tag the reply of ${e(l.name)}">${csrfField(session)}<input type="hidden" name="id" value="${e(l.id)}"><div class="tags">` +
            choiceOptions(v.published, l.trainingSlug, true)
              .map(([value, label]) => `<button type="submit" class="secondary" name="choice" value="${e(value)}">${e(label)}</button>`)
              .join('') +
            '</div></form></li>',
        )
        .join('')}</ul>`
    : '<p class="muted">Nothing waits for a look.</p>';
  const you = v.needsYou.length
    ? `<ul class="feed">${v.needsYou
        .map(
          (l) =>
            `<li><p><strong>${e(l.name)}</strong> <span class="muted">${l.kind === 'rejoin' ? 'asks to rejoin' : 'asks'}, ${e(l.receivedAt.slice(0, 10))}</span></p><blockquote>${e(l.text.slice(0, 1200))}</blockquote>` +
            `<a class="button" href="mailto:${encodeURIComponent(l.participantEmail)}?subject=${encodeURIComponent(`Re: ${v.published.series.title}`)}">Reply by email</a>` +
            (l.kind === 'rejoin' && v.participants.get(l.participantEmail)?.unsubscribedAt
              ? `<form class="inline" method="post" action="${seriesPath(id, '/resubscribe')}">${csrfField(session)}<input type="hidden" name="email" value="${e(l.participantEmail)}"><button type="submit">Resubscribe ${e(l.name)}</button></form>`
              : '') +
            '</li>',
        )
        .join('')}</ul>`
    : '<p class="muted">No requests.</p>';
  const feed = v.feed.length
    ? `<ul class="feed">${v.feed
        .map(({ response: r, name, trainingTitle, strategyTitle }) => {
          return (
            `<li data-response="${e(r.id)}"><p><strong>${INTENT_WORDS[r.intent] ?? e(r.intent)}</strong>${strategyTitle ? ` ${e(strategyTitle)}` : ''} · ${e(name)} <span class="muted">on “${e(trainingTitle)}”, ${e(r.receivedAt.slice(0, 10))}${r.rating ? ` · rated ${r.rating} of 5` : ''}</span></p>` +
            responseBody(r) +
            correctForm(v.published, r, session) +
            '</li>'
          );
        })
        .join('')}</ul>` + (v.older ? `<p><a href="${seriesPath(id, `/contributions?${new URLSearchParams({ older: v.older })}`)}">Older contributions</a></p>` : '')
    : '<p class="muted">No contributions yet.</p>';
  return layout({
    title: 'Contributions',
    session,
    series: v.published,
    tab: 'contributions',
    ...(notice ? { notice } : {}),
    body:
      `<section class="card" aria-labelledby="needs-look"><h2 id="needs-look">Needs a look (${v.needsLook.length})</h2><p class="muted">Replies Baton could not read with confidence: one click records what they are.</p>${looks}</section>` +
      `<section class="card" aria-labelledby="needs-you"><h2 id="needs-you">Needs you (${v.needsYou.length})</h2>${you}</section>` +
      `<section class="card" aria-labelledby="feed"><h2 id="feed">Latest contributions</h2>${feed}</section>`,
  });
}

// ---------------------------------------------------------------------------------------------
// Participants

export function statusOf(p: StoredParticipant, now: Date): string {
  if (p.unsubscribedAt) return `Unsubscribed ${p.unsubscribedAt.slice(0, 10)}`;
  if (p.bouncedAt) return `Bounced ${p.bouncedAt.slice(0, 10)}`;
  const parts = ['Active'];
  if (p.outOfOfficeUntil && Date.parse(p.outOfOfficeUntil) > now.getTime()) parts.push(`out of office until ${p.outOfOfficeUntil.slice(0, 10)}`);
  const off = Object.entries(p.preferences ?? {}).filter(([, on]) => on === false).map(([k]) => k);
  if (off.length) parts.push(`no ${off.join(', ')}`);
  if (p.calendarsOffAt) parts.push('no calendar entries');
  return parts.join(', ');
}

const CELL = ['·', 'R', 'C', 'A'] as const;
const CELL_WORDS = ['nothing yet', 'read', 'contributed', 'adopted'] as const;

function enrolForm(id: string, session: Session): string {
  return (
    `<form method="post" action="${seriesPath(id, '/enrol')}" enctype="multipart/form-data">${csrfField(session)}` +
    `<label for="csv">Participants CSV (email, name, timeZone, workStart)</label><input id="csv" name="csv" type="file" accept=".csv,text/csv" required>` +
    `<p><button type="submit">Check the file</button></p><p class="muted">Nothing is stored until the file has no problems and you confirm.</p></form>`
  );
}

export function participantsPage(v: ParticipantsView, session: Session, now: Date, notice?: Notice): string {
  const id = v.published.series.id;
  const heads = v.published.trainings.map((t, i) => `<th scope="col" class="num" title="${e(t.title)}">T${i + 1}</th>`).join('');
  const rows = v.rows
    .map(
      ({ participant: p, cells }) =>
        `<tr><th scope="row"><a href="${personPath(id, p.email)}">${e(p.name)}</a><br><span class="muted">${e(p.email)}</span></th><td>${e(statusOf(p, now))}<br><span class="muted">${e(p.timeZone)}</span></td>` +
        cells.map((c: GridCell) => `<td class="cell c${c}"><span aria-hidden="true">${CELL[c]}</span><span class="sr-only">${CELL_WORDS[c]}</span></td>`).join('') +
        `<td><a href="${seriesPath(id, `/unenrol?email=${encodeURIComponent(p.email)}`)}" aria-label="Unenrol ${e(p.name)}">Unenrol</a></td></tr>`,
    )
    .join('');
  return layout({
    title: 'Participants',
    session,
    series: v.published,
    tab: 'participants',
    ...(notice ? { notice } : {}),
    body:
      `<section class="card" aria-labelledby="enrol"><h2 id="enrol">Enrol from a CSV</h2>${enrolForm(id, session)}</section>` +
      `<section class="card" aria-labelledby="people"><h2 id="people">${v.total} participants</h2>` +
      `<form method="get" action="${seriesPath(id, '/participants')}" role="search"><label for="people-q">Find by name or address</label> <input id="people-q" name="q" value="${e(v.search ?? '')}"> <button type="submit" class="secondary">Find</button></form>` +
      (v.search ? `<p class="muted">${v.rows.length} whose name or address starts with “${e(v.search)}”${v.rows.length === PEOPLE_LIMIT ? ` (the first ${PEOPLE_LIMIT})` : ''}. <a href="${seriesPath(id, '/participants')}">Everyone</a></p>` : '') +
      `<p class="muted">Per training: R read, C contributed, A adopted. ${v.published.trainings.map((t, i) => `T${i + 1} ${e(t.title)}`).join('; ')}.</p>` +
      `<table class="grid"><thead><tr><th scope="col">Person</th><th scope="col">Status</th>${heads}<th scope="col"><span class="sr-only">Actions</span></th></tr></thead><tbody>${rows}</tbody></table>` +
      (v.after ? `<p><a href="${seriesPath(id, `/participants?${new URLSearchParams({ after: v.after })}`)}">Next ${PEOPLE_LIMIT}</a></p>` : '') +
      '</section>',
  });
}

export function enrolPreviewPage(published: PublishedSeries, preview: EnrolPreview, csv: string, session: Session): string {
  const id = published.series.id;
  const problems = (list: typeof preview.errors) => `<ul class="problems">${list.map((p) => `<li>Line ${p.line}${p.column ? `, column ${p.column}` : ''}: ${e(p.message)}</li>`).join('')}</ul>`;
  const ok = preview.errors.length === 0 && preview.participants.length > 0;
  const body = ok
    ? `<section class="card"><p>${preview.participants.length} people in ${e(preview.file)}: ${preview.newcomers} new (they get the kickoff and any open training), ${preview.participants.length - preview.newcomers} already enrolled and updated.</p>` +
      (preview.warnings.length ? `<h2>Warnings</h2>${problems(preview.warnings)}` : '') +
      `<table><thead><tr><th scope="col">Name</th><th scope="col">Address</th><th scope="col" class="wide">Time zone</th></tr></thead><tbody>${preview.participants
        .slice(0, 50)
        .map((p) => `<tr><td>${e(p.name)}</td><td>${e(p.email)}</td><td class="wide">${e(p.timeZone)}</td></tr>`)
        .join('')}</tbody></table>` +
      `<form method="post" action="${seriesPath(id, '/enrol/confirm')}">${csrfField(session)}<input type="hidden" name="file" value="${e(preview.file)}"><textarea name="csv" hidden aria-hidden="true">${e(csv)}</textarea>` +
      `<p><button type="submit">Enrol ${preview.participants.length} people</button> <a href="${seriesPath(id, '/participants')}">Cancel</a></p></form></section>`
    : `<section class="card"><p role="alert"><strong>Nothing was stored.</strong> ${preview.errors.length ? `${preview.errors.length} problem${preview.errors.length === 1 ? '' : 's'} in ${e(preview.file)}; fix ${preview.errors.length === 1 ? 'it' : 'them'} and upload the file again.` : 'The file has no participants.'}</p>` +
      `<h2>Problems</h2>${problems(preview.errors)}${preview.warnings.length ? `<h2>Warnings</h2>${problems(preview.warnings)}` : ''}${enrolForm(id, session)}</section>`;
  return layout({ title: ok ? 'Check and confirm' : 'The file has problems', session, series: published, tab: 'participants', body });
}

export function unenrolConfirmPage(published: PublishedSeries, p: StoredParticipant, session: Session): string {
  const id = published.series.id;
  return layout({
    title: `Unenrol ${p.name}?`,
    session,
    series: published,
    tab: 'participants',
    body:
      `<section class="card"><p>${e(p.name)} (${e(p.email)}) gets a cancellation of the calendar entries they were sent, then no more mail from this series. Their contributions stay.</p>` +
      `<form method="post" action="${seriesPath(id, '/unenrol')}">${csrfField(session)}<input type="hidden" name="email" value="${e(p.email)}"><button class="danger" type="submit">Unenrol ${e(p.name)}</button> <a href="${seriesPath(id, '/participants')}">Cancel</a></form></section>`,
  });
}

// ---------------------------------------------------------------------------------------------
// Trainings

export interface TrainingsSelection {
  which: string;
  as?: StoredParticipant;
  width: 600 | 375;
  /** The preview frame's source, when there is something to show. */
  frame?: string;
  subject?: string;
}

export function trainingsPage(published: PublishedSeries, sel: TrainingsSelection, session: Session, notice?: Notice): string {
  const id = published.series.id;
  const emails: Array<[string, string]> = [['kickoff', 'Kickoff'], ...published.trainings.map((t): [string, string] => [t.slug, `${t.title} (${formatDate(t.opens)})`])];
  const list = `<ul>${published.trainings.map((t) => `<li>${e(t.title)} <span class="muted">${e(formatDate(t.opens))} – ${e(formatDate(t.closes))}, ${t.strategies.length} strategies, by ${e(t.author)}</span> <a href="${e(seriesPath(id, `/trainings/edit?training=${encodeURIComponent(t.slug)}`))}" aria-label="Change the dates or title of ${e(t.title)}">Change dates or title</a> · <a href="${e(seriesPath(id, `/trainings/text?training=${encodeURIComponent(t.slug)}`))}" aria-label="Change the text of ${e(t.title)}">Change text</a> · <a href="${e(seriesPath(id, `/trainings/source?training=${encodeURIComponent(t.slug)}`))}" download aria-label="Download the file of ${e(t.title)}">Download the file</a></li>`).join('')}</ul>`;
  const form =
    `<form method="get" action="${seriesPath(id, '/trainings')}"><label for="which">Email</label><select id="which" name="which">${emails.map(([v, l]) => `<option value="${e(v)}"${v === sel.which ? ' selected' : ''}>${e(l)}</option>`).join('')}</select>` +
    `<label for="as">As participant (address)</label><input id="as" name="as" type="email" value="${e(sel.as?.email ?? '')}">` +
    `<fieldset style="border:0;padding:0;margin:.75rem 0 0"><legend style="font-weight:600">Width</legend>` +
    [600, 375].map((w) => `<label style="display:inline-block;font-weight:400;margin-right:1rem"><input type="radio" name="width" value="${w}"${w === sel.width ? ' checked' : ''}> ${w} px</label>`).join('') +
    `</fieldset><p><button type="submit">Preview</button></p></form>`;
  const frame = sel.frame
    ? `<h2>${e(sel.subject ?? '')}</h2><p class="muted">As ${e(sel.as?.name ?? '')} (${e(sel.as?.email ?? '')}), ${sel.width} px wide.</p>` +
      `<iframe class="email" title="Email preview, ${sel.width} pixels wide" src="${e(sel.frame)}" sandbox="allow-popups allow-popups-to-escape-sandbox" style="max-width:${sel.width}px"></iframe>`
    : '<p class="muted">Nobody to preview as: enrol participants first, or give an enrolled address.</p>';
  const actions =
    `<form class="inline" method="post" action="${seriesPath(id, '/test-email')}">${csrfField(session)}<input type="hidden" name="which" value="${e(sel.which)}"><button type="submit" class="secondary">Send this email to me (${e(session.email)})</button></form>` +
    `<a class="button secondary" style="background:${light.soft};color:${light.onSoft}" href="${seriesPath(id, '/export')}" download>Export to wiki (.tar)</a>`;
  return layout({
    title: 'Trainings',
    session,
    series: published,
    tab: 'trainings',
    ...(notice ? { notice } : {}),
    body: `<section class="card">${list}${actions}</section><section class="card" aria-labelledby="preview"><h2 id="preview">Preview</h2>${form}${frame}</section>`,
  });
}
