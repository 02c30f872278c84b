// `baton status <series-id>`: the participation funnel in the terminal, one aligned table per
// training plus the series as a whole; `--json` prints the funnel object for scripts.
import { parseArgs } from 'node:util';
import { computeFunnel, percent, STAGE_LABELS, type SeriesFunnel, type StageCount } from '#core/report';
import { openTarget } from '../target.ts';
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

export function formatFunnel(f: SeriesFunnel): string {
  const p = f.participants;
  const out: string[] = [
    `${f.title} (${f.seriesId})`,
    `Participants: ${p.total} (${p.active} active, ${p.bounced} bounced, ${p.unsubscribed} unsubscribed)`,
  ];
  if (f.goal) {
    out.push(`Goal: ${f.goal.reached} of ${f.goal.participants} contributed to at least ${f.goal.atLeast} of ${f.goal.of} trainings (${percent(f.goal.rate)})`);
  }
  for (const t of f.trainings) {
    out.push('', `${t.order}. ${t.title} (${t.opens} – ${t.closes})`, stageTable(t.stages));
    out.push(`Strategies shared ${t.strategiesShared} · comments ${t.comments} · kudos ${t.kudos} · not engaged ${t.notEngaged.length}`);
    const adopted = t.strategies.filter((s) => s.adopters > 0);
    if (adopted.length) {
      out.push(
        table(
          ['strategy', 'adopters', 'rating'],
          adopted.map((s) => [`#${s.number} ${s.title}`, String(s.adopters), s.ratings.average === null ? '' : `${s.ratings.average.toFixed(1)}/5`]),
        ),
      );
    }
  }
  out.push('', 'Whole series (distinct people)', stageTable(f.stages));
  if (f.ratings.total) out.push(`Follow-up ratings: ${f.ratings.total}, average ${f.ratings.average!.toFixed(1)}/5 (1–5: ${f.ratings.counts.join(' ')})`);
  out.push(`Not engaged yet: ${f.notEngaged.length}${f.notEngaged.length ? ` (${f.notEngaged.slice(0, 10).map((n) => n.email).join(', ')}${f.notEngaged.length > 10 ? ', …' : ''})` : ''}`);
  return out.join('\n');
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
    const [participants, responses, deliveries] = await Promise.all([
      target.store.listParticipants(seriesId),
      target.store.listResponses(seriesId),
      target.store.listDeliveries(seriesId, 'training#'),
    ]);
    const funnel = computeFunnel({ series: published.series, trainings: published.trainings, participants, responses, deliveries });
    console.log(values.json ? JSON.stringify(funnel, null, 2) : formatFunnel(funnel));
    return 0;
  } finally {
    await target.close();
  }
}
