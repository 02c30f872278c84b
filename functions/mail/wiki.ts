// The end of a series: everything it produced, as pages a team wiki can take. A Markdown page per
// training and an index, and a static HTML site beside them (`html/`), with the same stable names
// so links between pages survive a re-export. Pure: the caller writes the files and copies the
// attachments the plan names.
//
// Nothing participants wrote passes through as markup: in Markdown their text is escaped (no raw
// HTML, no accidental formatting tricks), in HTML it is entity-escaped. Authored articles go
// through the email Markdown renderer, which already shows raw HTML as text.
import { Lexer, type Token } from 'marked';
import { escapeHtml, LITERAL_OPEN } from './escape.ts';
import { formatCalendarDate } from './dates.ts';
import { markdownInlineToEmailHtml, markdownToEmailHtml } from './markdown.ts';
import type { AttachmentRef, Response, Series, Training } from '#core/model';
import { computeFunnel, isContribution, isKudos, percent, STAGE_LABELS, type DeliveryLike, type ParticipantLike, type SeriesFunnel, type TrainingFunnel } from '#core/report';

export interface WikiInput {
  series: Series;
  trainings: readonly Training[];
  participants: readonly ParticipantLike[];
  responses: readonly Response[];
  deliveries?: readonly DeliveryLike[];
  /** Shown on the index ("exported on …"). */
  exportedAt: Date;
}

export interface WikiFile {
  /** Relative to the export folder, `/`-separated. */
  path: string;
  content: string;
}

export interface AttachmentCopy {
  ref: AttachmentRef;
  /** Where the copy goes, relative to the export folder. */
  path: string;
}

export interface WikiExport {
  files: WikiFile[];
  attachments: AttachmentCopy[];
}

/** `03-performance-reviews`: the order keeps pages sorted, the slug keeps the name stable. */
export function pageName(t: Training): string {
  return `${String(t.order).padStart(2, '0')}-${t.slug}`;
}

/** A file name that is safe on every file system and in a URL path segment. */
export function safeFileName(name: string): string {
  const base = name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').replace(/-+/g, '-').slice(0, 100);
  return base || 'file';
}

// ---- Markdown escaping --------------------------------------------------------------------------

/** Participant text for Markdown: every character that could start markup is escaped. */
export function mdEscape(text: string): string {
  // Angle brackets become entities rather than backslash escapes: no renderer reads a tag in them.
  return text
    .replace(/&/g, '&amp;')
    .replace(/[\\`*_{}[\]()#+!|~]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Quoted block of participant text: escaped, each line prefixed. */
function mdQuote(text: string, depth = 1): string {
  const prefix = '> '.repeat(depth);
  return text
    .trim()
    .split(/\r?\n/)
    .map((l) => `${prefix}${mdEscape(l)}`.trimEnd())
    .join('\n');
}

/** Authored Markdown with any raw HTML turned into visible text, so no tag reaches a wiki page. */
export function neutralizeHtml(md: string): string {
  const tokens = new Lexer({ gfm: true }).lex(md);
  const html: string[] = [];
  const walk = (list: readonly Token[] | undefined) => {
    for (const t of list ?? []) {
      if (t.type === 'html' || t.type === 'tag') html.push(t.raw);
      const nested = t as { tokens?: Token[]; items?: Token[] };
      walk(nested.tokens);
      walk(nested.items);
    }
  };
  let out = '';
  for (const t of tokens) {
    html.length = 0;
    walk([t]);
    let raw = t.raw;
    for (const h of new Set(html)) raw = raw.split(h).join(h.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    out += raw;
  }
  return out;
}

// ---- the model of a page ------------------------------------------------------------------------

interface Node {
  response: Response;
  author: string;
  kudos: number;
  replies: Node[];
}

interface TrainingPage {
  training: Training;
  funnel: TrainingFunnel;
  strategies: Node[];
  adoptions: Map<string, Node[]>;
  trainingComments: Node[];
  followUps: Map<string, Response[]>;
}

const byTime = (a: Response, b: Response) => (a.receivedAt < b.receivedAt ? -1 : a.receivedAt > b.receivedAt ? 1 : a.id < b.id ? -1 : 1);

function buildPage(t: Training, funnel: TrainingFunnel, responses: readonly Response[], nameOf: (email: string) => string): TrainingPage {
  const own = responses.filter((r) => r.trainingSlug === t.slug).sort(byTime);
  const nodes = new Map<string, Node>();
  const kudos = new Map<string, number>();
  for (const r of own) {
    if (isKudos(r)) {
      if (r.targetResponseId) kudos.set(r.targetResponseId, (kudos.get(r.targetResponseId) ?? 0) + 1);
      continue;
    }
    if (isContribution(r)) nodes.set(r.id, { response: r, author: nameOf(r.participantEmail), kudos: 0, replies: [] });
  }
  for (const [id, n] of nodes) n.kudos = kudos.get(id) ?? 0;
  const page: TrainingPage = { training: t, funnel, strategies: [], adoptions: new Map(), trainingComments: [], followUps: new Map() };
  for (const n of nodes.values()) {
    const r = n.response;
    if (r.intent === 'comment') {
      const parent = r.targetResponseId ? nodes.get(r.targetResponseId) : undefined;
      if (parent && parent !== n) parent.replies.push(n);
      else page.trainingComments.push(n);
    } else if (r.intent === 'strategy') {
      page.strategies.push(n);
    } else if (r.intent === 'adopt' && r.strategyId) {
      const list = page.adoptions.get(r.strategyId) ?? [];
      list.push(n);
      page.adoptions.set(r.strategyId, list);
    }
  }
  for (const r of own) {
    if (r.intent !== 'follow-up' || !r.strategyId) continue;
    const list = page.followUps.get(r.strategyId) ?? [];
    list.push(r);
    page.followUps.set(r.strategyId, list);
  }
  return page;
}

const day = (iso: string) => formatCalendarDate(iso.slice(0, 10), 'long', true);
const stars = (n: number) => `${n}/5`;

function attachmentPath(r: Response, a: AttachmentRef): string {
  return `attachments/${safeFileName(r.id)}/${safeFileName(a.filename)}`;
}

function httpLinks(r: Response): string[] {
  return r.links.filter((l) => /^https?:\/\//i.test(l));
}

// ---- Markdown pages -----------------------------------------------------------------------------

function mdNode(n: Node, depth: number): string {
  const r = n.response;
  const what = r.intent === 'comment' ? 'comment' : r.intent === 'adopt' ? 'adoption' : 'strategy';
  const head = `**${mdEscape(n.author)}**, ${day(r.receivedAt)}${n.kudos ? ` · ${n.kudos} kudos` : ''}`;
  const lines = [`${'> '.repeat(depth - 1)}${head} (${what})`];
  const quote = r.text.trim() ? mdQuote(r.text, depth) : `${'> '.repeat(depth)}_(no text)_`;
  lines.push(quote);
  for (const l of httpLinks(r)) lines.push(`${'> '.repeat(depth)}<${l.replace(/[<>\s()]/g, encodeURIComponent)}>`);
  for (const a of r.attachments) lines.push(`${'> '.repeat(depth)}Attachment: [${mdEscape(a.filename)}](${attachmentPath(r, a)})`);
  let out = lines.join('\n');
  for (const reply of n.replies) out += `\n${'> '.repeat(depth)}\n${mdNode(reply, depth + 1)}`;
  return out;
}

function funnelLineMd(f: TrainingFunnel): string {
  return f.stages.map((s) => `${STAGE_LABELS[s.stage]} ${s.count}${s.stage === 'sent' ? '' : ` (${percent(s.rate)})`}`).join(' · ');
}

function trainingMarkdown(p: TrainingPage, prev: Training | undefined, next: Training | undefined): string {
  const t = p.training;
  const out: string[] = [`# ${mdEscape(t.title)}`, '', `By ${mdEscape(t.author)} · window ${day(t.opens)} – ${day(t.closes)}`, ''];
  const media = Object.entries(t.media).filter(([, url]) => typeof url === 'string' && /^https?:\/\//i.test(url));
  if (media.length) out.push(media.map(([k, url]) => `- ${k}: <${url}>`).join('\n'), '');
  out.push(`Participation: ${funnelLineMd(p.funnel)}`, '', neutralizeHtml(t.body).trim(), '');
  if (t.strategies.length) out.push('## Strategies', '');
  for (const s of t.strategies) {
    const stat = p.funnel.strategies.find((x) => x.id === s.id);
    out.push(`### ${s.number}. ${neutralizeHtml(s.title)}`, '', neutralizeHtml(s.body).trim(), '');
    out.push(`**Adopted by ${stat?.adopters ?? 0}**${stat?.ratings.total ? ` · follow-up rating ${stat.ratings.average!.toFixed(1)}/5 from ${stat.ratings.total}` : ''}`, '');
    const adoptions = p.adoptions.get(s.id) ?? [];
    if (adoptions.some((a) => a.response.text.trim() || a.replies.length)) {
      out.push('Why people adopt it:', '');
      for (const a of adoptions) if (a.response.text.trim() || a.replies.length) out.push(mdNode(a, 1), '');
    }
    const followUps = p.followUps.get(s.id) ?? [];
    if (followUps.length) {
      out.push('How it went (follow-ups):', '');
      for (const f of followUps) {
        out.push(`- **${mdEscape(nameOf(p, f))}**, ${day(f.receivedAt)}${f.rating ? ` · ${stars(f.rating)}` : ''}${f.text.trim() ? `: ${mdEscape(f.text.trim().replace(/\s*\n\s*/g, ' '))}` : ''}`);
      }
      out.push('');
    }
  }
  out.push('## Strategies from the team', '');
  if (!p.strategies.length) out.push('_None shared._', '');
  for (const n of p.strategies) out.push(mdNode(n, 1), '');
  if (p.trainingComments.length) {
    out.push('## Comments on the training', '');
    for (const n of p.trainingComments) out.push(mdNode(n, 1), '');
  }
  const nav = [prev ? `← [${mdEscape(prev.title)}](${pageName(prev)}.md)` : '', '[All trainings](index.md)', next ? `[${mdEscape(next.title)}](${pageName(next)}.md) →` : '']
    .filter(Boolean)
    .join(' · ');
  out.push('---', '', nav, '');
  return out.join('\n');
}

// The follow-up list needs names; pages carry a lookup set by exportWiki.
const names = new WeakMap<TrainingPage, (email: string) => string>();
function nameOf(p: TrainingPage, r: Response): string {
  return names.get(p)?.(r.participantEmail) ?? r.participantEmail;
}

function indexMarkdown(input: WikiInput, funnel: SeriesFunnel, trainings: readonly Training[], contributors: Map<string, number>, nameOfEmail: (e: string) => string): string {
  const out = [`# ${mdEscape(input.series.title)}`, '', `A training series by ${mdEscape(input.series.trainers.map((t) => t.name).join(', '))}. Exported ${day(input.exportedAt.toISOString())}.`, ''];
  out.push('## Trainings', '');
  for (const t of trainings) {
    const f = funnel.trainings.find((x) => x.slug === t.slug)!;
    out.push(`${t.order}. [${mdEscape(t.title)}](${pageName(t)}.md) — ${day(t.opens)} – ${day(t.closes)}; ${f.strategiesShared} strategies shared, ${f.comments} comments`);
  }
  out.push('', '## Participation', '', `Series: ${funnelLineMd({ stages: funnel.stages } as TrainingFunnel)}`, '');
  if (funnel.goal) out.push(`Goal: ${funnel.goal.reached} of ${funnel.goal.participants} contributed to at least ${funnel.goal.atLeast} of ${funnel.goal.of} trainings (${percent(funnel.goal.rate)}).`, '');
  if (contributors.size) {
    out.push('## Contributors', '');
    for (const [email, n] of [...contributors].sort((a, b) => b[1] - a[1] || nameOfEmail(a[0]).localeCompare(nameOfEmail(b[0])))) {
      out.push(`- ${mdEscape(nameOfEmail(email))} (${n})`);
    }
    out.push('');
  }
  return out.join('\n');
}

// ---- HTML pages ---------------------------------------------------------------------------------

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#1f2933;background:#eef1f5}
main{max-width:760px;margin:0 auto;padding:24px 16px;background:#fff;min-height:100vh;overflow-wrap:anywhere}
h1{font-size:28px;line-height:1.25;margin:0 0 8px}h2{margin:32px 0 8px;font-size:22px}h3{margin:24px 0 8px;font-size:18px}
a{color:#1d4ed8}.muted{color:#52606d;font-size:14px}
img,video,table{max-width:100%;height:auto}pre{overflow-x:auto;white-space:pre-wrap}
.c{border-left:3px solid #9fb3c8;padding:4px 0 4px 12px;margin:12px 0}.c .c{margin-left:4px}
.t{white-space:pre-wrap;margin:4px 0}
nav{display:flex;flex-wrap:wrap;gap:8px 16px;margin:32px 0 0;padding-top:16px;border-top:1px solid #d9e2ec}
.bar{display:flex;align-items:center;gap:8px;font-size:14px}.bar span:first-child{width:96px;flex:none}.bar b{display:block;height:12px;background:#1d4ed8}.bar i{flex:1;background:#eef3ff;display:flex}.bar span:last-child{width:80px;flex:none;text-align:right}
@media (prefers-color-scheme:dark){body{background:#0f1216;color:#e6e9ed}main{background:#1a1f26}a{color:#8ab4ff}.muted{color:#aab4bf}.bar i{background:#22304a}.bar b{background:#8ab4ff}}
`;

function htmlPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' https: data:; media-src 'self' https:; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style></head>
<body><main>
${body}
</main></body></html>
`;
}

/** The email renderer protects `{{` for the filler; pages are not templates. */
const unprotect = (html: string) => html.split(LITERAL_OPEN).join('{{');

function articleHtml(md: string, source: string): string {
  try {
    return unprotect(markdownToEmailHtml(md, { source }));
  } catch {
    // Published series were validated; an article that no longer renders is still shown, as text.
    return `<pre>${escapeHtml(md)}</pre>`;
  }
}

function inlineHtml(md: string, source: string): string {
  try {
    return unprotect(markdownInlineToEmailHtml(md, { source }));
  } catch {
    return escapeHtml(md);
  }
}

function htmlNode(n: Node): string {
  const r = n.response;
  const what = r.intent === 'comment' ? 'comment' : r.intent === 'adopt' ? 'adoption' : 'strategy';
  const links = httpLinks(r)
    .map((l) => `<br><a href="${escapeHtml(l)}" rel="nofollow noopener">${escapeHtml(l)}</a>`)
    .join('');
  const files = r.attachments.map((a) => `<br>Attachment: <a href="../${escapeHtml(attachmentPath(r, a))}">${escapeHtml(a.filename)}</a>`).join('');
  return (
    `<div class="c" id="r-${escapeHtml(safeFileName(r.id))}"><div class="muted"><strong>${escapeHtml(n.author)}</strong> · ${escapeHtml(day(r.receivedAt))} · ${what}` +
    `${n.kudos ? ` · ${n.kudos} kudos` : ''}</div>` +
    `<p class="t">${r.text.trim() ? escapeHtml(r.text.trim()) : '<em>(no text)</em>'}${links}${files}</p>` +
    n.replies.map(htmlNode).join('') +
    `</div>`
  );
}

function barsHtml(f: Pick<TrainingFunnel, 'stages'>): string {
  return f.stages
    .map((s) => {
      const pct = s.rate === null ? 0 : Math.round(Math.min(1, s.rate) * 100);
      return `<div class="bar"><span>${STAGE_LABELS[s.stage]}</span><i><b style="width:${pct}%"></b></i><span>${s.count}${s.stage === 'sent' ? '' : ` · ${percent(s.rate)}`}</span></div>`;
    })
    .join('');
}

function trainingHtml(p: TrainingPage, prev: Training | undefined, next: Training | undefined, seriesTitle: string): string {
  const t = p.training;
  const src = `${pageName(t)}.md`;
  const out: string[] = [
    `<p class="muted"><a href="index.html">${escapeHtml(seriesTitle)}</a></p>`,
    `<h1>${inlineHtml(t.title, src)}</h1>`,
    `<p class="muted">By ${escapeHtml(t.author)} · window ${escapeHtml(day(t.opens))} – ${escapeHtml(day(t.closes))}</p>`,
  ];
  const media = Object.entries(t.media).filter(([, url]) => typeof url === 'string' && /^https?:\/\//i.test(url));
  if (media.length) out.push(`<p>${media.map(([k, url]) => `<a href="${escapeHtml(url as string)}">${escapeHtml(k)}</a>`).join(' · ')}</p>`);
  out.push(`<h2>Participation</h2>${barsHtml(p.funnel)}`, articleHtml(t.body, src));
  if (t.strategies.length) out.push('<h2>Strategies</h2>');
  for (const s of t.strategies) {
    const stat = p.funnel.strategies.find((x) => x.id === s.id);
    out.push(
      `<h3 id="s-${escapeHtml(s.id)}">${s.number}. ${inlineHtml(s.title, src)}</h3>`,
      articleHtml(s.body, src),
      `<p><strong>Adopted by ${stat?.adopters ?? 0}</strong>${stat?.ratings.total ? ` · follow-up rating ${stat.ratings.average!.toFixed(1)}/5 from ${stat.ratings.total}` : ''}</p>`,
    );
    const adoptions = (p.adoptions.get(s.id) ?? []).filter((a) => a.response.text.trim() || a.replies.length);
    if (adoptions.length) out.push('<p>Why people adopt it:</p>', ...adoptions.map(htmlNode));
    const followUps = p.followUps.get(s.id) ?? [];
    if (followUps.length) {
      out.push(
        '<p>How it went (follow-ups):</p><ul>' +
          followUps
            .map((f) => `<li><strong>${escapeHtml(nameOf(p, f))}</strong>, ${escapeHtml(day(f.receivedAt))}${f.rating ? ` · ${stars(f.rating)}` : ''}${f.text.trim() ? `: ${escapeHtml(f.text.trim())}` : ''}</li>`)
            .join('') +
          '</ul>',
      );
    }
  }
  out.push('<h2>Strategies from the team</h2>', p.strategies.length ? p.strategies.map(htmlNode).join('') : '<p><em>None shared.</em></p>');
  if (p.trainingComments.length) out.push('<h2>Comments on the training</h2>', p.trainingComments.map(htmlNode).join(''));
  out.push(
    `<nav>${prev ? `<a href="${pageName(prev)}.html">← ${escapeHtml(prev.title)}</a>` : ''}<a href="index.html">All trainings</a>${next ? `<a href="${pageName(next)}.html">${escapeHtml(next.title)} →</a>` : ''}</nav>`,
  );
  return htmlPage(`${t.title} · ${seriesTitle}`, out.join('\n'));
}

function indexHtml(input: WikiInput, funnel: SeriesFunnel, trainings: readonly Training[], contributors: Map<string, number>, nameOfEmail: (e: string) => string): string {
  const out = [
    `<h1>${escapeHtml(input.series.title)}</h1>`,
    `<p class="muted">A training series by ${escapeHtml(input.series.trainers.map((t) => t.name).join(', '))}. Exported ${escapeHtml(day(input.exportedAt.toISOString()))}.</p>`,
    '<h2>Trainings</h2><ol>',
    ...trainings.map((t) => {
      const f = funnel.trainings.find((x) => x.slug === t.slug)!;
      return `<li><a href="${pageName(t)}.html">${escapeHtml(t.title)}</a> <span class="muted">${escapeHtml(day(t.opens))} – ${escapeHtml(day(t.closes))}; ${f.strategiesShared} strategies shared, ${f.comments} comments</span></li>`;
    }),
    '</ol>',
    `<h2>Participation</h2>${barsHtml(funnel)}`,
  ];
  if (funnel.goal) out.push(`<p>Goal: ${funnel.goal.reached} of ${funnel.goal.participants} contributed to at least ${funnel.goal.atLeast} of ${funnel.goal.of} trainings (${percent(funnel.goal.rate)}).</p>`);
  if (contributors.size) {
    out.push(
      '<h2>Contributors</h2><ul>' +
        [...contributors]
          .sort((a, b) => b[1] - a[1] || nameOfEmail(a[0]).localeCompare(nameOfEmail(b[0])))
          .map(([email, n]) => `<li>${escapeHtml(nameOfEmail(email))} (${n})</li>`)
          .join('') +
        '</ul>',
    );
  }
  return htmlPage(input.series.title, out.join('\n'));
}

// ---- the export ---------------------------------------------------------------------------------

export function exportWiki(input: WikiInput): WikiExport {
  const trainings = [...input.trainings].sort((a, b) => a.order - b.order);
  const funnel = computeFunnel({ ...input, deliveries: input.deliveries ?? [] });
  const people = new Map(input.participants.map((p) => [p.email, p.name]));
  const nameOfEmail = (email: string) => people.get(email) ?? email;
  const files: WikiFile[] = [];
  const attachments: AttachmentCopy[] = [];
  const contributors = new Map<string, number>();
  for (const r of input.responses) if (isContribution(r)) contributors.set(r.participantEmail, (contributors.get(r.participantEmail) ?? 0) + 1);

  files.push({ path: 'index.md', content: indexMarkdown(input, funnel, trainings, contributors, nameOfEmail) });
  files.push({ path: 'html/index.html', content: indexHtml(input, funnel, trainings, contributors, nameOfEmail) });
  trainings.forEach((t, i) => {
    const page = buildPage(t, funnel.trainings[i]!, input.responses, nameOfEmail);
    names.set(page, nameOfEmail);
    const prev = trainings[i - 1];
    const next = trainings[i + 1];
    files.push({ path: `${pageName(t)}.md`, content: trainingMarkdown(page, prev, next) });
    files.push({ path: `html/${pageName(t)}.html`, content: trainingHtml(page, prev, next, input.series.title) });
  });
  for (const r of input.responses) {
    if (!isContribution(r)) continue;
    for (const a of r.attachments) attachments.push({ ref: a, path: attachmentPath(r, a) });
  }
  return { files, attachments };
}
