// The trainer studio at scale: a series of 5,000 participants × 4 trainings × 3 responses each in
// dynalite (bench/reports.ts's seed), its templates compiled and stored as publish stores them,
// 200 open "needs a look" replies. Each page is requested through the studio's router in process
// (adapters/http/studio.ts, as the local server and the Lambda call it) with a signed-in trainer's
// cookie, and timed: the server time of the page, load from DynamoDB included, and the part of it
// spent after loading (the use case's arithmetic and the HTML). Median of 5 runs per page. The
// contributions and participants pages read one page of pointers (newest first / by name), the
// overview the running totals kept on write (core/tallies.ts) and one page of the people not engaged
// yet; publish's one-time backfill of those for a series stored before them (as the bulk-loaded
// seed is) is timed apart (backfillMs), and so is the wiki export, a download of everything rather
// than a page. `writeCost` counts the DynamoDB requests the counters add to the writes they ride on.
// Standalone: `npx tsx bench/studio.ts`. BENCH_STUDIO_PARTICIPANTS shrinks the series.
import { pathToFileURL } from 'node:url';
import { createStore } from '#adapters/aws/dynamo';
import { handleStudio, type StudioRequest } from '#adapters/http/studio';
import type { StudioDeps } from '#app/studio/access';
import { loadContributions } from '#app/studio/contributions';
import { loadOverview } from '#app/studio/overview';
import { loadParticipants } from '#app/studio/participants';
import { computeFunnel } from '#core/report';
import { participationByWeek, participationByZone } from '#core/participation';
import { signSession } from '#core/studio-tokens';
import { openSession } from '#app/studio/access';
import { compileTemplates } from '#emails/compile-series';
import { contributionsPage, overviewPage, participantsPage } from '#web/studio-pages';
import { startDynalite } from '../test/support/dynalite.ts';
import { makeSeries, seed } from './reports.ts';

const PARTICIPANTS = Number(process.env.BENCH_STUDIO_PARTICIPANTS ?? 5_000);
const NOW = new Date('2027-03-01T09:00:00Z');
const SECRET = 'bench-studio-secret-0123456789abcdef';
const SERIES = 'bench-series';
const RUNS = 5;
const BUDGET_MS = 200;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchStudio(): Promise<object> {
  const db = await startDynalite();
  try {
    const store = createStore({ client: db.client, tableName: db.tableName });
    const seedStarted = performance.now();
    await seed(store, SERIES, PARTICIPANTS);
    const { series, trainings } = makeSeries(SERIES);
    await store.putTemplates(SERIES, [...(await compileTemplates(series, trainings))].map(([name, email]) => [name, JSON.stringify(email)] as const));
    for (let i = 0; i < 200; i++) {
      await store.putNeedsLook({ id: `look-${i}`, seriesId: SERIES, trainingSlug: 'training-1', participantEmail: `p${i}@${SERIES}.example.com`, kind: i % 5 === 0 ? 'request' : 'unclear', text: `An unclear reply number ${i}.`, answers: 'training', source: `<look-${i}@x>`, receivedAt: '2027-02-20T10:00:00.000Z' });
    }
    const seedMs = Math.round(performance.now() - seedStarted);
    // The seed is a bulk load (BatchWrite, like a series stored before the pointers and counters
    // existed): publish readies the studio for it (feed and people pointers, every person's facts
    // and the overview's counters, rebuilt from the records), once; timed apart, it is no page's.
    const backfillStarted = performance.now();
    const prepared = await store.prepareStudio(SERIES);
    const backfillMs = Math.round(performance.now() - backfillStarted);
    if (!prepared.tallies) throw new Error('the bench series should have needed its counters built');

    const trainer = series.trainers[0]!.email;
    const session = signSession({ email: trainer, sessionId: 'bench-session', now: NOW }, SECRET).token;
    const deps: StudioDeps = {
      store,
      secrets: SECRET,
      mailer: async () => 'not-sent',
      now: NOW,
      newId: () => 'bench',
      settings: { studioUrl: 'http://localhost/studio', mail: { domain: 'baton.example.com', inboundDomain: 'in.baton.example.com', senderAddress: 'training@baton.example.com', linksBaseUrl: 'https://l.example.com', secrets: SECRET } },
    };
    const request = (path: string, query = ''): StudioRequest => ({ method: 'GET', path, query: new URLSearchParams(query), headers: { cookie: `baton_studio=${session}` }, body: Buffer.alloc(0), ip: '127.0.0.1' });
    const firstFeedPage = await loadContributions((await store.getSeries(SERIES))!, deps);
    const firstPeoplePage = await loadParticipants((await store.getSeries(SERIES))!, deps);
    const pages: Array<[string, string, string]> = [
      ['overview', `/studio/s/${SERIES}`, ''],
      ['contributions', `/studio/s/${SERIES}/contributions`, ''],
      ['contributions (older page)', `/studio/s/${SERIES}/contributions`, new URLSearchParams({ older: firstFeedPage.older ?? '' }).toString()],
      ['participants', `/studio/s/${SERIES}/participants`, ''],
      ['participants (next page)', `/studio/s/${SERIES}/participants`, new URLSearchParams({ after: firstPeoplePage.after ?? '' }).toString()],
      ['participants (search)', `/studio/s/${SERIES}/participants`, 'q=Person%2042'],
      ['trainings (preview page)', `/studio/s/${SERIES}/trainings`, `which=training-2&as=p17%40${SERIES}.example.com`],
      ['trainings (the email frame)', `/studio/s/${SERIES}/trainings/frame`, `which=training-2&as=p17%40${SERIES}.example.com`],
      ['series list', '/studio', ''],
      ['wiki export (.tar)', `/studio/s/${SERIES}/export`, ''],
    ];
    const results: Record<string, { ms: number; runsMs: number[]; bytes: number; status: number; withinBudget: boolean }> = {};
    for (const [name, path, query] of pages) {
      const runs: number[] = [];
      let bytes = 0;
      let status = 0;
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        const reply = await handleStudio(request(path, query), async () => deps);
        runs.push(Math.round((performance.now() - started) * 10) / 10);
        bytes = reply.body.length;
        status = reply.status;
      }
      results[name] = { ms: median(runs), runsMs: runs, bytes, status, withinBudget: median(runs) < BUDGET_MS };
    }
    // The wiki export is a download of everything the series holds, not a page: its time grows
    // with the series by nature, so it is reported apart and not held to the page budget.
    const exports = Object.fromEntries(Object.entries(results).filter(([name]) => name.startsWith('wiki export')));
    const pageResults = Object.fromEntries(Object.entries(results).filter(([name]) => !name.startsWith('wiki export')));

    // What every one of these pages read before they were paged, in this same run: the series'
    // participants, all its responses and its training deliveries (one run; it is the slow part
    // being compared), and with the funnel and participation computed from them, what the overview
    // did before it read the counters (wholeSeriesOverviewMs, without the HTML).
    const everythingStarted = performance.now();
    const [everyone, responses, deliveries] = await Promise.all([store.listParticipants(SERIES), store.listResponses(SERIES), store.listDeliveries(SERIES, 'training#')]);
    const loadEverythingMs = Math.round(performance.now() - everythingStarted);
    const funnel = computeFunnel({ series: series, trainings, participants: everyone, responses, deliveries });
    const [weeks, zones] = [participationByWeek(responses), participationByZone(everyone, responses)];
    const wholeSeriesOverviewMs = Math.round(performance.now() - everythingStarted);

    // The part after loading: the same views rendered from data already in memory.
    const published = (await store.getSeries(SERIES))!;
    const s = openSession(session, deps)!;
    const [overview, contributions, participants] = [await loadOverview(published, deps), await loadContributions(published, deps), await loadParticipants(published, deps)];

    // The overview's numbers against computeFunnel / participation over every record (what the page computed before).
    const o = overview.funnel;
    const sameNumbers =
      JSON.stringify([o.participants, o.stages, o.goal, o.trainings.map((t) => t.stages), o.weeks, o.zones, o.quiet]) ===
      JSON.stringify([funnel.participants, funnel.stages, funnel.goal, funnel.trainings.map((t) => t.stages), weeks, zones, funnel.notEngaged.length]);

    // What keeping the counters costs the writes they ride on (DynamoDB requests, this store).
    const cost = async (what: () => Promise<unknown>) => {
      const before = store.requests.total;
      await what();
      return store.requests.total - before;
    };
    const newcomer = `newcomer@${SERIES}.example.com`;
    const writeCost = {
      enrolOne: await cost(() => store.putParticipants(SERIES, [{ email: newcomer, name: 'New Comer', timeZone: 'Europe/Berlin', workStart: '09:00' }])),
      trainingSent: await cost(async () => {
        await store.claimDelivery(SERIES, `training#training-1#${newcomer}`, { now: NOW, leaseMs: 60_000 });
        await store.completeDelivery(SERIES, `training#training-1#${newcomer}`, { sesMessageId: 'bench-new', sentAt: NOW });
      }),
      replyStored: await cost(() => store.putResponse({ seriesId: SERIES, trainingSlug: 'training-1', participantEmail: newcomer, id: 'bench-new-adopt', intent: 'adopt', strategyId: 'strategy-1', text: '', links: [], attachments: [], source: 'bench-new', receivedAt: '2027-02-20T10:00:00.000Z' })),
      replyRedelivered: await cost(() => store.putResponse({ seriesId: SERIES, trainingSlug: 'training-1', participantEmail: newcomer, id: 'bench-new-adopt', intent: 'adopt', strategyId: 'strategy-1', text: '', links: [], attachments: [], source: 'bench-new', receivedAt: '2027-02-20T10:00:00.000Z' })),
      replyWithdrawn: await cost(() => store.withdrawResponse({ seriesId: SERIES, trainingSlug: 'training-1', id: 'bench-new-adopt' }, { at: NOW })),
    };
    const renderOnly = (fn: () => string) => {
      const runs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const started = performance.now();
        fn();
        runs.push(performance.now() - started);
      }
      return Math.round(median(runs) * 10) / 10;
    };
    return {
      series: { participants: PARTICIPANTS, trainings: 4, responses: PARTICIPANTS * 12, needsLook: 200 },
      budgetMs: BUDGET_MS,
      seedMs,
      backfillMs,
      loadEverythingMs,
      wholeSeriesOverviewMs,
      overviewEqualsFullRecomputation: sameNumbers,
      writeCost,
      pages: pageResults,
      exports,
      renderOnlyMs: {
        overview: renderOnly(() => overviewPage(overview, s)),
        contributions: renderOnly(() => contributionsPage(contributions, s)),
        participants: renderOnly(() => participantsPage(participants, s, NOW)),
      },
      allPagesWithinBudget: Object.values(pageResults).every((r) => r.withinBudget),
      overPageBudget: Object.entries(pageResults).filter(([, r]) => !r.withinBudget).map(([name]) => name),
    };
  } finally {
    await db.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchStudio(), null, 2));
}
