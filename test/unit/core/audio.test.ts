// The audio version's plain-data parts: durations read from WAV and MP3 headers, text cut for an
// engine with a length limit, and the "Listen, N min" rounding.
import { describe, expect, it } from 'vitest';
import { chunkText, listenMinutes, mp3Seconds, readingSeconds, wavSeconds, wordCount } from '#core/audio';
import { mp3, wav } from '#test/support/audio';

describe('wavSeconds', () => {
  it('divides the data chunk by the byte rate', () => {
    expect(wavSeconds(wav(3.5))).toBeCloseTo(3.5, 3);
  });
  it('counts the bytes really there when the header says "unknown" (0x7fffffff, as from a pipe)', () => {
    expect(wavSeconds(wav(2, 22050, 0x7fffffff))).toBeCloseTo(2, 3);
  });
  it('refuses what is not a WAV', () => {
    expect(() => wavSeconds(Buffer.from('ID3 not a wave file'))).toThrow(/not a WAV file/);
  });
});

describe('mp3Seconds', () => {
  it('counts frames × samples per frame over the sample rate', () => {
    // 2500 frames × 576 / 24000 = 60 s
    expect(mp3Seconds(mp3(2500))).toBeCloseTo(60, 6);
  });
  it('adds pieces joined back to back, and skips an ID3v2 tag', () => {
    const id3 = Buffer.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 10, ...Buffer.alloc(10, 0xff)]);
    expect(mp3Seconds(Buffer.concat([id3, mp3(1000), mp3(250)]))).toBeCloseTo(30, 6);
  });
  it('refuses bytes without a frame', () => {
    expect(() => mp3Seconds(Buffer.from('RIFF....WAVE'))).toThrow(/no MPEG Layer III frame/);
  });
});

describe('chunkText', () => {
  const sentence = (n: number) => `Sentence number ${n} says a little something about meetings.`;
  const long = Array.from({ length: 12 }, (_, p) => Array.from({ length: 8 }, (_, s) => sentence(p * 8 + s)).join(' ')).join('\n\n');

  it('keeps every piece within the limit and loses no word', () => {
    const pieces = chunkText(long, 600);
    expect(pieces.length).toBeGreaterThan(1);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThanOrEqual(600);
    expect(pieces.join(' ').split(/\s+/)).toEqual(long.split(/\s+/));
  });
  it('cuts at sentence ends when a paragraph is too long', () => {
    for (const piece of chunkText(long.replace(/\n\n/g, ' '), 300)) expect(piece).toMatch(/\.$/);
  });
  it('gives short text back whole', () => {
    expect(chunkText('One. Two.', 3000)).toEqual(['One. Two.']);
  });
});

describe('reading time', () => {
  it('counts words at 150 a minute', () => {
    expect(wordCount('one two, three — four')).toBe(4);
    expect(readingSeconds(Array(300).fill('word').join(' '))).toBe(120);
  });
  it('shows whole minutes, at least one', () => {
    expect([20, 89, 91, 360].map(listenMinutes)).toEqual([1, 1, 2, 6]);
  });
});
