import { describe, expect, it } from 'vitest';
import { csrfMatches, csrfToken, signSession, signSignInToken, verifySession, verifySignInToken } from '#core/studio-tokens';
import { signLinkToken, verifyLinkToken } from '#core/tokens';

const SECRET = 'unit-studio-secret-0123456789abcdef';
const OTHER = 'another-secret-0123456789abcdefghij';
const NOW = new Date('2027-01-22T12:00:00Z');

describe('studio sign-in tokens', () => {
  it('verify for 15 minutes, then expire', () => {
    const { token, expiresAt } = signSignInToken({ email: 'maya@example.com', nonce: 'n1', now: NOW }, SECRET);
    expect(expiresAt.toISOString()).toBe('2027-01-22T12:15:00.000Z');
    expect(verifySignInToken(token, SECRET, new Date(NOW.getTime() + 14 * 60_000))).toEqual({ email: 'maya@example.com', nonce: 'n1', expiresAt });
    expect(verifySignInToken(token, SECRET, expiresAt)).toEqual({ error: 'expired' });
  });

  it('refuse another secret, an altered body and a session token', () => {
    const { token } = signSignInToken({ email: 'maya@example.com', nonce: 'n1', now: NOW }, SECRET);
    expect(verifySignInToken(token, OTHER, NOW)).toEqual({ error: 'bad-signature' });
    const [body, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ e: 'bo@example.net', n: 'n1', x: 9_999_999_999 })).toString('base64url');
    expect(verifySignInToken(`${forged}.${mac}`, SECRET, NOW)).toEqual({ error: 'bad-signature' });
    expect(verifySignInToken(`${body}.`, SECRET, NOW)).toEqual({ error: 'malformed' });
    const session = signSession({ email: 'maya@example.com', sessionId: 'n1', now: NOW }, SECRET).token;
    expect(verifySignInToken(session, SECRET, NOW)).toEqual({ error: 'bad-signature' });
    expect(verifySession(token, SECRET, NOW)).toEqual({ error: 'bad-signature' });
  });

  it('never pass as a one-click link token, nor the other way round', () => {
    const link = signLinkToken({ action: 'read', seriesId: 's', participantEmail: 'maya@example.com', trainingSlug: 't', expiresAt: new Date('2028-01-01') }, SECRET);
    expect('error' in verifySession(link, SECRET, NOW)).toBe(true);
    const { token } = signSignInToken({ email: 'maya@example.com', nonce: 'n1', now: NOW }, SECRET);
    expect('error' in verifyLinkToken(token, SECRET, NOW)).toBe(true);
  });
});

describe('sessions and CSRF tokens', () => {
  it('last 12 hours', () => {
    const { token } = signSession({ email: 'maya@example.com', sessionId: 's1', now: NOW }, SECRET);
    expect(verifySession(token, SECRET, new Date(NOW.getTime() + 12 * 3_600_000 - 1000))).toMatchObject({ email: 'maya@example.com', sessionId: 's1' });
    expect(verifySession(token, SECRET, new Date(NOW.getTime() + 12 * 3_600_000))).toEqual({ error: 'expired' });
  });

  it('bind the CSRF token to one session and one secret list (rotation: the old secret still verifies)', () => {
    const t = csrfToken('s1', SECRET);
    expect(csrfMatches('s1', t, SECRET)).toBe(true);
    expect(csrfMatches('s2', t, SECRET)).toBe(false);
    expect(csrfMatches('s1', t, OTHER)).toBe(false);
    expect(csrfMatches('s1', t, [OTHER, SECRET])).toBe(true);
    expect(csrfMatches('s1', undefined, SECRET)).toBe(false);
    expect(csrfMatches('s1', `${t}x`, SECRET)).toBe(false);
  });
});
