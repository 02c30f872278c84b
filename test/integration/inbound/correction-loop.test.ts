// The correction loop of issue 14 end to end on the local stack: replies over real SMTP
// (nodemailer), the ack read back from the SES store and the raw copies in .data/outbox, its
// one-click links clicked over real HTTP, the digest and the reminder dispatched as the local
// scheduler would. Nothing is called in-process that a participant or trainer would not reach.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createSesClient, RecordingMailer, SesMailer } from '#adapters/aws/ses';
import type { InboundOutcome } from '#app/receive-reply';
import type { DeliveryReport } from '#app/deliver';
import type { Job } from '#core/jobs';
import type { Strategy } from '#core/model';
import { createLocalInbound } from '#adapters/local/smtp-inbound';
import { createLocalLinks } from '#adapters/local/links-server';
import { localConfig } from '#adapters/local/config';
import { localDispatch } from '#adapters/local/scheduler';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { wants } from '#core/audience';
import { tokenFromAddress, verifyLinkToken, verifyReplyToken } from '#core/tokens';
import { publishSeries } from '#cli/publish-series';
import { linksIn, section } from '#test/support/mail-text';
import { outboxMails, type SentMail } from '#test/support/outbox';
import { loadParticipants } from '#cli/series-dir';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-loop-'));
const SECRET = 'test-secret-for-the-correction-loop-0123';
const SERIES = 'q1-productivity';
const TRAINING = 'productive-one-on-ones';
let now = new Date('2027-01-22T10:00:00Z');

let stack: RunningStack;
let store: Store;
let destroy: () => void;
let strategies: Strategy[];
let send: (job: Job, at: Date) => Promise<DeliveryReport>;
const outcomes: InboundOutcome[] = [];
const trainingMail = new Map<string, SentMail>();

interface StoredMail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  replyTo: string[];
  body: { text?: string; html?: string };
}

const sesStore = async (): Promise<StoredMail[]> => ((await (await fetch(`${stack.endpoints.ses}/store`)).json()) as { emails: StoredMail[] }).emails;
const bare = (a: string) => a.replace(/^.*<|>.*$/g, '');
const mailTo = async (email: string, subject: RegExp) => (await sesStore()).filter((m) => m.destination.to.some((t) => bare(t) === email) && subject.test(m.subject));

/** The raw copies in the outbox, parsed: what actually went on the wire. */
async function outboxTo(email: string): Promise<SentMail[]> {
  const mails = await outboxMails(join(dataDir, 'outbox'));
  return mails.filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === email);
}


/** A link from an email, pointed at the running links server (the port is picked at start). */
const local = (url: string) => `${stack.endpoints.links}/l/${url.split('/l/')[1]}`;
const h1 = (html: string) => html.match(/<h1>(.*?)<\/h1>/)?.[1];
const get = async (url: string) => {
  const res = await fetch(local(url));
  return { status: res.status, html: await res.text() };
};
const post = async (url: string) => {
  const res = await fetch(local(url), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=yes' });
  return { status: res.status, html: await res.text() };
};

async function reply(email: string, to: string, text: string, extra: { subject?: string; inReplyTo?: string } = {}): Promise<InboundOutcome> {
  const before = outcomes.length;
  await nodemailer
    .createTransport({ host: stack.endpoints.smtp.host, port: stack.endpoints.smtp.port, secure: false, ignoreTLS: true })
    .sendMail({ from: email, to, subject: extra.subject ?? `Re: ${trainingMail.get(email)!.subject}`, text, messageId: `<loop-${outcomes.length}-${Date.now()}@mail.example.com>`, ...(extra.inReplyTo ? { inReplyTo: extra.inReplyTo } : {}) });
  expect(outcomes.length).toBe(before + 1);
  return outcomes.at(-1)!;
}

const digestsSince = async (n: number) => (await sesStore()).filter((m) => m.body.text?.includes('Trainer digest, week of')).slice(n);
const replyToOf = (email: string) => trainingMail.get(email)!.replyTo!.value[0]!.address!;
const current = (email: string) => store.listResponsesByParticipant(SERIES, email);

beforeAll(async () => {
  stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  destroy = () => client.destroy();
  store = createStore({ client, tableName: stack.config.tableName });
  const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  await store.putParticipants(SERIES, await loadParticipants(join(example, 'participants.csv'), published.series));
  strategies = published.trainings.find((t) => t.slug === TRAINING)!.strategies;
  send = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
  await send({ kind: 'training', seriesId: SERIES, trainingSlug: TRAINING }, new Date('2027-01-21T00:00:00Z'));
  const dir = join(dataDir, 'outbox');
  for (const mail of await outboxMails(dir)) {
    const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined;
    if (to && mail.messageId?.startsWith('<training.')) trainingMail.set(to, mail);
  }
  const mailer = new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: stack.endpoints.ses }), maxSendRate: 500 }), dir);
  stack.setHandlers({
    onMail: createLocalInbound({ store, config: stack.config, secret: SECRET, mailer, dataDir, now: () => now, onOutcome: (o) => outcomes.push(o) }),
    onLink: createLocalLinks({ store, secret: SECRET, now: () => now }),
  });
}, 60_000);

afterAll(async () => {
  destroy?.();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('an adoption, its ack, and the corrections', () => {
  const email = 'nurul.hakim@example.com';
  const words = "I'm going to adopt #2, starting with my next 1:1 on Monday.";
  let ack: StoredMail;

  it('the ack shows "Recorded" with the words and a correction link per other choice', async () => {
    const outcome = await reply(email, replyToOf(email), words);
    expect(outcome.status).toBe('stored');
    const [adoption, ...rest] = await current(email);
    expect(rest).toEqual([]);
    expect(adoption).toMatchObject({ intent: 'adopt', strategyId: strategies[1]!.id });

    const acks = await mailTo(email, /^Re:/);
    expect(acks).toHaveLength(1);
    ack = acks[0]!;
    const text = ack.body.text!.replace(/[ \t]+/g, ' ');
    expect(text).toContain(`Recorded: you will adopt #2 “${strategies[1]!.title}”`);
    expect(text).toContain(words);
    expect(ack.body.html).toContain('Recorded: you will adopt #2');
    const links = linksIn(ack.body.text!);
    expect([...links.keys()]).toEqual(expect.arrayContaining(['my own strategy', 'adopt #1', 'adopt #3', 'a comment', 'feedback', 'withdraw it']));
    expect(links.has('adopt #2')).toBe(false);
    // Every correction link is in the HTML part too, and the raw copy is the same mail.
    for (const url of links.values()) expect(ack.body.html).toContain(url);
    const raw = (await outboxTo(email)).find((m) => m.subject === ack.subject);
    expect(raw?.text).toContain('Recorded: you will adopt #2');
    // Its reply address names the record it acknowledges.
    const token = verifyReplyToken(tokenFromAddress(bare(ack.replyTo[0]!), stack.config.inboundDomain)!, SECRET, now);
    expect(token).toMatchObject({ answers: 'ack', target: { kind: 'ack' } });
  });

  it('"adopt #1 instead": GET changes nothing, POST replaces the record, a second POST changes nothing more', async () => {
    const url = linksIn(ack.body.text!).get('adopt #1')!;
    const shown = await get(url);
    expect(shown.status).toBe(200);
    expect(shown.html).toContain('<button type="submit">');
    expect((await current(email)).map((r) => r.strategyId)).toEqual([strategies[1]!.id]);

    const done = await post(url);
    expect(done.status).toBe(200);
    expect(h1(done.html)).toMatch(/^Changed to adopting #1/);
    const after = (await store.listResponses(SERIES)).filter((r) => r.participantEmail === email);
    expect(after.map((r) => [r.intent, r.strategyId])).toEqual([['adopt', strategies[0]!.id]]);
    expect(after[0]!.text).toContain('adopt #2, starting');

    expect((await post(url)).status).toBe(200);
    expect((await store.listResponses(SERIES)).filter((r) => r.participantEmail === email)).toHaveLength(1);
  });

  it('a reply to the ack, "I meant #1, not #2", replaces the record instead of adding one', async () => {
    const other = 'chloe.nguyen@example.com';
    expect((await reply(other, replyToOf(other), 'I will adopt #2 next week.')).status).toBe('stored');
    const [ack2] = await mailTo(other, /^Re:/);
    expect(ack2).toBeDefined();
    now = new Date(now.getTime() + 60_000);
    const outcome = await reply(other, bare(ack2!.replyTo[0]!), 'I meant #1, not #2.', { subject: `Re: ${ack2!.subject}`, inReplyTo: ack2!.messageId });
    expect(outcome.status).toBe('stored');
    const mine = (await store.listResponses(SERIES)).filter((r) => r.participantEmail === other);
    expect(mine.map((r) => [r.intent, r.strategyId])).toEqual([['adopt', strategies[0]!.id]]);
    // The ack to the correction says it replaced the earlier record.
    const acks = await mailTo(other, /^Re:/);
    expect(acks).toHaveLength(2);
    expect(acks.map((a) => a.body.text ?? '').join('\n')).toContain('This replaces what we recorded before');
  });

  it('"withdraw it": GET changes nothing, POST removes the record', async () => {
    const email3 = 'lukas.becker@example.org';
    expect((await reply(email3, replyToOf(email3), 'I will adopt #3 from tomorrow.')).status).toBe('stored');
    const [ack3] = await mailTo(email3, /^Re:/);
    const url = linksIn(ack3!.body.text!).get('withdraw it')!;
    expect(url).toBeDefined();
    expect((await get(url)).status).toBe(200);
    expect(await current(email3)).toHaveLength(1);
    const done = await post(url);
    expect(h1(done.html)).toMatch(/^Withdrawn/);
    expect(await current(email3)).toEqual([]);
    expect((await store.listResponses(SERIES)).filter((r) => r.participantEmail === email3)).toEqual([]);
  });
});

describe('an unclear reply', () => {
  const email = 'marcus.lee@example.com';

  it('stores no response, waits for a look, is tagged from the digest, and leaves the next digest', async () => {
    const outcome = await reply(email, replyToOf(email), 'Hmm. Maybe. We will see how the week goes.');
    expect(outcome.status).toBe('needs-look');
    expect(await current(email)).toEqual([]);
    const open = (await store.listNeedsLook(SERIES, { open: true })).filter((r) => r.participantEmail === email);
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ kind: 'unclear', trainingSlug: TRAINING });

    const digestAt = new Date('2027-01-25T08:00:00Z');
    const report = await send({ kind: 'digest', seriesId: SERIES }, digestAt);
    expect(report.failed).toEqual([]);
    expect(report.sent.length).toBeGreaterThan(0);
    const digests = await digestsSince(0);
    expect(digests).toHaveLength(report.sent.length);
    const digest = digests[0]!;
    const text = digest.body.text!;
    // "Needs a look" comes first: before the funnel and the news.
    expect(section(text, 'NEEDS A LOOK')).toContain('Hmm. Maybe.');
    expect(section(text, 'NEEDS A LOOK')).toContain('Marcus Lee');
    expect(text.indexOf('NEEDS A LOOK')).toBeLessThan(text.indexOf('THE WHOLE SERIES'));
    const tags = linksIn(section(text, 'NEEDS A LOOK'));
    expect([...tags.keys()]).toEqual(expect.arrayContaining(['my own strategy', 'adopt #1', 'adopt #2', 'adopt #3', 'a comment', 'feedback', 'nothing to record']));
    for (const url of tags.values()) expect(digest.body.html).toContain(url);
    const payload = verifyLinkToken(tags.get('adopt #3')!.split('/l/')[1]!, SECRET, now);
    expect(payload).toMatchObject({ action: 'tag', participantEmail: email, responseId: open[0]!.id });

    const url = tags.get('adopt #3')!;
    expect((await get(url)).status).toBe(200);
    expect(await current(email)).toEqual([]);
    const done = await post(url);
    expect(done.status).toBe(200);
    expect(h1(done.html)).toMatch(/^Recorded as adopting #3/);
    const stored = await current(email);
    expect(stored.map((r) => [r.intent, r.strategyId])).toEqual([['adopt', strategies[2]!.id]]);
    expect(stored[0]!.text).toContain('Hmm. Maybe.');
    expect((await store.listNeedsLook(SERIES, { open: true })).filter((r) => r.participantEmail === email)).toEqual([]);

    const next = await send({ kind: 'digest', seriesId: SERIES }, new Date(digestAt.getTime() + 7 * 86_400_000));
    expect(next.failed).toEqual([]);
    expect(next.sent.length).toBeGreaterThan(0);
    const later = await digestsSince(digests.length);
    expect(later).toHaveLength(next.sent.length);
    // Gone from what needs a look; now counted where it belongs, as an adoption of #3.
    for (const m of later) expect(section(m.body.text!, 'NEEDS A LOOK')).not.toContain('Marcus Lee');
    for (const m of later) expect(section(m.body.text!, 'MOST ADOPTED STRATEGIES')).toContain('Hmm. Maybe.');
  });
});

describe('"please stop the reminders"', () => {
  const email = 'rosa.martinez@example.com';

  it('stores the preference, the reminder skips her, and the ack\'s "turn back on" link works', async () => {
    const outcome = await reply(email, replyToOf(email), 'Please stop the reminders, thanks.');
    expect(['stored', 'needs-look']).toContain(outcome.status);
    expect((await store.getParticipant(SERIES, email))?.preferences?.reminders).toBe(false);
    expect(await current(email)).toEqual([]);

    const report = await send({ kind: 'reminder', seriesId: SERIES, trainingSlug: TRAINING }, new Date('2027-01-26T12:00:00Z'));
    expect(report.failed).toEqual([]);
    expect(report.skipped).toContainEqual({ emailId: `reminder#${TRAINING}#${email}`, reason: 'opted-out' });
    expect(report.sent).not.toContain(`reminder#${TRAINING}#${email}`);
    expect(report.sent.length).toBeGreaterThan(0);

    const [ack] = await mailTo(email, /^Re:/);
    expect(ack?.body.text).toContain('You will get no more reminders');
    const url = ack!.body.text!.match(/Turn them back on: (\S+)/)?.[1];
    expect(url).toBeDefined();
    expect(ack!.body.html).toContain(url!);
    expect((await get(url!)).status).toBe(200);
    expect((await store.getParticipant(SERIES, email))?.preferences?.reminders).toBe(false);
    const done = await post(url!);
    expect(done.status, done.html).toBe(200);
    expect(h1(done.html)).toMatch(/back on/);
    const back = (await store.getParticipant(SERIES, email))!;
    expect(wants(back, 'reminders')).toBe(true);
    // The map now exists (empty): a second opt-out sets its own key in it, and both links agree.
    await store.setPreference(SERIES, email, 'rollups', false);
    await store.setPreference(SERIES, email, 'reminders', false);
    expect((await store.getParticipant(SERIES, email))?.preferences).toEqual({ rollups: false, reminders: false });
  });
});
