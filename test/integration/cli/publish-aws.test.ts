// `baton publish --target aws` and `baton enroll --target aws` as the operator runs them, with no
// AWS account: the table is dynalite (the SDK's own AWS_ENDPOINT_URL_DYNAMODB points the aws
// target's DynamoDB client at it), while CloudFormation and EventBridge Scheduler are the real SDK
// clients with their transport replaced by aws-sdk-client-mock. What is asserted is what
// EventBridge would have been asked to do: one CreateSchedule per planned job, with the job as input.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateScheduleCommand, CreateScheduleGroupCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
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
  vi.spyOn(console, 'log').mockImplementation(() => {});
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  cloudFormation.restore();
  scheduler.restore();
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
  });

  it('enrolling creates the training sends the participants’ zones need, and only those', async () => {
    const before = new Set(created().map((i) => i.Name));
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
    expect(scheduler.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input.Name)).toEqual(['kickoff']);
  });
});
