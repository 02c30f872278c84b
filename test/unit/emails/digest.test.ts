import { beforeAll, describe, expect, it } from 'vitest';
import { compileDigest, DIGEST_PLACEHOLDERS } from '#emails/digest';
import { fillEmail, fillTemplate, placeholdersOf, type CompiledEmail } from '#mail/fill';
import { sampleSeries, sampleTrainings } from '#emails/sample';
import type { Response } from '#core/model';
import { computeFunnel, contributionsBetween, type ParticipantLike } from '#core/report';
import { barRows, renderDigestBody, weekOf } from '#app/planners/digest';

const people: ParticipantLike[] = [
  { email: 'ana@example.com', name: 'Ana <b>Bold</b>', timeZone: 'Asia/Brunei', workStart: '09:00' },
  { email: 'ben@example.com', name: 'Ben', timeZone: 'Asia/Brunei', workStart: '09:00', bouncedAt: '2027-01-27T00:00:00.000Z' },
  { email: 'cho@example.com', name: 'Cho', timeZone: 'Asia/Brunei', workStart: '09:00' },
];
const t1 = sampleTrainings[0]!;
const base = { seriesId: sampleSeries.id, trainingSlug: t1.slug, links: [], attachments: [], source: 'x' };
const responses: Response[] = [
  { ...base, id: 'a', participantEmail: 'ana@example.com', intent: 'strategy', text: 'Try <script>alert(1)</script> & "quotes"\nsecond line', receivedAt: '2027-01-26T10:00:00.000Z' },
  { ...base, id: 'b', participantEmail: 'cho@example.com', intent: 'adopt', strategyId: 'stuck-first', text: 'Because <img src=x onerror=alert(1)>', receivedAt: '2027-01-20T10:00:00.000Z' },
  { ...base, id: 'c', participantEmail: 'cho@example.com', intent: 'follow-up', strategyId: 'stuck-first', rating: 5, text: '', receivedAt: '2027-01-27T10:00:00.000Z' },
];
const deliveries = people.map((p) => ({ emailId: `training#${t1.slug}#${p.email}`, status: 'sent' as const }));
const now = new Date('2027-02-01T01:00:00Z');
const since = new Date(now.getTime() - 7 * 86_400_000);

let compiled: CompiledEmail;
beforeAll(async () => {
  compiled = await compileDigest(sampleSeries);
});

function render() {
  const input = { series: sampleSeries, trainings: sampleTrainings, participants: people, responses, deliveries };
  const funnel = computeFunnel(input);
  return renderDigestBody({ funnel, news: contributionsBetween(input, since, now, { intents: ['strategy', 'comment'] }), since, now });
}

describe('the digest email', () => {
  it('compiles once with a raw slot for the week and ordinary placeholders for the rest', () => {
    expect(placeholdersOf(compiled.html).sort()).toEqual(['digestHtml', 'firstName', 'timeZoneName', 'unsubscribeUrl', 'weekLabel']);
    expect(placeholdersOf(compiled.text).sort()).toEqual(['digestText', 'firstName', 'timeZoneName', 'unsubscribeUrl', 'weekLabel']);
    expect(DIGEST_PLACEHOLDERS).toContain('digestHtml');
    expect(compiled.html).toContain('{{{digestHtml}}}');
  });

  it('fills the week in as HTML while participant text stays text', () => {
    const body = render();
    const mail = fillEmail(compiled, {
      unsubscribeUrl: 'https://l.example/u',
      timeZoneName: 'Brunei Time',
      firstName: '<script>x</script>',
      weekLabel: 'Mon 25 Jan 2027',
      digestHtml: body.html,
      digestText: body.text,
    });
    expect(mail.html).not.toMatch(/<script|<img src=x/i);
    expect(mail.html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(mail.html).toContain('Try &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quotes&quot;<br>second line');
    // The strategy shared this week is news; the adoption from before the last digest is not.
    expect(body.text).toMatch(/NEW SINCE .* \(1\)/);
    expect(body.text).toContain('Ana <b>Bold</b> shared a strategy');
    expect(mail.text).toContain('Ana <b>Bold</b> shared a strategy');
    // Most adopted, with the reason escaped; the follow-up rating; the bounce this week.
    expect(body.html).toContain('#2 ');
    expect(body.html).toContain('Because &lt;img src=x onerror=alert(1)&gt;');
    expect(body.text).toContain('1 ratings, average 5.0 of 5.');
    expect(body.text).toContain('Ben <ben@example.com> bounced');
    expect(body.text).toContain('Goal: 0 of 2 contributed to at least 2 of 4 trainings (0%).');
    // No charts that email clients strip.
    expect(body.html).not.toMatch(/<svg|<script|<canvas/i);
  });

  it('draws bars as table cells whose widths are the rates', () => {
    const html = barRows([
      { label: 'Read', rate: 0.62, figure: '31 · 62%' },
      { label: 'None', rate: 0, figure: '0' },
      { label: 'All', rate: 1, figure: '4' },
    ]);
    expect(html).toContain('width="62%"');
    expect(html).toContain('width="38%"');
    expect(html.match(/<tr>/g)?.length).toBe(6);
    expect(html).not.toContain('width="0%"');
  });

  it('names the week by the trainer\'s own calendar', () => {
    // Monday 09:00 in Kiritimati (UTC+14) is still Sunday in UTC: the week must be Monday's.
    const monday = new Date('2027-01-24T19:00:00Z');
    expect(weekOf(monday, 'Pacific/Kiritimati')).toMatchObject({ week: '2027-w04', date: '2027-01-25' });
    expect(weekOf(monday, 'UTC').week).toBe('2027-w03');
  });
});

describe('raw placeholders', () => {
  it('insert trusted HTML unescaped only where the template says {{{name}}}', () => {
    const out = fillTemplate('<p>{{who}}</p>{{{list}}}', { who: '<script>1</script>', list: '<ul><li>x</li></ul>' }, 'html');
    expect(out).toBe('<p>&lt;script&gt;1&lt;/script&gt;</p><ul><li>x</li></ul>');
  });

  it('keep authored literal braces working next to them', () => {
    expect(fillTemplate('{{{{}}x}} {{{a}}}', { a: '<b>' }, 'html')).toBe('{{x}} <b>');
  });
});
