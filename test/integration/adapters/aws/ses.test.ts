// Sending through the real SESv2 client into aws-ses-v2-local: the send rate comes from the
// account (GetAccount), sends are spaced to it on a virtual clock, and throttling backs off.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesLocalModule from 'aws-ses-v2-local';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { createSesClient, Pacer, SesMailer } from '#adapters/aws/ses';
import { localSesAccount } from '#adapters/local/stack';

const sesLocal = (sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ?? sesLocalModule;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  // aws-ses-v2-local answers GetAccount from this variable; set for this file only (afterAll).
  vi.stubEnv('AWS_SES_ACCOUNT', JSON.stringify(localSesAccount(5)));
  server = await sesLocal({ host: '127.0.0.1', port: 0 });
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  // The library's store and GetAccount variable are process-wide: left clean for the next file.
  await fetch(`${endpoint}/clear-store`, { method: 'POST' });
  await new Promise<void>((r) => server.close(() => r()));
  vi.unstubAllEnvs();
});

const raw = (to: string) =>
  `From: training@baton.example.com\r\nTo: ${to}\r\nSubject: pacing\r\nMessage-ID: <p.${to}>\r\nContent-Type: text/plain\r\n\r\nhello\r\n`;

/** A virtual clock: sleeping advances it, nothing waits for real. */
function virtualTime() {
  let t = 0;
  const sleeps: number[] = [];
  return { now: () => t, sleep: async (ms: number) => void (sleeps.push(ms), (t += ms)), sleeps, at: () => t };
}

describe('SesMailer', () => {
  it('reads the max send rate from the account and never starts more sends per second', async () => {
    const clock = virtualTime();
    const mailer = new SesMailer({ client: createSesClient({ endpoint }), now: clock.now, sleep: clock.sleep });
    expect(await mailer.accountSendRate()).toBe(5);
    const starts: number[] = [];
    for (let i = 0; i < 11; i++) {
      const id = await mailer.send({ from: 'training@baton.example.com', to: `p${i}@example.com`, raw: raw(`p${i}@example.com`) });
      expect(id).toBeTruthy();
      starts.push(clock.at());
    }
    // Any window of one second holds at most 5 starts.
    for (const s of starts) expect(starts.filter((x) => x >= s && x < s + 1000).length).toBeLessThanOrEqual(5);
    expect(starts.at(-1)).toBe(2000); // 11 sends at 5/s: the last starts 2 s after the first
    const store = (await (await fetch(`${endpoint}/store`)).json()) as { emails: unknown[] };
    expect(store.emails.length).toBeGreaterThanOrEqual(11);
  });

  it('backs off and retries when SES throttles, then gives up with the error', async () => {
    const clock = virtualTime();
    let calls = 0;
    const throttle = Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException' });
    const flaky = { send: async () => (++calls <= 2 ? Promise.reject(throttle) : { MessageId: 'ok-1' }) } as unknown as SESv2Client;
    const throttled: number[] = [];
    const mailer = new SesMailer({ client: flaky, maxSendRate: 100, now: clock.now, sleep: clock.sleep, onThrottle: (attempt) => throttled.push(attempt) });
    expect(await mailer.send({ from: 'a@example.com', to: 'b@example.com', raw: raw('b@example.com') })).toBe('ok-1');
    expect(calls).toBe(3);
    // Each back-off is reported, so the handlers can count SendThrottled.
    expect(throttled).toEqual([0, 1]);
    expect(clock.sleeps.filter((ms) => ms >= 200)).toEqual([200, 400]);

    const always = { send: async () => Promise.reject(throttle) } as unknown as SESv2Client;
    const giving = new SesMailer({ client: always, maxSendRate: 100, now: clock.now, sleep: clock.sleep, throttleRetries: 2 });
    await expect(giving.send({ from: 'a@example.com', to: 'b@example.com', raw: raw('b@example.com') })).rejects.toThrow('Maximum sending rate exceeded.');
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const bad = { send: async () => (++calls, Promise.reject(Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' }))) } as unknown as SESv2Client;
    const mailer = new SesMailer({ client: bad, maxSendRate: 100, sleep: async () => {} });
    await expect(mailer.send({ from: 'a@example.com', to: 'b@example.com', raw: raw('b@example.com') })).rejects.toThrow('not verified');
    expect(calls).toBe(1);
  });
});

describe('Pacer', () => {
  it('spaces calls evenly at the rate, and a new rate applies from the next call', async () => {
    const clock = virtualTime();
    const pacer = new Pacer(4, clock.now, clock.sleep);
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await pacer.wait();
      starts.push(clock.at());
    }
    expect(starts).toEqual([0, 250, 500, 750, 1000]);
    pacer.setRate(1);
    await pacer.wait();
    await pacer.wait();
    expect(clock.at()).toBe(2250);
  });
});
