// A fan-out batch (a job with `recipients`) must send each of its people the very mail the whole
// send would have: roll-ups, reminders and wrap-ups show and credit teammates outside the batch,
// yet read only the batch's people and the few they credit, never the series' participant list.
// Two copies of the example series in dynalite (two tables, same data): one gets the whole send,
// the other the batch, and the batch's mails are compared with the whole send's.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { ensureTable } from '#adapters/local/dynalite';
import type { BuiltMail } from '#app/deliver';
import { dispatch, SeriesCache, type DispatchDeps } from '#app/run-job';
import type { Job } from '#core/jobs';
import type { Response } from '#core/model';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { runJob } from '#adapters/aws/sending';
import { createDispatchHandler } from '#handlers/dispatch';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const SERIES = 'q1-productivity';
const SLUG = 'productive-one-on-ones';
const BATCH = ['rosa.martinez@example.com', 'sofia.rossi@example.org'];
let db: TestDynalite;
// Each copy is sent to once per kind (the delivery ledger would skip a second send).
const copies: { whole?: Store; batch?: Store; fanOut?: Store; wholeAgain?: Store } = {};

function response(n: number, email: string, intent: Response['intent'], text: string): Response {
  return {
    id: `r${n}`,
    seriesId: SERIES,
    trainingSlug: SLUG,
    participantEmail: email,
    intent,
    text,
    links: [],
    attachments: [],
    source: `<m${n}@mail.example.com>`,
    receivedAt: new Date(Date.UTC(2027, 0, 26, n)).toISOString(),
  };
}

async function seed(store: Store): Promise<void> {
  const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  await store.putParticipants(SERIES, await loadParticipants(join(example, 'participants.csv'), published.series));
  // Contributions from people outside the batch only.
  await store.putResponse(response(1, 'ana.reyes@example.com', 'strategy', 'I pin the agenda doc and add bullets all week.'));
  await store.putResponse(response(2, 'lukas.becker@example.org', 'comment', 'Great idea, Ana, trying it.'));
}

/** Another table holding the seeded example, for a test that publishes it again. */
async function seededCopy(tableName: string): Promise<Store> {
  await ensureTable(db.client, tableName);
  const store = createStore({ client: db.client, tableName });
  await seed(store);
  return store;
}

/** Sends into a list, read back as each recipient's plain text. */
// The full Store, not just the JobStore run-job needs: the dispatch handler below reads more of it.
function depsFor(store: Store, now: Date, sent: BuiltMail[]): DispatchDeps & { store: Store } {
  return {
    store,
    send: async (mail) => {
      sent.push(mail);
      return `ses-${sent.length}`;
    },
    settings: {
      domain: 'baton.example.com',
      inboundDomain: 'reply.baton.example.com',
      senderAddress: 'training@baton.example.com',
      linksBaseUrl: 'https://links.example.com',
      secrets: 'a-test-secret-of-enough-length',
    },
    now: () => now,
  };
}

async function textsByRecipient(mails: BuiltMail[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const m of mails) out.set(m.to, ((await simpleParser(m.raw)).text ?? '').replace(/\s+/g, ' '));
  return out;
}

beforeAll(async () => {
  db = await startDynalite({ tableName: 'whole' });
  await ensureTable(db.client, 'batch');
  await ensureTable(db.client, 'fan-out');
  await ensureTable(db.client, 'whole-again');
  copies.whole = createStore({ client: db.client, tableName: 'whole' });
  copies.batch = createStore({ client: db.client, tableName: 'batch' });
  copies.fanOut = createStore({ client: db.client, tableName: 'fan-out' });
  copies.wholeAgain = createStore({ client: db.client, tableName: 'whole-again' });
  for (const store of Object.values(copies)) await seed(store);
}, 60_000);
afterAll(() => db?.stop());

describe('a batch of a send', () => {
  it.each<[string, Job, string, RegExp]>([
    ['roll-up', { kind: 'rollup', seriesId: SERIES }, '2027-01-27T09:00:00Z', /Ana/],
    ['reminder', { kind: 'reminder', seriesId: SERIES, trainingSlug: SLUG }, '2027-01-27T09:00:00Z', /Ana shared a strategy/],
    ['wrap-up', { kind: 'wrap-up', seriesId: SERIES }, '2027-03-20T10:00:00Z', /Ana shared a strategy/],
  ])('of a %s sends its people the same mail as the whole send, crediting teammates outside it, and reads only them and those it credits', async (_, job, at, credit) => {
    const whole: BuiltMail[] = [];
    const batch: BuiltMail[] = [];
    const wholeReport = await dispatch(job, depsFor(copies.whole!, new Date(at), whole));
    // The series' participant list is never read: the batch's people and the two it credits
    // (Ana and Lukas, outside the batch) come by key.
    const onlyWhoItNeeds = Object.assign(Object.create(copies.batch!) as Store, {
      listParticipants: () => Promise.reject(new Error('a batch must not read the whole series')),
    });
    const read = copies.batch!.requests.itemsReadByType.participant ?? 0;
    const batchReport = await dispatch({ ...job, recipients: BATCH }, depsFor(onlyWhoItNeeds, new Date(at), batch));
    expect((copies.batch!.requests.itemsReadByType.participant ?? 0) - read).toBe(BATCH.length + 2);

    expect(wholeReport.failed).toEqual([]);
    expect(batchReport.failed).toEqual([]);
    // The batch reaches exactly its people; the whole send reaches more.
    expect(batch.map((m) => m.to).sort()).toEqual(BATCH);
    expect(whole.length).toBeGreaterThan(BATCH.length);

    const wholeTexts = await textsByRecipient(whole);
    const batchTexts = await textsByRecipient(batch);
    for (const email of BATCH) {
      expect(batchTexts.get(email)).toMatch(credit);
      expect(batchTexts.get(email)).toBe(wholeTexts.get(email));
    }
  });
});

describe('a batch of a per-recipient kind (issue 16)', () => {
  it.each<[string, Job]>([
    ['kickoff', { kind: 'kickoff', seriesId: SERIES }],
    ['training', { kind: 'training', seriesId: SERIES, trainingSlug: SLUG }],
  ])('of a %s reads only its recipients, and sends them the mail the whole send does', async (_, job) => {
    const at = new Date('2027-01-17T09:00:00Z');
    const whole: BuiltMail[] = [];
    const batch: BuiltMail[] = [];
    await dispatch(job, depsFor(copies.whole!, at, whole));
    // The series' participant list is never read: the batch's people come by key.
    const onlyRecipients = Object.assign(Object.create(copies.batch!) as Store, {
      listParticipants: () => Promise.reject(new Error('a batch of this kind must not read the whole series')),
    });
    const report = await dispatch({ ...job, recipients: BATCH }, { ...depsFor(onlyRecipients, at, batch), inFlight: 2 });
    expect(report.failed).toEqual([]);
    expect(batch.map((m) => m.to).sort()).toEqual(BATCH);
    const wholeTexts = await textsByRecipient(whole);
    for (const [email, text] of await textsByRecipient(batch)) expect(text).toBe(wholeTexts.get(email));
  });

  it('keeps at most `inFlight` sends outstanding, and sends everyone once', async () => {
    const store = copies.fanOut!;
    let open = 0;
    let most = 0;
    const to: string[] = [];
    // The first sends wait until three are open (and a little longer, time for a fourth to start
    // if the bound let it), so the bound is reached whatever the machine's speed.
    let release: () => void = () => {};
    const three = new Promise<void>((r) => (release = r));
    const deps = depsFor(store, new Date('2027-01-17T09:00:00Z'), []);
    const report = await dispatch(
      { kind: 'training', seriesId: SERIES, trainingSlug: 'company-communications' },
      {
        ...deps,
        inFlight: 3,
        send: async (mail) => {
          most = Math.max(most, ++open);
          if (open === 3) setTimeout(release, 100);
          await three;
          open--;
          to.push(mail.to);
          return `ses-${to.length}`;
        },
      },
    );
    expect(most).toBe(3);
    expect(report.sent).toHaveLength(to.length);
    expect(new Set(to).size).toBe(to.length);
    expect(to.length).toBeGreaterThan(3);
  });

  it('reads templates and calendars once per published version in a warm container', async () => {
    const store = copies.wholeAgain!;
    const reads = { templates: 0, calendars: 0 };
    const counting = Object.assign(Object.create(store) as Store, {
      getTemplates: (...a: Parameters<Store['getTemplates']>) => (reads.templates++, store.getTemplates(...a)),
      getCalendars: (...a: Parameters<Store['getCalendars']>) => (reads.calendars++, store.getCalendars(...a)),
    });
    const cache = new SeriesCache();
    const at = new Date('2027-01-17T09:00:00Z');
    const job: Job = { kind: 'training', seriesId: SERIES, trainingSlug: 'performance-reviews' };
    await dispatch({ ...job, recipients: [BATCH[0]!] }, { ...depsFor(counting, at, []), cache });
    await dispatch({ ...job, recipients: [BATCH[1]!] }, { ...depsFor(counting, at, []), cache });
    expect(reads).toEqual({ templates: 1, calendars: 1 });
    // Publishing again raises the version: the next batch reads afresh.
    await publishSeries(example, store, new Date('2026-12-02T00:00:00Z'));
    await dispatch({ ...job, recipients: ['ana.reyes@example.com'] }, { ...depsFor(counting, at, []), cache });
    expect(reads).toEqual({ templates: 2, calendars: 2 });
  });
  it('uses a series published again from the next batch on, not the one the container kept', async () => {
    const store = await seededCopy('republished');
    const cache = new SeriesCache();
    const at = new Date('2026-12-02T09:00:00Z');
    const job: Job = { kind: 'kickoff', seriesId: SERIES };
    // Everything a kickoff shows of the trainings: its text and each window's calendar file.
    const shown = async (mails: BuiltMail[]) => {
      const parsed = await Promise.all(mails.map((m) => simpleParser(m.raw)));
      return parsed.map((p) => [p.text ?? '', ...p.attachments.map((a) => a.content.toString('utf8'))].join('\n')).join('\n');
    };
    const first: BuiltMail[] = [];
    await dispatch({ ...job, recipients: [BATCH[0]!] }, { ...depsFor(store, at, first), cache });
    const published = (await store.getSeries(SERIES))!;
    // Published again (a training retitled): the series item's version goes up.
    const retitled = published.trainings.map((t) => (t.slug === SLUG ? { ...t, title: 'Retitled Talks' } : t));
    await store.putSeries(published.series, retitled, { publishedAt: published.publishedAt, version: published.version + 1 });
    await store.finishPublish(SERIES, published.version + 1);
    const next: BuiltMail[] = [];
    await dispatch({ ...job, recipients: [BATCH[1]!] }, { ...depsFor(store, at, next), cache });
    expect(first).toHaveLength(1);
    expect(next).toHaveLength(1);
    expect(await shown(first)).not.toContain('Retitled Talks');
    expect(await shown(next)).toContain('Retitled Talks');
  });
  it('keeps nothing a batch read while a publish was half written: the batch after it sends the new text', async () => {
    const store = await seededCopy('half-published');
    const cache = new SeriesCache();
    const at = new Date('2027-02-15T09:00:00Z');
    const job: Job = { kind: 'training', seriesId: SERIES, trainingSlug: 'performance-reviews' };
    const text = async (mails: BuiltMail[]) => (await simpleParser(mails[0]!.raw)).text ?? '';
    const NEW = 'Bring one question you have never asked your manager.';
    // The example with one more sentence in the training's text: its compiled template changes.
    const edited = mkdtempSync(join(tmpdir(), 'baton-half-published-'));
    try {
      cpSync(example, edited, { recursive: true });
      const file = join(edited, 'trainings', '03-performance-reviews.md');
      writeFileSync(file, `${readFileSync(file, 'utf8').trimEnd()}\n\n${NEW}\n`);

      const before: BuiltMail[] = [];
      await dispatch({ ...job, recipients: [BATCH[0]!] }, { ...depsFor(store, at, before), cache });
      // A batch of the same container runs after the publish wrote the new version's series item
      // and trainings, before its templates: exactly between the two.
      const during: BuiltMail[] = [];
      const midway = Object.assign(Object.create(store) as Store, {
        putTemplates: async (...a: Parameters<Store['putTemplates']>) => {
          await dispatch({ ...job, recipients: [BATCH[1]!] }, { ...depsFor(store, at, during), cache });
          return store.putTemplates(...a);
        },
      });
      const republished = await publishSeries(edited, midway, new Date('2026-12-02T00:00:00Z'));
      expect(republished.version).toBe(2);
      expect(during).toHaveLength(1);
      const after: BuiltMail[] = [];
      await dispatch({ ...job, recipients: ['ana.reyes@example.com'] }, { ...depsFor(store, at, after), cache });
      expect(await text(before)).not.toContain(NEW);
      expect(await text(after)).toContain(NEW);
      // And once settled, the version is kept again: a further batch reads no template.
      let templateReads = 0;
      const counting = Object.assign(Object.create(store) as Store, {
        getTemplates: (...a: Parameters<Store['getTemplates']>) => (templateReads++, store.getTemplates(...a)),
      });
      const later: BuiltMail[] = [];
      await dispatch({ ...job, recipients: ['lukas.becker@example.org'] }, { ...depsFor(counting, at, later), cache });
      expect(await text(later)).toContain(NEW);
      expect(templateReads).toBe(0);
    } finally {
      rmSync(edited, { recursive: true, force: true });
    }
  });
});

describe('the dispatch handler', () => {
  it('fans a wrap-up out in batches whose mails, together, are the whole send', async () => {
    const at = new Date('2027-03-20T10:00:00Z');
    const whole: BuiltMail[] = [];
    await dispatch({ kind: 'wrap-up', seriesId: SERIES }, depsFor(copies.wholeAgain!, at, whole));

    const queued: string[] = [];
    const fannedOut: BuiltMail[] = [];
    const base = depsFor(copies.fanOut!, at, fannedOut);
    const deps = { ...base, settings: async () => base.settings, batchSize: 4, queue: { sendAll: async (bodies: readonly string[]) => (queued.push(...bodies), { sent: bodies.length, calls: 1 }) } };
    const result = await createDispatchHandler(deps)({ kind: 'wrap-up', seriesId: SERIES });
    expect(result).toMatchObject({ fannedOut: { batches: 3 } });
    for (const body of queued) await runJob(JSON.parse(body) as Job, deps);

    expect(fannedOut.map((m) => m.to).sort()).toEqual(whole.map((m) => m.to).sort());
    const wholeTexts = await textsByRecipient(whole);
    for (const [email, text] of await textsByRecipient(fannedOut)) expect(text).toBe(wholeTexts.get(email));
  });
});
