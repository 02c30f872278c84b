// The overview's running totals (core/tallies.ts says what they are). Per person one item of
// facts, the `LEVELS#<email>` item the participants grid already reads (its `lvl#<slug>` attributes
// are the grid's levels), changed only by a write that is sure of what it replaces: a Put guarded
// by the item's revision (`rev`), or for a sent training one UpdateItem that sets its flag only if
// it is not set yet (ReturnValues ALL_OLD says what was there). Each change that moved the facts
// ADDs `tallyOf(after) - tallyOf(before)` to the series' one `TALLY` item, and keeps the "not
// engaged yet" pointer (`QUIET#<folded name>#<email>`). A redelivery, a retry, a second SES event
// finds the facts as it would leave them and adds nothing. What is not atomic: a crash between the
// facts write and the ADD leaves the counters one change behind, until a rebuild (`rebuild`, run by
// publish when the marker is missing or on `baton recount`), which recomputes every person's facts
// and the totals from the series' records.
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Response } from '#core/model';
import type { PublishedSeries } from '#core/records';
import { parseTrainingDelivery, type DeliveryLike, type ParticipantLike, type PersonRef } from '#core/report';
import { addTallies, factsFromRecords, isQuiet, noFacts, sameFacts, tallyDelta, tallyOf, type PersonFacts } from '#core/tallies';
import { foldName, isConditionFailure, key, PK, pool, SK, type Item, type Table, type WriteRequest } from './table.ts';

/** Bumped when the facts or the counters change meaning: every series then rebuilds them once (at publish). */
export const TALLY_VERSION = 1;

const LEVEL = 'lvl#';
const FOLLOWED = 'fu#';
const SENT = 'sent#';
const WEEK = 'wk#';
const REV = 'rev';
const ATTEMPTS = 8;
const PUT_CONCURRENCY = 8;
/** Counters per ADD (UpdateExpression is limited to 4 KB). */
const ADD_CHUNK = 40;

export interface RecordsForTallies {
  listParticipants(seriesId: string): Promise<Array<ParticipantLike & { team?: string | undefined }>>;
  listResponses(seriesId: string): Promise<Response[]>;
  listDeliveries(seriesId: string, prefix: string): Promise<DeliveryLike[]>;
}

export type TallyKeeper = ReturnType<typeof tallyKeeper>;

export function tallyKeeper(table: Table) {
  const { tableName, send, getItem, batchGet, batchWrite, queryPrefix } = table;

  function factsOf(item: Item | undefined): PersonFacts {
    const f = noFacts();
    if (!item) return f;
    for (const [name, value] of Object.entries(item)) {
      if (name.startsWith(LEVEL) && typeof value === 'number' && value > 0) f.level[name.slice(LEVEL.length)] = value;
      else if (name.startsWith(FOLLOWED) && value) f.followedUp[name.slice(FOLLOWED.length)] = true;
      else if (name.startsWith(SENT) && value) f.sent[name.slice(SENT.length)] = true;
      else if (name.startsWith(WEEK) && typeof value === 'number' && value > 0) f.weeks[name.slice(WEEK.length)] = value;
    }
    if (item.enrolled === true) {
      f.enrolled = { name: String(item.name), timeZone: String(item.zone), ...(typeof item.team === 'string' ? { team: item.team } : {}), unsubscribed: item.unsub === true, bounced: item.bounced === true };
    }
    return f;
  }

  function itemOf(seriesId: string, email: string, f: PersonFacts, rev: number): Item {
    const item: Item = { [PK]: key.series(seriesId), [SK]: key.levelsSk(email), itemType: 'levels', [REV]: rev };
    for (const [slug, l] of Object.entries(f.level)) item[LEVEL + slug] = l;
    for (const slug of Object.keys(f.followedUp)) item[FOLLOWED + slug] = 1;
    for (const slug of Object.keys(f.sent)) item[SENT + slug] = 1;
    for (const [week, l] of Object.entries(f.weeks)) item[WEEK + week] = l;
    if (f.enrolled) Object.assign(item, { enrolled: true, name: f.enrolled.name, zone: f.enrolled.timeZone, unsub: f.enrolled.unsubscribed, bounced: f.enrolled.bounced, ...(f.enrolled.team ? { team: f.enrolled.team } : {}) });
    return item;
  }

  const emailOf = (item: Item) => String(item[SK]).slice(key.levelsSk('').length);
  const quietSk = (email: string, f: PersonFacts) => key.quietSk(foldName(f.enrolled?.name ?? ''), email);

  /** The counters' ADD and the quiet pointer after one person's facts moved from `before` to `after`. */
  async function follow(seriesId: string, email: string, before: PersonFacts, after: PersonFacts, delta = tallyDelta(before, after)) {
    const pk = key.series(seriesId);
    const was = isQuiet(before) ? quietSk(email, before) : undefined;
    const now = isQuiet(after) ? quietSk(email, after) : undefined;
    if (was && was !== now) await send(new DeleteCommand({ TableName: tableName, Key: { [PK]: pk, [SK]: was } }));
    if (now && now !== was) await send(new PutCommand({ TableName: tableName, Item: { [PK]: pk, [SK]: now, itemType: 'quiet', email, name: after.enrolled!.name } }));
    await add(seriesId, delta);
  }

  async function add(seriesId: string, delta: Record<string, number>) {
    const names = Object.keys(delta);
    for (let i = 0; i < names.length; i += ADD_CHUNK) {
      const part = names.slice(i, i + ADD_CHUNK);
      await send(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: key.series(seriesId), [SK]: key.tallySk },
          UpdateExpression: `SET itemType = :type ADD ${part.map((_, k) => `#c${k} :c${k}`).join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(part.map((name, k) => [`#c${k}`, key.tallyAttribute(name)])),
          ExpressionAttributeValues: { ':type': 'tally', ...Object.fromEntries(part.map((name, k) => [`:c${k}`, delta[name]])) },
        }),
      );
    }
  }

  /** Writes `after` over `item` if nobody changed it meanwhile; false when somebody did. */
  async function putIfUnchanged(seriesId: string, email: string, item: Item | undefined, after: PersonFacts): Promise<boolean> {
    const rev = typeof item?.[REV] === 'number' ? item[REV] : undefined;
    try {
      await send(
        new PutCommand({
          TableName: tableName,
          // What else the item holds (nothing today) is kept.
          Item: { ...stripFacts(item), ...itemOf(seriesId, email, after, (rev ?? 0) + 1) },
          ...(item === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PK } }
            : rev === undefined
              ? { ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#rev)', ExpressionAttributeNames: { '#pk': PK, '#rev': REV } }
              : { ConditionExpression: '#rev = :rev', ExpressionAttributeNames: { '#rev': REV }, ExpressionAttributeValues: { ':rev': rev } }),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  const FACT_FIELDS = new Set(['enrolled', 'name', 'zone', 'team', 'unsub', 'bounced', REV]);
  function stripFacts(item: Item | undefined): Item {
    const rest: Item = {};
    for (const [name, value] of Object.entries(item ?? {})) {
      if (FACT_FIELDS.has(name) || [LEVEL, FOLLOWED, SENT, WEEK].some((p) => name.startsWith(p))) continue;
      rest[name] = value;
    }
    return rest;
  }

  /** One person's facts through `edit`: read, change, write if still the same, else again. */
  async function change(seriesId: string, email: string, edit: (f: PersonFacts) => PersonFacts): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const item = await getItem(key.series(seriesId), key.levelsSk(email));
      const before = factsOf(item);
      const after = edit(before);
      if (sameFacts(before, after)) return;
      if (await putIfUnchanged(seriesId, email, item, after)) return follow(seriesId, email, before, after);
    }
    throw new Error(`the overview's facts of ${email} in series "${seriesId}" kept changing under ${ATTEMPTS} attempts; the change is retried with the event`);
  }

  /**
   * Many people at once (an enrolment): one BatchGet a hundred, a guarded Put each that changed
   * (a BatchWrite for those with no facts yet: an event for someone not yet enrolled cannot race
   * it), the counters added once.
   */
  async function changeMany(seriesId: string, emails: readonly string[], edit: (email: string, f: PersonFacts) => PersonFacts): Promise<void> {
    const unique = [...new Set(emails)];
    if (unique.length === 0) return;
    const items = new Map((await batchGet(unique.map((email) => ({ [PK]: key.series(seriesId), [SK]: key.levelsSk(email) })))).map((i) => [emailOf(i), i] as const));
    const total: Record<string, number> = {};
    const raced: string[] = [];
    const pk = key.series(seriesId);
    const pointers: WriteRequest[] = [];
    // People without facts yet (newcomers: nothing was sent to them, nothing heard) are written in
    // batches; the others one guarded Put each.
    const fresh: WriteRequest[] = [];
    await pool(unique, PUT_CONCURRENCY, async (email) => {
      const item = items.get(email);
      const before = factsOf(item);
      const after = edit(email, before);
      if (sameFacts(before, after)) return;
      if (item === undefined) fresh.push({ PutRequest: { Item: itemOf(seriesId, email, after, 1) } });
      else if (!(await putIfUnchanged(seriesId, email, item, after))) return void raced.push(email);
      addTallies(total, tallyDelta(before, after));
      const was = isQuiet(before) ? quietSk(email, before) : undefined;
      const now = isQuiet(after) ? quietSk(email, after) : undefined;
      if (was && was !== now) pointers.push({ DeleteRequest: { Key: { [PK]: pk, [SK]: was } } });
      if (now && now !== was) pointers.push({ PutRequest: { Item: { [PK]: pk, [SK]: now, itemType: 'quiet', email, name: after.enrolled!.name } } });
    });
    await batchWrite([...fresh, ...pointers]);
    await add(seriesId, Object.fromEntries(Object.entries(total).filter(([, n]) => n !== 0)));
    for (const email of raced) await change(seriesId, email, (f) => edit(email, f));
  }

  /**
   * A `training#<slug>#<email>` delivery went out: one UpdateItem that sets its flag only when it
   * is not set (so the second SES event, a completion after it, a retry add nothing), and the
   * counters by what the item held before. Other deliveries are not counted.
   */
  async function markSent(seriesId: string, emailId: string): Promise<void> {
    const parsed = parseTrainingDelivery(emailId);
    if (!parsed) return;
    const flag = SENT + parsed.slug;
    let old: Item | undefined;
    try {
      const out = await send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: key.series(seriesId), [SK]: key.levelsSk(parsed.email) },
          UpdateExpression: 'SET #s = :one, itemType = :type ADD #rev :one',
          ConditionExpression: 'attribute_not_exists(#s)',
          ExpressionAttributeNames: { '#s': flag, '#rev': REV },
          ExpressionAttributeValues: { ':one': 1, ':type': 'levels' },
          ReturnValues: 'ALL_OLD',
        }),
      );
      old = out.Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw error;
    }
    const before = factsOf(old);
    await follow(seriesId, parsed.email, before, { ...before, sent: { ...before.sent, [parsed.slug]: true } });
  }

  /** The counters as kept, and whether they are (the marker rebuild writes). */
  async function readTallies(seriesId: string): Promise<{ counters: Record<string, number>; ready: boolean }> {
    return talliesOf(await getItem(key.series(seriesId), key.tallySk));
  }

  /** The counters of a TALLY item read already (prepareStudio), or of none. */
  function talliesOf(item: Item | undefined): { counters: Record<string, number>; ready: boolean } {
    const counters: Record<string, number> = {};
    const prefix = key.tallyAttribute('');
    for (const [name, value] of Object.entries(item ?? {})) if (name.startsWith(prefix) && typeof value === 'number') counters[name.slice(prefix.length)] = value;
    return { counters, ready: item?.version === TALLY_VERSION };
  }

  /** The first `limit` people not engaged yet, by name (one Query). */
  async function pageQuiet(seriesId: string, limit: number): Promise<PersonRef[]> {
    const page = await send<{ Items?: Item[] }>(
      new QueryCommand({
        TableName: tableName,
        ConsistentRead: true,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
        ExpressionAttributeValues: { ':pk': key.series(seriesId), ':prefix': 'QUIET#' },
        Limit: limit,
      }),
    );
    return (page.Items ?? []).map((i) => ({ email: String(i.email), name: String(i.name) }));
  }

  /**
   * Every person's facts, the quiet pointers and the counters from the series' records (its
   * participants, current responses and `training#` deliveries). For a series stored before the
   * counters, after a bulk import, or when an operator asks (`baton recount`). Live writes during
   * a rebuild may be lost from the counters; run it again, or when the series is quiet.
   */
  async function rebuild(seriesId: string, records: RecordsForTallies, published?: PublishedSeries): Promise<Record<string, number>> {
    const pk = key.series(seriesId);
    const [participants, responses, deliveries, oldFacts, oldQuiet] = await Promise.all([
      records.listParticipants(seriesId),
      records.listResponses(seriesId),
      records.listDeliveries(seriesId, 'training#'),
      queryPrefix(pk, key.levelsSk('')),
      queryPrefix(pk, 'QUIET#', { ProjectionExpression: '#sk' }),
    ]);
    // Responses and deliveries of trainings no longer in the series count nowhere (computeFunnel reads the series' trainings).
    const slugs = published ? new Set(published.trainings.map((t) => t.slug)) : undefined;
    const known = <T>(slug: string | undefined, x: T) => (slugs === undefined || (slug !== undefined && slugs.has(slug)) ? [x] : []);
    const facts = factsFromRecords({
      participants,
      responses: responses.flatMap((r) => known(r.trainingSlug, r)),
      deliveries: deliveries.flatMap((d) => known(parseTrainingDelivery(d.emailId)?.slug, d)),
    });
    const revs = new Map(oldFacts.map((i) => [emailOf(i), typeof i[REV] === 'number' ? i[REV] : 0] as const));
    const totals: Record<string, number> = {};
    const writes: WriteRequest[] = [];
    const quiet = new Set<string>();
    for (const [email, f] of facts) {
      addTallies(totals, tallyOf(f));
      writes.push({ PutRequest: { Item: itemOf(seriesId, email, f, (revs.get(email) ?? 0) + 1) } });
      if (isQuiet(f)) {
        const sk = quietSk(email, f);
        quiet.add(sk);
        writes.push({ PutRequest: { Item: { [PK]: pk, [SK]: sk, itemType: 'quiet', email, name: f.enrolled!.name } } });
      }
    }
    for (const email of revs.keys()) if (!facts.has(email)) writes.push({ DeleteRequest: { Key: { [PK]: pk, [SK]: key.levelsSk(email) } } });
    for (const i of oldQuiet) if (!quiet.has(String(i[SK]))) writes.push({ DeleteRequest: { Key: { [PK]: pk, [SK]: i[SK] } } });
    await batchWrite(writes);
    const counters = Object.fromEntries(Object.entries(totals).map(([name, n]) => [key.tallyAttribute(name), n]));
    await send(new PutCommand({ TableName: tableName, Item: { [PK]: pk, [SK]: key.tallySk, itemType: 'tally', version: TALLY_VERSION, ...counters } }));
    return totals;
  }

  /** The counters no longer stand for the records (a bulk import): the next publish rebuilds them. */
  async function markStale(seriesIds: Iterable<string>) {
    await batchWrite([...new Set(seriesIds)].map((id) => ({ PutRequest: { Item: { [PK]: key.series(id), [SK]: key.tallySk, itemType: 'tally', stale: true } } })));
  }

  return { change, changeMany, markSent, readTallies, talliesOf, pageQuiet, rebuild, markStale, factsOf };
}
