import { describe, expect, it } from 'vitest';
import { MarkdownError, markdownToEmailHtml, markdownToText, wrapText } from '#mail/markdown';
import { fillTemplate } from '#mail/fill';

const opts = { source: 'trainings/01-sync.md', startLine: 7 };

function imgTags(html: string): string[] {
  return html.match(/<img\b[^>]*>/g) ?? [];
}

describe('markdownToEmailHtml', () => {
  it('shows raw HTML as text instead of passing it through', () => {
    const html = markdownToEmailHtml('Hello <script>alert(1)</script>\n\n<div onclick="x()">block</div>\n\n`<b>`', opts);
    expect(html).not.toMatch(/<script|<div|<b>/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;div onclick=&quot;x()&quot;&gt;block&lt;/div&gt;');
    expect(html).toContain('&lt;b&gt;');
  });

  it('gives every image its alt text, a width of at most 552px and max-width 100%', () => {
    const html = markdownToEmailHtml(
      '![Wide screenshot](https://x.test/a.png)\n\n![Tiny gif](https://x.test/b.gif "width=240")\n\n![Too wide](https://x.test/c.png "width=2000")\n\n![](data:image/gif;base64,R0lGODlhAQABAAAAACw=)',
      opts,
    );
    const imgs = imgTags(html);
    expect(imgs).toHaveLength(4);
    for (const img of imgs) {
      expect(img).toMatch(/ alt="[^"]*"/);
      expect(img).toContain('max-width:100%');
      expect(Number(/ width="(\d+)"/.exec(img)?.[1])).toBeLessThanOrEqual(552);
    }
    expect(imgs[0]).toContain('alt="Wide screenshot"');
    expect(imgs[1]).toContain('width="240"');
    expect(imgs[2]).toContain('width="552"');
    expect(imgs[3]).toContain('alt=""');
  });

  it('refuses relative links and images, pointing at the authored line', () => {
    const md = 'Intro.\n\nSee ![diagram](img/flow.png) for the flow.';
    expect(() => markdownToEmailHtml(md, opts)).toThrow(MarkdownError);
    expect(() => markdownToEmailHtml(md, opts)).toThrow(/trainings\/01-sync\.md:9: the image "img\/flow\.png" is not an absolute URL/);
    expect(markdownToEmailHtml(md, { ...opts, baseUrl: 'https://cdn.example.com/q1/' })).toContain('src="https://cdn.example.com/q1/img/flow.png"');
  });

  it('refuses script links', () => {
    expect(() => markdownToEmailHtml('[click](javascript:alert(1))', opts)).toThrow(/uses "javascript:"/);
  });

  it('styles links, code blocks that wrap, quotes and narrow-safe tables inline', () => {
    const html = markdownToEmailHtml(
      '[docs](https://x.test/docs?a=1&b=2)\n\n```\nconst x = 1;\n```\n\n> quoted\n\n| a | b |\n|---|---|\n| 1 | 2 |',
      opts,
    );
    expect(html).toMatch(/<a [^>]*href="https:\/\/x\.test\/docs\?a=1&amp;b=2"[^>]*style="color:#[0-9a-f]{6};/);
    expect(html).toMatch(/<pre [^>]*style="[^"]*white-space:pre-wrap;word-break:break-word;/);
    expect(html).toMatch(/<blockquote [^>]*style="[^"]*border-left:4px solid/);
    expect(html).toMatch(/<table style="width:100%;/);
    expect(html).toMatch(/<td [^>]*style="[^"]*word-break:break-word;/);
  });

  it('protects authored braces so the filler prints them instead of failing', () => {
    const html = markdownToEmailHtml('Templates look like `{{name}}` and {{this}}.', opts);
    expect(fillTemplate(html, {}, 'html')).toContain('{{name}}</code> and {{this}}.');
  });
});

describe('markdownToText', () => {
  it('writes links as text (url), images as [Image: alt] (url), and numbers lists', () => {
    const text = markdownToText(
      'Read [the post](https://x.test/post) or https://x.test/raw.\n\n![A cat](https://x.test/cat.gif)\n\n1. one\n2. two\n\n- a\n- b',
      opts,
    );
    expect(text).toContain('Read the post (https://x.test/post) or https://x.test/raw.');
    expect(text).toContain('[Image: A cat] (https://x.test/cat.gif)');
    expect(text).toContain('1. one\n2. two');
    expect(text).toContain('- a\n- b');
  });

  it('re-wraps paragraphs at 76 columns, keeping long words whole', () => {
    const long = 'https://example.com/' + 'x'.repeat(100);
    const text = markdownToText(`${'word '.repeat(40)}\nsoft break ${long} end`, opts);
    for (const line of text.split('\n')) if (!line.includes(long)) expect(line.length).toBeLessThanOrEqual(76);
    expect(text).toContain(`\n${long}\n`);
    expect(text).not.toMatch(/word\nsoft/); // a soft line break in Markdown is a space
  });

  it('keeps code blocks verbatim and quotes prefixed', () => {
    const text = markdownToText('```\n  indented <code>\n```\n\n> a quote', opts);
    expect(text).toContain('      indented <code>');
    expect(text).toContain('> a quote');
  });
});

describe('wrapText', () => {
  it('hangs continuation lines under the first one', () => {
    expect(wrapText('- aaa bbb ccc', 8, '', '  ')).toBe('- aaa\n  bbb\n  ccc');
  });
});
