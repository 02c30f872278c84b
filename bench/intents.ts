// Reply reading throughput (issue 14): parse + trim + classify on the development replies in
// ../shared/corpora/intents (read in place, never copied into the repository), on one core, and
// the time of a pathological 1 MB single-line and 100k-quote reply. Accuracy is the scorer's job:
// `node ../shared/corpora/intents/score.mjs`. Run alone with `npm run bench -- intents`.
// The labelled fixtures in test/fixtures/replies/labeled (their helpers below) are read by the
// classify and receive-reply tests and bench/inbound.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readReply } from '#core/classify';
import { trimReply } from '#core/trim';
import { parseInbound, trimParsed } from '#app/receive-reply';

import { z } from 'zod';
import { classifyReply, type Classified, type ReplyContext } from '#core/classify';
import { IntentSchema, StrategySchema, type Strategy } from '#core/model';

/** A reading that crashed must fail the bench, not pass as a fast 'unclear'. */
const rethrow = (error: unknown): never => {
  throw error;
};

export const LABELED_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'fixtures', 'replies', 'labeled');

const ContextSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('training') }),
  z.object({ kind: z.literal('submission'), responseId: z.string() }),
  z.object({ kind: z.literal('check-in'), strategyId: z.string() }),
  z.object({ kind: z.literal('kickoff') }),
]);

const LabeledIntentSchema = z.object({
  intent: IntentSchema,
  strategyId: z.string().optional(),
  rating: z.number().int().min(1).max(5).optional(),
});

export const LabeledReplySchema = z.object({
  file: z.string(),
  /** main: written before the rules; holdout: written after them, without running them first. */
  set: z.enum(['main', 'holdout']),
  client: z.string(),
  language: z.string(),
  training: z.string(),
  context: ContextSchema,
  subject: z.string(),
  reply: z.string(),
  attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number() })).optional(),
  intents: z.array(LabeledIntentSchema).min(1),
});
export type LabeledReply = z.infer<typeof LabeledReplySchema>;

export const LabelsSchema = z.object({
  description: z.string(),
  trainings: z.record(z.string(), z.object({ title: z.string(), strategies: z.array(StrategySchema) })),
  replies: z.array(LabeledReplySchema),
});
export type Labels = z.infer<typeof LabelsSchema>;

export function loadLabels(dir = LABELED_DIR): Labels {
  return LabelsSchema.parse(JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')));
}

/** One (intent, strategy, rating) as a comparable string. */
export function intentKey(x: { intent: string; strategyId?: string; rating?: number }): string {
  return [x.intent, x.strategyId ?? '', x.rating ?? ''].join('|');
}

export interface ReplyOutcome {
  file: string;
  set: 'main' | 'holdout';
  expected: string[];
  predicted: string[];
  correct: boolean;
}

export function classifyLabeled(labels: Labels): { outcomes: ReplyOutcome[]; predictions: Map<string, Classified[]> } {
  const predictions = new Map<string, Classified[]>();
  const outcomes = labels.replies.map((r) => {
    const strategies: Strategy[] = labels.trainings[r.training]?.strategies ?? [];
    const predicted = classifyReply(
      {
        subject: r.subject,
        text: r.reply,
        strategies,
        context: r.context as ReplyContext,
        ...(r.attachments ? { attachments: r.attachments } : {}),
      },
      // A default intent that hides a crash would count as a guess; say so instead.
      (error) => console.error(`classifier failed on ${r.file}: ${error instanceof Error ? error.message : String(error)}`),
    );
    predictions.set(r.file, predicted);
    const expected = [...new Set(r.intents.map(intentKey))].sort();
    const got = [...new Set(predicted.map(intentKey))].sort();
    return { file: r.file, set: r.set, expected, predicted: got, correct: expected.join(',') === got.join(',') };
  });
  return { outcomes, predictions };
}

const here = dirname(fileURLToPath(import.meta.url));
export const INTENTS_CORPUS = resolve(here, '../../shared/corpora/intents');

const strategies: Strategy[] = [1, 2, 3, 4, 5].map((n) => ({ id: `s${n}`, number: n, title: `Strategy number ${n} about meetings`, body: 'Write it down and share it.' }));

export async function benchIntents(): Promise<object> {
  const cases = join(INTENTS_CORPUS, 'cases');
  if (!existsSync(cases)) return { error: `intent corpus not found at ${cases}; expected ../shared/corpora/intents next to the repository` };
  const raws = readdirSync(cases)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((f) => readFileSync(join(cases, f)));
  const once = async () => {
    for (const raw of raws) {
      const parsed = await parseInbound(raw);
      const { trimmed } = trimParsed(parsed, []);
      readReply({ subject: parsed.subject, text: trimmed.reply, strategies, context: { kind: 'training' } }, rethrow);
    }
  };
  await once(); // warm the JIT as a Lambda that has handled a few replies would be
  const started = performance.now();
  const cpu0 = process.cpuUsage();
  const rounds = 3;
  for (let i = 0; i < rounds; i++) await once();
  const ms = performance.now() - started;
  // CPU time of this process: on a machine shared with other jobs the wall clock measures the
  // neighbours too. This one is what one core gives (GC threads included, so it errs low).
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;

  const timed = (text: string) => {
    const t0 = performance.now();
    const { reply } = trimReply(text, {});
    readReply({ subject: 'Re: x', text: reply, strategies, context: { kind: 'training' } }, rethrow);
    return Math.round(performance.now() - t0);
  };
  return {
    bench: 'intents',
    replies: raws.length,
    repliesPerSecond: Math.round((raws.length * rounds * 1000) / ms),
    msPerReply: Math.round((ms / (raws.length * rounds)) * 100) / 100,
    repliesPerCpuSecond: Math.round((raws.length * rounds * 1000) / cpuMs),
    pathologicalMs: {
      singleLine1Mb: timed('I will try #2 and '.repeat(60_000)),
      quotes100k: timed('Adopting #3.\n' + '> quoted line of history\n'.repeat(100_000)),
      reply1Mb: (() => {
        const t0 = performance.now();
        readReply({ subject: 'Re: x', text: 'what works for me is this. '.repeat(40_000), strategies, context: { kind: 'training' } }, rethrow);
        return Math.round(performance.now() - t0);
      })(),
    },
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchIntents(), null, 2));
}
