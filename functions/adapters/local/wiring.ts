// The product's handlers on the local stack's servers: replies arriving over SMTP go to the
// inbound core, link clicks to the links core, and the clock's ticks to the scheduler and
// dispatch. `baton dev` runs it on the real clock, `baton simulate` on a virtual one.
import { join } from 'node:path';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createSesClient, RecordingMailer, SesMailer, type Mailer } from '#adapters/aws/ses';
import type { RunningStack } from './stack.ts';
import { createLocalInbound } from './smtp-inbound.ts';
import { createLocalLinks } from './links-server.ts';
import { LocalMailStore } from '#adapters/local/mail-store';
import { calendarsOffSchedule } from '#app/planners/cancel';
import { recordSchedules } from '#app/publish';
import type { SpeechSynthesizer } from '#app/ports';
import { applyStudioEdit } from '#app/studio/apply-edit';
import { EspeakSynthesizer } from './espeak.ts';
import { LocalScheduler, localDispatch } from './scheduler.ts';
import { createLocalStudio, newStudioId } from './studio-server.ts';

export interface LocalProduct {
  store: Store;
  /** Sends through aws-ses-v2-local and keeps each raw message under <dataDir>/outbox. */
  mailer: Mailer;
  scheduler: LocalScheduler;
  dispatchJob: ReturnType<typeof localDispatch>;
  close(): void;
}

export function wireLocalStack(
  stack: RunningStack,
  opts: {
    secret: string;
    now: () => Date;
    log?: (line: string) => void;
    maxSendRate?: number;
    /** Check SPF/DKIM/DMARC of replies with mailauth (system DNS). */
    authenticate?: boolean;
    /** The speech engine for studio publishes (espeak-ng unless given). */
    synthesizer?: SpeechSynthesizer;
  },
): LocalProduct {
  const config = { ...stack.config, ...(opts.maxSendRate ? { maxSendRate: opts.maxSendRate } : {}) };
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  const store = createStore({ client, tableName: config.tableName });
  const mailer = new RecordingMailer(
    new SesMailer({ client: createSesClient({ endpoint: stack.endpoints.ses }), maxSendRate: config.maxSendRate }),
    join(config.dataDir, 'outbox'),
  );
  stack.setHandlers({
    onMail: createLocalInbound({
      store,
      config,
      secret: opts.secret,
      mailer,
      dataDir: config.dataDir,
      now: opts.now,
      ...(opts.log ? { log: opts.log } : {}),
      ...(opts.authenticate ? { authenticate: true } : {}),
    }),
    onLink: createLocalLinks({
      store,
      secret: opts.secret,
      now: opts.now,
      audioFile: (key) => new LocalMailStore(config.dataDir).audioFile(key),
      // A one-time schedule at once: the local clock fires it like unenroll's cancellations.
      onCalendarsOff: async (seriesId, p) => {
        const now = opts.now();
        const person = { email: p.email, name: p.name, timeZone: p.timeZone, workStart: p.workStart };
        await recordSchedules(store, seriesId, { create: [calendarsOffSchedule(seriesId, person, now)], update: [], delete: [] }, now);
      },
    }),
    // The studio sends its mail (sign-in links, nudges, test sends) like any other: into the outbox.
    onStudio: createLocalStudio(async () => ({
      store,
      secrets: opts.secret,
      mailer: (m) => mailer.send(m),
      now: opts.now(),
      newId: newStudioId,
      // A training edit is a publish, run here at once: mjml loaded on first use, audio by espeak-ng.
      publisher: {
        start: async (seriesId, editId) => {
          const { compileTemplates } = await import('#emails/compile-series');
          const outcome = await applyStudioEdit(seriesId, editId, {
            store,
            compile: compileTemplates,
            now: opts.now(),
            audio: { synthesizer: opts.synthesizer ?? new EspeakSynthesizer(), store: new LocalMailStore(config.dataDir), baseUrl: config.linksBaseUrl, say: (line) => opts.log?.(line) },
          });
          opts.log?.(`studio edit ${editId} of ${seriesId}: ${outcome.kind}${outcome.kind === 'failed' ? ` (${outcome.error})` : ''}`);
        },
      },
      settings: {
        studioUrl: stack.endpoints.studio,
        mail: { domain: config.domain, inboundDomain: config.inboundDomain, senderAddress: config.sender, linksBaseUrl: config.linksBaseUrl, secrets: opts.secret },
      },
    })),
  });
  return {
    store,
    mailer,
    scheduler: new LocalScheduler(store, opts.log ? { log: opts.log } : {}),
    dispatchJob: localDispatch({ store, config, sesEndpoint: stack.endpoints.ses, secret: opts.secret, mailer }),
    close: () => client.destroy(),
  };
}
