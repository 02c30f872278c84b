import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode, participantKey, responseKey, seriesKey } from '#core/short-key';
import {
  linkTokenId,
  replyAddress,
  signLinkToken,
  signLegacyReplyToken,
  signReplyToken,
  tokenFromAddress,
  verifyLinkToken,
  verifyReplyToken,
  type LinkTokenPayload,
  type ReplyTokenInput,
} from '#core/tokens';

const SECRET = 'test-secret-0123456789abcdef-0123456789';
const OTHER = 'another-secret-fedcba9876543210-xyz';
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const LONGEST_DOMAIN_FREE_PART = 64;

const EXPIRES = new Date('2027-06-01T00:00:00Z');
const NOW = new Date('2027-03-01T12:00:00Z');
const base: ReplyTokenInput = { seriesId: 'q1-productivity', trainingOrder: 3, participantEmail: 'Ana@Example.com', expiresAt: EXPIRES };
const withComment: ReplyTokenInput = { ...base, target: { kind: 'response', responseId: '01J9Z8Y7X6W5V4T3S2R1Q0P9N8' } };
const withCheckIn: ReplyTokenInput = { ...base, trainingOrder: 255, target: { kind: 'check-in', responseId: 'adopt-01J9Z8Y7X6' } };

describe('reply tokens', () => {
  it('round-trip to the short keys the data layer resolves', () => {
    const claims = verifyReplyToken(signReplyToken(base, SECRET), SECRET, NOW);
    expect(claims).toEqual({
      seriesKey: seriesKey('q1-productivity'),
      trainingOrder: 3,
      participantKey: participantKey('q1-productivity', 'ana@example.com'),
      expiresAt: EXPIRES,
    });
  });

  it('carry a comment target or a check-in target', () => {
    expect(verifyReplyToken(signReplyToken(withComment, SECRET), SECRET, NOW)).toMatchObject({
      target: { kind: 'response', responseKey: responseKey('q1-productivity', '01J9Z8Y7X6W5V4T3S2R1Q0P9N8') },
    });
    expect(verifyReplyToken(signReplyToken(withCheckIn, SECRET), SECRET, NOW)).toMatchObject({
      trainingOrder: 255,
      target: { kind: 'check-in', responseKey: responseKey('q1-productivity', 'adopt-01J9Z8Y7X6') },
    });
  });

  it('fit reply+<token> in a 64-character local part, even the longest', () => {
    for (const input of [base, withComment, withCheckIn]) {
      const token = signReplyToken(input, SECRET);
      expect(token).toMatch(/^[a-z2-7]+$/);
      expect(`reply+${token}`.length).toBeLessThanOrEqual(LONGEST_DOMAIN_FREE_PART);
    }
    // Two bytes of expiry made the longest 51 characters 54; the answered-email byte makes it 56.
    expect(`reply+${signReplyToken({ ...withComment, answers: 'contribution' }, SECRET)}`.length).toBe(56);
    expect(`reply+${signReplyToken({ ...withComment, expiresAt: new Date('2199-06-01T00:00:00Z') }, SECRET)}`.length).toBeLessThanOrEqual(LONGEST_DOMAIN_FREE_PART);
  });

  it('say which email they answer, and which record an ack acknowledged', () => {
    const ack = signReplyToken({ ...base, answers: 'ack', target: { kind: 'ack', responseId: 'r-1' } }, SECRET);
    expect(`reply+${ack}`.length).toBeLessThanOrEqual(LONGEST_DOMAIN_FREE_PART);
    expect(verifyReplyToken(ack, SECRET, NOW)).toMatchObject({ answers: 'ack', target: { kind: 'ack' } });
    expect(verifyReplyToken(signReplyToken({ ...base, answers: 'rollup' }, SECRET), SECRET, NOW)).toMatchObject({ answers: 'rollup' });
    expect(verifyReplyToken(signReplyToken(base, SECRET), SECRET, NOW)).not.toHaveProperty('answers');
  });

  it('survive a server that upper- or mixed-cases the local part', () => {
    const token = signReplyToken(withComment, SECRET);
    const mixed = [...token].map((c, i) => (i % 2 ? c.toUpperCase() : c)).join('');
    expect(verifyReplyToken(token.toUpperCase(), SECRET, NOW)).toEqual(verifyReplyToken(token, SECRET, NOW));
    expect(verifyReplyToken(mixed, SECRET, NOW)).toEqual(verifyReplyToken(token, SECRET, NOW));
  });

  it('reject every single-character change, at every position', () => {
    for (const input of [base, withComment]) {
      const token = signReplyToken(input, SECRET);
      for (let i = 0; i < token.length; i++) {
        for (const c of ALPHABET) {
          if (c === token[i]) continue;
          const tampered = token.slice(0, i) + c + token.slice(i + 1);
          const result = verifyReplyToken(tampered, SECRET, NOW);
          expect(result, `position ${i} → ${c}`).toHaveProperty('error');
        }
      }
    }
  });

  it('say bad-signature for a well-formed token signed with another secret, malformed for junk', () => {
    expect(verifyReplyToken(signReplyToken(base, OTHER), SECRET, NOW)).toEqual({ error: 'bad-signature' });
    expect(verifyReplyToken('', SECRET, NOW)).toEqual({ error: 'malformed' });
    expect(verifyReplyToken('not-base32!', SECRET, NOW)).toEqual({ error: 'malformed' });
    expect(verifyReplyToken(signReplyToken(base, SECRET).slice(0, -1), SECRET, NOW)).toEqual({ error: 'malformed' });
    expect(verifyReplyToken(`${signReplyToken(base, SECRET)}aa`, SECRET, NOW)).toEqual({ error: 'malformed' });
  });

  it('verify during a key rotation: new secret signs, old tokens still pass, retired ones fail', () => {
    const old = signReplyToken(base, OTHER);
    const fresh = signReplyToken(base, [SECRET, OTHER]);
    expect(fresh).toBe(signReplyToken(base, SECRET));
    expect(verifyReplyToken(old, [SECRET, OTHER], NOW)).not.toHaveProperty('error');
    expect(verifyReplyToken(fresh, [SECRET, OTHER], NOW)).not.toHaveProperty('error');
    expect(verifyReplyToken(old, [SECRET], NOW)).toEqual({ error: 'bad-signature' });
  });

  it('differ per participant, training and target (property)', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.emailAddress(), fc.integer({ min: 0, max: 255 }), (a, b, order) => {
        fc.pre(a.toLowerCase() !== b.toLowerCase());
        const ta = signReplyToken({ ...base, participantEmail: a, trainingOrder: order }, SECRET);
        const tb = signReplyToken({ ...base, participantEmail: b, trainingOrder: order }, SECRET);
        expect(ta).not.toBe(tb);
        expect(verifyReplyToken(ta, SECRET, NOW)).toMatchObject({ trainingOrder: order, participantKey: participantKey(base.seriesId, a) });
      }),
      { numRuns: 100 },
    );
  });

  it('refuse a training order that does not fit and a secret that is too short', () => {
    expect(() => signReplyToken({ ...base, trainingOrder: 256 }, SECRET)).toThrow(/0 to 255/);
    expect(() => signReplyToken(base, 'short')).toThrow(/16 bytes/);
    expect(() => signReplyToken(base, [])).toThrow(/at least one secret/);
  });

  it('expire at their expiry day (rounded up to midnight UTC), and only genuine tokens can say so', () => {
    const token = signReplyToken({ ...base, expiresAt: new Date('2027-06-01T10:00:00Z') }, SECRET);
    const claims = verifyReplyToken(token, SECRET, new Date('2027-06-01T23:59:59Z'));
    expect(claims).toMatchObject({ trainingOrder: 3, expiresAt: new Date('2027-06-02T00:00:00Z') });
    expect(verifyReplyToken(token, SECRET, new Date('2027-06-02T00:00:00Z'))).toMatchObject({ error: 'expired', claims: { trainingOrder: 3 } });
    // A forger cannot make a token look expired (and so earn a bounce-back) without the secret.
    expect(verifyReplyToken(signReplyToken(base, OTHER), SECRET, new Date('2099-01-01T00:00:00Z'))).toEqual({ error: 'bad-signature' });
    expect(() => signReplyToken({ ...base, expiresAt: new Date('2019-12-31T00:00:00Z') }, SECRET)).toThrow(/2020 to 2199/);
  });

  it('moving the expiry of a genuine token breaks its signature', () => {
    const token = signReplyToken(base, SECRET);
    const later = signReplyToken({ ...base, expiresAt: new Date('2030-01-01T00:00:00Z') }, SECRET);
    // Splice the later expiry bytes (11-12) into the earlier token, keeping its MAC.
    const bytes = base32Decode(token)!;
    bytes.set(base32Decode(later)!.subarray(11, 13), 11);
    expect(verifyReplyToken(base32Encode(bytes), SECRET, NOW)).toEqual({ error: 'bad-signature' });
  });

  it('still read legacy (version 1) tokens, marked legacy and without an expiry of their own', () => {
    const { expiresAt: _unused, ...legacyInput } = withComment;
    const legacy = signLegacyReplyToken(legacyInput, SECRET);
    expect(`reply+${legacy}`.length).toBe(51);
    expect(verifyReplyToken(legacy, SECRET, new Date('2099-01-01T00:00:00Z'))).toEqual({
      seriesKey: seriesKey('q1-productivity'),
      trainingOrder: 3,
      participantKey: participantKey('q1-productivity', 'ana@example.com'),
      target: { kind: 'response', responseKey: responseKey('q1-productivity', '01J9Z8Y7X6W5V4T3S2R1Q0P9N8') },
      legacy: true,
    });
    expect(verifyReplyToken(signLegacyReplyToken(legacyInput, OTHER), SECRET, NOW)).toEqual({ error: 'bad-signature' });
  });

  it('sit in and come back out of a reply address', () => {
    const token = signReplyToken(withComment, SECRET);
    const address = replyAddress(token, 'in.baton.example.com');
    expect(address).toBe(`reply+${token}@in.baton.example.com`);
    expect(tokenFromAddress(address, 'in.baton.example.com')).toBe(token);
    expect(tokenFromAddress(`"Baton" <${address.toUpperCase()}>`, 'in.baton.example.com')).toBe(token);
    expect(tokenFromAddress(address, 'other.example.com')).toBeUndefined();
    expect(tokenFromAddress('ana@example.com', 'in.baton.example.com')).toBeUndefined();
  });
});

describe('link tokens', () => {
  const now = new Date('2027-03-01T12:00:00Z');
  const expiresAt = new Date('2027-04-01T00:00:00Z');
  const payloads: LinkTokenPayload[] = [
    { action: 'read', seriesId: 'q1-productivity', trainingSlug: 'productive-one-on-ones', participantEmail: 'ana@example.com', expiresAt },
    { action: 'kudos', seriesId: 'q1-productivity', trainingSlug: 'productive-one-on-ones', participantEmail: 'ana@example.com', responseId: '01J9Z8Y7X6W5V4T3S2R1Q0P9N8', expiresAt },
    { action: 'rating', seriesId: 'q1-productivity', trainingSlug: 'launch-prep', participantEmail: 'zoë@example.com', responseId: 'adopt-1', rating: 4, expiresAt },
    { action: 'unsubscribe', seriesId: 'q1-productivity', participantEmail: 'ana@example.com', expiresAt },
  ];

  it('round-trip every action and stay URL-safe', () => {
    for (const payload of payloads) {
      const token = signLinkToken(payload, SECRET);
      expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(encodeURIComponent(token)).toBe(token);
      expect(verifyLinkToken(token, SECRET, now)).toEqual(payload);
    }
  });

  it('expire at expiresAt, and only genuine tokens can say so', () => {
    const token = signLinkToken(payloads[0]!, SECRET);
    expect(verifyLinkToken(token, SECRET, new Date(expiresAt.getTime() - 1000))).toEqual(payloads[0]);
    expect(verifyLinkToken(token, SECRET, expiresAt)).toEqual({ error: 'expired' });
    expect(verifyLinkToken(signLinkToken(payloads[0]!, OTHER), SECRET, expiresAt)).toEqual({ error: 'bad-signature' });
  });

  it('reject every single-character change, at every position', () => {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const token = signLinkToken(payloads[2]!, SECRET);
    for (let i = 0; i < token.length; i++) {
      for (const c of chars) {
        if (c === token[i]) continue;
        const tampered = token.slice(0, i) + c + token.slice(i + 1);
        expect(verifyLinkToken(tampered, SECRET, now), `position ${i} → ${c}`).toHaveProperty('error');
      }
    }
  });

  it('reject junk, truncation and the wrong secret with the right error', () => {
    const token = signLinkToken(payloads[1]!, SECRET);
    expect(verifyLinkToken('', SECRET, now)).toEqual({ error: 'malformed' });
    expect(verifyLinkToken('has spaces', SECRET, now)).toEqual({ error: 'malformed' });
    expect(verifyLinkToken(token.slice(0, 10), SECRET, now)).toHaveProperty('error');
    expect(verifyLinkToken(token, OTHER, now)).toEqual({ error: 'bad-signature' });
    expect(verifyLinkToken(token, [OTHER, SECRET], now)).toEqual(payloads[1]);
  });

  it('are not interchangeable with reply tokens', () => {
    const reply = signReplyToken(base, SECRET);
    expect(verifyLinkToken(reply, SECRET, now)).toHaveProperty('error');
  });

  it('refuse payloads that make no sense', () => {
    expect(() => signLinkToken({ ...payloads[2]!, rating: 6 }, SECRET)).toThrow(/1 to 5/);
    expect(() => signLinkToken({ ...payloads[2]!, rating: undefined }, SECRET)).toThrow(/1 to 5/);
    expect(() => signLinkToken({ ...payloads[0]!, rating: 3 }, SECRET)).toThrow(/only rating links/);
    expect(() => signLinkToken({ ...payloads[1]!, responseId: undefined }, SECRET)).toThrow(/kudos/);
    expect(() => signLinkToken({ ...payloads[0]!, expiresAt: new Date(Number.NaN) }, SECRET)).toThrow(/expiry/);
  });

  it('have a stable id per token, for recording a click once', () => {
    const a = signLinkToken(payloads[0]!, SECRET);
    const b = signLinkToken(payloads[3]!, SECRET);
    expect(linkTokenId(a)).toBe(linkTokenId(a));
    expect(linkTokenId(a)).not.toBe(linkTokenId(b));
    expect(linkTokenId(a)).toMatch(/^link:[a-z2-7]{16}$/);
  });
});
