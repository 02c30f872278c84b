// Intent accuracy on the labeled replies in test/fixtures/replies/labeled: each reply's labeled
// text (what the trimmer should leave) goes through classifyReply, and a reply counts as correct
// when the predicted set of (intent, strategyId, rating) equals the labeled set.
// Run alone with `npx tsx bench/intents.ts` (prints JSON), or call benchIntents().
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { classifyReply, type Classified, type ReplyContext } from '#core/classify';
import { IntentSchema, StrategySchema, type Strategy } from '#core/model';

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

export async function benchIntents(): Promise<object> {
  const labels = loadLabels();
  const started = performance.now();
  const { outcomes } = classifyLabeled(labels);
  const ms = performance.now() - started;

  const intents = IntentSchema.options;
  const perIntent: Record<string, { labeled: number; predicted: number; truePositives: number; repliesExact: number; precision: number | null; recall: number | null }> = {};
  for (const intent of intents) {
    let labeled = 0;
    let predicted = 0;
    let tp = 0;
    let exact = 0;
    for (const o of outcomes) {
      const exp = o.expected.filter((k) => k.startsWith(intent + '|'));
      const got = o.predicted.filter((k) => k.startsWith(intent + '|'));
      labeled += exp.length;
      predicted += got.length;
      tp += exp.filter((k) => got.includes(k)).length;
      if (exp.length && o.correct) exact++;
    }
    perIntent[intent] = {
      labeled,
      predicted,
      truePositives: tp,
      repliesExact: exact,
      precision: predicted ? round(tp / predicted) : null,
      recall: labeled ? round(tp / labeled) : null,
    };
  }

  // Confusion pairs: what was expected but not predicted, against what was predicted instead.
  const confusion = new Map<string, number>();
  for (const o of outcomes.filter((x) => !x.correct)) {
    const missing = o.expected.filter((k) => !o.predicted.includes(k));
    const extra = o.predicted.filter((k) => !o.expected.includes(k));
    const left = missing.length ? missing : ['(none)'];
    const right = extra.length ? extra : ['(none)'];
    for (const a of left) for (const b of right) confusion.set(`${a} -> ${b}`, (confusion.get(`${a} -> ${b}`) ?? 0) + 1);
  }

  const correct = outcomes.filter((o) => o.correct).length;
  return {
    bench: 'intents',
    replies: outcomes.length,
    correct,
    accuracy: round(correct / outcomes.length),
    bySet: Object.fromEntries(
      (['main', 'holdout'] as const).map((set) => {
        const of = outcomes.filter((o) => o.set === set);
        const ok = of.filter((o) => o.correct).length;
        return [set, { replies: of.length, correct: ok, accuracy: of.length ? round(ok / of.length) : null }];
      }),
    ),
    keyAccuracy: {
      labeled: outcomes.reduce((n, o) => n + o.expected.length, 0),
      matched: outcomes.reduce((n, o) => n + o.expected.filter((k) => o.predicted.includes(k)).length, 0),
      predicted: outcomes.reduce((n, o) => n + o.predicted.length, 0),
    },
    perIntent,
    confusion: Object.fromEntries([...confusion.entries()].sort((a, b) => b[1] - a[1])),
    misses: outcomes.filter((o) => !o.correct),
    msTotal: round(ms),
    msPerReply: round(ms / outcomes.length),
  };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(JSON.stringify(await benchIntents(), null, 2));
}
