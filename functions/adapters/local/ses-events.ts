// The local twin of SES's Send event. In AWS, SES publishes a Send event (with the message's tags)
// for every message it accepts, whatever happens to the process that sent it; Baton records the
// delivery as sent from it, which closes the gap between SES accepting a message and the sender's
// own completion write. aws-ses-v2-local has no events and keeps no tags, so the local stack puts
// this proxy in front of it: every SendEmail it answers with a MessageId is reported to `onSent`
// *before* the answer goes back, so a sender killed at any point can never leave an accepted
// message unrecorded (the proxy runs in the stack's process, not the sender's).
//
// aws-ses-v2-local keeps its outbox in a module-level store and reads GetAccount from
// process.env.AWS_SES_ACCOUNT, so every server in one process shares both. The proxy makes them
// this stack's own: it answers GetAccount with the stack's account, and its /store lists only the
// messages sent through it (a second stack in the same process, or one started before it, never
// shows up).
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface SentEvent {
  messageId: string;
  tags: Record<string, string>;
}

export interface SesEventsProxyOptions {
  /**
   * aws-ses-v2-local's own endpoint, or how to get it: called on each request that goes upstream,
   * so the local stack can start the server on the first one (stack.ts).
   */
  upstream: string | (() => Promise<string>);
  onSent(event: SentEvent): Promise<void>;
  /** What SES GetAccount answers (the send quota among it); without it, aws-ses-v2-local's answer. */
  account?: object;
  log?: (line: string) => void;
}

const SEND_PATH = '/v2/email/outbound-emails';
const ACCOUNT_PATH = '/v2/email/account';
const STORE_PATH = '/store';
// Hop-by-hop and length headers are the proxy's own business on each side.
const DROPPED = new Set(['connection', 'content-length', 'transfer-encoding', 'keep-alive', 'host']);

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function tagsOf(requestBody: Buffer): Record<string, string> {
  try {
    const parsed = JSON.parse(requestBody.toString('utf8')) as { EmailTags?: { Name?: unknown; Value?: unknown }[] };
    return Object.fromEntries((parsed.EmailTags ?? []).filter((t) => typeof t.Name === 'string' && typeof t.Value === 'string').map((t) => [t.Name, t.Value]));
  } catch {
    return {};
  }
}

export function createSesEventsProxy(opts: SesEventsProxyOptions): Server {
  const log = opts.log ?? (() => {});
  const sent = new Set<string>();
  return createServer((req, res) => {
    void (async () => {
      const requestBody = await body(req);
      const path = req.url?.split('?')[0];
      // SES answers GetAccount only to a signed request; aws-ses-v2-local asks for any AWS
      // Authorization header, and so does this.
      if (opts.account && req.method === 'GET' && path === ACCOUNT_PATH && req.headers.authorization?.startsWith('AWS')) {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(opts.account));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => !DROPPED.has(k) && typeof v === 'string')) as Record<string, string>;
      const method = req.method ?? 'GET';
      const upstream = typeof opts.upstream === 'string' ? opts.upstream : await opts.upstream();
      const answer = await fetch(`${upstream}${req.url ?? '/'}`, {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: requestBody }),
      });
      let answerBody = Buffer.from(await answer.arrayBuffer());
      if (method === 'GET' && path === STORE_PATH && answer.ok) {
        const store = JSON.parse(answerBody.toString('utf8')) as { emails?: { messageId?: string }[] };
        answerBody = Buffer.from(JSON.stringify({ ...store, emails: (store.emails ?? []).filter((e) => e.messageId !== undefined && sent.has(e.messageId)) }));
      }
      if (method === 'POST' && path === SEND_PATH && answer.ok) {
        const messageId = (JSON.parse(answerBody.toString('utf8')) as { MessageId?: string }).MessageId;
        if (messageId) sent.add(messageId);
        // A failed record is logged, never turned into a send error: the mail did go out, and the
        // sender's own completion write still follows.
        if (messageId) await opts.onSent({ messageId, tags: tagsOf(requestBody) }).catch((err: unknown) => log(`ses events: recording ${messageId} failed: ${String(err)}`));
      }
      const out: Record<string, string> = {};
      answer.headers.forEach((value, name) => {
        if (!DROPPED.has(name)) out[name] = value;
      });
      res.writeHead(answer.status, out).end(answerBody);
    })().catch((err: unknown) => {
      log(`ses events: proxying ${req.method} ${req.url} failed: ${String(err)}`);
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `local SES proxy: ${String(err)}` }));
    });
  });
}
