// The example series published and enrolled on a real local stack (dynalite, aws-ses-v2-local),
// with dispatch deps that send through the real SESv2 client; what arrived is read back from the
// outbox's /store and from the raw copies the local mailer keeps. Tests move `now` themselves.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createSesClient, RecordingMailer, SesMailer } from '#adapters/aws/ses';
import type { DispatchDeps } from '#app/run-job';
import type { BuiltMail } from '#app/deliver';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { exampleDir } from './example-data.ts';

export const TEST_INBOUND = 'reply.baton.example.com';

export interface StoredMail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  attachments: { content: string; contentType: string; filename?: string }[];
}

export interface SendingStack {
  stack: RunningStack;
  store: Store;
  outbox: string;
  /** Dispatch deps sending through aws-ses-v2-local; `now` is read on every call. */
  deps(now: () => Date): DispatchDeps;
  sesStore(): Promise<StoredMail[]>;
  /** The raw message as it was handed to SES (headers included). */
  rawText(mail: StoredMail): string;
  stop(): Promise<void>;
}

export async function startSendingStack(opts: { secret: string; prefix: string }): Promise<SendingStack> {
  const dataDir = mkdtempSync(join(tmpdir(), opts.prefix));
  const outbox = join(dataDir, 'outbox');
  const stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  const store = createStore({ client, tableName: stack.config.tableName });
  const published = await publishSeries(exampleDir, store, new Date('2026-12-01T00:00:00Z'));
  await store.putParticipants(published.series.id, await loadParticipants(join(exampleDir, 'participants.csv'), published.series));
  const mailer = new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: stack.endpoints.ses }), maxSendRate: 500 }), outbox);
  return {
    stack,
    store,
    outbox,
    deps: (now) => ({
      store,
      send: (m: BuiltMail) => mailer.send(m),
      settings: {
        domain: 'baton.example.com',
        inboundDomain: TEST_INBOUND,
        senderAddress: 'training@baton.example.com',
        linksBaseUrl: 'https://links.baton.example.com',
        secrets: opts.secret,
      },
      now,
    }),
    async sesStore() {
      const res = await fetch(`${stack.endpoints.ses}/store`);
      return ((await res.json()) as { emails: StoredMail[] }).emails;
    },
    rawText(mail) {
      const file = readdirSync(outbox).find((f) => f.startsWith(mail.messageId.replace(/[^A-Za-z0-9._-]/g, '_')));
      if (!file) throw new Error(`no raw copy of ${mail.messageId}`);
      return readFileSync(join(outbox, file), 'utf8');
    },
    async stop() {
      client.destroy();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
