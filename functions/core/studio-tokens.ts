// The trainer studio's signed tokens: the sign-in link a trainer gets by email, the session cookie
// it turns into, and the CSRF token bound to that session. Pure (the nonce and `now` come in).
//
//   sign-in  base64url(JSON {e: email, n: nonce, x: expiry seconds}) . MAC   15 minutes, and
//            single-use: its nonce is stored when the mail goes out and consumed by one
//            conditional write when the trainer presses the button (app/studio/sign-in.ts)
//   session  base64url(JSON {e: email, s: session id, x: expiry seconds}) . MAC   12 hours
//   csrf     MAC over the session id: a form's hidden field, so a page on another site cannot
//            post as the trainer (it can neither read the HttpOnly cookie nor compute the MAC)
//
// Each kind has its own MAC label, so a sign-in token never passes as a session or as a one-click
// link token, and the secrets are the same list the links use (the first signs, any verifies).
import { mac, macMatchesAny, secretList, type Secrets } from './tokens.ts';

export const SIGN_IN_MINUTES = 15;
export const SESSION_HOURS = 12;
const MAC_BYTES = 16;
const LABELS = {
  signin: Buffer.from('baton/studio-signin/v1\0'),
  session: Buffer.from('baton/studio-session/v1\0'),
  csrf: Buffer.from('baton/studio-csrf/v1\0'),
} as const;

export interface SignInClaims {
  email: string;
  nonce: string;
  expiresAt: Date;
}

export interface SessionClaims {
  email: string;
  sessionId: string;
  expiresAt: Date;
}

export type StudioTokenError = { error: 'malformed' | 'bad-signature' | 'expired' };

function sign(kind: 'signin' | 'session', claims: Record<string, string | number>, secrets: Secrets): string {
  const [secret] = secretList(secrets);
  const body = Buffer.from(JSON.stringify(claims), 'utf8');
  return `${body.toString('base64url')}.${mac(secret!, LABELS[kind], body, MAC_BYTES).toString('base64url')}`;
}

function open(kind: 'signin' | 'session', token: string, secrets: Secrets, now: Date): Record<string, unknown> | StudioTokenError {
  const m = /^([A-Za-z0-9_-]{1,2048})\.([A-Za-z0-9_-]{22})$/.exec(token);
  if (!m) return { error: 'malformed' };
  const body = Buffer.from(m[1]!, 'base64url');
  const given = Buffer.from(m[2]!, 'base64url');
  if (body.toString('base64url') !== m[1] || given.length !== MAC_BYTES) return { error: 'malformed' };
  if (!macMatchesAny(secretList(secrets), LABELS[kind], body, given)) return { error: 'bad-signature' };
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    return { error: 'malformed' };
  }
  if (typeof claims.x !== 'number' || typeof claims.e !== 'string') return { error: 'malformed' };
  if (now.getTime() >= claims.x * 1000) return { error: 'expired' };
  return claims;
}

export function signSignInToken(input: { email: string; nonce: string; now: Date }, secrets: Secrets): { token: string; expiresAt: Date } {
  const x = Math.floor(input.now.getTime() / 1000) + SIGN_IN_MINUTES * 60;
  return { token: sign('signin', { e: input.email, n: input.nonce, x }, secrets), expiresAt: new Date(x * 1000) };
}

export function verifySignInToken(token: string, secrets: Secrets, now: Date): SignInClaims | StudioTokenError {
  const c = open('signin', token, secrets, now);
  if ('error' in c) return c as StudioTokenError;
  if (typeof c.n !== 'string' || !c.n) return { error: 'malformed' };
  return { email: c.e as string, nonce: c.n, expiresAt: new Date((c.x as number) * 1000) };
}

export function signSession(input: { email: string; sessionId: string; now: Date }, secrets: Secrets): { token: string; expiresAt: Date } {
  const x = Math.floor(input.now.getTime() / 1000) + SESSION_HOURS * 3600;
  return { token: sign('session', { e: input.email, s: input.sessionId, x }, secrets), expiresAt: new Date(x * 1000) };
}

export function verifySession(token: string, secrets: Secrets, now: Date): SessionClaims | StudioTokenError {
  const c = open('session', token, secrets, now);
  if ('error' in c) return c as StudioTokenError;
  if (typeof c.s !== 'string' || !c.s) return { error: 'malformed' };
  return { email: c.e as string, sessionId: c.s, expiresAt: new Date((c.x as number) * 1000) };
}

/** The CSRF token of a session: every form of the studio carries it, every POST must return it. */
export function csrfToken(sessionId: string, secrets: Secrets): string {
  return mac(secretList(secrets)[0]!, LABELS.csrf, Buffer.from(sessionId, 'utf8'), MAC_BYTES).toString('base64url');
}

export function csrfMatches(sessionId: string, given: string | undefined, secrets: Secrets): boolean {
  if (!given || !/^[A-Za-z0-9_-]{22}$/.test(given)) return false;
  const bytes = Buffer.from(given, 'base64url');
  if (bytes.length !== MAC_BYTES) return false;
  return macMatchesAny(secretList(secrets), LABELS.csrf, Buffer.from(sessionId, 'utf8'), bytes);
}
