// The correction loop of issue 14 on the AWS path: every reply enters through the inbound Lambda
// handler (functions/handlers/inbound.ts) as the SES receipt event AWS documents
// (test/fixtures/aws/ses-receipt/dmarc-pass.json, values replaced), with the raw mail in the mail
// store under the key the receipt rule's S3 action uses; the table is dynalite, every mail Baton
// sends back goes through the real SESv2 client into aws-ses-v2-local and is read from its /store;
// every click enters through the links Lambda handler (functions/handlers/links.ts) as the function
// URL request AWS documents (test/fixtures/aws/function-url). The digest and the reminder are
// dispatched by the planners that run on AWS.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '#adapters/aws/dynamo';
import { LocalMailStore } from '#adapters/local/mail-store';
import { dispatch, type DispatchDeps } from '#app/run-job';
import type { Strategy } from '#core/model';
import { wants } from '#core/audience';
import { tokenFromAddress, verifyReplyToken } from '#core/tokens';
import { createInboundHandler, type InboundResult } from '#handlers/inbound';
import { createLinksHandler } from '#handlers/links';
import { awsFixture } from '#test/support/lambda-output';
import { sesReceiptEvent } from '#test/support/ses-receipt';
import { linksIn, section } from '#test/support/mail-text';
import { startSendingStack, TEST_INBOUND, type SendingStack, type StoredMail } from '#test/support/sending-stack';

const SECRET = 'test-secret-for-the-aws-correction-loop';
const SERIES = 'q1-productivity';
const TRAINING = 'productive-one-on-ones';
let now = new Date('2027-01-22T10:00:00Z');

let sending: SendingStack;
let store: Store;
let deps: DispatchDeps;
let strategies: Strategy[];
const mailDir = mkdtempSync(join(tmpdir(), 'baton-handler-loop-'));
const mailStore = new LocalMailStore(mailDir);
/** The training email each participant got, as SES stored it. */
const trainingMail = new Map<string, StoredMail>();

const bare = (a: string) => a.replace(/^.*<|>.*$/g, '');
const mailTo = async (email: string, subject: RegExp) =>
  (await sending.sesStore()).filter((m) => m.destination.to.some((t) => bare(t) === email) && subject.test(m.subject));

const inbound = () =>
  createInboundHandler({
    mailStore,
    rawKey: (id) => `inbound/${id}`,
    secrets: async () => SECRET,
    config: (secrets) => ({ settings: { ...deps.settings, secrets } }),
    core: { store, send: deps.send, log: () => {} },
    now: () => now,
  });
const links = () => createLinksHandler({ store, secrets: async () => SECRET, now: () => now });

let seq = 0;
interface Sent {
  sesMessageId: string;
  result: InboundResult;
}
/** A reply as the participant's client sends it: stored by the receipt rule, then the handler invoked. */
async function reply(from: string, to: string, subject: string, text: string): Promise<Sent> {
  const sesMessageId = `ses-loop-${++seq}`;
  const raw =
    `From: ${from}\r\nTo: ${to}\r\nSubject: ${subject}\r\nMessage-ID: <loop-${seq}@mail.example.com>\r\n` +
    `Date: ${now.toUTCString()}\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`;
  await mailStore.putRaw(`inbound/${sesMessageId}`, Buffer.from(raw));
  const result = await inbound()(sesReceiptEvent({ messageId: sesMessageId, to, source: from, from, subject, at: now }));
  return { sesMessageId, result };
}
const statusOf = (s: Sent) => s.result.outcomes[0]?.status;
const answerTraining = (email: string, text: string) => reply(email, trainingMail.get(email)!.replyTo[0]!, `Re: ${trainingMail.get(email)!.subject}`, text);
const answerMail = (email: string, mail: StoredMail, text: string) => reply(email, bare(mail.replyTo[0]!), `Re: ${mail.subject}`, text);
/** Lambda's retry of an event already handled: the same receipt event again. */
const redeliver = (s: Sent, email: string, to: string, subject: string) =>
  inbound()(sesReceiptEvent({ messageId: s.sesMessageId, to, source: email, from: email, subject, at: now }));

/** A click on a link from a mail: the function URL request AWS documents, with the link's token. */
async function click(url: string, method: 'GET' | 'POST') {
  const token = url.split('/l/')[1]!;
  const event = JSON.parse(JSON.stringify(awsFixture(method === 'GET' ? 'function-url/get-link.json' : 'function-url/post-one-click.json')).replaceAll('/l/TOKEN', `/l/${token}`)) as Record<string, unknown>;
  if (method === 'POST') event.body = 'confirm=yes';
  const res = await links()(event);
  return { status: res.statusCode, h1: res.body.match(/<h1>(.*?)<\/h1>/)?.[1] ?? '', body: res.body };
}

const digests = async () => (await sending.sesStore()).filter((m) => m.body.text?.includes('Trainer digest, week of'));
const current = (email: string) => store.listResponsesByParticipant(SERIES, email);
const stored = async (email: string) => (await store.listResponses(SERIES)).filter((r) => r.participantEmail === email).map((r) => [r.intent, r.strategyId]);

beforeAll(async () => {
  sending = await startSendingStack({ secret: SECRET, prefix: 'baton-handler-loop-' });
  store = sending.store;
  deps = sending.deps(() => now);
  strategies = (await store.getSeries(SERIES))!.trainings.find((t) => t.slug === TRAINING)!.strategies;
  const report = await dispatch({ kind: 'training', seriesId: SERIES, trainingSlug: TRAINING }, { ...deps, now: () => new Date('2027-01-21T00:00:00Z') });
  expect(report.failed).toEqual([]);
  for (const m of await sending.sesStore()) trainingMail.set(bare(m.destination.to[0]!), m);
}, 60_000);

afterAll(async () => {
  await sending?.stop();
  rmSync(mailDir, { recursive: true, force: true });
});

describe('a reply to the acknowledgement, through the inbound handler', () => {
  const email = 'chloe.nguyen@example.com';

  it('"I meant #1, not #2" replaces the adoption instead of adding one, and the ack says so', async () => {
    expect(statusOf(await answerTraining(email, 'I will adopt #2 next week.'))).toBe('stored');
    expect(await stored(email)).toEqual([['adopt', strategies[1]!.id]]);
    const [ack] = await mailTo(email, /^Re:/);
    expect(ack?.body.text).toContain('Recorded: you will adopt #2');
    // The ack's reply address names what it acknowledges.
    const token = verifyReplyToken(tokenFromAddress(bare(ack!.replyTo[0]!), TEST_INBOUND)!, SECRET, now);
    expect(token).toMatchObject({ answers: 'ack', target: { kind: 'ack' } });

    now = new Date(now.getTime() + 60_000);
    const correction = await answerMail(email, ack!, 'I meant #1, not #2.');
    expect(statusOf(correction)).toBe('stored');
    expect(await stored(email)).toEqual([['adopt', strategies[0]!.id]]);
    const acks = await mailTo(email, /^Re:/);
    expect(acks).toHaveLength(2);
    expect(acks[1]!.body.text).toContain('This replaces what we recorded before');
    expect(acks[1]!.body.text).toContain('Recorded: you will adopt #1');

    // Lambda retries the correction's event: nothing stored twice, no second ack.
    const again = await redeliver(correction, email, bare(ack!.replyTo[0]!), `Re: ${ack!.subject}`);
    expect(again.outcomes[0]?.status).toBe('duplicate');
    expect(await stored(email)).toEqual([['adopt', strategies[0]!.id]]);
    expect(await mailTo(email, /^Re:/)).toHaveLength(2);
  });
});

describe('the ack\'s correction links, through the links handler', () => {
  const email = 'nurul.hakim@example.com';
  let ack: StoredMail;

  it('"adopt #1" instead: GET changes nothing, POST replaces the record, a second POST adds nothing', async () => {
    expect(statusOf(await answerTraining(email, "I'm going to adopt #2, starting with my next 1:1 on Monday."))).toBe('stored');
    [ack] = (await mailTo(email, /^Re:/)) as [StoredMail];
    const url = linksIn(ack.body.text!).get('adopt #1');
    expect(url).toBeDefined();
    expect(ack.body.html).toContain(url!);

    expect((await click(url!, 'GET')).status).toBe(200);
    expect(await stored(email)).toEqual([['adopt', strategies[1]!.id]]);
    const done = await click(url!, 'POST');
    expect(done.status).toBe(200);
    expect(done.h1).toMatch(/^Changed to adopting #1/);
    expect(await stored(email)).toEqual([['adopt', strategies[0]!.id]]);
    expect((await current(email))[0]!.text).toContain('adopt #2, starting');
    expect((await click(url!, 'POST')).status).toBe(200);
    expect(await stored(email)).toEqual([['adopt', strategies[0]!.id]]);
  });

  it('"withdraw it" on an ack already corrected changes nothing; on a fresh one, POST removes the record', async () => {
    const stale = linksIn(ack.body.text!).get('withdraw it')!;
    expect(stale).toBeDefined();
    expect((await click(stale, 'POST')).h1).toBe('This was corrected already');
    expect(await stored(email)).toEqual([['adopt', strategies[0]!.id]]);

    const other = 'lukas.becker@example.org';
    expect(statusOf(await answerTraining(other, 'I will adopt #3 from tomorrow.'))).toBe('stored');
    const [ack3] = await mailTo(other, /^Re:/);
    const url = linksIn(ack3!.body.text!).get('withdraw it')!;
    expect((await click(url, 'GET')).status).toBe(200);
    expect(await stored(other)).toEqual([['adopt', strategies[2]!.id]]);
    expect((await click(url, 'POST')).h1).toMatch(/^Withdrawn/);
    expect(await stored(other)).toEqual([]);
  });
});

describe('an unclear reply, tagged from the digest through the links handler', () => {
  const email = 'marcus.lee@example.com';

  it('records nothing, is listed under "needs a look", and the tag link records it', async () => {
    expect(statusOf(await answerTraining(email, 'Hmm. Maybe. We will see how the week goes.'))).toBe('needs-look');
    expect(await stored(email)).toEqual([]);
    const before = (await digests()).length;
    now = new Date('2027-01-25T08:00:00Z');
    const report = await dispatch({ kind: 'digest', seriesId: SERIES }, deps);
    expect(report.failed).toEqual([]);
    const digest = (await digests())[before]!;
    const look = section(digest.body.text!, 'NEEDS A LOOK');
    expect(look).toContain('Hmm. Maybe.');
    const url = linksIn(look).get('adopt #3')!;
    expect(url).toBeDefined();
    expect((await click(url, 'GET')).status).toBe(200);
    expect(await stored(email)).toEqual([]);
    expect((await click(url, 'POST')).h1).toMatch(/^Recorded as adopting #3/);
    expect(await stored(email)).toEqual([['adopt', strategies[2]!.id]]);
    expect((await store.listNeedsLook(SERIES, { open: true })).filter((d) => d.participantEmail === email)).toEqual([]);
  });
});

describe('"please stop the reminders", through the inbound handler', () => {
  const email = 'rosa.martinez@example.com';

  it('stores the preference, the reminder planner skips her, and the ack\'s undo link turns them back on', async () => {
    now = new Date('2027-01-25T09:00:00Z');
    const outcome = await answerTraining(email, 'Please stop the reminders, thanks.');
    expect(statusOf(outcome)).toBe('stored');
    expect((await store.getParticipant(SERIES, email))?.preferences?.reminders).toBe(false);
    expect(await stored(email)).toEqual([]);

    const reminderAt = new Date('2027-01-26T12:00:00Z');
    const report = await dispatch({ kind: 'reminder', seriesId: SERIES, trainingSlug: TRAINING }, { ...deps, now: () => reminderAt });
    expect(report.failed).toEqual([]);
    expect(report.skipped).toContainEqual({ emailId: `reminder#${TRAINING}#${email}`, reason: 'opted-out' });
    expect(report.sent.length).toBeGreaterThan(0);
    expect(report.sent).not.toContain(`reminder#${TRAINING}#${email}`);

    const [ack] = await mailTo(email, /^Re:/);
    expect(ack?.body.text).toContain('You will get no more reminders');
    const url = ack!.body.text!.match(/Turn them back on: (\S+)/)?.[1];
    expect(url).toBeDefined();
    expect(ack!.body.html).toContain(url!);
    expect((await click(url!, 'GET')).status).toBe(200);
    expect((await store.getParticipant(SERIES, email))?.preferences?.reminders).toBe(false);
    const done = await click(url!, 'POST');
    expect(done.status).toBe(200);
    expect(done.h1).toMatch(/back on/);
    expect(wants((await store.getParticipant(SERIES, email))!, 'reminders')).toBe(true);
  });
});

describe('a rejoin request, through the inbound handler', () => {
  const email = 'ama.owusu@example.com';

  it('gets the one mail with a resubscribe link, reaches the trainer under "needs you", and the link brings her back', async () => {
    // She had the training email, then left with the unsubscribe link.
    now = new Date('2027-01-27T09:00:00Z');
    await store.setUnsubscribed(SERIES, email, now);

    now = new Date('2027-01-29T09:00:00Z');
    const outcome = await answerTraining(email, 'Hi, I unsubscribed by mistake. Could you please add me back to the series?');
    expect(statusOf(outcome)).toBe('needs-look');
    expect(await stored(email)).toEqual([]);
    const open = (await store.listNeedsLook(SERIES, { open: true })).filter((d) => d.participantEmail === email);
    expect(open.map((d) => d.kind)).toEqual(['rejoin']);
    // Still unsubscribed until she clicks: a reply is not proof enough to mail her again unasked.
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBeDefined();

    const answers = await mailTo(email, /^Re:/);
    expect(answers).toHaveLength(1);
    const url = answers[0]!.body.text!.match(/Resubscribe: (\S+)/)?.[1];
    expect(url).toBeDefined();
    expect(answers[0]!.body.html).toContain(url!);

    const before = (await digests()).length;
    now = new Date('2027-02-01T08:00:00Z');
    const report = await dispatch({ kind: 'digest', seriesId: SERIES }, deps);
    expect(report.failed).toEqual([]);
    const text = (await digests())[before]!.body.text!;
    const needsYou = section(text, 'NEEDS YOU');
    expect(needsYou).toContain('Ama');
    expect(needsYou).toContain('asks to rejoin');
    expect(section(text, 'NEEDS A LOOK')).not.toContain('Ama');

    expect((await click(url!, 'GET')).status).toBe(200);
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBeDefined();
    const done = await click(url!, 'POST');
    expect(done.status).toBe(200);
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBeUndefined();
  });
});
