// SES bounce and complaint events, as EventBridge delivers them, against a real store (dynalite).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '#adapters/aws/dynamo';
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
