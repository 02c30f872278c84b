// DescribeStacks through the real CloudFormation client with its transport replaced by
// aws-sdk-client-mock (no AWS calls), read through the CLI's aws target: the outputs it finds,
// and CloudFormation's own error for a stack that does not exist.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudFormationClient, DescribeStacksCommand, type Stack } from '@aws-sdk/client-cloudformation';
import { AwsAccessError, describeStack, StackNotFoundError } from '#adapters/aws/stack-outputs';
import { readAwsOutputs } from '#cli/aws-target';
import { UserError } from '#core/user-error';
import { SERVICE_OUTPUTS, STATE_OUTPUTS } from '#contract/outputs';

const cloudFormation = mockClient(CloudFormationClient);
afterAll(() => cloudFormation.restore());

type Deployed = Record<string, { status: string; outputs: Record<string, string> }>;
let stacks: Deployed;

/** CloudFormation's errors, as the SDK turns them into exceptions. */
function awsError(name: string, message: string, httpStatusCode?: number): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: httpStatusCode ? { httpStatusCode } : {} });
}

beforeEach(() => {
  cloudFormation.reset();
  cloudFormation.on(DescribeStacksCommand).callsFake((input: { StackName: string }) => {
    const stack = stacks[input.StackName];
    if (!stack) throw awsError('ValidationError', `Stack with id ${input.StackName} does not exist`, 400);
    const described: Stack = {
      StackName: input.StackName,
      StackStatus: stack.status as Stack['StackStatus'],
      CreationTime: new Date('2027-01-01T00:00:00Z'),
      Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue, Description: 'd' })),
    };
    return { Stacks: [described] };
  });
});

const deployed = (): Deployed => ({
  BatonState: {
    status: 'UPDATE_COMPLETE',
    outputs: Object.fromEntries(Object.values(STATE_OUTPUTS).map((k) => [k, `state-${k}`])),
  },
  BatonService: {
    status: 'CREATE_COMPLETE',
    outputs: { ...Object.fromEntries(Object.values(SERVICE_OUTPUTS).map((k) => [k, `service-${k}`])), [SERVICE_OUTPUTS.linksUrl]: 'https://x.lambda-url.eu-west-1.on.aws/' },
  },
});

describe('the aws target’s outputs', () => {
  it('reads the table, buckets and schedule targets from both stacks', async () => {
    stacks = deployed();
    const outputs = await readAwsOutputs({ region: 'eu-west-1' });
    expect(outputs).toMatchObject({
      region: 'eu-west-1',
      tableName: 'state-TableName',
      inboundMailBucket: 'state-InboundMailBucketName',
      attachmentBucket: 'state-AttachmentBucketName',
      linksUrl: 'https://x.lambda-url.eu-west-1.on.aws/',
      schedules: { targetArn: 'service-DispatchFunctionArn', roleArn: 'service-SchedulerRoleArn', dlqArn: 'service-SchedulerDeadLetterQueueArn' },
      fanOutQueueUrl: 'service-FanOutQueueUrl',
    });
    expect(cloudFormation.commandCalls(DescribeStacksCommand).map((c) => c.args[0].input)).toEqual([{ StackName: 'BatonState' }, { StackName: 'BatonService' }]);
  });

  it('says to deploy first when a stack is missing, and to wait when it is mid-deployment', async () => {
    stacks = { BatonState: deployed().BatonState! };
    await expect(readAwsOutputs({ region: 'eu-west-1' })).rejects.toThrow(
      new UserError('Baton is not deployed in eu-west-1: there is no BatonService stack. Deploy it first (see README, "Deploying to AWS"), or set AWS_REGION to the region you deployed to.'),
    );
    stacks = { ...deployed(), BatonService: { ...deployed().BatonService!, status: 'UPDATE_ROLLBACK_COMPLETE' } };
    await expect(readAwsOutputs({ region: 'eu-west-1' })).rejects.toThrow(/BatonService stack in eu-west-1 is UPDATE_ROLLBACK_COMPLETE/);
  });

  it('names the outputs an older deployment lacks', async () => {
    stacks = deployed();
    delete stacks.BatonService!.outputs[SERVICE_OUTPUTS.schedulerRoleArn];
    await expect(readAwsOutputs({ region: 'eu-west-1' })).rejects.toThrow(/no output SchedulerRoleArn: it was deployed by an older Baton/);
  });

  it('turns a refused or failed call into a message about credentials and region, not a stack trace', async () => {
    cloudFormation.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 'User is not authorized to perform: cloudformation:DescribeStacks', 403));
    await expect(readAwsOutputs({ region: 'eu-west-1' })).rejects.toThrow(
      /^CloudFormation DescribeStacks for BatonState in eu-west-1 failed: AccessDenied: User is not authorized .*Baton uses your AWS credentials as the AWS CLI does/,
    );
    cloudFormation.on(DescribeStacksCommand).rejects(awsError('TimeoutError', 'connect ETIMEDOUT'));
    const error = await readAwsOutputs({ region: 'eu-west-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(/^could not call CloudFormation in eu-west-1: TimeoutError: connect ETIMEDOUT\. Baton uses/);
  });
});

describe('describeStack', () => {
  it('maps the stack’s outputs and status, and a missing stack to StackNotFoundError', async () => {
    stacks = { S: { status: 'CREATE_COMPLETE', outputs: { A: 'x <y> & z', B: '' } } };
    const client = new CloudFormationClient({ region: 'eu-west-1' });
    await expect(describeStack('S', { region: 'eu-west-1', client })).resolves.toEqual({ status: 'CREATE_COMPLETE', outputs: { A: 'x <y> & z', B: '' } });
    await expect(describeStack('Gone', { region: 'eu-west-1', client })).rejects.toThrow(new StackNotFoundError('stack Gone does not exist in eu-west-1'));
    cloudFormation.on(DescribeStacksCommand).rejects(awsError('ValidationError', '1 validation error detected: Value at stackName failed', 400));
    await expect(describeStack('bad name!', { region: 'eu-west-1', client })).rejects.toBeInstanceOf(AwsAccessError);
  });
});
