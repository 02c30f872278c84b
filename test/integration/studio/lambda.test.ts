// The studio's Lambda entry with AWS's documented function URL events (the fixture's shape:
// cookies in `cookies`, a base64 body, the domain in requestContext) against dynalite: the same
// router as the local server, with https settings — the cookie is __Host- and Secure — and the
// wiki export returned as a base64 tar that the system's tar reads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '#adapters/aws/dynamo';
import type { BuiltMail } from '#app/ports';
import { createStudioHandler } from '#handlers/studio';
import { publishSeries } from '#cli/publish-series';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';
import { exampleDir } from '#test/support/example-data';

const SECRET = 'lambda-studio-secret-0123456789abcdef';
const TRAINER = 'maya.okafor@example.com';
const DOMAIN = 'abcdefghij.lambda-url.us-east-1.on.aws';
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/aws/function-url/get-link.json', import.meta.url), 'utf8'));
let db: TestDynalite;
let store: Store;
const sent: BuiltMail[] = [];
let handler: ReturnType<typeof createStudioHandler>;
let seriesId: string;

function event(method: string, path: string, opts: { body?: string; cookies?: string[]; query?: string; type?: string } = {}) {
  return {
    ...fixture,
    rawPath: path,
    rawQueryString: opts.query ?? '',
    headers: { ...fixture.headers, ...(opts.type ? { 'content-type': opts.type } : {}) },
    ...(opts.cookies ? { cookies: opts.cookies } : {}),
    ...(opts.body !== undefined ? { body: Buffer.from(opts.body).toString('base64'), isBase64Encoded: true } : {}),
    requestContext: { ...fixture.requestContext, http: { ...fixture.requestContext.http, method, path } },
  };
}

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  seriesId = (await publishSeries(exampleDir, store, new Date())).series.id;
  let n = 0;
  handler = createStudioHandler({
    deps: async (studioUrl) => ({
      store,
      secrets: SECRET,
      mailer: async (m) => {
        sent.push(m);
        return `ses-${++n}`;
      },
      now: new Date(),
      newId: () => `id-${++n}-0123456789`,
      settings: { studioUrl, mail: { domain: 'baton.example.com', inboundDomain: 'in.baton.example.com', senderAddress: 'Baton <training@baton.example.com>', linksBaseUrl: 'https://links.example.com', secrets: SECRET } },
    }),
  });
});

afterAll(async () => {
  await db?.stop();
});

describe('the studio function URL', () => {
  it('signs in over https: the link names the function URL, the cookie is __Host- and Secure', async () => {
    const asked = await handler(event('POST', '/studio/signin', { body: `email=${encodeURIComponent(TRAINER)}`, type: 'application/x-www-form-urlencoded' }));
    expect(asked.statusCode).toBe(200);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.from).toBe('"Baton studio" <training@baton.example.com>');
    const link = new RegExp(`https://${DOMAIN.replace(/\./g, '\\.')}/studio/signin/\\S+`).exec(sent[0]!.raw.replace(/=\r\n/g, ''))![0];
    const path = new URL(link).pathname;
    const signedIn = await handler(event('POST', path));
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.cookies).toHaveLength(1);
    expect(signedIn.cookies![0]).toMatch(/^__Host-baton_studio=[^;]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=43200; Secure$/);
    const cookie = signedIn.cookies![0]!.split(';')[0]!;
    const overview = await handler(event('GET', `/studio/s/${seriesId}`, { cookies: [cookie] }));
    expect(overview.statusCode).toBe(200);
    expect(overview.body).toContain('<h1>Overview</h1>');
    expect(overview.headers['content-security-policy']).toContain("default-src 'none'");
    // The plain-http cookie name is not accepted on https.
    const plain = await handler(event('GET', `/studio/s/${seriesId}`, { cookies: [cookie.replace('__Host-', '')] }));
    expect(plain.statusCode).toBe(401);

    // The wiki export: a tar the system's tar lists.
    const exported = await handler(event('GET', `/studio/s/${seriesId}/export`, { cookies: [cookie] }));
    expect(exported.statusCode).toBe(200);
    expect(exported.isBase64Encoded).toBe(true);
    expect(exported.headers['content-disposition']).toMatch(/^attachment; filename="q1-productivity-wiki-\d{4}-\d{2}-\d{2}\.tar"$/);
    const dir = mkdtempSync(join(tmpdir(), 'baton-studio-tar-'));
    try {
      writeFileSync(join(dir, 'wiki.tar'), Buffer.from(exported.body, 'base64'));
      const listed = execFileSync('tar', ['-tf', join(dir, 'wiki.tar')], { encoding: 'utf8' }).trim().split('\n');
      expect(listed.length).toBeGreaterThan(1);
      expect(listed.every((f) => f.startsWith(`${seriesId}/`))).toBe(true);
      expect(listed.some((f) => f.endsWith('.md'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('sends the bare function URL to the studio, and answers a non-event with 400', async () => {
    expect((await handler(event('GET', '/'))).statusCode).toBe(302);
    expect((await handler({ nothing: true })).statusCode).toBe(400);
  });
});
