// Port offsets for a child `baton dev` (BATON_PORT_OFFSET) that do not collide with anything else
// the suite runs. Every other server in the tests listens on port 0, which the kernel hands out from
// its ephemeral range (32768–60999 on Linux); an offset that lands a fixed port in that range can
// find it taken by some other file's dynalite or SMTP server. CI once failed exactly so, on 33226.
// So offsets keep all four ports below the ephemeral range, and the async form also checks that
// each port is free right now.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { DEFAULT_PORTS } from '#adapters/local/config';

function ephemeralStart(): number {
  try {
    const first = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(first) && first > 10_000) return first;
  } catch {
    // Not Linux: IANA's dynamic range starts at 49152, Linux's default at 32768; take the lower.
  }
  return 32_768;
}

const lowest = Math.min(...Object.values(DEFAULT_PORTS));
const highest = Math.max(...Object.values(DEFAULT_PORTS));
const MIN_OFFSET = 10_000 - lowest; // keep clear of the well-known and registered ports people run things on

/** A random offset whose four ports all fall between 10000 and the start of the ephemeral range. */
export function portOffset(): number {
  const max = ephemeralStart() - 1 - highest;
  return MIN_OFFSET + Math.floor(Math.random() * (max - MIN_OFFSET));
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `portOffset()`, tried until all four ports are free (another worker may hold some). */
export async function freePortOffset(candidate: () => number = portOffset): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const offset = candidate();
    const free = await Promise.all(Object.values(DEFAULT_PORTS).map((p) => isFree(p + offset)));
    if (free.every(Boolean)) return offset;
  }
  throw new Error('no free set of ports for baton dev below the ephemeral range after 20 tries');
}
