// `baton export --wiki` as a user runs it: a data folder with a published series and responses
// (one with an attachment kept under <data>/attachments/<key>, one whose file is gone), the CLI in
// a child process, then the written pages read back and the HTML site opened in Chromium.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { batonEnv, seedExample } from '#test/support/example-data';
import type { BrowserContext } from 'playwright-core';
import { screenshots, sharedBrowser } from '#test/support/browser';
import { batonOnTerminal, outsideCi, PROGRESS } from '#test/support/terminal';

const root = join(import.meta.dirname, '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-export-'));
const wikiDir = join(dataDir, 'wiki');
// CI unset: the first export shows that a pipe alone keeps the output free of progress lines.
const env = outsideCi(batonEnv(dataDir));
let seriesId = '';
let phone: BrowserContext | undefined;
const shots = screenshots('export');

function baton(...args: string[]) {
  return promisify(execFile)('node', [join(root, 'cli', 'baton.js'), ...args], { env, cwd: root });
}

beforeAll(async () => {
  mkdirSync(join(dataDir, 'attachments', 'in', 'r2'), { recursive: true });
  writeFileSync(join(dataDir, 'attachments', 'in', 'r2', 'agenda.pdf'), '%PDF-1.4 test');
  seriesId = await seedExample(dataDir, (responses, emails, slug) => {
    responses[1]!.attachments = [
      { key: 'in/r2/agenda.pdf', filename: 'My agenda.pdf', contentType: 'application/pdf', size: 13 },
      { key: 'in/r2/gone.png', filename: 'gone.png', contentType: 'image/png', size: 10 },
    ];
    responses[1]!.text = 'Agenda the day before <script>alert(1)</script> — a long-unbroken-word-' + 'x'.repeat(120);
    responses.push({
      seriesId: responses[0]!.seriesId, trainingSlug: slug, links: [], attachments: [], source: 'm',
      id: 'r5', participantEmail: emails[3]!, intent: 'comment', text: 'Works for me too', targetResponseId: 'r2', receivedAt: '2027-01-24T10:00:00.000Z',
    });
  });
}, 120_000);

afterAll(async () => {
  await phone?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('baton export --wiki', () => {
  it('writes an index and a page per training, in Markdown and HTML, and copies attachments; in a pipe it prints only its report', async () => {
    const { stdout, stderr } = await baton('export', seriesId, '--wiki', wikiDir);
    expect(stderr).toBe('');
    expect(stdout).not.toMatch(/[\r\x1b]/);
    expect(stdout).toContain('1 attachment copied');
    expect(stdout).toContain('gone.png (in/r2/gone.png)');
    const md = readdirSync(wikiDir).filter((f) => f.endsWith('.md')).sort();
    expect(md).toEqual(['01-productive-one-on-ones.md', '02-company-communications.md', '03-performance-reviews.md', '04-product-launch.md', 'index.md']);
    expect(readdirSync(join(wikiDir, 'html')).sort()).toEqual(md.map((f) => f.replace(/\.md$/, '.html')));
    expect(readFileSync(join(wikiDir, 'attachments', 'r2', 'My-agenda.pdf'), 'utf8')).toBe('%PDF-1.4 test');
    expect(existsSync(join(wikiDir, 'attachments', 'r2', 'gone.png'))).toBe(false);
    const page = readFileSync(join(wikiDir, '01-productive-one-on-ones.md'), 'utf8');
    expect(page).toContain('[My agenda.pdf](attachments/r2/My-agenda.pdf)');
    expect(page).toMatch(/\(strategy\)\n> Agenda the day before &lt;script&gt;/);
    expect(page).toMatch(/> \*\*.+\*\*, Sunday 24 January 2027 \(comment\)\n> > Works for me too/);
  }, 60_000);

  it('gives the same file names on a second export, run on a terminal in CI: no progress lines there either', async () => {
    const before = readdirSync(wikiDir, { recursive: true }).map(String).sort();
    // A real pseudo-terminal (progress.test.ts shows export drawing its steps on one outside CI).
    const shown = await batonOnTerminal(['export', seriesId, '--wiki', wikiDir], { ...env, CI: 'true' });
    expect(shown).toContain('Exported 4 trainings');
    expect(shown).not.toMatch(PROGRESS);
    expect(readdirSync(wikiDir, { recursive: true }).map(String).sort()).toEqual(before);
  }, 60_000);

  it('makes a static site that runs no script, links its pages and fits a 375 px phone', async () => {
    // The worker's one Chromium; the context closes after the file, so a failure's picture is
    // taken while the page is still open (BATON_SCREENSHOTS=1 keeps one when it passes too).
    phone = await (await sharedBrowser()).newContext({ viewport: { width: 375, height: 800 } });
    const page = await phone.newPage();
    shots.onFailure(page, 'wiki-375');
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(join(wikiDir, 'html', 'index.html')).href);
    await page.click('text=A productive 1:1 sync with your manager');
    await page.waitForURL(/01-productive-one-on-ones\.html$/);
    const { scroll, client } = await page.evaluate<{ scroll: number; client: number }>('({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth })');
    expect(scroll).toBeLessThanOrEqual(client);
    expect(await page.locator('script').count()).toBe(0);
    expect(await page.locator('.c .c').count()).toBeGreaterThan(0);
    expect(await page.locator('a[href="../attachments/r2/My-agenda.pdf"]').count()).toBe(1);
    await shots.take(page, 'wiki-375');
    expect(dialogs).toEqual([]);
  }, 60_000);
});
