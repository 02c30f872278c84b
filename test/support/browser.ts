// Headless Chromium for tests that look at rendered output. Uses the system Chromium: these
// machines have no network to download a browser, and playwright-core never tries to.
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A 4×3 grey PNG: what every remote image request gets, so layouts are realistic without network. */
export const TINY_PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAQAAAADCAIAAAA7ljmRAAAAEUlEQVR4nGOYv/kEHDHg5AAA6g4ZOYUTuGAAAAAASUVORK5CYII=',
  'base64',
);

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
