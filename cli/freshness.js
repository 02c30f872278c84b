// Whether cli/dist (the compiled CLI) was built from the sources on disk. Plain JavaScript and
// node: imports only, because cli/baton.js asks before it has decided how to load TypeScript.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// Everything the CLI bundle is compiled from (test/ is only read at run time by simulate).
const SOURCE_DIRS = ['cli', 'functions', 'emails', 'contract'];

/** The newest modification time (ms) of any .ts file the CLI is built from, or of package.json. */
export function newestSource(root) {
  let newest = statSync(join(root, 'package.json')).mtimeMs;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'dist' || entry.name.startsWith('dist.') || entry.name === 'node_modules') continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of SOURCE_DIRS) walk(join(root, dir));
  return newest;
}
