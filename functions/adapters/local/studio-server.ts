// The trainer studio on the local stack: the links server hands every /studio request here, and
// this turns Node's request into the shared router's (adapters/http/studio.ts), the same code the
// studio Lambda runs behind its function URL.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { handleStudio, MAX_STUDIO_BODY, STUDIO_BASE, type StudioRequest } from '#adapters/http/studio';
import type { StudioDeps } from '#app/studio/access';
import { readBody } from './links-server.ts';

export { STUDIO_BASE };

/** True for the paths the studio answers (everything under /studio). */
export const isStudioPath = (url: string | undefined): boolean => {
  const path = (url ?? '/').split('?')[0]!;
  return path === STUDIO_BASE || path.startsWith(`${STUDIO_BASE}/`);
};

export const newStudioId = (): string => randomBytes(18).toString('base64url');

export function createLocalStudio(makeDeps: () => Promise<StudioDeps>): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const body = await readBody(req, MAX_STUDIO_BODY);
    if (body === undefined) {
      res.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' }).end(`Request too large: uploads take up to ${Math.round(MAX_STUDIO_BODY / 1024 / 1024)} MB.\n`);
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers: StudioRequest['headers'] = {};
    for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const reply = await handleStudio({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers, body, ip: req.socket.remoteAddress ?? 'unknown' }, makeDeps);
    res.writeHead(reply.status, { ...reply.headers, ...(reply.cookies.length ? { 'set-cookie': reply.cookies } : {}) });
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  };
}
