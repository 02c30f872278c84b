// The fan-out queue: dispatch splits a large send into jobs of a few hundred recipients and puts
// them here; the send workers take them off (functions/handlers/send-worker.ts).
//
// Primary course of `sendAll`:
//   1. cut the bodies into SendMessageBatch calls of at most 10 entries and 256 KiB;
//   2. send each call; entries SQS failed on its side (not the sender's fault) are sent again;
//   3. anything still failing is an error naming the messages, so the scheduler retries the whole
//      job (the delivery ledger keeps a batch that did get through from sending twice).
import { SendMessageBatchCommand, SQSClient, type BatchResultErrorEntry } from '@aws-sdk/client-sqs';

/** SQS limits for one SendMessageBatch call. */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_BYTES_PER_CALL = 256 * 1024;

export interface MessageQueue {
  sendAll(bodies: readonly string[]): Promise<{ sent: number; calls: number }>;
}

let sharedClient: SQSClient | undefined;

/** One client per container, made on first use; the SDK finds the Lambda's credentials itself. */
export function sqsClient(region?: string): SQSClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  sharedClient ??= new SQSClient(region ? { region } : {});
  return sharedClient;
}

export interface SqsQueueOptions {
  queueUrl: string;
  region?: string;
  /** Defaults to the module's one client (sqsClient). */
  client?: SQSClient;
  /** Rounds of resending entries SQS failed on its side. */
  retries?: number;
}

/** Groups bodies into calls within SQS's per-call limits; a single body over the limit is an error. */
export function chunkForSqs(bodies: readonly string[]): string[][] {
  const calls: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = Buffer.byteLength(body, 'utf8');
    if (size > MAX_BYTES_PER_CALL) {
      throw new Error(`a queue message of ${size} bytes is over SQS's ${MAX_BYTES_PER_CALL}-byte limit: send fewer recipients per batch`);
    }
    if (current.length === MAX_ENTRIES_PER_CALL || bytes + size > MAX_BYTES_PER_CALL) {
      calls.push(current);
      current = [];
      bytes = 0;
    }
    current.push(body);
    bytes += size;
  }
  if (current.length) calls.push(current);
  return calls;
}

const describeFailures = (failed: readonly BatchResultErrorEntry[]) =>
  failed.map((f) => `message ${f.Id} (${f.Code ?? 'error'}${f.Message ? `: ${f.Message}` : ''})`).join(', ');

export class SqsQueue implements MessageQueue {
  private readonly client: SQSClient;

  constructor(private readonly opts: SqsQueueOptions) {
    this.client = opts.client ?? sqsClient(opts.region);
  }

  async sendAll(bodies: readonly string[]): Promise<{ sent: number; calls: number }> {
    const retries = this.opts.retries ?? 3;
    let calls = 0;
    let offset = 0;
    for (const chunk of chunkForSqs(bodies)) {
      // Ids are positions in `bodies`, so an error names the very messages that did not go.
      let pending = chunk.map((body, i) => ({ Id: String(offset + i), MessageBody: body }));
      offset += chunk.length;
      for (let round = 0; pending.length > 0; round++) {
        calls++;
        const failed = (await this.send(pending)).Failed ?? [];
        const senderFault = failed.filter((f) => f.SenderFault);
        if (senderFault.length > 0) {
          throw new Error(
            `SQS refused ${failed.length} of ${bodies.length} messages for ${this.opts.queueUrl}: ${describeFailures(failed)}. ` +
              'Resending cannot help: the message itself is wrong.',
          );
        }
        if (failed.length > 0 && round >= retries) {
          throw new Error(
            `SQS refused ${failed.length} of ${bodies.length} messages for ${this.opts.queueUrl} after ${round + 1} attempts: ${describeFailures(failed)}`,
          );
        }
        const again = new Set(failed.map((f) => f.Id));
        pending = pending.filter((e) => again.has(e.Id));
      }
    }
    return { sent: bodies.length, calls };
  }

  private async send(entries: { Id: string; MessageBody: string }[]) {
    try {
      return await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.opts.queueUrl, Entries: entries }));
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
      throw new Error(
        `SQS SendMessageBatch to ${this.opts.queueUrl} failed: ${name}: ${message}. ` +
          'Check that the function may call sqs:SendMessage on this queue and that the queue URL is right.',
        { cause: error },
      );
    }
  }
}
