// The local twin of SES's Send event. In AWS, SES publishes a Send event (with the message's tags)
// for every message it accepts, whatever happens to the process that sent it; Baton records the
// delivery as sent from it, which closes the gap between SES accepting a message and the sender's
// own completion write. aws-ses-v2-local has no events and keeps no tags, so the local stack puts
// this proxy in front of it: every SendEmail it answers with a MessageId is reported to `onSent`
// *before* the answer goes back, so a sender killed at any point can never leave an accepted
// message unrecorded (the proxy runs in the stack's process, not the sender's).
import { createServer, type IncomingMessage, type Server } from 'node:http';

export interface SentEvent {
  messageId: string;
  tags: Record<string, string>;
}

export interface SesEventsProxyOptions {
  /** aws-ses-v2-local's own endpoint. */
  upstream: string;
  onSent(event: SentEvent): Promise<void>;
  log?: (line: string) => void;
}

const SEND_PATH = '/v2/email/outbound-emails';
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
  return createServer((req, res) => {
    void (async () => {
      const requestBody = await body(req);
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k, v]) => !DROPPED.has(k) && typeof v === 'string')) as Record<string, string>;
      const method = req.method ?? 'GET';
      const answer = await fetch(`${opts.upstream}${req.url ?? '/'}`, {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body: requestBody }),
      });
      const answerBody = Buffer.from(await answer.arrayBuffer());
      if (method === 'POST' && req.url?.split('?')[0] === SEND_PATH && answer.ok) {
        const messageId = (JSON.parse(answerBody.toString('utf8')) as { MessageId?: string }).MessageId;
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
