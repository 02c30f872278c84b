import { describe, expect, it } from 'vitest';
import { sampleSeries, sampleTrainings } from '#emails/sample';
import type { Response, Training } from '#core/model';
import { exportWiki, mdEscape, neutralizeHtml, pageName, safeFileName } from '#mail/wiki';

const trainings: Training[] = sampleTrainings.map((t, i) =>
  i === 1 ? { ...t, body: 'Read this <script>alert("article")</script> and <b>that</b>.\n\n<div onclick="x()">block</div>\n\n`<code>` stays' } : t,
);
const t1 = trainings[0]!;
const participants = [
  { email: 'ana@example.com', name: 'Ana Ahmad', timeZone: 'Asia/Brunei', workStart: '09:00' },
  { email: 'ben@example.com', name: 'Ben <img src=x onerror=alert(1)>', timeZone: 'Europe/Berlin', workStart: '09:00' },
];
const base = { seriesId: sampleSeries.id, trainingSlug: t1.slug, links: [] as string[], attachments: [] as Response['attachments'], source: 'm' };
const responses: Response[] = [
  {
    ...base,
    id: 'r-strategy',
    participantEmail: 'ana@example.com',
    intent: 'strategy',
    text: 'Block *Friday* mornings <script>alert(1)</script> [click](javascript:alert(1))',
    links: ['https://www.youtube.com/watch?v=abc', 'javascript:alert(2)'],
    attachments: [{ key: 'att/r-strategy/1', filename: '../my plan (v2).pdf', contentType: 'application/pdf', size: 10 }],
    receivedAt: '2027-01-22T10:00:00.000Z',
  },
  { ...base, id: 'r-comment', participantEmail: 'ben@example.com', intent: 'comment', text: 'Love it', targetResponseId: 'r-strategy', receivedAt: '2027-01-23T10:00:00.000Z' },
  { ...base, id: 'r-reply', participantEmail: 'ana@example.com', intent: 'comment', text: 'Thanks!', targetResponseId: 'r-comment', receivedAt: '2027-01-24T10:00:00.000Z' },
  { ...base, id: 'r-kudos', participantEmail: 'ben@example.com', intent: 'comment', text: '', targetResponseId: 'r-strategy', source: 'link:K', receivedAt: '2027-01-24T11:00:00.000Z' },
  { ...base, id: 'r-adopt', participantEmail: 'ben@example.com', intent: 'adopt', strategyId: 'stuck-first', text: 'I always get stuck', receivedAt: '2027-01-25T10:00:00.000Z' },
  { ...base, id: 'r-follow', participantEmail: 'ben@example.com', intent: 'follow-up', strategyId: 'stuck-first', rating: 4, text: 'Went well', receivedAt: '2027-02-20T10:00:00.000Z' },
  { ...base, id: 'r-feedback', participantEmail: 'ana@example.com', intent: 'feedback', text: 'Private note to trainers', receivedAt: '2027-01-25T10:00:00.000Z' },
];

const wiki = exportWiki({ series: sampleSeries, trainings, participants, responses, exportedAt: new Date('2027-03-20T00:00:00Z') });
const file = (path: string) => wiki.files.find((f) => f.path === path)?.content ?? '';

describe('exportWiki', () => {
  it('writes stable page names: an index and NN-slug per training, in Markdown and HTML', () => {
    expect(wiki.files.map((f) => f.path)).toEqual([
      'index.md',
      'html/index.html',
      ...trainings.flatMap((t) => [`${pageName(t)}.md`, `html/${pageName(t)}.html`]),
    ]);
    expect(pageName(t1)).toBe('01-productive-one-on-ones');
  });

  it('links the pages to each other', () => {
    expect(file('index.md')).toContain(`(${pageName(t1)}.md)`);
    expect(file('html/index.html')).toContain(`href="${pageName(t1)}.html"`);
    expect(file(`${pageName(t1)}.md`)).toContain(`[${mdEscape(trainings[1]!.title)}](${pageName(trainings[1]!)}.md) →`);
    expect(file(`html/${pageName(trainings[1]!)}.html`)).toContain(`href="${pageName(t1)}.html"`);
  });

  it('credits every contribution with author and date, and nests comments under what they answer', () => {
    const md = file(`${pageName(t1)}.md`);
    expect(md).toContain('**Ana Ahmad**, Friday 22 January 2027 · 1 kudos (strategy)');
    const strategyAt = md.indexOf('(strategy)');
    const commentAt = md.indexOf('> **Ben');
    const replyAt = md.indexOf('> > **Ana Ahmad**');
    expect(strategyAt).toBeGreaterThan(0);
    expect(commentAt).toBeGreaterThan(strategyAt);
    expect(replyAt).toBeGreaterThan(commentAt);
    expect(md).toContain('> > > Thanks\\!');
    const html = file(`html/${pageName(t1)}.html`);
    expect(html).toMatch(/id="r-r-strategy">.*Love it.*Thanks!<\/p><\/div><\/div><\/div>/s);
  });

  it('shows how many adopted each strategy and why, and the follow-up outcomes', () => {
    const md = file(`${pageName(t1)}.md`);
    expect(md).toMatch(/### 2\. [\s\S]*\*\*Adopted by 1\*\* · follow-up rating 4\.0\/5 from 1[\s\S]*I always get stuck[\s\S]*Went well/);
    expect(md).toContain('**Adopted by 0**');
  });

  it('lets no user-written markup through, in Markdown or HTML', () => {
    for (const f of wiki.files) {
      // In Markdown a `](javascript:` would be a link; in HTML the same characters are only text.
      const link = f.path.endsWith('.md') ? /\]\(javascript:/i : /href="javascript:/i;
      const bad = new RegExp(`<script|<img src=x|<div onclick|<b>that|${link.source}`, 'i').exec(f.content);
      expect(bad ? f.content.slice(bad.index - 80, bad.index + 40) : null, f.path).toBeNull();
    }
    const md = file(`${pageName(t1)}.md`);
    expect(md).toContain('Block \\*Friday\\* mornings &lt;script&gt;alert\\(1\\)&lt;/script&gt;');
    expect(file(`${pageName(trainings[1]!)}.md`)).toContain('&lt;script&gt;alert("article")&lt;/script&gt;');
    expect(file(`${pageName(trainings[1]!)}.md`)).toContain('`<code>` stays');
    expect(file('html/index.html')).toContain("Content-Security-Policy");
  });

  it('keeps feedback to the trainers out of the wiki', () => {
    expect(wiki.files.some((f) => f.content.includes('Private note'))).toBe(false);
  });

  it('plans attachment copies under safe names, linked from both pages', () => {
    expect(wiki.attachments).toEqual([{ ref: responses[0]!.attachments[0], path: 'attachments/r-strategy/my-plan-v2-.pdf' }]);
    expect(file(`${pageName(t1)}.md`)).toContain('(attachments/r-strategy/my-plan-v2-.pdf)');
    expect(file(`html/${pageName(t1)}.html`)).toContain('href="../attachments/r-strategy/my-plan-v2-.pdf"');
  });
});

describe('helpers', () => {
  it('neutralizes raw HTML in authored Markdown but leaves code alone', () => {
    expect(neutralizeHtml('a <i>b</i>\n\n```\n<i>code</i>\n```\n')).toBe('a &lt;i&gt;b&lt;/i&gt;\n\n```\n<i>code</i>\n```\n');
  });
  it('makes safe file names', () => {
    expect(safeFileName('../../etc/passwd')).toBe('etc-passwd');
    expect(safeFileName('Ünïcode résumé.docx')).toBe('Unicode-resume.docx');
    expect(safeFileName('')).toBe('file');
  });
});
