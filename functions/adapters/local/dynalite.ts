// The local twin of the deployed table: dynalite (DynamoDB's API on LevelDB) on a local port, and
// the same table the CDK state stack creates, made from the shared table definition. Used by the
// local stack (`baton dev`) and the integration tests.
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tableDefinition } from '#contract/table-definition';

const isNotFound = (error: unknown) => error instanceof Error && error.name === 'ResourceNotFoundException';
const isInUse = (error: unknown) => error instanceof Error && error.name === 'ResourceInUseException';

async function describe(client: DynamoDBClient, tableName: string): Promise<DescribeTableCommandOutput | undefined> {
  try {
    return await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Creates Baton's table (on-demand, with gsi1 projecting every attribute) unless it exists, and
 * waits until it and its index are ACTIVE. Safe to call on every start and concurrently.
 * Time to live is left out: dynalite does not implement it, and the data layer treats expired
 * items as absent anyway; the CDK stack turns it on in AWS.
 */
export async function ensureTable(
  client: DynamoDBClient,
  tableName: string,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const { partitionKey, sortKey, gsi1 } = tableDefinition;
  if (!(await describe(client, tableName))) {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [partitionKey, sortKey, gsi1.partitionKey, gsi1.sortKey].map((name) => ({
            AttributeName: name,
            AttributeType: 'S' as const,
          })),
          KeySchema: [
            { AttributeName: partitionKey, KeyType: 'HASH' },
            { AttributeName: sortKey, KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [
            {
              IndexName: gsi1.indexName,
              KeySchema: [
                { AttributeName: gsi1.partitionKey, KeyType: 'HASH' },
                { AttributeName: gsi1.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            },
          ],
        }),
      );
    } catch (error) {
      // Another process created it between our describe and create: just wait for it below.
      if (!isInUse(error)) throw error;
    }
  }
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const table = (await describe(client, tableName))?.Table;
    const indexes = table?.GlobalSecondaryIndexes ?? [];
    if (
      table?.TableStatus === 'ACTIVE' &&
      indexes.some((i) => i.IndexName === gsi1.indexName) &&
      indexes.every((i) => i.IndexStatus === undefined || i.IndexStatus === 'ACTIVE')
    ) {
      if (!table.KeySchema?.some((k) => k.AttributeName === partitionKey && k.KeyType === 'HASH')) {
        throw new Error(
          `Table ${tableName} exists but is not keyed on ${partitionKey}/${sortKey}; it was not made by Baton. ` +
            `Use another table name or delete that table.`,
        );
      }
      return;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `Table ${tableName} did not become ACTIVE within ${options.timeoutMs ?? 30_000} ms ` +
          `(status ${table?.TableStatus ?? 'missing'}). Is the DynamoDB endpoint healthy?`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}
type Dynalite = (options: DynaliteOptions) => Server;

export interface LocalDynamo {
  endpoint: string;
  port: number;
  server: Server;
  /** Stops the server and closes its LevelDB store, so the same `path` can be opened again. */
  close(): Promise<void>;
}

/**
 * Starts dynalite on `port` (0: a free port) of 127.0.0.1. Data is kept in LevelDB under `path`,
 * or in memory when `path` is absent. Tables are ACTIVE at once, not after dynalite's default
 * half second.
 */
export async function startDynaliteServer(options: { path?: string; port?: number } = {}): Promise<LocalDynamo> {
  // dynalite ships no type declarations; this is the one place that loads it.
  const dynalite = createRequire(import.meta.url)('dynalite') as Dynalite;
  const server = dynalite({
    ...(options.path ? { path: options.path } : {}),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets of SDK clients would hold close() open until they time out.
        server.closeIdleConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
