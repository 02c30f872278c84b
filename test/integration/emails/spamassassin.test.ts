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
 * SpamAssassin does not write the messages back in the order it read them, so each one's
 * separator line carries its index (the envelope sender, which the scan keeps as it was).
 */
function scoreAll(raws: readonly string[]): Scored[] {
  const mbox = raws.map((raw, i) => `From baton-${i}@example.com Thu Jan  1 00:00:00 2026\n${raw.replace(/\r\n/g, '\n').replace(/^(>*From )/gm, '>$1')}\n`).join('\n');
  // Bayes is off: in a fresh home it has learnt nothing, so it can score nothing (it needs 200
  // messages), and learning each message as the run goes was a sixth of the run's time.
  const run = spawnSync('spamassassin', ['-L', '-t', '--mbox', '--cf=use_bayes 0'], {
    input: mbox,
    encoding: 'utf8',
    env: { ...process.env, HOME: home },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  const scored: Scored[] = [];
  for (const message of run.stdout.split(/^(?=From baton-\d+@example\.com )/m).filter((m) => m.startsWith('From '))) {
    const index = Number(/^From baton-(\d+)@/.exec(message)![1]);
    const status = /^X-Spam-Status: (?:Yes|No), score=(-?[\d.]+)[^\n]*(?:\n\t[^\n]*)*/m.exec(message);
    if (!status || scored[index]) throw new Error(`spamassassin wrote message ${index} without a status, or twice: ${run.stderr.slice(0, 500)}`);
    const tests = /tests=([\s\S]*?)(?:\s+autolearn=|\s+version=|$)/.exec(status[0])?.[1]?.replace(/\s+/g, '').split(',') ?? [];
    scored[index] = { score: Number(status[1]), rules: tests.filter(Boolean) };
  }
  const missing = raws.map((_, i) => i).filter((i) => !scored[i]);
  if (missing.length) throw new Error(`spamassassin did not score messages ${missing.join(', ')} of ${raws.length}: ${run.stderr.slice(0, 500)}`);
  return scored;
}

/**
 * The training with white text added right after <body ...> in its HTML part (quoted-printable),
 * which SpamAssassin must score HTML_FONT_LOW_CONTRAST: the check that the rule can still fire.
 */
const spoil = (raw: string) => raw.replace(/(<body[^>]*>)/i, '$1<p style=3D"color:#ffffff;">hidden text for the filter</p>');

/**
 * Every kind and the spoiled training, scored by one SpamAssassin run shared by the tests that
 * read it: each run spends a few seconds loading and compiling its rules before the first message.
 */
let scored: { kinds: Scored[]; spoiled: Scored } | undefined;
function scoreKindsAndSpoiled() {
  if (!scored) {
    const all = scoreAll([...mails.map((m) => m.raw), spoil(mails.find((m) => m.kind === 'training')!.raw)]);
    scored = { kinds: all.slice(0, mails.length), spoiled: all[mails.length]! };
  }
  return scored;
}

describe('SpamAssassin, local rules', () => {
  it('has every kind to score', () => {
    expect(new Set(mails.map((m) => m.kind))).toEqual(
      new Set(['kickoff', 'training', 'reminder', 'rollup', 'ack', 'upload-link', 'follow-up', 'digest', 'wrap-up', 'update', 'cancel', 'removed', 'calendars-off']),
    );
  });

  it(`scores every kind at most ${MAX_SCORE}, and none trips HTML_FONT_LOW_CONTRAST`, () => {
    const { kinds } = scoreKindsAndSpoiled();
    const results = mails.map((m, i) => ({ name: m.name, ...kinds[i]! }));
    const over = results.filter((r) => r.score > MAX_SCORE);
    expect(over, JSON.stringify(results, null, 1)).toEqual([]);
    expect(results.filter((r) => r.rules.includes('HTML_FONT_LOW_CONTRAST')).map((r) => r.name)).toEqual([]);
  }, 300_000);

  it('catches what it should: white text on the page scores HTML_FONT_LOW_CONTRAST', () => {
    const training = mails.find((m) => m.kind === 'training')!;
    expect(spoil(training.raw)).not.toBe(training.raw);
    expect(scoreKindsAndSpoiled().spoiled.rules).toContain('HTML_FONT_LOW_CONTRAST');
  }, 120_000);
});
