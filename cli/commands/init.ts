// `baton init <dir>`: writes a new series folder that validates as written. On a terminal it asks
// for what it was not given; anywhere else (CI, a pipe, a test) it takes the flags and defaults
// and never waits for input.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '#core/user-error';
import { FriendlyTimeZoneSchema, timeZoneMessage } from '#core/zones';
import { COMMANDS } from '../catalogue.ts';
import { parseTrainer, scaffoldSeries, seriesIdFrom, type ScaffoldAnswers, type Trainer } from '../scaffold.ts';
import { ask, canPrompt } from '../terminal.ts';
import { displayPath } from '../series-dir.ts';

export const { summary, usage } = COMMANDS['init'];

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The Monday after today, in the machine's own calendar: a first window that is still ahead. */
function nextMonday(today = new Date()): string {
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  d.setDate(d.getDate() + (((8 - d.getDay()) % 7) || 7));
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function machineZone(): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return zone && zone.includes('/') ? zone : 'Europe/London';
}

function positiveInt(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UserError(`${flag} "${value}" is not a whole number from 1 to ${max}.`);
  return n;
}

function trainerOrThrow(text: string): Trainer {
  const trainer = parseTrainer(text);
  if (!trainer) throw new UserError(`--trainer "${text}" is not "Name <email>": write it as --trainer "Maya Okafor <maya@example.com>".`);
  return trainer;
}

/** The canonical spelling of a zone, or a UserError that suggests one. */
function checkZone(zone: string): string {
  const parsed = FriendlyTimeZoneSchema.safeParse(zone);
  if (!parsed.success) throw new UserError(`time zone: ${timeZoneMessage(zone)}`);
  return parsed.data;
}

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      title: { type: 'string' },
      trainer: { type: 'string', multiple: true },
      'time-zone': { type: 'string' },
      opens: { type: 'string' },
      trainings: { type: 'string' },
      days: { type: 'string' },
      yes: { type: 'boolean', short: 'y', default: false },
    },
  });
  const [dir, ...extra] = positionals;
  if (!dir || extra.length) throw new UserError(`expected one folder to create.\nUsage: baton ${usage}`);
  if (existsSync(dir) && readdirSync(dir).length > 0) {
    throw new UserError(`${displayPath(resolve(dir))} already exists and is not empty: pick a new folder name, or empty it first.`);
  }
  const interactive = canPrompt() && !values.yes;
  const question = async (text: string, fallback: string, given: string | undefined) =>
    given ?? (interactive ? ask(text, fallback) : fallback);

  const title = await question('Series title', 'Our training series', values.title);
  let trainers: Trainer[];
  if (values.trainer?.length) trainers = values.trainer.map(trainerOrThrow);
  else if (interactive) {
    trainers = [];
    for (;;) {
      const answer = await ask(trainers.length ? 'Another trainer (empty when done)' : 'Trainer, as "Name <email>"', trainers.length ? '' : 'Your Name <you@example.com>');
      if (!answer) break;
      const trainer = parseTrainer(answer);
      if (trainer) trainers.push(trainer);
      else console.log('  Write it as: Maya Okafor <maya@example.com>');
    }
  } else trainers = [{ name: 'Your Name', email: 'you@example.com' }];

  let timeZone = await question('Time zone of the trainers and most people', machineZone(), values['time-zone']);
  for (;;) {
    try {
      timeZone = checkZone(timeZone);
      break;
    } catch (err) {
      if (!interactive || values['time-zone'] !== undefined) throw err;
      console.log(`  ${timeZoneMessage(timeZone)}`);
      timeZone = await ask('Time zone (Region/City)', machineZone());
    }
  }
  const opens = await question('First training opens on (YYYY-MM-DD)', nextMonday(), values.opens);
  if (!DATE.test(opens) || Number.isNaN(Date.parse(opens))) throw new UserError(`the first date "${opens}" is not a date: write it as 2027-01-21.`);
  const trainings = positiveInt(await question('Number of trainings', '4', values.trainings), 'the number of trainings', 52);
  const days = positiveInt(await question('Days each training stays open', '14', values.days), 'the days each training stays open', 90);

  const answers: ScaffoldAnswers = { id: seriesIdFrom(basename(resolve(dir))), title, trainers, timeZone, opens, trainings, days };
  for (const [path, text] of scaffoldSeries(answers)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  const shown = displayPath(resolve(dir));
  console.log(
    [
      `Created the series "${title}" (${answers.id}) in ${shown}:`,
      `  series.yaml           who runs it and how it behaves (every key explained inside)`,
      `  trainings/            ${trainings} training${trainings === 1 ? '' : 's'}, ${days} days each from ${opens}: replace each TODO with your article`,
      `  participants.csv      3 sample people: replace them with yours (email,name,timeZone,workStart)`,
      '',
      'Next:',
      `  baton validate ${shown}              check it; every problem comes with file:line`,
      `  baton publish ${shown} --dry-run     see who gets what, and when, before anything is sent`,
    ].join('\n'),
  );
  return 0;
}
