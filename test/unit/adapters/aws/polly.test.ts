// Amazon Polly through the real SDK client with its transport replaced by aws-sdk-client-mock (no
// AWS calls): the exact SynthesizeSpeech requests, text cut within its 3,000-character limit, the
// MP3 pieces joined and timed; and the AWS path of publish's audio: S3 (mocked the same way, as
// S3 answers HeadObject and PutObject) caches by content hash, so a second publish asks Polly nothing.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PollyClient, SynthesizeSpeechCommand } from '@aws-sdk/client-polly';
import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PollySynthesizer, POLLY_MAX_CHARS } from '#adapters/aws/polly';
import { S3AudioStore } from '#adapters/aws/audio-store';
import { audioVersions, spokenText } from '#app/audio';
import { loadSeries } from '#cli/series-dir';
import { exampleDir } from '#test/support/example-data';
import { mp3 } from '#test/support/audio';

const polly = mockClient(PollyClient);
const s3 = mockClient(S3Client);
afterAll(() => {
  polly.restore();
  s3.restore();
});

const FRAMES_PER_CALL = 500; // 12 s of 24 kHz MPEG-2 frames per piece
beforeEach(() => {
  polly.reset();
  polly.on(SynthesizeSpeechCommand).callsFake(() => ({
    // The SDK hands the body over as a stream with transformToByteArray; that is all the adapter reads.
    AudioStream: { transformToByteArray: async () => mp3(FRAMES_PER_CALL) } as never,
    ContentType: 'audio/mpeg',
    RequestCharacters: 0,
  }));
});
const requests = () => polly.commandCalls(SynthesizeSpeechCommand).map((c) => c.args[0].input);

describe('PollySynthesizer', () => {
  it('asks for the neural voice of the language, mp3, plain text', async () => {
    const out = await new PollySynthesizer(new PollyClient({ region: 'eu-west-1' })).synthesize('Hallo zusammen.', 'de');
    expect(requests()).toEqual([{ Engine: 'neural', OutputFormat: 'mp3', TextType: 'text', VoiceId: 'Vicki', Text: 'Hallo zusammen.' }]);
    expect(out.seconds).toBeCloseTo(12, 6);
  });

  it('cuts a long training into pieces within SynthesizeSpeech\'s limit and joins the audio', async () => {
    const { trainings } = await loadSeries(exampleDir);
    const text = spokenText(trainings[0]!);
    expect(text.length).toBeGreaterThan(POLLY_MAX_CHARS);
    const out = await new PollySynthesizer(new PollyClient({ region: 'eu-west-1' })).synthesize(text, 'en');
    const calls = requests();
    expect(calls.length).toBeGreaterThan(1);
    for (const c of calls) {
      expect(c).toMatchObject({ Engine: 'neural', OutputFormat: 'mp3', TextType: 'text', VoiceId: 'Joanna' });
      expect(c.Text!.length).toBeLessThanOrEqual(POLLY_MAX_CHARS);
    }
    expect(calls.map((c) => c.Text).join(' ').split(/\s+/)).toEqual(text.split(/\s+/));
    expect(out.seconds).toBeCloseTo(12 * calls.length, 6);
  });

  it('has a voice for the languages Polly speaks, none for Malay, Indonesian or Thai', () => {
    const p = new PollySynthesizer(new PollyClient({ region: 'eu-west-1' }));
    expect(['en', 'de', 'es', 'fr', 'pt', 'nl', 'ar', 'ja'].map((l) => p.voiceFor(l))).toEqual([
      'polly:Joanna:neural:mp3', 'polly:Vicki:neural:mp3', 'polly:Lucia:neural:mp3', 'polly:Lea:neural:mp3',
      'polly:Camila:neural:mp3', 'polly:Laura:neural:mp3', 'polly:Hala:neural:mp3', 'polly:Kazuha:neural:mp3',
    ]);
    expect(['ms', 'id', 'th'].map((l) => p.voiceFor(l))).toEqual([undefined, undefined, undefined]);
  });
});

describe('publish audio on AWS: Polly into the attachment bucket, cached by content hash', () => {
  it('speaks each training once; publishing the same text again makes no Polly call', async () => {
    // S3 as documented: HeadObject is NotFound until a PutObject stored the key, then returns its metadata.
    const objects = new Map<string, Record<string, string>>();
    s3.reset();
    s3.on(PutObjectCommand).callsFake((input: { Key: string; Metadata?: Record<string, string> }) => {
      objects.set(input.Key, input.Metadata ?? {});
      return {};
    });
    s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
      const meta = objects.get(input.Key);
      if (!meta) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
      return { Metadata: meta, ContentType: 'audio/mpeg' };
    });
    const { series, trainings } = await loadSeries(exampleDir);
    const deps = {
      synthesizer: new PollySynthesizer(new PollyClient({ region: 'eu-west-1' })),
      store: new S3AudioStore({ client: new S3Client({ region: 'eu-west-1' }), attachmentBucket: 'files' }),
      baseUrl: 'https://links.example.com/',
      say: (line: string) => expect.unreachable(line),
    };
    const first = await audioVersions(series, trainings, deps);
    const spoken = trainings.filter((t) => !t.media.audio);
    expect([...first.keys()]).toEqual(spoken.map((t) => t.slug));
    const firstCalls = requests().length;
    expect(firstCalls).toBeGreaterThanOrEqual(spoken.length);
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(spoken.length);
    for (const put of puts) {
      expect(put).toMatchObject({ Bucket: 'files', ContentType: 'audio/mpeg', Key: expect.stringMatching(/^audio\/[0-9a-f]{32}\.mp3$/) });
      expect(Number(put.Metadata!['seconds'])).toBeGreaterThan(0);
    }
    for (const a of first.values()) expect(a.url).toBe(`https://links.example.com/${a.key}`);

    const second = await audioVersions(series, trainings, deps);
    expect(requests()).toHaveLength(firstCalls);
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(spoken.length);
    expect([...second.values()].map((a) => [a.key, a.generated])).toEqual([...first.values()].map((a) => [a.key, false]));
    expect([...second.values()].map((a) => a.seconds.toFixed(2))).toEqual([...first.values()].map((a) => a.seconds.toFixed(2)));
  });
});
