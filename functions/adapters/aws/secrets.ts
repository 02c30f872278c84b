// The token secret in AWS: one Secrets Manager GetSecretValue per Lambda container, cached, so a
// click costs no extra call. The secret string is either the secret itself or, during a rotation,
// a JSON array of secrets whose first one signs (tokens.ts verifies against all of them).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let sharedClient: SecretsManagerClient | undefined;

/**
 * One client per container, made on first use: the SDK resolves the Lambda's credentials and
 * region itself (AWS_ENDPOINT_URL_SECRETS_MANAGER points it elsewhere, if ever needed).
 */
export function secretsManagerClient(region?: string): SecretsManagerClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sharedClient ??= new SecretsManagerClient(region ? { region } : {});
  return sharedClient;
}

/** GetSecretValue: the secret's SecretString; failures say what to check. */
export async function fetchSecret(secretId: string, client: SecretsManagerClient = secretsManagerClient()): Promise<string> {
  let secretString: string | undefined;
  try {
    ({ SecretString: secretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId })));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    throw new Error(
      `Secrets Manager GetSecretValue for ${secretId} failed: ${name}: ${message}. ` +
        'Check that the function may call secretsmanager:GetSecretValue on this secret and that the ARN is right.',
      { cause: error },
    );
  }
  if (typeof secretString !== 'string') {
    throw new Error(`secret ${secretId} has no SecretString: store the token secret as text, not binary`);
  }
  return secretString;
}

/** A secret string as a list: the secret itself, or a JSON array of secrets (first signs). */
export function parseTokenSecrets(secretString: string, secretId = 'the token secret'): string[] {
  const trimmed = secretString.trim();
  let list: unknown = [trimmed];
  if (trimmed.startsWith('[')) {
    try {
      list = JSON.parse(trimmed);
    } catch {
      throw new Error(`${secretId} starts with "[" but is not a JSON array: store one secret, or a JSON array of secrets`);
    }
  }
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string' && s.length >= 16)) {
    throw new Error(`${secretId} must be a secret of at least 16 characters, or a JSON array of such secrets (the first signs)`);
  }
  return list as string[];
}

/**
 * Loads once and keeps the value for `maxAgeMs` (a rotated secret reaches warm containers within
 * that time). A failed load is not cached: the next call tries again.
 */
export function cachedLoader<T>(load: () => Promise<T>, options: { maxAgeMs?: number; clock?: () => number } = {}): () => Promise<T> {
  const maxAgeMs = options.maxAgeMs ?? 60 * 60_000;
  const clock = options.clock ?? Date.now;
  let pending: Promise<T> | undefined;
  let loadedAt = 0;
  return () => {
    if (!pending || clock() - loadedAt >= maxAgeMs) {
      loadedAt = clock();
      pending = load().catch((error: unknown) => {
        pending = undefined;
        throw error;
      });
    }
    return pending;
  };
}

type SecretEnv = Partial<Record<'REPLY_TOKEN_SECRET_ARN' | 'AWS_REGION', string>>;

function required(env: SecretEnv, name: keyof SecretEnv): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set: the stack sets it on the function; redeploy it`);
  return value;
}

/**
 * The token secrets of this Lambda: REPLY_TOKEN_SECRET_ARN, read once per container (cached).
 * Handlers pass their parsed runtime config (runtime-config.ts), never process.env itself.
 */
export function tokenSecretsFromEnv(env: SecretEnv, client?: SecretsManagerClient): () => Promise<string[]> {
  const secretId = required(env, 'REPLY_TOKEN_SECRET_ARN');
  const region = required(env, 'AWS_REGION');
  return cachedLoader(async () => parseTokenSecrets(await fetchSecret(secretId, client ?? secretsManagerClient(region)), secretId));
}
