// The whole product on one machine: real servers for every AWS service Baton talks to, each on
// its own port, started together and stopped together. `baton dev` runs it for people; the
// integration tests run it on free ports.
//
//   DynamoDB   dynalite (LevelDB under <dataDir>/dynamo, kept across restarts)
//   SES v2     aws-ses-v2-local (its web page lists the outbox), behind a proxy standing in for
//              SES's Send events (local-ses-events.ts); loaded and started on the proxy's first
//              request that needs it, so a start that sends nothing never pays for it
//   inbound    an SMTP server that hands each raw reply to the same core as the inbound Lambda
//   links      an HTTP server that runs the same handler as the one-click function URL, and
//              serves the outbox page at /outbox (outbox.ts): sent mail by person, reply as them,
//              and the trainer studio at /studio (studio-server.ts, the studio function's router)
//   clock      the local scheduler, firing due jobs through the dispatch code
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type sesLocalModule from 'aws-ses-v2-local';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { deliveryFromTags } from '#app/deliver';
import { ensureTable, startDynaliteServer } from './dynalite.ts';
import { LocalClock } from './clock.ts';
import { createSesEventsProxy } from './ses-events.ts';
import { createOutbox, recordSentMeta } from './outbox.ts';
import { isStudioPath, STUDIO_BASE } from './studio-server.ts';
import type { LocalConfig } from './config.ts';

export interface InboundEnvelope {
  from: string | undefined;
  to: string[];
  remoteAddress: string | undefined;
  /** The name given in EHLO/HELO: SPF checks it when MAIL FROM is empty. */
  helo?: string;
}

export interface InboundOutcome {
  /** False when the message is refused at SMTP time (the sender sees the reason). */
  accepted: boolean;
  reason?: string;
}

export interface StackHandlers {
  onMail(raw: Buffer, envelope: InboundEnvelope): Promise<InboundOutcome>;
  onLink(req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** The trainer studio: every request under /studio on the links server. */
  onStudio(req: IncomingMessage, res: ServerResponse): Promise<void>;
  onTick(now: Date): Promise<void>;
}

export interface StackOptions {
  config: LocalConfig;
  /** false: DynamoDB in memory (tests that need no restart). */
  persist?: boolean;
  clock?: { start?: Date; speed?: number; tickMs?: number };
  handlers?: Partial<StackHandlers>;
  log?: (line: string) => void;
  /** Largest reply accepted over SMTP, in bytes. SES receiving accepts up to 40 MB. */
  maxMessageBytes?: number;
}

export interface RunningStack {
  config: LocalConfig;
  endpoints: { dynamo: string; ses: string; smtp: { host: string; port: number }; links: string; outbox: string; studio: string };
  clock: LocalClock;
  setHandlers(handlers: Partial<StackHandlers>): void;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** aws-ses-v2-local servers running in this process: they share one store (see ses-events.ts). */
let liveSesServers = 0;

/**
 * aws-ses-v2-local's server factory, imported on first use: the package and its Express app are
 * most of what the SES server costs at a start. It is CommonJS with an `exports.default`; under
 * ESM the default import is the whole module object.
 */
async function loadSesLocal(): Promise<typeof sesLocalModule> {
  const imported = (await import('aws-ses-v2-local')) as { default: typeof sesLocalModule };
  const module = imported.default as typeof sesLocalModule & { default?: typeof sesLocalModule };
  return module.default ?? module;
}

function listen(server: Server | SMTPServer, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`port ${port} (${what}) is already in use: is another \`baton dev\` running? Stop it, or pick other ports.`)
          : err,
      );
    };
    const emitter = server as NodeJS.EventEmitter;
    emitter.once('error', onError);
    const done = () => {
      emitter.removeListener('error', onError);
      const address = server instanceof SMTPServer ? server.server.address() : server.address();
      resolve((address as AddressInfo).port);
    };
    if (server instanceof SMTPServer) server.listen(port, HOST, done);
    else server.listen(port, HOST, done);
  });
}

function close(server: { close(cb: (err?: Error) => void): void }): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Keeps each raw reply under <dataDir>/inbound, as the S3 bucket does in production. */
export function saveRawMail(dataDir: string, raw: Buffer, now: Date): string {
  const dir = join(dataDir, 'inbound');
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 16);
  const file = join(dir, `${now.toISOString().replace(/[:.]/g, '-')}-${hash}.eml`);
  writeFileSync(file, raw);
  return file;
}

export async function startLocalStack(opts: StackOptions): Promise<RunningStack> {
  const { config } = opts;
  const log = opts.log ?? (() => {});
  const persist = opts.persist ?? true;
  const maxMessageBytes = opts.maxMessageBytes ?? 40 * 1024 * 1024;
  const stoppers: (() => Promise<void>)[] = [];
  let handlers: StackHandlers = {
    onMail: async (raw) => {
      const file = saveRawMail(config.dataDir, raw, new Date());
      log(`inbound: kept ${raw.length} bytes as ${file}`);
      return { accepted: true };
    },
    onLink: async (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Unknown link.\n');
    },
    onStudio: async (_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('The studio is not wired on this stack.\n');
    },
    onTick: async () => {},
    ...opts.handlers,
  };

  const stopAll = async () => {
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
  };

  try {
    mkdirSync(config.dataDir, { recursive: true });

    // DynamoDB, with Baton's table ready before anything else starts.
    const dynamo = await startDynaliteServer({
      ...(persist ? { path: join(config.dataDir, 'dynamo') } : {}),
      port: config.ports.dynamo,
    }).catch((err: NodeJS.ErrnoException) => {
      throw err.code === 'EADDRINUSE'
        ? new Error(`port ${config.ports.dynamo} (DynamoDB) is already in use: is another \`baton dev\` running? Stop it, or pick other ports.`)
        : err;
    });
    stoppers.push(() => dynamo.close());
    const dynamoPort = dynamo.port;
    const tableClient = createDynamoClient({ endpoint: dynamo.endpoint });
    await ensureTable(tableClient, config.tableName);
    // Kept open for the SES Send events below.
    stoppers.push(async () => tableClient.destroy());
    const ledger = createStore({ client: tableClient, tableName: config.tableName });

    // SES v2. aws-ses-v2-local listens on a private port behind the Send-event proxy
    // (ses-events.ts), which records each accepted delivery in the ledger as SES's Send event does
    // in AWS, answers GetAccount with this stack's send rate (the sender paces itself by it) and
    // lists in /store only what this stack sent: the library keeps both process-wide. The proxy
    // starts it on the first request it passes on (a send, /store, its web page): one start shared
    // by the requests that arrive meanwhile, a failed one tried again by the next request, and
    // none once the stack is stopping, so nothing is left listening after stop().
    let sesUpstream: Promise<{ server: Server; url: string }> | undefined;
    let sesStopping = false;
    const sesUpstreamUrl = async (): Promise<string> => {
      if (sesStopping) throw new Error('the local stack is stopping');
      sesUpstream ??= (async () => {
        const server = await (await loadSesLocal())({ host: HOST, port: 0 });
        liveSesServers++;
        return { server, url: `http://${HOST}:${(server.address() as AddressInfo).port}` };
      })().catch((err: unknown) => {
        sesUpstream = undefined;
        throw err;
      });
      return (await sesUpstream).url;
    };
    stoppers.push(async () => {
      sesStopping = true;
      const started = await sesUpstream?.catch(() => undefined);
      if (!started) return;
      // The last stack of the process empties the library's store, which nothing else would.
      if (--liveSesServers === 0) await fetch(`${started.url}/clear-store`, { method: 'POST' }).catch(() => {});
      await close(started.server);
    });
    const ses = createSesEventsProxy({
      upstream: sesUpstreamUrl,
      account: localSesAccount(config.maxSendRate),
      onSent: async ({ messageId, tags }) => {
        const delivery = deliveryFromTags(tags);
        if (delivery) recordSentMeta(config.dataDir, messageId, delivery);
        if (delivery) await ledger.recordAccepted(delivery.seriesId, delivery.emailId, { sesMessageId: messageId, at: new Date() });
      },
      log,
    });
    const sesPort = await listen(ses, config.ports.ses, 'SES');
    stoppers.push(() => close(ses));

    // Inbound SMTP. Only reply addresses on the inbound domain are accepted, like SES receiving.
    const smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['AUTH', 'STARTTLS'],
      size: maxMessageBytes,
      banner: 'Baton local inbound',
      logger: false,
      onRcptTo(address, _session, callback) {
        const domain = address.address.split('@')[1]?.toLowerCase();
        if (domain !== config.inboundDomain) {
          const err = Object.assign(new Error(`mailbox unavailable: this server only receives replies to @${config.inboundDomain}`), {
            responseCode: 550,
          });
          return callback(err);
        }
        callback();
      },
      onData(stream, session: SMTPServerSession, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
            const err = Object.assign(new Error(`message too large: the limit is ${maxMessageBytes} bytes`), { responseCode: 552 });
            return callback(err);
          }
          const envelope: InboundEnvelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
            to: session.envelope.rcptTo.map((r) => r.address),
            remoteAddress: session.remoteAddress,
            ...(session.hostNameAppearsAs ? { helo: session.hostNameAppearsAs } : {}),
          };
          handlers
            .onMail(Buffer.concat(chunks), envelope)
            .then((outcome) => {
              if (outcome.accepted) return callback(null, 'Queued by Baton');
              callback(Object.assign(new Error(outcome.reason ?? 'rejected'), { responseCode: 550 }));
            })
            .catch((err: unknown) => {
              log(`inbound: failed: ${err instanceof Error ? err.stack : String(err)}`);
              // 451: the sending server keeps the message and retries, so nothing is lost.
              callback(Object.assign(new Error('temporary failure, try again later'), { responseCode: 451 }));
            });
        });
      },
    });
    const smtpPort = await listen(smtp, config.ports.smtp, 'SMTP');
    stoppers.push(() => close(smtp));

    // One-click links, and beside them the outbox page and the trainer studio (paths no link token can take).
    const outbox = createOutbox({ dataDir: config.dataDir, smtp: { host: HOST, port: smtpPort } });
    const links = createServer((req, res) => {
      outbox(req, res)
        .then((served) => (served ? undefined : isStudioPath(req.url) ? handlers.onStudio(req, res) : handlers.onLink(req, res)))
        .catch((err: unknown) => {
          log(`links: failed: ${err instanceof Error ? err.stack : String(err)}`);
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('Something went wrong on our side. Nothing was changed; please try the link again later.\n');
        });
    });
    const linksPort = await listen(links, config.ports.links, 'links');
    stoppers.push(() => close(links));

    const actual: LocalConfig = {
      ...config,
      ports: { dynamo: dynamoPort, ses: sesPort, smtp: smtpPort, links: linksPort },
      linksBaseUrl: config.ports.links === linksPort ? config.linksBaseUrl : `http://localhost:${linksPort}`,
    };

    const clock = new LocalClock({
      ...opts.clock,
      onTick: (now) => handlers.onTick(now),
      onError: (err) => log(`clock: ${err instanceof Error ? err.stack : String(err)}`),
    });
    clock.start();
    stoppers.push(() => clock.stop());

    return {
      config: actual,
      endpoints: {
        dynamo: `http://${HOST}:${dynamoPort}`,
        ses: `http://${HOST}:${sesPort}`,
        smtp: { host: HOST, port: smtpPort },
        links: `http://localhost:${linksPort}`,
        outbox: `http://localhost:${linksPort}/outbox`,
        studio: `http://localhost:${linksPort}${STUDIO_BASE}`,
      },
      clock,
      setHandlers(next) {
        handlers = { ...handlers, ...next };
      },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** What aws-ses-v2-local's GetAccount returns: a production account with the given send rate. */
export function localSesAccount(maxSendRate: number) {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    Details: {
      AdditionalContactEmailAddresses: [],
      ContactLanguage: 'EN',
      MailType: 'TRANSACTIONAL',
      ReviewDetails: { CaseId: 'local', Status: 'GRANTED' },
      UseCaseDescription: 'Baton local stack',
      WebsiteURL: 'http://localhost',
    },
    EnforcementStatus: 'HEALTHY',
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    SendQuota: { Max24HourSend: 50_000, MaxSendRate: maxSendRate, SentLast24Hours: 0 },
    SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
  };
}
