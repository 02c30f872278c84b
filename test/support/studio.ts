// Helpers for the studio's tests: a local stack wired as `baton dev` wires it (dynalite, SES, SMTP,
// the links server with /studio and /outbox) on free ports, the example series published as series
// A, and a second series B run by someone else; plus reading sign-in links out of the outbox.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig, localSecret } from '#adapters/local/config';
import { wireLocalStack, type LocalProduct } from '#adapters/local/wiring';
import { syncSchedules } from '#app/publish';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { exampleDir } from './example-data.ts';
import { outboxMails } from './outbox.ts';

export const TRAINER_A = 'maya.okafor@example.com';
export const TRAINER_B = 'bo.lindqvist@example.net';
export const SERIES_B = 'series-b';

export interface StudioStack {
  stack: RunningStack;
  product: LocalProduct;
  dataDir: string;
  seriesA: string;
  /** The stack's clock: tests move it to expire links. */
  clock: { now: Date };
  stop(): Promise<void>;
}

export async function startStudioStack(): Promise<StudioStack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-studio-'));
  const clock = { now: new Date() };
  const stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false, ...(process.env.BATON_TEST_LOG ? { log: (line: string) => console.error(line) } : {}) });
  const product = wireLocalStack(stack, { secret: localSecret(dataDir), now: () => clock.now });
  const published = await publishSeries(exampleDir, product.store, clock.now);
  const seriesA = published.series.id;
  const people = await loadParticipants(join(exampleDir, 'participants.csv'), published.series);
  await product.store.putParticipants(seriesA, people);
  await syncSchedules(product.store, seriesA, clock.now);
  // Series B: the same trainings, run by someone else, with one participant of its own.
  const a = (await product.store.getSeries(seriesA))!;
  await product.store.putSeries({ ...a.series, id: SERIES_B, title: 'Series B, run by Bo', trainers: [{ name: 'Bo Lindqvist', email: TRAINER_B, timeZone: 'Europe/Stockholm' }] }, a.trainings, { publishedAt: clock.now, version: 1 });
  await product.store.putParticipants(SERIES_B, [{ email: 'b.person@example.net', name: 'B Person', timeZone: 'Europe/Stockholm', workStart: '09:00' }]);
  return {
    stack,
    product,
    dataDir,
    seriesA,
    clock,
    stop: async () => {
      product.close();
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Every mail the stack sent to `to`, oldest first, parsed (each copy once: test/support/outbox.ts). */
export async function mailsTo(dataDir: string, to: string) {
  const parsed = await outboxMails(join(dataDir, 'outbox'));
  return parsed.filter((m) => m.to && (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a.value.some((v) => v.address === to))).sort((a, b) => (a.messageId ?? '').localeCompare(b.messageId ?? ''));
}

/** The sign-in links mailed to `to`, in the order they were sent. */
export async function signInLinks(dataDir: string, to: string): Promise<string[]> {
  const mails = (await mailsTo(dataDir, to)).filter((m) => m.subject === 'Your sign-in link to the Baton studio').sort((a, b) => (a.date?.getTime() ?? 0) - (b.date?.getTime() ?? 0));
  return mails.map((m) => /(http:\/\/\S+\/studio\/signin\/\S+)/.exec(m.text ?? '')?.[1] ?? '').filter(Boolean);
}

/** A form POST that does not follow the 303. */
export const form = (fields: Record<string, string>) => ({ method: 'POST', body: new URLSearchParams(fields).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' }, redirect: 'manual' as const });
export const withCookie = (cookie: string, init: RequestInit = {}) => ({ redirect: 'manual' as const, ...init, headers: { ...(init.headers as Record<string, string>), cookie } });

/** Asks the studio of `s` for a sign-in link for `email`. */
export async function requestLink(s: StudioStack, email: string): Promise<globalThis.Response> {
  return fetch(`${s.stack.endpoints.studio}/signin`, form({ email }));
}

/** Signs in as `email` through the outbox; returns the cookie pair (name=value). */
export async function signIn(s: StudioStack, email: string): Promise<string> {
  const before = new Set(await signInLinks(s.dataDir, email));
  const asked = await requestLink(s, email);
  if (asked.status !== 200) throw new Error(`sign-in request answered ${asked.status}`);
  const fresh = (await signInLinks(s.dataDir, email)).filter((l) => !before.has(l));
  if (fresh.length !== 1) throw new Error(`expected one new sign-in link, found ${fresh.length}`);
  const res = await fetch(fresh[0]!, { method: 'POST', redirect: 'manual' });
  if (res.status !== 303) throw new Error(`signing in answered ${res.status}`);
  return res.headers.getSetCookie()[0]!.split(';')[0]!;
}

/** The CSRF token on series A's page `path` for this cookie. */
export async function csrfOf(s: StudioStack, cookie: string, path = ''): Promise<string> {
  const page = await (await fetch(`${s.stack.endpoints.studio}/s/${s.seriesA}${path}`, withCookie(cookie))).text();
  return /name="csrf" value="([^"]+)"/.exec(page)![1]!;
}
