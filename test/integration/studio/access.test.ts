// Who may do what in the trainer studio, over real HTTP on a local stack: sign-in by email (the
// link from the outbox, single use, 15 minutes, rate limited), the session cookie's attributes,
// CSRF on every POST, and series A's trainer unable to see or change series B — forged ids in URLs,
// replayed and expired links, missing and wrong CSRF tokens, a cookie signed with another secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Response as BatonResponse } from '#core/model';
import { signSession } from '#core/studio-tokens';
import {
  csrfOf as csrfOfSeries,
  form,
  mailsTo,
  requestLink as requestLinkOf,
  SERIES_B,
  signIn as signInOf,
  signInLinks,
  startStudioStack,
  TRAINER_A,
  TRAINER_B,
  withCookie,
  type StudioStack,
} from '#test/support/studio';

let s: StudioStack;
let base: string;
const requestLink = (email: string) => requestLinkOf(s, email);
const signIn = (email: string) => signInOf(s, email);
const csrfOf = (cookie: string, path = '') => csrfOfSeries(s, cookie, path);

const RESPONSE_B: BatonResponse = {
  id: 'b-strategy',
  seriesId: SERIES_B,
  trainingSlug: 'productive-one-on-ones',
  participantEmail: 'b.person@example.net',
  intent: 'strategy',
  text: 'A strategy only series B should see.',
  links: [],
  attachments: [],
  source: '<b-1@mail.example.net>',
  receivedAt: '2027-01-22T17:00:00.000Z',
};

beforeAll(async () => {
  s = await startStudioStack();
  base = s.stack.endpoints.studio;
  await s.product.store.putResponse(RESPONSE_B);
  await s.product.store.putResponse({ ...RESPONSE_B, id: 'a-strategy', seriesId: s.seriesA, participantEmail: 'ana.reyes@example.com', text: 'A strategy of series A.' });
});

afterAll(async () => {
  await s?.stop();
});

describe('signing in by email', () => {
  it('mails a trainer a link; an address that runs no series gets the same page and no mail', async () => {
    const stranger = await requestLink('someone@example.org');
    const trainer = await requestLink(TRAINER_A);
    expect(stranger.status).toBe(200);
    expect(trainer.status).toBe(200);
    // The same words for both: the form does not tell who is a trainer.
    const strangerText = (await stranger.text()).replace('someone@example.org', 'X');
    expect((await trainer.text()).replace(TRAINER_A, 'X')).toBe(strangerText);
    expect(await mailsTo(s.dataDir, 'someone@example.org')).toEqual([]);
    expect(await signInLinks(s.dataDir, TRAINER_A)).toHaveLength(1);
  });

  it('shows a button on GET without using the link, signs in once on POST, and refuses a replay', async () => {
    const [link] = await signInLinks(s.dataDir, TRAINER_A);
    // Mail scanners open links: two GETs leave it usable.
    for (let i = 0; i < 2; i++) {
      const page = await fetch(link!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<button type="submit">Sign in</button>');
    }
    const first = await fetch(link!, { method: 'POST', redirect: 'manual' });
    expect(first.status).toBe(303);
    const cookie = first.headers.getSetCookie()[0]!;
    expect(cookie).toMatch(/^baton_studio=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200$/);
    // Replayed: the nonce was consumed by the first POST.
    const replay = await fetch(link!, { method: 'POST', redirect: 'manual' });
    expect(replay.status).toBe(409);
    expect(replay.headers.getSetCookie()).toEqual([]);
    expect(await replay.text()).toContain('was used already');
  });

  it('refuses an expired link (15 minutes) and an altered one', async () => {
    await requestLink(TRAINER_B);
    const link = (await signInLinks(s.dataDir, TRAINER_B))[0]!;
    const altered = link.replace(/\.([A-Za-z0-9_-])/, (_m, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    expect((await fetch(altered, { method: 'POST', redirect: 'manual' })).status).toBe(400);
    const saved = s.clock.now;
    s.clock.now = new Date(saved.getTime() + 15 * 60_000 + 1000);
    try {
      expect((await fetch(link)).status).toBe(410);
      const res = await fetch(link, { method: 'POST', redirect: 'manual' });
      expect(res.status).toBe(410);
      expect(res.headers.getSetCookie()).toEqual([]);
    } finally {
      s.clock.now = saved;
    }
  });

  it('rate limits sign-in requests per address', async () => {
    const email = 'daniel.brooks@example.org';
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await requestLink(email)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
    expect(await signInLinks(s.dataDir, email)).toHaveLength(3);
  });

  it('rate limits sign-in requests per client address, whatever the addresses asked for', async () => {
    const saved = s.clock.now;
    // A fresh 15-minute window, so the requests above do not count.
    s.clock.now = new Date(saved.getTime() + 60 * 60_000);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 21; i++) statuses.push((await requestLink(`guess${i}@example.org`)).status);
      expect(statuses.slice(0, 20).every((x) => x === 200)).toBe(true);
      expect(statuses[20]).toBe(429);
    } finally {
      s.clock.now = saved;
    }
  });
});

describe("series A's trainer and series B", () => {
  let cookieA: string;
  beforeAll(async () => {
    cookieA = await signIn(TRAINER_A);
  });

  it('lists only the series they run', async () => {
    const page = await (await fetch(base, withCookie(cookieA))).text();
    expect(page).toContain(`href="/studio/s/${s.seriesA}"`);
    expect(page).not.toContain(SERIES_B);
  });

  it('cannot open any page of series B, by a forged id in the URL', async () => {
    for (const path of ['', '/contributions', '/participants', '/trainings', '/export', '/trainings/frame?which=kickoff', '/unenrol?email=b.person%40example.net']) {
      const res = await fetch(`${base}/s/${SERIES_B}${path}`, withCookie(cookieA));
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain('only series B should see');
    }
    // The same answer as for a series that does not exist at all.
    expect((await fetch(`${base}/s/no-such-series`, withCookie(cookieA))).status).toBe(404);
  });

  it('cannot change series B even with a valid CSRF token of their own', async () => {
    const csrf = await csrfOf(cookieA);
    const attempts: Array<[string, Record<string, string>]> = [
      ['/correct', { id: RESPONSE_B.id, choice: 'withdraw' }],
      ['/unenrol', { email: 'b.person@example.net' }],
      ['/nudge', { email: 'b.person@example.net' }],
      ['/resubscribe', { email: 'b.person@example.net' }],
    ];
    for (const [path, fields] of attempts) {
      const res = await fetch(`${base}/s/${SERIES_B}${path}`, withCookie(cookieA, form({ ...fields, csrf })));
      expect(res.status, path).toBe(404);
    }
    expect((await s.product.store.listResponses(SERIES_B)).map((r) => r.id)).toEqual([RESPONSE_B.id]);
    expect(await s.product.store.getParticipant(SERIES_B, 'b.person@example.net')).toBeDefined();
    // Nor by naming B's record from inside A: records are looked up in the series authorized.
    const res = await fetch(`${base}/s/${s.seriesA}/correct`, withCookie(cookieA, form({ id: RESPONSE_B.id, choice: 'withdraw', csrf })));
    expect(res.status).toBe(404);
    expect((await s.product.store.listResponses(SERIES_B)).map((r) => r.id)).toEqual([RESPONSE_B.id]);
  });

  it('needs the CSRF token on every POST: missing or wrong changes nothing', async () => {
    const csrf = await csrfOf(cookieA);
    const missing = await fetch(`${base}/s/${s.seriesA}/correct`, withCookie(cookieA, form({ id: 'a-strategy', choice: 'withdraw' })));
    expect(missing.status).toBe(403);
    const wrong = await fetch(`${base}/s/${s.seriesA}/correct`, withCookie(cookieA, form({ id: 'a-strategy', choice: 'withdraw', csrf: `${csrf.slice(0, -2)}AA` })));
    expect(wrong.status).toBe(403);
    // Another session's token does not fit this session.
    const cookieA2 = await signIn(TRAINER_A);
    const other = await csrfOf(cookieA2);
    expect(other).not.toBe(csrf);
    expect((await fetch(`${base}/s/${s.seriesA}/correct`, withCookie(cookieA, form({ id: 'a-strategy', choice: 'withdraw', csrf: other })))).status).toBe(403);
    expect((await s.product.store.listResponses(s.seriesA)).some((r) => r.id === 'a-strategy')).toBe(true);
    const signOut = await fetch(`${base}/signout`, withCookie(cookieA, form({})));
    expect(signOut.status).toBe(403);
    // With it, the same request works.
    const ok = await fetch(`${base}/s/${s.seriesA}/correct`, withCookie(cookieA, form({ id: 'a-strategy', choice: 'withdraw', csrf })));
    expect(ok.status).toBe(303);
    expect((await s.product.store.listResponses(s.seriesA)).some((r) => r.id === 'a-strategy')).toBe(false);
  });

  it('treats a cookie signed with another secret, or none, as signed out', async () => {
    const forged = signSession({ email: TRAINER_B, sessionId: 'forged', now: new Date() }, 'another-secret-0123456789abcdef').token;
    for (const cookie of [`baton_studio=${forged}`, '']) {
      const res = await fetch(`${base}/s/${SERIES_B}`, withCookie(cookie));
      expect(res.status).toBe(401);
      expect(await res.text()).toContain('Sign in');
    }
  });
});
