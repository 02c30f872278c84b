// The store: Baton's one table behind every repository port the use cases define (app/ports.ts),
// composed from one module per aggregate. table.ts knows the keys and indexes and lists the
// access patterns; each aggregate module builds and parses its own items.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type {
  CalendarRepository,
  DeliveryRepository,
  DeliveryScreen,
  InboundLog,
  NeedsLookRepository,
  ParticipantRepository,
  Quotas,
  ResponseRepository,
  SignInNonces,
  ScheduleRepository,
  SeriesRepository,
  StudioEditRepository,
  SuppressionList,
  StudioIndexes,
  TemplateRepository,
} from '#app/ports';
import { calendarRepository } from './calendars.ts';
import type { RequestCounts } from './client.ts';
import { inboundLog } from './inbound.ts';
import { needsLookRepository } from './needs-look.ts';
import { deliveryKeys, deliveryLedger, sentIn } from './ledger.ts';
import { participantRepository } from './participants.ts';
import { quotas } from './quotas.ts';
import { responseRepository } from './responses.ts';
import { scheduleRepository } from './schedules.ts';
import { seriesRepository } from './series.ts';
import { signInNonces } from './sign-in.ts';
import { studioEditRepository } from './studio-edits.ts';
import { suppressedIn, suppressionKeys, suppressionList } from './suppression.ts';
import { key, openTable, PK, SK } from './table.ts';
import { tallyKeeper, TALLY_VERSION } from './tallies.ts';
import { sendPaceSlots, type SendPaceSlots } from './pace.ts';
import { templateRepository } from './templates.ts';

export interface Store
  extends SeriesRepository,
    TemplateRepository,
    ParticipantRepository,
    SuppressionList,
    ResponseRepository,
    DeliveryRepository,
    DeliveryScreen,
    InboundLog,
    Quotas,
    ScheduleRepository,
    CalendarRepository,
    NeedsLookRepository,
    SignInNonces,
    StudioEditRepository,
    StudioIndexes,
    SendPaceSlots {
  readonly tableName: string;
  /** Requests sent to DynamoDB by this store, in total and by operation (Query, GetItem, BatchWriteItem, …). */
  readonly requests: RequestCounts;
}

export function createStore(options: {
  client: DynamoDBClient;
  tableName: string;
  /** Called before every request with its operation name (Query, PutItem, …). */
  onRequest?: (operation: string) => void;
}): Store {
  const table = openTable(options);
  const tallies = tallyKeeper(table);
  const series = seriesRepository(table);
  const participants = participantRepository(table, tallies);
  const responses = responseRepository(table, tallies);
  const ledger = deliveryLedger(table, tallies);
  const records = { listParticipants: participants.listParticipants, listResponses: (id: string) => responses.listResponses(id), listDeliveries: ledger.listDeliveries };
  const recount = async (seriesId: string) => {
    await tallies.rebuild(seriesId, records, await series.getSeries(seriesId));
  };
  return {
    tableName: table.tableName,
    requests: table.requests,
    ...series,
    ...templateRepository(table),
    ...participants,
    ...suppressionList(table),
    ...responses,
    ...ledger,
    // A batch's two checks before it sends, in one BatchGet (of 100 keys): the ledger's items are
    // in the series' partition, the suppression list's each in its own.
    async screenDeliveries(seriesId, emailIds, emails) {
      const items = await table.batchGet([...deliveryKeys(seriesId, emailIds), ...suppressionKeys(emails)]);
      const series = key.series(seriesId);
      return { sent: sentIn(table, items.filter((i) => i[PK] === series)), suppressed: suppressedIn(table, items.filter((i) => i[PK] !== series)) };
    },
    readTallies: tallies.readTallies,
    pageQuiet: tallies.pageQuiet,
    recount,
    // Publish readies what the studio's pages read, so no page ever backfills. Every publish reads
    // the three markers (the feed's, the people pointers', the counters' item): one BatchGet, not
    // three GetItems. Backfilling the pointers never touches the counters' item, so it may be read first.
    async prepareStudio(seriesId, options = {}) {
      const pk = key.series(seriesId);
      const markers = new Map((await table.batchGet([key.feedReadySk, key.peopleReadySk, key.tallySk].map((sk) => ({ [PK]: pk, [SK]: sk })))).map((i) => [i[SK], i]));
      const feed = await responses.ensureFeed(seriesId, { marker: markers.get(key.feedReadySk) });
      const people = await participants.ensurePeopleIndex(seriesId, { marker: markers.get(key.peopleReadySk) });
      const stale = options.recount || !tallies.talliesOf(markers.get(key.tallySk)).ready;
      if (stale) await recount(seriesId);
      return { feed, people, tallies: stale };
    },
    ...inboundLog(table),
    ...quotas(table),
    ...scheduleRepository(table),
    ...calendarRepository(table),
    ...needsLookRepository(table),
    ...signInNonces(table),
    ...studioEditRepository(table),
    ...sendPaceSlots(table),
  };
}

export { createDynamoClient, type RequestCounts } from './client.ts';
export { MalformedItemError } from './table.ts';
export { TALLY_VERSION };
export type { SendPaceSlots, SlotAnswer } from './pace.ts';
