// globalSetup of the integration project: the CLI tests run `node cli/baton.js …` as a trainer
// does, and cli/baton.js runs cli/dist only when it was built from the sources on disk; after
// any edit (or a checkout) it falls back to tsx, which costs most of a second of CPU more on each of
// the few dozen CLI runs. So a stale build is rebuilt once here, as `npm install` does.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildCli } from '../../cli/build.js';
import { newestSource } from '../../cli/freshness.js';

const root = join(import.meta.dirname, '..', '..');

export default async function setup(): Promise<void> {
  const stamp = join(root, 'cli', 'dist', 'built-from.json');
  const builtFrom = existsSync(stamp) ? (JSON.parse(readFileSync(stamp, 'utf8')) as { newestSource: number }).newestSource : -1;
  if (builtFrom >= newestSource(root)) return;
  // A failed build leaves the tsx fallback, which runs every command too (only slower).
  await buildCli({ quiet: true });
}
