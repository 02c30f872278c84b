// One pace for all outbound mail of the account. Every sender (dispatch, the send workers, the
// inbound function's acknowledgements) takes a start time from the same DynamoDB item
// (dynamo/pace.ts) before each SendEmail, so the account's starts never pass the SES max send
// rate in any sliding second, however many containers send at once.
//
// - The rate is the account's (SES GetAccount, read on a container's first send and again every
//   ten minutes, and at once after a throttle); the stack's configured rate is the fallback when
//   GetAccount fails. A small headroom (2%) absorbs clock differences between containers.
// - Priorities: bulk senders (trainings, reminders, updates, …) take a slot only within a short
//   horizon ahead of now, so the shared line of reserved starts stays short; the backlog waits on
//   the queue, not in the pace. An acknowledgement has no such limit: it queues behind at most
//   that horizon, never behind 10,000 trainings.
// - The horizon is a second, or longer when the account's bulk sends in flight (`bulkTakers`)
//   would not fit in a second at the rate: every one of them then finds a free slot at its first
//   request. A shorter horizon refuses the extra takers over and over (a failed conditional write
//   and a read each time), and those refusals grow with the backlog.
import { GetAccountCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import type { SendPaceSlots } from './dynamo/pace.ts';
import { HANDLER_METRICS, type Observability } from './observability.ts';
import { SesMailer, type SendGate, type SendPriority } from './ses.ts';

export type { SendGate, SendPriority } from './ses.ts';


/** The account's max send rate, from SES, refreshed every `refreshMs`; `fallback` when SES cannot say. */
export class AccountRate {
  private value: number | undefined;
  private readAt = -Infinity;
  constructor(
    private readonly opts: { client: Pick<SESv2Client, 'send'>; fallback: number; now: () => number; refreshMs?: number; onFallback?: (error: unknown) => void },
  ) {}

  async get(): Promise<number> {
    const now = this.opts.now();
    if (this.value !== undefined && now - this.readAt < (this.opts.refreshMs ?? 600_000)) return this.value;
    this.readAt = now;
    try {
      const account = await this.opts.client.send(new GetAccountCommand({}));
      const rate = account.SendQuota?.MaxSendRate;
      this.value = rate && rate > 0 ? rate : this.opts.fallback;
    } catch (error) {
      this.opts.onFallback?.(error);
      this.value = this.opts.fallback;
    }
    return this.value;
  }

  stale(): void {
    this.readAt = -Infinity;
  }
}

export interface SharedPaceOptions {
  slots: SendPaceSlots;
  rate: AccountRate;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** The pace's name in the table: one per account and region. */
  name?: string;
  /** Share of the rate used; the rest absorbs clock skew between containers. */
  headroom?: number;
  /** How far ahead of now a bulk sender may reserve, at least (`bulkHorizon`). */
  bulkHorizonMs?: number;
  /** Bulk sends the whole account keeps in flight at most (workers × sends in flight each). */
  bulkTakers?: number;
}

export const DEFAULT_HEADROOM = 0.98;
export const BULK_HORIZON_MS = 1000;

/**
 * How far ahead a bulk sender may reserve: `minMs`, or room for every bulk send in flight plus
 * one when that is longer, so that no bulk taker is refused while the others hold their slots.
 */
export function bulkHorizon(intervalMs: number, takers = 0, minMs = BULK_HORIZON_MS): number {
  return Math.max(minMs, (takers + 1) * intervalMs);
}

export class SharedPace implements SendGate {
  constructor(private readonly opts: SharedPaceOptions) {}

  async take(priority: SendPriority = 'bulk'): Promise<void> {
    const { slots, now, sleep } = this.opts;
    for (;;) {
      const intervalMs = 1000 / ((await this.opts.rate.get()) * (this.opts.headroom ?? DEFAULT_HEADROOM));
      const t = now();
      const horizon = priority === 'priority' ? 3_600_000 : bulkHorizon(intervalMs, this.opts.bulkTakers, this.opts.bulkHorizonMs);
      const answer = await slots.reserveSendSlot(this.opts.name ?? 'ses', { now: t, intervalMs, limit: t + horizon });
      if ('at' in answer) {
        const wait = answer.at - now();
        if (wait > 0) await sleep(wait);
        return;
      }
      // Full for bulk: come back when the line has moved within the horizon again.
      await sleep(Math.max(intervalMs, answer.fullUntil - horizon - now()));
    }
  }

  throttled(): void {
    this.opts.rate.stale();
  }
}

/**
 * A container's mailer in AWS: every send takes its start from the pace all containers share,
 * at the account's rate (GetAccount; `fallbackRate`, the stack's BATON_MAX_SEND_RATE, only when
 * SES cannot say). Throttles are counted and backed off (ses.ts).
 */
export function pacedMailer(opts: {
  client: SESv2Client;
  slots: SendPaceSlots;
  fallbackRate: number;
  priority: SendPriority;
  /** Bulk sends in flight account-wide (sizes the bulk horizon, `bulkHorizon`). */
  bulkTakers?: number;
  obs: Pick<Observability, 'count' | 'logger'>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}): SesMailer {
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const rate = new AccountRate({
    client: opts.client,
    fallback: opts.fallbackRate,
    now,
    onFallback: (error) => opts.obs.logger.warn('SES GetAccount failed; pacing at the configured rate', { error: String(error), rate: opts.fallbackRate }),
  });
  return new SesMailer({
    client: opts.client,
    gate: new SharedPace({ slots: opts.slots, rate, now, sleep, ...(opts.bulkTakers ? { bulkTakers: opts.bulkTakers } : {}) }),
    priority: opts.priority,
    onThrottle: () => opts.obs.count(HANDLER_METRICS.sendThrottled),
    now,
    sleep,
  });
}
