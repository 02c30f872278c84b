// Looks at the filled emails the way a reader's mail client would: headless Chromium at desktop
// (600px) and phone (375px) widths, light and dark. Fails on horizontal overflow, unreadable
// contrast or small body text; a failing case leaves its PNG under test/.artifacts/emails/, and
// BATON_SCREENSHOTS=1 writes every case's for people to look at.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Participant, Training } from '#core/model';
import { compileKickoff, compileTraining } from '#emails/compile';
import { fillEmail } from '#mail/fill';
import { contrastRatio } from '#mail/palette';
import { sampleLinks, sampleParticipants, sampleSeries, sampleTrainings } from '#emails/sample';
import { kickoffValues, trainingValues } from '#mail/values';
import { hex, sharedBrowser, openEmailPage, overflow, screenshots, showEmail } from '#test/support/browser';

// The evaluate() callbacks run in the page. The project has no DOM lib (Lambda code must not see
// browser globals), so this file declares the little of the DOM those callbacks use.
interface DomRect {
  left: number;
  right: number;
  width: number;
  height: number;
}
interface DomElement {
  tagName: string;
  textContent: string | null;
  scrollWidth: number;
  clientWidth: number;
  parentElement: DomElement | null;
  classList: { contains(name: string): boolean };
  getAttribute(name: string): string | null;
  getBoundingClientRect(): DomRect;
}
interface DomImage extends DomElement {
  complete: boolean;
  naturalWidth: number;
}
declare const document: {
  documentElement: DomElement;
  body: DomElement & { querySelectorAll(selector: string): Iterable<DomElement> };
  images: Iterable<DomImage>;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): Iterable<DomElement>;
};
declare const window: { innerWidth: number };
declare function getComputedStyle(el: DomElement): { backgroundColor: string; color: string; fontSize: string; overflowX: string };

const shots = screenshots('emails');
const training = sampleTrainings[0] as Training;
const brunei = sampleParticipants[0] as Participant;
const la = sampleParticipants[1] as Participant;

let browser: Browser;
let page: Page;
const emails: Record<string, string> = {};

beforeAll(async () => {
  const [kickoff, compiled] = await Promise.all([compileKickoff(sampleSeries, sampleTrainings), compileTraining(sampleSeries, training, sampleTrainings)]);
  emails.training = fillEmail(compiled, trainingValues({ series: sampleSeries, training, trainings: sampleTrainings, participant: brunei, links: sampleLinks(brunei) })).html;
  emails.kickoff = fillEmail(kickoff, kickoffValues({ series: sampleSeries, trainings: sampleTrainings, participant: la, links: sampleLinks(la) })).html;
  browser = await sharedBrowser();
  page = await openEmailPage(browser);
});

afterAll(async () => {
  await page?.context().close();
});

interface TextSample {
  text: string;
  color: string;
  background: string;
  fontSize: number;
  muted: boolean;
}


const cases = (['training', 'kickoff'] as const).flatMap((name) =>
  ([600, 375] as const).flatMap((width) => (['light', 'dark'] as const).map((scheme) => ({ name, width, scheme }))),
);

describe('emails in a browser', () => {
  it.each(cases)('$name at $width px, $scheme: no horizontal overflow, readable text', async ({ name, width, scheme }) => {
    await showEmail(page, emails[name] as string, { width, scheme });
    shots.onFailure(page, `${name}-${width}-${scheme}`);
    await shots.take(page, `${name}-${width}-${scheme}`);

    const { scrollWidth, innerWidth, offenders } = await overflow(page);
    expect(scrollWidth, `${name} overflows horizontally at ${width}px`).toBeLessThanOrEqual(innerWidth);
    expect(offenders, `elements wider than the screen or their box at ${width}px`).toEqual([]);

    const images = await page.evaluate(() => [...document.images].map((img) => ({ alt: img.getAttribute('alt'), width: img.getBoundingClientRect().width, loaded: img.complete && img.naturalWidth > 0 })));
    for (const img of images) {
      expect(img.alt).not.toBeNull();
      expect(img.loaded).toBe(true);
      expect(img.width).toBeLessThanOrEqual(Math.min(552, width));
    }

    const samples: TextSample[] = await page.evaluate(() => {
      const effectiveBackground = (el: DomElement | null): string => {
        for (let e = el; e; e = e.parentElement) {
          const bg = getComputedStyle(e).backgroundColor;
          if (bg && bg !== 'transparent' && !bg.startsWith('rgba(0, 0, 0, 0)')) return bg;
        }
        return 'rgb(255, 255, 255)';
      };
      return [...document.querySelectorAll('.bt-text > div')].map((div) => {
        const style = getComputedStyle(div);
        return {
          text: (div.textContent ?? '').trim().slice(0, 40),
          color: style.color,
          background: effectiveBackground(div),
          fontSize: parseFloat(style.fontSize),
          muted: div.parentElement?.classList.contains('bt-muted') ?? false,
        };
      });
    });
    expect(samples.length).toBeGreaterThan(5);
    for (const s of samples) {
      expect(contrastRatio(hex(s.color), hex(s.background)), `contrast of "${s.text}" (${s.color} on ${s.background})`).toBeGreaterThanOrEqual(4.5);
      // Body copy stays at 16px on phones; only the muted marker, header and footer are smaller.
      if (!s.muted) expect(s.fontSize, `font size of "${s.text}"`).toBeGreaterThanOrEqual(16);
    }

    const card = await page.evaluate(() => getComputedStyle(document.querySelector('.bt-card') as DomElement).backgroundColor);
    expect(hex(card)).toBe(scheme === 'dark' ? '#1a1f26' : '#ffffff');
  });

  it('catches overflow: the same email with code blocks that do not wrap is too wide on a phone', async () => {
    const unwrapped = (emails.training as string).replaceAll('white-space:pre-wrap;', 'white-space:pre;');
    expect(unwrapped).not.toBe(emails.training);
    await showEmail(page, unwrapped, { width: 375, scheme: 'light' });
    const { offenders } = await overflow(page);
    expect(offenders.some((o) => o.startsWith('<pre class="bt-pre">'))).toBe(true);
  });
});
