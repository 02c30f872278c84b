import { beforeAll, describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { REPLY_MARKER } from '#core/reply-marker';
import type { Participant, Series, Training } from '#core/model';
import { fillEmail, placeholdersOf, type CompiledEmail } from '#mail/fill';
import { compileFollowUp, followUpLayout, RATING_LABELS } from '#emails/follow-up';
import { layoutMjml } from '#emails/layout';
import { followUpValues, plainTitle } from '#mail/values';
import { sampleLinks, sampleParticipants, sampleSeries, sampleTrainings } from '#emails/sample';

const training = sampleTrainings[0] as Training;
const la = sampleParticipants[1] as Participant;
const strategy = training.strategies[1]!;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e] ?? _);
function anchors(html: string): Array<{ href: string; text: string }> {
  return [...html.matchAll(/<a\b[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
    href: decode(m[1] ?? ''),
    text: decode((m[2] ?? '').replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim(),
  }));
}

const ratingUrl = (n: number) => `https://go.example.com/l/rating-${n}?x=1&y="2"`;
function values(participant: Participant, title = strategy.title) {
  const links = sampleLinks(participant);
  return followUpValues({
    training,
    participant,
    strategy: { title },
    links: { replyAddress: links.replyAddress, unsubscribe: links.unsubscribe, calendarsOff: links.calendarsOff, preferences: links.preferences, ratings: [ratingUrl(1), ratingUrl(2), ratingUrl(3), ratingUrl(4), ratingUrl(5)] },
    now: new Date('2027-02-21T17:00:00Z'),
  });
}

let compiled: CompiledEmail;
beforeAll(async () => {
  compiled = await compileFollowUp(sampleSeries, training, sampleTrainings);
});

describe('the follow-up template', () => {
  const oneWeek: Series = { ...sampleSeries, policies: { ...sampleSeries.policies, followUpWeeksAfterClose: 1 } };
  it.each([
    ['', sampleSeries],
    [' a week after', oneWeek],
  ] as const)('passes strict MJML validation%s', async (_n, series) => {
    const result = await mjml2html(layoutMjml(followUpLayout(series, training, sampleTrainings)), { validationLevel: 'strict' });
    expect(result.errors).toEqual([]);
  });

  it('needs exactly the placeholders followUpValues provides, and fills them all', () => {
    const v = values(la);
    const needed = new Set([...placeholdersOf(compiled.subject), ...placeholdersOf(compiled.html), ...placeholdersOf(compiled.text)]);
    expect([...needed].sort()).toEqual(Object.keys(v).sort());
    const filled = fillEmail(compiled, v);
    expect(filled.subject + filled.html + filled.text).not.toContain('{{');
    expect(filled.text.split('\n')[0]).toBe(REPLY_MARKER);
  });

  it('says how long ago, from the series policy', () => {
    expect(fillEmail(compiled, values(la)).text).toContain('3 weeks ago the window for training 1 of 4');
  });
});

describe('the check-in for one adoption', () => {
  it('asks about the adopted strategy by name in the subject and the heading', () => {
    const filled = fillEmail(compiled, values(la));
    expect(filled.subject).toBe(`How did "${strategy.title}" work for you?`);
    expect(filled.html).toMatch(new RegExp(`<h1[^>]*>How did “${strategy.title}” work for you\\?</h1>`));
  });

  it('offers five one-click ratings in order, each to its own link, in HTML and text', () => {
    const filled = fillEmail(compiled, values(la));
    const rates = anchors(filled.html).filter((a) => /^[1-5]$/.test(a.text));
    expect(rates.map((a) => a.text)).toEqual(['1', '2', '3', '4', '5']);
    expect(rates.map((a) => a.href)).toEqual([1, 2, 3, 4, 5].map(ratingUrl));
    for (const n of [1, 2, 3, 4, 5]) expect(filled.text).toContain(`${n} (${RATING_LABELS[n - 1]}):\n  ${ratingUrl(n)}`);
  });

  it('gives the reply address for a written answer', () => {
    const filled = fillEmail(compiled, values(la));
    const { replyAddress } = sampleLinks(la);
    expect(anchors(filled.html).find((a) => a.text === replyAddress)?.href).toBe(`mailto:${replyAddress}`);
    expect(filled.text).toContain(`Replies go to ${replyAddress}`);
    expect(filled.html).not.toContain('Mark as read');
  });

  it('shows a Markdown title as plain words and escapes markup in it', () => {
    expect(plainTitle('Use **one** [shared](https://x.example) `doc`')).toBe('Use one shared doc');
    const filled = fillEmail(compiled, values(la, 'Ship <b>it</b> & see'));
    expect(filled.html).toContain('Ship &lt;b&gt;it&lt;/b&gt; &amp; see');
    expect(filled.html).not.toContain('<b>it</b>');
    expect(filled.subject).toBe('How did "Ship <b>it</b> & see" work for you?');
  });
});
