// The audio version of each training, generated at publish: its text spoken by the synthesizer
// port (espeak-ng locally, Amazon Polly on AWS) and kept with the attachments under a key made of
// the voice and the text's hash, so publishing unchanged text again costs no synthesis at all.
//
// Primary course:
//   1. ask the synthesizer once whether it can speak; when it cannot, say so once and go on
//      without audio (publishing never fails for want of a voice);
//   2. a training whose trainer gave a recording (front matter `audio:`) keeps that one;
//   3. for every other training: title, article and strategies as plain text → hash with the
//      voice → stored already? use it; otherwise synthesize and store it with its duration.
import { createHash } from 'node:crypto';
import type { Series, Training } from '#core/model';
import { markdownInlineToText, markdownToText } from '#mail/markdown';
import type { AudioStore, SpeechSynthesizer } from './ports.ts';

export interface AudioDeps {
  synthesizer: SpeechSynthesizer;
  store: AudioStore;
  /** Where the links server (or function URL) serves `audio/<key>` from. */
  baseUrl: string;
  /** One line for the person publishing (why audio was skipped, and how to get it). */
  say: (line: string) => void;
}

export interface AudioVersion {
  key: string;
  url: string;
  seconds: number;
  /** False when it was already stored: nothing was synthesized. */
  generated: boolean;
}

/** What a listener hears: the title, the article and each strategy, without links or markup. */
export function spokenText(training: Training): string {
  const source = { source: `${training.slug} (audio)` };
  const strip = (s: string) => s.replace(/<?https?:\/\/[^\s>)]+>?/g, '').replace(/\(\s*\)/g, '').replace(/[ \t]+\n/g, '\n');
  const strategies = [...training.strategies].sort((a, b) => a.number - b.number);
  return [
    `${markdownInlineToText(training.title, source)}.`,
    strip(markdownToText(training.body, source, 10_000)),
    ...strategies.map((s) => `${s.number}. ${markdownInlineToText(s.title, source)}.\n\n${strip(markdownToText(s.body, source, 10_000))}`),
  ]
    .map((p) => p.trim())
    .filter(Boolean)
    .join('\n\n');
}

/** The content-hash key: the same text in the same voice is the same file, in any series. */
export function audioKey(voice: string, text: string, extension: string): string {
  return `audio/${createHash('sha256').update(`${voice}\n${text}`).digest('hex').slice(0, 32)}.${extension}`;
}

/** The audio version of every training that has no recording of its trainer's own, by slug. */
export async function audioVersions(series: Series, trainings: readonly Training[], deps: AudioDeps): Promise<Map<string, AudioVersion>> {
  const out = new Map<string, AudioVersion>();
  const wanted = trainings.filter((t) => !t.media.audio);
  if (!wanted.length) return out;
  const why = await deps.synthesizer.unavailable();
  if (why) {
    deps.say(`Audio versions skipped: ${why}`);
    return out;
  }
  const language = series.language ?? 'en';
  const voice = deps.synthesizer.voiceFor(language);
  if (!voice) {
    deps.say(`Audio versions skipped: the speech engine has no voice for the series' language "${language}".`);
    return out;
  }
  const { extension, contentType } = deps.synthesizer.format;
  const base = deps.baseUrl.replace(/\/$/, '');
  for (const training of wanted) {
    const text = spokenText(training);
    const key = audioKey(voice, text, extension);
    const stored = await deps.store.getAudio(key);
    if (stored) {
      out.set(training.slug, { key, url: `${base}/${key}`, seconds: stored.seconds, generated: false });
      continue;
    }
    const { audio, seconds } = await deps.synthesizer.synthesize(text, language);
    await deps.store.putAudio(key, audio, { contentType, seconds });
    out.set(training.slug, { key, url: `${base}/${key}`, seconds, generated: true });
  }
  return out;
}
