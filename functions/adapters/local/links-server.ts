// The local stack's one-click links: the same core as the Lambda function URL, behind the local
// HTTP server (`stack.setHandlers({ onLink: createLocalLinks(...) })`).
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleLink, type LinkDeps, type LinkStore } from '#app/click-link';
import type { Secrets } from '#core/tokens';

/** Function URLs take request bodies up to 6 MB; a one-click form is a few bytes. */
const MAX_BODY_BYTES = 16 * 1024;

export interface LocalLinksOptions {
  store: LinkStore;
  secret: Secrets;
  /** The local clock's time (accelerated under `baton dev --speed`), not necessarily the wall clock. */
  now: () => Date;
  /** See LinkDeps.onCalendarsOff. */
  onCalendarsOff?: LinkDeps['onCalendarsOff'];
  /** Where `/audio/<key>` (a training's generated audio version) is read from; absent: 404. */
  audioFile?: (key: string) => string | undefined;
}

/**
 * The request body, or undefined when it is longer than `limit` bytes (read to the end either way,
 * so the connection stays usable). The studio's server reads its uploads with it too.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A stored audio version, as any player wants it; nothing else under the attachments is served. */
async function serveAudio(file: string | undefined, res: ServerResponse): Promise<void> {
  const audio = file ? await readFile(file).catch(() => undefined) : undefined;
  if (!audio) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('No such audio version: publish the series again to make it.\n');
    return;
  }
  res
    .writeHead(200, { 'content-type': file!.endsWith('.mp3') ? 'audio/mpeg' : 'audio/wav', 'content-length': String(audio.length), 'cache-control': 'public, max-age=31536000, immutable' })
    .end(audio);
}

export function createLocalLinks(options: LocalLinksOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const body = (await readBody(req, MAX_BODY_BYTES))?.toString('utf8');
    if (body === undefined) {
      res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' }).end('Request body too large: a one-click link takes a short form.\n');
      return;
    }
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path.startsWith('/audio/') && (req.method === 'GET' || req.method === 'HEAD')) {
      await serveAudio(options.audioFile?.(path.slice(1)), res);
      return;
    }
    const reply = await handleLink({ method: req.method ?? 'GET', path, body }, {
      store: options.store,
      secrets: options.secret,
      now: options.now(),
      ...(options.onCalendarsOff ? { onCalendarsOff: options.onCalendarsOff } : {}),
    });
    // For HEAD, Node sends the headers and drops the body.
    res.writeHead(reply.status, reply.headers).end(reply.body);
  };
}
