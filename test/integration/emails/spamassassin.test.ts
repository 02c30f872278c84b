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

type Scored = { score: number; rules: string[] };

/**
 * Scores messages with one SpamAssassin run over an mbox of them: its start-up (loading and
 * compiling the rules) is most of the cost of a run, so one per message made this the slowest
 * file of the suite. Body lines that start with "From " are quoted (mboxrd), as any mbox writer does.
 */
function scoreAll(raws: readonly string[]): Scored[] {
  const mbox = raws.map((raw) => `From baton@example.com Thu Jan  1 00:00:00 2026\n${raw.replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1')}\n`).join('\n');
  const run = spawnSync('spamassassin', ['-L', '-t', '--mbox'], {
    input: mbox,
    encoding: 'utf8',
    env: { ...process.env, HOME: home },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  const statuses = [...run.stdout.matchAll(/^X-Spam-Status: (?:Yes|No), score=(-?[\d.]+)[^\n]*(?:\n\t[^\n]*)*/gm)];
  if (statuses.length !== raws.length) throw new Error(`spamassassin scored ${statuses.length} of ${raws.length} messages: ${run.stderr.slice(0, 500)}`);
  return statuses.map((status) => {
    const tests = /tests=([\s\S]*?)(?:\s+autolearn=|\s+version=|$)/.exec(status[0])?.[1]?.replace(/\s+/g, '').split(',') ?? [];
    return { score: Number(status[1]), rules: tests.filter(Boolean) };
  });
}

const score = (raw: string): Scored => scoreAll([raw])[0]!;

describe('SpamAssassin, local rules', () => {
  it('has every kind to score', () => {
    expect(new Set(mails.map((m) => m.kind))).toEqual(
      new Set(['kickoff', 'training', 'reminder', 'rollup', 'ack', 'upload-link', 'follow-up', 'digest', 'wrap-up', 'update', 'cancel', 'removed', 'calendars-off']),
    );
  });

  it(`scores every kind at most ${MAX_SCORE}, and none trips HTML_FONT_LOW_CONTRAST`, () => {
    const scored = scoreAll(mails.map((m) => m.raw));
    const results = mails.map((m, i) => ({ name: m.name, ...scored[i]! }));
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
