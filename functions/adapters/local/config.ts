// Where the local stack lives and how it is reached. One place, so `baton dev`, the other
// commands' `--target local` and the tests agree on ports, names and the data folder.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';

export interface LocalConfig {
  dataDir: string;
  tableName: string;
  ports: { dynamo: number; ses: number; smtp: number; links: number };
  /** The domain our Message-IDs, calendar UIDs and reply addresses use locally. */
  domain: string;
  inboundDomain: string;
  sender: string;
  linksBaseUrl: string;
  /** Sends per second the local SES pretends to allow (SES sandbox accounts allow 1; production 14+). */
  maxSendRate: number;
}

export const DEFAULT_PORTS = { dynamo: 8000, ses: 8005, smtp: 2525, links: 8787 } as const;

/** BATON_PORT_OFFSET moves every default port, for a second stack beside the first (or a test). */
function defaultPorts(): LocalConfig['ports'] {
  const offset = Number(process.env.BATON_PORT_OFFSET ?? 0);
  if (!Number.isInteger(offset) || offset < 0 || offset > 50_000) {
    throw new Error(`BATON_PORT_OFFSET must be a whole number from 0 to 50000, got "${process.env.BATON_PORT_OFFSET}"`);
  }
  return {
    dynamo: DEFAULT_PORTS.dynamo + offset,
    ses: DEFAULT_PORTS.ses + offset,
    smtp: DEFAULT_PORTS.smtp + offset,
    links: DEFAULT_PORTS.links + offset,
  };
}

export function localConfig(overrides: Partial<LocalConfig> = {}): LocalConfig {
  const ports = { ...defaultPorts(), ...overrides.ports };
  return {
    dataDir: resolve(process.env.BATON_DATA_DIR ?? '.data'),
    tableName: 'baton',
    domain: 'baton.localhost',
    inboundDomain: 'reply.baton.localhost',
    sender: 'Baton <training@baton.localhost>',
    linksBaseUrl: `http://localhost:${ports.links}`,
    maxSendRate: 14,
    ...overrides,
    ports,
  };
}

/**
 * The HMAC secret for reply addresses and one-click links. Generated once per data folder and
 * kept there, so links in mail sent yesterday still verify after a restart.
 */
export function localSecret(dataDir: string): string {
  const file = join(dataDir, 'secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}
