// A participant's page in the studio and re-sending a training to one person, over real HTTP on a
// local stack (dynalite, aws-ses-v2-local, the links server): the re-send goes through the delivery
// ledger under its own id, once per confirmation (a double POST sends one email), never touches the
// original's entry, allows three a day per person, refuses what cannot be re-sent, and stays inside
// the trainer's own series.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response as BatonResponse } from '#core/model';
import { csrfOf, form, mailsTo, SERIES_B, signIn, startStudioStack, TRAINER_A, withCookie, type StudioStack } from '#test/support/studio';

const ANA = 'ana.reyes@example.com';
let s: StudioStack;
let base: string;
let cookieA: string;
let first: string;
let last: string;

const page = async (path: string, cookie = cookieA) => fetch(`${base}/s/${s.seriesA}${path}`, withCookie(cookie));

/** The confirmation form's fields for re-sending `slug` to `email`. */
async function confirmation(email: string, slug: string): Promise<Record<string, string>> {
  const res = await page(`/resend?${new URLSearchParams({ email, training: slug })}`);
  expect(res.status).toBe(200);
  const html = await res.text();
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)![1]!;
  return { csrf: field('csrf'), email: field('email'), training: field('training'), nonce: field('nonce') };
}

/** The training emails (with their calendar entry) Ana has received. */
const trainingMails = async () => (await mailsTo(s.dataDir, ANA)).filter((m) => m.attachments.some((a) => a.filename === 'invite.ics'));

const ANA_STRATEGY: BatonResponse = {
  id: 'ana-strategy',
  seriesId: 'set-below',
  trainingSlug: 'set-below',
  participantEmail: ANA,
  intent: 'strategy',
  text: 'I keep a shared running agenda.',
  links: [],
  attachments: [],
  source: '<ana-1@mail.example.com>',
  receivedAt: '2027-01-22T13:00:00.000Z',
};

beforeAll(async () => {
  s = await startStudioStack();
  base = s.stack.endpoints.studio;
  // The first training's window is open and its emails have gone out (kickoff and training).
  s.clock.now = new Date('2027-01-22T12:00:00Z');
  const report = await s.product.scheduler.fireDue(s.clock.now, s.product.dispatchJob);
  expect(report.failed).toEqual([]);
  const published = (await s.product.store.getSeries(s.seriesA))!;
  first = published.trainings[0]!.slug;
  last = published.trainings.at(-1)!.slug;
  await s.product.store.putResponse({ ...ANA_STRATEGY, seriesId: s.seriesA, trainingSlug: first });
  cookieA = await signIn(s, TRAINER_A);
});

afterAll(async () => {
  await s?.stop();
});

describe('re-sending a training to one person', () => {
  it('sends once per confirmation: a double POST sends one email, the original entry stays as it was', async () => {
    const before = await trainingMails();
    expect(before).toHaveLength(1);
    const original = (await s.product.store.listDeliveries(s.seriesA, `training#${first}#${ANA}`)).find((d) => d.emailId === `training#${first}#${ANA}`)!;
    const fields = await confirmation(ANA, first);
    // Two presses at once, then a reload of the POST: one email.
    const answers = await Promise.all([0, 1].map(() => fetch(`${base}/s/${s.seriesA}/resend`, withCookie(cookieA, form(fields)))));
    answers.push(await fetch(`${base}/s/${s.seriesA}/resend`, withCookie(cookieA, form(fields))));
    expect(answers.map((a) => a.status)).toEqual([303, 303, 303]);
    const locations = answers.map((a) => a.headers.get('location'));
    expect(locations).toContain(`/studio/s/${s.seriesA}/person?email=${encodeURIComponent(ANA)}&done=resent`);
    expect(locations).toContain(`/studio/s/${s.seriesA}/person?email=${encodeURIComponent(ANA)}&done=resent-already`);
    const after = await trainingMails();
    expect(after).toHaveLength(2);
    const resent = after.find((m) => m.messageId !== before[0]!.messageId)!;
    expect(resent.subject).toBe(before[0]!.subject);
    // Its own Message-ID: a client drops a second message with an id it already holds.
    expect(resent.messageId).toMatch(new RegExp(`\\.resend-${fields.nonce}@`));
    // Its reply address is the training's: an answer to it counts like one to the original.
    expect(resent.replyTo!.value[0]!.address).toBe(before[0]!.replyTo!.value[0]!.address);
    const ledger = await s.product.store.listDeliveries(s.seriesA, `resend#${ANA}#`);
    expect(ledger.map((d) => [d.emailId, d.status])).toEqual([[`resend#${ANA}#${first}#${fields.nonce}`, 'sent']]);
    expect((await s.product.store.listDeliveries(s.seriesA, `training#${first}#${ANA}`)).find((d) => d.emailId === original.emailId)).toEqual(original);
  });

  it('sends again on a new confirmation', async () => {
    const fields = await confirmation(ANA, first);
    const res = await fetch(`${base}/s/${s.seriesA}/resend`, withCookie(cookieA, form(fields)));
    expect(res.headers.get('location')).toMatch(/done=resent$/);
    expect(await trainingMails()).toHaveLength(3);
    expect(await s.product.store.listDeliveries(s.seriesA, `resend#${ANA}#`)).toHaveLength(2);
  });

  it('allows three re-sends to one person a day, then refuses with the reason', async () => {
    // Two went out above; a third passes, a fourth is refused and sends nothing.
    const third = await fetch(`${base}/s/${s.seriesA}/resend`, withCookie(cookieA, form(await confirmation(ANA, first))));
    expect(third.headers.get('location')).toMatch(/done=resent$/);
    const count = (await trainingMails()).length;
    const fourth = await fetch(`${base}/s/${s.seriesA}/resend`, withCookie(cookieA, form(await confirmation(ANA, first))));
    expect(fourth.status).toBe(429);
    expect(await fourth.text()).toContain('3 re-sends today already');
    expect(await trainingMails()).toHaveLength(count);
    expect(await s.product.store.listDeliveries(s.seriesA, `resend#${ANA}#`)).toHaveLength(3);
  });

  it('refuses, with a reason and no mail, what cannot be re-sent', async () => {
    const count = (await mailsTo(s.dataDir, ANA)).length;
    const good = await confirmation(ANA, first);
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ ...good, training: last }, 409, 'has not gone to them yet'],
      [{ ...good, nonce: 'short' }, 400, 'confirmation was missing or malformed'],
      [{ ...good, nonce: '' }, 400, 'confirmation was missing or malformed'],
      [{ ...good, training: 'no-such-training' }, 404, 'no such training'],
      [{ ...good, email: 'nobody@example.com' }, 404, 'not a participant'],
      [{ ...good, email: 'b.person@example.net' }, 404, 'not a participant'],
    ];
    for (const [fields, status, words] of cases) {
      const res = await fetch(`${base}/s/${s.seriesA}/resend`, withCookie(cookieA, form(fields)));
      expect(res.status, JSON.stringify(fields)).toBe(status);
      expect(await res.text()).toContain(words);
    }
    expect((await mailsTo(s.dataDir, ANA)).length).toBe(count);
  });

  it('stays inside the trainer’s series: series B’s person, series B’s URL, no CSRF token', async () => {
    const good = await confirmation(ANA, first);
    const other = await fetch(`${base}/s/${SERIES_B}/resend`, withCookie(cookieA, form({ ...good, email: 'b.person@example.net' })));
    expect(other.status).toBe(404);
    const { csrf: _csrf, ...noToken } = good;
    expect((await fetch(`${base}/s/${s.seriesA}/resend`, withCookie(cookieA, form(noToken)))).status).toBe(403);
    expect((await fetch(`${base}/s/${s.seriesA}/resend`, form(good))).status).toBe(401);
    expect((await fetch(`${base}/s/${SERIES_B}/resend?email=b.person%40example.net&training=${first}`, withCookie(cookieA))).status).toBe(404);
    expect(await mailsTo(s.dataDir, 'b.person@example.net')).toEqual([]);
    expect(await s.product.store.listDeliveries(SERIES_B, 'resend#')).toEqual([]);
  });
});

describe('a participant’s page', () => {
  it('shows status, preferences, what was sent and when, and what they answered', async () => {
    const res = await page(`/person?email=${encodeURIComponent(ANA)}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Ana Reyes</h1>');
    expect(html).toMatch(/Active/);
    expect(html).toContain('<th scope="row">Reminders</th><td>on</td>');
    expect(html).toContain(`data-delivery="kickoff#-#${ANA}"`);
    expect(html).toContain(`data-delivery="training#${first}#${ANA}"`);
    expect(html).toMatch(/Re-sent training: [^<]+<\/td><td>2027-01-22 12:00<\/td><td>sent/);
    expect(html).toContain('data-response="ana-strategy"');
    expect(html).toContain('I keep a shared running agenda.');
    expect(html).toContain(`/studio/s/${s.seriesA}/resend?email=${encodeURIComponent(ANA)}&amp;training=${first}`);
  });

  it('corrects a record from the page and comes back to it', async () => {
    const csrf = await csrfOf(s, cookieA, `/person?email=${encodeURIComponent(ANA)}`);
    const res = await fetch(`${base}/s/${s.seriesA}/correct`, withCookie(cookieA, form({ id: 'ana-strategy', choice: 'comment', person: ANA, csrf })));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/studio/s/${s.seriesA}/person?email=${encodeURIComponent(ANA)}&done=corrected`);
    const now = await s.product.store.listResponsesByParticipant(s.seriesA, ANA);
    expect(now.map((r) => [r.intent, r.text])).toEqual([['comment', 'I keep a shared running agenda.']]);
    const html = await (await page(`/person?email=${encodeURIComponent(ANA)}&done=corrected`)).text();
    expect(html).toContain('Corrected.');
    expect(html).toContain('<strong>Comment</strong>');
  });

  it('is not found for someone of another series, an unknown address, or another series’ URL', async () => {
    expect((await page('/person?email=b.person%40example.net')).status).toBe(404);
    expect((await page('/person?email=nobody%40example.com')).status).toBe(404);
    expect((await page('/person')).status).toBe(404);
    expect((await fetch(`${base}/s/${SERIES_B}/person?email=b.person%40example.net`, withCookie(cookieA))).status).toBe(404);
  });
});

describe('participation by team on the overview', () => {
  it('shows no team section while nobody has a team, then each team’s enrolled and engaged people', async () => {
    expect(await (await page('')).text()).not.toContain('By team');
    const people = await s.product.store.listParticipants(s.seriesA);
    // Ana (who answered) and one other in Platform, the rest without a team.
    const other = people.find((p) => p.email !== ANA)!;
    await s.product.store.putParticipants(
      s.seriesA,
      people.filter((p) => p.email === ANA || p.email === other.email).map(({ email, name, timeZone, workStart }) => ({ email, name, timeZone, workStart, team: 'Platform' })),
    );
    expect((await s.product.store.getParticipant(s.seriesA, ANA))?.team).toBe('Platform');
    const html = await (await page('')).text();
    expect(html).toContain('<h2 id="teams">By team</h2>');
    const table = /<table data-testid="teams">.*?<\/table>/.exec(html)![0];
    const rows = [...table.matchAll(/<tr><th scope="row">([^<]+)<\/th><td class="num">(\d+)<\/td><td class="num">(\d+)<\/td><\/tr>/g)].map((m) => [m[1], Number(m[2]), Number(m[3])]);
    const engagedOthers = (await s.product.store.listResponses(s.seriesA)).some((r) => r.participantEmail === other.email) ? 1 : 0;
    expect(rows).toEqual([
      ['No team', people.length - 2, 0],
      ['Platform', 2, 1 + engagedOthers],
    ]);
  });
});
