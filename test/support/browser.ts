// Headless Chromium for tests that look at rendered output. Uses the system Chromium: these
// machines have no network to download a browser, and playwright-core never tries to.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type LaunchOptions, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The --disable-features Playwright passes (playwright-core 1.65). Chromium honours only the last
 * --disable-features on its command line, and ours comes after Playwright's: so ours repeats these,
 * which keptPlaywrightFeatures checks after every launch.
 */
const PLAYWRIGHT_DISABLED_FEATURES = [
  'AvoidUnnecessaryBeforeUnloadCheckSync',
  'DestroyProfileOnBrowserClose',
  'HttpsUpgrades',
  'HttpsFirstBalancedModeAutoEnable',
  'LensOverlay',
  'MediaRouter',
  'PaintHolding',
  'ThirdPartyStoragePartitioning',
  'AvoidCorsURLLoaderRestartOnRedirect',
  'TcpPortRandomizationWin',
  'OptimizationHints',
  'NetworkTimeServiceQuerying',
  'AimEnabled',
  'PreconnectToSearch',
  'msForceBrowserSignIn',
  'msEdgeUpdateLaunchServicesPreferredVersion',
];
/**
 * Headless Chromium still builds every window's address bar, and with it the bar's suggestion
 * popups: WebUI pages in a renderer of their own, made for each window (a browser context is one)
 * and kept up to date on every navigation. Nobody sees them; they cost about a second of CPU per
 * context, a third of Chromium's in a file of a few dozen navigations (measured with
 * `Target.getTargets`: chrome://omnibox-popup.top-chrome/ and its AI-mode twin, gone with these).
 */
const UNSEEN_FEATURES = ['WebUIOmniboxPopup', 'WebUIOmniboxAimPopup', 'WebUIOmniboxFullPopup'];

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  `--disable-features=${[...PLAYWRIGHT_DISABLED_FEATURES, ...UNSEEN_FEATURES].join(',')}`,
];

/**
 * Fails a launch whose Chromium lost a feature Playwright disables (a newer playwright-core adding
 * one to its list): ours, the last --disable-features, would switch it back on. Read from the
 * command lines of this process's Chromium children; where there are none to read (not Linux, another
 * executable), nothing is checked.
 */
function keptPlaywrightFeatures(): void {
  let children: string[] = [];
  try {
    children = readdirSync('/proc/self/task').flatMap((t) => readFileSync(`/proc/self/task/${t}/children`, 'utf8').split(' ').filter(Boolean));
  } catch {
    return;
  }
  for (const pid of children) {
    let args: string[];
    try {
      args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // ended meanwhile
    }
    if (!args.includes('--remote-debugging-pipe')) continue;
    const lists = args.filter((a) => a.startsWith('--disable-features=')).map((a) => a.slice('--disable-features='.length).split(','));
    const last = new Set(lists.at(-1));
    const lost = lists.flat().filter((f) => !last.has(f));
    if (lost.length) throw new Error(`Chromium would run with ${[...new Set(lost)].join(', ')} enabled again: add them to PLAYWRIGHT_DISABLED_FEATURES in test/support/browser.ts`);
  }
}

/** Chromium with ARGS, closed again if it lost one of Playwright's disabled features. */
async function launch(options: LaunchOptions = {}): Promise<Browser> {
  const browser = await chromium.launch({ ...options, executablePath: CHROMIUM_PATH, args: ARGS });
  try {
    keptPlaywrightFeatures();
  } catch (e) {
    await browser.close();
    throw e;
  }
  return browser;
}

/** A Chromium of the caller's own, closed by the caller. */
export async function launchBrowser(): Promise<Browser> {
  return launch();
}

/**
 * What test/support/file-leaks.ts is told of the worker's shared Chromium: the browser, so it can
 * check a file closed every context it opened, and the process listeners Playwright added when
 * launching it (its 'exit' handler, which kills Chromium's process group when the worker exits).
 * One child process (a ProcessWrap handle) stays open with it. Kept on globalThis under a
 * registered symbol so file-leaks can read it without importing Playwright.
 */
export interface SharedBrowser {
  browser: Browser;
  listeners: Partial<Record<string, unknown[]>>;
}
export const SHARED_BROWSER = Symbol.for('baton.test.sharedBrowser');
type WithShared = { [SHARED_BROWSER]?: Promise<SharedBrowser> };

/**
 * The worker's one Chromium, shared by the browser test files it runs (they share its modules,
 * isolate: false). Starting Chromium costs seconds of CPU, more than most of these files' checks;
 * each file opens its own context (cookies, storage, viewport) and closes it in afterAll, which
 * file-leaks checks. Chromium stops when the worker exits (Playwright's 'exit' handler kills its
 * process group, and Chromium ends by itself when its pipe to the worker closes).
 */
export async function sharedBrowser(): Promise<Browser> {
  const g = globalThis as WithShared;
  const current = await g[SHARED_BROWSER]?.catch(() => undefined);
  if (current?.browser.isConnected()) return current.browser;
  // Process listeners of any event, typed loosely (process.listeners' overloads are per event).
  const emitter = process as unknown as NodeJS.EventEmitter;
  const events = ['exit', 'SIGINT', 'SIGTERM', 'SIGHUP'];
  const before = Object.fromEntries(events.map((e) => [e, emitter.listeners(e)]));
  // Only the 'exit' handler: signals are the worker's to handle, as vitest sends them.
  const launching = launch({ handleSIGINT: false, handleSIGTERM: false, handleSIGHUP: false })
    .then((browser) => ({ browser, listeners: Object.fromEntries(events.map((e) => [e, emitter.listeners(e).filter((l) => !before[e]!.includes(l))])) }));
  g[SHARED_BROWSER] = launching;
  return (await launching).browser;
}

/** Where screenshots go (git-ignored): test/.artifacts/<area>/. */
export const artifactsDir = (area: string): string => fileURLToPath(new URL(`../.artifacts/${area}/`, import.meta.url));

/** `BATON_SCREENSHOTS=1` writes every picture the screenshot tests take, for a person to look at. */
export const ALL_SCREENSHOTS = process.env.BATON_SCREENSHOTS === '1';

/**
 * Screenshots cost a full-page render and a PNG encode each, and nobody looks at them while the
 * tests pass; so a passing run writes none unless `BATON_SCREENSHOTS=1`. A failing test always
 * leaves a picture of the page as it was when it failed. The assertions never depend on them.
 */
export function screenshots(area: string): {
  /** A picture of this step, written only when every picture was asked for. */
  take(page: Page, name: string): Promise<void>;
  /** If the running test fails, a picture of `page` at that moment as `<name>-failed.png`. */
  onFailure(page: Page, name: string): void;
} {
  const dir = artifactsDir(area);
  const write = async (page: Page, file: string) => {
    mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: join(dir, file), fullPage: true });
  };
  return {
    take: async (page, name) => {
      if (ALL_SCREENSHOTS) await write(page, `${name}.png`);
    },
    onFailure: (page, name) => {
      onTestFailed(async () => {
        // A page that itself broke (crashed, closed) must not hide the test's own failure.
        await write(page, `${name}-failed.png`).catch(() => {});
      });
    },
  };
}

/** A 4×3 grey PNG: what every remote image request gets, so layouts are realistic without network. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEUlEQVR4nGOYv/kEHDHg5AAA6g4ZOYUTuGAAAAAASUVORK5CYII=',
  'base64',
);

/**
 * One page for a whole file of email pictures. A fresh context per test cost about as much as the
 * checks themselves; each test sets its own viewport and colour scheme and replaces the document,
 * so nothing of one test's page reaches the next. No network: every remote image gets a small
 * local PNG, scaled like the real one would be.
 */
export async function openEmailPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.route(/^https?:/, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: TINY_PNG }));
  return page;
}

/** A page for the local stack's own pages: anything not on localhost (an email's remote images) is aborted, no network needed. */
export async function openLocalPage(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext({ deviceScaleFactor: 1 })).newPage();
  await page.route(/^https?:\/\/(?!localhost)/, (route) => route.abort());
  return page;
}

/** `html` in the file's page at `width` × 900 in the given colour scheme, images loaded. */
export async function showEmail(page: Page, html: string, view: { width: number; scheme: 'light' | 'dark' }): Promise<void> {
  await page.setViewportSize({ width: view.width, height: 900 });
  await page.emulateMedia({ colorScheme: view.scheme });
  await page.setContent(html, { waitUntil: 'load' });
}

/** `rgb(r, g, b)` as computed styles report it, as #rrggbb. */
export function hex(rgb: string): string {
  const m = /rgba?\((\d+), (\d+), (\d+)/.exec(rgb);
  if (!m) throw new Error(`unexpected colour ${rgb}`);
  return `#${[m[1], m[2], m[3]].map((n) => Number(n).toString(16).padStart(2, '0')).join('')}`;
}

// The page scrolling sideways is one symptom; the card clips its content (border-radius comes with
// overflow:hidden), so also look for any element reaching past the viewport or its clipping box.
export async function overflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; offenders: string[] }> {
  return page.evaluate(() => {
    // Runs in the page. The project has no DOM lib (Lambda code must not see browser globals),
    // so the page's globals are typed here, as little as this needs.
    interface El {
      tagName: string;
      textContent: string | null;
      scrollWidth: number;
      clientWidth: number;
      getAttribute(name: string): string | null;
      getBoundingClientRect(): { left: number; right: number; width: number; height: number };
    }
    const page = globalThis as unknown as {
      document: { documentElement: El; body: { querySelectorAll(selector: string): Iterable<El> } };
      innerWidth: number;
      getComputedStyle(el: El): { overflowX: string };
    };
    const offenders: string[] = [];
    for (const el of page.document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue;
      const clipped = page.getComputedStyle(el).overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1;
      if (r.right > page.innerWidth + 0.5 || r.left < -0.5 || clipped) {
        offenders.push(`<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}"> ${(el.textContent ?? '').trim().slice(0, 40)}`);
      }
    }
    return { scrollWidth: page.document.documentElement.scrollWidth, innerWidth: page.innerWidth, offenders };
  });
}
