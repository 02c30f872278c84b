// The link pages as people see them: headless Chromium at phone (375px) and desktop (600px)
// widths, light and dark, against the local stack's links server. A person opens a link, sees
// one button, presses it (with the keyboard, to check it is reachable and visibly focused) and
// reads the outcome; the preferences page is filled in and saved. One page serves the whole file. A failing test leaves a screenshot under
// test/.artifacts/links/; BATON_SCREENSHOTS=1 writes every step's for a human look.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { signLinkToken, type LinkTokenPayload } from '#core/tokens';
import { contrastRatio } from '#mail/palette';
import { createLocalLinks } from '#adapters/local/links-server';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { screenshots, sharedBrowser } from '#test/support/browser';

// The evaluate() callbacks run in the page; the project has no DOM lib, so declare what they use.
interface DomElement {
  scrollWidth: number;
  clientWidth: number;
  textContent: string | null;
}
declare const document: {
  documentElement: DomElement;
  activeElement: (DomElement & { tagName: string }) | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  querySelector(selector: string): DomElement | null;
};
declare function getComputedStyle(el: DomElement): { color: string; backgroundColor: string; fontSize: string; outlineStyle: string; outlineWidth: string };

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const shots = screenshots('links');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-links-ui-'));
const SECRET = 'browser-secret-for-links-0123456789';
const SERIES = 'q1-productivity';
const SLUG = 'productive-one-on-ones';
const EXPIRES = new Date('2028-06-30T00:00:00Z');
const now = new Date('2027-01-25T02:00:00Z');
const KLARA = 'klara.schwarzenberger@example.org';
const LAYLA = 'layla.mansour@example.com';
let stack: RunningStack;
let store: Store;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Console errors of the page during the current test (CSP violations show up here). */
let errors: string[] = [];
let destroy: () => void;

const url = (p: Partial<LinkTokenPayload> & Pick<LinkTokenPayload, 'action' | 'participantEmail'>) =>
  `${stack.endpoints.links}/l/${signLinkToken({ seriesId: SERIES, expiresAt: EXPIRES, ...p }, SECRET)}`;

beforeAll(async () => {
  stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  destroy = () => client.destroy();
  store = createStore({ client, tableName: stack.config.tableName });
  const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  const people = await loadParticipants(join(example, 'participants.csv'), published.series);
  // Two more people who read German and Arabic, for the translated preferences page.
  const [first] = people;
  await store.putParticipants(SERIES, [
    ...people,
    { ...first!, email: KLARA, name: 'Klara Schwarzenberger-Hoffmann', language: 'de' },
    { ...first!, email: LAYLA, name: 'Layla Mansour', language: 'ar' },
  ]);
  await store.putResponse({
    id: 'ana-strategy',
    seriesId: SERIES,
    trainingSlug: SLUG,
    participantEmail: 'ana.reyes@example.com',
    intent: 'strategy',
    text: 'I record a two-minute video update instead of a sync when our overlap is under an hour, and https://example.com/a-very-long-link-that-should-wrap-rather-than-push-the-page-sideways-on-a-phone',
    links: [],
    attachments: [],
    source: '<ana-1@mail.example.com>',
    receivedAt: '2027-01-22T17:00:00.000Z',
  });
  await store.putResponse({
    id: 'rosa-adopt',
    seriesId: SERIES,
    trainingSlug: SLUG,
    participantEmail: 'rosa.martinez@example.com',
    intent: 'adopt',
    strategyId: 'running-agenda',
    text: '',
    links: [],
    attachments: [],
    source: '<rosa-1@mail.example.com>',
    receivedAt: '2027-01-23T17:00:00.000Z',
  });
  stack.setHandlers({ onLink: createLocalLinks({ store, secret: SECRET, now: () => now }) });
  browser = await sharedBrowser();
  // One context and page for the file: a new one per test cost more than the test. The links
  // pages keep no cookies or storage, so one test's visit leaves nothing for the next.
  context = await browser.newContext({ viewport: sizes[0], javaScriptEnabled: true });
  page = await context.newPage();
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
});

beforeEach(() => {
  errors = [];
});

afterAll(async () => {
  await context?.close();
  destroy?.();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function rgb(css: string): string {
  const [r, g, b] = (css.match(/\d+/g) ?? []).map(Number) as [number, number, number];
  return `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`;
}

async function checkLayout(page: Page, name: string): Promise<void> {
  // One round trip to the page for all three looks: a call per look was most of the test's calls.
  const { overflow, h1s, texts } = await page.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    h1s: document.querySelectorAll('h1').length,
    texts: Array.from(document.querySelectorAll('h1, p, blockquote, button, legend, label')).map((el) => {
      const s = getComputedStyle(el);
      // Text on the card: the nearest background that is not transparent is the element's or the card's.
      const own = s.backgroundColor;
      const card = getComputedStyle(document.querySelector('.card')!).backgroundColor;
      const page = getComputedStyle(document.querySelector('body')!).backgroundColor;
      const cls = (el as unknown as { className: string }).className;
      const bg = own !== 'rgba(0, 0, 0, 0)' ? own : cls === 'brand' ? page : card;
      return { text: (el.textContent ?? '').slice(0, 30), color: s.color, bg, size: parseFloat(s.fontSize) };
    }),
  }));
  expect(overflow, `${name}: horizontal overflow`).toBeLessThanOrEqual(0);
  expect(h1s, `${name}: one h1`).toBe(1);
  for (const t of texts) {
    expect(contrastRatio(rgb(t.color), rgb(t.bg)), `${name}: contrast of "${t.text}"`).toBeGreaterThanOrEqual(4.5);
    expect(t.size, `${name}: font size of "${t.text}"`).toBeGreaterThanOrEqual(14);
  }
}

const sizes = [
  { width: 375, height: 700 },
  { width: 600, height: 800 },
] as const;

describe('one-click pages in Chromium', () => {
  for (const viewport of sizes) {
    for (const colorScheme of ['light', 'dark'] as const) {
      it(`read: open, press the button with the keyboard, see the outcome (${viewport.width}px, ${colorScheme})`, async () => {
        const email = viewport.width === 375 ? (colorScheme === 'light' ? 'nurul.hakim@example.com' : 'ama.owusu@example.com') : colorScheme === 'light' ? 'omar.haddad@example.com' : 'lukas.becker@example.org';
        await page.setViewportSize(viewport);
        await page.emulateMedia({ colorScheme });
        const tag = `${viewport.width}-${colorScheme}`;
        shots.onFailure(page, `read-${tag}`);
        await page.goto(url({ action: 'read', trainingSlug: SLUG, participantEmail: email }));
        await checkLayout(page, `read confirm ${tag}`);
        await shots.take(page, `read-confirm-${tag}`);

        await page.keyboard.press('Tab');
        const focused = await page.evaluate(() => {
          const el = document.activeElement!;
          const s = getComputedStyle(el);
          return { tag: el.tagName, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) };
        });
        expect(focused).toMatchObject({ tag: 'BUTTON', outline: 'solid' });
        expect(focused.width).toBeGreaterThanOrEqual(2);
        await shots.take(page, `read-focus-${tag}`);

        await Promise.all([page.waitForLoadState('load'), page.waitForURL(/\/l\//), page.keyboard.press('Enter')]);
        await page.waitForSelector('h1:has-text("Marked as read")');
        await checkLayout(page, `read done ${tag}`);
        await shots.take(page, `read-done-${tag}`);
        expect((await store.listResponsesByParticipant(SERIES, email)).map((r) => r.intent)).toEqual(['read']);
        // CSP violations (a blocked style or form) would show up as console errors.
        expect(errors).toEqual([]);
      });
    }
  }

  const flows = [
    {
      name: 'kudos',
      link: () => url({ action: 'kudos', responseId: 'ana-strategy', participantEmail: 'marcus.lee@example.com' }),
      done: 'Kudos given',
      check: async () => expect((await store.listResponsesByParticipant(SERIES, 'marcus.lee@example.com')).map((r) => r.intent)).toEqual(['comment']),
    },
    {
      name: 'rating',
      link: () => url({ action: 'rating', rating: 5, responseId: 'rosa-adopt', participantEmail: 'rosa.martinez@example.com' }),
      done: 'You rated',
      check: async () =>
        expect((await store.listResponsesByParticipant(SERIES, 'rosa.martinez@example.com')).find((r) => r.intent === 'follow-up')?.rating).toBe(5),
    },
    {
      name: 'unsubscribe',
      link: () => url({ action: 'unsubscribe', participantEmail: 'hannah.price@example.org' }),
      done: 'unsubscribed',
      check: async () => expect((await store.getParticipant(SERIES, 'hannah.price@example.org'))?.unsubscribedAt).toBe(now.toISOString()),
    },
  ];

  for (const flow of flows) {
    it(`${flow.name}: click the button and see the outcome at 375px`, async () => {
      // As a fresh context would: phone width, the default (light) scheme.
      await page.setViewportSize(sizes[0]);
      await page.emulateMedia({ colorScheme: 'light' });
      shots.onFailure(page, flow.name);
      await page.goto(flow.link());
      await checkLayout(page, `${flow.name} confirm`);
      await shots.take(page, `${flow.name}-confirm-375`);
      await page.getByRole('button').click();
      await page.waitForSelector(`h1:has-text("${flow.done}")`);
      await checkLayout(page, `${flow.name} done`);
      await shots.take(page, `${flow.name}-done-375`);
      await flow.check();
    });
  }

  it('error pages: tampered and expired, readable at 375px', async () => {
    await page.setViewportSize(sizes[0]);
    await page.emulateMedia({ colorScheme: 'light' });
    shots.onFailure(page, 'error-pages');
    const genuine = url({ action: 'read', trainingSlug: SLUG, participantEmail: 'ploy.srisuk@example.org' });
    const response = await page.goto(`${genuine.slice(0, -4)}AAAA`);
    expect(response?.status()).toBe(400);
    await checkLayout(page, 'invalid');
    expect(await page.textContent('h1')).toBe('This link isn’t valid — nothing was changed.');
    await shots.take(page, 'invalid-375');

    const expired = await page.goto(url({ action: 'read', trainingSlug: SLUG, participantEmail: 'ploy.srisuk@example.org', expiresAt: new Date('2027-01-01T00:00:00Z') }));
    expect(expired?.status()).toBe(410);
    await checkLayout(page, 'expired');
    await shots.take(page, 'expired-375');
    expect(await store.listResponsesByParticipant(SERIES, 'ploy.srisuk@example.org')).toEqual([]);
  });

  const PREFS = [
    { width: 375, colorScheme: 'light', email: 'chloe.nguyen@example.com' },
    { width: 375, colorScheme: 'dark', email: 'liam.walsh@example.com' },
    { width: 600, colorScheme: 'light', email: 'sofia.rossi@example.org' },
    { width: 600, colorScheme: 'dark', email: 'ana.reyes@example.com' },
  ] as const;
  for (const { width, colorScheme, email } of PREFS) {
    it(`preferences: choose, save with the keyboard, see what is in force (${width}px, ${colorScheme})`, async () => {
      const viewport = sizes.find((s) => s.width === width)!;
      await page.setViewportSize(viewport);
      await page.emulateMedia({ colorScheme });
      const tag = `${width}-${colorScheme}`;
      shots.onFailure(page, `preferences-${tag}`);
      await page.goto(url({ action: 'preferences', participantEmail: email }));
      await checkLayout(page, `preferences form ${tag}`);
      await shots.take(page, `preferences-form-${tag}`);
      // Every option is a whole-row target a thumb can hit.
      const rows = await page.locator('label.option').evaluateAll((els) => els.map((el) => (el as unknown as { getBoundingClientRect(): { height: number } }).getBoundingClientRect().height));
      expect(rows.length).toBeGreaterThanOrEqual(6);
      for (const h of rows) expect(h).toBeGreaterThanOrEqual(44);
      // Opening the page changed nothing.
      expect((await store.getParticipant(SERIES, email))?.preferences).toBeUndefined();

      await page.getByLabel('No reminders').check();
      await page.getByLabel('Never').check();
      await page.getByLabel('Daily bites: a short overview, then one part a working day').check();
      await page.locator('input[name=pauseUntil]').fill('2027-02-15');
      await page.getByRole('button', { name: 'Save my choices' }).focus();
      await Promise.all([page.waitForURL(/\/l\//), page.keyboard.press('Enter')]);
      await page.waitForSelector('h1:has-text("Saved")');
      await checkLayout(page, `preferences saved ${tag}`);
      await shots.take(page, `preferences-saved-${tag}`);
      expect(await page.textContent('main')).toContain('Paused: nothing from the series until');
      const stored = (await store.getParticipant(SERIES, email))!;
      expect(stored.preferences).toEqual({ reminders: false, rollups: false });
      expect(stored.format).toBe('bites');
      expect(stored.pausedUntil?.slice(0, 10)).toMatch(/^2027-02-1[45]$/);
      expect(errors).toEqual([]);
    });
  }
  it('preferences in German and Arabic: long words fit a phone, Arabic reads right to left, saving stores the choice (375px)', async () => {
    await page.setViewportSize(sizes[0]);
    await page.emulateMedia({ colorScheme: 'light' });
    shots.onFailure(page, 'preferences-de-ar');
    await page.goto(url({ action: 'preferences', participantEmail: KLARA }));
    expect(await page.getAttribute('html', 'lang')).toBe('de');
    await checkLayout(page, 'preferences form de');
    await shots.take(page, 'preferences-form-de-375');
    await page.getByLabel('Keine Erinnerungen').check();
    await page.getByRole('button', { name: 'Meine Auswahl speichern' }).focus();
    await Promise.all([page.waitForURL(/\/l\//), page.keyboard.press('Enter')]);
    await page.waitForSelector('h1:has-text("Gespeichert")');
    await checkLayout(page, 'preferences saved de');
    expect(await page.textContent('main')).toContain('Erinnerungen aus;');
    expect((await store.getParticipant(SERIES, KLARA))?.preferences).toEqual({ reminders: false });

    await page.goto(url({ action: 'preferences', participantEmail: LAYLA }));
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    await checkLayout(page, 'preferences form ar');
    await shots.take(page, 'preferences-form-ar-375');
    // Right to left: each radio button sits to the right of its words.
    const sides = await page.locator('label.option').first().evaluate((label) => {
      const box = (el: unknown) => (el as { getBoundingClientRect(): { left: number } }).getBoundingClientRect().left;
      const l = label as unknown as { querySelector(s: string): unknown };
      return { input: box(l.querySelector('input')), words: box(l.querySelector('span')) };
    });
    expect(sides.input).toBeGreaterThan(sides.words);
    expect(errors).toEqual([]);
  });
});
