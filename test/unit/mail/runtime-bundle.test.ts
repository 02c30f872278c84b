import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LANGUAGES } from '#core/model';
import { CATALOGUES, t } from '#mail/messages/index';
import { bundleOptions } from '#infra/baton-function';

// What a sending Lambda bundles to fill emails: it must not drag mjml (or marked) along.
const root = fileURLToPath(new URL('../../../', import.meta.url));

describe('the send-time mail room', () => {
  it.each(['functions/mail/fill.ts', 'functions/mail/values.ts'])('%s bundles without mjml, marked or html-to-text', async (entry) => {
    const result = await build({
      entryPoints: [`${root}${entry}`],
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      absWorkingDir: root,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((p) => p.includes('functions/mail/'))).toBe(true);
    expect(inputs.filter((p) => /node_modules\/(mjml|marked|html-to-text|juice|cheerio)/.test(p))).toEqual([]);
    // Baton's own words in eleven languages (messages/en.ts and <lang>.catalogue.json) are send-time data every
    // sender needs; the budget is for the code around them, where a stray dependency would show.
    const output = Object.values(result.metafile.outputs)[0]!;
    const catalogues = Object.entries(output.inputs)
      .filter(([p]) => /functions\/mail\/messages\/[a-z]{2}(\.ts|\.catalogue\.json)$/.test(p))
      .reduce((sum, [, i]) => sum + i.bytesInOutput, 0);
    expect(result.outputFiles[0]!.contents.byteLength - catalogues).toBeLessThan(20_000);
  });

  it('ships the languages other than English as files beside a Lambda bundle, and reads each as the source does once it is used', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baton-messages-'));
    try {
      // As a BatonFunction's asset is built: the catalogues are copied beside index.mjs.
      await build(bundleOptions(`${root}functions/mail/messages/index.ts`, dir));
      const outfile = join(dir, 'index.mjs');
      const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.map'));
      expect(files.map((f) => f.slice(0, 2)).sort()).toEqual(LANGUAGES.filter((l) => l !== 'en').sort());
      // The German words are in their file, not in the code a cold start compiles.
      expect(readFileSync(outfile, 'utf8')).not.toContain('weitere Beitr');
      const bundled = (await import(pathToFileURL(outfile).href)) as { CATALOGUES: typeof CATALOGUES; t: typeof t };
      for (const language of LANGUAGES) expect(bundled.CATALOGUES[language], language).toEqual(CATALOGUES[language]);
      expect(bundled.t('de', 'reminder.more', { more: 2 })).toBe(t('de', 'reminder.more', { more: 2 }));
      expect(bundled.t('ar', 'count.people', { n: 2 })).toBe('شخصان');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
