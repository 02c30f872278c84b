// `--target aws`: the deployed stacks, reached with the operator's own AWS credentials (the
// standard chain: environment, ~/.aws profiles, SSO) through the same store adapter the local
// target uses. What was deployed is read from the stacks' outputs, so nothing is configured twice.
//
// Primary course:
//   1. resolve region and credentials the way every AWS tool does; none is a clear message;
//   2. DescribeStacks on BatonState and BatonService; a missing stack says to deploy first;
//   3. open the store on the table, and the schedules on the scheduler with dispatch as target.
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createSchedulerClient, EventBridgeSchedules, type ScheduleTargets } from '#adapters/aws/scheduler';
import { AwsAccessError, describeStack, StackNotFoundError, type DescribeStackOptions } from '#adapters/aws/stack-outputs';
import type { ScheduleDiff } from '#core/schedule-plan';
import { SERVICE_OUTPUTS, SERVICE_STACK, STATE_OUTPUTS, STATE_STACK } from '#contract/outputs';
import type { FailureQueues } from './dead-letters.ts';
import { UserError } from '#core/user-error';

export interface AwsOutputs {
  region: string;
  tableName: string;
  inboundMailBucket: string;
  attachmentBucket: string;
  linksUrl: string;
  schedules: ScheduleTargets;
  fanOutQueueUrl: string;
  configurationSetName: string;
  receiptRuleSetName: string;
  /** Every queue where a failure lands and what re-drives it (`baton dlq`). */
  failures: FailureQueues;
  alarmTopicArn: string;
  mailFromDomain: string;
}

export interface AwsTarget {
  name: 'aws';
  outputs: AwsOutputs;
  store: Store;
  /** EventBridge Scheduler, for `syncSchedules(..., { remote })`. */
  schedules: { apply(seriesId: string, diff: ScheduleDiff): Promise<unknown> };
  close(): Promise<void>;
}

export interface AwsTargetOptions {
  /** Overrides AWS_REGION / the profile's region. */
  region?: string;
}

const CREDENTIALS_HELP =
  'Baton uses your AWS credentials as the AWS CLI does: set AWS_PROFILE (and run `aws sso login` for SSO), ' +
  'or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, and the region with AWS_REGION.';

function pick(stack: string, outputs: Record<string, string>, keys: Record<string, string>): Record<string, string> {
  const missing = Object.values(keys).filter((k) => !outputs[k]);
  if (missing.length) {
    throw new UserError(
      `the deployed ${stack} stack has no output ${missing.join(', ')}: it was deployed by an older Baton. ` +
        'Deploy this version (npx cdk deploy --all) and try again.',
    );
  }
  return Object.fromEntries(Object.entries(keys).map(([name, key]) => [name, outputs[key]!]));
}

/** Reads both stacks' outputs; every failure is a UserError saying what to do. */
export async function readAwsOutputs(options: DescribeStackOptions): Promise<AwsOutputs> {
  const describe = async (stack: string) => {
    try {
      const description = await describeStack(stack, options);
      if (!/_COMPLETE$/.test(description.status) || /ROLLBACK|DELETE/.test(description.status)) {
        throw new UserError(`the ${stack} stack in ${options.region} is ${description.status}: wait for the deployment to finish, or fix it and deploy again.`);
      }
      return description.outputs;
    } catch (error) {
      if (error instanceof StackNotFoundError) {
        throw new UserError(
          `Baton is not deployed in ${options.region}: there is no ${stack} stack. Deploy it first (see README, "Deploying to AWS"), ` +
            'or set AWS_REGION to the region you deployed to.',
        );
      }
      if (error instanceof AwsAccessError) throw new UserError(`${error.message}. ${CREDENTIALS_HELP}`);
      throw error;
    }
  };
  const state = pick(STATE_STACK, await describe(STATE_STACK), STATE_OUTPUTS);
  const service = pick(SERVICE_STACK, await describe(SERVICE_STACK), SERVICE_OUTPUTS);
  return {
    region: options.region,
    tableName: state.tableName!,
    inboundMailBucket: state.inboundMailBucket!,
    attachmentBucket: state.attachmentBucket!,
    linksUrl: service.linksUrl!,
    schedules: { targetArn: service.dispatchFunctionArn!, roleArn: service.schedulerRoleArn!, dlqArn: service.schedulerDeadLetterQueueArn! },
    fanOutQueueUrl: service.fanOutQueueUrl!,
    configurationSetName: service.configurationSetName!,
    receiptRuleSetName: service.receiptRuleSetName!,
    failures: {
      queues: {
        scheduler: service.schedulerDeadLetterQueueUrl!,
        dispatch: service.dispatchFailureQueueUrl!,
        'fan-out': service.fanOutDeadLetterQueueUrl!,
        inbound: service.inboundDeadLetterQueueUrl!,
        'mail-events': service.mailEventsDeadLetterQueueUrl!,
      },
      functions: { dispatch: service.dispatchFunctionArn!, inbound: service.inboundFunctionArn!, mailEvents: service.mailEventsFunctionArn! },
      fanOutQueueUrl: service.fanOutQueueUrl!,
    },
    alarmTopicArn: service.alarmTopicArn!,
    mailFromDomain: service.mailFromDomain!,
  };
}

export async function openAwsTarget(options: AwsTargetOptions = {}): Promise<AwsTarget> {
  const client = createDynamoClient(options.region ? { region: options.region } : {});
  let region: string;
  try {
    region = await client.config.region();
    if (!region) throw new Error('no region is set');
  } catch {
    client.destroy();
    throw new UserError(`no AWS region is set: set AWS_REGION (or a region in your AWS profile) to the region Baton is deployed in.`);
  }
  // Resolved here once so that missing credentials are one clear message, not a failed call.
  try {
    await client.config.credentials();
  } catch (error) {
    client.destroy();
    throw new UserError(`no usable AWS credentials (${error instanceof Error ? error.message : String(error)}). ${CREDENTIALS_HELP}`);
  }
  let outputs: AwsOutputs;
  try {
    outputs = await readAwsOutputs({ region });
  } catch (error) {
    client.destroy();
    throw error;
  }
  const schedulerClient = createSchedulerClient({ region });
  const scheduler = new EventBridgeSchedules(schedulerClient);
  return {
    name: 'aws',
    outputs,
    store: createStore({ client, tableName: outputs.tableName }),
    schedules: {
      async apply(seriesId, diff) {
        await scheduler.ensureGroup(seriesId);
        return scheduler.apply(seriesId, diff, outputs.schedules);
      },
    },
    close: async () => {
      client.destroy();
      schedulerClient.destroy();
    },
  };
}
