import { beforeAll, describe, expect, it } from 'vitest';
import { compileRollup } from '#emails/rollup';
import { placeholdersOf, type CompiledEmail } from '#mail/fill';
import { sampleSeries, sampleTrainings } from '#emails/sample';
import { simpleParser } from 'mailparser';
import type { Participant, Response } from '#core/model';
import { prepareRollupSend, type MailSettings } from '#mail/compose';
import { contributionsBetween } from '#core/report';
import { renderRollupBody, ROLLUP_PER_PERSON, type Prepared } from '#app/planners/rollup';
import { tokenFromAddress, verifyLinkToken, verifyReplyToken } from '#core/tokens';
import { responseKey } from '#core/short-key';

// Reply tokens expire (series end + grace); these emails are read back while the series runs.
const NOW_FOR_TOKENS = new Date('2027-02-01T00:00:00Z');

const settings: MailSettings = {
  domain: 'baton.example.com',
  inboundDomain: 'reply.baton.example.com',
  senderAddress: 'training@baton.example.com',
  linksBaseUrl: 'https://links.baton.example.com',
  secrets: 'rollup-test-secret-0123456789abcdef',
};
const people: Participant[] = [
  { email: 'ana@example.com', name: 'Ana', timeZone: 'Asia/Brunei', workStart: '09:00' },
  { email: 'ben@example.com', name: 'Ben', timeZone: 'Asia/Brunei', workStart: '09:00' },
];
const t2 = sampleTrainings[1]!;
const base = { seriesId: sampleSeries.id, trainingSlug: t2.slug, attachments: [], source: 'x' };
const responses: Response[] = [
  { ...base, id: 'resp-1', participantEmail: 'ana@example.com', intent: 'strategy', text: 'Use <script>alert(1)</script> filters', links: ['https://example.com/a?b=1&c=2', 'javascript:alert(1)'], receivedAt: '2027-02-02T10:00:00.000Z' },
];
const now = new Date('2027-02-05T02:00:00Z');

let compiled: CompiledEmail;
beforeAll(async () => {
  compiled = await compileRollup(sampleSeries);
});

function composer() {
  const news = contributionsBetween({ trainings: sampleTrainings, participants: people, responses }, new Date(now.getTime() - 7 * 86_400_000), now);
  const prepared = news.map((c) => c);
  return prepareRollupSend({
    series: sampleSeries,
    trainings: sampleTrainings,
    template: compiled,
    settings,
    now,
    week: '2027-w05',
    weekLabel: 'Mon 1 Feb 2027',
    render: (p, links) => renderRollupBody(prepared.map((c) => ({ contribution: c, html: `<p>${c.author.name}</p>`, text: c.author.name })), p, links),
  });
}

describe('the roll-up email', () => {
  it('compiles with raw list slots', () => {
    expect(placeholdersOf(compiled.html)).toEqual(expect.arrayContaining(['rollupHtml', 'rollupCount', 'firstName', 'unsubscribeUrl']));
    expect(compiled.html).toContain('{{{rollupHtml}}}');
  });

  it('is not composed for someone whose only news is their own', () => {
    expect(composer()(people[0]!)).toBeUndefined();
  });

  it('gives each contribution a kudos link and a reply address that comments on it, signed for the recipient', async () => {
    const mail = composer()(people[1]!)!;
    const parsed = await simpleParser(mail.raw);
    const html = String(parsed.html);
    const kudos = html.match(/href="https:\/\/links\.baton\.example\.com\/l\/([^"]+)"[^>]*>Kudos/)?.[1];
    expect(kudos).toBeDefined();
    const claims = verifyLinkToken(kudos!, settings.secrets, now);
    expect(claims).toMatchObject({ action: 'kudos', responseId: 'resp-1', participantEmail: 'ben@example.com', trainingSlug: t2.slug });
    const address = html.match(/href="mailto:(reply\+[^"?]+)\?subject=[^"]*"[^>]*>Comment/)?.[1];
    expect(address).toBeDefined();
    const reply = verifyReplyToken(tokenFromAddress(decodeURIComponent(address!), settings.inboundDomain)!, settings.secrets, NOW_FOR_TOKENS);
    expect(reply).toMatchObject({ trainingOrder: t2.order, target: { kind: 'response', responseKey: responseKey(sampleSeries.id, 'resp-1') } });
    expect(parsed.subject).toContain(sampleSeries.title);
    expect(parsed.messageId).toContain('rollup');
    expect(parsed.messageId).toContain('2027-w05');
    expect(String(parsed.text)).toContain('1 contribution from your teammates');
  });

  it('renders participant text and links escaped, and drops links that are not http(s)', async () => {
    const { rollupPlanner } = await import('#app/planners/rollup');
    expect(typeof rollupPlanner).toBe('function');
    const news = contributionsBetween({ trainings: sampleTrainings, participants: people, responses }, new Date('2027-01-01T00:00:00Z'), now);
    const { prepareContribution } = await import('#app/planners/rollup');
    const body = renderRollupBody(news.map(prepareContribution), people[1]!, { kudos: () => 'https://k/1', commentAddress: () => 'reply+x@r' })!;
    expect(body.html).not.toMatch(/<script|javascript:/i);
    expect(body.html).toContain('Use &lt;script&gt;alert(1)&lt;/script&gt; filters');
    expect(body.html).toContain('href="https://example.com/a?b=1&amp;c=2"');
    expect(body.text).toContain('Kudos (one click): https://k/1');
    expect(body.count).toBe(1);
  });
});

describe('what one person can put into a roll-up', () => {
  it('shows at most ROLLUP_PER_PERSON items per author (their newest), and counts the rest as more', () => {
    const author = { email: 'flood@example.com', name: 'Flood' };
    const other = { email: 'calm@example.com', name: 'Calm' };
    const item = (who: typeof author, i: number) =>
      ({ contribution: { author: who, response: { id: `${who.email}-${i}`, trainingSlug: t2.slug }, training: { order: t2.order } }, html: `<p>${who.email}-${i}</p>`, text: `${who.email}-${i}` }) as unknown as Prepared;
    const prepared = [...Array.from({ length: 20 }, (_, i) => item(author, i)), item(other, 0)];
    const body = renderRollupBody(prepared, people[0]!, { kudos: () => 'https://k', commentAddress: () => 'reply+x@y' })!;
    expect(body.text.match(/flood@example\.com-\d+/g)).toEqual(Array.from({ length: ROLLUP_PER_PERSON }, (_, i) => `flood@example.com-${20 - ROLLUP_PER_PERSON + i}`));
    expect(body.text).toContain('calm@example.com-0');
    expect(body.text).toContain(`…and ${21 - ROLLUP_PER_PERSON - 1} more this week`);
  });
});
