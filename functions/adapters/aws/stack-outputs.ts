// A deployed stack's outputs, from CloudFormation's DescribeStacks: how the CLI's aws target
// finds the table, buckets, dispatch function and scheduler role the operator deployed.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';

export class StackNotFoundError extends Error {
  override name = 'StackNotFoundError';
}
export class AwsAccessError extends Error {
  override name = 'AwsAccessError';
}

export interface StackDescription {
  status: string;
  outputs: Record<string, string>;
}

const clients = new Map<string, CloudFormationClient>();

/** One client per region for the process; credentials come from the standard chain. */
export function cloudFormationClient(region: string): CloudFormationClient {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  let client = clients.get(region);
  if (!client) {
    client = new CloudFormationClient({ region });
    clients.set(region, client);
  }
  return client;
}

export interface DescribeStackOptions {
  region: string;
  /** Defaults to the module's client for the region. */
  client?: CloudFormationClient;
}

export async function describeStack(stackName: string, options: DescribeStackOptions): Promise<StackDescription> {
  const client = options.client ?? cloudFormationClient(options.region);
  let stacks;
  try {
    ({ Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = (error instanceof Error ? error.message : String(error)).replace(/\.$/, '');
    // CloudFormation answers a missing stack with a ValidationError, not a not-found code.
    if (name === 'ValidationError' && /does not exist/.test(message)) {
      throw new StackNotFoundError(`stack ${stackName} does not exist in ${options.region}`, { cause: error });
    }
    const answered = typeof (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 'number';
    throw new AwsAccessError(
      answered
        ? `CloudFormation DescribeStacks for ${stackName} in ${options.region} failed: ${name}: ${message}`
        : `could not call CloudFormation in ${options.region}: ${name}: ${message}`,
      { cause: error },
    );
  }
  const stack = stacks?.[0];
  if (!stack) throw new StackNotFoundError(`stack ${stackName} does not exist in ${options.region}`);
  const outputs: Record<string, string> = {};
  for (const o of stack.Outputs ?? []) if (o.OutputKey) outputs[o.OutputKey] = o.OutputValue ?? '';
  return { status: stack.StackStatus ?? 'UNKNOWN', outputs };
}
