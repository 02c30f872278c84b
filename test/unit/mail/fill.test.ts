import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fillEmail, fillTemplate, parseTemplate, placeholdersOf, TemplateError } from '#mail/fill';
import { protectBraces } from '#mail/escape';

describe('fillTemplate', () => {
  it('fills every placeholder, repeated ones included', () => {
    const out = fillTemplate('Hi {{name}}, {{name}}! Read {{url}}.', { name: 'Ana', url: 'https://x.test/r' }, 'text');
    expect(out).toBe('Hi Ana, Ana! Read https://x.test/r.');
  });

  it('HTML-escapes values in html mode: tags, ampersands and both quotes', () => {
    const t = '<p title="{{v}}">{{v}}</p><a href=\'{{v}}\'>x</a>';
    const out = fillTemplate(t, { v: `<script>alert("x")</script> & O'Brien` }, 'html');
    expect(out).not.toContain('<script>');
    expect(out).toBe(
      '<p title="&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien</p>' +
        '<a href=\'&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; O&#39;Brien\'>x</a>',
    );
  });

  it('inserts values as they are in text mode', () => {
    expect(fillTemplate('Hi {{v}}', { v: `<b> & "q"` }, 'text')).toBe(`Hi <b> & "q"`);
  });

  it('fails loudly, naming the placeholder, when a value is missing', () => {
    expect(() => fillTemplate('Hi {{firstName}}, {{readUrl}}', { firstName: 'Ana' }, 'html')).toThrow(TemplateError);
    expect(() => fillTemplate('Hi {{firstName}}, {{readUrl}}', { firstName: 'Ana' }, 'html')).toThrow(/\{\{readUrl\}\}/);
  });

  it('rejects a value that is not a string instead of printing "undefined" or "[object Object]"', () => {
    expect(() => fillTemplate('{{n}}', { n: 3 as unknown as string }, 'text')).toThrow(/got number/);
  });

  it('rejects malformed placeholders when parsing', () => {
    expect(() => parseTemplate('Hi {{ first name }}')).toThrow(/Malformed placeholder at offset 3/);
    expect(() => parseTemplate('Hi {{firstName')).toThrow(TemplateError);
  });

  it('lists the placeholders a template needs, once each, in order', () => {
    expect(placeholdersOf('{{b}} {{a}} {{b}} {{{{}}c}}')).toEqual(['b', 'a']);
  });

  it('gives back any authored text unchanged once protected, braces and all', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('{', '}', 'a', ' ', '<', '&') }), fc.string(), (authored, other) => {
        expect(fillTemplate(protectBraces(authored), {}, 'text')).toBe(authored);
        expect(fillTemplate(`${protectBraces(authored)}[{{v}}]`, { v: other }, 'text')).toBe(`${authored}[${other}]`);
      }),
    );
  });

  it('never lets a value open a tag or close an attribute in html mode', () => {
    fc.assert(
      fc.property(fc.string(), (v) => {
        const out = fillTemplate('<a title="{{v}}">{{v}}</a>', { v }, 'html');
        expect(out).toMatch(/^<a title="[^"<>']*">[^"<>']*<\/a>$/);
      }),
    );
  });

  it('fills subject and text in text mode and html in html mode', () => {
    const out = fillEmail({ subject: 'For {{n}}', html: '<p>{{n}}</p>', text: 'Hi {{n}}' }, { n: 'A&B' });
    expect(out).toEqual({ subject: 'For A&B', html: '<p>A&amp;B</p>', text: 'Hi A&B' });
  });
});
