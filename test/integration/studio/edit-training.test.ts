// Changing a training from the studio, over real HTTP on a local stack (the local publisher applies
// an edit at once, with mjml and espeak-ng, as the AWS publish function does): dates — the re-plan
// is shown and nothing is stored until it is confirmed; confirming publishes as `baton publish`
// does (version + 1, the calendar's SEQUENCE + 1, the training's sends moved) and a second POST of
// the same confirmation changes nothing; a window already closed and bad dates are refused with
// the reason; without a publisher nothing is applied. Text — problems come back at their field and
// line and nothing is stored; a valid text shows the email's text and who already had it, then
// publishes (templates, audio of the new text); the training file is a download that parses back
// to what is published, and `baton publish` from the folder refuses to undo the change until the
// folder has it. A publish in between fails an edit waiting to be applied. Series B stays out of reach.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyStudioEdit } from '#app/studio/apply-edit';
import { applyTrainingEdit } from '#app/studio/edit-training';
import { audioKey, spokenText } from '#app/audio';
import { compileTemplates } from '#emails/compile-series';
import type { Job } from '#core/jobs';
import { parseTrainingText } from '#core/series';
import { trainingFilePath, trainingText } from '#core/training-source';
import { markEditsInFolder, preparePublish } from '#cli/publish-series';
import { exampleDir } from '#test/support/example-data';
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
    const res = await post('/trainings/edit', { slug: second.slug, title: second.title, opens: '2027-02-07', closes: '2027-02-18' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/\d+ people get an updated invitation for training 2 \(now [^)]+, was [^)]+\)/);
    expect(html).toContain('Apply: publish the change');
    expect(html).toMatch(/name="edit" value="[A-Za-z0-9_-]{8,}"/);
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
    expect(await s.product.store.listStudioEdits(s.seriesA)).toEqual([]);
  });

  it('publishes on confirmation: version + 1, SEQUENCE + 1, the sends moved', async () => {
    const before = (await s.product.store.getSeries(s.seriesA))!;
    const second = before.trainings[1]!;
    const sendsBefore = await sendsOf(second.slug);
    expect(sendsBefore.length).toBeGreaterThan(0);
    const fields = { slug: second.slug, title: second.title, opens: '2027-02-07', closes: '2027-02-18' };
    const preview = await (await post('/trainings/edit', fields)).text();
    const edit = /name="edit" value="([^"]+)"/.exec(preview)![1]!;
    const res = await post('/trainings/edit/confirm', { ...fields, edit });
    expect(res.status).toBe(303);
    const status = `/studio/s/${s.seriesA}/trainings/edit/status?edit=${edit}`;
    expect(res.headers.get('location')).toBe(status);
    const page = await (await fetch(new URL(status, base), withCookie(cookie))).text();
    expect(page).toContain('Published</strong> (version');
    expect(page).toMatch(/\d+ people get an updated invitation for training 2/);
    const after = (await s.product.store.getSeries(s.seriesA))!;
    expect(after.version).toBe(before.version + 1);
    expect(after.trainings[1]).toMatchObject({ slug: second.slug, opens: '2027-02-07', closes: '2027-02-18' });
    expect((await s.product.store.getCalendars(s.seriesA)).find((c) => c.slug === second.slug)?.sequence).toBe(1);
    const sendsAfter = await sendsOf(second.slug);
    expect(sendsAfter.length).toBe(sendsBefore.length);
    expect(sendsAfter.every((at) => at >= '2027-02-06')).toBe(true);
    expect(sendsBefore.every((at) => at < '2027-02-06')).toBe(true);
    expect(await s.product.store.getStudioEdit(s.seriesA, edit)).toMatchObject({ state: 'applied', kind: 'dates', by: TRAINER_A, baseVersion: before.version, version: after.version });
    // The same confirmation posted again (a reload, a double click): the same page, nothing more.
    const again = await post('/trainings/edit/confirm', { ...fields, edit });
    expect(again.headers.get('location')).toBe(status);
    expect((await s.product.store.getSeries(s.seriesA))!.version).toBe(after.version);
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
      [{ slug: before.trainings[2]!.slug, title: 'x', opens: '2027-03-01', closes: '2027-03-10' }, 422, 'after training 4'],
      [{ slug: 'no-such', title: 'x', opens: '2027-03-01', closes: '2027-03-05' }, 404, 'no such training'],
    ];
    for (const [fields, status, words] of cases) {
      for (const path of ['/trainings/edit', '/trainings/edit/confirm']) {
        const res = await post(path, { ...fields, edit: 'a-confirmation-id' });
        expect(res.status, `${path} ${JSON.stringify(fields)}`).toBe(status);
        expect(await res.text()).toContain(words);
      }
    }
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
  });

  it('applies nothing without a publisher, and says so', async () => {
    const before = (await s.product.store.getSeries(s.seriesA))!;
    const third = before.trainings[2]!;
    const session = { email: TRAINER_A, sessionId: 'x', expiresAt: 0, csrf: 'x' } as never;
    const outcome = await applyTrainingEdit(before, { slug: third.slug, title: third.title, opens: '2027-02-20', closes: '2027-03-01' }, 'no-publisher-here', session, {
      store: s.product.store,
      secrets: { current: 'x'.repeat(32) } as never,
      mailer: async () => {
        throw new Error('no mail expected');
      },
      now: s.clock.now,
      newId: () => 'unused',
      settings: {} as never,
    });
    expect(outcome.kind).toBe('no-publisher');
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
    expect(await s.product.store.getStudioEdit(s.seriesA, 'no-publisher-here')).toBeUndefined();
  });

});

describe('changing a training’s text from the studio', () => {
  const textOf = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&amp;/g, '&').replace(/&#39;|&#x27;/g, "'").replace(/&quot;/g, '"');
  let slug: string;

  beforeAll(async () => {
    // The kickoff and the first training go out: the ledger then says who has had it.
    const report = await s.product.scheduler.fireDue(s.clock.now, s.product.dispatchJob);
    expect(report.failed).toEqual([]);
    slug = (await s.product.store.getSeries(s.seriesA))!.trainings[0]!.slug;
  });

  it('shows the text in labelled fields', async () => {
    const t = (await s.product.store.getSeries(s.seriesA))!.trainings[0]!;
    const res = await fetch(`${base}/s/${s.seriesA}/trainings/text?training=${slug}`, withCookie(cookie));
    expect(res.status).toBe(200);
    const html = await res.text();
    for (const [id, label] of [['text-title', 'Title'], ['text-body', 'The article (Markdown)'], ['text-strategies', 'Strategies (Markdown)']]) expect(html).toContain(`<label for="${id}">${label}</label>`);
    expect(textOf(html)).toContain(t.body.split('\n')[0]!);
    expect(textOf(html)).toContain(`### ${t.strategies[1]!.title}`);
  });

  it('shows problems at their field and line, storing nothing', async () => {
    const before = (await s.product.store.getSeries(s.seriesA))!;
    const edits = (await s.product.store.listStudioEdits(s.seriesA)).length;
    const text = trainingText(before.trainings[0]!);
    const bad = { slug, title: text.title, body: 'First line.\n\nSecond paragraph with [a link](/relative).', strategies: '1. no bold title here', edit: 'some-confirmation' };
    for (const path of ['/trainings/text', '/trainings/text/confirm']) {
      const res = await post(path, bad);
      expect(res.status, path).toBe(422);
      const html = await res.text();
      expect(html).toMatch(/<ul class="field-problems" id="body-errors"><li>Line 3: link &quot;\/relative&quot; is not an absolute/);
      expect(html).toMatch(/<ul class="field-problems" id="strategies-errors"><li>Line 1: this strategy has no title/);
      expect(html).toContain('aria-describedby="strategies-help strategies-errors" aria-invalid="true"');
      expect(html).toContain('Nothing was changed.');
      expect(html).not.toContain('Apply: publish the new text');
    }
    const empty = await post('/trainings/text', { ...bad, title: ' ', body: text.body, strategies: text.strategies });
    expect(await empty.text()).toMatch(/id="title-errors"><li>title must not be empty/);
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
    expect((await s.product.store.listStudioEdits(s.seriesA)).length).toBe(edits);
  });

  it('previews the email’s text and who already had it, then publishes it with its audio', async () => {
    const before = (await s.product.store.getSeries(s.seriesA))!;
    const text = trainingText(before.trainings[0]!);
    const active = (await s.product.store.listParticipants(s.seriesA)).filter((p) => !p.unsubscribedAt && !p.bouncedAt).length;
    const sent = (await s.product.store.listDeliveries(s.seriesA, `training#${slug}#`)).filter((d) => d.status === 'sent').length;
    expect(sent).toBe(active);
    const fields = { slug, title: 'A productive 1:1 with your manager', body: `${text.body}\n\nOne more thing: **bring the agenda doc** to every sync.`, strategies: text.strategies };
    const res = await post('/trainings/text', fields);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('One more thing: <strong>bring the agenda doc</strong> to every sync.');
    expect(textOf(html)).toContain(`${active} people already had this training’s email: it is not sent again, so they keep the earlier text`);
    expect(textOf(html)).toContain(`${active} people get an updated invitation for training 1 (renamed "A productive 1:1 with your manager")`);
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
    const edit = /name="edit" value="([^"]+)"/.exec(html)![1]!;
    const confirmed = await post('/trainings/text/confirm', { ...fields, edit });
    expect(confirmed.status).toBe(303);
    const status = await (await fetch(new URL(confirmed.headers.get('location')!, base), withCookie(cookie))).text();
    expect(status).toContain('Published</strong>');
    expect(status).toContain(`Download ${trainingFilePath(before.trainings[0]!)}`);
    const after = (await s.product.store.getSeries(s.seriesA))!;
    expect(after.version).toBe(before.version + 1);
    const t = after.trainings[0]!;
    expect(t.title).toBe(fields.title);
    expect(t.body).toContain('One more thing: **bring the agenda doc** to every sync.');
    expect(t.strategies).toEqual(before.trainings[0]!.strategies);
    expect(after.trainings.slice(1)).toEqual(before.trainings.slice(1));
    expect((await s.product.store.getTemplate(s.seriesA, `training/${slug}`)) ?? '').toContain('bring the agenda doc');
    // The audio version speaks the new text (espeak-ng locally), under the new text's key.
    const { EspeakSynthesizer } = await import('#adapters/local/espeak');
    const espeak = new EspeakSynthesizer();
    const key = audioKey(espeak.voiceFor('en')!, spokenText(t), espeak.format.extension);
    expect(existsSync(join(s.dataDir, 'attachments', key))).toBe(true);
    // Nobody who had it was sent it again.
    expect((await s.product.store.listDeliveries(s.seriesA, `training#${slug}#`)).length).toBe(sent);
  });

  it('gives the training file as a download that reads back as what is published', async () => {
    const t = (await s.product.store.getSeries(s.seriesA))!.trainings[0]!;
    const res = await fetch(`${base}/s/${s.seriesA}/trainings/source?training=${slug}`, withCookie(cookie));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(`attachment; filename="01-${slug}.md"`);
    const parsed = parseTrainingText(trainingFilePath(t), await res.text(), t.order, t.slug);
    expect(parsed.errors).toEqual([]);
    expect(parsed.training).toEqual(t);
  });

  it('baton publish refuses to undo a studio change until the folder has it', async () => {
    const published = (await s.product.store.getSeries(s.seriesA))!;
    const refused = await preparePublish(exampleDir, s.product.store, s.clock.now, { withParticipants: false });
    const studio = refused.plan.errors.filter((e) => e.includes('was changed in the studio')).sort();
    expect(studio).toHaveLength(2);
    expect(studio[0]).toMatch(/^trainings\/01-productive-one-on-ones\.md was changed in the studio on 2027-01-22 by maya\.okafor@example\.com \(its text\)/);
    expect(studio[1]).toMatch(/^trainings\/02-[a-z-]+\.md was changed in the studio .* \(its dates or title\)/);
    // The trainer saves the two downloads into the folder: nothing stands in the way any more.
    const dir = mkdtempSync(join(tmpdir(), 'baton-folder-'));
    try {
      cpSync(exampleDir, dir, { recursive: true });
      for (const t of published.trainings.slice(0, 2)) {
        const file = await (await fetch(`${base}/s/${s.seriesA}/trainings/source?training=${t.slug}`, withCookie(cookie))).text();
        writeFileSync(join(dir, trainingFilePath(t)), file);
      }
      expect(readFileSync(join(dir, trainingFilePath(published.trainings[0]!)), 'utf8')).toContain('bring the agenda doc');
      const ready = await preparePublish(dir, s.product.store, s.clock.now, { withParticipants: false });
      expect(ready.plan.errors).toEqual([]);
      expect(ready.plan.lines).toEqual([expect.stringMatching(/^nothing changes for the \d+ people enrolled/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(await markEditsInFolder(s.product.store, s.seriesA, s.clock.now)).toBe(2);
    expect((await s.product.store.listStudioEdits(s.seriesA)).filter((e) => e.state === 'applied').every((e) => e.inFolderAt === s.clock.now.toISOString())).toBe(true);
  });

  it('fails an edit whose series was published again before it was applied, changing nothing', async () => {
    const before = (await s.product.store.getSeries(s.seriesA))!;
    const t = before.trainings[3]!;
    await s.product.store.putStudioEdit({
      id: 'stale-edit-0001',
      seriesId: s.seriesA,
      slug: t.slug,
      kind: 'text',
      training: { ...t, body: `${t.body}\n\nStale.` },
      baseVersion: before.version - 1,
      by: TRAINER_A,
      requestedAt: s.clock.now.toISOString(),
      state: 'pending',
      plan: [],
    });
    const outcome = await applyStudioEdit(s.seriesA, 'stale-edit-0001', { store: s.product.store, compile: compileTemplates, now: s.clock.now });
    expect(outcome).toEqual({ kind: 'failed', error: expect.stringMatching(/^The series was published again \(version \d+\) after this change was made on version \d+: nothing was changed/) });
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
    // Run again (a retried invoke): done already, nothing more.
    expect(await applyStudioEdit(s.seriesA, 'stale-edit-0001', { store: s.product.store, compile: compileTemplates, now: s.clock.now })).toEqual({ kind: 'done-already', state: 'failed' });
    const page = await (await fetch(`${base}/s/${s.seriesA}/trainings/edit/status?edit=stale-edit-0001`, withCookie(cookie))).text();
    expect(page).toContain('Not applied.');
  });

  it('stays inside the trainer’s series', async () => {
    const b = (await s.product.store.getSeries(SERIES_B))!;
    const t = b.trainings[2]!;
    expect((await fetch(`${base}/s/${SERIES_B}/trainings/edit?training=${t.slug}`, withCookie(cookie))).status).toBe(404);
    expect((await post('/trainings/edit/confirm', { slug: t.slug, title: 'Hijacked', opens: '2027-03-22', closes: '2027-04-02' }, SERIES_B)).status).toBe(404);
    expect((await fetch(`${base}/s/${s.seriesA}/trainings/edit/confirm`, withCookie(cookie, form({ slug: t.slug, title: 'No token', opens: '2027-03-22', closes: '2027-04-02' })))).status).toBe(403);
    expect((await fetch(`${base}/s/${SERIES_B}/trainings/text?training=${t.slug}`, withCookie(cookie))).status).toBe(404);
    expect((await fetch(`${base}/s/${SERIES_B}/trainings/source?training=${t.slug}`, withCookie(cookie))).status).toBe(404);
    expect((await post('/trainings/text/confirm', { slug: t.slug, title: 'Hijacked', body: t.body, strategies: trainingText(t).strategies, edit: 'hijack-attempt' }, SERIES_B)).status).toBe(404);
    expect(await s.product.store.getSeries(SERIES_B)).toEqual(b);
  });
});
