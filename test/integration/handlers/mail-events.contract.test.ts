// mail-events against every SES sending event AWS documents (test/fixtures/aws/ses-events), in
// each envelope an operator may route them through (EventBridge, SNS, SNS into SQS), with a real
// store (dynalite). The fixtures' recipient is recipient@example.com, enrolled in one series.
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSesSendingEvents } from '#adapters/aws/events';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { DEFAULT_LEASE_MS, deliveryTags } from '#app/deliver';
import { createMailEventsHandler } from '#handlers/mail-events';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';
import { awsFixture, captureOutput, metricsIn } from '#test/support/lambda-output';

let db: TestDynalite;
let store: Store;
const RECIPIENT = 'recipient@example.com';

const FIXTURES = readdirSync(new URL('../../fixtures/aws/ses-events', import.meta.url)).filter((f) => f.endsWith('.json')).sort();
/** What each fixture must do to recipient@example.com. */
const EXPECTED: Record<string, 'bounced' | 'unsubscribed' | 'nothing'> = {
  'eventbridge-bounce.json': 'bounced',
  'eventbridge-complaint.json': 'unsubscribed',
  'eventbridge-delivery.json': 'nothing',
  'eventbridge-reject.json': 'nothing',
  'eventbridge-rendering-failure.json': 'nothing',
  // Its tags are the example's custom ones, so it names no delivery (the delivery case is below).
  'eventbridge-send.json': 'nothing',
  'sns-bounce.json': 'bounced',
  'sns-complaint-and-delivery.json': 'unsubscribed',
  'sns-notification-bounce.json': 'bounced',
  'sqs-raw-bounce.json': 'bounced',
  'sqs-sns-complaint.json': 'unsubscribed',
};

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
}, 30_000);
afterAll(() => db?.stop());

// Each fixture starts from a clean recipient: enrolled, not suppressed.
let seriesNo = 0;
let series: string;
beforeEach(async () => {
  series = `contract-${++seriesNo}`;
  await store.putParticipants(series, [{ email: RECIPIENT, name: 'R', timeZone: 'UTC', workStart: '09:00' }]);
});

describe('mail-events and the SES sending events AWS documents', () => {
  it('has an expectation for every fixture', () => {
    expect(FIXTURES).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(FIXTURES)('%s parses into SES records', (name) => {
    const parsed = parseSesSendingEvents(awsFixture(`ses-events/${name}`));
    expect(parsed.error?.issues).toBeUndefined();
    expect(parsed.data!.every((r) => r.mail.messageId === 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000')).toBe(true);
  });

  it.each(FIXTURES)('%s is processed', async (name) => {
    const handle = createMailEventsHandler({ store });
    const { result, error, lines } = await captureOutput(() => handle(awsFixture(`ses-events/${name}`)));
    expect(error).toBeUndefined();
    const participant = await store.getParticipant(series, RECIPIENT);
    const expected = EXPECTED[name]!;
    if (expected === 'nothing') {
      expect(result).toMatchObject({ suppressed: [], marked: [], ignored: expect.stringMatching(/(Delivery|Reject|Rendering Failure) event|Send event of a message that is not a delivery/) });
      expect(participant?.bouncedAt ?? participant?.unsubscribedAt).toBeUndefined();
      expect(metricsIn(lines).values).toEqual({});
    } else {
      expect(result?.suppressed).toEqual([RECIPIENT]);
      expect(result?.marked).toContain(`${series}:${RECIPIENT}`);
      expect(await store.isSuppressed(RECIPIENT)).toBe(true);
      expect(participant?.[expected === 'bounced' ? 'bouncedAt' : 'unsubscribedAt']).toBe('2017-08-05T00:41:02.669Z');
      expect(metricsIn(lines).values).toEqual({ AddressesSuppressed: 1 });
    }
    // One log line per SES record, with ids and counts, never the address.
    const logged = lines.filter((l) => l.message === 'mail event');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]).toMatchObject({ function: 'mail-events', sesMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000' });
    expect(JSON.stringify(logged)).not.toContain(RECIPIENT);
  });
});

describe('a truly malformed sending event', () => {
  const eventBridge = () => awsFixture<{ detail: Record<string, unknown> & { bounce: Record<string, unknown> } }>('ses-events/eventbridge-bounce.json');
  const MALFORMED: Array<[string, unknown, RegExp]> = [
    ['an S3 event on the bus', { source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }, /source/],
    ['a record without a type', (() => { const e = eventBridge(); delete e.detail.eventType; return e; })(), /eventType/],
    ['a bounce without recipients', (() => { const e = eventBridge(); delete e.detail.bounce.bouncedRecipients; return e; })(), /bouncedRecipients/],
    ['an SNS message that is not JSON', (() => { const e = awsFixture<{ Records: Array<{ Sns: { Message: string } }> }>('ses-events/sns-bounce.json'); e.Records[0]!.Sns.Message = 'Bounce!'; return e; })(), /Message: is not JSON/],
    ['an SQS body that is neither SNS nor SES', (() => { const e = awsFixture<{ Records: Array<{ body: string }> }>('ses-events/sqs-raw-bounce.json'); e.Records[0]!.body = '{"hello":"world"}'; return e; })(), /body/],
  ];

  it.each(MALFORMED)('%s throws (so EventBridge, SNS or SQS retries and dead-letters it), logged and counted', async (_, event, where) => {
    const { error, lines } = await captureOutput(() => createMailEventsHandler({ store })(event));
    expect(String(error)).toMatch(/not an SES sending event/);
    expect(String(error)).toMatch(where);
    expect(lines.find((l) => l.dropReason)).toMatchObject({ level: 'ERROR', function: 'mail-events', dropReason: 'not an SES sending event' });
    expect(metricsIn(lines)).toEqual({ values: { DroppedEvents: 1 }, dimensionSets: [[['function']]], namespaces: ['Baton'] });
  });
});

describe("the documented Send record with a delivery's tags", () => {
  it('records the claimed delivery as sent, with the id and time SES gave it', async () => {
    const [seriesId, emailId] = [series, `kickoff#-#${RECIPIENT}`];
    await store.claimDelivery(seriesId, emailId, { now: new Date('2016-10-14T05:02:00Z'), leaseMs: DEFAULT_LEASE_MS });
    const event = awsFixture<{ detail: { mail: { tags: Record<string, string[]> } } }>('ses-events/eventbridge-send.json');
    // Only values change: the example's custom tags become Baton's, in SES's `{ name: [value] }` shape.
    const { myCustomTag1: _1, myCustomTag2: _2, ...sesTags } = event.detail.mail.tags;
    event.detail.mail.tags = { ...sesTags, ...Object.fromEntries(Object.entries(deliveryTags(seriesId, emailId)).map(([k, v]) => [k, [v]])) };

    const { result, error } = await captureOutput(() => createMailEventsHandler({ store })(event));
    expect(error).toBeUndefined();
    expect(result).toEqual({ suppressed: [], marked: [], accepted: [`${seriesId}:${emailId}`] });
    expect(await store.listDeliveries(seriesId)).toMatchObject([
      { emailId, status: 'sent', sesMessageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000', sentAt: '2016-10-14T05:02:16.645Z' },
    ]);
  });
});
