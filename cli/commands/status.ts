// `baton status <series-id>`: the participation funnel in the terminal, one aligned table per
// training plus the series as a whole; `--json` prints the funnel object for scripts.
import { parseArgs } from 'node:util';
import { computeFunnel, percent, STAGE_LABELS, type SeriesFunnel, type StageCount } from '#core/report';
import { describeStanding, people, type SeriesStanding } from '#core/publish-plan';
import type { Series, Training } from '#core/model';
import type { Delivery } from '#core/records';
import type { Store } from '#adapters/aws/dynamo';
import { openTarget, type Target } from '../target.ts';
import { UserError } from '#core/user-error';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['status'];

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function stageTable(stages: readonly StageCount[]): string {
  return table(
    ['stage', 'people', 'rate', 'of'],
    stages.map((s) => [STAGE_LABELS[s.stage], String(s.count), s.stage === 'sent' ? '' : percent(s.rate), s.stage === 'sent' ? '' : s.base]),
  );
}

/** The funnel as `baton status` and `baton simulate` print it; with `standing`, who is enrolled and what goes out next first. */
export function formatFunnel(f: SeriesFunnel, standing?: SeriesStanding, target?: Target): string {
  const p = f.participants;
  const out: string[] = [`${f.title} (${f.seriesId})`];
  if (standing) out.push(...formatStanding(standing, target));
  else out.push(`${p.total} ${p.total === 1 ? 'person' : 'people'} enrolled: ${p.active} active, ${p.bounced} bounced, ${p.unsubscribed} unsubscribed.`);
  if (f.goal) {
    out.push(`Goal: ${f.goal.reached} of ${f.goal.participants} contributed to at least ${f.goal.atLeast} of ${f.goal.of} trainings (${percent(f.goal.rate)})`);
  }
  for (const t of f.trainings) {
    out.push('', `${t.order}. ${t.title} (${t.opens} – ${t.closes})`, stageTable(t.stages));
    out.push(`Strategies shared ${t.strategiesShared} · comments ${t.comments} · kudos ${t.kudos} · not engaged ${t.notEngaged.length}`);
    const adopted = t.stages.find((s) => s.stage === 'adopted')!.count;
    const answeredBy = t.stages.find((s) => s.stage === 'followedUp')!.count;
    if (t.adoptions || t.checkIns.sent) {
      out.push(
        `Adoptions ${t.adoptions} by ${people(adopted)} · check-ins sent ${t.checkIns.sent} (one per adopted strategy), ` +
          `answered ${t.checkIns.answered} by ${people(answeredBy)}`,
      );
    }
    const adoptedStrategies = t.strategies.filter((s) => s.adopters > 0);
    if (adoptedStrategies.length) {
      out.push(
        table(
          ['strategy', 'adopters', 'rating'],
          adoptedStrategies.map((s) => [`#${s.number} ${s.title}`, String(s.adopters), s.ratings.average === null ? '' : `${s.ratings.average.toFixed(1)}/5`]),
        ),
      );
    }
  }
  out.push('', 'Whole series (distinct people)', stageTable(f.stages));
  if (f.ratings.total) out.push(`Follow-up ratings: ${f.ratings.total}, average ${f.ratings.average!.toFixed(1)}/5 (1–5: ${f.ratings.counts.join(' ')})`);
  out.push(`Not engaged yet: ${f.notEngaged.length}${f.notEngaged.length ? ` (${f.notEngaged.slice(0, 10).map((n) => n.email).join(', ')}${f.notEngaged.length > 10 ? ', …' : ''})` : ''}`);
  return out.join('\n');
}

/** Who is enrolled and what has gone out or goes out next, from the participants and the ledger's kickoffs and trainings. */
export function standingOf(
  published: { series: Series; trainings: Training[] },
  participants: Parameters<typeof describeStanding>[0]['participants'],
  deliveries: readonly Delivery[],
  now = new Date(),
): SeriesStanding {
  const sentEmailIds = deliveries.filter((d) => d.status === 'sent').map((d) => d.emailId);
  return describeStanding({ series: published.series, trainings: published.trainings, participants, sentEmailIds, now });
}

/** The same, read from the store (for commands that have not listed the deliveries already). */
export async function readStanding(store: Store, published: { series: Series; trainings: Training[] }): Promise<SeriesStanding> {
  const id = published.series.id;
  const [participants, trainings, kickoffs] = await Promise.all([store.listParticipants(id), store.listDeliveries(id, 'training#'), store.listDeliveries(id, 'kickoff#')]);
  return standingOf(published, participants, [...kickoffs, ...trainings]);
}

/**
 * "12 people enrolled: …" as a sentence, then one indented line per email of the series. On the
 * local target with no `baton dev` running, says that nothing goes out until it runs.
 */
export function formatStanding(standing: SeriesStanding, target?: Target): string[] {
  const stopped = target?.name === 'local' && !target.stackRunning;
  return [
    `${standing.people[0]!.toUpperCase()}${standing.people.slice(1)}.`,
    ...standing.lines.map((l) => `  ${l}`),
    ...(stopped ? ['Nothing goes out while the local stack is stopped: `npm start` sends whatever is due.'] : []),
  ];
}

/**
 * What an operator should know when the series' last publish never finished (app/publish.ts
 * finishPublish): sending works, but every batch reads the whole series again.
 */
export function unfinishedPublish(version: number): string {
  return (
    `The publish of version ${version} has not finished: it is still running, or it stopped halfway. ` +
    'Until a publish finishes, every send reads the whole series again (slower, never wrong). ' +
    'If no publish is running, publish the series again.'
  );
}

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, target: { type: 'string' } },
  });
  const [seriesId] = positionals;
  if (!seriesId) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const target = await openTarget(values.target);
  try {
    const published = await target.store.getSeries(seriesId);
    if (!published) {
      throw new UserError(`no series "${seriesId}" is published on the ${target.name} target: check the id, or run \`baton publish <series-dir>\` first.`);
    }
    const [current, participants, responses, deliveries, kickoffs, checkIns] = await Promise.all([
      target.store.getSeriesVersion(seriesId),
      target.store.listParticipants(seriesId),
      target.store.listResponses(seriesId),
      target.store.listDeliveries(seriesId, 'training#'),
      target.store.listDeliveries(seriesId, 'kickoff#'),
      target.store.listDeliveries(seriesId, 'follow-up#'),
    ]);
    const funnel = computeFunnel({ series: published.series, trainings: published.trainings, participants, responses, deliveries: [...deliveries, ...checkIns] });
    const standing = standingOf(published, participants, [...kickoffs, ...deliveries]);
    const finished = current?.settled !== false;
    console.log(
      values.json
        ? JSON.stringify({ ...funnel, standing, publish: { version: current?.version ?? published.version, finished } }, null, 2)
        : [formatFunnel(funnel, standing, target), ...(finished ? [] : ['', unfinishedPublish(current!.version)])].join('\n'),
    );
    return 0;
  } finally {
    await target.close();
  }
}
