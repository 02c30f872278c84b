import { parseArgs } from 'node:util';
import { join, relative } from 'node:path';
import { existsSync } from 'node:fs';
import { repoRoot } from '../repo-root.ts';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig, localSecret } from '#adapters/local/config';
import { syncSchedules } from '#app/publish';
import { localAudio, publishSeries } from '#cli/publish-series';
import type { AudioDeps } from '#app/audio';
import { loadParticipants, loadSeries } from '../series-dir.ts';
import { UserError } from '#core/user-error';
import { wireLocalStack } from '#adapters/local/wiring';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['dev'];

export const EXAMPLE_DIR = join(repoRoot(), 'examples', 'q1-productivity');

function parseStart(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(date.getTime())) {
    throw new UserError(`--from "${value}" is not a date: write it as 2027-01-20 or 2027-01-20T08:00:00Z.`);
  }
  return date;
}

function parseSpeed(value: string | undefined): number {
  if (value === undefined) return 1;
  const speed = Number(value);
  if (!Number.isFinite(speed) || speed <= 0) {
    throw new UserError(`--speed "${value}" is not a positive number: 1 is real time, 3600 runs an hour a second.`);
  }
  return speed;
}

/** On first start, the example series is published and its participants enrolled. */
async function bootstrap(stack: RunningStack, exampleDir: string, log: (s: string) => void, audio: AudioDeps): Promise<void> {
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  const store = createStore({ client, tableName: stack.config.tableName });
  try {
    const { series } = await loadSeries(exampleDir);
    if (await store.getSeries(series.id)) {
      log(`Series "${series.id}" is already published here; \`baton publish ${relative(process.cwd(), exampleDir) || '.'}\` updates it.`);
      return;
    }
    const published = await publishSeries(exampleDir, store, new Date(), { audio });
    const csv = join(exampleDir, 'participants.csv');
    if (existsSync(csv)) {
      const participants = await loadParticipants(csv, published.series);
      await store.putParticipants(published.series.id, participants);
      // Training sends are planned per participants' zones, so plan again now that they are in.
      await syncSchedules(store, published.series.id, new Date());
      log(`Published the example series "${published.series.id}" and enrolled ${participants.length} participants.`);
    } else {
      log(`Published the example series "${published.series.id}".`);
    }
  } finally {
    client.destroy();
  }
}

/** The banner's line on sender authentication: what a reply must prove, in plain words. */
export function authenticationLine(authenticate: boolean): string {
  return authenticate
    ? '  sender authentication: on — SPF/DKIM/DMARC checked with mailauth (system DNS), with the rules used on AWS'
    : "  sender authentication: off — any From is trusted as long as the reply address's token matches (--authenticate to check SPF/DKIM/DMARC)";
}

function banner(stack: RunningStack, speed: number, authenticate: boolean): string {
  const { endpoints, config } = stack;
  const data = relative(process.cwd(), config.dataDir) || '.';
  const clock = speed === 1 ? 'real time' : `${speed}× real time`;
  return [
    '',
    'Baton is running locally.',
    '',
    `  Trainer studio       ${endpoints.studio}     sign in with a trainer's address; the link lands in the outbox`,
    `  Outbox (sent mail)   ${endpoints.outbox}     by person, with calendars; reply as anyone`,
    `  SES (raw store)      ${endpoints.ses}/store`,
    `  One-click links      ${endpoints.links}`,
    `  Replies (SMTP)       ${endpoints.smtp.host}:${endpoints.smtp.port}           mail reply+…@${config.inboundDomain} here`,
    authenticationLine(authenticate),
    `  DynamoDB             ${endpoints.dynamo}`,
    `  Clock                ${stack.clock.now().toISOString()} (${clock})`,
    `  Data                 ${data}/ (kept across restarts; delete it to start over)`,
    '',
    'Next:',
    '  npx baton status q1-productivity          who has read and contributed',
    '  npx baton preview examples/q1-productivity --out out/preview   every email as files',
    `  npm start -- --speed 3600 --from 2027-01-20   watch the example series unfold`,
    '',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      speed: { type: 'string' },
      from: { type: 'string' },
      example: { type: 'string' },
      'no-example': { type: 'boolean' },
      authenticate: { type: 'boolean' },
    },
  });
  const speed = parseSpeed(values.speed);
  const start = parseStart(values.from);
  // Ctrl-C is taken from the first moment: one pressed while the servers start (or arriving just
  // as the banner prints) stops them cleanly instead of killing the process half-way.
  let requestStop = (): void => {};
  const stopRequested = new Promise<void>((resolve) => (requestStop = resolve));
  const onSignal = () => requestStop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const log = (line: string) => console.log(`[baton] ${line}`);
  const stack = await startLocalStack({
    config: localConfig(),
    clock: { ...(start ? { start } : {}), speed },
    log,
  }).catch((err: unknown) => {
    throw new UserError(err instanceof Error ? err.message : String(err));
  });

  const authenticate = values.authenticate ?? false;
  const product = wireLocalStack(stack, { secret: localSecret(stack.config.dataDir), now: () => stack.clock.now(), log, authenticate });
  // Said once per start, whether the example's publish noticed it or not.
  const said = new Set<string>();
  const sayOnce = (line: string) => void (said.has(line) || (said.add(line), log(line)));
  const audio = localAudio(stack.config, sayOnce);
  if (!values['no-example']) await bootstrap(stack, values.example ?? EXAMPLE_DIR, log, audio);
  const noAudio = await audio.synthesizer.unavailable();
  if (noAudio) sayOnce(`Audio versions skipped: ${noAudio}`);
  // The clock fires due schedule records through dispatch, once the example is in place.
  stack.setHandlers({ onTick: async (now) => void (await product.scheduler.fireDue(now, product.dispatchJob)) });
  console.log(banner(stack, speed, authenticate));

  await stopRequested;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  console.log('\nStopping…');
  await stack.stop();
  product.close();
  console.log('Stopped. Your data is in .data/.');
  return 0;
}
