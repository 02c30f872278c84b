// `baton validate <series-dir>`: checks a series folder (and its participants.csv, if any) the
// way a compiler checks code, printing every problem as file:line:col so an editor can jump to
// it, and exits 1 when anything must be fixed before publishing.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Problem } from '#core/problem';
import { parseSeries } from '#core/series';
import type { Participant, Series, Training } from '#core/model';
import { checkParticipants, displayPath, formatProblem, readSeriesDir } from '#cli/series-dir';
import { UserError } from '#core/user-error';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['validate'];

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { participants: { type: 'string' } },
  });
  const [dir, ...extra] = positionals;
  if (!dir || extra.length > 0) throw new UserError(`expected one series folder.\nUsage: baton ${usage}`);

  const result = parseSeries(await readSeriesDir(dir));
  const errors: string[] = [];
  const warnings: string[] = [];
  const collect = (list: Problem[], base: string, into: string[], severity: 'error' | 'warning') =>
    into.push(...list.map((p) => formatProblem(p, base, severity)));
  if (result.ok) collect(result.warnings, dir, warnings, 'warning');
  else {
    collect(result.errors, dir, errors, 'error');
    collect(result.warnings, dir, warnings, 'warning');
  }

  const csvPath = values.participants ?? join(dir, 'participants.csv');
  let participants: Participant[] | undefined;
  if (values.participants !== undefined || existsSync(csvPath)) {
    // With a broken series.yaml the defaults are unknown; rows are still checked for everything
    // else, and empty cells simply take a stand-in default.
    const defaults = result.ok ? result.series : { defaultTimeZone: 'UTC', defaultWorkStart: '09:00' };
    const csv = await checkParticipants(csvPath, defaults);
    collect(csv.errors, '', errors, 'error');
    collect(csv.warnings, '', warnings, 'warning');
    participants = csv.participants;
  }

  for (const line of [...errors, ...warnings]) console.error(line);
  if (errors.length > 0) {
    console.error(`\n${errors.length} error${errors.length === 1 ? '' : 's'}${warnings.length ? `, ${warnings.length} warning${warnings.length === 1 ? '' : 's'}` : ''} in ${displayPath(dir)}: fix them and run baton validate again.`);
    return 1;
  }
  if (!result.ok) return 1;
  console.log(describeSeries(result.series, result.trainings, participants));
  return 0;
}

const DAY_NAMES: Record<string, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "2027-01-21" -> "Thu 21 Jan" (with the year when asked). Calendar dates have no zone. */
function formatDay(date: string, withYear: boolean): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const weekday = WEEKDAYS[new Date(Date.UTC(y, m - 1, d)).getUTCDay()];
  return `${weekday} ${d} ${MONTHS[m - 1]}${withYear ? ` ${y}` : ''}`;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

/** The summary a trainer reads when the series is clean. */
export function describeSeries(series: Series, trainings: Training[], participants?: Participant[]): string {
  const out: string[] = [];
  out.push(`${series.title} (${series.id}) is ready.`, '');
  out.push(`Trainers: ${series.trainers.map((t) => `${t.name} (${t.timeZone})`).join(', ')}`, '');
  out.push(`${plural(trainings.length, 'training')}:`);
  const titleWidth = Math.max(...trainings.map((t) => t.title.length));
  for (const [i, t] of trainings.entries()) {
    const sameYear = t.opens.slice(0, 4) === t.closes.slice(0, 4);
    const window = `${formatDay(t.opens, !sameYear)} – ${formatDay(t.closes, true)}`;
    const media = Object.keys(t.media).length ? `  + ${Object.keys(t.media).join(', ')}` : '';
    out.push(`  ${i + 1}. ${t.title.padEnd(titleWidth)}  ${window.padEnd(32)} ${plural(t.strategies.length, 'strategy', 'strategies')}${media}`);
  }
  const p = series.policies;
  const hour = (h: number) => `${String(h).padStart(2, '0')}:00`;
  out.push(
    '',
    'Policies:',
    `  reminder ${plural(p.reminderDaysBeforeClose, 'day')} before a window closes; follow-up ${plural(p.followUpWeeksAfterClose, 'week')} after`,
    `  trainer digest ${DAY_NAMES[p.digest.day]} ${hour(p.digest.hour)}; team roll-up ${DAY_NAMES[p.rollup.day]} ${hour(p.rollup.hour)} (local time)`,
  );
  if (p.encourage) out.push(`  everyone is encouraged to contribute to at least ${p.encourage.atLeast} of ${p.encourage.of} trainings`);
  if (participants) {
    const byZone = new Map<string, number>();
    for (const x of participants) byZone.set(x.timeZone, (byZone.get(x.timeZone) ?? 0) + 1);
    const zones = [...byZone.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
    out.push('', `${plural(participants.length, 'participant')} in ${plural(zones.length, 'time zone')}:`);
    const width = Math.max(...zones.map(([z]) => z.length));
    for (const [zone, count] of zones) out.push(`  ${zone.padEnd(width)}  ${count}`);
  } else {
    out.push('', 'No participants.csv in this folder; pass --participants <file.csv> to check one.');
  }
  return out.join('\n');
}
