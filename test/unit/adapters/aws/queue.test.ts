// The fan-out queue through the real SQS client with its transport replaced by aws-sdk-client-mock
// (no AWS calls): the exact SendMessageBatch inputs, partial failures and errors.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { QueueDoesNotExist, SendMessageBatchCommand, SQSClient, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { chunkForSqs, MAX_BYTES_PER_CALL, SqsQueue, sqsClient } from '#adapters/aws/queue';

const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/baton-fanout';
const sqs = mockClient(SQSClient);
afterAll(() => sqs.restore());
beforeEach(() => {
  sqs.reset();
  // SQS's answer when all went well: every entry by Id.
  sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: SendMessageBatchRequestEntry[] }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  }));
});

const queue = (retries?: number) =>
  new SqsQueue({ queueUrl: QUEUE_URL, client: new SQSClient({ region: 'eu-west-1' }), ...(retries !== undefined ? { retries } : {}) });
const inputs = () => sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);

describe('SqsQueue', () => {
  it('sends SendMessageBatch calls of at most 10 messages, in order, ids by position', async () => {
    const bodies = Array.from({ length: 23 }, (_, i) => JSON.stringify({ n: i }));
    await expect(queue().sendAll(bodies)).resolves.toEqual({ sent: 23, calls: 3 });
    const calls = inputs();
    expect(calls.map((c) => c.Entries!.length)).toEqual([10, 10, 3]);
    expect(calls.every((c) => c.QueueUrl === QUEUE_URL)).toBe(true);
    expect(calls.flatMap((c) => c.Entries!.map((e) => e.MessageBody))).toEqual(bodies);
    expect(calls[2]).toEqual({
      QueueUrl: QUEUE_URL,
      Entries: [20, 21, 22].map((n) => ({ Id: String(n), MessageBody: JSON.stringify({ n }) })),
    });
  });

  it('sends again only the entries SQS failed on its side', async () => {
    sqs
      .on(SendMessageBatchCommand)
      .resolvesOnce({ Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: '' }], Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }] })
      .resolves({ Successful: [{ Id: '1', MessageId: 'm1', MD5OfMessageBody: '' }], Failed: [] });
    await expect(queue().sendAll(['a', 'b'])).resolves.toEqual({ sent: 2, calls: 2 });
    expect(inputs()[1]).toEqual({ QueueUrl: QUEUE_URL, Entries: [{ Id: '1', MessageBody: 'b' }] });
  });

  it('gives up on entries SQS keeps failing, after the retries, naming them', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'm0', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', SenderFault: false, Code: 'ServiceUnavailable', Message: 'try later' }],
    });
    await expect(queue(2).sendAll(['a', 'b'])).rejects.toThrow(
      `SQS refused 1 of 2 messages for ${QUEUE_URL} after 3 attempts: message 1 (ServiceUnavailable: try later)`,
    );
    expect(inputs().map((c) => c.Entries!.map((e) => e.Id))).toEqual([['0', '1'], ['1'], ['1']]);
  });

  it('does not resend an entry that is the sender’s fault', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad char' }] });
    await expect(queue().sendAll(['\u0000'])).rejects.toThrow(/SQS refused 1 of 1 messages .*message 0 \(InvalidMessageContents: bad char\)\. Resending cannot help/);
    expect(inputs()).toHaveLength(1);
  });

  it('turns a refused call into a message that says what to check', async () => {
    sqs.on(SendMessageBatchCommand).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: { httpStatusCode: 400 } }));
    await expect(queue().sendAll(['x'])).rejects.toThrow(
      /SendMessageBatch to .*baton-fanout failed: QueueDoesNotExist: The specified queue does not exist\. Check that the function may call sqs:SendMessage/,
    );
  });

  it('uses one client per container', () => {
    expect(sqsClient('eu-west-1')).toBe(sqsClient('eu-west-1'));
  });
});

describe('chunkForSqs', () => {
  it('keeps each call under SQS’s byte limit as well as its entry limit', () => {
    const big = 'x'.repeat(100 * 1024);
    expect(chunkForSqs([big, big, big, 'y']).map((c) => c.length)).toEqual([2, 2]);
    expect(chunkForSqs([])).toEqual([]);
    expect(() => chunkForSqs(['x'.repeat(MAX_BYTES_PER_CALL + 1)])).toThrow(/over SQS's 262144-byte limit: send fewer recipients/);
  });
});
