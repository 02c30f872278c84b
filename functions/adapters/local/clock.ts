// The local stand-in for EventBridge Scheduler's clock. Time runs from a chosen start at a chosen
// speed (1 = real time); on every tick the stack asks for the jobs that are due by the clock's
// "now" and fires them through the same dispatch code the Lambda runs.

export interface ClockOptions {
  /** The instant the clock shows when it starts (default: the real now). */
  start?: Date;
  /** How many clock milliseconds pass per real millisecond. */
  speed?: number;
  /** Real milliseconds between ticks. */
  tickMs?: number;
  /** Called on every tick with the clock's now; errors are reported, never stop the clock. */
  onTick: (now: Date) => Promise<void>;
  onError?: (err: unknown) => void;
  /** The real time source, replaceable so tests can drive the clock deterministically. */
  realNow?: () => number;
}

export class LocalClock {
  readonly speed: number;
  private readonly startClock: number;
  private readonly startReal: number;
  private readonly realNow: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly opts: ClockOptions) {
    this.realNow = opts.realNow ?? Date.now;
    this.speed = opts.speed ?? 1;
    if (!(this.speed > 0) || !Number.isFinite(this.speed)) {
      throw new Error(`clock speed must be a positive number, got ${opts.speed}`);
    }
    this.startReal = this.realNow();
    this.startClock = opts.start?.getTime() ?? this.startReal;
  }

  now(): Date {
    return new Date(this.startClock + (this.realNow() - this.startReal) * this.speed);
  }

  start(): void {
    const tickMs = this.opts.tickMs ?? 1000;
    this.timer = setInterval(() => void this.tick(), tickMs);
    this.timer.unref();
    void this.tick();
  }

  /** Runs one tick unless the previous one is still running (a slow dispatch never overlaps itself). */
  tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = this.opts
      .onTick(this.now())
      .catch((err) => this.opts.onError?.(err))
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
