// The participants page by design: by-name and by-email pointers the store keeps on enrol and
// unenrol, so the table reads one page (and search one prefix), and the grid reads the responses of
// the people on that page only. Against dynalite through the real store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { isPeopleCursor, loadParticipants, PEOPLE_LIMIT } from '#app/studio/participants';
import type { Participant } from '#core/model';
import type { PublishedSeries } from '#core/records';
import { participantKey } from '#core/short-key';
import { makeSeries } from '../../../bench/reports.ts';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

let db: TestDynalite;
let store: Store;
let published: PublishedSeries;
const ID = 'people-series';
const person = (i: number): Participant => ({ email: `p${i}@people.example.com`, name: `Person ${String(i).padStart(3, '0')}`, timeZone: 'Europe/Berlin', workStart: '09:00' });
const everyone = Array.from({ length: 230 }, (_, i) => person(i));

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const { series, trainings } = makeSeries(ID);
  await store.putSeries(series, trainings, { publishedAt: '2027-01-01T00:00:00.000Z', version: 1 });
  // Shuffled, with an accented name that sorts as "emile".
  await store.putParticipants(ID, [...everyone].reverse().concat({ email: 'emile@people.example.com', name: 'Émile Zola', timeZone: 'Europe/Paris', workStart: '09:00' }));
  await store.importResponses([
    { seriesId: ID, trainingSlug: 'training-2', participantEmail: 'p1@people.example.com', id: 'a1', intent: 'adopt', strategyId: 'strategy-1', text: 'yes', links: [], attachments: [], source: 'm1', receivedAt: '2027-02-01T00:00:00.000Z' },
    { seriesId: ID, trainingSlug: 'training-1', participantEmail: 'p1@people.example.com', id: 'r1', intent: 'read', text: '', links: [], attachments: [], source: 'm2', receivedAt: '2027-02-01T00:00:00.000Z' },
  ]);
  // What publish does after a bulk load: the grid's levels (and the overview's counters) rebuilt.
  expect((await store.prepareStudio(ID)).tallies).toBe(true);
  published = (await store.getSeries(ID))!;
});
afterAll(async () => db?.stop());

describe('the participants table', () => {
  it('pages by name, counts everyone, and fills the grid for the page', async () => {
    const first = await loadParticipants(published, { store });
    expect(first.total).toBe(231);
    expect(first.rows).toHaveLength(PEOPLE_LIMIT);
    expect(first.rows.slice(0, 3).map((r) => r.participant.name)).toEqual(['Émile Zola', 'Person 000', 'Person 001']);
    expect(first.rows[2]!.cells).toEqual([1, 3, 0, 0]);
    expect(isPeopleCursor(first.after!)).toBe(true);
    const second = await loadParticipants(published, { store }, { after: first.after! });
    expect(second.rows[0]!.participant.name).toBe('Person 099');
    const third = await loadParticipants(published, { store }, { after: second.after! });
    expect(third.rows.map((r) => r.participant.name)).toEqual(Array.from({ length: 31 }, (_, k) => person(199 + k).name));
    expect(third.after).toBeUndefined();
  });

  it('finds by name or address prefix, case and accents aside', async () => {
    const names = async (search: string) => (await loadParticipants(published, { store }, { search })).rows.map((r) => r.participant.email);
    expect(await names('emile')).toEqual(['emile@people.example.com']);
    expect(await names('PERSON 22')).toEqual(Array.from({ length: 10 }, (_, k) => `p${220 + k}@people.example.com`));
    expect(await names('p17@')).toEqual(['p17@people.example.com']);
    expect(await names('nobody')).toEqual([]);
  });

  it('follows a renamed re-enrolment and an unenrolment', async () => {
    await store.putParticipants(ID, [{ ...person(5), name: 'Aaron Renamed' }]);
    const page = await loadParticipants(published, { store });
    expect(page.rows[0]!.participant.name).toBe('Aaron Renamed');
    expect(page.rows.filter((r) => r.participant.email === 'p5@people.example.com')).toHaveLength(1);
    expect(await store.removeParticipant(ID, 'p5@people.example.com')).toBe(true);
    const after = await loadParticipants(published, { store });
    expect(after.total).toBe(230);
    expect(after.rows.map((r) => r.participant.email)).not.toContain('p5@people.example.com');
    expect((await loadParticipants(published, { store }, { search: 'aaron' })).rows).toEqual([]);
  });

  it('backfills the pointers once for people enrolled before they existed', async () => {
    const OLD = 'old-people';
    const { series, trainings } = makeSeries(OLD);
    await store.putSeries(series, trainings, { publishedAt: '2027-01-01T00:00:00.000Z', version: 1 });
    const doc = DynamoDBDocumentClient.from(db.client);
    for (const p of [person(2), person(1)]) {
      const k = participantKey(OLD, p.email);
      await doc.send(new PutCommand({ TableName: db.tableName, Item: { ...p, pk: `SERIES#${OLD}`, sk: `PARTICIPANT#${k}`, gsi1pk: `EMAIL#${p.email}`, gsi1sk: `PARTICIPANT#${OLD}`, itemType: 'participant', seriesId: OLD, key: k } }));
    }
    expect((await store.pageParticipants(OLD, { limit: 10 })).participants).toEqual([]);
    expect(await store.ensurePeopleIndex(OLD)).toBe(true);
    expect((await store.pageParticipants(OLD, { limit: 10 })).participants.map((p) => p.name)).toEqual(['Person 001', 'Person 002']);
    expect(await store.ensurePeopleIndex(OLD)).toBe(false);
  });

  it('knows its own cursors from anything else', () => {
    expect(isPeopleCursor('person 099#p99@people.example.com')).toBe(true);
    for (const bad of ['', 'person 099', 'person#nobody', `${'x'.repeat(400)}#a@b`]) expect(isPeopleCursor(bad)).toBe(false);
  });

  it('keeps the grid as replies arrive: a redelivery counts once, a correction moves it, a withdrawal lowers it', async () => {
    const reply = { seriesId: ID, trainingSlug: 'training-3', participantEmail: 'p7@people.example.com', links: [], attachments: [], source: 'm', receivedAt: '2027-02-02T00:00:00.000Z' };
    const cellsOf = async () => (await loadParticipants(published, { store }, { search: 'p7@' })).rows[0]!.cells;
    expect(await cellsOf()).toEqual([0, 0, 0, 0]);
    const adopt = { ...reply, id: 'g-adopt', intent: 'adopt' as const, strategyId: 'strategy-1', text: '' };
    expect(await store.putResponse(adopt)).toEqual({ stored: true });
    expect(await store.putResponse(adopt)).toEqual({ stored: false }); // the same reply again (a Lambda retry)
    const read = { ...reply, id: 'g-read', intent: 'read' as const, text: '' };
    await store.putResponse(read);
    expect(await cellsOf()).toEqual([0, 0, 3, 0]);
    // The trainer corrects the adoption to a strategy of their own: the new record, the old one withdrawn.
    await store.putResponse({ ...reply, id: 'g-strategy', intent: 'strategy', text: 'My own way.' });
    await store.withdrawResponse(adopt, { at: '2027-02-03T00:00:00.000Z', replacedBy: 'g-strategy' });
    expect(await cellsOf()).toEqual([0, 0, 2, 0]);
    await store.withdrawResponse({ ...reply, id: 'g-strategy', trainingSlug: 'training-3' }, { at: '2027-02-03T00:00:00.000Z' });
    expect(await cellsOf()).toEqual([0, 0, 1, 0]);
    await store.withdrawResponse(read, { at: '2027-02-03T00:00:00.000Z' });
    expect(await cellsOf()).toEqual([0, 0, 0, 0]);
    await store.withdrawResponse(adopt, null); // put back
    expect(await cellsOf()).toEqual([0, 0, 3, 0]);
  });
});
