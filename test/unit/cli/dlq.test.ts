// `baton dlq --target aws` through the real SQS and Lambda clients with their transport replaced
// by aws-sdk-client-mock (no AWS calls, no credentials). The queue messages are shaped as AWS
// documents them:
//   - Lambda on-failure destination record: "Example invocation record",
//     https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
//   - Lambda asynchronous DLQ: the event unchanged, attributes RequestID (String), ErrorCode (Number),
//     ErrorMessage (String), same page, "Dead-letter queues"
//   - EventBridge Scheduler DLQ: the target input, attributes ERROR_CODE, ERROR_MESSAGE,
//     RETRY_ATTEMPTS, SCHEDULE_ARN, TARGET_ARN, … https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
//   - SQS redrive DLQ (fan-out): the message as it was, no error attributes.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { AwsDeadLetters, PEEK_VISIBILITY_SECONDS, REPLAY_VISIBILITY_SECONDS } from '#adapters/aws/dead-letters';
import type { Store } from '#adapters/aws/dynamo';
import type { Job } from '#core/jobs';
import { formatDeadLetter, type FailureQueues, type QueueName } from '#cli/dead-letters';
import { listAws, replayAws } from '#cli/commands/dlq';
import { createDispatchHandler } from '#handlers/dispatch';

const sqs = mockClient(SQSClient);
const lambda = mockClient(LambdaClient);
afterAll(() => {
  sqs.restore();
  lambda.restore();
});

const ACCOUNT = 'https://sqs.eu-west-1.amazonaws.com/123456789012';
const where: FailureQueues = {
  queues: {
    scheduler: `${ACCOUNT}/scheduler-dlq`,
    dispatch: `${ACCOUNT}/dispatch-failures`,
    'fan-out': `${ACCOUNT}/fanout-dlq`,
    inbound: `${ACCOUNT}/inbound-dlq`,
    'mail-events': `${ACCOUNT}/mail-events-dlq`,
  },
  functions: {
    dispatch: 'arn:aws:lambda:eu-west-1:123456789012:function:BatonService-dispatch',
    inbound: 'arn:aws:lambda:eu-west-1:123456789012:function:BatonService-inbound',
    mailEvents: 'arn:aws:lambda:eu-west-1:123456789012:function:BatonService-mail-events',
  },
  fanOutQueueUrl: `${ACCOUNT}/fanout`,
};

const job: Job = { kind: 'training', seriesId: 'q1-productivity', trainingSlug: 'shared-agenda', timeZone: 'Europe/Berlin', workStart: '09:00' };

const str = (v: string): MessageAttributeValue => ({ DataType: 'String', StringValue: v });
const num = (v: string): MessageAttributeValue => ({ DataType: 'Number', StringValue: v });

/** What Lambda sends to an on-failure destination after an asynchronous invocation threw on every attempt. */
function invocationRecord(event: unknown, error: Error) {
  return {
    version: '1.0',
    timestamp: '2027-03-15T08:00:04.568Z',
    requestContext: {
      requestId: 'e4b46cbf-b738-4a7c-8880-a18cdf61200e',
      functionArn: `${where.functions.dispatch}:$LATEST`,
      condition: 'RetriesExhausted',
      approximateInvokeCount: 3,
    },
    requestPayload: event,
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    responsePayload: { errorType: error.name, errorMessage: error.message, trace: [] },
  };
}

const sesEvent = {
  Records: [
    {
      eventSource: 'aws:ses',
      eventVersion: '1.0',
      ses: {
        mail: {
          timestamp: '2027-03-16T10:00:00.000Z',
          source: 'ana@example.com',
          messageId: 'o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1',
          destination: ['reply+abc@reply.baton.example.com'],
          headersTruncated: false,
          headers: [],
          commonHeaders: { returnPath: 'ana@example.com', from: ['Ana <ana@example.com>'], to: ['reply+abc@reply.baton.example.com'], messageId: '<x@example.com>', subject: 'Re: Shared agenda' },
        },
        receipt: { recipients: ['reply+abc@reply.baton.example.com'], action: { type: 'Lambda', functionArn: where.functions.inbound, invocationType: 'Event' } },
      },
    },
  ],
};

let queued: Record<string, Message[]>;
beforeEach(() => {
  sqs.reset();
  lambda.reset();
  queued = Object.fromEntries(Object.values(where.queues).map((u) => [u, []]));
  sqs.on(ReceiveMessageCommand).callsFake((input: { QueueUrl: string }) => ({ Messages: queued[input.QueueUrl] ?? [] }));
  sqs.on(ChangeMessageVisibilityCommand).resolves({});
  sqs.on(DeleteMessageCommand).resolves({});
  sqs.on(SendMessageCommand).resolves({ MessageId: 'new' });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

const port = () => new AwsDeadLetters({ sqs: new SQSClient({ region: 'eu-west-1' }), lambda: new LambdaClient({ region: 'eu-west-1' }) });
const put = (queue: QueueName, m: Message) => queued[where.queues[queue]]!.push(m);
const invokes = () =>
  lambda.commandCalls(InvokeCommand).map((c) => {
    const { Payload, ...rest } = c.args[0].input;
    return { ...rest, payload: JSON.parse(new TextDecoder().decode(Payload as Uint8Array)) as unknown };
  });

describe('a forced dispatch error ends in a queue baton dlq lists', () => {
  it('lists the failed job with its error, and replay invokes dispatch with the original job', async () => {
    // Prepare: dispatch throws (its store is down), as every one of Lambda's attempts would.
    const overloaded = async () => {
      throw new Error('ProvisionedThroughputExceededException: the table is overloaded');
    };
    // Whichever read a training fan-out starts with: its group's members, or the participant list.
    const failingStore = { listGroupMembers: overloaded, listParticipants: overloaded } as unknown as Store;
    const handler = createDispatchHandler({
      store: failingStore,
      send: async () => 'never',
      settings: async () => {
        throw new Error('not reached');
      },
      now: () => new Date('2027-03-15T08:00:00Z'),
      queue: { sendAll: async () => ({ sent: 0, calls: 0 }) },
      batchSize: 250,
    });
    const error = await handler(job).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error).toBeInstanceOf(Error);
    put('dispatch', { MessageId: 'msg-dispatch-1', ReceiptHandle: 'rh-dispatch-1', Body: JSON.stringify(invocationRecord(job, error!)), Attributes: { SentTimestamp: '1805097604568' } });

    // Act: list
    const letters = await listAws(port(), where);

    // Assess: one failure, in words, with the error; every queue read with all attributes, and each
    // message made visible again (nothing deleted by listing).
    expect(letters).toHaveLength(1);
    const text = formatDeadLetter(letters[0]!);
    expect(text).toContain('dispatch · 2027-03-15T08:00:04Z · id msg-dispatch-1');
    expect(text).toContain('the training email for training "shared-agenda" of series q1-productivity (participants in Europe/Berlin starting 09:00)');
    expect(text).toContain('Error:       Error: ProvisionedThroughputExceededException: the table is overloaded (3 attempts, retries exhausted)');
    expect(sqs.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input)).toContainEqual({
      QueueUrl: where.queues.dispatch,
      MaxNumberOfMessages: 10,
      MessageAttributeNames: ['All'],
      MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
      VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
      WaitTimeSeconds: 0,
    });
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: where.queues.dispatch, ReceiptHandle: 'rh-dispatch-1', VisibilityTimeout: 0 },
    ]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);

    // Act: replay it
    sqs.resetHistory();
    const report = await replayAws(port(), where, { ids: ['msg-dispatch-1'] });

    // Assess: dispatch invoked asynchronously with exactly the original job, then the message deleted.
    expect(report.replayed.map((l) => l.id)).toEqual(['msg-dispatch-1']);
    expect(invokes()).toEqual([{ FunctionName: where.functions.dispatch, InvocationType: 'Event', payload: job }]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: where.queues.dispatch, ReceiptHandle: 'rh-dispatch-1' }]);
    const receive = sqs.commandCalls(ReceiveMessageCommand).find((c) => c.args[0].input.QueueUrl === where.queues.dispatch)!;
    expect(receive.args[0].input.VisibilityTimeout).toBe(REPLAY_VISIBILITY_SECONDS);
  });
});

describe('baton dlq replay --target aws', () => {
  it('deletes nothing when the invoke fails, and makes the message visible again', async () => {
    put('dispatch', { MessageId: 'm1', ReceiptHandle: 'rh1', Body: JSON.stringify(invocationRecord(job, new Error('boom'))) });
    lambda.on(InvokeCommand).rejects(Object.assign(new Error('User is not authorized to perform: lambda:InvokeFunction'), { name: 'AccessDeniedException' }));

    const report = await replayAws(port(), where, { all: true });

    expect(report.replayed).toEqual([]);
    expect(report.failed.map((f) => [f.letter.id, f.error])).toEqual([['m1', 'AccessDeniedException: User is not authorized to perform: lambda:InvokeFunction']]);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: where.queues.dispatch, ReceiptHandle: 'rh1', VisibilityTimeout: 0 }]);
  });

  it('treats an accepted-but-not-202 answer as a failure', async () => {
    put('scheduler', { MessageId: 's1', ReceiptHandle: 'rhs1', Body: JSON.stringify(job), MessageAttributes: { ERROR_CODE: str('AWS.Lambda.TooManyRequestsException'), ERROR_MESSAGE: str('Rate exceeded') } });
    lambda.on(InvokeCommand).resolves({ StatusCode: 500 });

    const report = await replayAws(port(), where, { all: true });

    expect(report.failed).toHaveLength(1);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });

  it('re-drives each queue to its own target: scheduler and dispatch to dispatch, inbound to inbound, fan-out back on its queue', async () => {
    put('scheduler', {
      MessageId: 's1',
      ReceiptHandle: 'rhs1',
      Body: JSON.stringify(job),
      MessageAttributes: {
        ERROR_CODE: str('AWS.Lambda.ResourceNotFoundException'),
        ERROR_MESSAGE: str('Function not found: BatonService-dispatch'),
        RETRY_ATTEMPTS: str('185'),
        EXHAUSTED_RETRY_CONDITION: str('MaximumRetryAttempts'),
        SCHEDULE_ARN: str('arn:aws:scheduler:eu-west-1:123456789012:schedule/baton-q1-productivity/training-shared-agenda'),
        TARGET_ARN: str(where.functions.dispatch),
        SCHEDULED_TIME: str('2027-03-15T08:00:00Z'),
      },
    });
    put('inbound', {
      MessageId: 'i1',
      ReceiptHandle: 'rhi1',
      Body: JSON.stringify(sesEvent),
      MessageAttributes: { RequestID: str('0e9a6b4f-1c1d-4e0b-9d10-b2a8c9e0d2a1'), ErrorCode: num('200'), ErrorMessage: str('NoSuchKey: The specified key does not exist.') },
    });
    const batch = { ...job, recipients: ['a@example.com', 'b@example.com'] };
    put('fan-out', { MessageId: 'f1', ReceiptHandle: 'rhf1', Body: JSON.stringify(batch), Attributes: { ApproximateReceiveCount: '6' } });
    put('fan-out', { MessageId: 'f2', ReceiptHandle: 'rhf2', Body: JSON.stringify(batch) });

    // Listing first: each in words.
    const listed = (await listAws(port(), where)).map(formatDeadLetter).join('\n');
    expect(listed).toContain('scheduler · 2027-03-15T08:00:00Z · id s1');
    expect(listed).toContain('AWS.Lambda.ResourceNotFoundException: Function not found: BatonService-dispatch (after 185 retries)');
    expect(listed).toContain('a reply from Ana <ana@example.com>, subject "Re: Shared agenda" (SES message o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1)');
    expect(listed).toContain('Error:       NoSuchKey: The specified key does not exist.');
    expect(listed).toContain('batch of 2 recipients)');
    expect(listed).toContain('puts the batch back on the fan-out queue');

    sqs.resetHistory();
    const report = await replayAws(port(), where, { ids: ['s1', 'i1', 'f1', 'nope'] });

    expect(report.replayed.map((l) => l.id).sort()).toEqual(['f1', 'i1', 's1']);
    expect(report.notFound).toEqual(['nope']);
    expect(invokes()).toEqual([
      { FunctionName: where.functions.dispatch, InvocationType: 'Event', payload: job },
      { FunctionName: where.functions.inbound, InvocationType: 'Event', payload: sesEvent },
    ]);
    expect(sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: where.fanOutQueueUrl, MessageBody: JSON.stringify(batch) }]);
    expect(sqs.commandCalls(DeleteMessageCommand).map((c) => c.args[0].input.ReceiptHandle).sort()).toEqual(['rhf1', 'rhi1', 'rhs1']);
    // f2 was not asked for: released at once, not deleted.
    expect(sqs.commandCalls(ChangeMessageVisibilityCommand).map((c) => c.args[0].input)).toEqual([{ QueueUrl: where.queues['fan-out'], ReceiptHandle: 'rhf2', VisibilityTimeout: 0 }]);
  });

  it('never re-drives a message it cannot read', async () => {
    put('dispatch', { MessageId: 'x', ReceiptHandle: 'rhx', Body: 'not json' });

    const report = await replayAws(port(), where, { all: true });

    expect(report.failed.map((f) => f.letter.id)).toEqual(['x']);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    expect(sqs.commandCalls(DeleteMessageCommand)).toHaveLength(0);
  });
});
