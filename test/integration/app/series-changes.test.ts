// Changing a published series for real: the example published into dynalite, kickoff and
// training 1 sent through aws-ses-v2-local, then a copy of the folder edited (training 1 closes
// later, training 4 removed) and published again. The local clock runs what re-publishing
// planned; what arrived is read back from the raw copies and its calendars parsed with ical.js.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createSesClient, RecordingMailer, SesMailer } from '#adapters/aws/ses';
import { dispatch, type DispatchDeps } from '#app/run-job';
import type { BuiltMail } from '#app/deliver';
import { participantKey } from '#core/short-key';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { LocalScheduler } from '#adapters/local/scheduler';
import { recordSchedules, syncSchedules } from '#app/publish';
import { handleLink } from '#app/click-link';
import { calendarsOffSchedule } from '#app/planners/cancel';
import { signLinkToken } from '#core/tokens';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { unenrollParticipants } from '#cli/commands/unenroll';
import { outboxMail } from '#test/support/outbox';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-changes-'));
const seriesDir = join(dataDir, 'series');
const outbox = join(dataDir, 'outbox');
const SERIES = 'q1-productivity';
const ONE = 'productive-one-on-ones';
const FOUR = 'product-launch';
const DOMAIN = 'baton.example.com';
let stack: RunningStack;
let store: Store;
let destroy: () => void;
let deps: DispatchDeps;
let now = new Date('2026-12-01T00:00:00Z');
const clock = () => now;
let everyone: string[] = [];

interface Received {
  to: string;
  subject: string;
  text: string;
  raw: string;
  ics?: string;
  /** Every calendar file, by name: one calendar object each. */
  files: Record<string, string>;
}

/** Messages already read, by SES's id: each is read and its calendars checked once, however often the tests list what was sent. */
const read = new Map<string, Promise<Received>>();

/** Every message sent so far, in sending order (aws-ses-v2-local's store), read from the raw copies. */
async function sent(): Promise<Received[]> {
  const res = await fetch(`${stack.endpoints.ses}/store`);
  const emails = ((await res.json()) as { emails: { messageId: string }[] }).emails;
  const files = readdirSync(outbox);
  return Promise.all(
    emails.map(({ messageId }) => {
      const known = read.get(messageId);
      if (known) return known;
      const received = readMessage(messageId, files);
      read.set(messageId, received);
      return received;
    }),
  );
}

async function readMessage(messageId: string, files: string[]): Promise<Received> {
  const file = files.find((f) => f.startsWith(messageId.replace(/[^A-Za-z0-9._-]/g, '_')));
  if (!file) throw new Error(`no raw copy of ${messageId}`);
  const raw = readFileSync(join(outbox, file), 'utf8');
  const mail = await outboxMail(join(outbox, file));
  const to = Array.isArray(mail.to) ? mail.to[0]! : mail.to!;
  const ics = mail.attachments.find((a) => a.filename === 'invite.ics')?.content.toString('utf8');
  const calendars = Object.fromEntries(mail.attachments.filter((a) => a.filename?.endsWith('.ics')).map((a) => [a.filename!, a.content.toString('utf8')]));
  for (const [name, text] of Object.entries(calendars)) {
    if (calendar(text).events.length !== 1 || new Set(calendar(text).events.map((e) => e.uid)).size !== 1) throw new Error(`${name} to ${to.value[0]!.address} holds more than one calendar object`);
  }
  return { to: to.value[0]!.address!, subject: mail.subject ?? '', text: mail.text ?? '', raw, files: calendars, ...(ics ? { ics } : {}) };
}

function calendar(ics: string) {
  const cal = new ICAL.Component(ICAL.parse(ics));
  const events = cal.getAllSubcomponents('vevent').map((e) => ({
    uid: String(e.getFirstPropertyValue('uid')),
    sequence: Number(e.getFirstPropertyValue('sequence')),
    status: String(e.getFirstPropertyValue('status')),
    start: String(e.getFirstPropertyValue('dtstart')),
    end: String(e.getFirstPropertyValue('dtend')),
  }));
  return { method: String(cal.getFirstPropertyValue('method')), events };
}

async function tick(at: Date) {
  now = at;
  return new LocalScheduler(store).fireDue(at, (job) => dispatch(job, deps));
}

function editSeries(): void {
  const file = join(seriesDir, 'trainings', '01-productive-one-on-ones.md');
  writeFileSync(file, readFileSync(file, 'utf8').replace('closes: 2027-01-31', 'closes: 2027-02-03'));
  rmSync(join(seriesDir, 'trainings', '04-product-launch.md'));
  const yaml = join(seriesDir, 'series.yaml');
  writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/    of: 4/, '    of: 3'));
}

beforeAll(async () => {
  cpSync(example, seriesDir, { recursive: true });
  stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  destroy = () => client.destroy();
  store = createStore({ client, tableName: stack.config.tableName });
  const mailer = new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: stack.endpoints.ses }), maxSendRate: 500 }), outbox);
  deps = {
    store,
    send: (m: BuiltMail) => mailer.send(m),
    settings: { domain: DOMAIN, inboundDomain: `reply.${DOMAIN}`, senderAddress: `training@${DOMAIN}`, linksBaseUrl: `https://links.${DOMAIN}`, secrets: 'test-secret-changes' },
    now: clock,
  };
  await publishSeries(seriesDir, store, now);
  const participants = await loadParticipants(join(example, 'participants.csv'), (await store.getSeries(SERIES))!.series);
  everyone = participants.map((p) => p.email).sort();
  await store.putParticipants(SERIES, participants);
  await syncSchedules(store, SERIES, now, { added: participants });
  // The clock sends the kickoff (due at publishing), then training 1 when it opens in every zone.
  await tick(now);
  await tick(new Date('2027-01-21T20:00:00Z'));
  const mails = await sent();
  expect(mails.filter((m) => m.subject.includes('training 1 of 4'))).toHaveLength(12);
  expect(mails).toHaveLength(24);
}, 60_000);

afterAll(async () => {
  destroy?.();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('re-publishing an edited series', () => {
  it('sends the holders of a moved training an update and everyone a cancel for the removed one, nothing else', async () => {
    const before = (await sent()).length;
    expect(before).toBe(24);
    editSeries();
    const result = await publishSeries(seriesDir, store, new Date('2027-01-22T12:00:00Z'));
    expect(result.changes.trainings.removed.map((t) => t.slug)).toEqual([FOUR]);
    expect(result.schedules.create.map((s) => s.name).sort()).toEqual([`cancel-${FOUR}-s1`, `update-${ONE}-s1`]);
    // Training 1's sends already ran and stay that way; its reminder moves with its closing day.
    expect(result.schedules.alreadyRan.filter((n) => n.startsWith(`training-${ONE}`))).toHaveLength(12);
    const fired = await tick(new Date('2027-01-22T12:00:00Z'));
    expect(fired.failed).toEqual([]);

    const fresh = (await sent()).slice(before);
    const updates = fresh.filter((m) => m.subject.includes('moved'));
    const cancels = fresh.filter((m) => m.subject.includes('is cancelled'));
    expect(fresh).toHaveLength(24);
    expect(updates.map((m) => m.to).sort()).toEqual(everyone);
    expect(cancels.map((m) => m.to).sort()).toEqual(everyone);

    const nurul = updates.find((m) => m.to === 'nurul.hakim@example.com')!;
    expect(nurul.subject).toBe('A productive 1:1 sync with your manager moved: now Thursday 21 January – Wednesday 3 February');
    expect(nurul.text).toContain('Closes: Wednesday 3 February, end of your day (23:59 Brunei');
    const update = calendar(nurul.ics!);
    expect(update.method).toBe('REQUEST');
    const pkey = participantKey(SERIES, 'nurul.hakim@example.com');
    expect(update.events.map((e) => [e.uid, e.sequence])).toEqual([[`${SERIES}.${ONE}.window@${DOMAIN}`, 1]]);
    const window = update.events[0]!;
    expect([window.start, window.end]).toEqual(['2027-01-21', '2027-02-04']);
    const focus = calendar(nurul.files['focus.ics']!);
    expect(focus.method).toBe('PUBLISH');
    expect(focus.events.map((e) => [e.uid, e.sequence])).toEqual([[`${SERIES}.${ONE}.focus.${pkey}@${DOMAIN}`, 1]]);

    const cancel = cancels.find((m) => m.to === 'nurul.hakim@example.com')!;
    expect(cancel.subject).toBe('Preparing for a product launch is cancelled');
    const cancelled = calendar(cancel.ics!);
    expect(cancelled.method).toBe('CANCEL');
    // Training 4 was only announced by the kickoff: its window is cancelled, no focus hold.
    expect(cancelled.events).toEqual([
      { uid: `${SERIES}.${FOUR}.window@${DOMAIN}`, sequence: 1, status: 'CANCELLED', start: '2027-02-28', end: '2027-03-15' },
    ]);
    expect(cancel.raw).toMatch(/Content-Type: text\/calendar; ?charset=UTF-8; ?method=CANCEL/);
  });

  it('sends nothing when the same edit is published again', async () => {
    const before = (await sent()).length;
    const result = await publishSeries(seriesDir, store, new Date('2027-01-22T13:00:00Z'));
    expect(result.schedules.create).toEqual([]);
    expect(result.schedules.alreadyRan).toEqual(expect.arrayContaining([`cancel-${FOUR}-s1`, `update-${ONE}-s1`, 'kickoff']));
    await tick(new Date('2027-01-22T13:00:00Z'));
    expect((await sent()).length).toBe(before);
  });

  it('gives a latecomer the moved window at its new SEQUENCE, never an older one', async () => {
    const before = (await sent()).length;
    const late = { email: 'late.joiner@example.com', name: 'Late Joiner', timeZone: 'Europe/Berlin', workStart: '09:00' };
    await store.putParticipants(SERIES, [late]);
    await dispatch({ kind: 'kickoff', seriesId: SERIES, recipients: [late.email] }, deps);
    await dispatch({ kind: 'training', seriesId: SERIES, trainingSlug: ONE, recipients: [late.email] }, deps);
    const [kickoff, training] = (await sent()).slice(before);
    // The kickoff's overview: one PUBLISH file per window, nothing inline to answer.
    expect(kickoff!.ics).toBeUndefined();
    const overview = Object.values(kickoff!.files).map(calendar);
    expect(overview.map((c) => c.method)).toEqual(['PUBLISH', 'PUBLISH', 'PUBLISH']);
    const windows = overview.flatMap((c) => c.events);
    expect(windows.map((e) => [e.uid.split('.')[1], e.sequence])).toEqual([
      [ONE, 1],
      ['company-communications', 0],
      ['performance-reviews', 0],
    ]);
    expect(calendar(training!.ics!).events.map((e) => e.sequence)).toEqual([1]);
    expect(calendar(training!.files['focus.ics']!).events.map((e) => e.sequence)).toEqual([1]);
  });
});

describe('unenrolling', () => {
  it('sends the removed person one cancellation of every hold they have, and later jobs skip them', async () => {
    const before = (await sent()).length;
    const at = new Date('2027-01-22T14:00:00Z');
    const result = await unenrollParticipants(store, SERIES, ['ana.reyes@example.com'], at);
    expect(result.removed.map((p) => p.email)).toEqual(['ana.reyes@example.com']);
    expect(await store.getParticipant(SERIES, 'ana.reyes@example.com')).toBeUndefined();
    const fired = await tick(at);
    expect(fired.failed).toEqual([]);

    const fresh = (await sent()).slice(before);
    expect(fresh.map((m) => [m.to, m.subject])).toEqual([['ana.reyes@example.com', "You've been removed from Q1 training series: productivity, communication and organization"]]);
    // It tells her to reply if this is a mistake: the reply goes to the trainer, as she has no reply route left.
    expect(fresh[0]!.raw).toMatch(/^Reply-To: .*<maya\.okafor@example\.com>\r$/m);
    // One CANCEL per calendar object: the first window inline (and as invite.ics), the rest as files.
    expect(calendar(fresh[0]!.ics!).method).toBe('CANCEL');
    expect(fresh[0]!.raw).toMatch(/Content-Type: text\/calendar; ?charset=UTF-8; ?method=CANCEL/);
    const cals = Object.values(fresh[0]!.files).map(calendar);
    expect(cals.every((c) => c.method === 'CANCEL')).toBe(true);
    const pkey = participantKey(SERIES, 'ana.reyes@example.com');
    // Every remaining window (the kickoff's) and the focus hold of training 1 (its email), each above its SEQUENCE.
    expect(cals.flatMap((c) => c.events).map((e) => [e.uid, e.sequence, e.status])).toEqual([
      [`${SERIES}.${ONE}.window@${DOMAIN}`, 2, 'CANCELLED'],
      [`${SERIES}.${ONE}.focus.${pkey}@${DOMAIN}`, 2, 'CANCELLED'],
      [`${SERIES}.company-communications.window@${DOMAIN}`, 1, 'CANCELLED'],
      [`${SERIES}.performance-reviews.window@${DOMAIN}`, 1, 'CANCELLED'],
    ]);

    // A later job plans without her, and running the cancel again sends nothing.
    now = new Date('2027-01-31T20:00:00Z');
    const training2 = await dispatch({ kind: 'training', seriesId: SERIES, trainingSlug: 'company-communications' }, deps);
    expect(training2.sent.some((id) => id.includes('ana.reyes'))).toBe(false);
    expect(training2.sent).toHaveLength(12);
    const again = await dispatch({ kind: 'cancel', seriesId: SERIES, participant: result.removed[0]! }, deps);
    expect(again.sent).toEqual([]);
    expect(again.alreadySent).toEqual(['cancel#-#ana.reyes@example.com#removed']);
  });

  it('refuses an address that is not a participant, changing nothing', async () => {
    await expect(unenrollParticipants(store, SERIES, ['marcus.lee@example.com', 'nobody@example.com'], now)).rejects.toThrow(
      /nobody@example\.com is not a participant of q1-productivity/,
    );
    expect(await store.getParticipant(SERIES, 'marcus.lee@example.com')).toBeDefined();
  });
});

describe('turning calendar entries off', () => {
  it('cancels every entry they hold in one email, and their later emails come without calendars', async () => {
    const before = (await sent()).length;
    const at = new Date('2027-02-01T09:00:00Z');
    now = at;
    const who = 'marcus.lee@example.com';
    const secrets = deps.settings.secrets;
    const token = signLinkToken({ action: 'calendars-off', seriesId: SERIES, participantEmail: who, expiresAt: new Date('2028-01-01T00:00:00Z') }, secrets);
    // What the local wiring does on the footer link's POST (functions/adapters/local/wiring.ts).
    const onCalendarsOff = async (seriesId: string, p: { email: string; name: string; timeZone: string; workStart: string }) =>
      recordSchedules(store, seriesId, { create: [calendarsOffSchedule(seriesId, { email: p.email, name: p.name, timeZone: p.timeZone, workStart: p.workStart }, at)], update: [], delete: [] }, at);
    const reply = await handleLink({ method: 'POST', path: `/l/${token}` }, { store, secrets, now: at, onCalendarsOff });
    expect(reply.status).toBe(200);
    expect((await store.getParticipant(SERIES, who))!.calendarsOffAt).toBe(at.toISOString());
    const fired = await tick(at);
    expect(fired.failed).toEqual([]);

    const mine = (await sent()).slice(before).filter((m) => m.to === who);
    expect(mine.map((m) => m.subject)).toEqual(['Calendar entries off: Q1 training series: productivity, communication and organization']);
    const cals = Object.values(mine[0]!.files).map(calendar);
    expect(cals.every((c) => c.method === 'CANCEL' && c.events.every((e) => e.status === 'CANCELLED'))).toBe(true);
    const pkey = participantKey(SERIES, who);
    // The kickoff's windows still in the series, and the focus holds of the two training emails he got.
    expect(cals.flatMap((c) => c.events.map((e) => e.uid)).sort()).toEqual(
      [
        `${SERIES}.${ONE}.window@${DOMAIN}`,
        `${SERIES}.${ONE}.focus.${pkey}@${DOMAIN}`,
        `${SERIES}.company-communications.window@${DOMAIN}`,
        `${SERIES}.company-communications.focus.${pkey}@${DOMAIN}`,
        `${SERIES}.performance-reviews.window@${DOMAIN}`,
      ].sort(),
    );

    // The next training reaches him as usual, without any calendar.
    const three = await dispatch({ kind: 'training', seriesId: SERIES, trainingSlug: 'performance-reviews', recipients: [who] }, deps);
    expect(three.sent).toEqual([`training#performance-reviews#${who}`]);
    const training = (await sent()).at(-1)!;
    expect(training.to).toBe(who);
    expect(training.files).toEqual({});
    expect(training.raw).not.toMatch(/text\/calendar/);
  });
});
