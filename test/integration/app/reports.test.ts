// The digest and the roll-up dispatched for real: the example series published into dynalite (so
// their templates are compiled by publish), responses and deliveries stored through the Store,
// jobs run through dispatch → deliver with the real ledger; the sent mail is parsed back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { simpleParser } from 'mailparser';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { dispatch, type DispatchDeps } from '#app/run-job';
import type { BuiltMail } from '#app/deliver';
import type { Response } from '#core/model';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';
import { screenshots, sharedBrowser } from '#test/support/browser';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
let db: TestDynalite;
let store: Store;
let sent: BuiltMail[] = [];
let now = new Date('2027-02-01T14:00:00Z');
let deps: DispatchDeps;
let seriesId: string;
let emails: string[];
let phone: BrowserContext | undefined;
const shots = screenshots('reports');

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  seriesId = published.series.id;
  const participants = await loadParticipants(join(example, 'participants.csv'), published.series);
  await store.putParticipants(seriesId, participants);
  emails = participants.map((p) => p.email);
  const slug = published.trainings[0]!.slug;
  for (const email of emails.slice(0, 6)) {
    await store.claimDelivery(seriesId, `training#${slug}#${email}`, { now: new Date('2027-01-21T00:00:00Z'), leaseMs: 60_000 });
    await store.completeDelivery(seriesId, `training#${slug}#${email}`, { sesMessageId: `ses-${email}`, sentAt: '2027-01-21T00:00:00Z' });
  }
  const base = { seriesId, trainingSlug: slug, links: [], attachments: [], source: 'm' };
  const responses: Response[] = [
    { ...base, id: 'r1', participantEmail: emails[0]!, intent: 'strategy', text: 'I write the agenda <b>before</b>.', receivedAt: '2027-01-28T10:00:00.000Z' },
    { ...base, id: 'r2', participantEmail: emails[1]!, intent: 'read', text: '', receivedAt: '2027-01-29T10:00:00.000Z' },
    { ...base, id: 'r3', participantEmail: emails[2]!, intent: 'comment', text: 'Stealing this', targetResponseId: 'r1', receivedAt: '2027-01-30T10:00:00.000Z' },
  ];
  for (const r of responses) await store.putResponse(r);
  await store.setBounced(seriesId, emails[5]!, '2027-01-30T00:00:00Z');
  deps = {
    store,
    send: async (m) => {
      sent.push(m);
      return `ses-${sent.length}`;
    },
    settings: {
      domain: 'baton.example.com',
      inboundDomain: 'reply.baton.example.com',
      senderAddress: 'training@baton.example.com',
      linksBaseUrl: 'https://links.baton.example.com',
      secrets: 'reports-secret-0123456789abcdef',
    },
    now: () => now,
  };
}, 120_000);

afterAll(async () => {
  await phone?.close();
  await db?.stop();
});

describe('the digest job', () => {
  it('sends each trainer one digest a week, however often the job fires', async () => {
    sent = [];
    const first = await dispatch({ kind: 'digest', seriesId }, deps);
    expect(first.sent.length).toBe(2);
    expect(first.sent.every((id) => id.startsWith('digest#-#') && id.endsWith('#2027-w05'))).toBe(true);
    const again = await dispatch({ kind: 'digest', seriesId }, deps);
    expect(again.sent).toEqual([]);
    expect(again.alreadySent.length).toBe(2);

    const mail = await simpleParser(sent[0]!.raw);
    expect(mail.subject).toMatch(/^Weekly digest: /);
    const text = String(mail.text);
    expect(text).toMatch(/Sent\s+\[#+-*\]\s+6/);
    expect(text).toMatch(/Read\s+\[#+-*\]\s+3 · 50%/);
    expect(text).toContain('shared a strategy');
    expect(text).toContain('1 bounced');
    expect(String(mail.html)).toContain('I write the agenda &lt;b&gt;before&lt;/b&gt;.');
  });

  it('sends only to the trainers of the job\'s zone when it names one', async () => {
    sent = [];
    now = new Date('2027-02-08T14:00:00Z');
    const report = await dispatch({ kind: 'digest', seriesId, timeZone: 'Europe/London' }, deps);
    expect(report.sent).toEqual(['digest#-#daniel.brooks@example.org#2027-w06']);
  });

  it('renders on a 375 px phone without sideways scrolling', async () => {
    const mail = await simpleParser(sent[0]!.raw);
    // The worker's one Chromium; the context closes after the file, so a failure's picture is
    // taken while the page is still open (BATON_SCREENSHOTS=1 keeps one when it passes too).
    phone = await (await sharedBrowser()).newContext({ viewport: { width: 375, height: 800 } });
    const page = await phone.newPage();
    shots.onFailure(page, 'digest-375');
    await page.setContent(String(mail.html));
    const { scroll, client } = await page.evaluate<{ scroll: number; client: number }>('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
    expect(scroll).toBeLessThanOrEqual(client);
    const bars = await page.evaluate<number[]>(`[...document.querySelectorAll('td[width$="%"]')].map((td) => td.getBoundingClientRect().width)`);
    expect(bars.length).toBeGreaterThan(4);
    await shots.take(page, 'digest-375');
  }, 60_000);
});

describe('the roll-up job', () => {
  it('goes to the job zone\'s participants with news from others, once a week', async () => {
    sent = [];
    now = new Date('2027-02-05T18:00:00Z');
    const la = await dispatch({ kind: 'rollup', seriesId, timeZone: 'America/Los_Angeles' }, deps);
    // emails[0] (Los Angeles) wrote the strategy, but a teammate commented on it: that is news for them.
    expect(la.sent).toEqual([`rollup#-#${emails[0]}#2027-w05`]);
    const again = await dispatch({ kind: 'rollup', seriesId, timeZone: 'America/Los_Angeles' }, deps);
    expect(again.sent).toEqual([]);
    const mail = await simpleParser(sent[0]!.raw);
    expect(String(mail.text)).toContain('commented on Ana Reyes');
    expect(String(mail.text)).not.toContain('I write the agenda');

    const ny = await dispatch({ kind: 'rollup', seriesId, timeZone: 'America/New_York' }, deps);
    expect(ny.sent).toEqual([`rollup#-#${emails[1]}#2027-w05`]);
  });

  it('sends nothing in a week without contributions', async () => {
    now = new Date('2027-03-01T18:00:00Z');
    const report = await dispatch({ kind: 'rollup', seriesId }, deps);
    expect(report).toMatchObject({ sent: [], alreadySent: [], skipped: [] });
  });

  it('reads nobody in a week without news, and reaches someone enrolled just before a week with news', async () => {
    const participantsRead = () => store.requests.itemsReadByType.participant ?? 0;
    now = new Date('2027-03-01T18:00:00Z');
    const before = participantsRead();
    expect((await dispatch({ kind: 'rollup', seriesId, timeZone: 'America/Los_Angeles' }, deps)).sent).toEqual([]);
    // A check-in with no adoption of its training to ask about is the same: nobody to read.
    expect((await dispatch({ kind: 'follow-up', seriesId, trainingSlug: (await store.getSeries(seriesId))!.trainings[0]!.slug }, deps)).sent).toEqual([]);
    expect(participantsRead()).toBe(before);

    // News this week, and a newcomer in Los Angeles enrolled after it: the roll-up reads who is enrolled now.
    const slug = (await store.getSeries(seriesId))!.trainings[0]!.slug;
    await store.putResponse({ seriesId, trainingSlug: slug, links: [], attachments: [], source: 'm4', id: 'r4', participantEmail: emails[1]!, intent: 'strategy', text: 'Walk and talk.', receivedAt: '2027-03-03T10:00:00.000Z' });
    await store.putParticipants(seriesId, [{ email: 'newcomer@example.com', name: 'New Comer', timeZone: 'America/Los_Angeles', workStart: '09:00' }]);
    now = new Date('2027-03-05T18:00:00Z');
    const report = await dispatch({ kind: 'rollup', seriesId, timeZone: 'America/Los_Angeles' }, deps);
    expect(report.sent).toContain('rollup#-#newcomer@example.com#2027-w09');
    expect(participantsRead()).toBeGreaterThan(before);
  });
});
