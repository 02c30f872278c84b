// Reminder fatigue on the local stack (dynalite, aws-ses-v2-local, the SMTP server): someone who
// left two trainings in a row without a word gets one more reminder that says it is the last, then
// none; a reply of "resume" over SMTP brings them back; nobody gets more than the week's reminders
// across series; and a reply of "preferences" is answered with the preferences link.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { createSesClient, RecordingMailer, SesMailer } from '#adapters/aws/ses';
import type { InboundOutcome } from '#app/receive-reply';
import type { DeliveryReport } from '#app/deliver';
import type { Job } from '#core/jobs';
import { LAST_REMINDER } from '#mail/values';
import { weekOf } from '#app/planners/digest';
import { createLocalInbound } from '#adapters/local/smtp-inbound';
import { localDispatch } from '#adapters/local/scheduler';
import type { Store } from '#adapters/aws/dynamo';
import type { RunningStack } from '#adapters/local/stack';
import { startExampleStack } from '#test/support/example-stack';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-fatigue-'));
const SECRET = 'test-secret-for-fatigue-0123456789';
const SERIES = 'q1-productivity';
const QUIET = 'nurul.hakim@example.com';
const READER = 'lukas.becker@example.org';
const CAPPED = 'ama.owusu@example.com';
let stack: RunningStack;
let store: Store;
let destroy: () => Promise<void>;
let slugs: string[];
let run: (job: Job, now: Date) => Promise<DeliveryReport>;
let inboundNow = new Date('2027-02-26T09:00:00Z');
const outcomes: InboundOutcome[] = [];

type Stored = { subject: string; destination: { to: string[] }; body: { text?: string } };
const ses = async (): Promise<Stored[]> => ((await (await fetch(`${stack.endpoints.ses}/store`)).json()) as { emails: Stored[] }).emails;
const to = (email: string, mails: Stored[]) => mails.filter((m) => m.destination.to.some((t) => t.includes(email)));
const reminder = (i: number, now: string) => run({ kind: 'reminder', seriesId: SERIES, trainingSlug: slugs[i]! }, new Date(now));
const skipped = (report: DeliveryReport, email: string) => report.skipped.find((s) => s.emailId.includes(email))?.reason;
const sent = (report: DeliveryReport, email: string) => report.sent.some((id) => id.includes(email));

async function reply(email: string, text: string, trainingIndex: number): Promise<InboundOutcome> {
  const training = (await ses()).find((m) => m.destination.to.some((t) => t.includes(email)) && m.subject.includes(`(training ${trainingIndex + 1} of 4)`));
  expect(training, `a training mail to ${email}`).toBeDefined();
  // The reply address is in the raw mail's Reply-To; aws-ses-v2-local's store keeps it as replyTo.
  const replyTo = (training as unknown as { replyTo: string[] }).replyTo[0]!;
  const before = outcomes.length;
  await nodemailer
    .createTransport({ host: stack.endpoints.smtp.host, port: stack.endpoints.smtp.port, secure: false, ignoreTLS: true })
    .sendMail({ from: email, to: replyTo, subject: `Re: ${training!.subject}`, messageId: `<${Math.random().toString(36).slice(2)}@mail.example.com>`, text });
  expect(outcomes.length).toBe(before + 1);
  return outcomes.at(-1)!;
}

beforeAll(async () => {
  const example = await startExampleStack(dataDir);
  ({ stack, store } = example);
  destroy = example.stop;
  const { published } = example;
  slugs = published.trainings.map((t) => t.slug);
  run = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
  const outbox = join(dataDir, 'outbox');
  const mailer = new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: stack.endpoints.ses }), maxSendRate: 500 }), outbox);
  stack.setHandlers({ onMail: createLocalInbound({ store, config: stack.config, secret: SECRET, mailer, dataDir, now: () => inboundNow, onOutcome: (o) => outcomes.push(o) }) });
  // Everyone gets the first three trainings; Lukas and Ama mark each one read, Nurul says nothing.
  for (const [i, at] of ['2027-01-21T00:00:00Z', '2027-01-31T00:00:00Z', '2027-02-14T00:00:00Z'].entries()) {
    await run({ kind: 'training', seriesId: SERIES, trainingSlug: slugs[i]! }, new Date(at));
    for (const email of [READER, CAPPED]) {
      await store.putResponse({ id: `read-${i}-${email}`, seriesId: SERIES, trainingSlug: slugs[i]!, participantEmail: email, intent: 'read', text: '', links: [], attachments: [], source: `link:read-${i}`, receivedAt: at });
    }
  }
}, 120_000);

afterAll(async () => {
  await destroy?.();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('reminder fatigue', () => {
  it('after two quiet trainings, one reminder that says it is the last, then rest', async () => {
    const first = await reminder(0, '2027-01-28T12:00:00Z');
    const second = await reminder(1, '2027-02-11T12:00:00Z');
    expect([sent(first, QUIET), sent(second, QUIET)]).toEqual([true, true]);
    expect((await store.getParticipant(SERIES, QUIET))?.remindersRestedAt).toBeUndefined();

    const third = await reminder(2, '2027-02-25T12:00:00Z');
    expect(sent(third, QUIET)).toBe(true);
    expect(sent(third, READER)).toBe(true);
    const mails = await ses();
    const last = to(QUIET, mails).filter((m) => m.subject.includes('Reminder') || m.body.text?.includes(LAST_REMINDER));
    expect(last.filter((m) => m.body.text?.replace(/\s+/g, ' ').includes(LAST_REMINDER.replace(/\s+/g, ' ')))).toHaveLength(1);
    // Lukas read every training: his reminder says nothing of the kind.
    expect(to(READER, mails).some((m) => m.body.text?.replace(/\s+/g, ' ').includes('last reminder we send you for now'))).toBe(false);
    expect((await store.getParticipant(SERIES, QUIET))?.remindersRestedAt).toBe('2027-02-25T12:00:00.000Z');

    // A rerun of the same job repeats nothing and says nothing twice.
    const again = await reminder(2, '2027-02-25T12:30:00Z');
    expect(again.sent.filter((id) => id.includes(QUIET))).toEqual([]);
  });

  it('a reply of "resume" over SMTP ends the rest, and is answered', async () => {
    inboundNow = new Date('2027-02-26T09:00:00Z');
    const outcome = await reply(QUIET, 'Resume', 2);
    expect(outcome).toMatchObject({ status: 'stored', responses: [], acknowledged: true });
    expect((await store.getParticipant(SERIES, QUIET))?.remindersRestedAt).toBeUndefined();
    expect(await store.listResponsesByParticipant(SERIES, QUIET)).toEqual([]);
    const ack = to(QUIET, await ses()).find((m) => m.subject.startsWith('Re:'));
    expect(ack?.body.text).toContain('Reminders are back on');
  });

  it('at most the week’s reminders across series: a third in one week is held back', async () => {
    const now = new Date('2027-03-11T12:00:00Z');
    const week = weekOf(now, 'Africa/Accra').week;
    expect(week).toBe('2027-w10');
    // Two reminders from other series already reached Ama this week, through the same counter.
    for (const other of ['other-series-a#t1', 'other-series-b#t7']) expect(await store.takeQuota(`reminders#${CAPPED}#${week}`, other, { limit: 2, at: now, ttlDays: 14 })).toBe(true);
    await run({ kind: 'training', seriesId: SERIES, trainingSlug: slugs[3]! }, new Date('2027-02-28T00:00:00Z'));
    await store.putResponse({ id: 'read-3', seriesId: SERIES, trainingSlug: slugs[3]!, participantEmail: READER, intent: 'read', text: '', links: [], attachments: [], source: 'link:read-3', receivedAt: '2027-03-01T00:00:00Z' });
    const fourth = await reminder(3, now.toISOString());
    expect(skipped(fourth, CAPPED)).toBe('weekly-cap');
    // Nurul resumed, so she is reminded again (it counts as her first this week).
    expect(sent(fourth, QUIET)).toBe(true);
  });

  it('a reply of "preferences" is answered with the preferences link and records nothing', async () => {
    inboundNow = new Date('2027-03-02T09:00:00Z');
    const outcome = await reply(READER, 'preferences', 3);
    expect(outcome).toMatchObject({ status: 'stored', responses: [], acknowledged: true });
    const ack = to(READER, await ses()).filter((m) => m.subject.startsWith('Re:')).at(-1);
    expect(ack?.body.text).toMatch(/Your preferences: http:\/\/[^\s]+\/l\/[A-Za-z0-9_-]+/);
    expect(await store.listNeedsLook(SERIES, { open: true })).toEqual([]);
  });
});
