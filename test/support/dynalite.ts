// A real DynamoDB API for tests: dynalite on a free port with Baton's table created, reached with
// the real SDK client over HTTP. In memory unless `path` is given (then LevelDB on disk, so a test
// can stop and start again on the same data).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient } from '#adapters/aws/dynamo';
import { ensureTable, startDynaliteServer } from '#adapters/local/dynalite';

export interface TestDynalite {
  endpoint: string;
  client: DynamoDBClient;
  tableName: string;
  /** DynamoDB operations the server received (from X-Amz-Target: "Query", "PutItem", …), in order. */
  operations: string[];
  stop(): Promise<void>;
}

export async function startDynalite(options: { path?: string; tableName?: string } = {}): Promise<TestDynalite> {
  const local = await startDynaliteServer({ path: options.path });
  const operations: string[] = [];
  local.server.on('request', (req: { headers: Record<string, string | string[] | undefined> }) => {
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string') operations.push(target.slice(target.indexOf('.') + 1));
  });
  const client = createDynamoClient({ endpoint: local.endpoint });
  const tableName = options.tableName ?? 'baton-test';
  try {
    await ensureTable(client, tableName);
  } catch (error) {
    client.destroy();
    await local.close();
    throw error;
  }
  return {
    endpoint: local.endpoint,
    client,
    tableName,
    operations,
    stop: async () => {
      client.destroy();
      await local.close();
    },
  };
}
