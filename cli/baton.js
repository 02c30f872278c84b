#!/usr/bin/env node
// The `baton` command. It runs the CLI compiled ahead of time into cli/dist (cli/build.js, run by
// `npm install`), which starts in a fraction of a second. A fresh clone without the build, or a
// checkout whose sources changed since, runs the TypeScript through tsx instead: slower, never
// stale.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource } from './freshness.js';

// The AWS SDK warns on every start that Node 20 support ends in 2027; Lambdas run nodejs22.x,
// and the warning only hides the CLI's own output.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const name = typeof warning === 'object' ? warning?.name : rest[0]?.type ?? rest[0];
  if (name === 'NodeVersionSupportWarning') return;
  emitWarning(warning, ...rest);
};
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const cliDir = dirname(fileURLToPath(import.meta.url));
const compiled = join(cliDir, 'dist', 'main.js');

function compiledIsFresh() {
  if (process.env.BATON_CLI_SOURCE === '1' || !existsSync(compiled)) return false;
  try {
    const { newestSource: builtFrom } = JSON.parse(readFileSync(join(cliDir, 'dist', 'built-from.json'), 'utf8'));
    return builtFrom >= newestSource(dirname(cliDir));
  } catch {
    return false;
  }
}

let main;
if (compiledIsFresh()) {
  ({ main } = await import(compiled));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
