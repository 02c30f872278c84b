import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { PublishedSeries } from '#core/records';
import type { CompiledEmail } from '#mail/fill';
import { trainingText } from '#emails/training';
import { detectAutoReply } from '#core/auto-reply';
import {
  admit,
  analyzeRouted,
  checkSender,
  DEFAULT_LIMITS,
  parseInbound,
  sentTexts,
  type Analysis,
  type InboundConfig,
  type Rejection,
  type Route,
  type RouteStore,
} from '#app/receive-reply';
import type { Participant, Series, Training } from '#core/model';
import { localConfig, localSecret } from '#adapters/local/config';
import { loadParticipants, parseSeriesDir, readSeriesDir } from '../series-dir.ts';
import { openTarget } from '../target.ts';
import { UserError } from '#core/user-error';
import { ANSWERED_KINDS, type AnsweredKind, type Classified, type ReplyContext } from '#core/classify';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['parse-reply'];

function settingsFor(secret: string): InboundConfig['settings'] {
  const config = localConfig();
  return { domain: config.domain, inboundDomain: config.inboundDomain, senderAddress: config.sender, linksBaseUrl: config.linksBaseUrl, secrets: secret };
}

/** What the classifier swallowed, on stderr: the result on stdout then shows its default intent. */
const warn = (record: Record<string, unknown>) => console.error(`warning: ${String(record.message)}: ${String(record.error)}`);

/**
 * The replay contract (issue 14): status parsed | unclear | auto-reply, and intents carrying the
 * strategy number the participant saw, so a digest or a scorer needs no id lookup.
 */
function report(a: Analysis, verified: Rejection | undefined) {
  const { parsed, route, trimmed, reading } = a;
  const numberOf = (id: string | undefined) => route.training.strategies.find((s) => s.id === id)?.number;
  return {
    status: reading.status,
    ...(reading.reason ? { reason: reading.reason } : {}),
    answers: reading.answers,
    ...(reading.correction ? { correction: true } : {}),
    messageId: parsed.messageId,
    from: parsed.from?.address,
    subject: parsed.subject,
    route: {
      via: route.via,
      seriesId: route.published.series.id,
      trainingSlug: route.training.slug,
      participant: route.participant.email,
      context: route.context,
    },
    verified: verified ? { ok: false, ...verified } : { ok: true },
    trimmed: { source: a.source, method: trimmed.method, reply: trimmed.reply, signature: trimmed.signature },
    intents: reading.intents.map((c) => intentJson(c, numberOf(c.strategyId))),
    attachments: { kept: a.files.keep.map(({ filename, contentType, size }) => ({ filename, contentType, size })), skipped: a.files.skipped },
  };
}

function intentJson(c: Classified, strategy: number | undefined) {
  return {
    intent: c.intent,
    ...(strategy !== undefined ? { strategy } : {}),
    ...(c.strategyId ? { strategyId: c.strategyId } : {}),
    ...(c.rating !== undefined ? { rating: c.rating } : {}),
    ...(c.intent === 'comment' ? { on: c.targetResponseId || c.target ? 'teammate' : 'training' } : {}),
    ...(c.target ? { target: c.target } : {}),
    ...(c.targetResponseId ? { targetResponseId: c.targetResponseId } : {}),
    ...(c.preference ? { preference: c.preference } : {}),
    text: c.text,
    links: c.links,
  };
}

interface Given {
  answers: AnsweredKind;
  slug: string | undefined;
  strategy: number | undefined;
  teammate: string | undefined;
}

interface Folder {
  series: Series;
  trainings: Training[];
  /** The participants CSV's people; none when the folder has no participants.csv. */
  people: Participant[];
  /** Each training email's text, by slug, built when a reply first answers it. */
  texts: Map<string, string>;
}

/**
 * The --series folder as last read in this process, kept while its files read the same: a replay
 * runs this command once per reply in one process (the intent scorer of the labelled replies), and
 * parsing the series and the CSV again for each reply cost about as much as reading the reply.
 */
let lastFolder: { key: string; folder: Promise<Folder> } | undefined;

async function readFolder(dir: string): Promise<Folder> {
  const files = await readSeriesDir(dir);
  const csv = join(dir, 'participants.csv');
  const csvBytes = await readFile(csv).catch(() => undefined);
  const key = JSON.stringify([resolve(dir), files, csvBytes?.toString('base64') ?? null]);
  if (lastFolder?.key !== key) {
    const folder = (async () => {
      const { series, trainings } = parseSeriesDir(dir, files);
      return { series, trainings, people: existsSync(csv) ? await loadParticipants(csv, series) : [], texts: new Map<string, string>() };
    })();
    lastFolder = { key, folder };
  }
  return lastFolder.folder;
}

/** --series: the reply is read against a series folder with the context its signed address would carry. */
async function givenRoute(raw: Buffer, dir: string, given: Given, secret: string) {
  const { series, trainings, people, texts } = await readFolder(dir);
  const training = given.slug ? trainings.find((t) => t.slug === given.slug) : trainings[0];
  if (!training) throw new UserError(`series "${series.id}" has no training "${given.slug}": use one of ${trainings.map((t) => t.slug).join(', ')}.`);
  const parsed = await parseInbound(raw);
  const csv = join(dir, 'participants.csv');
  const from = parsed.from?.address ?? 'unknown@example.invalid';
  const known = people.find((p) => p.email === from);
  const participant: Participant = known ?? {
    email: from,
    name: parsed.from?.name || from.split('@')[0]!,
    timeZone: series.defaultTimeZone,
    workStart: series.defaultWorkStart,
  };
  let context: ReplyContext = { kind: 'training' };
  if (given.answers === 'kickoff') context = { kind: 'kickoff' };
  else if (given.answers === 'check-in') {
    const s = training.strategies.find((x) => x.number === given.strategy);
    if (!s) throw new UserError(`--answers check-in needs --strategy <n>, one of ${training.strategies.map((x) => x.number).join(', ')} in "${training.slug}".`);
    context = { kind: 'check-in', strategyId: s.id };
  } else if (given.answers === 'contribution') {
    if (!given.teammate) throw new UserError('--answers contribution needs --teammate <email>: whose contribution the reply answers.');
    context = { kind: 'submission', responseId: `teammate:${given.teammate}` };
  }
  // The roll-up shows the teammates' contributions; its readers name them.
  const teammates = people.filter((p) => p.email !== from).map((p) => p.name);
  const published: PublishedSeries = { series, trainings, publishedAt: new Date(0).toISOString(), version: 0 };
  const answered = given.answers === 'kickoff' ? 'kickoff' : 'training';
  const route: Route = { published, training, participant, context, via: 'given', answered, answers: given.answers, teammates };
  // Reading a reply uses only the text of the email it answers (sentTexts): the HTML is not built.
  let text = texts.get(training.slug);
  if (text === undefined) texts.set(training.slug, (text = trainingText(series, training, trainings)));
  const template: CompiledEmail = { subject: '', html: '', text };
  const store: Pick<RouteStore, 'getTemplate'> = { getTemplate: async () => JSON.stringify(template) };
  const sent = given.answers === 'kickoff' ? [] : await sentTexts(route, settingsFor(secret), store);
  const verified: Rejection | undefined = known
    ? checkSender(parsed, known.email, undefined, raw)
    : { reason: 'unknown-participant', detail: existsSync(csv) ? `${from} is not in ${csv}` : 'no participants.csv to check the sender against' };
  return { parsed, route, sent, verified };
}

function answersOf(value: string | undefined): AnsweredKind {
  if (value === undefined) return 'training';
  if ((ANSWERED_KINDS as readonly string[]).includes(value)) return value as AnsweredKind;
  throw new UserError(`--answers "${value}" is not an email Baton sends: use one of ${ANSWERED_KINDS.join(', ')}.`);
}

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      series: { type: 'string' },
      answers: { type: 'string' },
      training: { type: 'string' },
      strategy: { type: 'string' },
      teammate: { type: 'string' },
      json: { type: 'boolean' },
      target: { type: 'string' },
    },
  });
  const [file] = positionals;
  if (!file) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  if (!existsSync(file)) throw new UserError(`${file} does not exist: pass the path of a saved email (.eml).`);
  for (const flag of ['training', 'answers', 'strategy', 'teammate'] as const) {
    if (values[flag] && !values.series) throw new UserError(`--${flag} needs --series <dir>: the folder of the series the reply answers.`);
  }
  const strategy = values.strategy === undefined ? undefined : Number(values.strategy);
  if (strategy !== undefined && !Number.isInteger(strategy)) throw new UserError(`--strategy "${values.strategy}" is not a strategy number: pass the number shown in the email (1, 2 …).`);
  const raw = readFileSync(file);
  const limits = DEFAULT_LIMITS;
  let result: Record<string, unknown>;

  if (values.series) {
    const { parsed, route, sent, verified } = await givenRoute(
      raw,
      values.series,
      { answers: answersOf(values.answers), slug: values.training, strategy, teammate: values.teammate },
      localSecret(localConfig().dataDir),
    );
    const auto = detectAutoReply({ headers: parsed.headers, subject: parsed.subject, text: parsed.text ?? parsed.html ?? '', ...(parsed.from ? { from: parsed.from.address } : {}) });
    result = auto ? { status: auto.kind, ...auto, messageId: parsed.messageId } : report(analyzeRouted(parsed, route, sent, limits, warn), verified);
  } else {
    const target = await openTarget(values.target);
    try {
      if (target.name !== 'local') {
        throw new UserError('parse-reply reads the reply tokens of the local stack; for a deployed stack, pass --series <dir> --training <slug>.');
      }
      const config: InboundConfig = { settings: settingsFor(target.secret) };
      const parsedForRecipients = await parseInbound(raw).catch(() => undefined);
      const to = ['to', 'cc'].flatMap((h) => (parsedForRecipients?.headers.get(h) ?? '').split(','));
      const admitted = await admit({ raw, envelope: { to }, receivedAt: new Date() }, config, target.store);
      if ('route' in admitted) {
        const sent = await sentTexts(admitted.route, config.settings, target.store);
        result = report(analyzeRouted(admitted.parsed, admitted.route, sent, limits, warn), undefined);
      } else {
        result = { ...admitted };
      }
    } finally {
      await target.close();
    }
  }

  if (values.json) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    console.log(human(result));
  }
  return 0;
}

function human(r: Record<string, unknown>): string {
  if (r.status !== 'parsed' && r.status !== 'unclear') return `${r.status}${r.reason ? `: ${String(r.reason)}` : ''}${r.detail ? ` (${String(r.detail)})` : ''}`;
  const route = r.route as { seriesId: string; trainingSlug: string; participant: string; via: string };
  const verified = r.verified as { ok: boolean; detail?: string };
  const trimmed = r.trimmed as { reply: string; method: string; source: string };
  const intents = r.intents as Array<{ intent: string; strategyId?: string; rating?: number; text: string }>;
  return [
    `From ${String(r.from)}: "${String(r.subject)}"`,
    `Routed (${route.via}) to ${route.seriesId} / ${route.trainingSlug} as ${route.participant}`,
    `Sender: ${verified.ok ? 'verified' : `NOT verified: ${verified.detail}`}`,
    ...(r.status === 'unclear' ? [`Unclear: ${String(r.reason ?? 'Baton cannot tell what this reply means')}; nothing would be recorded`] : []),
    `Trimmed from the ${trimmed.source} part (${trimmed.method}):`,
    ...trimmed.reply.split('\n').map((l) => `  | ${l}`),
    'Intents:',
    ...intents.map((i) => `  - ${i.intent}${i.strategyId ? ` ${i.strategyId}` : ''}${i.rating ? ` (${i.rating}/5)` : ''}`),
  ].join('\n');
}
