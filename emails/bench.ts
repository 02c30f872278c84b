// Fill throughput on a realistic compiled training email of about 60 KB, for `npm run bench`.
// Compiling uses mjml (publish time); the timed loop is only what a sending Lambda does per
// recipient: values for the participant, then fill subject, HTML and text.
import { compileTraining } from './compile.ts';
import { fillEmail, fillTemplate, placeholdersOf } from '#mail/fill';
import { sampleLinks, sampleParticipants, sampleSeries, sampleTrainings } from './sample.ts';
import { trainingValues } from '#mail/values';

export interface FillBenchResult {
  name: 'emails.fill';
  htmlBytes: number;
  placeholders: number;
  /** fillTemplate of the HTML alone, per second on one core. */
  htmlFillsPerSecond: number;
  /** trainingValues + fillEmail (subject, HTML, text) per second: the whole per-recipient step. */
  emailsPerSecond: number;
  microsPerEmail: number;
  /** Per-recipient fills a sending Lambda must manage on one idle core. */
  goals: { emailsPerSecond: number };
  met: boolean;
}

function rate(run: () => void, minMs: number): number {
  for (let i = 0; i < 200; i++) run();
  let n = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < minMs) {
    for (let i = 0; i < 200; i++) run();
    n += 200;
    elapsed = performance.now() - start;
  }
  return (n / elapsed) * 1000;
}

export async function benchFill(opts: { minMs?: number } = {}): Promise<FillBenchResult> {
  const minMs = opts.minMs ?? 1000;
  const base = sampleTrainings[0];
  if (!base) throw new Error('the sample series has no trainings');
  // The sample article padded to the size of a long training (about 60 KB of HTML).
  const training = { ...base, body: `${base.body}\n\n${base.body}\n\n${base.body}` };
  const trainings = [training, ...sampleTrainings.slice(1)];
  const compiled = await compileTraining(sampleSeries, training, trainings);
  const participants = sampleParticipants.map((p, i) => ({ ...p, name: `${p.name} <${i}> & "co"` }));
  const links = participants.map((p) => sampleLinks(p));
  const values = trainingValues({ series: sampleSeries, training, trainings, participant: participants[0]!, links: links[0]! });

  // Concatenation makes a lazy rope; reading a character flattens it, as encoding for MIME will.
  const flatten = (s: string) => s.charCodeAt(s.length >> 1);
  const htmlFillsPerSecond = rate(() => flatten(fillTemplate(compiled.html, values, 'html')), minMs);
  let i = 0;
  const emailsPerSecond = rate(() => {
    const k = i++ % participants.length;
    const v = trainingValues({ series: sampleSeries, training, trainings, participant: participants[k]!, links: links[k]! });
    const email = fillEmail(compiled, v);
    flatten(email.html);
    flatten(email.text);
  }, minMs);
  return {
    name: 'emails.fill',
    htmlBytes: Buffer.byteLength(compiled.html),
    placeholders: placeholdersOf(compiled.html).length,
    htmlFillsPerSecond: Math.round(htmlFillsPerSecond),
    emailsPerSecond: Math.round(emailsPerSecond),
    microsPerEmail: Math.round((1e6 / emailsPerSecond) * 10) / 10,
    goals: { emailsPerSecond: 20_000 },
    met: emailsPerSecond >= 20_000,
  };
}
