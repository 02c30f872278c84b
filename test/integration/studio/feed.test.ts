// The contributions feed at scale by design: the store keeps a time-sorted pointer per feed record,
// the page reads one page of them (newest first, "older" pages back) and only the people on it.
// Against dynalite through the real store; the request counts show what a page reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { FEED_LIMIT, isFeedCursor, loadContributions } from '#app/studio/contributions';
import type { Response } from '#core/model';
import type { PublishedSeries } from '#core/records';
import { handleStudio, type StudioRequest } from '#adapters/http/studio';
import type { StudioDeps } from '#app/studio/access';
import { signSession } from '#core/studio-tokens';
import { makeSeries } from '../../../bench/reports.ts';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

let db: TestDynalite;
let store: Store;
let published: PublishedSeries;
const ID = 'feed-series';
const people = Array.from({ length: 30 }, (_, i) => ({ email: `p${i}@feed.example.com`, name: `Person ${String(i).padStart(2, '0')}`, timeZone: 'Europe/Berlin', workStart: '09:00' }));

const response = (i: number, fields: Partial<Response> = {}): Response => ({
  seriesId: ID,
  trainingSlug: 'training-1',
  participantEmail: people[i % people.length]!.email,
  id: `r-${String(i).padStart(3, '0')}`,
  intent: 'strategy',
  text: `Strategy number ${i}.`,
  links: [],
  attachments: [],
  source: `<m-${i}@x>`,
  receivedAt: new Date(Date.UTC(2027, 1, 1) + i * 60_000).toISOString(),
  ...fields,
});

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const { series, trainings } = makeSeries(ID);
  await store.putSeries(series, trainings, { publishedAt: '2027-01-01T00:00:00.000Z', version: 1 });
  await store.putParticipants(ID, people);
  published = (await store.getSeries(ID))!;
});
afterAll(async () => db?.stop());

describe('the feed pointers', () => {
  it('pages newest first, skips what the feed does not show and withdrawn records, and a redelivery adds nothing', async () => {
    // 120 strategies, each with a read receipt and a kudos click beside it (not in the feed).
    // The bulk through importResponses; the newest as a reply arrives, twice (a redelivery).
    await store.importResponses(
      Array.from({ length: 120 }, (_, i) => [
        ...(i < 119 ? [response(i)] : []),
        response(i, { id: `read-${i}`, intent: 'read', text: '' }),
        response(i, { id: `kudos-${i}`, intent: 'comment', text: '', source: `link:k${i}` }),
      ]).flat(),
    );
    expect(await store.putResponse(response(119))).toEqual({ stored: true });
    expect(await store.putResponse(response(119))).toEqual({ stored: false });
    await store.withdrawResponse(response(118), { at: '2027-03-01T00:00:00.000Z' });

    const first = await store.listFeed(ID, { limit: 50 });
    expect(first.responses.map((r) => r.id)).toEqual([119, ...Array.from({ length: 49 }, (_, k) => 117 - k)].map((i) => `r-${String(i).padStart(3, '0')}`));
    expect(first.older).toBe(`${response(69).receivedAt}#r-069`);
    const second = await store.listFeed(ID, { limit: 50, older: first.older! });
    expect(second.responses[0]!.id).toBe('r-068');
    const third = await store.listFeed(ID, { limit: 50, older: second.older! });
    expect(third.responses.map((r) => r.id)).toEqual(Array.from({ length: 19 }, (_, k) => `r-${String(18 - k).padStart(3, '0')}`));
    expect(third.older).toBeUndefined();

    // Put back: it shows again in its place.
    await store.withdrawResponse(response(118), null);
    expect((await store.listFeed(ID, { limit: 3 })).responses.map((r) => r.id)).toEqual(['r-119', 'r-118', 'r-117']);
  });

  it('a page reads a page: one feed Query and BatchGets, never every response', async () => {
    await store.prepareStudio(ID); // what publish does: the pointers' backfill is never a page's
    const before = { ...store.requests.byOperation };
    const view = await loadContributions(published, { store });
    const after = store.requests.byOperation;
    expect(view.feed).toHaveLength(FEED_LIMIT);
    expect(view.feed[0]!.name).toBe('Person 29');
    expect(view.older).toBe(`${response(70).receivedAt}#r-070`);
    // No marker to check (publish backfilled); the feed Query and needs-a-look Query; the records' and the people's BatchGets.
    expect((after.GetItem ?? 0) - (before.GetItem ?? 0)).toBe(0);
    expect((after.Query ?? 0) - (before.Query ?? 0)).toBe(2);
    expect((after.BatchGetItem ?? 0) - (before.BatchGetItem ?? 0)).toBe(2);
    const older = await loadContributions(published, { store }, { older: view.older! });
    expect(older.feed[0]!.response.id).toBe('r-069');
  });

  it('backfills the pointers once for responses stored before they existed', async () => {
    const OLD = 'old-series';
    const { series, trainings } = makeSeries(OLD);
    await store.putSeries(series, trainings, { publishedAt: '2027-01-01T00:00:00.000Z', version: 1 });
    // As an older version stored them: the response items only (importResponses writes pointers now, so write them raw).
    const { DynamoDBDocumentClient, PutCommand } = await import('@aws-sdk/lib-dynamodb');
    const doc = DynamoDBDocumentClient.from(db.client, { marshallOptions: { removeUndefinedValues: true } });
    for (let i = 0; i < 3; i++) {
      const r = { ...response(i), seriesId: OLD };
      await doc.send(new PutCommand({ TableName: db.tableName, Item: { ...r, pk: `SERIES#${OLD}`, sk: `RESPONSE#${r.trainingSlug}#${r.id}`, gsi1pk: `EMAIL#${r.participantEmail}`, gsi1sk: `RESPONSE#${OLD}#${r.receivedAt}#${r.id}`, itemType: 'response' } }));
    }
    expect((await store.listFeed(OLD, { limit: 10 })).responses).toEqual([]);
    expect(await store.ensureFeed(OLD)).toBe(true);
    expect((await store.listFeed(OLD, { limit: 10 })).responses.map((r) => r.id)).toEqual(['r-002', 'r-001', 'r-000']);
    expect(await store.ensureFeed(OLD)).toBe(false);
  });

  it('knows its own cursors from anything else', () => {
    expect(isFeedCursor(`${response(3).receivedAt}#r-003`)).toBe(true);
    for (const bad of ['', 'r-003', '2027-02-01#r-1', `${response(3).receivedAt}#`, `${response(3).receivedAt}#a b`]) expect(isFeedCursor(bad)).toBe(false);
  });

  it('pages through the router, and says so when a page link was not made by the studio', async () => {
    const SECRET = 'feed-test-secret-0123456789abcdef';
    const now = new Date('2027-03-01T09:00:00Z');
    const session = signSession({ email: published.series.trainers[0]!.email, sessionId: 's', now }, SECRET).token;
    const deps = { store, secrets: SECRET, mailer: async () => 'not-sent', now, newId: () => 'x', settings: { studioUrl: 'http://localhost/studio', mail: { domain: 'b.example.com', inboundDomain: 'in.b.example.com', senderAddress: 't@b.example.com', linksBaseUrl: 'https://l.example.com', secrets: SECRET } } } as StudioDeps;
    const get = async (path: string, query: string) => {
      const reply = await handleStudio({ method: 'GET', path: `/studio/s/${ID}${path}`, query: new URLSearchParams(query), headers: { cookie: `baton_studio=${session}` }, body: Buffer.alloc(0), ip: '127.0.0.1' } satisfies StudioRequest, async () => deps);
      return { status: reply.status, body: reply.body.toString() };
    };
    const first = await get('/contributions', '');
    expect(first.status).toBe(200);
    const older = /href="([^"]*contributions\?older=[^"]*)"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
    expect(older).toBeDefined();
    const second = await get('/contributions', new URL(older!, 'http://x').search);
    expect(second.status).toBe(200);
    expect(second.body).toContain('data-response="r-069"');
    expect(second.body).not.toContain('data-response="r-070"');
    for (const [path, query] of [['/contributions', 'older=yesterday'], ['/participants', 'after=nobody']]) {
      const bad = await get(path!, query!);
      expect(bad.status).toBe(400);
      expect(bad.body).toContain('not one this studio made');
    }
  });
});
