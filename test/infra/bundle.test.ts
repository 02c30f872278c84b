// Bundles every function the way `cdk synth` and `cdk deploy` do (NodejsFunction with the local
// esbuild and the house options), then loads and runs the bundles: dispatch's refusals, and the
// mail-events bundle for real against dynalite.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStore } from '#adapters/aws/dynamo';
import { BUNDLE_BUDGET_BYTES } from '#infra/baton-function';
import { parseConfig } from '#infra/config';
import { ServiceStack } from '#infra/service-stack';
import { StateStack } from '#infra/state-stack';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));
const FUNCTIONS = ['dispatch', 'send-worker', 'inbound', 'links', 'studio', 'mail-events', 'receipt-filter'] as const;

describe('the function bundles', () => {
  let outdir: string;
  const assetDirs: Record<string, string> = {};

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'baton-bundle-'));
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: cdkJson.context });
    const state = new StateStack(app, 'BatonState', { domain: parseConfig(cdkJson.context).domain });
    const service = new ServiceStack(app, 'BatonService', { config: parseConfig(cdkJson.context), state });
    const resources = Template.fromStack(service).toJSON().Resources;
    for (const name of FUNCTIONS) {
      const id = service.getLogicalId(service.node.findChild(name).node.defaultChild as CfnElement);
      const zip = resources[id].Properties.Code.S3Key as string;
      assetDirs[name] = join(outdir, `asset.${zip.replace(/\.zip$/, '')}`);
    }
  }, 300_000);
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const load = async <T>(name: string) => (await import(pathToFileURL(join(assetDirs[name]!, 'index.mjs')).href)) as T;

  it.each(FUNCTIONS)('%s is one minified ES module with its source map, within budget, with nothing of mjml, classic zod or the credential chain', (name) => {
    const bundle = join(assetDirs[name]!, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    expect(existsSync(`${bundle}.map`)).toBe(true);
    const bytes = statSync(bundle).size;
    process.stdout.write(`${name} bundle: ${bytes} bytes\n`);
    expect(bytes).toBeLessThan(BUNDLE_BUDGET_BYTES[name]!);
    const code = readFileSync(bundle, 'utf8');
    expect(code).toMatch(/createRequire/);
    expect(code).not.toMatch(/mjml/i);
    // Cold start (issue 16): the schemas are zod/mini, whose schema names say so; classic zod's
    // would mean a classic import (or Powertools' parser schemas) brought ~450 KB back.
    expect(code).toContain('"ZodMiniObject"');
    expect(code).not.toContain('"ZodObject"');
    // The SDK's credential chain is the environment link only: no SSO, INI or web-identity links.
    expect(code).not.toContain('defaultProvider::fromSSO');
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith(`functions/handlers/${name}.ts`))).toBe(true);
  });

  describe('dispatch, when run', () => {
    type Handler = (event: unknown) => Promise<unknown>;
    it('refuses to start without the environment the stack sets, naming every missing variable', async () => {
      const { handler } = await load<{ handler: Handler }>('dispatch');
      const saved = { ...process.env };
      for (const key of ['TABLE_NAME', 'BATON_DOMAIN', 'BATON_FANOUT_QUEUE_URL']) delete process.env[key];
      try {
        await expect(handler({ kind: 'digest', seriesId: 'q1-productivity' })).rejects.toThrow(
          /dispatch function's environment is incomplete[\s\S]*TABLE_NAME is not set[\s\S]*BATON_DOMAIN is not set[\s\S]*BATON_FANOUT_QUEUE_URL is not set[\s\S]*redeploy/,
        );
      } finally {
        process.env = saved;
      }
    });
  });

  it('writes its stack traces in the TypeScript sources, as Lambda runs it (no --enable-source-maps)', () => {
    // A plain node process, as Lambda's runtime imports the bundle: vitest would transform it, which
    // moves the positions the map speaks of. adapters/aws/stack-traces.ts reads the map only now.
    const probe = `const { handler } = await import(process.argv[1]); try { await handler({}); } catch (e) { process.stdout.write(e.stack); }`;
    const stack = execFileSync(process.execPath, ['--input-type=module', '-e', probe, pathToFileURL(join(assetDirs.dispatch!, 'index.mjs')).href], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    const frames = stack.split('\n').filter((l) => l.startsWith('    at '));
    expect(stack).toMatch(/^RuntimeConfigError: the dispatch function's environment is incomplete/);
    expect(frames[0]).toMatch(/^ {4}at readRuntimeConfig \(.*functions\/adapters\/aws\/runtime-config\.ts:\d+:\d+\)$/);
    expect(frames[1]).toMatch(/^ {4}at dispatchFromEnv \(.*functions\/handlers\/dispatch\.ts:\d+:\d+\)$/);
  });

  describe('mail-events, when run against dynalite', () => {
    let db: TestDynalite;
    beforeAll(async () => {
      db = await startDynalite();
    });
    afterAll(() => db?.stop());

    it('suppresses a bounced address and marks it in its series, logging JSON lines and an EMF metric without the address', async () => {
      const store = createStore({ client: db.client, tableName: db.tableName });
      await store.putParticipants('q1-productivity', [{ email: 'gone@example.com', name: 'Gone', timeZone: 'UTC', workStart: '09:00' }]);
      const saved = { ...process.env };
      // The bundled SDK finds dynalite through the standard endpoint variable, as it would find AWS.
      Object.assign(process.env, {
        TABLE_NAME: db.tableName,
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
      const lines: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
      try {
        const { handler } = await load<{ handler: (e: unknown) => Promise<unknown> }>('mail-events');
        const result = await handler({
          source: 'aws.ses',
          'detail-type': 'Email Bounced',
          detail: {
            eventType: 'Bounce',
            mail: { messageId: 'ses-1' },
            bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'gone@example.com' }], timestamp: '2027-02-01T10:00:00.000Z' },
          },
        });
        expect(result).toEqual({ suppressed: ['gone@example.com'], marked: ['q1-productivity:gone@example.com'] });
      } finally {
        write.mockRestore();
        process.env = saved;
      }
      expect(await store.isSuppressed('gone@example.com')).toBe(true);
      expect((await store.getParticipant('q1-productivity', 'gone@example.com'))?.bouncedAt).toBe('2027-02-01T10:00:00.000Z');
      // Powertools Logger and Metrics, bundled: one log line for the event, one EMF line of metrics.
      const parsed = lines.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(parsed.find((l) => l.message === 'mail event')).toMatchObject({ level: 'INFO', function: 'mail-events', sesMessageId: 'ses-1', suppressed: 1, marked: 1 });
      expect(parsed.find((l) => l._aws)).toMatchObject({ function: 'mail-events', AddressesSuppressed: 1 });
      expect(lines.join('')).not.toContain('gone@example.com');
    });
  });
});
