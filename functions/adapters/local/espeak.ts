// The local speech engine: espeak-ng (Debian package `espeak-ng`), run once per training at
// publish, speaking at SPEECH_WPM into a WAV file. Robotic but clear, and free; on AWS Polly's
// neural voices take its place (adapters/aws/polly.ts).
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpeechSynthesizer } from '#app/ports';
import { SPEECH_WPM, wavSeconds } from '#core/audio';

/** espeak-ng's voice for each language Baton speaks. */
const VOICES: Record<string, string> = {
  en: 'en-us',
  de: 'de',
  es: 'es',
  fr: 'fr-fr',
  pt: 'pt-br',
  nl: 'nl',
  ms: 'ms',
  id: 'id',
  th: 'th',
  ar: 'ar',
  ja: 'ja',
};

/** The binary: BATON_ESPEAK_NG when set (a path, or a name on PATH), else `espeak-ng`. */
export function espeakBinary(env: NodeJS.ProcessEnv = process.env): string {
  return env['BATON_ESPEAK_NG'] || 'espeak-ng';
}

function run(bin: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(bin, args, { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err) reject(Object.assign(err, { stderr }));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

export class EspeakSynthesizer implements SpeechSynthesizer {
  readonly format = { extension: 'wav', contentType: 'audio/wav' } as const;
  private checked: Promise<string | undefined> | undefined;

  constructor(private readonly bin: string = espeakBinary()) {}

  voiceFor(language: string): string | undefined {
    const voice = VOICES[language];
    return voice ? `espeak-ng:${voice}:${SPEECH_WPM}wpm` : undefined;
  }

  unavailable(): Promise<string | undefined> {
    this.checked ??= run(this.bin, ['--version']).then(
      () => undefined,
      (err: NodeJS.ErrnoException) =>
        `espeak-ng ${err.code === 'ENOENT' ? 'was not found' : 'did not run'} (${this.bin}). ` +
        'Install it to get an audio version of every training: `sudo apt-get install espeak-ng` (Debian/Ubuntu), ' +
        '`brew install espeak-ng` (macOS), or set BATON_ESPEAK_NG to its path; then publish again.',
    );
    return this.checked;
  }

  async synthesize(text: string, language: string): Promise<{ audio: Uint8Array; seconds: number }> {
    const voice = VOICES[language];
    if (!voice) throw new Error(`espeak-ng has no voice for "${language}"`);
    const dir = await mkdtemp(join(tmpdir(), 'baton-speech-'));
    try {
      const file = join(dir, 'speech.wav');
      // Text on stdin: a training may be longer than a command line may be.
      await run(this.bin, ['-v', voice, '-s', String(SPEECH_WPM), '-w', file, '--stdin'], text);
      const audio = await readFile(file);
      return { audio, seconds: wavSeconds(audio) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}
