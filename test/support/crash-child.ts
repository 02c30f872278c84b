// The sending process the crash test kills: the real local scheduler and dispatch (claim, build,
// SESv2 SendEmail, complete) against servers that live in the parent, on a virtual clock that
// starts where the parent says and jumps to each next due record until `horizon`.
//
// stdout, one line each: `ready` when about to fire, `sending` at the first send, `accepted` each
// time SES accepted a message (the parent's kill timer starts at one of these, so kills land in the
// sending), `tick <ms>` before each firing (the parent times its restarts from it), `done` at the end. Bundled and started by crash-harness.ts.
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { createSesClient, RecordingMailer, SesMailer, type Mailer, type OutgoingMail } from '#adapters/aws/ses';
import { LocalScheduler, localDispatch } from '#adapters/local/scheduler';
import { localConfig } from '#adapters/local/config';
// zod/mini, as the send path's own schemas are: classic zod cannot be tree-shaken and was ~420 KB
// of the bundle's ~1 MB, compiled again at every one of the test's restarts.
import * as z from 'zod/mini';

export const CrashChildArgsSchema = z.object({
  dynamo: z.url(),
  ses: z.url(),
  tableName: z.string().check(z.minLength(1)),
  dataDir: z.string().check(z.minLength(1)),
  secret: z.string().check(z.minLength(1)),
  now: z.number(),
  horizon: z.number(),
  leaseMs: z.int().check(z.positive()),
  /** Kill itself right after SES accepted this many messages: before the completion write. */
  dieAfterAccepts: z.optional(z.int().check(z.positive())),
  /** The control: send without the delivery tags, as if SES's Send event never came back. */
  untagged: z.optional(z.boolean()),
});
export type CrashChildArgs = z.infer<typeof CrashChildArgsSchema>;

const args = CrashChildArgsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const config = localConfig({ dataDir: args.dataDir, tableName: args.tableName, maxSendRate: 1000 });
const store = createStore({ client: createDynamoClient({ endpoint: args.dynamo }), tableName: args.tableName });
const real = new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: args.ses }), maxSendRate: config.maxSendRate }), `${args.dataDir}/outbox`);
let accepted = 0;
let sending = false;
const mailer: Mailer = {
  async send(mail: OutgoingMail) {
    if (!sending) process.stdout.write('sending\n');
    sending = true;
    const id = await real.send(args.untagged ? { ...mail, tags: {} } : mail);
    process.stdout.write('accepted\n');
    if (args.dieAfterAccepts && ++accepted >= args.dieAfterAccepts) process.kill(process.pid, 'SIGKILL');
    return id;
  },
};
const run = localDispatch({ store, config, sesEndpoint: args.ses, secret: args.secret, mailer, leaseMs: args.leaseMs });
const scheduler = new LocalScheduler(store);

let now = args.now;
process.stdout.write('ready\n');
for (;;) {
  process.stdout.write(`tick ${now}\n`);
  await scheduler.fireDue(new Date(now), run);
  const [next] = await store.listPendingSchedules({ limit: 1 });
  if (!next || Date.parse(next.at) > args.horizon) break;
  now = Math.max(now, Date.parse(next.at));
}
process.stdout.write('done\n');
process.exit(0);
