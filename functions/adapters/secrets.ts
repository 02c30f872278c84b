// The token secret in AWS: one Secrets Manager GetSecretValue per Lambda container, cached, so a
// click costs no extra call. The secret string is either the secret itself or, during a rotation,
// a JSON array of secrets whose first one signs (tokens.ts verifies against all of them).
//
// Why a signed fetch instead of @aws-sdk/client-secrets-manager: the project does not depend on
// that client yet, and one JSON call needs no more than SigV4 (node:crypto) and the Lambda's own
// credentials from its environment. Swapping in the SDK client later changes only `fetchSecret`.
import { createHash, createHmac } from 'node:crypto';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignableRequest {
  method: string;
  host: string;
  path: string;
  /** Already in canonical order and encoding, without `?`. */
  query?: string;
  headers: Record<string, string>;
  body: string;
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** `20150830T123600Z` */
export function amzDate(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * AWS Signature Version 4: returns the headers to send (the given ones plus host, x-amz-date,
 * x-amz-security-token and authorization).
 */
export function signV4(
  request: SignableRequest,
  options: { credentials: AwsCredentials; region: string; service: string; now: Date },
): Record<string, string> {
  const date = amzDate(options.now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = { ...request.headers, host: request.host, 'x-amz-date': date };
  if (options.credentials.sessionToken) headers['x-amz-security-token'] = options.credentials.sessionToken;
  const names = Object.keys(headers)
    .map((n) => n.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim().replace(/\s+/g, ' ')]));
  const signedHeaders = names.join(';');
  const canonical = [
    request.method.toUpperCase(),
    request.path,
    request.query ?? '',
    names.map((n) => `${n}:${lower[n]}\n`).join(''),
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${options.region}/${options.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonical)].join('\n');
  let key = hmac(`AWS4${options.credentials.secretAccessKey}`, day);
  for (const part of [options.region, options.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${options.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

export interface FetchSecretOptions {
  secretId: string;
  region: string;
  credentials: AwsCredentials;
  /** Defaults to https://secretsmanager.<region>.amazonaws.com (tests point it at a local server). */
  endpoint?: string;
  now?: Date;
}

/** GetSecretValue: the secret's SecretString. */
export async function fetchSecret(options: FetchSecretOptions): Promise<string> {
  const endpoint = new URL(options.endpoint ?? `https://secretsmanager.${options.region}.amazonaws.com`);
  const body = JSON.stringify({ SecretId: options.secretId });
  const headers = signV4(
    {
      method: 'POST',
      host: endpoint.host,
      path: '/',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
      body,
    },
    { credentials: options.credentials, region: options.region, service: 'secretsmanager', now: options.now ?? new Date() },
  );
  delete headers.host;
  const res = await fetch(new URL('/', endpoint), { method: 'POST', headers, body });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(
      `Secrets Manager GetSecretValue for ${options.secretId} failed with HTTP ${res.status}: ${text.slice(0, 300)}. ` +
        'Check that the function may call secretsmanager:GetSecretValue on this secret and that the ARN is right.',
    );
  }
  const secretString = (JSON.parse(text) as { SecretString?: unknown }).SecretString;
  if (typeof secretString !== 'string') {
    throw new Error(`secret ${options.secretId} has no SecretString: store the token secret as text, not binary`);
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

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set: the stack sets it on the function; redeploy it`);
  return value;
}

/** The token secrets of this Lambda: REPLY_TOKEN_SECRET_ARN, read once per container (cached). */
export function tokenSecretsFromEnv(env: NodeJS.ProcessEnv = process.env): () => Promise<string[]> {
  const secretId = required(env, 'REPLY_TOKEN_SECRET_ARN');
  const region = required(env, 'AWS_REGION');
  return cachedLoader(async () => {
    // Lambda puts the execution role's credentials in the environment.
    const credentials: AwsCredentials = {
      accessKeyId: required(env, 'AWS_ACCESS_KEY_ID'),
      secretAccessKey: required(env, 'AWS_SECRET_ACCESS_KEY'),
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
    return parseTokenSecrets(await fetchSecret({ secretId, region, credentials, ...(env.SECRETS_MANAGER_ENDPOINT ? { endpoint: env.SECRETS_MANAGER_ENDPOINT } : {}) }), secretId);
  });
}
