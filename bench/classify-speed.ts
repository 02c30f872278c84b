// Reply classification on long adversarial input: the worst case a stranger can mail us. The test
// (test/unit/core/classify.test.ts) checks these inputs are classified at all; how fast is measured
// here, on its own, because a timed assertion in a test fails whenever the machine is busy.
// Run alone with `npx tsx bench/classify-speed.ts` (prints JSON), or call benchClassifySpeed().
import { pathToFileURL } from 'node:url';
import { classifyReply, type ReplyContext } from '#core/classify';
import type { Strategy } from '#core/model';

/** Long bodies shaped to make a backtracking regular expression take exponential or quadratic time. */
export const ADVERSARIAL_REPLIES: readonly string[] = [
  'the '.repeat(20_000) + 'one',
  '#'.repeat(50_000),
  'my '.repeat(20_000) + 'tip',
  'a 1 '.repeat(20_000),
  ('https://' + 'a'.repeat(100) + ' ').repeat(300),
  'x'.repeat(100_000),
  ('la 2 de ' + ' '.repeat(50)).repeat(1_000),
  'melde mich ' + 'x '.repeat(30_000),
];

/** The strategies of the 1:1 training, as the labelled replies know them. */
export const STRATEGIES: Strategy[] = [
  { id: 'block-prep-time', number: 1, title: 'Block 15 minutes to prepare', body: '' },
  { id: 'write-a-shared-agenda', number: 2, title: 'Write a shared 1:1 agenda', body: '' },
  { id: 'keep-a-wins-log', number: 3, title: 'Keep a running log of wins and blockers', body: '' },
  { id: 'rotate-the-meeting-time', number: 4, title: 'Rotate the meeting time across time zones', body: '' },
  { id: 'end-with-action-items', number: 5, title: 'End with written action items', body: '' },
];
const CHECK_IN: ReplyContext = { kind: 'check-in', strategyId: 'write-a-shared-agenda' };

/**
 * One adversarial reply classified as the inbound path would: subject from its head, a check-in
 * context. An error the classifier would swallow is thrown instead, so a crash cannot pass for speed.
 */
export function classifyAdversarial(text: string, strategies: Strategy[] = STRATEGIES): ReturnType<typeof classifyReply> {
  return classifyReply({ subject: 'Re: ' + text.slice(0, 5_000), text, strategies, context: CHECK_IN }, (error) => {
    throw error;
  });
}

export interface ClassifySpeedResult {
  /** Milliseconds for each of ADVERSARIAL_REPLIES, in order. */
  ms: number[];
  slowestMs: number;
  goals: { slowestMs: number };
  met: boolean;
}

export async function benchClassifySpeed(): Promise<ClassifySpeedResult> {
  const ms = ADVERSARIAL_REPLIES.map((text) => {
    const started = performance.now();
    classifyAdversarial(text);
    return Math.round((performance.now() - started) * 10) / 10;
  });
  const slowestMs = Math.max(...ms);
  // The bound the test used to assert (1.5 s per reply): far above a linear pass, far below backtracking.
  return { ms, slowestMs, goals: { slowestMs: 1_500 }, met: slowestMs < 1_500 };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchClassifySpeed(), null, 2));
}
