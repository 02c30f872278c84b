// Headless Chromium for tests that look at rendered output. Uses the system Chromium: these
// machines have no network to download a browser, and playwright-core never tries to.
import { chromium, type Browser } from 'playwright-core';

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
