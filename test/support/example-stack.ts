// The local stack (dynalite, aws-ses-v2-local, SMTP, links) in a throwaway folder, with a series
// folder (the example unless told) published into it and its participants.csv enrolled.
import { join } from 'node:path';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import type { PublishResult } from '#app/publish';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { exampleDir } from './example-data.ts';

export interface ExampleStack {
  stack: RunningStack;
  store: Store;
  published: PublishResult;
  /** Closes the DynamoDB client and stops the servers (the folder is the caller's). */
  stop(): Promise<void>;
}

export async function startExampleStack(dataDir: string, options: { dir?: string; publishedAt?: Date } = {}): Promise<ExampleStack> {
  const dir = options.dir ?? exampleDir;
  const stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  const store = createStore({ client, tableName: stack.config.tableName });
  const published = await publishSeries(dir, store, options.publishedAt ?? new Date('2026-12-01T00:00:00Z'));
  await store.putParticipants(published.series.id, await loadParticipants(join(dir, 'participants.csv'), published.series));
  return {
    stack,
    store,
    published,
    stop: async () => {
      client.destroy();
      await stack.stop();
    },
  };
}
