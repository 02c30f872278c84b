// The trainer studio as a trainer uses it, in Debian's Chromium against one local stack (dynalite,
// aws-ses-v2-local, the SMTP server, the links server serving /studio and /outbox): sign in with
// the link from the outbox, watch the funnel move after a participant's reply arrives over SMTP,
// tag an unclear reply, correct a record, enrol a CSV with one bad line (nothing stored until it is
// fixed), re-send a training to one person from their page, and preview a training email at 375 px
// without the page scrolling sideways. Then, on the same stack, browser and page (each costs
// seconds of CPU to start) but a session of its own (the cookies cleared), the text edit of issue 18, below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { createTransport } from 'nodemailer';
import { JobSchema } from '#core/jobs';
import { openLocalPage, overflow, screenshots, sharedBrowser } from '#test/support/browser';
import { mailsTo, signInLinks, startStudioStack, TRAINER_A, type StudioStack } from '#test/support/studio';

const shots = screenshots('studio');
const editShots = screenshots('studio-edit');
const ANA = 'ana.reyes@example.com';
const ADDED = 'Before each sync, write down the one question you most need answered.';
/**
 * A text field whose value is longer than the field scrolls inside it (the title at 375 px): the
 * overflow helper counts that as clipped. Everything else must fit.
 */
const fieldsAside = (offenders: string[]) => offenders.filter((o) => !o.startsWith('<input '));
let s: StudioStack;
let browser: Browser;
let page: Page;

/** The series funnel's count for a stage, as the overview's table shows it. */
async function funnelCount(stage: string): Promise<number> {
  const row = page.getByTestId('series-funnel').locator('tr', { has: page.getByRole('rowheader', { name: stage, exact: true }) });
  return Number(await row.locator('td').first().innerText());
}

beforeAll(async () => {
  s = await startStudioStack();
  // The first training's window is open and its emails have gone out (kickoff and training).
  s.clock.now = new Date('2027-01-22T12:00:00Z');
  const report = await s.product.scheduler.fireDue(s.clock.now, s.product.dispatchJob);
  expect(report.failed).toEqual([]);
  browser = await sharedBrowser();
  page = await openLocalPage(browser);
});

afterAll(async () => {
  await page?.context().close();
  await s?.stop();
});

describe('the trainer studio', () => {
  it('signs in with the link from the outbox', async () => {
    shots.onFailure(page, 'sign-in');
    await page.goto(s.stack.endpoints.studio);
    await page.getByLabel('Your email address').fill(TRAINER_A);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Check your email');
    const [link] = await signInLinks(s.dataDir, TRAINER_A);
    await page.goto(link!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Your series');
    await page.getByRole('link', { name: /Q1 training series/ }).click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Overview');
    await shots.take(page, 'overview');
  });

  it('shows the funnel move after a reply sent over SMTP', async () => {
    shots.onFailure(page, 'funnel');
    const sent = await funnelCount('Sent');
    expect(sent).toBeGreaterThan(0);
    const before = { read: await funnelCount('Read'), contributed: await funnelCount('Contributed'), adopted: await funnelCount('Adopted') };
    // Ana answers her training email from her mail client: to its Reply-To, over SMTP.
    const training = (await mailsTo(s.dataDir, ANA)).find((m) => m.attachments.some((a) => a.filename === 'invite.ics'))!;
    const replyTo = training.replyTo!.value[0]!.address!;
    const smtp = createTransport({ host: s.stack.endpoints.smtp.host, port: s.stack.endpoints.smtp.port, secure: false, ignoreTLS: true });
    await smtp.sendMail({ from: `Ana Reyes <${ANA}>`, to: replyTo, subject: `Re: ${training.subject}`, inReplyTo: training.messageId, text: "I'll adopt #1: a running agenda with my manager, because our syncs keep running over.\n" });
    smtp.close();
    await page.reload();
    expect(await funnelCount('Read')).toBe(before.read + 1);
    expect(await funnelCount('Contributed')).toBe(before.contributed + 1);
    expect(await funnelCount('Adopted')).toBe(before.adopted + 1);
    await shots.take(page, 'funnel');
  });

  it('nudges someone who has not engaged, once', async () => {
    shots.onFailure(page, 'nudge');
    const chloe = 'chloe.nguyen@example.com';
    const row = page.locator('tr', { hasText: chloe });
    await row.getByRole('button', { name: 'Nudge Chloe Nguyen' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toBe('Nudge sent.');
    await expect(page.locator('tr', { hasText: chloe }).innerText()).resolves.toMatch(/Nudged/);
    const nudges = (await mailsTo(s.dataDir, chloe)).filter((m) => m.subject?.includes('a word from Maya Okafor'));
    expect(nudges).toHaveLength(1);
    // Posted again (a second tab, a double click): the ledger sends nothing more.
    const csrf = (await page.locator('input[name="csrf"]').first().getAttribute('value'))!;
    const again = await page.request.post(`${s.stack.endpoints.studio}/s/${s.seriesA}/nudge`, { form: { email: chloe, csrf }, maxRedirects: 0 });
    expect(again.headers()['location']).toMatch(/done=nudge-already$/);
    expect((await mailsTo(s.dataDir, chloe)).filter((m) => m.subject?.includes('a word from Maya Okafor'))).toHaveLength(1);
    // Her answer goes to her own reply address for the training, so it is read like any reply.
    expect(nudges[0]!.replyTo!.value[0]!.address).toMatch(/^reply\+[a-z2-7]+@reply\.baton\.localhost$/);
  });

  it('tags an unclear reply with one click', async () => {
    shots.onFailure(page, 'tag');
    // Prepare: a reply Baton could not read with confidence, as receive-reply keeps one.
    await s.product.store.putNeedsLook({
      id: 'unclear-marcus',
      seriesId: s.seriesA,
      trainingSlug: 'productive-one-on-ones',
      participantEmail: 'marcus.lee@example.com',
      kind: 'unclear',
      text: 'The second one, the one with the shared doc, I think that could really work for us.',
      answers: 'training',
      source: '<marcus-unclear@mail.example.com>',
      receivedAt: '2027-01-22T11:00:00.000Z',
    });
    await page.getByRole('link', { name: 'Contributions' }).click();
    const item = page.locator('li[data-look="unclear-marcus"]');
    await item.getByRole('button', { name: 'Adopts #2' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/^Recorded/);
    await expect(page.locator('li[data-look="unclear-marcus"]').count()).resolves.toBe(0);
    const look = await s.product.store.getNeedsLook(s.seriesA, 'unclear-marcus');
    expect(look?.resolvedAt).toBeDefined();
    const recorded = (await s.product.store.listResponses(s.seriesA)).filter((r) => r.participantEmail === 'marcus.lee@example.com' && r.intent === 'adopt');
    const second = (await s.product.store.getSeries(s.seriesA))!.trainings[0]!.strategies.find((x) => x.number === 2)!;
    expect(recorded.map((r) => r.strategyId)).toEqual([second.id]);
    await shots.take(page, 'tagged');
  });

  it('corrects a record: the same effect as the participant’s own correction link', async () => {
    shots.onFailure(page, 'correct');
    const ana = (await s.product.store.listResponses(s.seriesA)).find((r) => r.participantEmail === ANA && r.intent === 'adopt')!;
    const item = page.locator(`li[data-response="${ana.id}"]`);
    await item.getByText('Correct this record').click();
    await item.getByLabel('Record it as').selectOption('comment');
    await item.getByRole('button', { name: 'Correct' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/^Corrected/);
    const all = await s.product.store.listResponses(s.seriesA, { includeWithdrawn: true });
    const old = all.find((r) => r.id === ana.id)!;
    expect(old.withdrawnAt).toBeDefined();
    const replacement = all.find((r) => r.id === old.replacedBy)!;
    expect(replacement).toMatchObject({ intent: 'comment', participantEmail: ANA, text: ana.text });
  });

  it('enrols a CSV with one bad line only once it is fixed', async () => {
    shots.onFailure(page, 'enrol');
    const before = (await s.product.store.listParticipants(s.seriesA)).length;
    const header = 'email,name,timeZone,workStart\n';
    const good = 'new.one@example.com,New One,Europe/Berlin,09:00\nnew.two@example.com,New Two,Asia/Tokyo,08:30\n';
    await page.getByRole('link', { name: 'Participants' }).click();
    await page.getByLabel(/Participants CSV/).setInputFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}${good}bad.line@example.com,Bad Line,Mars/Olympus,09:00\n`) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    await expect(page.getByRole('alert').innerText()).resolves.toMatch(/Nothing was stored/);
    await expect(page.locator('.problems li').allInnerTexts()).resolves.toEqual([expect.stringMatching(/^Line 4\b.*Mars\/Olympus/)]);
    expect((await s.product.store.listParticipants(s.seriesA)).length).toBe(before);
    await shots.take(page, 'enrol-problems');
    // Fixed, uploaded again, confirmed.
    await page.getByLabel(/Participants CSV/).setInputFiles({ name: 'team.csv', mimeType: 'text/csv', buffer: Buffer.from(`${header}${good}bad.line@example.com,Bad Line,Europe/Madrid,09:00\n`) });
    await page.getByRole('button', { name: 'Check the file' }).click();
    expect((await s.product.store.listParticipants(s.seriesA)).length).toBe(before);
    await page.getByRole('button', { name: 'Enrol 3 people' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/Enrolled 3 people, 3 of them new/);
    const after = await s.product.store.listParticipants(s.seriesA);
    expect(after.length).toBe(before + 3);
    expect(after.find((p) => p.email === 'bad.line@example.com')?.timeZone).toBe('Europe/Madrid');
  });

  it('unenrols after asking', async () => {
    shots.onFailure(page, 'unenrol');
    await page.getByRole('link', { name: 'Unenrol New Two' }).click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Unenrol New Two?');
    // Nothing happens until the button is pressed.
    expect(await s.product.store.getParticipant(s.seriesA, 'new.two@example.com')).toBeDefined();
    await page.getByRole('button', { name: 'Unenrol New Two' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/^Unenrolled/);
    expect(await s.product.store.getParticipant(s.seriesA, 'new.two@example.com')).toBeUndefined();
    // Their calendar entries are cancelled by a one-time job, as `baton unenroll` does.
    const cancels = (await s.product.store.listSchedules(s.seriesA)).filter((x) => x.name.startsWith('cancel-removed-'));
    expect(cancels.map((x) => x.job)).toEqual([expect.objectContaining({ kind: 'cancel', participant: expect.objectContaining({ email: 'new.two@example.com' }) })]);
  });

  it('opens a person’s page and re-sends them a training, once', async () => {
    shots.onFailure(page, 'person');
    const trainingMails = async () => (await mailsTo(s.dataDir, ANA)).filter((m) => m.attachments.some((a) => a.filename === 'invite.ics'));
    const before = (await trainingMails()).length;
    await page.getByRole('link', { name: 'Ana Reyes', exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Ana Reyes');
    await page.getByRole('link', { name: /^Re-send “/ }).first().click();
    await page.getByRole('button', { name: 'Re-send to Ana Reyes' }).click();
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/^Re-sent/);
    await expect(page.locator('tr', { hasText: 'Re-sent training' }).count()).resolves.toBe(1);
    expect(await trainingMails()).toHaveLength(before + 1);
    await shots.take(page, 'person');
    await page.getByRole('link', { name: 'Participants' }).click();
  });

  it('previews a training email as a participant at 375 px without horizontal overflow', async () => {
    shots.onFailure(page, 'preview');
    await page.setViewportSize({ width: 375, height: 800 });
    await page.getByRole('link', { name: 'Trainings' }).click();
    await page.getByLabel('Email', { exact: true }).selectOption('productive-one-on-ones');
    await page.getByLabel('As participant (address)').fill(ANA);
    await page.getByLabel('375 px').check();
    await page.getByRole('button', { name: 'Preview' }).click();
    const frame = page.frameLocator('iframe.email');
    await expect(frame.locator('body').innerText()).resolves.toMatch(/Ana/);
    const o = await overflow(page);
    expect(o.offenders).toEqual([]);
    expect(o.scrollWidth).toBeLessThanOrEqual(o.innerWidth);
    // The email inside the frame fits the 375 px frame too.
    const inner = await page.frame({ url: /\/trainings\/frame/ })!.evaluate(() => {
      const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
      return { scroll: d.documentElement.scrollWidth, client: d.documentElement.clientWidth };
    });
    expect(inner.scroll).toBeLessThanOrEqual(inner.client);
    // The overview fits the phone as well.
    await page.getByRole('link', { name: 'Overview' }).click();
    const o2 = await overflow(page);
    expect(o2.offenders).toEqual([]);
    await shots.take(page, 'phone');
    // And a person's page, with its tables of emails and answers.
    await page.goto(`${s.stack.endpoints.studio}/s/${s.seriesA}/person?email=${encodeURIComponent(ANA)}`);
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Ana Reyes');
    const o3 = await overflow(page);
    expect(o3.offenders).toEqual([]);
    expect(o3.scrollWidth).toBeLessThanOrEqual(o3.innerWidth);
  });
});

// Changing a training's text in the studio, as a trainer does it on a phone (375 px), in Debian's
// Chromium against one local stack: a broken link is shown at its field with its line and nothing
// is stored; the fixed text is previewed as the email will read it, with the re-plan; confirming
// publishes it (the local publisher: mjml, espeak-ng); and when the training goes out, the email
// in the outbox carries the new text.
describe('changing a training’s text in the studio', () => {
  beforeAll(async () => {
    // Signed out: the session above is forgotten with its cookie.
    await page.context().clearCookies();
    await page.setViewportSize({ width: 375, height: 800 });
    // The studio tests above signed in with a link of their own: this page takes the new one.
    const earlier = new Set(await signInLinks(s.dataDir, TRAINER_A));
    await page.goto(s.stack.endpoints.studio);
    await page.getByLabel('Your email address').fill(TRAINER_A);
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    const link = (await signInLinks(s.dataDir, TRAINER_A)).find((l) => !earlier.has(l));
    await page.goto(link!);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }, 120_000);

  it('shows a problem at its field and line, and stores nothing', async () => {
    editShots.onFailure(page, 'text-problem');
    const before = await s.product.store.getSeries(s.seriesA);
    const second = before!.trainings[1]!;
    await page.goto(`${s.stack.endpoints.studio}/s/${s.seriesA}/trainings`);
    await page.getByRole('link', { name: `Change the text of ${second.title}` }).click();
    const article = page.getByLabel('The article (Markdown)');
    const original = await article.inputValue();
    expect(original).toBe(second.body);
    await article.fill(`${original}\n\nSee [our notes](/notes) first.`);
    await page.getByRole('button', { name: 'Preview the email and the re-plan' }).click();
    const line = original.split('\n').length + 2;
    await expect(page.locator('#body-errors').innerText()).resolves.toMatch(new RegExp(`^Line ${line}: link "/notes" is not an absolute http\\(s\\) URL`));
    await expect(article.getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(page.getByRole('alert').first().innerText()).resolves.toMatch(/Nothing was changed/);
    expect(await s.product.store.getSeries(s.seriesA)).toEqual(before);
    const o = await overflow(page);
    expect(fieldsAside(o.offenders)).toEqual([]);
    expect(o.scrollWidth).toBeLessThanOrEqual(o.innerWidth);
    await editShots.take(page, 'text-problem');
  });

  it('previews the fixed text and the re-plan, then publishes it', async () => {
    editShots.onFailure(page, 'text-preview');
    const second = (await s.product.store.getSeries(s.seriesA))!.trainings[1]!;
    const article = page.getByLabel('The article (Markdown)');
    await article.fill(`${second.body}\n\n${ADDED}`);
    await page.getByRole('button', { name: 'Preview the email and the re-plan' }).click();
    await expect(page.getByTestId('email-text').innerText()).resolves.toContain(ADDED);
    const replan = page.locator('section', { has: page.getByRole('heading', { name: 'What this changes' }) });
    await expect(replan.innerText()).resolves.toMatch(/nobody has had this training’s email yet/);
    await expect(replan.innerText()).resolves.toMatch(/\d+ people get the new text when the training reaches them/);
    const o = await overflow(page);
    expect(fieldsAside(o.offenders)).toEqual([]);
    expect(o.scrollWidth).toBeLessThanOrEqual(o.innerWidth);
    await editShots.take(page, 'text-preview');
    await page.getByRole('button', { name: 'Apply: publish the new text' }).click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Change published');
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/^Published \(version 2\)/);
    await expect(page.getByRole('link', { name: /^Download trainings\/02-.+\.md$/ }).count()).resolves.toBe(1);
    expect((await s.product.store.getSeries(s.seriesA))!.trainings[1]!.body).toContain(ADDED);
    await editShots.take(page, 'text-published');
  });

  it('sends the new text when the training goes out: the outbox shows the updated email', async () => {
    editShots.onFailure(page, 'text-outbox');
    const second = (await s.product.store.getSeries(s.seriesA))!.trainings[1]!;
    s.clock.now = new Date('2027-02-01T23:00:00Z');
    // Only this training's own sends: the rest that fell due meanwhile (reminders, digests, the
    // other series) is not what this test is about, and firing it was seconds of the file's CPU.
    const due = (await s.product.store.listPendingSchedules({ until: s.clock.now })).filter((d) => {
      const job = JobSchema.parse(d.job);
      return d.seriesId === s.seriesA && job.kind === 'training' && job.trainingSlug === second.slug;
    });
    expect(due.length).toBeGreaterThan(0);
    const report = await s.product.scheduler.fireDue(s.clock.now, s.product.dispatchJob, due);
    expect(report.failed).toEqual([]);
    expect(report.fired).toHaveLength(due.length);
    const mail = (await mailsTo(s.dataDir, ANA)).find((m) => m.subject?.includes(second.title) && m.attachments.some((a) => a.filename === 'invite.ics'));
    // The text part wraps lines at 76 characters: compare words, not line breaks.
    expect(mail?.text?.replace(/\s+/g, ' ')).toContain(ADDED);
    await page.goto(s.stack.endpoints.outbox);
    const section = page.locator('section', { has: page.getByRole('heading', { name: /ana\.reyes@example\.com/ }) });
    await section.locator('li').filter({ hasText: second.title }).first().getByRole('link').click();
    await expect(page.frameLocator('iframe').locator('body').innerText()).resolves.toContain(ADDED);
    await editShots.take(page, 'text-outbox');
  });
});
