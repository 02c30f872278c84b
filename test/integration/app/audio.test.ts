// The audio version for real on the local stack: the example published into dynalite with
// espeak-ng speaking each training into the data folder's attachments. Each file lasts what its
// text takes to read at 150 words a minute (±20%), the training email links it ("Listen, N min"),
// the links server plays it, publishing again speaks nothing, and without espeak-ng publishing
// still works and says once why there is no audio.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { EspeakSynthesizer } from '#adapters/local/espeak';
import { createLocalLinks } from '#adapters/local/links-server';
import { LocalMailStore } from '#adapters/local/mail-store';
import { spokenText } from '#app/audio';
import type { SpeechSynthesizer } from '#app/ports';
import { readingSeconds, wavSeconds } from '#core/audio';
import { TEMPLATE } from '#mail/template-names';
import { localAudio, publishSeries } from '#cli/publish-series';
import { loadSeries } from '#cli/series-dir';
import { exampleDir } from '#test/support/example-data';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-audio-'));
const LINKS = 'http://localhost:8787';
let db: TestDynalite;
let store: Store;

/** espeak-ng, counting what it is asked to speak. */
function counting(inner: SpeechSynthesizer): SpeechSynthesizer & { calls: number } {
  const c = {
    calls: 0,
    format: inner.format,
    voiceFor: (l: string) => inner.voiceFor(l),
    unavailable: () => inner.unavailable(),
    synthesize: (text: string, language: string) => {
      c.calls++;
      return inner.synthesize(text, language);
    },
  };
  return c;
}

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
});
afterAll(async () => {
  await db.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('audio versions with espeak-ng', () => {
  const espeak = counting(new EspeakSynthesizer('/usr/bin/espeak-ng'));
  const said: string[] = [];
  const audio = () => localAudio({ dataDir, linksBaseUrl: LINKS }, (l) => said.push(l), espeak);

  it('speaks every training without a recording of its own, as long as reading it at 150 wpm takes', async () => {
    const result = await publishSeries(exampleDir, store, new Date('2026-12-01T00:00:00Z'), { audio: audio() });
    const { trainings } = await loadSeries(exampleDir);
    const spoken = trainings.filter((t) => !t.media.audio);
    expect(spoken.length).toBe(3);
    expect([...result.audio.keys()]).toEqual(spoken.map((t) => t.slug));
    expect(espeak.calls).toBe(3);
    for (const t of spoken) {
      const a = result.audio.get(t.slug)!;
      const file = new LocalMailStore(dataDir).audioFile(a.key)!;
      const seconds = wavSeconds(readFileSync(file));
      const expected = readingSeconds(spokenText(t));
      expect(seconds).toBeCloseTo(a.seconds, 3);
      expect(Math.abs(seconds - expected) / expected, `${t.slug}: ${seconds.toFixed(0)} s against ${expected.toFixed(0)} s`).toBeLessThan(0.2);
    }
    expect(said).toEqual([]);
  });

  it('links the audio from the training email with its length; the trainer\'s own recording stays theirs', async () => {
    const published = await publishSeries(exampleDir, store, new Date('2026-12-01T00:00:00Z'), { audio: audio() });
    for (const [slug, a] of published.audio) {
      const email = JSON.parse((await store.getTemplate('q1-productivity', TEMPLATE.training(slug)))!) as { html: string; text: string };
      const label = `Listen, ${Math.max(1, Math.round(a.seconds / 60))} min`;
      expect(email.html).toContain(`href="${LINKS}/${a.key}"`);
      expect(email.html).toContain(label);
      expect(email.text).toContain(`- ${label}: ${LINKS}/${a.key}`);
    }
    const own = JSON.parse((await store.getTemplate('q1-productivity', TEMPLATE.training('performance-reviews')))!) as { html: string };
    expect(own.html).toContain('Listen to the audio version');
    expect(own.html).not.toMatch(/Listen, \d+ min/);
  });

  it('publishing unchanged text again speaks nothing', async () => {
    const before = espeak.calls;
    const again = await publishSeries(exampleDir, store, new Date('2026-12-01T00:00:00Z'), { audio: audio() });
    expect(espeak.calls).toBe(before);
    expect([...again.audio.values()].every((a) => !a.generated)).toBe(true);
  });

  it('the links server plays the stored file and nothing else of the attachments', async () => {
    const handler = createLocalLinks({ store, secret: { current: 'x'.repeat(32) } as never, now: () => new Date(), audioFile: (k) => new LocalMailStore(dataDir).audioFile(k) });
    const server: Server = createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const [a] = [...(await publishSeries(exampleDir, store, new Date('2026-12-01T00:00:00Z'), { audio: audio() })).audio.values()];
      const res = await fetch(`${base}/${a!.key}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('audio/wav');
      expect(wavSeconds(new Uint8Array(await res.arrayBuffer()))).toBeCloseTo(a!.seconds, 3);
      expect((await fetch(`${base}/audio/${'0'.repeat(32)}.wav`)).status).toBe(404);
      expect((await fetch(`${base}/audio/..%2Finbound%2Fx.eml`)).status).toBe(404);
      expect((await fetch(`${base}/${a!.key}.json`)).status).toBe(404);
    } finally {
      server.close();
    }
  });
});

describe('without espeak-ng', () => {
  it('publishes all the same, says once why there is no audio and how to get it, and links none', async () => {
    const said: string[] = [];
    const missing = new EspeakSynthesizer(join(dataDir, 'no-such-espeak-ng'));
    const other = mkdtempSync(join(tmpdir(), 'baton-noaudio-'));
    try {
      const result = await publishSeries(exampleDir, store, new Date('2026-12-01T00:00:00Z'), {
        audio: localAudio({ dataDir: other, linksBaseUrl: LINKS }, (l) => said.push(l), missing),
      });
      expect(result.templates.length).toBeGreaterThan(0);
      expect(result.audio.size).toBe(0);
      expect(said).toHaveLength(1);
      expect(said[0]).toMatch(/^Audio versions skipped: espeak-ng was not found \(.*no-such-espeak-ng\)\. .*apt-get install espeak-ng.*BATON_ESPEAK_NG/);
      const email = JSON.parse((await store.getTemplate('q1-productivity', TEMPLATE.training('productive-one-on-ones')))!) as { html: string };
      expect(email.html).not.toMatch(/Listen, \d+ min/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
