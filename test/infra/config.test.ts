import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '#infra/config';

const root = new URL('../../', import.meta.url).pathname;
const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { app: string; context: Record<string, unknown> };
const cdkContext = cdkJson.context;

const valid = {
  domain: 'baton.example.com',
  inboundSubdomain: 'reply',
  sender: 'training@baton.example.com',
  operatorEmail: 'ops@example.org',
};

function errorOf(context: Record<string, unknown>): string {
  try {
    parseConfig(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected parseConfig to throw');
}

describe('parseConfig', () => {
  it('accepts the example context in cdk.json', () => {
    const config = parseConfig(cdkContext);
    expect(config.domain).toBe(cdkContext.domain);
    expect(config.inboundDomain).toBe(`${String(cdkContext.inboundSubdomain)}.${String(cdkContext.domain)}`);
  });

  it('normalises case, derives the inbound domain and coerces a -c number given as text', () => {
    const config = parseConfig({ ...valid, domain: 'Baton.Example.COM', sender: 'Training@mail.baton.example.com', maxSendRate: '14' });
    expect(config).toEqual({
      domain: 'baton.example.com',
      inboundSubdomain: 'reply',
      inboundDomain: 'reply.baton.example.com',
      sender: 'training@mail.baton.example.com',
      operatorEmail: 'ops@example.org',
      maxSendRate: 14,
    });
  });

  it('defaults the send rate to the SES sandbox rate of 1 per second', () => {
    expect(parseConfig(valid).maxSendRate).toBe(1);
  });

  it('says which value is missing and how to set it', () => {
    const { domain: _, ...withoutDomain } = valid;
    expect(errorOf(withoutDomain)).toContain(
      'context value `domain` is missing: pass -c domain=… or set it under "context" in cdk.json',
    );
    expect(errorOf({ ...valid, sender: '' })).toContain('context value `sender` is missing');
  });

  it('lists every problem at once', () => {
    const message = errorOf({ inboundSubdomain: 'reply.mail', maxSendRate: 'fast' });
    for (const key of ['domain', 'sender', 'operatorEmail']) expect(message).toContain(`\`${key}\` is missing`);
    expect(message).toContain('`inboundSubdomain` must be one DNS label');
    expect(message).toContain('`maxSendRate` must be a number of emails per second');
  });

  it('rejects a sender outside the sending domain', () => {
    expect(errorOf({ ...valid, sender: 'training@elsewhere.com' })).toContain(
      '`sender` must be an address at baton.example.com (or one of its subdomains)',
    );
    // A look-alike suffix is not a subdomain.
    expect(errorOf({ ...valid, sender: 'x@evilbaton.example.com' })).toContain('`sender` must be an address at');
  });

  it('rejects malformed values with what to do', () => {
    expect(errorOf({ ...valid, domain: 'localhost' })).toContain(
      '`domain` must be a domain name such as baton.example.com: fix it in cdk.json or pass -c domain=…',
    );
    expect(errorOf({ ...valid, operatorEmail: 'ops' })).toContain('`operatorEmail` must be an email address');
    expect(errorOf({ ...valid, maxSendRate: 0 })).toContain('`maxSendRate` must be more than 0');
  });
});

describe('infra/app.ts', () => {
  const run = promisify(execFile);
  let outdir: string | undefined;
  afterEach(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
    outdir = undefined;
  });

  // The command cdk.json gives the CDK CLI, run as it runs it: the app's context in CDK_CONTEXT_JSON,
  // its output folder in CDK_OUTDIR.
  const [command, ...args] = cdkJson.app.split(' ');
  async function synth(context: Record<string, unknown>) {
    outdir = mkdtempSync(join(tmpdir(), 'baton-app-'));
    return run(command === 'node' ? process.execPath : command!, args, {
      cwd: root,
      env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
    }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
  }

  it('stops before synthesis with the configuration message and no stack trace', async () => {
    const { code, stderr } = await synth({ ...valid, domain: undefined, sender: 'someone' });
    expect(code).toBe(1);
    expect(stderr).toContain("Baton's deployment configuration is invalid:");
    expect(stderr).toContain('context value `domain` is missing');
    expect(stderr).toContain('context value `sender` must be an email address');
    expect(stderr).not.toMatch(/^\s+at /m);
  });

  it('synthesizes both stacks from valid context', async () => {
    const { code, stderr } = await synth({ ...cdkContext, 'aws:cdk:bundling-stacks': [] });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(outdir!, 'manifest.json'), 'utf8'));
    const stacks = Object.fromEntries(
      Object.entries(manifest.artifacts as Record<string, { type: string; dependencies?: string[] }>)
        .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
        .map(([id, artifact]) => [id, artifact.dependencies ?? []]),
    );
    expect(Object.keys(stacks).sort()).toEqual(['BatonService', 'BatonState']);
    expect(stacks.BatonService).toContain('BatonState');
    // CloudFormation's template validation runs in this synth, and takes its time on a busy machine.
  }, 120_000);
});
