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

/** Requests sent, in total and by DynamoDB operation (Query, GetItem, BatchWriteItem, …), and the items they read. */
export interface RequestCounts {
  total: number;
  byOperation: Record<string, number>;
  /** Items returned by Query, GetItem and BatchGetItem. */
  itemsRead: number;
  /** The same by the item's `itemType` (participant, group-member, response, …; `?` without one). */
  itemsReadByType: Record<string, number>;
}

/** The items a read returned (Query's Items, GetItem's Item, BatchGetItem's Responses). */
export function itemsOf(output: unknown): Record<string, unknown>[] {
  const o = output as { Items?: Record<string, unknown>[]; Item?: Record<string, unknown>; Responses?: Record<string, Record<string, unknown>[]> } | undefined;
  return [...(o?.Items ?? []), ...(o?.Item ? [o.Item] : []), ...Object.values(o?.Responses ?? {}).flat()];
}

/** An item's `itemType`, marshalled (`{ S: … }`, the client's own stack) or not (the document client's). */
export function itemTypeOf(item: Record<string, unknown>): string {
  const t = item.itemType as string | { S?: string } | undefined;
  return (typeof t === 'string' ? t : t?.S) ?? '?';
}

/**
 * Counts every command sent through `stack`, so a benchmark can tell what a report cost. A
 * middleware rather than a wrapper around send(): it sees every command, whoever sends it, and
 * the operation's name comes from the SDK's own context (`QueryCommand` → `Query`, the name on the
 * bill and in CloudWatch), a string literal a minifying bundler leaves alone. It runs in the
 * initialize step, once per command: the SDK's retries of one command count once, as before.
 */
export function countRequests(
  stack: DynamoDBClient['middlewareStack'],
  onRequest?: (operation: string) => void,
  /** A second counter on a stack the store will clone needs a name of its own. */
  name = 'batonCountRequests',
): RequestCounts {
  const counts: RequestCounts = { total: 0, byOperation: {}, itemsRead: 0, itemsReadByType: {} };
  stack.add(
    (next, context) => async (args) => {
      const operation = String(context.commandName).replace(/Command$/, '');
      counts.total++;
      counts.byOperation[operation] = (counts.byOperation[operation] ?? 0) + 1;
      onRequest?.(operation);
      const out = await next(args);
      for (const item of itemsOf(out.output)) {
        counts.itemsRead++;
        const type = itemTypeOf(item);
        counts.itemsReadByType[type] = (counts.itemsReadByType[type] ?? 0) + 1;
      }
      return out;
    },
    { step: 'initialize', name },
  );
  return counts;
}
