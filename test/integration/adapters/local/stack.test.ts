// Boots the whole local stack the way `baton dev` does (on free ports, in a temp data folder),
// checks that every server answers with the real client for it, stops it, and starts it again
// with the data still there.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetAccountCommand } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { createSesClient } from '#adapters/aws/ses';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-stack-'));
const config = localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } });
const example = join(import.meta.dirname, '..', '..', '..', '..', 'examples', 'q1-productivity');
let stack: RunningStack | undefined;

afterAll(async () => {
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

function storeFor(s: RunningStack) {
  const client = createDynamoClient({ endpoint: s.endpoints.dynamo });
  return { client, store: createStore({ client, tableName: s.config.tableName }) };
}

describe('the local stack', () => {
  it('starts every server, and each one answers', async () => {
    const ticks: Date[] = [];
    stack = await startLocalStack({
      config,
      clock: { start: new Date('2027-01-20T00:00:00Z'), speed: 3600, tickMs: 20 },
      handlers: { onTick: async (now) => void ticks.push(now) },
    });

    // DynamoDB: publish and enrol the example through the real client.
    const { client, store } = storeFor(stack);
    const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
    await store.putParticipants(published.series.id, await loadParticipants(join(example, 'participants.csv'), published.series));
    expect((await store.listParticipants('q1-productivity')).length).toBe(12);
    client.destroy();

    // SES: the real SESv2 client gets the account, and the outbox page is served.
    const ses = createSesClient({ endpoint: stack.endpoints.ses });
    const account = await ses.send(new GetAccountCommand({}));
    expect(account.SendQuota?.MaxSendRate).toBe(config.maxSendRate);
    const page = await fetch(stack.endpoints.ses);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    ses.destroy();

    // SMTP: a reply to the inbound domain is accepted and kept; any other recipient is refused.
    const transport = nodemailer.createTransport({ host: stack.endpoints.smtp.host, port: stack.endpoints.smtp.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'ama.mensah@example.com', to: `reply+abc@${config.inboundDomain}`, subject: 'Re: hello', text: 'Read it!' });
    expect(readdirSync(join(dataDir, 'inbound')).length).toBe(1);
    await expect(
      transport.sendMail({ from: 'ama.mensah@example.com', to: 'someone@elsewhere.example', subject: 'x', text: 'x' }),
    ).rejects.toThrow(/only receives replies/);
    transport.close();

    // Links: the HTTP server answers (unknown links get a 404 page, not a hang).
    const link = await fetch(`${stack.endpoints.links}/no-such-link`);
    expect(link.status).toBe(404);

    // Clock: runs from the chosen start at the chosen speed.
    await new Promise((r) => setTimeout(r, 200));
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks[0]!.getTime()).toBeGreaterThanOrEqual(Date.parse('2027-01-20T00:00:00Z'));
    expect(ticks.at(-1)!.getTime() - ticks[0]!.getTime()).toBeGreaterThan(60_000);
  });

  it('stops cleanly and restarts with the data still there', async () => {
    await stack!.stop();
    // Stopped means the ports are free again: reusing them must work.
    const ports = stack!.config.ports;
    stack = await startLocalStack({ config: localConfig({ dataDir, ports }) });
    expect(stack.config.ports).toEqual(ports);
    const { client, store } = storeFor(stack);
    const again = await store.getSeries('q1-productivity');
    expect(again?.trainings.map((t) => t.slug)).toHaveLength(4);
    expect((await store.listParticipants('q1-productivity')).length).toBe(12);
    client.destroy();
  });

  it('starts SES on the first request that needs it, once for requests that arrive together, and stops it with the rest', async () => {
    const servers = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPServerWrap').length;
    await stack!.stop();
    const stopped = servers();
    stack = await startLocalStack({ config: localConfig({ dataDir, ports: stack!.config.ports }) });
    const started = servers();
    // GetAccount is the proxy's own answer: no SES server behind it yet.
    const ses = createSesClient({ endpoint: stack.endpoints.ses });
    expect((await ses.send(new GetAccountCommand({}))).SendQuota?.MaxSendRate).toBe(config.maxSendRate);
    ses.destroy();
    expect(servers()).toBe(started);
    const stores = await Promise.all([1, 2, 3].map(() => fetch(`${stack!.endpoints.ses}/store`).then((r) => r.json() as Promise<{ emails: unknown[] }>)));
    expect(stores.map((s) => s.emails)).toEqual([[], [], []]);
    expect(servers()).toBe(started + 1);
    await stack.stop();
    expect(servers()).toBe(stopped);
    stack = undefined;
  });
});
