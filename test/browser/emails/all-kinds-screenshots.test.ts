// Every kind of email a participant or trainer receives, as `baton preview` builds it for a
// participant in Brunei (and the digest for the first trainer): headless Chromium at desktop
// (600px) and phone (375px) widths, light and dark. Fails on horizontal overflow, low contrast,
// tiny text, broken images and leaked placeholders ("{{", "undefined", "NaN"); a failing case
// leaves its PNG under test/.artifacts/emails/, and BATON_SCREENSHOTS=1 writes every case's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, Page } from 'playwright-core';
import { previewMails, type PreviewKind } from '#cli/commands/preview';
import { contrastRatio, light } from '#mail/palette';
import { hex, sharedBrowser, openEmailPage, overflow, screenshots, showEmail } from '#test/support/browser';

// The evaluate() callbacks run in the page. The project has no DOM lib (Lambda code must not see
// browser globals), so this file declares the little of the DOM those callbacks use.
interface DomRect {
  left: number;
  right: number;
  width: number;
  height: number;
}
interface DomNode {
  nodeType: number;
  textContent: string | null;
}
interface DomElement extends DomNode {
  tagName: string;
  scrollWidth: number;
  clientWidth: number;
  parentElement: DomElement | null;
  childNodes: Iterable<DomNode>;
  closest(selector: string): DomElement | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): DomRect;
}
interface DomImage extends DomElement {
  complete: boolean;
  naturalWidth: number;
}
declare const document: {
  documentElement: DomElement;
  body: DomElement & { innerText: string; querySelectorAll(selector: string): Iterable<DomElement> };
  images: Iterable<DomImage>;
  querySelector(selector: string): DomElement | null;
};
declare const window: { innerWidth: number };
declare function getComputedStyle(el: DomElement): {
  backgroundColor: string;
  color: string;
  fontSize: string;
  fontWeight: string;
  overflowX: string;
  visibility: string;
  opacity: string;
};

const root = fileURLToPath(new URL('../../../', import.meta.url));
const shots = screenshots('emails');

const KINDS: readonly PreviewKind[] = ['kickoff', 'training', 'reminder', 'rollup', 'ack', 'upload-link', 'follow-up', 'digest', 'wrap-up'];

let browser: Browser;
let page: Page;
const emails = new Map<PreviewKind, { name: string; html: string }>();

beforeAll(async () => {
  const preview = await previewMails(join(root, 'examples/q1-productivity'), { participant: 'nurul.hakim@example.com' });
  for (const m of preview.mails) {
    if (emails.has(m.kind)) continue;
    const parsed = await simpleParser(m.mail.raw);
    emails.set(m.kind, { name: m.name, html: typeof parsed.html === 'string' ? parsed.html : '' });
  }
  browser = await sharedBrowser();
  page = await openEmailPage(browser);
}, 60_000);

afterAll(async () => {
  await page?.context().close();
});



interface TextSample {
  text: string;
  color: string;
  background: string;
  fontSize: number;
  bold: boolean;
  /** Inside a muted block (reply marker, header line, footer): may be smaller than body text. */
  muted: boolean;
  /** A direct paragraph of a body block: the copy people read, 16px on every screen. */
  body: boolean;
}

/** Every piece of visible text with the colour it is drawn in and the background behind it. */
async function textSamples(page: Page): Promise<TextSample[]> {
  return page.evaluate(() => {
    const effectiveBackground = (el: DomElement | null): string => {
      for (let e = el; e; e = e.parentElement) {
        const bg = getComputedStyle(e).backgroundColor;
        if (bg && bg !== 'transparent' && !bg.startsWith('rgba(0, 0, 0, 0)')) return bg;
      }
      return 'rgb(255, 255, 255)';
    };
    const out: TextSample[] = [];
    for (const el of document.body.querySelectorAll('*')) {
      const own = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent ?? '').join('').trim();
      if (!own) continue;
      const r = el.getBoundingClientRect();
      const style = getComputedStyle(el);
      // The inbox preview line is hidden on purpose (display:none, zero size).
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden' || style.opacity === '0') continue;
      const block = el.closest('.bt-text > div');
      out.push({
        text: own.slice(0, 50),
        color: style.color,
        background: effectiveBackground(el),
        fontSize: parseFloat(style.fontSize),
        bold: Number(style.fontWeight) >= 600,
        muted: el.closest('.bt-muted') !== null,
        body: block === el && el.closest('.bt-muted') === null,
      });
    }
    return out;
  });
}

/** What a reader would notice: text too faint for its size (WCAG AA) or too small to read. */
function textProblems(samples: readonly TextSample[]): string[] {
  const problems: string[] = [];
  for (const s of samples) {
    const large = s.fontSize >= 24 || (s.bold && s.fontSize >= 18.66);
    const ratio = contrastRatio(hex(s.color), hex(s.background));
    if (ratio < (large ? 3 : 4.5)) problems.push(`contrast ${ratio.toFixed(2)} of "${s.text}" (${s.color} on ${s.background})`);
    if (s.fontSize < 12) problems.push(`${s.fontSize}px text "${s.text}"`);
    else if (!s.muted && s.fontSize < 14) problems.push(`${s.fontSize}px body text "${s.text}"`);
    if (s.body && s.fontSize < 16) problems.push(`${s.fontSize}px paragraph "${s.text}"`);
  }
  return problems;
}

const cases = KINDS.flatMap((kind) => ([600, 375] as const).flatMap((width) => (['light', 'dark'] as const).map((scheme) => ({ kind, width, scheme }))));

describe('every kind of email in a browser', () => {
  it('has one email of every kind from baton preview', () => {
    expect([...emails.keys()].sort()).toEqual([...KINDS].sort());
  });

  it('shows the correction loop: the ack what was recorded with its corrections, the digest what needs a look with its tags', () => {
    const ack = emails.get('ack')!.html;
    expect(ack).toContain('Recorded: you will adopt #');
    expect(ack).toContain('withdraw it</a>');
    expect(ack).toMatch(/href="[^"]+\/l\/[A-Za-z0-9_-]+"[^>]*>adopt #\d<\/a>/);
    const digest = emails.get('digest')!.html;
    expect(digest).toMatch(/Needs a look/i);
    expect(digest).toContain('Record as');
    expect(digest).toContain('nothing to record</a>');
  });

  it.each(cases)('$kind at $width px, $scheme: no overflow, readable text, nothing left unfilled', async ({ kind, width, scheme }) => {
    const email = emails.get(kind)!;
    await showEmail(page, email.html, { width, scheme });
    shots.onFailure(page, `${email.name}-${width}-${scheme}`);
    await shots.take(page, `${email.name}-${width}-${scheme}`);
    const { scrollWidth, innerWidth, offenders } = await overflow(page);
    expect(scrollWidth, `${kind} overflows horizontally at ${width}px`).toBeLessThanOrEqual(innerWidth);
    expect(offenders, `elements wider than the screen or their box at ${width}px`).toEqual([]);

    const images = await page.evaluate(() => [...document.images].map((img) => ({ alt: img.getAttribute('alt'), width: img.getBoundingClientRect().width, loaded: img.complete && img.naturalWidth > 0 })));
    for (const img of images) {
      expect(img.alt).not.toBeNull();
      expect(img.loaded).toBe(true);
      expect(img.width).toBeLessThanOrEqual(Math.min(552, width));
    }

    const samples = await textSamples(page);
    expect(samples.length).toBeGreaterThan(3);
    expect(textProblems(samples)).toEqual([]);

    const shown = await page.evaluate(() => document.body.innerText);
    expect(shown).not.toMatch(/\{\{|\}\}|\bundefined\b|\bNaN\b|\bnull\b|\[object /);
  });

  it('shows the hand-written upload-link email in the dark palette when the reader asks for dark', async () => {
    await showEmail(page, emails.get('upload-link')!.html, { width: 600, scheme: 'dark' });
    const colours = await page.evaluate(() => {
      const card = document.querySelector('.bt-card')!;
      return { page: getComputedStyle(document.body).backgroundColor, card: getComputedStyle(card).backgroundColor, text: getComputedStyle(card).color };
    });
    // dark.page #0f1216, dark.card #1a1f26, dark.text #e6e9ed (functions/mail/palette.ts)
    expect(colours).toEqual({ page: 'rgb(15, 18, 22)', card: 'rgb(26, 31, 38)', text: 'rgb(230, 233, 237)' });
  });

  it('catches faint and tiny text: the digest with a grey note in a small size fails', async () => {
    const email = emails.get('digest')!;
    const spoiled = email.html.replace('</h1>', `</h1><span style="color:#b0b0b0;font-size:10px;">as of this morning</span>`);
    expect(spoiled).not.toBe(email.html);
    await showEmail(page, spoiled, { width: 375, scheme: 'light' });
    const problems = textProblems(await textSamples(page));
    expect(problems.some((p) => p.startsWith('contrast') && p.includes('as of this morning'))).toBe(true);
    expect(problems).toContain('10px text "as of this morning"');
  });

  it('catches text a dark theme leaves in its light colour: muted light grey on the dark card fails', async () => {
    const email = emails.get('rollup')!;
    const spoiled = email.html.replace('</h1>', `</h1><span style="color:${light.text};">Dark on dark</span>`);
    await showEmail(page, spoiled, { width: 600, scheme: 'dark' });
    expect(textProblems(await textSamples(page)).some((p) => p.includes('Dark on dark'))).toBe(true);
  });
});
