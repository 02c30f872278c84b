// The data layer against a real DynamoDB API (dynalite) through the real SDK client.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDynamoClient, createStore, MalformedItemError, type Store } from '#adapters/aws/dynamo';
import {
  ParticipantSchema,
  ResponseSchema,
  SeriesSchema,
  TrainingSchema,
  type Participant,
  type Response,
  type Training,
} from '#core/model';
import { participantKey, responseKey, seriesKey } from '#core/short-key';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

const series = (id: string, title = 'Productivity and organization') =>
  SeriesSchema.parse({
    id,
    title,
    intro: 'Four trainings, one every two weeks.',
    trainers: [{ name: 'Juliet Chen', email: 'juliet@example.com', timeZone: 'America/Los_Angeles' }],
    defaultTimeZone: 'Europe/Berlin',
    policies: { encourage: { atLeast: 2, of: 4 } },
  });

const training = (slug: string, order: number, body = `About ${slug}.`): Training =>
  TrainingSchema.parse({
    slug,
    order,
    title: `Training ${slug}`,
    opens: '2027-01-21',
    closes: '2027-01-31',
    author: 'Juliet Chen',
    body,
    strategies: [
      { id: 'agenda-first', number: 1, title: 'Agenda first', body: 'Share an agenda a day ahead.', aliases: ['Primero la agenda'] },
      { id: 'shared-doc', number: 2, title: 'A shared doc', body: 'Keep one running document.' },
    ],
  });

const participant = (email: string, name = 'Ana Lima', timeZone = 'Asia/Brunei'): Participant =>
  ParticipantSchema.parse({ email, name, timeZone, workStart: '08:30' });

const response = (overrides: Partial<Response> & Pick<Response, 'id' | 'seriesId' | 'trainingSlug'>): Response =>
  ResponseSchema.parse({
    participantEmail: 'ana@example.com',
    intent: 'strategy',
    text: 'I block my mornings for deep work.',
    source: '<abc@mail.example.com>',
    receivedAt: '2027-01-22T10:00:00.000Z',
    ...overrides,
  });

let db: TestDynalite;
let store: Store;
/** Every command the SDK client was asked to run, recorded by a middleware on the real client. */
const sdkCommands: string[] = [];

beforeAll(async () => {
  db = await startDynalite();
  db.client.middlewareStack.add(
    (next, context) => async (args) => {
      sdkCommands.push(String((context as { commandName?: string }).commandName));
      return next(args);
    },
    { step: 'initialize', name: 'recordCommandNames' },
  );
  store = createStore({ client: db.client, tableName: db.tableName });
});

afterAll(async () => {
  await db?.stop();
});

describe('series and trainings', () => {
  it('round-trips a series with its trainings, ordered, in one Query', async () => {
    const s = series('q1-productivity');
    const trainings = [training('launch-prep', 4), training('one-on-ones', 1), training('comms', 2)];
    await store.putSeries(s, trainings, { publishedAt: new Date('2027-01-10T09:00:00Z'), version: 1 });

    const before = store.requests.byOperation.Query ?? 0;
    const got = await store.getSeries('q1-productivity');

    expect(store.requests.byOperation.Query).toBe(before + 1);
    expect(got?.series).toEqual(s);
    expect(got?.trainings.map((t) => t.slug)).toEqual(['one-on-ones', 'comms', 'launch-prep']);
    expect(got?.trainings[0]).toEqual(trainings[1]);
    expect(got?.publishedAt).toBe('2027-01-10T09:00:00.000Z');
    expect(got?.version).toBe(1);
  });

  it('returns undefined for a series never published', async () => {
    expect(await store.getSeries('never-published')).toBeUndefined();
  });

  it('deletes a removed training when the series is published again', async () => {
    const s = series('republish');
    await store.putSeries(s, [training('one', 1), training('two', 2), training('three', 3)], {
      publishedAt: '2027-01-10T09:00:00.000Z',
      version: 1,
    });
    const edited = { ...s, title: 'Renamed' };
    await store.putSeries(edited, [training('one', 1, 'Edited body.'), training('three', 2)], {
      publishedAt: '2027-01-11T09:00:00.000Z',
      version: 2,
    });

    const got = await store.getSeries('republish');
    expect(got?.series.title).toBe('Renamed');
    expect(got?.trainings.map((t) => [t.slug, t.order])).toEqual([
      ['one', 1],
      ['three', 2],
    ]);
    expect(got?.trainings[0]?.body).toBe('Edited body.');
    expect(got?.version).toBe(2);
  });

  it('refuses to publish an older or equal version over a newer one', async () => {
    const s = series('versioned');
    await store.putSeries(s, [training('one', 1)], { publishedAt: new Date(), version: 3 });
    await expect(
      store.putSeries({ ...s, title: 'Stale' }, [training('stale', 1)], { publishedAt: new Date(), version: 3 }),
    ).rejects.toThrow(/already published at version 3/);
    const got = await store.getSeries('versioned');
    expect(got?.series.title).toBe(s.title);
    expect(got?.trainings.map((t) => t.slug)).toEqual(['one']);
  });

  it('marks a version settled only when its publish says so, and an older publish never settles a newer one', async () => {
    const s = series('settling');
    expect(await store.getSeriesVersion('settling')).toBeUndefined();
    await store.putSeries(s, [training('one', 1)], { publishedAt: new Date(), version: 1 });
    expect(await store.getSeriesVersion('settling')).toEqual({ version: 1, settled: false });
    await store.finishPublish('settling', 1);
    expect(await store.getSeriesVersion('settling')).toEqual({ version: 1, settled: true });
    // A second publish begins; the first one finishing late leaves the new mark in place.
    await store.putSeries(s, [training('one', 1)], { publishedAt: new Date(), version: 2 });
    await store.finishPublish('settling', 1);
    expect(await store.getSeriesVersion('settling')).toEqual({ version: 2, settled: false });
    await store.finishPublish('settling', 2);
    expect(await store.getSeriesVersion('settling')).toEqual({ version: 2, settled: true });
    // The mark is the series item's own attribute: the series still reads as before.
    expect((await store.getSeries('settling'))?.version).toBe(2);
  });

  it('finds a series by the short key its reply tokens carry, in either case', async () => {
    await store.putSeries(series('keyed-series'), [], { publishedAt: new Date(), version: 1 });
    expect(await store.findSeriesByKey(seriesKey('keyed-series'))).toBe('keyed-series');
    expect(await store.findSeriesByKey(seriesKey('keyed-series').toUpperCase())).toBe('keyed-series');
    expect(await store.findSeriesByKey(seriesKey('no-such-series'))).toBeUndefined();
  });
});

describe('templates', () => {
  it('round-trips large compiled templates and prunes the ones no longer used', async () => {
    // 150 KB of varied HTML, like a compiled MJML training email.
    const big = Array.from({ length: 1500 }, (_, i) => `<tr><td style="padding:8px">row ${i} ✓</td></tr>\n`).join('');
    expect(big.length).toBeGreaterThan(50_000);
    const large = big.repeat(3);
    expect(large.length).toBeGreaterThan(150_000);
    await store.putTemplates('tpl', [
      ['training/one-on-ones/training.html', large],
      ['training/one-on-ones/training.txt', 'Hello {{name}}'],
      ['kickoff/kickoff.html', '<p>Welcome {{name}}</p>'],
    ]);

    expect(await store.getTemplate('tpl', 'training/one-on-ones/training.html')).toBe(large);
    expect(await store.getTemplate('tpl', 'missing')).toBeUndefined();
    const all = await store.getTemplates('tpl');
    expect([...all.keys()].sort()).toEqual([
      'kickoff/kickoff.html',
      'training/one-on-ones/training.html',
      'training/one-on-ones/training.txt',
    ]);
    const some = await store.getTemplates('tpl', 'training/');
    expect([...some.keys()].sort()).toEqual(['training/one-on-ones/training.html', 'training/one-on-ones/training.txt']);

    const pruned = await store.pruneTemplates('tpl', ['kickoff/kickoff.html', 'training/one-on-ones/training.html']);
    expect(pruned).toEqual(['training/one-on-ones/training.txt']);
    expect([...(await store.getTemplates('tpl')).keys()].sort()).toEqual([
      'kickoff/kickoff.html',
      'training/one-on-ones/training.html',
    ]);
  });

  it('stores more templates than one BatchWrite holds, each under its own name, the last of a name given twice', async () => {
    // 60 templates: three BatchWrites of up to 25. Each text is distinct and names its template, so
    // a lost, doubled or mis-keyed item shows; every seventh is incompressible (~45 KB gzipped).
    const names = Array.from({ length: 60 }, (_, i) => `training/t${String(i).padStart(2, '0')}`);
    const texts = names.map((n, i) => `<p>${n}</p>` + (i % 7 === 0 ? randomBytes(34_000).toString('base64') : `row ${i} `.repeat(i * 50)));
    await store.putTemplates('many', [...names.map((n, i) => [n, texts[i]!] as const), ['training/t05', 'replaced']]);
    const stored = await store.getTemplates('many');
    expect([...stored.keys()].sort()).toEqual(names);
    names.forEach((n, i) => expect(stored.get(n), n).toBe(i === 5 ? 'replaced' : texts[i]));
  });

  it('refuses a template over the item limit by name, and stores none of the batch', async () => {
    const huge = randomBytes(420_000).toString('base64');
    await expect(store.putTemplates('too-big', [['kickoff/kickoff', 'fine'], ['training/huge', huge]])).rejects.toThrow(/"training\/huge".*400 KB item limit/);
    expect((await store.getTemplates('too-big')).size).toBe(0);
  });
});

describe('participants', () => {
  it('round-trips participants and finds one by email or by reply key', async () => {
    const ana = participant('Ana@Example.com');
    const kofi = participant('kofi@example.com', 'Kofi Mensah', 'Africa/Accra');
    await store.putParticipants('team', [kofi, ana]);

    const list = await store.listParticipants('team');
    expect(list.map((p) => p.email)).toEqual(['ana@example.com', 'kofi@example.com']);
    expect(list[1]).toEqual({ ...kofi, key: participantKey('team', 'kofi@example.com') });

    expect((await store.getParticipant('team', 'ANA@example.com'))?.name).toBe('Ana Lima');
    const key = participantKey('team', 'kofi@example.com');
    expect((await store.findParticipantByKey('team', key))?.email).toBe('kofi@example.com');
    expect((await store.findParticipantByKey('team', key.toUpperCase()))?.email).toBe('kofi@example.com');
    expect(await store.findParticipantByKey('other-team', key)).toBeUndefined();
    expect(await store.getParticipant('team', 'nobody@example.com')).toBeUndefined();
    expect(await store.listSeriesOfParticipant('kofi@example.com')).toEqual(['team']);
  });

  it('sets and clears status fields, keeps them on re-enrollment, never creates a participant', async () => {
    await store.putParticipants('status', [participant('ana@example.com'), participant('bo@example.com', 'Bo')]);
    await store.setUnsubscribed('status', 'ana@example.com', new Date('2027-02-01T00:00:00Z'));
    await store.setBounced('status', 'bo@example.com', '2027-02-02T00:00:00.000Z');
    const ooo = await store.setOutOfOffice('status', 'bo@example.com', new Date('2027-02-09T00:00:00Z'));
    expect(ooo).toMatchObject({ bouncedAt: '2027-02-02T00:00:00.000Z', outOfOfficeUntil: '2027-02-09T00:00:00.000Z' });

    // Enrolling again (say, a corrected time zone) must not forget the unsubscribe.
    await store.putParticipants('status', [participant('ana@example.com', 'Ana Lima', 'Europe/Lisbon')]);
    const ana = await store.getParticipant('status', 'ana@example.com');
    expect(ana).toMatchObject({ timeZone: 'Europe/Lisbon', unsubscribedAt: '2027-02-01T00:00:00.000Z' });

    const cleared = await store.setOutOfOffice('status', 'bo@example.com', null);
    expect(cleared?.outOfOfficeUntil).toBeUndefined();
    expect(cleared?.bouncedAt).toBe('2027-02-02T00:00:00.000Z');

    expect(await store.setUnsubscribed('status', 'ghost@example.com', new Date())).toBeUndefined();
    expect((await store.listParticipants('status')).map((p) => p.email)).toEqual(['ana@example.com', 'bo@example.com']);
  });

  it('removes a participant', async () => {
    await store.putParticipants('removal', [participant('ana@example.com'), participant('bo@example.com', 'Bo')]);
    expect(await store.removeParticipant('removal', 'Bo@example.com')).toBe(true);
    expect(await store.removeParticipant('removal', 'bo@example.com')).toBe(false);
    expect((await store.listParticipants('removal')).map((p) => p.email)).toEqual(['ana@example.com']);
  });

  it('refuses two addresses that share a reply key instead of merging them', async () => {
    // Found by search: these two share participantKey('collide', …).
    const [a, b] = ['p650016@example.com', 'p1054270@example.com'];
    expect(participantKey('collide', a)).toBe(participantKey('collide', b));
    await expect(store.putParticipants('collide', [participant(a), participant(b)])).rejects.toThrow(
      /share the reply key/,
    );
    await store.putParticipants('collide', [participant(a)]);
    await expect(store.putParticipants('collide', [participant(b)])).rejects.toThrow(/p650016@example.com/);
    expect(await store.getParticipant('collide', b)).toBeUndefined();
  });

  it('writes and reads back 2,500 participants (over 1 MB, several pages) completely', async () => {
    const people = Array.from({ length: 2500 }, (_, i) =>
      participant(
        `person${String(i).padStart(4, '0')}@example.com`,
        i % 2 === 0 ? `Person ${i} ${'with a very long name '.repeat(25)}` : `Person ${i}`,
        i % 2 ? 'Asia/Dubai' : 'America/New_York',
      ),
    );
    const bytes = people.reduce((sum, p) => sum + JSON.stringify(p).length + 120, 0);
    expect(bytes).toBeGreaterThan(1_100_000);

    const writesBefore = store.requests.byOperation.BatchWriteItem ?? 0;
    await store.putParticipants('big', people);
    // 25 items a batch: each participant, its two studio pointers (by name, by email) and its
    // schedule group's pointer, then each newcomer's facts for the overview's counters (core/tallies.ts).
    expect((store.requests.byOperation.BatchWriteItem ?? 0) - writesBefore).toBe(500);

    const queriesBefore = store.requests.byOperation.Query ?? 0;
    const list = await store.listParticipants('big');
    const pages = (store.requests.byOperation.Query ?? 0) - queriesBefore;

    expect(pages).toBeGreaterThan(1);
    expect(list).toHaveLength(2500);
    expect(new Set(list.map((p) => p.email)).size).toBe(2500);
    expect(list.find((p) => p.email === 'person2499@example.com')?.timeZone).toBe('Asia/Dubai');
    // How long this read takes is `npm run bench dynamo`, not a test's business.
  });
});

describe('schedule-group pointers', () => {
  const person = (email: string, timeZone: string, workStart: string, extra: Partial<Participant> = {}): Participant =>
    ParticipantSchema.parse({ email, name: email.split('@')[0], timeZone, workStart, ...extra });

  it('answers a group from its members alone, and follows enrolment, a zone or start change, a week of their own, unsubscribing and removal', async () => {
    // Prepare: three groups of one series, and a published marker (publish builds the pointers).
    const id = 'grouped';
    await store.putParticipants(id, [
      ...Array.from({ length: 6 }, (_, i) => person(`berlin${i}@example.com`, 'Europe/Berlin', '09:00')),
      ...Array.from({ length: 4 }, (_, i) => person(`early${i}@example.com`, 'Europe/Berlin', '08:00')),
      ...Array.from({ length: 20 }, (_, i) => person(`tokyo${String(i).padStart(2, '0')}@example.com`, 'Asia/Tokyo', '09:00')),
    ]);
    expect(await store.listGroupMembers(id, { timeZone: 'Europe/Berlin', workStart: '09:00' })).toBeUndefined();
    expect(await store.ensureGroupIndex(id)).toBe(true);
    expect(await store.ensureGroupIndex(id)).toBe(false);
    const berlin = { timeZone: 'Europe/Berlin', workStart: '09:00' };

    // Act + Assess: a training group reads its six pointers and the marker, nothing else.
    const before = { ...store.requests.itemsReadByType };
    const itemsBefore = store.requests.itemsRead;
    expect(await store.listGroupMembers(id, berlin)).toEqual(Array.from({ length: 6 }, (_, i) => `berlin${i}@example.com`));
    expect(store.requests.itemsRead - itemsBefore).toBe(7);
    expect((store.requests.itemsReadByType['group-member'] ?? 0) - (before['group-member'] ?? 0)).toBe(6);
    expect(store.requests.itemsReadByType.participant ?? 0).toBe(before.participant ?? 0);
    // A roll-up's group is the zone, every start of day.
    expect(await store.listGroupMembers(id, { timeZone: 'Europe/Berlin' })).toHaveLength(10);
    expect(await store.listGroupMembers(id, { timeZone: 'Asia/Tokyo', workStart: '09:00' })).toHaveLength(20);
    // Not split by zone: the caller reads the list.
    expect(await store.listGroupMembers(id, {})).toBeUndefined();

    // Enrolled later; moved to Tokyo; moved to an earlier start; a week of their own.
    await store.putParticipants(id, [
      person('new@example.com', 'Europe/Berlin', '09:00'),
      person('berlin0@example.com', 'Asia/Tokyo', '09:00'),
      person('berlin1@example.com', 'Europe/Berlin', '08:00'),
      person('berlin2@example.com', 'Europe/Berlin', '09:00', { workDays: ['sun', 'mon', 'tue', 'wed', 'thu'] }),
    ]);
    expect(await store.listGroupMembers(id, berlin)).toEqual(['berlin3@example.com', 'berlin4@example.com', 'berlin5@example.com', 'new@example.com']);
    expect(await store.listGroupMembers(id, { timeZone: 'Asia/Tokyo', workStart: '09:00' })).toContain('berlin0@example.com');
    expect(await store.listGroupMembers(id, { timeZone: 'Europe/Berlin', workStart: '08:00' })).toContain('berlin1@example.com');
    expect(await store.listGroupMembers(id, { ...berlin, workDays: 'mon,tue,wed,thu,sun' })).toEqual(['berlin2@example.com']);

    // Unsubscribed and bounced people are not in a send; resubscribing brings them back.
    await store.setUnsubscribed(id, 'berlin3@example.com', '2027-01-20T10:00:00Z');
    await store.setBounced(id, 'berlin4@example.com', '2027-01-20T10:00:00Z');
    expect(await store.listGroupMembers(id, berlin)).toEqual(['berlin5@example.com', 'new@example.com']);
    await store.setUnsubscribed(id, 'berlin3@example.com', null);
    // Re-enrolling keeps the bounce, so it keeps them out.
    await store.putParticipants(id, [person('berlin4@example.com', 'Europe/Berlin', '09:00')]);
    expect(await store.listGroupMembers(id, berlin)).toEqual(['berlin3@example.com', 'berlin5@example.com', 'new@example.com']);

    // Removed: gone from the group.
    await store.removeParticipant(id, 'new@example.com');
    expect(await store.listGroupMembers(id, berlin)).toEqual(['berlin3@example.com', 'berlin5@example.com']);
  });
});

describe('suppression', () => {
  it('suppresses an address globally and checks many at once', async () => {
    await store.suppress('Bounced@Example.com', 'bounce: mailbox does not exist', new Date('2027-01-22T00:00:00Z'));
    expect(await store.isSuppressed('bounced@example.com')).toBe(true);
    expect(await store.isSuppressed('fine@example.com')).toBe(false);
    expect(await store.getSuppression('BOUNCED@example.com')).toEqual({
      email: 'bounced@example.com',
      reason: 'bounce: mailbox does not exist',
      at: '2027-01-22T00:00:00.000Z',
    });
    await store.suppress('complained@example.com', 'complaint', new Date());

    const emails = Array.from({ length: 250 }, (_, i) => `member${i}@example.com`);
    const found = await store.suppressedAmong([...emails, 'complained@example.com', 'bounced@example.com']);
    expect([...found].sort()).toEqual(['bounced@example.com', 'complained@example.com']);
  });
});

describe('responses', () => {
  it('stores a response once: a redelivered duplicate is not stored and raises nothing', async () => {
    const r = response({ id: 'msg-1#0', seriesId: 'replies', trainingSlug: 'one-on-ones' });
    expect(await store.putResponse(r)).toEqual({ stored: true });
    expect(await store.putResponse({ ...r, text: 'changed on redelivery' })).toEqual({ stored: false });
    const list = await store.listResponses('replies');
    expect(list).toEqual([r]);
  });

  it('lists by training and by participant, and resolves a response key', async () => {
    const rs = [
      response({ id: 'a', seriesId: 'lists', trainingSlug: 'one', receivedAt: '2027-01-23T00:00:00.000Z' }),
      response({
        id: 'b',
        seriesId: 'lists',
        trainingSlug: 'one',
        participantEmail: 'kofi@example.com',
        intent: 'adopt',
        strategyId: 'agenda-first',
        receivedAt: '2027-01-22T00:00:00.000Z',
      }),
      response({ id: 'c', seriesId: 'lists', trainingSlug: 'one-more', receivedAt: '2027-01-24T00:00:00.000Z' }),
      response({ id: 'd', seriesId: 'lists-other', trainingSlug: 'one' }),
    ];
    for (const r of rs) await store.putResponse(r);

    expect((await store.listResponses('lists')).map((r) => r.id)).toEqual(['b', 'a', 'c']);
    // "one" must not match the training "one-more".
    expect((await store.listResponses('lists', { trainingSlug: 'one' })).map((r) => r.id)).toEqual(['b', 'a']);
    expect((await store.listResponsesByParticipant('lists', 'ANA@example.com')).map((r) => r.id)).toEqual(['a', 'c']);
    expect(await store.findResponseByKey('lists', responseKey('lists', 'b'))).toEqual(rs[1]);
    expect(await store.findResponseByKey('lists', responseKey('lists', 'zzz'))).toBeUndefined();
  });

  it('bulk-imports responses and sent deliveries that read back like written ones', async () => {
    const rs = Array.from({ length: 60 }, (_, i) => response({ id: `bulk-${i}`, seriesId: 'bulk', trainingSlug: 'one' }));
    await store.importResponses(rs);
    expect((await store.listResponses('bulk')).length).toBe(60);
    expect(await store.findResponseByKey('bulk', responseKey('bulk', 'bulk-7'))).toEqual(rs[7]);
    await store.importDeliveries('bulk', [
      { emailId: 'training#one#ana@example.com', status: 'sent', attempts: 1, claimedAt: '2027-01-01T00:00:00.000Z', sesMessageId: 'x', sentAt: '2027-01-01T00:00:00.000Z' },
    ]);
    // An imported sent delivery blocks a new send like any other.
    expect(await store.claimDelivery('bulk', 'training#one#ana@example.com', { now: new Date('2027-01-02T00:00:00Z'), leaseMs: 60_000 })).toBe('already-sent');
  });
});

describe('delivery ledger', () => {
  const lease = 60_000;
  const t0 = new Date('2027-01-21T08:00:00Z');
  const at = (ms: number) => new Date(t0.getTime() + ms);

  it('claims once, reports in-flight during the lease, re-claims after it, then already-sent', async () => {
    const id = 'training#one-on-ones#ana@example.com';
    expect(await store.claimDelivery('ledger', id, { now: t0, leaseMs: lease })).toBe('claimed');
    expect(await store.claimDelivery('ledger', id, { now: at(lease - 1), leaseMs: lease })).toBe('in-flight');
    expect(await store.claimDelivery('ledger', id, { now: at(lease + 1), leaseMs: lease })).toBe('claimed');
    const [claimed] = await store.listDeliveries('ledger', 'training#one-on-ones#');
    expect(claimed).toMatchObject({ emailId: id, status: 'claimed', attempts: 2, leaseUntil: at(2 * lease + 1).getTime() });

    await store.completeDelivery('ledger', id, { sesMessageId: 'ses-1', sentAt: at(lease + 2) });
    // Completing again with the same SES id is a harmless retry.
    await store.completeDelivery('ledger', id, { sesMessageId: 'ses-1', sentAt: at(lease + 3) });
    await expect(store.completeDelivery('ledger', id, { sesMessageId: 'ses-2', sentAt: at(lease + 3) })).rejects.toThrow(
      /sent twice/,
    );
    expect(await store.claimDelivery('ledger', id, { now: at(10 * lease), leaseMs: lease })).toBe('already-sent');

    const [sent] = await store.listDeliveries('ledger', 'training#one-on-ones#');
    expect(sent).toMatchObject({ status: 'sent', sesMessageId: 'ses-1', sentAt: at(lease + 2).toISOString() });
    expect(sent?.leaseUntil).toBeUndefined();
  });

  it('gives exactly one of many concurrent claimers the delivery', async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, () => store.claimDelivery('race', 'reminder#one#bo@example.com', { now: t0, leaseMs: lease })),
    );
    expect(results.filter((r) => r === 'claimed')).toHaveLength(1);
    expect(results.filter((r) => r === 'in-flight')).toHaveLength(11);
  });

  it('lets a released claim be taken again at once, and refuses to complete an unclaimed one', async () => {
    const id = 'digest#2027-w04#juliet@example.com';
    expect(await store.claimDelivery('release', id, { now: t0, leaseMs: lease })).toBe('claimed');
    await store.releaseDelivery('release', id, { error: 'SES throttled' });
    const [released] = await store.listDeliveries('release');
    expect(released?.lastError).toBe('SES throttled');
    expect(await store.claimDelivery('release', id, { now: at(1), leaseMs: lease })).toBe('claimed');
    await expect(
      store.completeDelivery('release', 'never#claimed', { sesMessageId: 'x', sentAt: t0 }),
    ).rejects.toThrow(/never claimed/);
  });

  it("records SES's acceptance on a claim its sender never completed, which a takeover then finds sent", async () => {
    const id = 'kickoff#-#kilo@example.com';
    expect(await store.claimDelivery('accepted', id, { now: t0, leaseMs: lease })).toBe('claimed');
    expect(await store.recordAccepted('accepted', id, { sesMessageId: 'ses-1', at: at(1) })).toBe(true);
    expect(await store.claimDelivery('accepted', id, { now: at(10 * lease), leaseMs: lease })).toBe('already-sent');
    // The sender's own completion of the same message still passes, and sets sentAt by its clock.
    await store.completeDelivery('accepted', id, { sesMessageId: 'ses-1', sentAt: at(2) });
    expect((await store.listDeliveries('accepted'))[0]).toMatchObject({ status: 'sent', sesMessageId: 'ses-1', sentAt: at(2).toISOString() });
    await expect(store.completeDelivery('accepted', id, { sesMessageId: 'ses-2', sentAt: at(3) })).rejects.toThrow(/sent twice/);
    // Nothing claimed, nothing to mark: mail outside the ledger.
    expect(await store.recordAccepted('accepted', 'kickoff#-#nobody@example.com', { sesMessageId: 'ses-3', at: t0 })).toBe(false);
    expect(await store.sentAmong('accepted', [id, 'kickoff#-#nobody@example.com'])).toEqual(new Set([id]));
  });

  it("screens a batch in one read: which deliveries are sent and which addresses suppressed, as sentAmong and suppressedAmong say", async () => {
    const sentId = 'training#screen#lima@example.com';
    const claimedId = 'training#screen#mike@example.com';
    expect(await store.claimDelivery('screen', sentId, { now: t0, leaseMs: lease })).toBe('claimed');
    await store.completeDelivery('screen', sentId, { sesMessageId: 'ses-screen', sentAt: at(1) });
    expect(await store.claimDelivery('screen', claimedId, { now: t0, leaseMs: lease })).toBe('claimed');
    await store.suppress('November@Example.com', 'bounce', t0);
    const ids = [sentId, claimedId, 'training#screen#nobody@example.com'];
    const emails = ['lima@example.com', 'mike@example.com', 'november@example.com', 'oscar@example.com'];

    const before = { ...store.requests.byOperation };
    const screened = await store.screenDeliveries('screen', ids, emails);
    expect(store.requests.byOperation).toEqual({ ...before, BatchGetItem: (before.BatchGetItem ?? 0) + 1 });
    expect(screened).toEqual({ sent: new Set([sentId]), suppressed: new Set(['november@example.com']) });
    expect(screened).toEqual({ sent: await store.sentAmong('screen', ids), suppressed: await store.suppressedAmong(emails) });
    // More than one BatchGet holds (100 keys): still everything, in as few requests as the keys need.
    const many = Array.from({ length: 150 }, (_, i) => `member${i}@example.com`);
    const manyBefore = store.requests.byOperation.BatchGetItem ?? 0;
    expect(await store.screenDeliveries('screen', [...ids, ...many.map((e) => `training#screen#${e}`)], [...emails, ...many])).toEqual(screened);
    expect((store.requests.byOperation.BatchGetItem ?? 0) - manyBefore).toBe(Math.ceil((3 + 150 + 4 + 150) / 100));
  });

  it('lists deliveries by prefix', async () => {
    for (const id of ['training#a#1@x.io', 'training#a#2@x.io', 'training#b#1@x.io', 'reminder#a#1@x.io']) {
      await store.claimDelivery('prefixes', id, { now: t0, leaseMs: lease });
    }
    expect((await store.listDeliveries('prefixes', 'training#a#')).map((d) => d.emailId)).toEqual([
      'training#a#1@x.io',
      'training#a#2@x.io',
    ]);
    expect(await store.listDeliveries('prefixes')).toHaveLength(4);
  });
});

describe('inbound message ids', () => {
  it('records a message id once, and again only after its time to live', async () => {
    const at = new Date('2027-01-22T10:00:00Z');
    const id = '<CAF=abc123@mail.gmail.com>';
    expect(await store.recordInboundMessage(id, { seriesId: 'team', at, ttlDays: 30 })).toBe(true);
    expect(await store.recordInboundMessage(id, { seriesId: 'team', at: new Date(at.getTime() + 5000), ttlDays: 30 })).toBe(
      false,
    );
    const later = new Date(at.getTime() + 31 * 86_400_000);
    expect(await store.recordInboundMessage(id, { at: later, ttlDays: 30 })).toBe(true);
    expect(await store.recordInboundMessage('<other@mail.example.com>', { at, ttlDays: 30 })).toBe(true);
  });
});

describe('schedules', () => {
  it('puts, lists, deletes, and lists the pending ones due across series', async () => {
    const job = { kind: 'training', seriesId: 'clock-a', trainingSlug: 'one', timeZone: 'Asia/Brunei', n: [1, 2] };
    await store.putSchedule('clock-a', { name: 'training-one-brunei', at: '2027-01-21T00:30:00.000Z', job, state: 'pending' });
    await store.putSchedule('clock-a', { name: 'kickoff', at: '2027-01-14T01:00:00.000Z', job: { kind: 'kickoff' }, state: 'done' });
    await store.putSchedule('clock-b', { name: 'digest-w04', at: '2027-01-25T08:00:00.000Z', job: null, state: 'pending' });
    await store.putSchedule('clock-b', { name: 'digest-w03', at: '2027-01-18T08:00:00.000Z', job: null, state: 'pending' });

    const a = await store.listSchedules('clock-a');
    expect(a).toEqual([
      { seriesId: 'clock-a', name: 'kickoff', at: '2027-01-14T01:00:00.000Z', job: { kind: 'kickoff' }, state: 'done' },
      { seriesId: 'clock-a', name: 'training-one-brunei', at: '2027-01-21T00:30:00.000Z', job, state: 'pending' },
    ]);

    const due = await store.listPendingSchedules({ until: '2027-01-21T00:30:00.000Z' });
    expect(due.map((s) => `${s.seriesId}/${s.name}`)).toEqual(['clock-b/digest-w03', 'clock-a/training-one-brunei']);
    // What a clock asks for its next wake-up: the earliest one of every series, one item read.
    const before = store.requests.total;
    expect((await store.listPendingSchedules({ limit: 1 })).map((s) => `${s.seriesId}/${s.name}`)).toEqual(['clock-b/digest-w03']);
    expect(store.requests.total - before).toBe(1);

    await store.putSchedule('clock-b', { name: 'digest-w03', at: '2027-01-18T08:00:00.000Z', job: null, state: 'done' });
    await store.deleteSchedule('clock-a', 'training-one-brunei');
    expect((await store.listPendingSchedules()).map((s) => s.name)).toEqual(['digest-w04']);
    expect((await store.listSchedules('clock-a')).map((s) => s.name)).toEqual(['kickoff']);
  });

  it('writes many records in batches of 25 and one change alone as a PutItem or DeleteItem', async () => {
    const records = Array.from({ length: 30 }, (_, i) => ({ name: `s${String(i).padStart(2, '0')}`, at: '2027-02-01T09:00:00.000Z', job: { kind: 'training', i }, state: 'pending' as const }));
    await store.putSchedule('clock-w', { name: 'old', at: '2027-01-01T09:00:00.000Z', job: null, state: 'pending' });
    const before = { ...store.requests.byOperation };
    const sent = (op: string) => (store.requests.byOperation[op] ?? 0) - (before[op] ?? 0);
    await store.writeSchedules('clock-w', { put: records, delete: ['old'] });
    expect([sent('BatchWriteItem'), sent('PutItem'), sent('DeleteItem')]).toEqual([2, 0, 0]);
    expect((await store.listSchedules('clock-w')).map((s) => s.name)).toEqual(records.map((r) => r.name));
    expect((await store.listSchedules('clock-w'))[29]).toEqual({ seriesId: 'clock-w', ...records[29] });

    await store.writeSchedules('clock-w', { put: [{ ...records[0]!, state: 'done' }], delete: [] });
    await store.writeSchedules('clock-w', { put: [], delete: ['s29'] });
    await store.writeSchedules('clock-w', { put: [], delete: [] });
    expect([sent('BatchWriteItem'), sent('PutItem'), sent('DeleteItem')]).toEqual([2, 1, 1]);
    const after = await store.listSchedules('clock-w');
    expect(after).toHaveLength(29);
    expect(after[0]).toMatchObject({ name: 's00', state: 'done' });
  });

  it('keeps a recurring record\'s cron and a failing record\'s attempts and last error', async () => {
    const cron = { expression: 'cron(0 10 ? * FRI *)', timeZone: 'Asia/Brunei', start: '2027-01-20T16:00:00.000Z', end: '2027-03-21T16:00:00.000Z' };
    await store.putSchedule('clock-c', { name: 'rollup-1', at: '2027-01-22T02:00:00.000Z', job: { kind: 'rollup' }, state: 'pending', cron, attempts: 2, lastError: 'SES is down' });
    await store.putSchedule('clock-c', { name: 'plain', at: '2027-01-22T02:00:00.000Z', job: null, state: 'pending' });
    const [plain, rollup] = await store.listSchedules('clock-c');
    expect(rollup).toStrictEqual({ seriesId: 'clock-c', name: 'rollup-1', at: '2027-01-22T02:00:00.000Z', job: { kind: 'rollup' }, state: 'pending', cron, attempts: 2, lastError: 'SES is down' });
    expect(plain).toStrictEqual({ seriesId: 'clock-c', name: 'plain', at: '2027-01-22T02:00:00.000Z', job: null, state: 'pending' });
  });
});

describe('malformed items', () => {
  it('names the item and the field when an item read does not have the stored shape', async () => {
    const raw = DynamoDBDocumentClient.from(db.client);
    const sk = `PARTICIPANT#${participantKey('broken', 'ana@example.com')}`;
    await raw.send(
      new PutCommand({
        TableName: db.tableName,
        Item: { pk: 'SERIES#broken', sk, itemType: 'participant', seriesId: 'broken', key: 'x', email: 'ana@example.com', name: 'Ana', timeZone: 'Mars/Olympus', workStart: '08:30' },
      }),
    );
    const error = await store.listParticipants('broken').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MalformedItemError);
    expect((error as Error).message).toContain(`sk="${sk}"`);
    expect((error as Error).message).toContain('pk="SERIES#broken"');
    expect((error as Error).message).toMatch(/timeZone: is not an IANA time zone/);
    await expect(store.getParticipant('broken', 'ana@example.com')).rejects.toThrow(MalformedItemError);
  });
});

describe('persistence', () => {
  it('keeps data across a dynalite restart on the same path', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'baton-dynalite-'));
    try {
      const first = await startDynalite({ path: dir });
      const s1 = createStore({ client: first.client, tableName: first.tableName });
      await s1.putSeries(series('durable'), [training('one', 1)], { publishedAt: new Date(), version: 1 });
      await s1.putParticipants('durable', [participant('ana@example.com')]);
      expect(await s1.claimDelivery('durable', 'training#one#ana@example.com', { now: new Date(), leaseMs: 1000 })).toBe('claimed');
      await first.stop();

      const second = await startDynalite({ path: dir });
      try {
        const s2 = createStore({ client: second.client, tableName: second.tableName });
        expect(second.operations).not.toContain('CreateTable');
        expect((await s2.getSeries('durable'))?.trainings.map((t) => t.slug)).toEqual(['one']);
        expect((await s2.listParticipants('durable')).map((p) => p.email)).toEqual(['ana@example.com']);
        expect(await s2.listDeliveries('durable')).toHaveLength(1);
      } finally {
        await second.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('request counting', () => {
  it('counts each store on its own, even when stores share a client, and leaves the client as it was', async () => {
    // Prepare: a client of its own, so the recorder on db.client (checked below) does not see it.
    const client = createDynamoClient({ endpoint: db.endpoint });
    try {
      const first = createStore({ client, tableName: db.tableName });
      const second = createStore({ client, tableName: db.tableName });

      // Act
      await first.getSeries('counted-a');
      await first.getTemplate('counted-a', 'kickoff');
      await second.getSeries('counted-b');

      // Assess
      expect([first.requests.total, first.requests.byOperation]).toEqual([2, { Query: 1, GetItem: 1 }]);
      expect([second.requests.total, second.requests.byOperation]).toEqual([1, { Query: 1 }]);
      expect(client.middlewareStack.identify().join(' ')).not.toMatch(/batonCountRequests/);
    } finally {
      client.destroy();
    }
  });
});

describe('access patterns', () => {
  // Runs last in this file: by now every store operation above has gone through the recorder.
  it('never sent a Scan, and counted what it sent', () => {
    const used = new Set(sdkCommands);
    for (const expected of [
      'QueryCommand',
      'GetItemCommand',
      'PutItemCommand',
      'UpdateItemCommand',
      'DeleteItemCommand',
      'BatchWriteItemCommand',
      'BatchGetItemCommand',
    ]) {
      expect(used).toContain(expected);
    }
    expect(sdkCommands.filter((c) => /scan/i.test(c))).toEqual([]);
    expect(db.operations.filter((op) => /scan/i.test(op))).toEqual([]);
    // The store's own counter saw the same traffic the client did (minus the test's raw put).
    expect(store.requests.total).toBe(sdkCommands.length - 1);
  });
});
