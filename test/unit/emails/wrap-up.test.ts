import { beforeAll, describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { REPLY_MARKER } from '#core/reply-marker';
import type { Participant, Training } from '#core/model';
import { fillEmail, placeholdersOf, type CompiledEmail } from '#mail/fill';
import { compileWrapUp, surveyMail, wrapUpLayout, SURVEY } from '#emails/wrap-up';
import { layoutMjml } from '#emails/layout';
import { sharedHtml, sharedText, wrapUpValues, type WrapUpTotals } from '#mail/values';
import { sampleLinks, sampleParticipants, sampleSeries, sampleTrainings } from '#emails/sample';

const brunei = sampleParticipants[0] as Participant;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#123': '{', '#125': '}' };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#123|#125);/g, (_, e: string) => ENTITIES[e] ?? _);
function anchors(html: string): Array<{ href: string; text: string }> {
  return [...html.matchAll(/<a\b[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
    href: decode(m[1] ?? ''),
    text: decode((m[2] ?? '').replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim(),
  }));
}
const visible = (html: string) => decode(html.replace(/<head>[\s\S]*?<\/head>/, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');
function parseMailto(href: string): { to: string; subject?: string; body?: string } {
  const [to = '', query = ''] = href.slice('mailto:'.length).split('?');
  const out: { to: string; subject?: string; body?: string } = { to: decodeURIComponent(to) };
  for (const pair of query ? query.split('&') : []) {
    const [k, v = ''] = pair.split('=');
    if (k === 'subject' || k === 'body') out[k] = decodeURIComponent(v);
  }
  return out;
}

const perTraining = sampleTrainings.map((t, i) => {
  const items = i === 2 ? [] : [{ name: `Person${i + 1}`, what: 'shared a strategy', text: `Tip number ${i + 1} <script>x</script>` }];
  return { html: sharedHtml(items, 'No contributions for this one.', i === 0 ? 4 : 0), text: sharedText(items, 'No contributions for this one.', i === 0 ? 4 : 0) };
});
const totals: WrapUpTotals = { contributions: 17, contributors: 9, strategies: 6, sharedByTraining: perTraining };

function wrapArgs(participant: Participant, contributed = 2) {
  return {
    series: sampleSeries,
    trainings: sampleTrainings,
    participant,
    links: sampleLinks(participant),
    totals,
    contributed,
    now: new Date('2027-03-16T12:00:00Z'),
  };
}
const values = (participant: Participant, contributed = 2) => wrapUpValues(wrapArgs(participant, contributed));

let compiled: CompiledEmail;
let withWiki: CompiledEmail;
beforeAll(async () => {
  [compiled, withWiki] = await Promise.all([
    compileWrapUp(sampleSeries, sampleTrainings),
    compileWrapUp(sampleSeries, sampleTrainings, { wikiUrl: 'https://wiki.example.com/q1?a=1&b=2' }),
  ]);
});

describe('the wrap-up template', () => {
  it('passes strict MJML validation, with and without a wiki', async () => {
    for (const opts of [{}, { wikiUrl: 'https://wiki.example.com/q1' }]) {
      const result = await mjml2html(layoutMjml(wrapUpLayout(sampleSeries, sampleTrainings, opts)), { validationLevel: 'strict' });
      expect(result.errors).toEqual([]);
    }
  });

  it('needs exactly the placeholders wrapUpValues provides, and fills them all', () => {
    const v = values(brunei);
    const needed = new Set([...placeholdersOf(compiled.subject), ...placeholdersOf(compiled.html), ...placeholdersOf(compiled.text)]);
    expect([...needed].sort()).toEqual(Object.keys(v).sort());
    const filled = fillEmail(compiled, v);
    expect(filled.subject + filled.html + filled.text).not.toContain('{{');
    expect(filled.text.split('\n')[0]).toBe(REPLY_MARKER);
    expect(filled.subject).toBe('Q1 Productivity: thank you, and what we shared');
  });

  it('refuses a wiki address mail clients cannot open', () => {
    expect(() => wrapUpLayout(sampleSeries, sampleTrainings, { wikiUrl: 'javascript:alert(1)' })).toThrow(/http\(s\) address/);
  });
});

describe('the wrap-up for one participant', () => {
  it('gives the totals, their own part and each training with its contributions, in order, in HTML and text', () => {
    const filled = fillEmail(compiled, values(brunei));
    const html = visible(filled.html);
    const text = filled.text.replace(/\s+/g, ' ');
    for (const body of [html, text]) {
      expect(body).toMatch(/4 trainings(,| ·) 17 contributions from 9 people(,| ·) 6 strategies of your own/);
      expect(body).toContain('You contributed to 2 of the 4 trainings.');
      expect(body).toContain('Person1 shared a strategy');
      expect(body).toContain('…and 4 more contributions.');
      expect(body).toContain('No contributions for this one.');
      const positions = sampleTrainings.map((t) => body.indexOf(t.title));
      expect(positions.every((p) => p >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      // Each training's list sits under its own title.
      expect(body.indexOf('Tip number 2')).toBeGreaterThan(positions[1]!);
      expect(body.indexOf('Tip number 2')).toBeLessThan(positions[2]!);
    }
    expect(filled.html).not.toContain('<script>x');
    expect(fillEmail(compiled, values(brunei, 0)).text).toContain('You did not get to reply this time');
    const one = fillEmail(compiled, wrapUpValues({ ...wrapArgs(brunei), totals: { ...totals, contributions: 1, contributors: 1, strategies: 1 } })).text;
    expect(one).toContain('1 contribution from 1 person, 1 strategy of your own.');
  });

  it('asks three survey questions, answered by prefilled replies to their address', () => {
    const filled = fillEmail(compiled, values(brunei));
    const { replyAddress } = sampleLinks(brunei);
    const mailtos = anchors(filled.html)
      .filter((a) => a.href.startsWith('mailto:') && a.href.includes('?'))
      .map((a) => ({ text: a.text, ...parseMailto(a.href) }));
    expect(mailtos.every((m) => m.to === replyAddress)).toBe(true);
    expect(mailtos.filter((m) => m.subject?.startsWith('Survey: usefulness')).map((m) => m.text)).toEqual(['1', '2', '3', '4', '5']);
    expect(mailtos.find((m) => m.text === '4')?.subject).toBe('Survey: usefulness 4/5');
    expect(mailtos.filter((m) => m.subject?.startsWith('Survey: next format')).map((m) => m.text)).toEqual([...SURVEY.format.answers]);
    expect(mailtos.find((m) => m.text === 'daily bites')?.subject).toBe(surveyMail('format', 'daily bites').subject);
    expect(mailtos.find((m) => m.text === 'Tell us in a reply')?.subject).toBe('Survey: what to change');
    for (const q of [SURVEY.useful.question, SURVEY.format.question, SURVEY.change.question]) {
      expect(visible(filled.html)).toContain(q);
      expect(filled.text.replace(/\s+/g, ' ')).toContain(q);
    }
  });

  it('links the wiki only when one is configured', () => {
    const plain = anchors(fillEmail(compiled, values(brunei)).html);
    expect(plain.find((a) => a.text === 'team wiki')).toBeUndefined();
    const wiki = fillEmail(withWiki, values(brunei));
    expect(anchors(wiki.html).find((a) => a.text === 'team wiki')?.href).toBe('https://wiki.example.com/q1?a=1&b=2');
    expect(wiki.text).toContain('team wiki: https://wiki.example.com/q1?a=1&b=2');
  });
});
