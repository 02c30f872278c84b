// `baton publish --target aws` and `baton enroll --target aws` as the operator runs them, with no
// AWS account: the table is dynalite (the SDK's own AWS_ENDPOINT_URL_DYNAMODB points the aws
// target's DynamoDB client at it), while CloudFormation and EventBridge Scheduler are the real SDK
// clients with their transport replaced by aws-sdk-client-mock. What is asserted is what
// EventBridge would have been asked to do: one CreateSchedule per planned job, with the job as input.
// Publishing also speaks the trainings (Polly) and stores the audio in the attachment bucket (S3):
// both are mocked the same way, as AWS documents them (HeadObject answers NotFound for a missing
// key), so nothing leaves the machine; their exact requests are asserted too.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateScheduleCommand, CreateScheduleGroupCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { PollyClient, SynthesizeSpeechCommand } from '@aws-sdk/client-polly';
import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mp3 } from '#test/support/audio';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { SERVICE_OUTPUTS, STATE_OUTPUTS } from '#contract/outputs';
import { run as publish } from '#cli/commands/publish';
import { run as enroll } from '#cli/commands/enroll';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const SERIES = 'q1-productivity';
const DISPATCH_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:BatonService-dispatch';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/BatonService-SchedulerRole';
const DLQ_ARN = 'arn:aws:sqs:eu-west-1:123456789012:BatonService-SchedulerDeadLetters';

const cloudFormation = mockClient(CloudFormationClient);
const scheduler = mockClient(SchedulerClient);
const polly = mockClient(PollyClient);
const s3 = mockClient(S3Client);
const stored = new Map<string, string>();
let db: TestDynalite;
let store: Store;
const savedEnv = { ...process.env };

beforeAll(async () => {
  db = await startDynalite({ tableName: 'BatonState-Table' });
  store = createStore({ client: db.client, tableName: db.tableName });
  // The operator's environment: a region and credentials (never used: nothing leaves the machine).
  for (const name of ['AWS_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL']) delete process.env[name];
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
  });
  const outputs = {
    BatonState: { ...Object.fromEntries(Object.values(STATE_OUTPUTS).map((k) => [k, `state-${k}`])), [STATE_OUTPUTS.tableName]: db.tableName },
    BatonService: {
      ...Object.fromEntries(Object.values(SERVICE_OUTPUTS).map((k) => [k, `service-${k}`])),
      [SERVICE_OUTPUTS.dispatchFunctionArn]: DISPATCH_ARN,
      [SERVICE_OUTPUTS.linksUrl]: 'https://links-id.lambda-url.eu-west-1.on.aws/',
      [SERVICE_OUTPUTS.schedulerRoleArn]: ROLE_ARN,
      [SERVICE_OUTPUTS.schedulerDeadLetterQueueArn]: DLQ_ARN,
    },
  };
  cloudFormation.on(DescribeStacksCommand).callsFake((input: { StackName: keyof typeof outputs }) => ({
    Stacks: [
      {
        StackName: input.StackName,
        StackStatus: 'CREATE_COMPLETE',
        CreationTime: new Date(),
        Outputs: Object.entries(outputs[input.StackName]).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  }));
  scheduler.on(CreateScheduleGroupCommand).resolves({ ScheduleGroupArn: 'arn:group' });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
  polly.on(SynthesizeSpeechCommand).callsFake(() => ({ AudioStream: { transformToByteArray: async () => mp3(200) } as never, ContentType: 'audio/mpeg' }));
  s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const seconds = stored.get(input.Key);
    if (seconds === undefined) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    return { Metadata: { seconds } };
  });
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Metadata: { seconds: string } }) => {
    stored.set(input.Key, input.Metadata.seconds);
    return {};
  });
  vi.spyOn(console, 'log').mockImplementation(() => {});
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  cloudFormation.restore();
  scheduler.restore();
  polly.restore();
  s3.restore();
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  await db?.stop();
});

const created = () => scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);

describe('publishing and enrolling on the aws target', () => {
  it('creates an EventBridge schedule for every job publishing plans, invoking dispatch with the job', async () => {
    // People come later, with enrol: publish the series alone.
    expect(await publish([example, '--target', 'aws', '--no-participants'])).toBe(0);

    const planned = await store.listSchedules(SERIES);
    expect(planned.length).toBeGreaterThan(0);
    expect(scheduler.commandCalls(CreateScheduleGroupCommand).map((c) => c.args[0].input.Name)).toEqual([`baton-${SERIES}`]);
    const inputs = created();
    expect(inputs.map((i) => i.Name).sort()).toEqual(planned.map((s) => s.name).sort());
    for (const input of inputs) {
      const record = planned.find((s) => s.name === input.Name)!;
      expect(input).toMatchObject({
        GroupName: `baton-${SERIES}`,
        ActionAfterCompletion: 'DELETE',
        State: 'ENABLED',
        Target: { Arn: DISPATCH_ARN, RoleArn: ROLE_ARN, DeadLetterConfig: { Arn: DLQ_ARN } },
      });
      expect(JSON.parse(input.Target!.Input!)).toEqual(record.job);
    }
    expect(inputs.map((i) => (JSON.parse(i.Target!.Input!) as { kind: string }).kind)).toContain('kickoff');
    // The trainings without a recording of their own were spoken once each and stored under audio/
    // in the attachment bucket, after a HeadObject found no copy.
    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.length).toBeGreaterThan(0);
    expect(polly.commandCalls(SynthesizeSpeechCommand).length).toBeGreaterThanOrEqual(puts.length);
    for (const put of puts) {
      expect(put).toMatchObject({ Bucket: `state-${STATE_OUTPUTS.attachmentBucket}`, ContentType: 'audio/mpeg' });
      expect(put.Key).toMatch(/^audio\//);
    }
    for (const call of polly.commandCalls(SynthesizeSpeechCommand)) expect(call.args[0].input).toMatchObject({ Engine: 'neural', OutputFormat: 'mp3' });
  });

  it('re-publishing unchanged text speaks nothing again: the audio is found by its content hash', async () => {
    const spoken = polly.commandCalls(SynthesizeSpeechCommand).length;
    const puts = s3.commandCalls(PutObjectCommand).length;
    expect(await publish([example, '--target', 'aws', '--no-participants'])).toBe(0);
    expect(polly.commandCalls(SynthesizeSpeechCommand).length).toBe(spoken);
    expect(s3.commandCalls(PutObjectCommand).length).toBe(puts);
  });

  it('enrolling creates the training sends the participants’ zones need, and only those', async () => {
    const before = new Set(created().map((i) => i.Name));
    const updatesBefore = scheduler.commandCalls(UpdateScheduleCommand).length;
    expect(await enroll([SERIES, join(example, 'participants.csv'), '--target', 'aws'])).toBe(0);

    const added = created().filter((i) => !before.has(i.Name));
    const planned = await store.listSchedules(SERIES);
    expect(added.map((i) => i.Name).sort()).toEqual(planned.filter((s) => !before.has(s.name)).map((s) => s.name).sort());
    const kinds = new Set(added.map((i) => (JSON.parse(i.Target!.Input!) as { kind: string }).kind));
    expect(kinds.has('training')).toBe(true);
    // Per zone: each training send names the zone its participants are in.
    const zones = new Set(added.map((i) => (JSON.parse(i.Target!.Input!) as { timeZone?: string }).timeZone).filter(Boolean));
    expect(zones.size).toBeGreaterThan(1);
    // Newcomers get the kickoff they missed: its schedule is moved to fire again, not copied.
    expect(scheduler.commandCalls(UpdateScheduleCommand).slice(updatesBefore).map((c) => c.args[0].input.Name)).toEqual(['kickoff']);
  });
});
