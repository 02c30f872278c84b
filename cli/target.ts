// Where a command like `baton publish` or `baton status` acts. `local` is the local stack: the
// running `baton dev` when there is one, otherwise the same data folder opened directly (so the
// commands work whether or not the stack is up). `aws` is the deployed stacks (aws-target.ts).
import { connect } from 'node:net';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { ensureTable, startDynaliteServer } from '#adapters/local/dynalite';
import { join } from 'node:path';
import { localConfig, localSecret, type LocalConfig } from '#adapters/local/config';
import type { AwsTarget } from './aws-target.ts';
import { UserError } from '#core/user-error';

export type Target = LocalTarget | AwsTarget;

export interface LocalTarget {
  name: 'local';
  config: LocalConfig;
  store: Store;
  secret: string;
  /** True when a `baton dev` is serving this data folder right now. */
  stackRunning: boolean;
  close(): Promise<void>;
}

function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function openTarget(name: 'local' | undefined, overrides?: Partial<LocalConfig>): Promise<LocalTarget>;
export async function openTarget(name: string | undefined, overrides?: Partial<LocalConfig>): Promise<Target>;
export async function openTarget(name: string | undefined, overrides: Partial<LocalConfig> = {}): Promise<Target> {
  const target = name ?? 'local';
  // The deployed stacks' clients (CloudFormation, Scheduler, …) load only when they are asked for.
  if (target === 'aws') return (await import('./aws-target.ts')).openAwsTarget();
  if (target !== 'local') {
    throw new UserError(`unknown target "${target}": use --target local (the default) or --target aws (the deployed stacks).`);
  }
  const config = localConfig(overrides);
  const running = await portOpen(config.ports.dynamo);
  let endpoint: string;
  let closeServer = async () => {};
  if (running) {
    endpoint = `http://127.0.0.1:${config.ports.dynamo}`;
  } else {
    try {
      const server = await startDynaliteServer({ path: join(config.dataDir, 'dynamo'), port: 0 });
      endpoint = server.endpoint;
      closeServer = () => server.close();
    } catch (err) {
      throw new UserError(
        `could not open the local data in ${config.dataDir}: ${err instanceof Error ? err.message : String(err)}. ` +
          'If `baton dev` is running with another data folder, stop it or point BATON_DATA_DIR at the same folder.',
      );
    }
  }
  const client = createDynamoClient({ endpoint });
  await ensureTable(client, config.tableName);
  return {
    name: 'local',
    config,
    store: createStore({ client, tableName: config.tableName }),
    secret: localSecret(config.dataDir),
    stackRunning: running,
    close: async () => {
      client.destroy();
      await closeServer();
    },
  };
}
