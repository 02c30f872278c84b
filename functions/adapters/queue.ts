// The fan-out queue: dispatch splits a large send into jobs of a few hundred recipients and puts
// them here; the send workers take them off (functions/handlers/send-worker.ts).
//
// Why a signed JSON call instead of @aws-sdk/client-sqs: the project does not depend on that
// client, and SQS speaks the AWS JSON 1.0 protocol (X-Amz-Target: AmazonSQS.SendMessageBatch), so
// one POST signed with SigV4 (secrets.ts) is all it takes. Swapping the client in later changes
// only `post` below.
//
// Primary course of `sendAll`:
//   1. cut the bodies into SendMessageBatch calls of at most 10 entries and 256 KiB;
//   2. send each call; entries SQS failed on its side (not the sender's fault) are sent again;
//   3. anything still failing is an error, so the scheduler retries the whole job (the delivery
//      ledger keeps a batch that did get through from sending twice).
import { signV4, type AwsCredentials } from './secrets.ts';

/** SQS limits for one SendMessageBatch call. */
export const MAX_ENTRIES_PER_CALL = 10;
export const MAX_BYTES_PER_CALL = 256 * 1024;

export interface MessageQueue {
  sendAll(bodies: readonly string[]): Promise<{ sent: number; calls: number }>;
}

export interface SqsQueueOptions {
  queueUrl: string;
  region: string;
  credentials: () => Promise<AwsCredentials>;
  /** Defaults to https://sqs.<region>.amazonaws.com (tests point it at a local server). */
  endpoint?: string;
  /** Rounds of resending entries SQS failed on its side. */
  retries?: number;
  now?: () => Date;
}

interface BatchResult {
  Successful?: { Id: string }[];
  Failed?: { Id: string; SenderFault?: boolean; Code?: string; Message?: string }[];
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

export class SqsQueue implements MessageQueue {
  private readonly endpoint: URL;

  constructor(private readonly opts: SqsQueueOptions) {
    this.endpoint = new URL(opts.endpoint ?? `https://sqs.${opts.region}.amazonaws.com`);
  }

  async sendAll(bodies: readonly string[]): Promise<{ sent: number; calls: number }> {
    let calls = 0;
    for (const chunk of chunkForSqs(bodies)) {
      let pending = chunk.map((body, i) => ({ Id: String(i), MessageBody: body }));
      for (let round = 0; pending.length > 0; round++) {
        calls++;
        const result = await this.post('AmazonSQS.SendMessageBatch', { QueueUrl: this.opts.queueUrl, Entries: pending });
        const failed = result.Failed ?? [];
        const fatal = failed.filter((f) => f.SenderFault);
        if (fatal.length > 0 || (failed.length > 0 && round >= (this.opts.retries ?? 3))) {
          const f = (fatal[0] ?? failed[0])!;
          throw new Error(
            `SQS refused ${failed.length} of ${pending.length} messages for ${this.opts.queueUrl}: ${f.Code ?? 'error'}: ${f.Message ?? ''}`.trim(),
          );
        }
        const again = new Set(failed.map((f) => f.Id));
        pending = pending.filter((e) => again.has(e.Id));
      }
    }
    return { sent: bodies.length, calls };
  }

  private async post(target: string, payload: unknown): Promise<BatchResult> {
    const body = JSON.stringify(payload);
    const headers = signV4(
      {
        method: 'POST',
        host: this.endpoint.host,
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': target },
        body,
      },
      { credentials: await this.opts.credentials(), region: this.opts.region, service: 'sqs', now: this.opts.now?.() ?? new Date() },
    );
    delete headers.host;
    const res = await fetch(new URL('/', this.endpoint), { method: 'POST', headers, body });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(
        `SQS ${target.split('.')[1]} to ${this.opts.queueUrl} failed with HTTP ${res.status}: ${text.slice(0, 300)}. ` +
          'Check that the function may call sqs:SendMessage on this queue and that the queue URL is right.',
      );
    }
    return JSON.parse(text) as BatchResult;
  }
}

/** A Lambda's own credentials, which the runtime puts in its environment. */
export function credentialsFromEnv(env: Record<string, string | undefined> = process.env): () => Promise<AwsCredentials> {
  return async () => {
    const accessKeyId = env.AWS_ACCESS_KEY_ID;
    const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
    if (!accessKeyId || !secretAccessKey) {
      throw new Error('AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set: outside Lambda, give the adapter a credentials provider');
    }
    return { accessKeyId, secretAccessKey, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) };
  };
}
