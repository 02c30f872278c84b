// The local outbox as a trainer uses it: the example series published on a real local stack
// (dynalite, aws-ses-v2-local, the SMTP server, the links server), its kickoff sent by the local
// scheduler, and headless Chromium opening /outbox. The person's kickoff is found, read in its
// sandboxed frame, answered through the form with the keyboard; the reply travels over the
// stack's SMTP server into the inbound core, is stored as a response, and its acknowledgement
// shows up in the outbox. Also checked at 375 px: nothing scrolls sideways.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig, localSecret } from '#adapters/local/config';
import { wireLocalStack, type LocalProduct } from '#adapters/local/wiring';
import { syncSchedules } from '#app/publish';
import { contrastRatio } from '#mail/palette';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { hex, sharedBrowser, openLocalPage, overflow, screenshots } from '#test/support/browser';
import { exampleDir } from '#test/support/example-data';

declare const document: { querySelector(s: string): { textContent: string | null } | null };
declare function getComputedStyle(el: unknown): { color: string; backgroundColor: string };

const shots = screenshots('outbox');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-outbox-ui-'));
const PERSON = 'ana.reyes@example.com';
let stack: RunningStack;
let product: LocalProduct;
let browser: Browser;
let page: Page;
let seriesId: string;

beforeAll(async () => {
  // Prepare: what `baton dev` does on first start, on free ports.
  stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  product = wireLocalStack(stack, { secret: localSecret(dataDir), now: () => new Date() });
  const published = await publishSeries(exampleDir, product.store, new Date());
  seriesId = published.series.id;
  await product.store.putParticipants(seriesId, await loadParticipants(join(exampleDir, 'participants.csv'), published.series));
  await syncSchedules(product.store, seriesId, new Date());
  // The clock's next tick, a minute on: the kickoff is due now; the trainings are weeks away.
  const report = await product.scheduler.fireDue(new Date(Date.now() + 60_000), product.dispatchJob);
  expect(report.failed).toEqual([]);
  browser = await sharedBrowser();
  page = await openLocalPage(browser);
});

afterAll(async () => {
  await page?.context().close();
  product?.close();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the local outbox', () => {
  it('lists the kickoff under each person, with its kind', async () => {
    shots.onFailure(page, 'list');
    await page.setViewportSize({ width: 1024, height: 900 });
    await page.goto(stack.endpoints.outbox);
    const section = page.locator('section', { has: page.getByRole('heading', { name: new RegExp(PERSON.replace(/\./g, '\\.')) }) });
    await expect(section.locator('li').filter({ hasText: 'Kickoff' }).count()).resolves.toBe(1);
    // Every enrolled person got one kickoff, each under their own heading.
    const people = await loadParticipants(join(exampleDir, 'participants.csv'), (await product.store.getSeries(seriesId))!.series);
    await expect(page.locator('section').count()).resolves.toBe(people.length);
    // Body text is dark on white, well above WCAG AA.
    const colours = await page.evaluate(() => {
      const s = getComputedStyle(document.querySelector('body'));
      return { fg: s.color, bg: s.backgroundColor };
    });
    expect(contrastRatio(hex(colours.fg), hex(colours.bg))).toBeGreaterThan(7);
    await shots.take(page, 'list');
  });

  it('shows the kickoff rendered in a frame that runs no script, and its calendar', async () => {
    shots.onFailure(page, 'kickoff');
    await page.goto(stack.endpoints.outbox);
    const section = page.locator('section', { has: page.getByRole('heading', { name: new RegExp(PERSON.replace(/\./g, '\\.')) }) });
    await section.locator('li').filter({ hasText: 'Kickoff' }).getByRole('link').click();
    const frame = page.locator('iframe');
    const sandbox = await frame.getAttribute('sandbox');
    expect(sandbox).not.toBeNull();
    expect(sandbox).not.toContain('allow-scripts');
    expect(sandbox).not.toContain('allow-same-origin');
    // The email's own words, as the person reads them.
    const subject = (await page.locator('h1').textContent()) ?? '';
    expect(subject.length).toBeGreaterThan(0);
    await expect(page.frameLocator('iframe').locator('body').innerText()).resolves.toMatch(/\w{3,}/);
    const calendars = page.getByRole('link', { name: /^Download .*\.ics$/ });
    // The kickoff invites to every training: one calendar, downloadable and shown as text.
    await expect(calendars.count()).resolves.toBeGreaterThan(0);
    const href = (await calendars.first().getAttribute('href'))!;
    const res = await fetch(new URL(href, stack.endpoints.links));
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.ics"$/);
    expect(await res.text()).toContain('BEGIN:VCALENDAR');
    await expect(page.locator('pre').filter({ hasText: 'BEGIN:VCALENDAR' }).count()).resolves.toBeGreaterThan(0);
    await shots.take(page, 'kickoff');
  });

  it('fits a 375 px phone without scrolling sideways', async () => {
    shots.onFailure(page, 'phone');
    await page.setViewportSize({ width: 375, height: 800 });
    for (const url of [stack.endpoints.outbox, page.url()]) {
      await page.goto(url);
      const o = await overflow(page);
      expect(o.offenders, url).toEqual([]);
      expect(o.scrollWidth).toBeLessThanOrEqual(o.innerWidth);
    }
    await shots.take(page, 'phone');
    await page.setViewportSize({ width: 1024, height: 900 });
  });

  it('sends a reply as that person over SMTP: stored as a response and acknowledged', async () => {
    shots.onFailure(page, 'reply');
    await page.goto(stack.endpoints.outbox);
    const section = page.locator('section', { has: page.getByRole('heading', { name: new RegExp(PERSON.replace(/\./g, '\\.')) }) });
    await section.locator('li').filter({ hasText: 'Kickoff' }).getByRole('link').click();
    const before = await product.store.listResponses(seriesId);
    // Act, with the keyboard only (a tip, which the core stores as a strategy response): the label names the field, Tab reaches the button.
    const box = page.getByLabel('Your reply');
    await box.focus();
    await page.keyboard.type('What works for me: a running agenda shared with my manager, and we both add to it all week.');
    await page.keyboard.press('Tab');
    await expect(page.evaluate(() => (document as unknown as { activeElement: { tagName: string } }).activeElement.tagName)).resolves.toBe('BUTTON');
    await page.keyboard.press('Enter');
    await page.waitForURL(/notice=/);
    // Assess: the SMTP server took it, the core stored it, and the acknowledgement went out.
    await expect(page.getByRole('status').innerText()).resolves.toMatch(new RegExp(`Reply sent as ${PERSON.replace(/\./g, '\\.')}`));
    const after = await product.store.listResponses(seriesId);
    const mine = after.filter((r) => r.participantEmail === PERSON && !before.some((b) => b.id === r.id));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.text).toContain('running agenda');
    await page.goto(stack.endpoints.outbox);
    await expect(section.locator('li').filter({ hasText: 'Acknowledgement' }).count()).resolves.toBe(1);
    await shots.take(page, 'reply');
  });

  it('says why a reply was refused instead of pretending it went', async () => {
    await page.goto(stack.endpoints.outbox);
    const section = page.locator('section', { has: page.getByRole('heading', { name: new RegExp(PERSON.replace(/\./g, '\\.')) }) });
    await section.locator('li').filter({ hasText: 'Kickoff' }).getByRole('link').click();
    // An empty reply never reaches SMTP: the browser's `required` stops it, so post directly.
    const action = (await page.locator('form').getAttribute('action'))!;
    const res = await fetch(new URL(action, stack.endpoints.links), { method: 'POST', body: 'text=', headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' });
    expect(res.status).toBe(303);
    await page.goto(new URL(res.headers.get('location')!, stack.endpoints.links).toString());
    await expect(page.getByRole('status').innerText()).resolves.toMatch(/empty/);
  });
});
