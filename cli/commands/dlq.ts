// `baton dlq list|replay`: what failed, and running it again.
//
// --target aws reads the five failure queues named in the service stack's outputs (scheduler,
// dispatch, fan-out, inbound, mail-events; cli/dead-letters.ts says what each holds).
//   list:   receive with MessageAttributeNames All, then make each message visible again, so the
//           queue (and its alarm) is as it was;
//   replay: receive, re-drive each chosen message (Lambda Invoke, InvocationType Event, with the
//           original event; or SendMessage back to the fan-out queue), and delete it only once
//           that call succeeded. A failed re-drive leaves the message in its queue.
// --target local (the default) reads the local clock's failed jobs: after 3 attempts (or an error
// no retry can fix) a schedule record is marked failed. replay runs the job through the same
// dispatch the clock uses when `baton dev` is up, otherwise queues it for the next start.
// Re-driving is safe because the core is idempotent: the delivery ledger sends each email once and
// a reply's Message-ID is recorded once.
import { parseArgs } from 'node:util';
import { AwsDeadLetters, createDeadLetterClients, peek, REPLAY_VISIBILITY_SECONDS, type DeadLetterPort } from '#adapters/aws/dead-letters';
import type { Store } from '#adapters/aws/dynamo';
import { JobSchema } from '#core/jobs';
import { nextCronOccurrence, type ScheduleRecord } from '#core/schedule-plan';
import { openAwsTarget } from '../aws-target.ts';
import { describeJob, formatDeadLetter, interpret, QUEUE_NAMES, QUEUE_TITLES, type DeadLetter, type FailureQueues, type QueueName } from '../dead-letters.ts';
import { localDispatch, type DispatchFn } from '#adapters/local/scheduler';
import { openTarget } from '../target.ts';
import { UserError } from '#core/user-error';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['dlq'];

/** Messages read per queue; a queue holding more says so. */
export const MAX_PER_QUEUE = 100;

export interface ReplayReport {
  replayed: DeadLetter[];
  failed: Array<{ letter: DeadLetter; error: string }>;
  /** Ids asked for that are in none of the queues read. */
  notFound: string[];
}

export interface Selection {
  ids?: readonly string[];
  all?: boolean;
}

const selected = (selection: Selection, id: string) => selection.all === true || (selection.ids ?? []).includes(id);
const describeError = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

// --- AWS -------------------------------------------------------------------------------------

export async function listAws(port: DeadLetterPort, where: FailureQueues, queues: readonly QueueName[] = QUEUE_NAMES): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  for (const queue of queues) {
    for (const message of await peek(port, where.queues[queue], MAX_PER_QUEUE)) letters.push(interpret(queue, message, where));
  }
  return letters;
}

export async function replayAws(port: DeadLetterPort, where: FailureQueues, selection: Selection, queues: readonly QueueName[] = QUEUE_NAMES): Promise<ReplayReport> {
  const report: ReplayReport = { replayed: [], failed: [], notFound: [] };
  const found = new Set<string>();
  for (const queue of queues) {
    const url = where.queues[queue];
    for (const message of await port.receive(url, MAX_PER_QUEUE, REPLAY_VISIBILITY_SECONDS)) {
      const letter = interpret(queue, message, where);
      if (!selected(selection, letter.id)) {
        await port.release(url, message.receiptHandle);
        continue;
      }
      found.add(letter.id);
      const redrive = letter.redrive;
      if (!redrive) {
        await port.release(url, message.receiptHandle);
        report.failed.push({ letter, error: 'Baton cannot read this message, so it was left in its queue' });
        continue;
      }
      try {
        if (redrive.kind === 'invoke') await port.invokeAsync(redrive.functionArn, redrive.payload);
        else await port.send(redrive.queueUrl, redrive.body);
      } catch (error) {
        // Not re-driven: the message goes back as it was, to be replayed once the cause is fixed.
        await port.release(url, message.receiptHandle);
        report.failed.push({ letter, error: describeError(error) });
        continue;
      }
      await port.remove(url, message.receiptHandle);
      report.replayed.push(letter);
    }
  }
  report.notFound = (selection.ids ?? []).filter((id) => !found.has(id));
  return report;
}

// --- local -----------------------------------------------------------------------------------

type StoredSchedule = ScheduleRecord & { seriesId: string };

const localId = (r: StoredSchedule) => `${r.seriesId}/${r.name}`;

function localLetter(r: StoredSchedule): DeadLetter {
  const attempts = r.attempts ? ` (after ${r.attempts} attempt${r.attempts === 1 ? '' : 's'})` : '';
  return {
    queue: 'local',
    id: localId(r),
    receiptHandle: '',
    at: new Date(r.at),
    what: describeJob(r.job),
    error: `${r.lastError ?? 'no error recorded'}${attempts}`,
    redrive: { kind: 'invoke', functionArn: 'local', what: 'dispatch', payload: JSON.stringify(r.job) },
  };
}

export async function listLocal(store: Store): Promise<DeadLetter[]> {
  return (await store.listFailedSchedules()).map(localLetter);
}

/**
 * With `run` (the stack is up): runs each chosen job now through dispatch; a success marks it done
 * (a recurring one moves to its next occurrence), a failure keeps it failed with the new error.
 * Without `run`: each chosen job becomes pending again, due now, for the clock of the next `baton dev`.
 */
export async function replayLocal(store: Store, selection: Selection, now: Date, run?: DispatchFn): Promise<ReplayReport & { queued: DeadLetter[] }> {
  const report: ReplayReport & { queued: DeadLetter[] } = { replayed: [], failed: [], notFound: [], queued: [] };
  const failed = await store.listFailedSchedules();
  const chosen = failed.filter((r) => selected(selection, localId(r)));
  report.notFound = (selection.ids ?? []).filter((id) => !failed.some((r) => localId(r) === id));
  for (const r of chosen) {
    const { seriesId, ...record } = r;
    const letter = localLetter(r);
    if (!run) {
      await store.putSchedule(seriesId, { ...record, state: 'pending', at: now.toISOString(), attempts: 0 });
      report.queued.push(letter);
      continue;
    }
    const job = JobSchema.safeParse(r.job);
    if (!job.success) {
      report.failed.push({ letter, error: 'the stored job is not a valid job any more: re-publish the series' });
      continue;
    }
    try {
      await run(job.data, now);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await store.putSchedule(seriesId, { ...record, lastError: reason });
      report.failed.push({ letter, error: reason });
      continue;
    }
    const { lastError: _cleared, ...rest } = record;
    if (record.cron) {
      const next = nextCronOccurrence(record.cron, now);
      const ended = record.cron.end !== undefined && next.getTime() > Date.parse(record.cron.end);
      await store.putSchedule(seriesId, { ...rest, state: ended ? 'done' : 'pending', at: ended ? record.at : next.toISOString(), attempts: 0 });
    } else {
      await store.putSchedule(seriesId, { ...rest, state: 'done' });
    }
    report.replayed.push(letter);
  }
  return report;
}

// --- the command -----------------------------------------------------------------------------

function formatList(letters: readonly DeadLetter[], queues: readonly string[]): string {
  if (letters.length === 0) return `Nothing failed: ${queues.join(', ')} ${queues.length === 1 ? 'is' : 'are'} empty.`;
  const lines = [`${letters.length} failure${letters.length === 1 ? '' : 's'}:`, ''];
  for (const letter of letters) lines.push(formatDeadLetter(letter), '');
  lines.push('Run `baton dlq replay --id <id>` for one, or `baton dlq replay --all`, once the cause is fixed.');
  return lines.join('\n');
}

function formatReport(report: ReplayReport & { queued?: DeadLetter[] }): string {
  const lines: string[] = [];
  for (const l of report.replayed) lines.push(`Replayed ${l.id}: ${l.what}.`);
  for (const l of report.queued ?? []) lines.push(`Queued ${l.id} (${l.what}): it runs when \`baton dev\` next starts.`);
  for (const f of report.failed) lines.push(`Not replayed ${f.letter.id} (${f.letter.what}): ${f.error}. It stays where it was.`);
  for (const id of report.notFound) lines.push(`No failure with id ${id}: \`baton dlq list\` shows the ids.`);
  if (lines.length === 0) lines.push('Nothing to replay: no failures.');
  return lines.join('\n');
}

function parseQueue(value: string | undefined, target: string): QueueName[] {
  if (value === undefined) return [...QUEUE_NAMES];
  if (target === 'local') throw new UserError('--queue is for --target aws: locally there is one list, the clock’s failed jobs.');
  if (!(QUEUE_NAMES as readonly string[]).includes(value)) {
    throw new UserError(
      `no queue "${value}". The queues are:\n${QUEUE_NAMES.map((q) => `  ${q.padEnd(12)} ${QUEUE_TITLES[q]}`).join('\n')}`,
    );
  }
  return [value as QueueName];
}

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { target: { type: 'string' }, queue: { type: 'string' }, id: { type: 'string', multiple: true }, all: { type: 'boolean', default: false } },
  });
  const [action] = positionals;
  if (action !== 'list' && action !== 'replay') {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const targetName = values.target ?? 'local';
  const queues = parseQueue(values.queue, targetName);
  const selection: Selection = { ids: values.id ?? [], all: values.all };
  if (action === 'replay' && !values.all && (values.id ?? []).length === 0) {
    throw new UserError('say what to replay: --id <id> (from `baton dlq list`; repeat it for several) or --all.');
  }
  if (values.all && (values.id ?? []).length > 0) throw new UserError('use either --id or --all, not both.');

  if (targetName === 'aws') {
    const target = await openAwsTarget();
    const clients = createDeadLetterClients(target.outputs.region);
    const port = new AwsDeadLetters(clients);
    try {
      if (action === 'list') {
        console.log(formatList(await listAws(port, target.outputs.failures, queues), queues));
        return 0;
      }
      const report = await replayAws(port, target.outputs.failures, selection, queues);
      console.log(formatReport(report));
      return report.failed.length || report.notFound.length ? 1 : 0;
    } finally {
      clients.sqs.destroy();
      clients.lambda.destroy();
      await target.close();
    }
  }

  const target = await openTarget(targetName);
  if (target.name !== 'local') throw new Error('unreachable: aws is handled above');
  try {
    if (action === 'list') {
      console.log(formatList(await listLocal(target.store), ['the local clock’s failed jobs']));
      return 0;
    }
    // With the stack up, the job runs now through its dispatch and mail server; otherwise the
    // record is queued for the clock, which is the same dispatch.
    const runJob = target.stackRunning
      ? localDispatch({ store: target.store, config: target.config, sesEndpoint: `http://127.0.0.1:${target.config.ports.ses}`, secret: target.secret })
      : undefined;
    const report = await replayLocal(target.store, selection, new Date(), runJob);
    console.log(formatReport(report));
    return report.failed.length || report.notFound.length ? 1 : 0;
  } finally {
    await target.close();
  }
}
