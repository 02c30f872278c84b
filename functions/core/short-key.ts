// Short, case-insensitive keys that stand for long ids inside reply addresses and one-click
// links. A reply address's local part may hold 64 characters and some servers lowercase it, so
// the token carries these few bytes instead of the ids, and the data layer resolves them back.
import { createHash } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lowercase, without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** Decodes base32 in either case; returns undefined on any character outside the alphabet. */
export function base32Decode(text: string): Uint8Array | undefined {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text.toLowerCase()) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    buffer = ((buffer << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

function digest(input: string, bytes: number): Uint8Array {
  return createHash('sha256').update(input).digest().subarray(0, bytes);
}

/** 4 bytes (7 base32 characters): one series among a deployment's few hundred at most. */
export const seriesKey = (seriesId: string): string => base32Encode(digest(`series:${seriesId}`, 4));

/** 5 bytes (8 characters): one participant in a series; collisions are negligible below 10^5 people. */
export const participantKey = (seriesId: string, email: string): string =>
  base32Encode(digest(`participant:${seriesId}:${email.toLowerCase()}`, 5));

/** 5 bytes (8 characters): a response (the target of a comment or kudos) in a series. */
export const responseKey = (seriesId: string, responseId: string): string =>
  base32Encode(digest(`response:${seriesId}:${responseId}`, 5));
