// Bundles the dispatch function the way `cdk synth` and `cdk deploy` do (NodejsFunction with the
// local esbuild and the house options), then loads and runs the bundle.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '#infra/config';
import { ServiceStack } from '#infra/service-stack';
import { StateStack } from '#infra/state-stack';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));

describe('the dispatch bundle', () => {
  let outdir: string;
  let assetDir: string;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'baton-bundle-'));
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: cdkJson.context });
    const state = new StateStack(app, 'BatonState');
    const service = new ServiceStack(app, 'BatonService', { config: parseConfig(cdkJson.context), state });
    const [fn] = Object.values(Template.fromStack(service).findResources('AWS::Lambda::Function'));
    const zip = fn!.Properties.Code.S3Key as string;
    assetDir = join(outdir, `asset.${zip.replace(/\.zip$/, '')}`);
  }, 120_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('is one minified ES module with its source map, under 1 MB', () => {
    const bundle = join(assetDir, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const bytes = statSync(bundle).size;
    process.stdout.write(`dispatch bundle: ${bytes} bytes\n`);
    expect(bytes).toBeLessThan(1024 * 1024);
    expect(readFileSync(bundle, 'utf8')).toMatch(/createRequire/);
  });

  it('is built from the handler and the core, and holds nothing of mjml', () => {
    const map = JSON.parse(readFileSync(join(assetDir, 'index.mjs.map'), 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith('functions/handlers/dispatch.ts'))).toBe(true);
    expect(map.sources.some((s) => s.endsWith('functions/core/jobs.ts'))).toBe(true);
    expect(map.sources.filter((s) => /mjml/i.test(s))).toEqual([]);
    expect(readFileSync(join(assetDir, 'index.mjs'), 'utf8')).not.toMatch(/mjml/i);
  });

  describe('when run', () => {
    type Handler = (event: unknown) => Promise<{ accepted: unknown }>;
    let handler: Handler;
    beforeAll(async () => {
      ({ handler } = (await import(pathToFileURL(join(assetDir, 'index.mjs')).href)) as { handler: Handler });
    });

    it('accepts a job and logs it as one JSON line', async () => {
      const lines: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
      try {
        const job = { kind: 'reminder', seriesId: 'q1-productivity', trainingSlug: 'deep-work', timeZone: 'Asia/Brunei' };
        await expect(handler(job)).resolves.toEqual({ accepted: job });
      } finally {
        write.mockRestore();
      }
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        {
          level: 'INFO',
          message: 'job accepted',
          job: { kind: 'reminder', seriesId: 'q1-productivity', trainingSlug: 'deep-work', timeZone: 'Asia/Brunei' },
        },
      ]);
    });

    it('rejects an event that is not a job, saying what is wrong', async () => {
      await expect(handler({ kind: 'reminder', seriesId: 'q1-productivity' })).rejects.toThrow(
        /trainingSlug[\s\S]*is required for training, reminder and follow-up jobs/,
      );
      await expect(handler({ kind: 'newsletter', seriesId: 'Q1 Productivity', timeZone: 'Mars/Olympus' })).rejects.toThrow(
        /not a job[\s\S]*kind[\s\S]*seriesId[\s\S]*timeZone/,
      );
      await expect(handler({ kind: 'digest', seriesId: 'q1-productivity' })).resolves.toEqual({
        accepted: { kind: 'digest', seriesId: 'q1-productivity' },
      });
    });
  });
});
