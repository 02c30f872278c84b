// The DynamoDB client, and how the store counts what it sends.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/**
 * A DynamoDB client for AWS (no endpoint: region and credentials from the environment) or for a
 * local endpoint such as dynalite (dummy credentials, region "local"). Create one per module.
 */
export function createDynamoClient(options: { endpoint?: string; region?: string } = {}): DynamoDBClient {
  // The SDK warns once per process that it will soon need Node 22; Lambdas run 22, and on the
  // Node 20 development machines the warning is noise in every CLI run and test.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (options.endpoint) {
    return new DynamoDBClient({
      endpoint: options.endpoint,
      region: options.region ?? 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }
  return new DynamoDBClient(options.region ? { region: options.region } : {});
}

/** Requests sent, in total and by DynamoDB operation (Query, GetItem, BatchWriteItem, …). */
export interface RequestCounts {
  total: number;
  byOperation: Record<string, number>;
}

/**
 * Counts every command sent through `stack`, so a benchmark can tell what a report cost. A
 * middleware rather than a wrapper around send(): it sees every command, whoever sends it, and
 * the operation's name comes from the SDK's own context (`QueryCommand` → `Query`, the name on the
 * bill and in CloudWatch), a string literal a minifying bundler leaves alone. It runs in the
 * initialize step, once per command: the SDK's retries of one command count once, as before.
 */
export function countRequests(stack: DynamoDBClient['middlewareStack'], onRequest?: (operation: string) => void): RequestCounts {
  const counts: RequestCounts = { total: 0, byOperation: {} };
  stack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      counts.total++;
      counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
      onRequest?.(operation);
      return next(args);
    },
    { step: 'initialize', name: 'batonCountRequests' },
  );
  return counts;
}
