// The failure queues, as `baton dlq` reads and re-drives them: SQS to look at a message without
// taking it, Lambda to run the original event again, SQS again to put a fan-out batch back.
//
// Peeking: ReceiveMessage hides a message for the visibility timeout; we ask for a short one and
// then set it back to 0 (ChangeMessageVisibility), so `list` leaves every message where it was and
// the queue's alarm keeps counting it. Deleting is a separate call the caller makes only after the
// re-drive succeeded.
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';

/** A message as received: body, its message attributes flattened to strings, and its handle. */
export interface QueuedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** Message attributes (ErrorMessage, ERROR_CODE, …) as strings. */
  attributes: Record<string, string>;
  /** When SQS received it (the SentTimestamp system attribute). */
  sentAt?: Date;
  /** How often it has been received, `list` included. */
  receiveCount?: number;
}

export interface DeadLetterPort {
  /** Up to `max` messages, hidden from other readers for `visibilitySeconds`. */
  receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<QueuedMessage[]>;
  /** Makes a received message visible again at once. */
  release(queueUrl: string, receiptHandle: string): Promise<void>;
  remove(queueUrl: string, receiptHandle: string): Promise<void>;
  /** Runs the function again with the event, asynchronously (InvocationType Event). */
  invokeAsync(functionArn: string, payload: string): Promise<void>;
  send(queueUrl: string, body: string): Promise<void>;
}

export interface DeadLetterClients {
  sqs: SQSClient;
  lambda: LambdaClient;
}

export function createDeadLetterClients(region: string): DeadLetterClients {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return { sqs: new SQSClient({ region }), lambda: new LambdaClient({ region }) };
}

/** Seconds a listed message stays hidden if releasing it fails (the CLI died between the calls). */
export const PEEK_VISIBILITY_SECONDS = 10;
/** Seconds a message being replayed stays hidden: long enough for the re-drive call and the delete. */
export const REPLAY_VISIBILITY_SECONDS = 60;

/** Reads up to `max` messages and makes each visible again at once: a look that changes nothing. */
export async function peek(port: DeadLetterPort, queueUrl: string, max: number): Promise<QueuedMessage[]> {
  const messages = await port.receive(queueUrl, max, PEEK_VISIBILITY_SECONDS);
  // Visible again at once: listing must not hide a failure from the alarm or from a replay.
  for (const m of messages) await port.release(queueUrl, m.receiptHandle);
  return messages;
}

/** ReceiveMessage returns at most 10 messages a call. */
const RECEIVE_MAX = 10;

const toMessage = (m: Message): QueuedMessage => {
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(m.MessageAttributes ?? {})) {
    if (value.StringValue !== undefined) attributes[name] = value.StringValue;
  }
  const sent = Number(m.Attributes?.SentTimestamp);
  const count = Number(m.Attributes?.ApproximateReceiveCount);
  return {
    messageId: m.MessageId ?? '',
    receiptHandle: m.ReceiptHandle ?? '',
    body: m.Body ?? '',
    attributes,
    ...(Number.isFinite(sent) && sent > 0 ? { sentAt: new Date(sent) } : {}),
    ...(Number.isFinite(count) && count > 0 ? { receiveCount: count } : {}),
  };
};

export class AwsDeadLetters implements DeadLetterPort {
  constructor(private readonly clients: DeadLetterClients) {}

  async receive(queueUrl: string, max: number, visibilitySeconds: number): Promise<QueuedMessage[]> {
    const seen = new Map<string, QueuedMessage>();
    // Short polls sample a subset of SQS's servers, so a few rounds are needed to see a small
    // queue whole; an empty answer or only repeats ends it.
    for (let round = 0; round < 5 && seen.size < max; round++) {
      const { Messages = [] } = await this.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: Math.min(RECEIVE_MAX, max - seen.size),
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: 0,
        }),
      );
      const fresh = Messages.map(toMessage).filter((m) => !seen.has(m.messageId));
      if (fresh.length === 0) break;
      for (const m of fresh) seen.set(m.messageId, m);
    }
    return [...seen.values()];
  }

  async release(queueUrl: string, receiptHandle: string): Promise<void> {
    await this.clients.sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
  }

  async remove(queueUrl: string, receiptHandle: string): Promise<void> {
    await this.clients.sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle }));
  }

  async invokeAsync(functionArn: string, payload: string): Promise<void> {
    const result = await this.clients.lambda.send(
      new InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: new TextEncoder().encode(payload) }),
    );
    // An accepted asynchronous invocation answers 202; anything else did not queue the event.
    if (result.StatusCode !== 202) {
      throw new Error(`Lambda answered ${result.StatusCode ?? 'no status'} instead of 202 (accepted) for ${functionArn}`);
    }
  }

  async send(queueUrl: string, body: string): Promise<void> {
    await this.clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  }
}
