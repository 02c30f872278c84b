// The token-secret adapter: SigV4 against published vectors, the GetSecretValue call against a
// local HTTP server speaking Secrets Manager's JSON protocol, the secret format, and the cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cachedLoader, fetchSecret, parseTokenSecrets, signV4, tokenSecretsFromEnv } from '#adapters/secrets';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const at = new Date('2015-08-30T12:36:00Z');

describe('signV4', () => {
  it("matches AWS's documented example (IAM ListUsers)", () => {
    const headers = signV4(
      {
        method: 'GET',
        host: 'iam.amazonaws.com',
        path: '/',
        query: 'Action=ListUsers&Version=2010-05-08',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: '',
      },
      { credentials, region: 'us-east-1', service: 'iam', now: at },
    );
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, ' +
        'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    );
  });

  it('signs a GetSecretValue call with a session token as the AWS SDK signer does', () => {
    // Expected value computed with @smithy/signature-v4 (the SDK's signer) for the same input.
    const headers = signV4(
      {
        method: 'POST',
        host: 'secretsmanager.eu-west-1.amazonaws.com',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
        body: JSON.stringify({ SecretId: 'arn:x' }),
      },
      { credentials: { ...credentials, sessionToken: 'TOKEN' }, region: 'eu-west-1', service: 'secretsmanager', now: at },
    );
    expect(headers['x-amz-security-token']).toBe('TOKEN');
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/eu-west-1/secretsmanager/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, ' +
        'Signature=4f49461df6766cefcf91974ce653503fc4e9f925ffffb83e737732aa6a462a89',
    );
  });
});

describe('parseTokenSecrets', () => {
  it('takes one secret, or a JSON array whose first one signs', () => {
    expect(parseTokenSecrets('  abcdefghijklmnopqrstuvwxyz\n')).toEqual(['abcdefghijklmnopqrstuvwxyz']);
    expect(parseTokenSecrets('["new-secret-0123456789","old-secret-0123456789"]')).toEqual(['new-secret-0123456789', 'old-secret-0123456789']);
  });
  it('refuses short secrets and broken arrays, naming the secret', () => {
    expect(() => parseTokenSecrets('short', 'arn:s')).toThrow(/arn:s must be a secret of at least 16 characters/);
    expect(() => parseTokenSecrets('[not json', 'arn:s')).toThrow(/arn:s starts with "\[" but is not a JSON array/);
    expect(() => parseTokenSecrets('[]')).toThrow(/at least 16 characters/);
  });
});

describe('cachedLoader', () => {
  it('loads once, again after maxAge, and retries after a failure', async () => {
    let clock = 0;
    let calls = 0;
    let fail = true;
    const load = cachedLoader(
      async () => {
        calls++;
        if (fail) throw new Error('boom');
        return calls;
      },
      { maxAgeMs: 1000, clock: () => clock },
    );
    await expect(load()).rejects.toThrow('boom');
    fail = false;
    expect(await load()).toBe(2);
    expect(await Promise.all([load(), load()])).toEqual([2, 2]);
    clock = 1000;
    expect(await load()).toBe(3);
    expect(calls).toBe(3);
  });
});

describe('fetchSecret against a local Secrets Manager endpoint', () => {
  let server: Server;
  let endpoint: string;
  const seen: { target?: string; body: string; authorization?: string; token?: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        seen.push({
          target: req.headers['x-amz-target'] as string,
          body,
          authorization: req.headers.authorization,
          token: req.headers['x-amz-security-token'] as string,
        });
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        if (SecretId === 'arn:missing') {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' }).end('{"__type":"ResourceNotFoundException"}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' }).end(JSON.stringify({ ARN: SecretId, SecretString: '["current-secret-0123456789","previous-secret-0123456789"]' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends a signed GetSecretValue and returns the SecretString', async () => {
    const value = await fetchSecret({ secretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:baton', region: 'eu-west-1', credentials, endpoint });
    expect(value).toBe('["current-secret-0123456789","previous-secret-0123456789"]');
    const last = seen.at(-1)!;
    expect(last.target).toBe('secretsmanager.GetSecretValue');
    expect(JSON.parse(last.body)).toEqual({ SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:baton' });
    expect(last.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/secretsmanager\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/);
  });

  it('explains a failure', async () => {
    await expect(fetchSecret({ secretId: 'arn:missing', region: 'eu-west-1', credentials, endpoint })).rejects.toThrow(
      /GetSecretValue for arn:missing failed with HTTP 400: .*ResourceNotFoundException.*secretsmanager:GetSecretValue/,
    );
  });

  it('tokenSecretsFromEnv reads the Lambda environment once and caches the list', async () => {
    const before = seen.length;
    const secrets = tokenSecretsFromEnv({
      REPLY_TOKEN_SECRET_ARN: 'arn:baton',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKID',
      AWS_SECRET_ACCESS_KEY: 'SECRET',
      AWS_SESSION_TOKEN: 'SESSION',
      SECRETS_MANAGER_ENDPOINT: endpoint,
    });
    expect(await secrets()).toEqual(['current-secret-0123456789', 'previous-secret-0123456789']);
    expect(await secrets()).toEqual(['current-secret-0123456789', 'previous-secret-0123456789']);
    expect(seen.length - before).toBe(1);
    expect(seen.at(-1)!.token).toBe('SESSION');
  });

  it('tokenSecretsFromEnv fails loudly without its variables', () => {
    expect(() => tokenSecretsFromEnv({ AWS_REGION: 'eu-west-1' })).toThrow(/REPLY_TOKEN_SECRET_ARN is not set/);
  });
});
