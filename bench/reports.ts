// Reports at scale: a series of 5,000 participants × 4 trainings × 3 responses each in dynalite,
// beside an unrelated second series of the same size in the same table. Measures the digest
// (load with Queries + funnel + render + compose every trainer's mail) and the wiki export, and
// counts the DynamoDB requests each used — then grows the other series and counts again: the
// numbers must not move, because every read is a Query on this series' partition.
// Standalone: `npx tsx bench/reports.ts` prints the JSON result. BENCH_REPORTS_PARTICIPANTS
// shrinks the series for a quick run.
import { pathToFileURL } from 'node:url';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import type { Participant, Response, Series, Training } from '#core/model';
import { prepareDigestSend } from '#mail/compose';
import { computeFunnel, contributionsBetween } from '#core/report';
import { renderDigestBody, weekOf } from '#app/planners/digest';
import { exportWiki } from '#mail/wiki';
import { compileDigest } from '#emails/digest';
import { startDynalite } from '../test/support/dynalite.ts';

const PARTICIPANTS = Number(process.env.BENCH_REPORTS_PARTICIPANTS ?? 5_000);
const NOW = new Date('2027-03-01T09:00:00Z');
const SECRET = 'bench-reports-secret-0123456789abcdef';
const ZONES = ['America/New_York', 'Europe/Berlin', 'Asia/Brunei', 'Australia/Sydney'];

export function makeSeries(id: string): { series: Series; trainings: Training[] } {
  const series: Series = {
    id,
    title: `Bench series ${id}`,
    intro: '',
    trainers: [
      { name: 'Juliet Chen', email: 'juliet@example.com', timeZone: 'Asia/Brunei' },
      { name: 'Darcy Peters', email: 'darcy@example.com', timeZone: 'Europe/London' },
    ],
    defaultTimeZone: 'UTC',
    defaultWorkStart: '09:00',
    policies: {
      reminderDaysBeforeClose: 3,
      followUpWeeksAfterClose: 3,
      digest: { day: 'mon', hour: 9 },
      rollup: { day: 'fri', hour: 10 },
      encourage: { atLeast: 2, of: 4 },
      acknowledgeContributions: true,
    },
  };
  const trainings: Training[] = [1, 2, 3, 4].map((n) => ({
    slug: `training-${n}`,
    order: n,
    title: `Training number ${n}`,
    opens: `2027-0${n}-01`,
    closes: `2027-0${n}-14`,
    author: 'Juliet Chen',
    media: {},
    body: `The article of training ${n}.\n\nWith **two** paragraphs.`,
    strategies: [1, 2, 3].map((k) => ({ id: `strategy-${k}`, number: k, title: `Strategy ${k}`, body: `Why strategy ${k} works.` })),
  }));
  return { series, trainings };
}


/** Participants, a sent delivery per training, and 3 responses per participant and training. */
export async function seed(store: Store, id: string, count: number): Promise<void> {
  const { series, trainings } = makeSeries(id);
  await store.putSeries(series, trainings, { publishedAt: NOW, version: 1 });
  await store.finishPublish(series.id, 1);
  const participants: Participant[] = Array.from({ length: count }, (_, i) => ({
    email: `p${i}@${id}.example.com`,
    name: `Person ${i}`,
    timeZone: ZONES[i % ZONES.length]!,
    workStart: '09:00',
  }));
  await store.putParticipants(id, participants);
  const deliveries = participants.flatMap((p) => trainings.map((t) => `training#${t.slug}#${p.email}`));
  await store.importDeliveries(
    id,
    deliveries.map((emailId) => ({ emailId, status: 'sent' as const, attempts: 1, claimedAt: '2027-01-01T00:00:00.000Z', sesMessageId: 'bench', sentAt: '2027-01-01T00:00:00.000Z' })),
  );
  const responses: Response[] = [];
  participants.forEach((p, i) =>
    trainings.forEach((t, j) => {
      const base = { seriesId: id, trainingSlug: t.slug, participantEmail: p.email, links: [], attachments: [], source: `m-${i}-${j}` };
      const day = `2027-02-${String(10 + ((i + j) % 18)).padStart(2, '0')}T10:00:00.000Z`;
      responses.push(
        { ...base, id: `${i}-${j}-read`, intent: 'read', text: '', receivedAt: day },
        { ...base, id: `${i}-${j}-adopt`, intent: 'adopt', strategyId: `strategy-${1 + ((i + j) % 3)}`, text: `I will try it because reason ${i}.`, receivedAt: day },
        i % 3 === 0
          ? { ...base, id: `${i}-${j}-strategy`, intent: 'strategy', text: `My own strategy number ${i}: a paragraph of advice.`, receivedAt: day }
          : { ...base, id: `${i}-${j}-comment`, intent: 'comment', text: `Nice idea, person ${i - (i % 3)}!`, targetResponseId: `${i - (i % 3)}-${j}-strategy`, receivedAt: day },
      );
    }),
  );
  await store.importResponses(responses);
}

async function digestRun(store: Store, id: string) {
  const before = store.requests.total;
  const started = performance.now();
  const published = (await store.getSeries(id))!;
  const [participants, responses, deliveries] = await Promise.all([store.listParticipants(id), store.listResponses(id), store.listDeliveries(id, 'training#')]);
  const loaded = performance.now();
  const input = { series: published.series, trainings: published.trainings, participants, responses, deliveries };
  const funnel = computeFunnel(input);
  const since = new Date(NOW.getTime() - 7 * 86_400_000);
  const body = renderDigestBody({ funnel, news: contributionsBetween(input, since, NOW, { intents: ['strategy', 'comment'] }), since, now: NOW });
  const template = await templateFor(published.series);
  const mails = published.series.trainers.map((trainer) => {
    const week = weekOf(NOW, trainer.timeZone);
    const settings = { domain: 'baton.example.com', inboundDomain: 'in.baton.example.com', senderAddress: 'training@baton.example.com', linksBaseUrl: 'https://l.example.com', secrets: SECRET };
    return prepareDigestSend({ series: published.series, trainings: published.trainings, template, settings, now: NOW, week: week.week, weekLabel: week.label, body })(trainer);
  });
  const done = performance.now();
  return {
    ms: Math.round(done - started),
    loadMs: Math.round(loaded - started),
    computeAndComposeMs: Math.round(done - loaded),
    requests: store.requests.total - before,
    items: { participants: participants.length, responses: responses.length, deliveries: deliveries.length },
    mailBytes: mails.reduce((n, m) => n + m.raw.length, 0),
  };
}

async function exportRun(store: Store, id: string) {
  const before = store.requests.total;
  const started = performance.now();
  const published = (await store.getSeries(id))!;
  const [participants, responses, deliveries] = await Promise.all([store.listParticipants(id), store.listResponses(id), store.listDeliveries(id, 'training#')]);
  const loaded = performance.now();
  const wiki = exportWiki({ series: published.series, trainings: published.trainings, participants, responses, deliveries, exportedAt: NOW });
  const done = performance.now();
  return {
    ms: Math.round(done - started),
    loadMs: Math.round(loaded - started),
    renderMs: Math.round(done - loaded),
    requests: store.requests.total - before,
    files: wiki.files.length,
    bytes: wiki.files.reduce((n, f) => n + f.content.length, 0),
  };
}

let compiled: Awaited<ReturnType<typeof compileDigest>> | undefined;
async function templateFor(series: Series) {
  // Publish-time work, outside the measured runtime path in production too; compiled once here.
  compiled ??= await compileDigest(series);
  return compiled;
}

export async function benchReports(): Promise<object> {
  const db = await startDynalite();
  try {
    const store = createStore({ client: db.client, tableName: db.tableName });
    const seedStarted = performance.now();
    await seed(store, 'bench-series', PARTICIPANTS);
    await seed(store, 'other-series', Math.round(PARTICIPANTS / 2));
    const seedMs = Math.round(performance.now() - seedStarted);
    await templateFor(makeSeries('bench-series').series);
    const digest = await digestRun(store, 'bench-series');
    const wiki = await exportRun(store, 'bench-series');
    // Grow the unrelated series to full size: this series' reports must cost the same requests.
    await seed(createStore({ client: createDynamoClient({ endpoint: db.endpoint }), tableName: db.tableName }), 'other-series-2', PARTICIPANTS - Math.round(PARTICIPANTS / 2));
    const digestAfter = await digestRun(store, 'bench-series');
    const wikiAfter = await exportRun(store, 'bench-series');
    return {
      series: { participants: PARTICIPANTS, trainings: 4, responsesPerParticipantAndTraining: 3 },
      otherSeriesParticipants: { before: Math.round(PARTICIPANTS / 2), after: PARTICIPANTS },
      seedMs,
      digest,
      export: wiki,
      afterOtherSeriesGrew: { digest: digestAfter, export: wikiAfter },
      requestsIndependentOfOtherSeries: digest.requests === digestAfter.requests && wiki.requests === wikiAfter.requests,
    };
  } finally {
    await db.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchReports(), null, 2));
}
