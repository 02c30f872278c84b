// One-click links over real HTTP: the local stack's links server wired as `baton dev` wires it,
// the example series published into dynalite, and fetch() doing what browsers, mail clients
// (RFC 8058 one-click) and link scanners do. Also the Lambda handler with function URL events
// against the same table.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { linkResponseId } from '#app/click-link';
import type { Response } from '#core/model';
import { linkTokenId, signLinkToken, type LinkTokenPayload } from '#core/tokens';
import { createLinksHandler } from '#handlers/links';
import { createLocalLinks } from '#adapters/local/links-server';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';

const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-links-'));
const SECRET = 'integration-secret-for-links-0123456789';
const SERIES = 'q1-productivity';
const SLUG = 'productive-one-on-ones';
const NURUL = 'nurul.hakim@example.com';
const ANA = 'ana.reyes@example.com';
const EXPIRES = new Date('2028-06-30T00:00:00Z');
let now = new Date('2027-01-25T02:00:00Z');
let stack: RunningStack;
let store: Store;
let published: Awaited<ReturnType<typeof publishSeries>>;
let destroy: () => void;

const anaStrategy: Response = {
  id: 'ana-strategy',
  seriesId: SERIES,
  trainingSlug: SLUG,
  participantEmail: ANA,
  intent: 'strategy',
  text: 'I record a two-minute video update instead of a sync when our overlap is under an hour.',
  links: [],
  attachments: [],
  source: '<ana-1@mail.example.com>',
  receivedAt: '2027-01-22T17:00:00.000Z',
};
const nurulAdoption: Response = {
  ...anaStrategy,
  id: 'nurul-adopt',
  participantEmail: NURUL,
  intent: 'adopt',
  strategyId: 'running-agenda',
  text: 'Starting this week.',
  source: '<nurul-1@mail.example.com>',
};

function link(p: Partial<LinkTokenPayload> & Pick<LinkTokenPayload, 'action'>): { url: string; token: string } {
  const token = signLinkToken({ seriesId: SERIES, participantEmail: NURUL, expiresAt: EXPIRES, ...p }, SECRET);
  return { url: `${stack.endpoints.links}/l/${token}`, token };
}

const h1 = (html: string) => html.match(/<h1>(.*?)<\/h1>/)?.[1];
const postForm = (url: string, body = '') =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
const ofNurul = async () => (await store.listResponsesByParticipant(SERIES, NURUL)).filter((r) => r.id !== nurulAdoption.id);

beforeAll(async () => {
  stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  destroy = () => client.destroy();
  store = createStore({ client, tableName: stack.config.tableName });
  published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  await store.putParticipants(SERIES, await loadParticipants(join(example, 'participants.csv'), published.series));
  await store.putResponse(anaStrategy);
  await store.putResponse(nurulAdoption);
  stack.setHandlers({ onLink: createLocalLinks({ store, secret: SECRET, now: () => now }) });
});

afterAll(async () => {
  destroy?.();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('mark as read', () => {
  it('GET (what a scanner does) shows the button and records nothing; POST records once', async () => {
    const { url, token } = link({ action: 'read', trainingSlug: SLUG });
    const shown = await fetch(url);
    expect(shown.status).toBe(200);
    expect(shown.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(shown.headers.get('content-security-policy')).toMatch(/^default-src 'none'; style-src 'unsafe-inline'; form-action 'self'/);
    expect(shown.headers.get('referrer-policy')).toBe('no-referrer');
    expect(shown.headers.get('x-content-type-options')).toBe('nosniff');
    expect(shown.headers.get('cache-control')).toBe('no-store');
    expect(await shown.text()).toContain('<button type="submit">Mark as read</button>');
    const head = await fetch(url, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await ofNurul()).toEqual([]);

    const first = await postForm(url, 'confirm=yes');
    const second = await postForm(url, 'confirm=yes');
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(h1(await first.text())).toBe('Marked as read — thanks, Nurul.');
    expect(h1(await second.text())).toBe('Marked as read — thanks, Nurul.');
    const reads = await ofNurul();
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ intent: 'read', trainingSlug: SLUG, source: linkTokenId(token), text: '' });
  });
});

describe('kudos', () => {
  it("records one text-less comment on Ana's strategy, however often it is clicked", async () => {
    const { url } = link({ action: 'kudos', trainingSlug: SLUG, responseId: anaStrategy.id });
    const page = await (await fetch(url)).text();
    expect(page).toContain('two-minute video update');
    await Promise.all([postForm(url), postForm(url), postForm(url)]);
    const kudos = (await ofNurul()).filter((r) => r.intent === 'comment');
    expect(kudos).toEqual([
      expect.objectContaining({ id: linkResponseId.kudos(SERIES, anaStrategy.id, NURUL), targetResponseId: anaStrategy.id, text: '' }),
    ]);
  });
});

describe('check-in rating', () => {
  it("records a follow-up with the rating and the adoption's strategy", async () => {
    const strategy = published.trainings.find((t) => t.slug === SLUG)!.strategies.find((s) => s.id === 'running-agenda')!;
    const { url } = link({ action: 'rating', rating: 4, responseId: nurulAdoption.id });
    expect(h1(await (await fetch(url)).text())).toBe(`Did “${strategy.title}” help? Rate it 4 of 5`);
    const done = await postForm(url);
    expect(h1(await done.text())).toBe(`You rated “${strategy.title}” 4 of 5.`);
    const followUps = (await ofNurul()).filter((r) => r.intent === 'follow-up');
    expect(followUps).toEqual([
      expect.objectContaining({ rating: 4, strategyId: 'running-agenda', targetResponseId: nurulAdoption.id, trainingSlug: SLUG }),
    ]);
  });
});

describe('unsubscribe', () => {
  it('GET asks and changes nothing; the RFC 8058 one-click POST unsubscribes at once with 200', async () => {
    const email = 'omar.haddad@example.com';
    const token = signLinkToken({ action: 'unsubscribe', seriesId: SERIES, participantEmail: email, expiresAt: EXPIRES }, SECRET);
    const url = `${stack.endpoints.links}/l/${token}`;
    expect((await fetch(url)).status).toBe(200);
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBeUndefined();

    // What Gmail and Apple Mail send for List-Unsubscribe-Post: no cookies, no page, just this.
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res.status).toBe(200);
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBe(now.toISOString());
  });
});

describe('bad links change nothing', () => {
  it('a tampered token is 400, an expired one 410, an unknown person 404, a wrong path 404, PUT 405', async () => {
    const email = 'lukas.becker@example.org';
    const before = await store.listResponses(SERIES);
    const genuine = signLinkToken({ action: 'unsubscribe', seriesId: SERIES, participantEmail: email, expiresAt: EXPIRES }, SECRET);
    const flip = genuine.length - 3;
    const tampered = genuine.slice(0, flip) + (genuine[flip] === 'x' ? 'y' : 'x') + genuine.slice(flip + 1);
    const expired = signLinkToken({ action: 'unsubscribe', seriesId: SERIES, participantEmail: email, expiresAt: new Date('2027-01-01T00:00:00Z') }, SECRET);
    const stranger = signLinkToken({ action: 'read', seriesId: SERIES, trainingSlug: SLUG, participantEmail: 'stranger@example.com', expiresAt: EXPIRES }, SECRET);
    const base = stack.endpoints.links;

    const bad = await postForm(`${base}/l/${tampered}`, 'List-Unsubscribe=One-Click');
    expect(bad.status).toBe(400);
    expect(h1(await bad.text())).toBe('This link isn’t valid — nothing was changed.');
    const old = await postForm(`${base}/l/${expired}`, 'List-Unsubscribe=One-Click');
    expect(old.status).toBe(410);
    expect(await old.text()).toContain('It expired on Fri 1 Jan 2027.');
    expect((await postForm(`${base}/l/${stranger}`)).status).toBe(404);
    expect((await fetch(`${base}/`)).status).toBe(404);
    const put = await fetch(`${base}/l/${genuine}`, { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST');

    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBeUndefined();
    expect(await store.listResponses(SERIES)).toEqual(before);
  });
});

describe('the Lambda handler (function URL events)', () => {
  const handler = () => createLinksHandler({ store, secrets: async () => SECRET, now: () => now });
  const event = (method: string, rawPath: string, body?: string, isBase64Encoded = false) => ({
    version: '2.0',
    rawPath,
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    requestContext: { http: { method, path: rawPath, sourceIp: '203.0.113.9' } },
    isBase64Encoded,
    ...(body === undefined ? {} : { body }),
  });

  it('answers GET with the confirmation and a base64 one-click POST by unsubscribing', async () => {
    const email = 'ploy.srisuk@example.org';
    const token = signLinkToken({ action: 'unsubscribe', seriesId: SERIES, participantEmail: email, expiresAt: EXPIRES }, SECRET);
    const shown = await handler()(event('GET', `/l/${token}`));
    expect(shown.statusCode).toBe(200);
    expect(shown.headers['content-security-policy']).toContain("default-src 'none'");
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBeUndefined();

    const done = await handler()(event('POST', `/l/${token}`, Buffer.from('List-Unsubscribe=One-Click').toString('base64'), true));
    expect(done.statusCode).toBe(200);
    expect(done.body).toContain('You’re unsubscribed');
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBe(now.toISOString());
  });

  it('answers something that is not a function URL event with 400', async () => {
    expect((await handler()({ hello: 'world' })).statusCode).toBe(400);
  });
});
