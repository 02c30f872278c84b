// The pieces of `npm run bench -- scale` that stand in for AWS: a simulated clock, and in-memory
// SES v2, SQS (with its Lambda event source), EventBridge Scheduler and Secrets Manager that
// answer the SDK commands the handlers send, as AWS documents them. DynamoDB is dynalite, real.
//
// The clock: every sleep of the code under test (the pacer, SES's answer, the queue's poll, Lambda's
// retry delays) is a timer on the simulated clock. The clock moves to the next timer only when the
// process is quiet: no DynamoDB request in flight and nothing left to run. DynamoDB and the CPU
// therefore cost no simulated time, and a 10,000-person send at 14/s takes minutes of real time.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetAccountCommand, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { ConflictException, CreateScheduleCommand, CreateScheduleGroupCommand, DeleteScheduleCommand, ResourceNotFoundException, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Observability } from '#adapters/aws/observability';
import { deliveryFromTags } from '#app/deliver';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

/** A binary heap of timers, earliest first (ties in the order they were set). */
class TimerHeap {
  private items: Timer[] = [];
  get size() {
    return this.items.length;
  }
  private less(a: Timer, b: Timer) {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }
  push(t: Timer) {
    const h = this.items;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Timer | undefined {
    const h = this.items;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
        if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

export class SimClock {
  private timers = new TimerHeap();
  private seq = 0;
  /** DynamoDB requests on their way (counted by the middleware `watch` adds). */
  inflight = 0;
  private fired = 0;
  constructor(public t: number) {}

  now = (): number => this.t;
  sleep = (ms: number): Promise<void> => new Promise((resolve) => this.at(this.t + Math.max(0, ms), resolve));
  at(time: number, fire: () => void): void {
    this.timers.push({ at: time, seq: this.seq++, fire });
  }

  /** Counts the client's requests in flight, so the clock moves only when none is. */
  watch(client: DynamoDBClient): void {
    client.middlewareStack.add(
      (next) => async (args) => {
        this.inflight++;
        try {
          return await next(args);
        } finally {
          this.inflight--;
        }
      },
      { step: 'initialize', name: 'simInflight' },
    );
  }

  private async settle(): Promise<void> {
    let quiet = 0;
    let spins = 0;
    while (quiet < 2) {
      await new Promise((r) => setImmediate(r));
      quiet = this.inflight === 0 ? quiet + 1 : 0;
      if (process.env.SCALE_DEBUG && ++spins % 100_000 === 0) process.stderr.write(`settle: ${spins} turns, ${this.inflight} in flight\n`);
    }
  }

  /** Runs timers in order until `done()` holds in a quiet moment, or the clock passes `until`. */
  async run(done: () => boolean, until: number): Promise<void> {
    for (;;) {
      await this.settle();
      if (done()) return;
      const next = this.timers.pop();
      if (!next) return;
      if (next.at > until) throw new Error(`the simulation passed ${new Date(until).toISOString()} without finishing`);
      this.t = Math.max(this.t, next.at);
      if (process.env.SCALE_DEBUG && (++this.fired % 1000 === 0 || this.fired < 30)) process.stderr.write(`timers: ${this.fired} fired, t=${new Date(this.t).toISOString()}\n`);
      next.fire();
    }
  }
}

/** Longest count of times within any window [t, t + windowMs). */
export function maxInWindow(times: readonly number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (sorted[i]! - sorted[j]! >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * SES v2 for one account: GetAccount reports the quota; SendEmail is refused with
 * TooManyRequestsException ("Maximum sending rate exceeded", HTTP 429) when it would make more
 * than `quota` sends in the last second (a sliding second, stricter than SES's own bucket), and
 * answers after `latencyMs` otherwise. Every call is recorded with the time it was made.
 */
export class FakeSes {
  attempts: number[] = [];
  accepted: { at: number; to: string; emailId: string }[] = [];
  throttled = 0;
  private acceptedTimes: number[] = [];
  private seq = 0;
  constructor(
    private readonly clock: SimClock,
    readonly quota: number,
    private readonly latencyMs: (n: number) => number,
  ) {}

  async send(command: unknown): Promise<unknown> {
    if (command instanceof GetAccountCommand) {
      return { SendQuota: { MaxSendRate: this.quota, Max24HourSend: 1_000_000, SentLast24Hours: this.accepted.length }, SendingEnabled: true, ProductionAccessEnabled: true };
    }
    if (!(command instanceof SendEmailCommand)) throw new Error(`the SES fake does not answer ${(command as object).constructor.name}`);
    const now = this.clock.now();
    this.attempts.push(now);
    const n = this.seq++;
    // Accepted in the last second: the array is in time order, so count from the end.
    let recent = 0;
    for (let i = this.acceptedTimes.length - 1; i >= 0 && this.acceptedTimes[i]! > now - 1000; i--) recent++;
    await this.clock.sleep(this.latencyMs(n));
    if (recent >= this.quota) {
      this.throttled++;
      throw new TooManyRequestsException({ message: 'Maximum sending rate exceeded.', $metadata: { httpStatusCode: 429 } });
    }
    this.acceptedTimes.push(now);
    const input = command.input;
    const tags = Object.fromEntries((input.EmailTags ?? []).map((t) => [t.Name!, t.Value!]));
    const delivery = deliveryFromTags(tags);
    this.accepted.push({ at: now, to: input.Destination!.ToAddresses![0]!, emailId: delivery?.emailId ?? '?' });
    return { MessageId: `0100-sim-${n.toString(16).padStart(8, '0')}` };
  }
}

export const fakeSecrets = (secret: string) => ({ send: async () => ({ SecretString: secret }) });

interface Message {
  id: string;
  body: string;
  visibleAt: number;
  receives: number;
}

/**
 * An SQS standard queue (SendMessageBatch; receive with a visibility timeout; a message not
 * deleted comes back when its visibility runs out; after `maxReceives` it moves to the
 * dead-letter queue) and Lambda's event source mapping on it: up to `maxConcurrency` invocations
 * at once, each with up to `batchSize` messages; an invocation's batchItemFailures stay on the
 * queue, the rest are deleted; a thrown invocation leaves all of them.
 */
export class FakeQueue {
  messages: Message[] = [];
  deadLetters: Message[] = [];
  running = 0;
  invocations = 0;
  itemFailures = 0;
  private seq = 0;
  private stopped = false;
  constructor(
    private readonly clock: SimClock,
    private readonly opts: { visibilityMs: number; maxReceives: number; batchSize: number; maxConcurrency: number; pollMs: number },
  ) {}

  /** The SQS client the handlers are given. */
  client = {
    send: async (command: unknown) => {
      if (!(command instanceof SendMessageBatchCommand)) throw new Error(`the SQS fake does not answer ${(command as object).constructor.name}`);
      const entries = command.input.Entries ?? [];
      if (entries.length > 10) throw new Error('AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
      const Successful = entries.map((e) => {
        const id = `msg-${this.seq++}`;
        this.messages.push({ id, body: e.MessageBody!, visibleAt: this.clock.now(), receives: 0 });
        return { Id: e.Id, MessageId: id };
      });
      return { Successful, Failed: [] };
    },
  };

  get idle(): boolean {
    return this.messages.length === 0 && this.running === 0;
  }

  stop() {
    this.stopped = true;
  }

  /** The event source mapping: polls while not stopped. */
  async poll(invoke: (event: unknown) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>): Promise<void> {
    while (!this.stopped) {
      const now = this.clock.now();
      const visible = this.messages.filter((m) => m.visibleAt <= now);
      if (this.running >= this.opts.maxConcurrency || visible.length === 0) {
        await this.clock.sleep(this.opts.pollMs);
        continue;
      }
      const batch = visible.slice(0, this.opts.batchSize);
      for (const m of batch) {
        m.visibleAt = now + this.opts.visibilityMs;
        m.receives++;
      }
      this.running++;
      this.invocations++;
      const event = {
        Records: batch.map((m) => ({
          messageId: m.id,
          receiptHandle: `rh-${m.id}-${m.receives}`,
          body: m.body,
          attributes: { ApproximateReceiveCount: String(m.receives), SentTimestamp: String(now), SenderId: 'AIDA', ApproximateFirstReceiveTimestamp: String(now) },
          messageAttributes: {},
          md5OfBody: 'x',
          eventSource: 'aws:sqs',
          eventSourceARN: 'arn:aws:sqs:eu-west-1:123456789012:FanOut',
          awsRegion: 'eu-west-1',
        })),
      };
      void invoke(event)
        .then(
          (r) => new Set(r.batchItemFailures.map((f) => f.itemIdentifier)),
          () => new Set(batch.map((m) => m.id)),
        )
        .then((failed) => {
          this.itemFailures += failed.size;
          for (const m of batch) {
            if (!failed.has(m.id)) this.messages = this.messages.filter((x) => x !== m);
            else if (m.receives >= this.opts.maxReceives) {
              this.messages = this.messages.filter((x) => x !== m);
              this.deadLetters.push(m);
            }
          }
          this.running--;
        });
    }
  }
}

/**
 * EventBridge Scheduler: schedule groups and schedules by name, with Conflict and NotFound as
 * the API answers them. Schedules are kept as their input; the bench decides when each fires.
 */
export class FakeScheduler {
  groups = new Set<string>();
  schedules = new Map<string, { group: string; expression: string; timezone: string; input: string }>();
  client = {
    send: async (command: unknown) => {
      if (command instanceof CreateScheduleGroupCommand) {
        if (this.groups.has(command.input.Name!)) throw new ConflictException({ message: 'group exists', Message: 'group exists', $metadata: {} });
        this.groups.add(command.input.Name!);
        return {};
      }
      if (command instanceof CreateScheduleCommand || command instanceof UpdateScheduleCommand) {
        const i = command.input;
        const key = `${i.GroupName}/${i.Name}`;
        if (!this.groups.has(i.GroupName!)) throw new ResourceNotFoundException({ message: `group ${i.GroupName} not found`, Message: 'group not found', $metadata: {} });
        const exists = this.schedules.has(key);
        if (command instanceof CreateScheduleCommand && exists) throw new ConflictException({ message: 'schedule exists', Message: 'schedule exists', $metadata: {} });
        if (command instanceof UpdateScheduleCommand && !exists) throw new ResourceNotFoundException({ message: 'schedule not found', Message: 'schedule not found', $metadata: {} });
        this.schedules.set(key, { group: i.GroupName!, expression: i.ScheduleExpression!, timezone: i.ScheduleExpressionTimezone ?? 'UTC', input: i.Target!.Input! });
        return {};
      }
      if (command instanceof DeleteScheduleCommand) {
        const key = `${command.input.GroupName}/${command.input.Name}`;
        if (!this.schedules.delete(key)) throw new ResourceNotFoundException({ message: 'schedule not found', Message: 'schedule not found', $metadata: {} });
        return {};
      }
      throw new Error(`the Scheduler fake does not answer ${(command as object).constructor.name}`);
    },
  };
}

/**
 * A Lambda function's warm containers: an invocation takes an idle one or starts a new one
 * (`make` runs the handler module's wiring, as a cold start does).
 */
export class LambdaFn<R> {
  private idle: ((event: unknown) => Promise<R>)[] = [];
  running = 0;
  containers = 0;
  longestMs = 0;
  constructor(
    private readonly clock: SimClock,
    private readonly make: () => (event: unknown) => Promise<R>,
  ) {}
  async invoke(event: unknown): Promise<R> {
    const handler =
      this.idle.pop() ??
      (() => {
        this.containers++;
        return this.make();
      })();
    this.running++;
    const started = this.clock.now();
    try {
      return await handler(event);
    } finally {
      this.longestMs = Math.max(this.longestMs, this.clock.now() - started);
      this.running--;
      this.idle.push(handler);
    }
  }
}

/** Quiet logs, metrics counted in memory: what the handlers report, without a line per batch. */
export function countingObservability(functionName: string, metrics: Record<string, number>): Observability {
  const logger = new Logger({ serviceName: 'baton', logLevel: process.env.SCALE_DEBUG ? 'ERROR' : 'SILENT' });
  return {
    functionName,
    logger,
    count: (metric, value = 1) => {
      metrics[metric] = (metrics[metric] ?? 0) + value;
    },
    dropped: () => {
      metrics.DroppedEvents = (metrics.DroppedEvents ?? 0) + 1;
    },
    logRecord: () => {},
    flush: () => {},
  };
}
