// Sending for real: the example series published into dynalite, kickoff and training jobs
// dispatched through the real SESv2 client into aws-ses-v2-local, and what arrived read back from
// its /store (parts, calendar, links) and from the raw copies (headers).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser, type ParsedMail } from 'mailparser';
import ICAL from 'ical.js';
import type { Store } from '#adapters/aws/dynamo';
import { dispatch, type DispatchDeps } from '#app/run-job';
import { verifyLinkToken, verifyReplyToken, tokenFromAddress } from '#core/tokens';
import { participantKey, seriesKey } from '#core/short-key';
import { startSendingStack, type SendingStack, type StoredMail } from '#test/support/sending-stack';

// Reply tokens expire (series end + grace); these emails are read back while the series runs.
const NOW_FOR_TOKENS = new Date('2027-02-01T00:00:00Z');

const SECRET = 'test-secret-for-dispatch';
let sending: SendingStack;
let store: Store;
let deps: DispatchDeps;
let now = new Date('2027-01-21T00:00:00Z');
const sesStore = () => sending.sesStore();
const rawText = (mail: StoredMail) => sending.rawText(mail);
const rawOf = (mail: StoredMail): Promise<ParsedMail> => simpleParser(rawText(mail));

beforeAll(async () => {
  sending = await startSendingStack({ secret: SECRET, prefix: 'baton-send-' });
  store = sending.store;
  deps = sending.deps(() => now);
});

afterAll(() => sending?.stop());

describe('dispatching a training to one time-zone group', () => {
  it('sends each participant of the group one complete message', async () => {
    // Nurul works Monday to Thursday and Saturday (participants.csv): her week is its own send group.
    const report = await dispatch(
      { kind: 'training', seriesId: 'q1-productivity', trainingSlug: 'productive-one-on-ones', timeZone: 'Asia/Brunei', workDays: 'mon,tue,wed,thu,sat' },
      deps,
    );
    expect(report.failed).toEqual([]);
    expect(report.sent).toEqual(["training#productive-one-on-ones#nurul.hakim@example.com"]);
    const mails = await sesStore();
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.destination.to).toEqual(['"Nurul Hakim" <nurul.hakim@example.com>']);
    expect(mail.from).toBe('"Maya Okafor via Baton" <training@baton.example.com>');
    expect(mail.subject).toContain('A productive 1:1 sync with your manager');

    // Reply-To is the participant's signed address, and it resolves back to them.
    const token = tokenFromAddress(mail.replyTo[0]!.replace(/^.*<|>.*$/g, ''), 'reply.baton.example.com');
    const claims = verifyReplyToken(token!, SECRET, NOW_FOR_TOKENS);
    expect(claims).toEqual({
      seriesKey: seriesKey('q1-productivity'),
      trainingOrder: 1,
      participantKey: participantKey('q1-productivity', 'nurul.hakim@example.com'),
      // The last training closes 2027-03-14 (the whole day); three follow-up weeks and 60 days' grace later.
      expiresAt: new Date('2027-06-04T00:00:00Z'),
      // The address says which email it answers, so a reply is read in that context.
      answers: 'training',
    });

    // The HTML carries the read link (verifiable), the mailtos and the deadline in Brunei time.
    const html = mail.body.html!;
    const readHref = html.match(/href="(https:\/\/links\.baton\.example\.com\/l\/[^"]+)"[^>]*>\s*Mark as read/)?.[1];
    expect(readHref).toBeDefined();
    const read = verifyLinkToken(readHref!.split('/l/')[1]!, SECRET, now);
    expect(read).toMatchObject({ action: 'read', seriesId: 'q1-productivity', trainingSlug: 'productive-one-on-ones', participantEmail: 'nurul.hakim@example.com' });
    expect(html).toMatch(/mailto:reply\+[a-z2-7]+@reply\.baton\.example\.com\?subject=Adopt%20%231/);
    expect(html).toContain('Brunei');
    expect(mail.body.text).toContain('Adopt #1');

    // Headers from the raw message: threading, list headers, auto-reply suppression.
    const raw = await rawOf(mail);
    expect(raw.messageId).toMatch(/^<training\.q1-productivity\.productive-one-on-ones\.[a-z2-7]+@baton\.example\.com>$/);
    expect(raw.references).toContain('<thread.q1-productivity.productive-one-on-ones@baton.example.com>');
    const head = rawText(mail).split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
    expect(head).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/m);
    const unsubscribe = head.match(/^List-Unsubscribe: <(https:[^>]+)>/m)?.[1];
    expect(verifyLinkToken(unsubscribe!.split('/l/')[1]!, SECRET, now)).toMatchObject({ action: 'unsubscribe', participantEmail: 'nurul.hakim@example.com' });
    expect(head).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(head).toMatch(/^X-Auto-Response-Suppress: All$/m);
    expect(head).toMatch(/^Content-Type: multipart\/mixed/m);
    expect(rawText(mail)).toMatch(/Content-Type: text\/calendar; ?charset=UTF-8; ?method=REQUEST|Content-Type: text\/calendar; ?method=REQUEST/);

    // The calendar: the window as all-day dates and the focus hold at 08:30 Brunei (00:30 UTC) on
    // Thursday 21 January, the window's first working day.
    const ics = raw.attachments.find((a) => a.filename === 'invite.ics');
    expect(ics).toBeDefined();
    // One calendar object per file: the invitation is the window; the focus hold is published beside it.
    const cal = new ICAL.Component(ICAL.parse(ics!.content.toString('utf8')));
    expect(cal.getFirstPropertyValue('method')).toBe('REQUEST');
    const events = cal.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
    expect(events).toHaveLength(1);
    const window = events[0]!;
    expect(window.uid).toMatch(/\.window@baton\.example\.com$/);
    expect(window.startDate.toString()).toBe('2027-01-21');
    expect(window.endDate.toString()).toBe('2027-02-01');
    const held = new ICAL.Component(ICAL.parse(raw.attachments.find((a) => a.filename === 'focus.ics')!.content.toString('utf8')));
    expect(held.getFirstPropertyValue('method')).toBe('PUBLISH');
    const focus = held.getAllSubcomponents('vevent').map((e) => new ICAL.Event(e));
    expect(focus).toHaveLength(1);
    expect(focus[0]!.uid).toContain('.focus.');
    expect(focus[0]!.startDate.toJSDate().toISOString()).toBe('2027-01-21T00:30:00.000Z');
    expect(head).toMatch(/^Precedence: bulk$/m);
  });

  it('sends nothing twice when the same job fires again', async () => {
    const again = await dispatch(
      { kind: 'training', seriesId: 'q1-productivity', trainingSlug: 'productive-one-on-ones', timeZone: 'Asia/Brunei', workDays: 'mon,tue,wed,thu,sat' },
      deps,
    );
    expect(again.sent).toEqual([]);
    expect(again.alreadySent).toHaveLength(1);
    expect(await sesStore()).toHaveLength(1);
  });

  it('skips unsubscribed and suppressed addresses', async () => {
    await store.setUnsubscribed('q1-productivity', 'ana.reyes@example.com', now);
    await store.suppress('marcus.lee@example.com', 'bounce', now);
    const report = await dispatch({ kind: 'kickoff', seriesId: 'q1-productivity' }, deps);
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { emailId: 'kickoff#-#ana.reyes@example.com', reason: 'unsubscribed' },
        { emailId: 'kickoff#-#marcus.lee@example.com', reason: 'suppressed' },
      ]),
    );
    expect(report.sent).toHaveLength(10);
    const kickoffs = (await sesStore()).filter((m) => m.body.text?.includes('Welcome to'));
    expect(kickoffs.map((m) => m.destination.to[0]).join()).not.toContain('ana.reyes@example.com');
    expect(kickoffs).toHaveLength(10);
  });
});

describe('a fan-out killed halfway', () => {
  it('ends, after re-runs, with every participant holding exactly one email', async () => {
    const job = { kind: 'training', seriesId: 'q1-productivity', trainingSlug: 'company-communications' } as const;
    // The "process" dies right after its 6th claim: that claim is held, nothing after it runs.
    let claims = 0;
    const dying: DispatchDeps = {
      ...deps,
      leaseMs: 60_000,
      store: new Proxy(store, {
        get(target, prop, receiver) {
          if (prop === 'claimDelivery') {
            return async (...args: Parameters<Store['claimDelivery']>) => {
              const result = await target.claimDelivery(...args);
              if (++claims === 6) throw new Error('killed');
              return result;
            };
          }
          return Reflect.get(target, prop, receiver);
        },
      }),
    };
    await expect(dispatch(job, dying)).rejects.toThrow('killed');
    const count = async () => (await sesStore()).filter((m) => m.subject.includes('Keeping up with company communications')).length;
    expect(await count()).toBe(5);

    // The scheduler retries at once: the held claim is in flight, everyone else is sent.
    const retry = await dispatch(job, deps);
    expect(retry.inFlight).toHaveLength(1);
    expect(await count()).toBe(9); // 12 minus the unsubscribed, the suppressed, the one in flight

    // After the lease, the next retry takes the dead claim over and sends it.
    now = new Date(now.getTime() + 11 * 60_000);
    const late = await dispatch(job, deps);
    expect(late.sent).toHaveLength(1);
    expect(await count()).toBe(10);

    const perPerson = new Map<string, number>();
    for (const m of (await sesStore()).filter((x) => x.subject.includes('Keeping up with company communications'))) {
      perPerson.set(m.destination.to[0]!, (perPerson.get(m.destination.to[0]!) ?? 0) + 1);
    }
    expect([...perPerson.values()].every((n) => n === 1)).toBe(true);
    expect(perPerson.size).toBe(10);
  });
});
