// The preferences page over real HTTP against the local stack (links server + dynalite): GET and
// HEAD on any preference link leave the whole table as it was (mail scanners open every link),
// POST stores what the form says, a bad field changes nothing and says which, and what is stored
// is what the audience rules then honour.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { signLinkToken, type LinkTokenPayload } from '#core/tokens';
import { PREFERENCE_FLAGS } from '#core/records';
import { formatFor, skipFor, wantsCalendars } from '#core/audience';
import { createLocalLinks } from '#adapters/local/links-server';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-prefs-'));
const SECRET = 'integration-secret-for-prefs-0123456789';
const SERIES = 'q1-productivity';
const NURUL = 'nurul.hakim@example.com';
const ANA = 'ana.reyes@example.com';
const EXPIRES = new Date('2028-06-30T00:00:00Z');
const NOW = new Date('2027-01-25T02:00:00Z');
let stack: RunningStack;
let store: Store;
let client: ReturnType<typeof createDynamoClient>;
const cancelled: string[] = [];

const url = (p: Partial<LinkTokenPayload> & Pick<LinkTokenPayload, 'action'>, email = NURUL) =>
  `${stack.endpoints.links}/l/${signLinkToken({ seriesId: SERIES, participantEmail: email, expiresAt: EXPIRES, ...p }, SECRET)}`;
const post = (to: string, body: string) => fetch(to, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const h1 = (html: string) => html.match(/<h1>(.*?)<\/h1>/)?.[1];

/** Every item of the table, as DynamoDB returns it: the test's idea of "unchanged". */
async function table(): Promise<string> {
  const items: unknown[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(new ScanCommand({ TableName: stack.config.tableName, ...(start ? { ExclusiveStartKey: start as never } : {}) }));
    items.push(...(out.Items ?? []));
    start = out.LastEvaluatedKey;
  } while (start);
  return JSON.stringify(items.map((i) => JSON.stringify(i)).sort());
}

beforeAll(async () => {
  stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  store = createStore({ client, tableName: stack.config.tableName });
  const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  await store.putParticipants(SERIES, await loadParticipants(join(example, 'participants.csv'), published.series));
  stack.setHandlers({
    onLink: createLocalLinks({ store, secret: SECRET, now: () => NOW, onCalendarsOff: async (_s, p) => void cancelled.push(p.email) }),
  });
});

afterAll(async () => {
  client?.destroy();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('GET changes nothing', () => {
  it('on every preference link: the page, each flag off and on, calendars off, unsubscribe (GET and HEAD)', async () => {
    const links = [
      url({ action: 'preferences' }),
      ...PREFERENCE_FLAGS.flatMap((flag) => [url({ action: 'preference', choice: flag, number: 0 }), url({ action: 'preference', choice: flag, number: 1 })]),
      url({ action: 'calendars-off' }),
      url({ action: 'unsubscribe' }),
    ];
    const before = await table();
    for (const link of links) {
      for (const method of ['GET', 'HEAD']) {
        const res = await fetch(link, { method });
        expect(res.status, `${method} ${link}`).toBe(200);
      }
    }
    // A GET carrying form fields, as a scanner replaying a form might send them, is still a GET.
    expect((await fetch(`${url({ action: 'preferences' })}?reminders=off&pauseUntil=2027-03-01`)).status).toBe(200);
    expect(await table()).toBe(before);
    expect(cancelled).toEqual([]);
  });

  it('shows the current choices as a form that POSTs back', async () => {
    const res = await fetch(url({ action: 'preferences' }));
    const html = await res.text();
    expect(h1(html)).toContain('What should');
    expect(html).toMatch(/<form method="post" action="\/l\/[A-Za-z0-9_-]+">/);
    expect(html).toContain('name="reminders" value="on" checked');
    expect(html).toContain('name="rollups" value="weekly" checked');
    expect(html).toContain('name="calendar" value="on" checked');
    expect(html).toContain('name="format" value="series" checked');
    expect(html).toContain('type="date" id="f-pauseUntil" name="pauseUntil" value=""');
  });
});

describe('POST stores the choices', () => {
  it('every choice at once, honoured by the audience rules', async () => {
    const res = await post(url({ action: 'preferences' }, ANA), 'reminders=off&rollups=never&calendar=off&format=bites&pauseUntil=2027-02-08');
    expect(res.status).toBe(200);
    expect(h1(await res.text())).toBe('Saved, Ana.');
    const ana = (await store.getParticipant(SERIES, ANA))!;
    expect(ana.preferences).toEqual({ reminders: false, rollups: false, calendar: false });
    expect(ana.format).toBe('bites');
    // Midnight of 8 February in Los Angeles.
    expect(ana.pausedUntil).toBe('2027-02-08T08:00:00.000Z');
    expect(cancelled).toEqual([ANA]);
    expect(wantsCalendars(ana)).toBe(false);
    expect(formatFor(ana, {}, { format: 'whole' })).toBe('bites');
    expect(skipFor(ana, 'content', new Date('2027-02-08T07:59:00Z'))).toBe('paused');
    expect(skipFor(ana, 'content', new Date('2027-02-08T08:00:00Z'))).toBeUndefined();
    expect(skipFor(ana, 'reminders', new Date('2027-02-09T00:00:00Z'))).toBe('opted-out');
    expect(skipFor(ana, 'rollups', new Date('2027-02-09T00:00:00Z'))).toBe('opted-out');
    expect(skipFor(ana, 'checkIns', new Date('2027-02-09T00:00:00Z'))).toBeUndefined();
  });

  it('a second identical POST changes nothing more; fields left out keep their value', async () => {
    const link = url({ action: 'preferences' }, ANA);
    const before = await table();
    expect((await post(link, 'reminders=off&rollups=never&calendar=off&format=bites&pauseUntil=2027-02-08')).status).toBe(200);
    expect(await table()).toBe(before);
    expect(cancelled).toEqual([ANA]);
    expect((await post(link, 'reminders=on&pauseUntil=')).status).toBe(200);
    const ana = (await store.getParticipant(SERIES, ANA))!;
    expect(ana.preferences).toEqual({ rollups: false, calendar: false });
    expect(ana.pausedUntil).toBeUndefined();
    expect(ana.format).toBe('bites');
  });

  it('back to the series’ format and calendars on', async () => {
    expect((await post(url({ action: 'preferences' }, ANA), 'format=series&calendar=on&rollups=weekly')).status).toBe(200);
    const ana = (await store.getParticipant(SERIES, ANA))!;
    expect(ana.format).toBeUndefined();
    expect(ana.preferences).toEqual({});
    expect(wantsCalendars(ana)).toBe(true);
  });

  it.each([
    ['reminders=sometimes', /“sometimes” is not a choice for reminders: pick one of on, off/],
    ['pauseUntil=2027-02-30', /“2027-02-30” is not a date/],
    ['pauseUntil=2027-01-24', /is not after today/],
    ['pauseUntil=2028-01-01', /more than 180 days away/],
    ['rollups=never&format=daily', /“daily” is not a choice for format/],
  ])('refuses %s with a 400 that says why, and changes nothing', async (body, message) => {
    const before = await table();
    const res = await post(url({ action: 'preferences' }), body);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(h1(html)).toBe('Nothing was changed');
    expect(html).toMatch(message);
    expect(await table()).toBe(before);
  });
});
