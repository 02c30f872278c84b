// The audio version of a training, the parts that are plain data: how long a WAV or MP3 lasts
// (read from its own headers, so no media library is needed), how text is cut for a speech engine
// that takes a limited length, and how the email names the length ("Listen, 6 min").

/** Words a minute a listener hears: the pace espeak-ng is told to speak at, and the reading-time estimate. */
export const SPEECH_WPM = 150;

/** Seconds of a RIFF/WAVE file: the data chunk's size over the format's bytes per second. */
export function wavSeconds(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a WAV file: it does not start with RIFF....WAVE');
  let byteRate = 0;
  for (let at = 12; at + 8 <= bytes.length; ) {
    const id = tag(at);
    let size = view.getUint32(at + 4, true);
    if (id === 'fmt ') byteRate = view.getUint32(at + 16, true);
    if (id === 'data') {
      if (!byteRate) throw new Error('not a playable WAV file: its data chunk comes before its format chunk');
      // espeak-ng writing to a pipe leaves the size at 0x7fffffff: count what is really there.
      size = Math.min(size, bytes.length - at - 8);
      return size / byteRate;
    }
    at += 8 + size + (size % 2);
  }
  throw new Error('not a playable WAV file: it has no data chunk');
}

const MP3_BITRATES: Record<'1' | '2', number[]> = {
  // Layer III, kbit/s by index (MPEG-1, then MPEG-2 and 2.5).
  '1': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
};
const MP3_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/**
 * Seconds of an MPEG Layer III stream (what Polly's mp3 is): the frames are walked one by one,
 * 1152 samples each for MPEG-1 and 576 for MPEG-2/2.5, so a variable bit rate counts right too.
 * An ID3v2 tag at the start is skipped.
 */
export function mp3Seconds(bytes: Uint8Array): number {
  let at = 0;
  if (bytes.length >= 10 && bytes[0] === 0x49 && bytes[1] === 0x44 && bytes[2] === 0x33) {
    at = 10 + (((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f));
  }
  let seconds = 0;
  let frames = 0;
  while (at + 4 <= bytes.length) {
    const b1 = bytes[at + 1]!;
    const b2 = bytes[at + 2]!;
    if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) {
      at++;
      continue;
    }
    const version = (b1 >> 3) & 3; // 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5
    const layer = (b1 >> 1) & 3; // 1 = Layer III
    const bitrate = MP3_BITRATES[version === 3 ? '1' : '2'][(b2 >> 4) & 0xf];
    const rate = MP3_RATES[version]?.[(b2 >> 2) & 3];
    if (version === 1 || layer !== 1 || !bitrate || !rate) {
      at++;
      continue;
    }
    const samples = version === 3 ? 1152 : 576;
    const length = Math.floor(((samples / 8) * bitrate * 1000) / rate) + ((b2 >> 1) & 1);
    seconds += samples / rate;
    frames++;
    at += length;
  }
  if (!frames) throw new Error('not an MP3 stream: no MPEG Layer III frame found');
  return seconds;
}

/** Words in a text, as a reader counts them (CJK and Thai scripts count roughly a word per two characters). */
export function wordCount(text: string): number {
  const spaced = text.split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
  const unspaced = (text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}]/gu) ?? []).length;
  return spaced + Math.round(unspaced / 2);
}

/** Expected seconds of `text` read at SPEECH_WPM. */
export function readingSeconds(text: string): number {
  return (wordCount(text) / SPEECH_WPM) * 60;
}

/** "6" of "Listen, 6 min": whole minutes, at least one. */
export function listenMinutes(seconds: number): number {
  return Math.max(1, Math.round(seconds / 60));
}

/**
 * Cuts text into pieces of at most `max` characters, at paragraph, then sentence, then word
 * boundaries, so an engine with a length limit (Polly's SynthesizeSpeech: 3,000 billed
 * characters) reads each piece whole and the pieces play back to back.
 */
export function chunkText(text: string, max: number): string[] {
  const out: string[] = [];
  let current = '';
  const push = (piece: string, sep: string) => {
    if (!piece) return;
    if (current && current.length + sep.length + piece.length <= max) current += sep + piece;
    else {
      if (current) out.push(current);
      current = piece;
    }
  };
  for (const paragraph of text.split(/\n\s*\n/).map((p) => p.replace(/\s+/g, ' ').trim())) {
    if (paragraph.length <= max) {
      push(paragraph, '\n\n');
      continue;
    }
    for (const sentence of paragraph.split(/(?<=[.!?。！？])\s+/)) {
      if (sentence.length <= max) {
        push(sentence, ' ');
        continue;
      }
      for (const word of sentence.split(' ')) {
        for (let i = 0; i < word.length; i += max) push(word.slice(i, i + max), ' ');
      }
    }
  }
  if (current) out.push(current);
  return out;
}
