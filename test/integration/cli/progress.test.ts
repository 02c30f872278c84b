// Progress lines of the long commands (preview, enroll, export; simulate and publish use the same
// terminal.ts), drawn on a terminal. The terminal is a real pseudo-terminal from util-linux's
// `script`, so the CLI's own isTTY check decides, as it does for a trainer. Their absence is
// checked on runs that happen anyway: preview and export in a pipe (preview.test.ts,
// export.test.ts), and export on a terminal in CI (export.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batonEnv, exampleDir, seedExample } from '#test/support/example-data';
import { batonOnTerminal, outsideCi } from '#test/support/terminal';

const work = mkdtempSync(join(tmpdir(), 'baton-progress-'));
const dataDir = join(work, 'data');
const env = outsideCi(batonEnv(dataDir));
let seriesId = '';

/** The command under a pseudo-terminal: everything it wrote to the terminal, both streams. */
const onTerminal = (args: string[]) => batonOnTerminal(args, env);

beforeAll(async () => {
  seriesId = await seedExample(dataDir);
  writeFileSync(join(work, 'more.csv'), 'email,name,timeZone,workStart\nnew.person@example.com,New Person,Europe/Kyiv,08:30\n');
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('progress lines', () => {
  it('preview counts the emails it writes on a terminal, then clears the line before its report', async () => {
    const out = await onTerminal(['preview', exampleDir, '--out', join(work, 'preview')]);
    expect(out).toMatch(/\r\x1b\[2Kpreview: compiling and composing every email…/);
    expect(out).toMatch(/\r\x1b\[2Kpreview: writing emails \d+\/12…/);
    // Cleared: the report starts on a clean line, not after the last progress text.
    expect(out).toMatch(/\r\x1b\[2KPreviewed 12 emails for /);
  }, 90_000);

  it('enroll and export show their steps on a terminal', async () => {
    const enroll = await onTerminal(['enroll', seriesId, join(work, 'more.csv')]);
    expect(enroll).toMatch(/\r\x1b\[2Kenroll: reading .*more\.csv…/);
    expect(enroll).toMatch(/\r\x1b\[2Kenroll: planning what each person gets and when…/);
    expect(enroll).toContain('13 people enrolled');
    const exported = await onTerminal(['export', seriesId, '--wiki', join(work, 'wiki')]);
    expect(exported).toMatch(/\r\x1b\[2Kexport: (rendering the pages|writing pages \d+\/\d+)…/);
    expect(exported).toContain('Exported 4 trainings');
  }, 120_000);
});
