import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

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
    // Baton's own words in eleven languages (messages/<lang>.ts, ~75 KB) are send-time data every
    // sender needs; the budget is for the code around them, where a stray dependency would show.
    const output = Object.values(result.metafile.outputs)[0]!;
    const catalogues = Object.entries(output.inputs)
      .filter(([p]) => /functions\/mail\/messages\/[a-z]{2}\.ts$/.test(p))
      .reduce((sum, [, i]) => sum + i.bytesInOutput, 0);
    expect(result.outputFiles[0]!.contents.byteLength - catalogues).toBeLessThan(20_000);
  });
});
