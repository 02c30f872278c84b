// The scorer's replay over the development replies (../shared/corpora/intents, read in place,
// never copied here). Issue 14's target is >= 90% exact with <= 3% wrongly recorded; the exact
// floor below is what the reading reaches today and only moves up.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const scorer = resolve(process.cwd(), '../shared/corpora/intents/score.mjs');
const EXACT_FLOOR = 96;
const WRONG_CEILING = 1;

describe.skipIf(!existsSync(scorer))('intent corpus (scorer replay)', () => {
  it(`is at least ${EXACT_FLOOR}% exact with at most ${WRONG_CEILING}% wrongly recorded`, () => {
    // Prepare
    const out = join(mkdtempSync(join(tmpdir(), 'baton-intents-')), 'score.json');
    // Act
    const run = spawnSync(process.execPath, [scorer, '0', '--json', out], { cwd: process.cwd(), encoding: 'utf8', timeout: 120_000 });
    // Assess
    expect(run.status, run.stderr).toBe(0);
    const rows = JSON.parse(readFileSync(out, 'utf8')) as { ok: boolean; expected: { status: string; intents: { intent: string; strategy?: number }[] }; actual: { status: string; intents: { intent: string; strategy?: number }[] } }[];
    const keyOf = (i: { intent: string; strategy?: number }) => (i.intent === 'adopt' || i.intent === 'follow-up' ? `${i.intent}#${i.strategy}` : i.intent);
    const wrong = rows.filter((r) => {
      if (r.actual.status !== 'parsed') return false;
      const want = new Set(r.expected.status === 'parsed' ? r.expected.intents.map(keyOf) : []);
      return r.actual.intents.some((i) => !want.has(keyOf(i)));
    }).length;
    const exact = (100 * rows.filter((r) => r.ok).length) / rows.length;
    expect(exact).toBeGreaterThanOrEqual(EXACT_FLOOR);
    expect((100 * wrong) / rows.length).toBeLessThanOrEqual(WRONG_CEILING);
  }, 150_000);
});
