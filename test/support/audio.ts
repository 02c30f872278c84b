// Audio made by hand for tests: headers exactly as the formats define them, silence inside.

/** A PCM WAV of `seconds` of silence: 16-bit mono at `rate`. */
export function wav(seconds: number, rate = 22050, dataSize?: number): Uint8Array {
  const bytes = Math.round(seconds * rate) * 2;
  const b = Buffer.alloc(44 + bytes);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + bytes, 4);
  b.write('WAVEfmt ', 8);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(1, 22);
  b.writeUInt32LE(rate, 24);
  b.writeUInt32LE(rate * 2, 28);
  b.writeUInt16LE(2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(dataSize ?? bytes, 40);
  return b;
}

/** `frames` MPEG-2 Layer III frames at 24 kHz, 48 kbit/s (what Polly's neural mp3 is): 576 samples each. */
export function mp3(frames: number): Uint8Array {
  const length = Math.floor((72 * 48_000) / 24_000); // 144 bytes
  const frame = Buffer.alloc(length);
  frame.set([0xff, 0xf3, 0x64, 0xc4]); // sync, MPEG-2, Layer III, no CRC; 48 kbit/s, 24 kHz; mono
  return Buffer.concat(Array.from({ length: frames }, () => frame));
}
