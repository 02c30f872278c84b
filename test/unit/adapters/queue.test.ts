// The fan-out queue against a local HTTP server speaking SQS's JSON protocol: it checks each
// request's SigV4 signature by recomputing it, and answers with partial failures on demand.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chunkForSqs, MAX_BYTES_PER_CALL, SqsQueue } from '#adapters/queue';
import { signV4 } from '#adapters/secrets';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'tok' };
const now = new Date('2027-01-21T08:00:00Z');
const QUEUE_URL = 'https://sqs.eu-west-1.amazonaws.com/123456789012/baton-fanout';

interface Call {
  target: string;
  entries: { Id: string; MessageBody: string }[];
  queueUrl: string;
}
let server: Server;
let endpoint: string;
let calls: Call[];
let answer: (call: Call) => { status?: number; body: unknown };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
      const expected = signV4(
        {
          method: 'POST',
          host: headers.host!,
          path: '/',
          headers: { 'content-type': headers['content-type']!, 'x-amz-target': headers['x-amz-target']! },
          body,
        },
        { credentials, region: 'eu-west-1', service: 'sqs', now },
      );
      if (headers.authorization !== expected.authorization || headers['x-amz-security-token'] !== 'tok') {
        res.writeHead(403).end(JSON.stringify({ __type: 'InvalidSignatureException' }));
        return;
      }
      const payload = JSON.parse(body) as { QueueUrl: string; Entries: Call['entries'] };
      const call = { target: headers['x-amz-target']!, entries: payload.Entries, queueUrl: payload.QueueUrl };
      calls.push(call);
      const { status = 200, body: out } = answer(call);
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
beforeEach(() => {
  calls = [];
  answer = (call) => ({ body: { Successful: call.entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })) } });
});

const queue = (secret = credentials) =>
  new SqsQueue({ queueUrl: QUEUE_URL, region: 'eu-west-1', credentials: async () => secret, endpoint, now: () => now });

describe('SqsQueue', () => {
  it('sends signed SendMessageBatch calls of at most 10 messages, in order', async () => {
    const bodies = Array.from({ length: 23 }, (_, i) => JSON.stringify({ n: i }));
    await expect(queue().sendAll(bodies)).resolves.toEqual({ sent: 23, calls: 3 });
    expect(calls.map((c) => c.target)).toEqual(Array(3).fill('AmazonSQS.SendMessageBatch'));
    expect(calls.map((c) => c.entries.length)).toEqual([10, 10, 3]);
    expect(calls.every((c) => c.queueUrl === QUEUE_URL)).toBe(true);
    expect(calls.flatMap((c) => c.entries.map((e) => e.MessageBody))).toEqual(bodies);
  });

  it('sends again only the entries SQS failed on its side', async () => {
    let first = true;
    answer = (call) => {
      if (!first) return { body: { Successful: call.entries.map((e) => ({ Id: e.Id })) } };
      first = false;
      return { body: { Successful: [{ Id: '0' }], Failed: [{ Id: '1', SenderFault: false, Code: 'InternalError' }] } };
    };
    await expect(queue().sendAll(['a', 'b'])).resolves.toEqual({ sent: 2, calls: 2 });
    expect(calls[1]!.entries.map((e) => e.MessageBody)).toEqual(['b']);
  });

  it('fails on an entry that is the sender’s fault, and on one SQS keeps failing', async () => {
    answer = () => ({ body: { Failed: [{ Id: '0', SenderFault: true, Code: 'InvalidMessageContents', Message: 'bad char' }] } });
    await expect(queue().sendAll(['\u0000'])).rejects.toThrow(/SQS refused 1 of 1 messages .*InvalidMessageContents: bad char/);
    calls = [];
    answer = () => ({ body: { Failed: [{ Id: '0', SenderFault: false, Code: 'ServiceUnavailable' }] } });
    await expect(queue().sendAll(['x'])).rejects.toThrow(/ServiceUnavailable/);
    expect(calls).toHaveLength(4);
  });

  it('turns an HTTP error into a message that says what to check', async () => {
    await expect(queue({ ...credentials, secretAccessKey: 'wrong' }).sendAll(['x'])).rejects.toThrow(
      /SendMessageBatch to .*baton-fanout failed with HTTP 403.*InvalidSignatureException.*sqs:SendMessage/,
    );
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
