// A data folder holding the example series with some history — published, enrolled, training 1
// sent to 8 people, a few responses — written through the real Store into dynalite's LevelDB,
// so CLI commands run in a child process can open it like a user's .data/.
import { join } from 'node:path';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { ensureTable, startDynaliteServer } from '#adapters/local/dynalite';
import type { Response } from '#core/model';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { portOffset } from './ports';

export const repoRoot = join(import.meta.dirname, '..', '..');
export const exampleDir = join(repoRoot, 'examples', 'q1-productivity');

/** Environment for a child `baton`: this data folder, and never the default ports of a running `baton dev`. */
export function batonEnv(dataDir: string): NodeJS.ProcessEnv {
  return { ...process.env, BATON_DATA_DIR: dataDir, BATON_PORT_OFFSET: String(portOffset()) };
}

export async function seedExample(dataDir: string, extra: (r: Response[], emails: string[], slug: string) => void = () => {}): Promise<string> {
  const server = await startDynaliteServer({ path: join(dataDir, 'dynamo') });
  const client = createDynamoClient({ endpoint: server.endpoint });
  try {
    await ensureTable(client, 'baton');
    const store = createStore({ client, tableName: 'baton' });
    const published = await publishSeries(exampleDir, store, new Date('2026-12-01T00:00:00Z'));
    const id = published.series.id;
    const participants = await loadParticipants(join(exampleDir, 'participants.csv'), published.series);
    await store.putParticipants(id, participants);
    const emails = participants.map((p) => p.email);
    const slug = published.trainings[0]!.slug;
    for (const email of emails.slice(0, 8)) {
      await store.claimDelivery(id, `training#${slug}#${email}`, { now: new Date('2027-01-21T00:00:00Z'), leaseMs: 60_000 });
      await store.completeDelivery(id, `training#${slug}#${email}`, { sesMessageId: 's', sentAt: '2027-01-21T00:00:00Z' });
    }
    const strategy = published.trainings[0]!.strategies[0]!.id;
    const base = { seriesId: id, trainingSlug: slug, links: [], attachments: [], source: 'm' };
    const responses: Response[] = [
      { ...base, id: 'r1', participantEmail: emails[0]!, intent: 'read', text: '', receivedAt: '2027-01-22T10:00:00.000Z' },
      { ...base, id: 'r2', participantEmail: emails[1]!, intent: 'strategy', text: 'Agenda the day before', receivedAt: '2027-01-22T11:00:00.000Z' },
      { ...base, id: 'r3', participantEmail: emails[2]!, intent: 'adopt', strategyId: strategy, text: 'I forget', receivedAt: '2027-01-23T10:00:00.000Z' },
      { ...base, id: 'r4', participantEmail: emails[2]!, intent: 'follow-up', strategyId: strategy, rating: 4, text: '', receivedAt: '2027-02-23T10:00:00.000Z' },
    ];
    extra(responses, emails, slug);
    for (const r of responses) await store.putResponse(r);
    return id;
  } finally {
    client.destroy();
    await server.close();
  }
}
