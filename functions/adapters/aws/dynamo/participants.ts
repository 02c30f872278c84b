// The participants of a series, one item each, under the short key their reply tokens carry (the
// table module says why), and in the email index for "which series is this person in".
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { ParticipantSchema, type Participant } from '#core/model';
import { ParticipantStatusSchema, type ParticipantStatus, type ParticipantStatusPatch, type PreferenceFlag, type StoredParticipant } from '#core/records';
import { participantKey } from '#core/short-key';
import { blockReason, workWeekKey, type AudienceGroup } from '#core/audience';
import type { ParticipantRepository } from '#app/ports';
import { enrolledFacts } from '#core/tallies';
import type { TallyKeeper } from './tallies.ts';
import { foldName, GSI, isConditionFailure, key, KeysSchema, PK, SK, toIso, type Item, type Table, type WriteRequest } from './table.ts';
import { builtOnFirstUse } from '#core/built-on-first-use';

const ParticipantItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { ...ParticipantSchema.shape, ...ParticipantStatusSchema.shape, itemType: z.literal('participant'), seriesId: z.string(), key: z.string() }));

const PeopleItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { itemType: z.literal('people'), participantSk: z.string() }));
/** Bumped when the name / email pointers change shape: every series then rebuilds them once. */
const PEOPLE_VERSION = 1;
const MemberItemSchema = /* @__PURE__ */ builtOnFirstUse(() => z.extend(KeysSchema, { itemType: z.literal('group-member'), email: z.string(), blocked: z.optional(z.boolean()) }));
/** Bumped when the group pointers change shape: every series then rebuilds them once, when next published. */
const GROUP_VERSION = 1;
type Grouped = Pick<StoredParticipant, 'email' | 'timeZone' | 'workStart' | 'workDays' | 'unsubscribedAt' | 'bouncedAt'>;
/** Where someone's schedule-group pointer lives (the group their zone, start and own week put them in). */
const memberKey = (seriesId: string, p: Grouped): Item => ({ [PK]: key.group(seriesId, p.timeZone, p.workDays ? workWeekKey(p.workDays) : ''), [SK]: key.memberSk(p.workStart, p.email) });
const sameKey = (a: Item, b: Item) => a[PK] === b[PK] && a[SK] === b[SK];
/** A member pointer: the address, and whether they can be mailed at all (unsubscribed or bounced cannot). */
const memberItem = (seriesId: string, p: Grouped): Item => ({ ...memberKey(seriesId, p), itemType: 'group-member', email: p.email, ...(blockReason(p) ? { blocked: true } : {}) });
const memberPut = (seriesId: string, p: Grouped): WriteRequest => ({ PutRequest: { Item: memberItem(seriesId, p) } });

export function participantRepository(table: Table, tallies: TallyKeeper): ParticipantRepository & { ensurePeopleIndex(seriesId: string, known?: { marker: Item | undefined }): Promise<boolean> } {
  const { tableName, send, parse, queryPrefix, queryIndexPrefix, getItem, batchGet, batchWrite, strip } = table;

  const toParticipant = (item: Item): StoredParticipant =>
    strip(parse(ParticipantItemSchema, item, 'participant'), 'seriesId') as StoredParticipant;

  async function putParticipants(seriesId: string, participants: Participant[]) {
    const pk = key.series(seriesId);
    const existing = new Map((await queryPrefix(pk, key.participantSk(''))).map((i) => [i[SK], toParticipant(i)]));
    const incoming = new Map<string, Participant>();
    for (const p of participants) {
      const email = p.email.toLowerCase();
      const sk = key.participantSk(participantKey(seriesId, email));
      const other = incoming.get(sk) ?? existing.get(sk);
      if (other && other.email !== email) {
        // 40-bit keys make this about one in ten million for a series of 1,000; refuse rather
        // than let one person's replies land on another.
        throw new Error(
          `Participants ${other.email} and ${email} of series "${seriesId}" share the reply key ` +
            `${participantKey(seriesId, email)}. Enroll one of them under another address.`,
        );
      }
      incoming.set(sk, { ...p, email });
    }
    const writes = [...incoming].map(([sk, p]): WriteRequest => {
      // Re-enrolling must not forget that someone unsubscribed or bounced.
      const before = existing.get(sk);
      const status: ParticipantStatus = before
        ? { unsubscribedAt: before.unsubscribedAt, bouncedAt: before.bouncedAt, outOfOfficeUntil: before.outOfOfficeUntil, preferences: before.preferences, calendarsOffAt: before.calendarsOffAt, pausedUntil: before.pausedUntil, format: before.format, remindersRestedAt: before.remindersRestedAt }
        : {};
      return {
        PutRequest: {
          Item: {
            [PK]: pk,
            [SK]: sk,
            [GSI.partitionKey]: key.emailGsi(p.email),
            [GSI.sortKey]: key.participantGsiSk(seriesId),
            itemType: 'participant',
            seriesId,
            key: participantKey(seriesId, p.email),
            email: p.email,
            name: p.name,
            timeZone: p.timeZone,
            workStart: p.workStart,
            ...(p.workDays ? { workDays: p.workDays } : {}),
            ...(p.calendars === false ? { calendars: false } : {}),
            ...(p.language ? { language: p.language } : {}),
            ...(p.team ? { team: p.team } : {}),
            ...status,
          },
        },
      };
    });
    // The schedule-group pointers: everyone's (idempotent, as the participant item itself is
    // rewritten), and the old group's removed when their zone, start or week changed.
    for (const [sk, p] of incoming) {
      const before = existing.get(sk);
      const stored = { ...p, unsubscribedAt: before?.unsubscribedAt, bouncedAt: before?.bouncedAt };
      if (before && !sameKey(memberKey(seriesId, before), memberKey(seriesId, stored))) writes.push({ DeleteRequest: { Key: memberKey(seriesId, before) } });
      writes.push(memberPut(seriesId, stored));
    }
    // The name and email pointers: a new one per newcomer or changed name, the old name's removed.
    for (const [sk, p] of incoming) {
      const before = existing.get(sk);
      if (before && before.name === p.name) continue;
      if (before) writes.push({ DeleteRequest: { Key: { [PK]: pk, [SK]: namePointerSk(before) } } });
      writes.push(...pointersOf(seriesId, p));
    }
    await batchWrite(writes);
    // The overview's counters: zone, team, name and status of the newcomers and of those that changed.
    const enrolled = new Map(writes.flatMap((w) => ('PutRequest' in w && w.PutRequest.Item.itemType === 'participant' ? [[String(w.PutRequest.Item.email), toParticipant(w.PutRequest.Item)] as const] : [])));
    await tallies.changeMany(seriesId, [...enrolled.keys()], (email, f) => ({ ...f, enrolled: enrolledFacts(enrolled.get(email)!) }));
  }

  const namePointerSk = (p: Pick<Participant, 'name' | 'email'>) => key.peopleSk('name', `${foldName(p.name)}#${p.email}`);
  const pointersOf = (seriesId: string, p: Pick<Participant, 'name' | 'email'>): WriteRequest[] => {
    const participantSk = key.participantSk(participantKey(seriesId, p.email));
    return [namePointerSk(p), key.peopleSk('email', p.email)].map((sk) => ({ PutRequest: { Item: { [PK]: key.series(seriesId), [SK]: sk, itemType: 'people', participantSk } } }));
  };

  // One page of participants by name from `after` (the cursor of the last one shown), or those
  // whose name or email starts with `search` (the first `limit` of them, no paging).
  async function pageParticipants(seriesId: string, options: { limit: number; after?: string; search?: string }) {
    const pk = key.series(seriesId);
    const query = async (prefix: string, after?: string) =>
      send<{ Items?: Item[]; LastEvaluatedKey?: Item }>(
        new QueryCommand({
          TableName: tableName,
          ConsistentRead: true,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
          Limit: options.limit,
          ...(after ? { ExclusiveStartKey: { [PK]: pk, [SK]: key.peopleSk('name', after) } } : {}),
        }),
      );
    const search = options.search?.trim();
    const pages = search
      ? await Promise.all([query(key.peopleSk('name', foldName(search))), query(key.peopleSk('email', search.toLowerCase()))])
      : [await query(key.peopleSk('name', ''), options.after)];
    const pointers = [...new Set(pages.flatMap((p) => (p.Items ?? []).map((i) => parse(PeopleItemSchema, i, 'participant pointer').participantSk)))];
    const found = new Map((await batchGet(pointers.map((sk) => ({ [PK]: pk, [SK]: sk })))).map((i) => [String(i[SK]), toParticipant(i)]));
    const participants = pointers
      .map((sk) => found.get(sk))
      .filter((p): p is StoredParticipant => p !== undefined)
      .sort((a, b) => (foldName(a.name) < foldName(b.name) ? -1 : foldName(a.name) > foldName(b.name) ? 1 : a.email < b.email ? -1 : 1))
      .slice(0, options.limit);
    const last = participants.at(-1);
    const more = !search && pages[0]!.LastEvaluatedKey !== undefined && last;
    return { participants, ...(more ? { after: `${foldName(last.name)}#${last.email}` } : {}) };
  }

  async function countParticipants(seriesId: string) {
    let count = 0;
    let startKey: Item | undefined;
    do {
      const page = await send<{ Count?: number; LastEvaluatedKey?: Item }>(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeNames: { '#pk': PK, '#sk': SK },
          ExpressionAttributeValues: { ':pk': key.series(seriesId), ':prefix': key.peopleSk('email', '') },
          Select: 'COUNT',
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  // Series enrolled before the pointers existed get them once, from the full list (publish asks).
  /** `known`: the PEOPLEREADY item (or its absence) when the caller read it already (prepareStudio). */
  async function ensurePeopleIndex(seriesId: string, known?: { marker: Item | undefined }) {
    const pk = key.series(seriesId);
    if ((known ? known.marker : await getItem(pk, key.peopleReadySk))?.version === PEOPLE_VERSION) return false;
    const everyone = await listParticipants(seriesId);
    await batchWrite(everyone.flatMap((p) => pointersOf(seriesId, p)));
    await send(new PutCommand({ TableName: tableName, Item: { [PK]: pk, [SK]: key.peopleReadySk, itemType: 'people-ready', version: PEOPLE_VERSION } }));
    return true;
  }

  // A series stored before the group pointers gets them once, when it is next published (never on
  // a schedule's fire: until then dispatch reads the participant list, as it did before).
  async function ensureGroupIndex(seriesId: string) {
    const pk = key.series(seriesId);
    if ((await getItem(pk, key.groupReadySk))?.version === GROUP_VERSION) return false;
    const everyone = await listParticipants(seriesId);
    await batchWrite(everyone.map((p) => memberPut(seriesId, p)));
    await send(new PutCommand({ TableName: tableName, Item: { [PK]: pk, [SK]: key.groupReadySk, itemType: 'group-ready', version: GROUP_VERSION } }));
    return true;
  }

  async function listGroupMembers(seriesId: string, group: AudienceGroup) {
    if (!group.timeZone) return undefined;
    if ((await getItem(key.series(seriesId), key.groupReadySk))?.version !== GROUP_VERSION) return undefined;
    const items = await queryPrefix(key.group(seriesId, group.timeZone, group.workDays ?? ''), group.workStart ? key.memberSk(group.workStart, '') : key.membersSk);
    return items
      .map((i) => parse(MemberItemSchema, i, 'group member'))
      .filter((m) => !m.blocked)
      .map((m) => m.email)
      .sort();
  }

  async function listParticipants(seriesId: string) {
    const items = await queryPrefix(key.series(seriesId), key.participantSk(''));
    return items.map(toParticipant).sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  }

  async function getParticipants(seriesId: string, emails: readonly string[]) {
    const wanted = new Set(emails.map((e) => e.toLowerCase()));
    const pk = key.series(seriesId);
    const items = await batchGet([...wanted].map((e) => ({ [PK]: pk, [SK]: key.participantSk(participantKey(seriesId, e)) })));
    // A key shared by two addresses holds only one of them: keep the ones asked for.
    return items
      .map(toParticipant)
      .filter((p) => wanted.has(p.email))
      .sort((a, b) => (a.email < b.email ? -1 : a.email > b.email ? 1 : 0));
  }

  async function findParticipantByKey(seriesId: string, k: string) {
    const item = await getItem(key.series(seriesId), key.participantSk(k.toLowerCase()));
    return item ? toParticipant(item) : undefined;
  }

  async function getParticipant(seriesId: string, email: string) {
    const normalized = email.toLowerCase();
    const found = await findParticipantByKey(seriesId, participantKey(seriesId, normalized));
    return found?.email === normalized ? found : undefined;
  }

  async function setParticipantStatus(seriesId: string, email: string, patch: ParticipantStatusPatch) {
    const normalized = email.toLowerCase();
    const sets: string[] = [];
    const removes: string[] = [];
    const names: Record<string, string> = { '#pk': PK, '#email': 'email' };
    const values: Record<string, unknown> = { ':email': normalized };
    for (const field of ['unsubscribedAt', 'bouncedAt', 'outOfOfficeUntil', 'calendarsOffAt', 'pausedUntil', 'remindersRestedAt', 'format'] as const) {
      const value = patch[field];
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) removes.push(`#${field}`);
      else {
        sets.push(`#${field} = :${field}`);
        values[`:${field}`] = field === 'format' ? value : toIso(value, field);
      }
    }
    const pk = key.series(seriesId);
    const sk = key.participantSk(participantKey(seriesId, normalized));
    if (sets.length === 0 && removes.length === 0) return getParticipant(seriesId, normalized);
    try {
      const out = await send<{ Attributes?: Item }>(
        new UpdateCommand({
          TableName: tableName,
          Key: { [PK]: pk, [SK]: sk },
          UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
            .filter(Boolean)
            .join(' '),
          // Never create a half participant from a status change.
          ConditionExpression: 'attribute_exists(#pk) AND #email = :email',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      const updated = out.Attributes ? toParticipant(out.Attributes) : undefined;
      if (updated && (patch.unsubscribedAt !== undefined || patch.bouncedAt !== undefined)) {
        // Unsubscribing, bouncing (or their undoing) is what the group pointer knows of a status.
        // One PutItem: the functions that unsubscribe and bounce (inbound, links, mail-events) may
        // PutItem, not BatchWriteItem (test/infra/iam.test.ts).
        await send(new PutCommand({ TableName: tableName, Item: memberItem(seriesId, updated) }));
        // They also move the overview's counters (active, the goal, not engaged yet).
        await tallies.change(seriesId, normalized, (f) => ({ ...f, enrolled: enrolledFacts(updated) }));
      }
      return updated;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * One preference on or off, by its own key in the map: `SET preferences.flag` / `REMOVE
   * preferences.flag` touch only that flag, so two concurrent changes to different flags both
   * stand without comparing whole maps (which dynalite cannot do, and which failed every retry).
   * DynamoDB cannot create a map and set one of its keys in one expression: the first opt-out
   * writes the map, conditional on there being none yet; a race with another first one retries.
   */
  async function setPreference(seriesId: string, email: string, flag: PreferenceFlag, on: boolean) {
    const normalized = email.toLowerCase();
    const Key = { [PK]: key.series(seriesId), [SK]: key.participantSk(participantKey(seriesId, normalized)) };
    for (let attempt = 0; attempt < 5; attempt++) {
      const before = await getParticipant(seriesId, normalized);
      if (!before) return undefined;
      // Only opt-outs are kept: turning one back on removes it, and with no map there is none.
      if (on && before.preferences?.[flag] === undefined) return before;
      const hasMap = before.preferences !== undefined;
      const update = on
        ? { UpdateExpression: 'REMOVE #prefs.#flag', ConditionExpression: 'attribute_exists(#pk) AND attribute_exists(#prefs)' }
        : hasMap
          ? { UpdateExpression: 'SET #prefs.#flag = :off', ConditionExpression: 'attribute_exists(#pk) AND attribute_exists(#prefs)' }
          : { UpdateExpression: 'SET #prefs = :prefs', ConditionExpression: 'attribute_exists(#pk) AND attribute_not_exists(#prefs)' };
      try {
        const out = await send<{ Attributes?: Item }>(
          new UpdateCommand({
            TableName: tableName,
            Key,
            ...update,
            // DynamoDB rejects names and values the expressions do not use.
            ExpressionAttributeNames: { '#pk': PK, '#prefs': 'preferences', ...(on || hasMap ? { '#flag': flag } : {}) },
            ...(on ? {} : { ExpressionAttributeValues: hasMap ? { ':off': false } : { ':prefs': { [flag]: false } } }),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return out.Attributes ? toParticipant(out.Attributes) : undefined;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    }
    throw new Error(`the preferences of ${normalized} in series "${seriesId}" kept changing under five attempts to set ${flag}; try again`);
  }

  async function removeParticipant(seriesId: string, email: string) {
    const normalized = email.toLowerCase();
    let removed: StoredParticipant | undefined;
    try {
      const out = await send<{ Attributes?: Item }>(
        new DeleteCommand({
          ReturnValues: 'ALL_OLD',
          TableName: tableName,
          Key: { [PK]: key.series(seriesId), [SK]: key.participantSk(participantKey(seriesId, normalized)) },
          ConditionExpression: '#email = :email',
          ExpressionAttributeNames: { '#email': 'email' },
          ExpressionAttributeValues: { ':email': normalized },
        }),
      );
      removed = out.Attributes ? toParticipant(out.Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    if (removed) {
      await batchWrite([
        ...[namePointerSk(removed), key.peopleSk('email', normalized)].map((sk) => ({ DeleteRequest: { Key: { [PK]: key.series(seriesId), [SK]: sk } } })),
        { DeleteRequest: { Key: memberKey(seriesId, removed) } },
      ]);
      await tallies.change(seriesId, normalized, (f) => {
        const { enrolled: _gone, ...rest } = f;
        return rest;
      });
    }
    return true;
  }

  async function listSeriesOfParticipant(email: string) {
    const items = await queryIndexPrefix(key.emailGsi(email.toLowerCase()), key.participantGsiSk(''));
    return items.map((i) => String(i[GSI.sortKey]).slice(key.participantGsiSk('').length));
  }

  return {
    putParticipants,
    listParticipants,
    getParticipants,
    getParticipant,
    pageParticipants,
    countParticipants,
    ensurePeopleIndex,
    ensureGroupIndex,
    listGroupMembers,
    findParticipantByKey,
    setParticipantStatus,
    setUnsubscribed: (s, e, at) => setParticipantStatus(s, e, { unsubscribedAt: at }),
    setBounced: (s, e, at) => setParticipantStatus(s, e, { bouncedAt: at }),
    setOutOfOffice: (s, e, until) => setParticipantStatus(s, e, { outOfOfficeUntil: until }),
    setPreference,
    removeParticipant,
    listSeriesOfParticipant,
  };
}
