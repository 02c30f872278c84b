// Outbound mail through SES v2: raw MIME (Baton builds the whole message itself, calendar parts
// included), paced to the account's max send rate, backing off when SES throttles anyway.
// Locally the same client talks to aws-ses-v2-local.
import { GetAccountCommand, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';

export interface SesClientOptions {
  endpoint?: string;
  region?: string;
}

export function createSesClient(opts: SesClientOptions = {}): SESv2Client {
  return new SESv2Client({
    region: opts.region ?? process.env.AWS_REGION ?? 'local',
    ...(opts.endpoint
      ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    // Throttling is handled by the pacer below, which knows the account's rate; the SDK's own
    // retries stay for network faults.
    maxAttempts: 3,
  });
}

export interface OutgoingMail {
  from: string;
  to: string;
  /** The complete RFC 5322 message. */
  raw: string | Uint8Array;
  /** SES configuration set whose events (bounce, complaint) reach the mail-events handler. */
  configurationSet?: string;
  /** Message tags; SES repeats them in this message's events (Send, Delivery, Bounce). */
  tags?: Record<string, string>;
}

export interface Mailer {
  /** Sends one message and returns the id SES assigned (which SES also writes into Message-ID). */
  send(mail: OutgoingMail): Promise<string>;
}

export type SendPriority = 'bulk' | 'priority';

/** What a mailer waits on before each send: a start time that keeps the account within its rate. */
export interface SendGate {
  take(priority?: SendPriority): Promise<void>;
  /** SES throttled a send anyway: the rate may have changed. */
  throttled?(): void;
}

/**
 * Spaces calls in this process so that no more than `ratePerSecond` start in any sliding second
 * (every start at least 1/rate after the one before). Locally the one process is the account;
 * in AWS the containers share `SharedPace` (pace.ts) instead.
 */
export class Pacer implements SendGate {
  private next = 0;
  constructor(
    private ratePerSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`send rate must be positive, got ${ratePerSecond}`);
  }

  setRate(ratePerSecond: number): void {
    if (ratePerSecond > 0) this.ratePerSecond = ratePerSecond;
  }

  take(): Promise<void> {
    return this.wait();
  }

  async wait(): Promise<void> {
    const interval = 1000 / this.ratePerSecond;
    const now = this.now();
    const at = Math.max(now, this.next);
    this.next = at + interval;
    if (at > now) await this.sleep(at - now);
  }
}

function isThrottle(err: unknown): boolean {
  const name = (err as { name?: string })?.name ?? '';
  return name === 'TooManyRequestsException' || name === 'ThrottlingException' || name === 'LimitExceededException';
}

export interface SesMailerOptions {
  client: SESv2Client;
  /** Sends per second; when absent, read from the account (GetAccount) on first use. */
  maxSendRate?: number;
  /** The pace shared with every other sender (AWS); when absent, a Pacer in this process. */
  gate?: SendGate;
  /** Where this mailer's sends queue in a shared gate: acknowledgements are 'priority'. */
  priority?: SendPriority;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** How many times a throttled send is retried, doubling the wait each time. */
  throttleRetries?: number;
  /** Told of each throttled send before the back-off, so the handler can count throttles. */
  onThrottle?: (attempt: number) => void;
}

export class SesMailer implements Mailer {
  private pacer: SendGate | undefined;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: SesMailerOptions) {
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.pacer = opts.gate ?? (opts.maxSendRate ? new Pacer(opts.maxSendRate, opts.now, this.sleep) : undefined);
  }

  /** The account's max send rate, as SES reports it. */
  async accountSendRate(): Promise<number> {
    const account = await this.opts.client.send(new GetAccountCommand({}));
    const rate = account.SendQuota?.MaxSendRate;
    if (!rate || rate <= 0) throw new Error('SES GetAccount returned no MaxSendRate; is SES set up in this region?');
    return rate;
  }

  private async getPacer(): Promise<SendGate> {
    this.pacer ??= new Pacer(await this.accountSendRate(), this.opts.now, this.sleep);
    return this.pacer;
  }

  async send(mail: OutgoingMail): Promise<string> {
    const pacer = await this.getPacer();
    const data = typeof mail.raw === 'string' ? new TextEncoder().encode(mail.raw) : mail.raw;
    const retries = this.opts.throttleRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      await pacer.take(this.opts.priority);
      try {
        const out = await this.opts.client.send(
          new SendEmailCommand({
            FromEmailAddress: mail.from,
            Destination: { ToAddresses: [mail.to] },
            Content: { Raw: { Data: data } },
            ...(mail.configurationSet ? { ConfigurationSetName: mail.configurationSet } : {}),
            ...(mail.tags && Object.keys(mail.tags).length ? { EmailTags: Object.entries(mail.tags).map(([Name, Value]) => ({ Name, Value })) } : {}),
          }),
        );
        if (!out.MessageId) throw new Error('SES accepted the message but returned no MessageId');
        return out.MessageId;
      } catch (err) {
        if (!isThrottle(err) || attempt >= retries) throw err;
        this.opts.onThrottle?.(attempt);
        pacer.throttled?.();
        await this.sleep(200 * 2 ** attempt);
      }
    }
  }
}

/**
 * Locally: sends through aws-ses-v2-local and also keeps each raw message as
 * <dir>/<ses-message-id>.eml. aws-ses-v2-local's outbox keeps the parsed parts but drops raw
 * headers, and headers (Reply-To, List-Unsubscribe, References) are half of what a mail is.
 */
export class RecordingMailer implements Mailer {
  constructor(
    private readonly inner: Mailer,
    private readonly dir: string,
  ) {}

  async send(mail: OutgoingMail): Promise<string> {
    const id = await this.inner.send(mail);
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(this.dir, { recursive: true });
    await writeFile(`${this.dir}/${id.replace(/[^A-Za-z0-9._-]/g, '_')}.eml`, mail.raw);
    return id;
  }
}
