import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '#infra/config';
import { KEYED_FILES, KEYED_FOLDERS, synthApp, synthKey } from '#test/support/app-synth';

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

  // The synth of cdk.json's own context, bundles and all, is made once for this file and
  // bundle.test.ts (test/support/app-synth.ts), and reused while its sources are unchanged.
  it('synthesizes both stacks from valid context, every function bundled, with nothing else on stderr', async () => {
    const { outdir: assembly, stderr } = await synthApp();
    const bundled = stderr.split('\n').filter((line) => /^Bundling asset BatonService\/[\w-]+\/Code\/Stage\.\.\.$/.test(line));
    expect(bundled).toHaveLength(8);
    // No warning, deprecation or finding: the CDK's notice of each bundle is all it writes.
    expect(stderr.split('\n').filter((line) => line !== '' && !bundled.includes(line))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(assembly, 'manifest.json'), 'utf8'));
    const stacks = Object.fromEntries(
      Object.entries(manifest.artifacts as Record<string, { type: string; dependencies?: string[] }>)
        .filter(([, artifact]) => artifact.type === 'aws:cloudformation:stack')
        .map(([id, artifact]) => [id, artifact.dependencies ?? []]),
    );
    expect(Object.keys(stacks).sort()).toEqual(['BatonService', 'BatonState']);
    expect(stacks.BatonService).toContain('BatonState');
    // CloudFormation's template validation runs in this synth, and takes its time on a busy machine.
  }, 300_000);
});

describe('the shared synth (test/support/app-synth.ts)', () => {
  let copy: string;
  afterEach(() => rmSync(copy, { recursive: true, force: true }));

  // A project with one file in each place the key is made of, and some it is not.
  function project(): string {
    copy = mkdtempSync(join(tmpdir(), 'baton-key-'));
    const files = [...KEYED_FOLDERS.map((f) => `${f}/a.ts`), 'functions/handlers/b.ts', ...KEYED_FILES, 'README.md', 'cli/dist/main.js', 'test/unit/a.test.ts'];
    for (const file of files) {
      mkdirSync(dirname(join(copy, file)), { recursive: true });
      writeFileSync(join(copy, file), `// ${file}\n`);
    }
    return copy;
  }

  it('is made again when anything it is made from changes, and only then', () => {
    const dir = project();
    const env = { CDK_DEFAULT_REGION: 'eu-west-1' };
    const key = synthKey(dir, env);
    expect(synthKey(dir, { ...env })).toBe(key);
    const edited = (file: string, change: (path: string) => void) => {
      const path = join(dir, file);
      const before = readFileSync(path);
      change(path);
      const after = synthKey(dir, env);
      writeFileSync(path, before);
      return after;
    };
    const append = (path: string) => writeFileSync(path, `${readFileSync(path, 'utf8')}export {};\n`);
    for (const file of [...KEYED_FOLDERS.map((f) => `${f}/a.ts`), 'functions/handlers/b.ts', ...KEYED_FILES]) expect(edited(file, append), file).not.toBe(key);
    for (const file of ['README.md', 'cli/dist/main.js', 'test/unit/a.test.ts']) expect(edited(file, append), file).toBe(key);
    // A file added or renamed changes it too, as does the account or region the app is given.
    writeFileSync(join(dir, 'contract/new.ts'), '// contract/new.ts\n');
    expect(synthKey(dir, env)).not.toBe(key);
    rmSync(join(dir, 'contract/new.ts'));
    renameSync(join(dir, 'functions/handlers/b.ts'), join(dir, 'functions/handlers/c.ts'));
    expect(synthKey(dir, env)).not.toBe(key);
    renameSync(join(dir, 'functions/handlers/c.ts'), join(dir, 'functions/handlers/b.ts'));
    expect(synthKey(dir, env)).toBe(key);
    expect(synthKey(dir, { CDK_DEFAULT_REGION: 'us-east-1' })).not.toBe(key);
  });
});
