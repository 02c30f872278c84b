// The token-secret adapter: GetSecretValue through the real Secrets Manager client with its
// transport replaced by aws-sdk-client-mock (no AWS calls), the secret format, and the cache.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { cachedLoader, fetchSecret, parseTokenSecrets, secretsManagerClient, tokenSecretsFromEnv } from '#adapters/aws/secrets';

const secretsManager = mockClient(SecretsManagerClient);
afterAll(() => secretsManager.restore());
beforeEach(() => secretsManager.reset());

const ROTATING = '["current-secret-0123456789","previous-secret-0123456789"]';

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

describe('fetchSecret', () => {
  it('sends GetSecretValue for the secret and returns its SecretString', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ ARN: 'arn:x', SecretString: ROTATING });
    const value = await fetchSecret('arn:aws:secretsmanager:eu-west-1:1:secret:baton', new SecretsManagerClient({ region: 'eu-west-1' }));
    expect(value).toBe(ROTATING);
    const calls = secretsManager.commandCalls(GetSecretValueCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ SecretId: 'arn:aws:secretsmanager:eu-west-1:1:secret:baton' });
  });

  it('says what to check when the secret is missing or not allowed', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 } }));
    await expect(fetchSecret('arn:missing', new SecretsManagerClient({ region: 'eu-west-1' }))).rejects.toThrow(
      /GetSecretValue for arn:missing failed: ResourceNotFoundException: Secrets Manager can't find the specified secret\. Check that the function may call secretsmanager:GetSecretValue/,
    );
  });

  it('refuses a binary secret', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretBinary: new Uint8Array([1, 2, 3]) });
    await expect(fetchSecret('arn:binary', new SecretsManagerClient({ region: 'eu-west-1' }))).rejects.toThrow(
      'secret arn:binary has no SecretString: store the token secret as text, not binary',
    );
  });
});

describe('tokenSecretsFromEnv', () => {
  it('reads the secret named in the environment once per container and caches the list', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'arn:baton' }).resolves({ SecretString: ROTATING });
    const secrets = tokenSecretsFromEnv({ REPLY_TOKEN_SECRET_ARN: 'arn:baton', AWS_REGION: 'eu-west-1' });
    expect(await secrets()).toEqual(['current-secret-0123456789', 'previous-secret-0123456789']);
    expect(await secrets()).toEqual(['current-secret-0123456789', 'previous-secret-0123456789']);
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'arn:baton' }]);
  });

  it('does not cache a failed read: the next call tries again', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: 'one-secret-of-enough-length' });
    const secrets = tokenSecretsFromEnv({ REPLY_TOKEN_SECRET_ARN: 'arn:baton', AWS_REGION: 'eu-west-1' });
    await expect(secrets()).rejects.toThrow(/ThrottlingException: Rate exceeded/);
    expect(await secrets()).toEqual(['one-secret-of-enough-length']);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('names a secret in the wrong format', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    await expect(tokenSecretsFromEnv({ REPLY_TOKEN_SECRET_ARN: 'arn:baton', AWS_REGION: 'eu-west-1' })()).rejects.toThrow(
      /arn:baton must be a secret of at least 16 characters/,
    );
  });

  it('fails loudly without its variables', () => {
    expect(() => tokenSecretsFromEnv({ AWS_REGION: 'eu-west-1' })).toThrow(/REPLY_TOKEN_SECRET_ARN is not set/);
    expect(() => tokenSecretsFromEnv({ REPLY_TOKEN_SECRET_ARN: 'arn:baton' })).toThrow(/AWS_REGION is not set/);
  });

  it('uses one client per container', () => {
    expect(secretsManagerClient('eu-west-1')).toBe(secretsManagerClient('eu-west-1'));
  });
});
