// Changing a training's text in the studio, as a trainer does it on a phone (375 px), in Debian's
// Chromium against one local stack: a broken link is shown at its field with its line and nothing
// is stored; the fixed text is previewed as the email will read it, with the re-plan; confirming
// publishes it (the local publisher: mjml, espeak-ng); and when the training goes out, the email
// in the outbox carries the new text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, openLocalPage, overflow, screenshots } from '#test/support/browser';
import { mailsTo, signInLinks, startStudioStack, TRAINER_A, type StudioStack } from '#test/support/studio';

const shots = screenshots('studio-edit');
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

beforeAll(async () => {
  s = await startStudioStack();
  s.clock.now = new Date('2027-01-22T12:00:00Z');
  browser = await launchBrowser();
  page = await openLocalPage(browser);
  await page.setViewportSize({ width: 375, height: 800 });
  await page.goto(s.stack.endpoints.studio);
  await page.getByLabel('Your email address').fill(TRAINER_A);
  await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
  const [link] = await signInLinks(s.dataDir, TRAINER_A);
  await page.goto(link!);
  await page.getByRole('button', { name: 'Sign in' }).click();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await s?.stop();
});

describe('changing a training’s text in the studio', () => {
  it('shows a problem at its field and line, and stores nothing', async () => {
    shots.onFailure(page, 'text-problem');
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
    await shots.take(page, 'text-problem');
  });

  it('previews the fixed text and the re-plan, then publishes it', async () => {
    shots.onFailure(page, 'text-preview');
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
    await shots.take(page, 'text-preview');
    await page.getByRole('button', { name: 'Apply: publish the new text' }).click();
    await expect(page.getByRole('heading', { level: 1 }).innerText()).resolves.toBe('Change published');
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/^Published \(version 2\)/);
    await expect(page.getByRole('link', { name: /^Download trainings\/02-.+\.md$/ }).count()).resolves.toBe(1);
    expect((await s.product.store.getSeries(s.seriesA))!.trainings[1]!.body).toContain(ADDED);
    await shots.take(page, 'text-published');
  });

  it('sends the new text when the training goes out: the outbox shows the updated email', async () => {
    shots.onFailure(page, 'text-outbox');
    const second = (await s.product.store.getSeries(s.seriesA))!.trainings[1]!;
    s.clock.now = new Date('2027-02-01T23:00:00Z');
    const report = await s.product.scheduler.fireDue(s.clock.now, s.product.dispatchJob);
    expect(report.failed).toEqual([]);
    const mail = (await mailsTo(s.dataDir, ANA)).find((m) => m.subject?.includes(second.title) && m.attachments.some((a) => a.filename === 'invite.ics'));
    // The text part wraps lines at 76 characters: compare words, not line breaks.
    expect(mail?.text?.replace(/\s+/g, ' ')).toContain(ADDED);
    await page.goto(s.stack.endpoints.outbox);
    const section = page.locator('section', { has: page.getByRole('heading', { name: /ana\.reyes@example\.com/ }) });
    await section.locator('li').filter({ hasText: second.title }).first().getByRole('link').click();
    await expect(page.frameLocator('iframe').locator('body').innerText()).resolves.toContain(ADDED);
    await shots.take(page, 'text-outbox');
  });
});
