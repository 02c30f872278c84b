// Every kind of email Baton sends, scored by SpamAssassin (Debian package) with its local rules
// only (-L: no DNS, no network tests), as the bytes a send hands to SES. A kind that scores above
// 0.5 is a rule our own markup trips on every send, such as white preheader text
// (HTML_FONT_LOW_CONTRAST), worth fixing before any receiving server's settings make it count.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { everyKind, type KindMail } from '#test/support/every-kind';

const MAX_SCORE = 0.5;
// SpamAssassin keeps state (Bayes, auto-whitelist) under its home: a temporary one per run.
const home = mkdtempSync(join(tmpdir(), 'baton-sa-'));

let mails: KindMail[];

beforeAll(async () => {
  mails = await everyKind('chloe.nguyen@example.com');
}, 60_000);

afterAll(() => rmSync(home, { recursive: true, force: true }));

function score(raw: string): { score: number; rules: string[] } {
  const run = spawnSync('spamassassin', ['-L', '-t'], {
    input: raw,
    encoding: 'utf8',
    env: { ...process.env, HOME: home },
    timeout: 60_000,
  });
  if (run.error) throw run.error;
  const status = /^X-Spam-Status: (?:Yes|No), score=(-?[\d.]+)[^\n]*(?:\n\t[^\n]*)*/m.exec(run.stdout);
  if (!status) throw new Error(`spamassassin gave no X-Spam-Status: ${run.stderr.slice(0, 500)}`);
  const tests = /tests=([\s\S]*?)(?:\s+autolearn=|\s+version=|$)/.exec(status[0])?.[1]?.replace(/\s+/g, '').split(',') ?? [];
  return { score: Number(status[1]), rules: tests.filter(Boolean) };
}

describe('SpamAssassin, local rules', () => {
  it('has every kind to score', () => {
    expect(new Set(mails.map((m) => m.kind))).toEqual(
      new Set(['kickoff', 'training', 'reminder', 'rollup', 'ack', 'upload-link', 'follow-up', 'digest', 'wrap-up', 'update', 'cancel', 'removed', 'calendars-off']),
    );
  });

  it(`scores every kind at most ${MAX_SCORE}, and none trips HTML_FONT_LOW_CONTRAST`, () => {
    const results = mails.map((m) => ({ name: m.name, ...score(m.raw) }));
    const over = results.filter((r) => r.score > MAX_SCORE);
    expect(over, JSON.stringify(results, null, 1)).toEqual([]);
    expect(results.filter((r) => r.rules.includes('HTML_FONT_LOW_CONTRAST')).map((r) => r.name)).toEqual([]);
  }, 300_000);

  it('catches what it should: white text on the page scores HTML_FONT_LOW_CONTRAST', () => {
    const training = mails.find((m) => m.kind === 'training')!;
    // The body is quoted-printable: add a white paragraph right after <body ...> in the HTML part.
    const spoiled = training.raw.replace(/(<body[^>]*>)/i, '$1<p style=3D"color:#ffffff;">hidden text for the filter</p>');
    expect(spoiled).not.toBe(training.raw);
    expect(score(spoiled).rules).toContain('HTML_FONT_LOW_CONTRAST');
  }, 120_000);
});
