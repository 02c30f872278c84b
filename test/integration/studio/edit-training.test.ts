// Changing a training's dates from the studio, over real HTTP on a local stack: the re-plan is shown
// and nothing is stored until it is confirmed; confirming publishes as `baton publish` does (version
// + 1, the calendar's SEQUENCE + 1, the training's sends moved); a window already closed and bad
// dates are refused with the reason; without a template compiler (the studio on AWS) nothing is
// applied; and series B stays out of reach.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyTrainingEdit } from '#app/studio/edit-training';
import type { Job } from '#core/jobs';
import { csrfOf, form, SERIES_B, signIn, startStudioStack, TRAINER_A, withCookie, type StudioStack } from '#test/support/studio';

let s: StudioStack;
let base: string;
let cookie: string;
let csrf: string;

const post = (path: string, fields: Record<string, string>, series = s.seriesA) => fetch(`${base}/s/${series}${path}`, withCookie(cookie, form({ ...fields, csrf })));
/** The stored training send jobs of `slug`, by when they fire. */
const sendsOf = async (slug: string) =>
  (await s.product.store.listSchedules(s.seriesA))
    .filter((r) => (r.job as Job).kind === 'training' && (r.job as Job).trainingSlug === slug && (r.job as Job).part === undefined)
    .map((r) => r.at)
    .sort();

beforeAll(async () => {
  s = await startStudioStack();
  base = s.stack.endpoints.studio;
  // The first training's window is open; the others are ahead.
  s.clock.now = new Date('2027-01-22T12:00:00Z');
  cookie = await signIn(s, TRAINER_A);
  csrf = await csrfOf(s, cookie, '/trainings');
});

afterAll(async () => {
  await s?.stop();
});

describe('changing a training’s dates from the studio', () => {
  it('shows the re-plan first and stores nothing', async () => {
    const before = (await s.product.store.getSeries(s.seriesA))!;
    const second = before.trainings[1]!;
    const page = await fetch(`${base}/s/${s.seriesA}/trainings/edit?training=${second.slug}`, withCookie(cookie));
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`value="${second.opens}"`);
    const res = await post('/trainings/edit', { slug: second.slug, title: second.title, opens: '2027-02-22', closes: '2027-03-05' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/\d+ people get an updated invitation for training 2 \(now [^)]+, was [^)]+\)/);
    expect(html).toContain('Apply: publish the change');
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
  });

  it('publishes on confirmation: version + 1, SEQUENCE + 1, the sends moved', async () => {
    const before = (await s.product.store.getSeries(s.seriesA))!;
    const second = before.trainings[1]!;
    const sendsBefore = await sendsOf(second.slug);
    expect(sendsBefore.length).toBeGreaterThan(0);
    const res = await post('/trainings/edit/confirm', { slug: second.slug, title: second.title, opens: '2027-02-22', closes: '2027-03-05' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/studio/s/${s.seriesA}/trainings?done=edited`);
    const after = (await s.product.store.getSeries(s.seriesA))!;
    expect(after.version).toBe(before.version + 1);
    expect(after.trainings[1]).toMatchObject({ slug: second.slug, opens: '2027-02-22', closes: '2027-03-05' });
    expect((await s.product.store.getCalendars(s.seriesA)).find((c) => c.slug === second.slug)?.sequence).toBe(1);
    const sendsAfter = await sendsOf(second.slug);
    expect(sendsAfter.length).toBe(sendsBefore.length);
    expect(sendsAfter.every((at) => at >= '2027-02-21')).toBe(true);
    expect(sendsBefore.every((at) => at < '2027-02-21')).toBe(true);
    // Confirming the same change again (a reload) changes nothing more.
    await post('/trainings/edit/confirm', { slug: second.slug, title: second.title, opens: '2027-02-22', closes: '2027-03-05' });
    expect((await s.product.store.getCalendars(s.seriesA)).find((c) => c.slug === second.slug)?.sequence).toBe(1);
  });

  it('refuses a window already closed, bad dates and an unknown training, storing nothing', async () => {
    const before = (await s.product.store.getSeries(s.seriesA))!;
    const first = before.trainings[0]!;
    const cases: Array<[Record<string, string>, number, string]> = [
      [{ slug: first.slug, title: first.title, opens: '2027-01-04', closes: '2027-01-15' }, 422, 'closed on'],
      [{ slug: first.slug, title: first.title, opens: '2027-02-30', closes: '2027-03-05' }, 422, 'is not a date'],
      [{ slug: first.slug, title: first.title, opens: '2027-03-10', closes: '2027-03-05' }, 422, 'closes (2027-03-05) before it opens'],
      [{ slug: first.slug, title: '  ', opens: '2027-03-01', closes: '2027-03-05' }, 422, 'needs a title'],
      [{ slug: 'no-such', title: 'x', opens: '2027-03-01', closes: '2027-03-05' }, 404, 'no such training'],
    ];
    for (const [fields, status, words] of cases) {
      for (const path of ['/trainings/edit', '/trainings/edit/confirm']) {
        const res = await post(path, fields);
        expect(res.status, `${path} ${JSON.stringify(fields)}`).toBe(status);
        expect(await res.text()).toContain(words);
      }
    }
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
  });

  it('applies nothing without a template compiler (the studio on AWS), and says so', async () => {
    const before = (await s.product.store.getSeries(s.seriesA))!;
    const third = before.trainings[2]!;
    const outcome = await applyTrainingEdit(before, { slug: third.slug, title: third.title, opens: '2027-03-22', closes: '2027-04-02' }, {
      store: s.product.store,
      secrets: { current: 'x'.repeat(32) } as never,
      mailer: async () => {
        throw new Error('no mail expected');
      },
      now: s.clock.now,
      newId: () => 'unused',
      settings: {} as never,
    });
    expect(outcome.kind).toBe('needs-compile');
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
  });

  it('stays inside the trainer’s series', async () => {
    const b = (await s.product.store.getSeries(SERIES_B))!;
    const t = b.trainings[2]!;
    expect((await fetch(`${base}/s/${SERIES_B}/trainings/edit?training=${t.slug}`, withCookie(cookie))).status).toBe(404);
    expect((await post('/trainings/edit/confirm', { slug: t.slug, title: 'Hijacked', opens: '2027-03-22', closes: '2027-04-02' }, SERIES_B)).status).toBe(404);
    expect((await fetch(`${base}/s/${s.seriesA}/trainings/edit/confirm`, withCookie(cookie, form({ slug: t.slug, title: 'No token', opens: '2027-03-22', closes: '2027-04-02' })))).status).toBe(403);
    expect(await s.product.store.getSeries(SERIES_B)).toEqual(b);
  });
});
