// The speech engine on AWS: Amazon Polly's neural voices, one per language Baton speaks where
// Polly has one (none for Malay, Indonesian or Thai: those series get no generated audio).
// SynthesizeSpeech takes at most 3,000 billed characters (6,000 in all), so a training is cut at
// paragraph and sentence boundaries (core/audio.ts chunkText) and the MP3 pieces, each a whole
// run of frames, are joined back to back: one synchronous call per piece, no S3 task to poll.
import { PollyClient, SynthesizeSpeechCommand, type VoiceId } from '@aws-sdk/client-polly';
import type { SpeechSynthesizer } from '#app/ports';
import { chunkText, mp3Seconds } from '#core/audio';

/** SynthesizeSpeech's limit on billed characters; plain text bills every character. */
export const POLLY_MAX_CHARS = 3000;

/** The neural voice for each language, where Polly has one. */
export const POLLY_VOICES: Record<string, VoiceId> = {
  en: 'Joanna',
  de: 'Vicki',
  es: 'Lucia',
  fr: 'Lea',
  pt: 'Camila',
  nl: 'Laura',
  ar: 'Hala',
  ja: 'Kazuha',
};

/** The CLI's Polly client: region and credentials from the environment or profile, as every `baton` call. */
export function createPollyClient(): PollyClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return new PollyClient({});
}

export class PollySynthesizer implements SpeechSynthesizer {
  readonly format = { extension: 'mp3', contentType: 'audio/mpeg' } as const;

  constructor(private readonly client: PollyClient) {}

  voiceFor(language: string): string | undefined {
    const voice = POLLY_VOICES[language];
    return voice ? `polly:${voice}:neural:mp3` : undefined;
  }

  async unavailable(): Promise<string | undefined> {
    return undefined;
  }

  async synthesize(text: string, language: string): Promise<{ audio: Uint8Array; seconds: number }> {
    const VoiceId = POLLY_VOICES[language];
    if (!VoiceId) throw new Error(`Amazon Polly has no neural voice for "${language}"`);
    const pieces: Uint8Array[] = [];
    for (const Text of chunkText(text, POLLY_MAX_CHARS)) {
      const out = await this.client.send(new SynthesizeSpeechCommand({ Engine: 'neural', OutputFormat: 'mp3', TextType: 'text', VoiceId, Text }));
      if (!out.AudioStream) throw new Error(`Amazon Polly returned no audio for a piece of ${Text.length} characters`);
      pieces.push(await out.AudioStream.transformToByteArray());
    }
    const audio = Buffer.concat(pieces);
    return { audio, seconds: mp3Seconds(audio) };
  }
}
