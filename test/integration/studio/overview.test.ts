// The overview's running totals by design: kept on write where the events happen (a delivery
// completed or reported by SES, a reply stored, withdrawn or corrected, an enrolment, a status
// change, an unenrolment), once per event however often it is heard, and equal to the numbers
// computeFunnel / participation* compute from every record. Against dynalite through the real store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { loadOverview, QUIET_LIMIT } from '#app/studio/overview';
import type { Participant, Response } from '#core/model';
import type { PublishedSeries } from '#core/records';
import { computeFunnel } from '#core/report';
import { participationByTeam, participationByWeek, participationByZone } from '#core/participation';
import { overviewFromTallies } from '#core/tallies';
import { makeSeries } from '../../../bench/reports.ts';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

let db: TestDynalite;
let store: Store;
let published: PublishedSeries;
const ID = 'tally-series';
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo'];
const person = (i: number): Participant => ({
  email: `p${i}@tally.example.com`,
  name: `Person ${String(i).padStart(2, '0')}`,
  timeZone: ZONES[i % ZONES.length]!,
  workStart: '09:00',
  ...(i % 4 === 0 ? { team: 'Platform' } : i % 4 === 1 ? { team: 'Sales' } : {}),
});
const people = Array.from({ length: 12 }, (_, i) => person(i));
const email = (i: number) => person(i).email;
const NOW = new Date('2027-02-01T09:00:00Z');

let n = 0;
const reply = (i: number, slug: string, fields: Partial<Response>): Response => ({
  seriesId: ID,
  trainingSlug: slug,
  participantEmail: email(i),
  id: `resp-${++n}`,
  intent: 'read',
  text: '',
  links: [],
  attachments: [],
  source: `<m-${n}@x>`,
  receivedAt: new Date(Date.UTC(2027, 1, 1) + n * 3 * 86_400_000).toISOString(),
  ...fields,
});

/** A training email going out through the ledger as deliver.ts sends it. */
async function send(slug: string, i: number, id = `ses-${slug}-${i}`) {
  const emailId = `training#${slug}#${email(i)}`;
  expect(await store.claimDelivery(ID, emailId, { now: NOW, leaseMs: 60_000 })).toBe('claimed');
  await store.completeDelivery(ID, emailId, { sesMessageId: id, sentAt: NOW });
}

/** Every overview number recomputed from every record, as the overview computed them before. */
async function recomputed() {
  const [participants, responses, deliveries] = await Promise.all([store.listParticipants(ID), store.listResponses(ID), store.listDeliveries(ID, 'training#')]);
  const funnel = computeFunnel({ series: published.series, trainings: published.trainings, participants, responses, deliveries });
  const teams = participants.some((p) => p.team) ? participationByTeam(participants, responses) : undefined;
  return {
    participants: funnel.participants,
    stages: funnel.stages,
    trainings: funnel.trainings.map(({ slug, order, title, opens, closes, stages }) => ({ slug, order, title, opens, closes, stages })),
    goal: funnel.goal,
    weeks: participationByWeek(responses),
    zones: participationByZone(participants, responses),
    ...(teams ? { teams } : {}),
    quiet: funnel.notEngaged.length,
    notEngaged: funnel.notEngaged.map((p) => p.email).sort(),
  };
}

async function kept() {
  const { counters, ready } = await store.readTallies(ID);
  expect(ready).toBe(true);
  const quiet = await store.pageQuiet(ID, QUIET_LIMIT);
  return { ...overviewFromTallies(counters, published.series, published.trainings), notEngaged: quiet.map((p) => p.email).sort() };
}

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const { series, trainings } = makeSeries(ID);
  await store.putSeries(series, trainings, { publishedAt: '2027-01-01T00:00:00.000Z', version: 1 });
  await store.putParticipants(ID, people);
  // Publish readies the studio: a series with nothing yet counts from zero.
  expect(await store.prepareStudio(ID)).toEqual({ feed: true, people: true, tallies: true });
  published = (await store.getSeries(ID))!;
});
afterAll(async () => db?.stop());

describe("the overview's running totals", () => {
  it('equal a full recomputation after sends, reads, replies, a duplicate delivery, a withdrawal and a correction', async () => {
    // Training 1 goes to everyone, training 2 to the first eight.
    for (let i = 0; i < 12; i++) await send('training-1', i);
    for (let i = 0; i < 8; i++) await send('training-2', i);
    // One delivery heard twice more: SES's Send event first, then the sender's completion with the same id, and a late second event.
    const late = `training#training-2#${email(9)}`;
    expect(await store.claimDelivery(ID, late, { now: NOW, leaseMs: 60_000 })).toBe('claimed');
    expect(await store.recordAccepted(ID, late, { sesMessageId: 'ses-late', at: NOW })).toBe(true);
    await store.completeDelivery(ID, late, { sesMessageId: 'ses-late', sentAt: NOW });
    expect(await store.recordAccepted(ID, late, { sesMessageId: 'ses-late', at: NOW })).toBe(false);
    // Not a training: counted nowhere.
    expect(await store.claimDelivery(ID, `kickoff#-#${email(11)}`, { now: NOW, leaseMs: 60_000 })).toBe('claimed');
    await store.completeDelivery(ID, `kickoff#-#${email(11)}`, { sesMessageId: 'ses-kickoff', sentAt: NOW });

    // Reads, contributions, adoptions, a follow-up with a rating, a kudos click, an unsubscribe reply.
    await store.putResponse(reply(0, 'training-1', { intent: 'read' }));
    await store.putResponse(reply(1, 'training-1', { intent: 'strategy', text: 'My way.' }));
    const adoption = reply(2, 'training-1', { intent: 'adopt', strategyId: 'strategy-1', text: 'Because.' });
    await store.putResponse(adoption);
    await store.putResponse(reply(2, 'training-2', { intent: 'adopt', strategyId: 'strategy-2', text: '' }));
    await store.putResponse(reply(2, 'training-1', { intent: 'follow-up', strategyId: 'strategy-1', text: 'It worked.', rating: 4 }));
    await store.putResponse(reply(3, 'training-1', { intent: 'comment', text: '', source: 'link:kudos-1' }));
    await store.putResponse(reply(4, 'training-2', { intent: 'comment', text: 'Nice one!' }));
    await store.putResponse(reply(5, 'training-1', { intent: 'unsubscribe' }));
    const single = reply(6, 'training-1', { intent: 'adopt', strategyId: 'strategy-3', text: '' });
    await store.putResponse(single);
    // The same reply delivered again (an SES retry, a Lambda retry): stored once, counted once.
    expect(await store.putResponse(adoption)).toEqual({ stored: false });
    expect(await store.putResponse(adoption)).toEqual({ stored: false });
    expect(await kept()).toEqual(await recomputed());

    // A withdrawal: person 6's only answer; they are back among the not engaged.
    await store.withdrawResponse(single, { at: '2027-03-01T00:00:00.000Z' });
    // A redelivery of the withdrawn reply must not count it again.
    expect(await store.putResponse(single)).toEqual({ stored: false });
    // A correction: person 2's adoption of training 1 becomes a strategy of their own.
    const corrected = reply(2, 'training-1', { intent: 'strategy', text: 'My own way after all.' });
    await store.putResponse(corrected);
    await store.withdrawResponse(adoption, { at: '2027-03-02T00:00:00.000Z', replacedBy: corrected.id });
    // Status changes, an unenrolment, and a re-enrolment with another zone, team and name.
    await store.setUnsubscribed(ID, email(7), '2027-03-03T00:00:00.000Z');
    await store.setBounced(ID, email(8), '2027-03-03T00:00:00.000Z');
    await store.setBounced(ID, email(8), '2027-03-04T00:00:00.000Z'); // heard twice
    expect(await store.removeParticipant(ID, email(10))).toBe(true);
    await store.putParticipants(ID, [{ ...person(11), name: 'Aaron Moved', timeZone: 'Asia/Tokyo', team: 'Sales' }, person(12)]);
    await send('training-1', 12);

    const after = await kept();
    expect(after).toEqual(await recomputed());
    // Not a count that cannot move: the sequence moved these.
    expect(after.participants).toEqual({ total: 12, active: 10, unsubscribed: 1, bounced: 1 });
    expect(after.stages.find((s) => s.stage === 'sent')!.count).toBe(13);
    expect(after.trainings[0]!.stages.map((s) => s.count)).toEqual([13, 4, 2, 0, 1]);
    expect(after.notEngaged).toContain(email(6));
    expect(after.teams).toBeDefined();
  });

  it('a rebuild from the records gives the same numbers', async () => {
    const before = await store.readTallies(ID);
    const quiet = await store.pageQuiet(ID, QUIET_LIMIT);
    await store.recount(ID);
    const rebuilt = await store.readTallies(ID);
    const nonZero = (c: Record<string, number>) => Object.fromEntries(Object.entries(c).filter(([, v]) => v !== 0));
    expect(nonZero(rebuilt.counters)).toEqual(nonZero(before.counters));
    expect(await store.pageQuiet(ID, QUIET_LIMIT)).toEqual(quiet);
    expect(await kept()).toEqual(await recomputed());
  });

  it('a bulk import marks them stale until publish recounts; the page reads the counters, one Query of the not engaged, and their nudges', async () => {
    await store.importResponses([reply(9, 'training-2', { intent: 'read' })]);
    expect((await store.readTallies(ID)).ready).toBe(false);
    expect((await store.prepareStudio(ID)).tallies).toBe(true);
    expect((await store.prepareStudio(ID)).tallies).toBe(false);
    expect(await kept()).toEqual(await recomputed());

    const before = { ...store.requests.byOperation };
    const view = await loadOverview(published, { store });
    const after = { ...store.requests.byOperation };
    const expected = await recomputed();
    expect(view.ready).toBe(true);
    expect(view.funnel.quiet).toBe(expected.quiet);
    expect(view.quiet.map((p) => p.email).sort()).toEqual(expected.notEngaged);
    expect((after.GetItem ?? 0) - (before.GetItem ?? 0)).toBe(1);
    expect((after.Query ?? 0) - (before.Query ?? 0)).toBe(1);
    expect((after.BatchGetItem ?? 0) - (before.BatchGetItem ?? 0)).toBe(1);
  });
});
