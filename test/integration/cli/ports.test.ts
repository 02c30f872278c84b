// The port offsets the `baton dev` tests use: below the ephemeral range the other servers' port 0
// draws from, and never a set with a port something else already holds.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { DEFAULT_PORTS } from '#adapters/local/config';
import { freePortOffset, portOffset } from '#test/support/ports';

const ephemeral = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('port offsets for a child baton dev', () => {
  it('keep all four ports between 10000 and the kernel ephemeral range', () => {
    for (let i = 0; i < 2_000; i++) {
      const offset = portOffset();
      for (const port of Object.values(DEFAULT_PORTS)) {
        expect(port + offset).toBeGreaterThanOrEqual(10_000);
        expect(port + offset).toBeLessThan(ephemeral);
      }
    }
  });

  it('skip an offset whose SMTP port another process holds', async () => {
    const taken = portOffset();
    const server: Server = await new Promise((resolve) => {
      const s = createServer().listen({ port: DEFAULT_PORTS.smtp + taken, host: '127.0.0.1' }, () => resolve(s));
    });
    try {
      const other = taken + 7; // any other offset; its ports are free unless something else is very unlucky
      const tried: number[] = [];
      const offers = [taken, other];
      const chosen = await freePortOffset(() => {
        const next = offers[tried.length]!;
        tried.push(next);
        return next;
      });
      expect(tried).toEqual([taken, other]);
      expect(chosen).toBe(other);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
