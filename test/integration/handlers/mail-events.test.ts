// SES send, bounce and complaint events, as EventBridge delivers them, against a real store (dynalite).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { DEFAULT_LEASE_MS, deliver, deliveryTags, type BuiltMail } from '#app/deliver';
import { bareAddress, createMailEventsHandler } from '#handlers/mail-events';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

let db: TestDynalite;
let store: Store;
let handle: ReturnType<typeof createMailEventsHandler>;

function event(detailType: string, detail: Record<string, unknown>) {
  return {
    version: '0',
    id: 'e1',
    'detail-type': detailType,
    source: 'aws.ses',
    account: '123456789012',
    time: '2027-02-01T10:00:05Z',
    region: 'eu-west-1',
    resources: ['arn:aws:ses:eu-west-1:123456789012:configuration-set/baton'],
    detail: { mail: { messageId: '0102-abc', timestamp: '2027-02-01T10:00:00Z', source: 'training@baton.example.com' }, ...detail },
  };
}

const bounce = (bounceType: string, ...emails: string[]) =>
  event('Email Bounced', {
    eventType: 'Bounce',
    bounce: { bounceType, bounceSubType: 'General', bouncedRecipients: emails.map((emailAddress) => ({ emailAddress })), timestamp: '2027-02-01T10:00:04.000Z' },
  });

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  // Enrolment is what the handler looks up; the series records themselves are not needed.
  for (const id of ['alpha', 'beta']) {
    await store.putParticipants(id, [
      { email: 'gone@example.com', name: 'Gone', timeZone: 'UTC', workStart: '09:00' },
      { email: 'angry@example.com', name: 'Angry', timeZone: 'UTC', workStart: '09:00' },
      { email: 'full@example.com', name: 'Full', timeZone: 'UTC', workStart: '09:00' },
    ]);
  }
  handle = createMailEventsHandler({ store });
}, 30_000);
afterAll(() => db?.stop());

describe('mail-events', () => {
  it('suppresses a permanently bounced address and marks it bounced in every series it is in', async () => {
    const result = await handle(bounce('Permanent', 'Gone <GONE@example.com>'));
    expect(result).toEqual({ suppressed: ['gone@example.com'], marked: ['alpha:gone@example.com', 'beta:gone@example.com'] });
    expect(await store.getSuppression('gone@example.com')).toEqual({ email: 'gone@example.com', reason: 'bounce: Permanent/General', at: '2027-02-01T10:00:04.000Z' });
    for (const id of ['alpha', 'beta']) {
      expect((await store.getParticipant(id, 'gone@example.com'))?.bouncedAt).toBe('2027-02-01T10:00:04.000Z');
    }
  });

  it('leaves a transient bounce alone', async () => {
    const result = await handle(bounce('Transient', 'full@example.com'));
    expect(result).toEqual({ suppressed: [], marked: [], ignored: 'Transient bounce' });
    expect(await store.isSuppressed('full@example.com')).toBe(false);
    expect((await store.getParticipant('alpha', 'full@example.com'))?.bouncedAt).toBeUndefined();
  });

  it('suppresses a complaining address and unsubscribes it, without calling it bounced', async () => {
    await handle(
      event('Email Complaint Received', {
        eventType: 'Complaint',
        complaint: { complainedRecipients: [{ emailAddress: 'angry@example.com' }], timestamp: '2027-02-01T11:00:00Z', complaintFeedbackType: 'abuse' },
      }),
    );
    expect((await store.getSuppression('angry@example.com'))?.reason).toBe('complaint: abuse');
    const p = await store.getParticipant('beta', 'angry@example.com');
    expect(p?.unsubscribedAt).toBe('2027-02-01T11:00:00.000Z');
    expect(p?.bouncedAt).toBeUndefined();
  });

  it('suppresses an address that is in no series too', async () => {
    expect(await handle(bounce('Permanent', 'stranger@example.com'))).toEqual({ suppressed: ['stranger@example.com'], marked: [] });
    expect(await store.isSuppressed('stranger@example.com')).toBe(true);
  });

  it('rejects an event that is not an SES sending event, pointing at the rule', async () => {
    await expect(handle({ source: 'aws.s3', detail: {} })).rejects.toThrow(/not an SES sending event[\s\S]*source[\s\S]*EventBridge rule/);
  });

  it('takes the bare address out of a display-name form', () => {
    expect(bareAddress('"Ana, R." <Ana@Example.com>')).toBe('ana@example.com');
    expect(bareAddress(' bo@example.com ')).toBe('bo@example.com');
  });
});

// The AWS half of crash safety. A sender that dies after SES accepted its message and before its
// own completion write leaves the delivery `claimed`; once the lease runs out, the next run takes
// the claim over. Without SES's Send event that run sends the email a second time.
describe('mail-events and the Send event', () => {
  const t0 = new Date('2027-02-01T10:00:00Z');
  const afterLease = new Date(t0.getTime() + DEFAULT_LEASE_MS + 1);
  /** An "Email Sent" event whose mail carries `tags` as SES documents them: `{ name: [value] }`. */
  const sendEvent = (tags: Record<string, string>, messageId: string) => {
    const e = event('Email Sent', { eventType: 'Send', send: {} });
    const tagLists = Object.fromEntries(Object.entries(tags).map(([name, value]) => [name, [value]]));
    return { ...e, detail: { ...e.detail, mail: { ...e.detail.mail, messageId, tags: { 'ses:configuration-set': ['baton'], ...tagLists } } } };
  };
  const outgoing = (emailId: string, to: string) => [
    { emailId, to, build: () => ({ from: 'training@baton.example.com', to, raw: `To: ${to}\r\n\r\nhello` }) },
  ];
  const run = (seriesId: string, emailId: string, to: string, mails: BuiltMail[], now: Date, send?: (m: BuiltMail) => Promise<string>) =>
    deliver(seriesId, outgoing(emailId, to), {
      ledger: store,
      send: send ?? (async (m) => (mails.push(m), `ses-${mails.length}`)),
      suppressedAmong: async () => new Set(),
      now: () => now,
    });

  it('records the delivery its tags name as sent, so the run that takes the claim over sends nothing', async () => {
    const mails: BuiltMail[] = [];
    const [series, emailId, to] = ['crash-send', 'kickoff#-#ana@example.com', 'ana@example.com'];
    // The first run: SES accepts the message, and the process dies before it hears back, so the
    // claim is neither completed nor released (a send that never returns is exactly that).
    let accepted: BuiltMail | undefined;
    void run(series, emailId, to, mails, t0, async (m) => {
      accepted = m;
      return new Promise<string>(() => {});
    });
    await vi.waitFor(() => expect(accepted).toBeDefined());
    expect(accepted!.tags).toEqual(deliveryTags(series, emailId));
    expect(await store.listDeliveries(series)).toMatchObject([{ emailId, status: 'claimed' }]);

    const result = await handle(sendEvent(accepted!.tags!, '0102-accepted'));
    expect(result).toEqual({ suppressed: [], marked: [], accepted: [`${series}:${emailId}`] });
    expect(await store.listDeliveries(series)).toMatchObject([{ emailId, status: 'sent', sesMessageId: '0102-accepted' }]);
    // EventBridge delivers at least once: the same event again changes nothing.
    expect(await handle(sendEvent(accepted!.tags!, '0102-accepted'))).toMatchObject({ ignored: 'Send event of a delivery already recorded as sent' });

    // The takeover, after the lease: already sent, nothing goes out again.
    const report = await run(series, emailId, to, mails, afterLease);
    expect(report).toMatchObject({ sent: [], alreadySent: [emailId] });
    expect(mails).toEqual([]);
  });

  it('sends twice without it: the control that shows the test above can fail', async () => {
    const mails: BuiltMail[] = [];
    const [series, emailId, to] = ['crash-no-event', 'kickoff#-#bo@example.com', 'bo@example.com'];
    await store.claimDelivery(series, emailId, { now: t0, leaseMs: DEFAULT_LEASE_MS });
    const report = await run(series, emailId, to, mails, afterLease);
    expect(report.sent).toEqual([emailId]);
    expect(mails).toHaveLength(1);
  });

  it('changes nothing when the sender recorded the delivery first', async () => {
    const mails: BuiltMail[] = [];
    const [series, emailId, to] = ['crash-sender-first', 'kickoff#-#cy@example.com', 'cy@example.com'];
    await run(series, emailId, to, mails, t0);
    expect(await handle(sendEvent(mails[0]!.tags!, 'ses-1'))).toEqual({
      suppressed: [],
      marked: [],
      ignored: 'Send event of a delivery already recorded as sent',
    });
    expect(await store.listDeliveries(series)).toMatchObject([{ emailId, status: 'sent', sesMessageId: 'ses-1' }]);
  });

  it('leaves mail without delivery tags alone (acknowledgements, bounce-backs)', async () => {
    expect(await handle(sendEvent({}, '0102-ack'))).toEqual({ suppressed: [], marked: [], ignored: 'Send event of a message that is not a delivery' });
  });
});
