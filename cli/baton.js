#!/usr/bin/env node
// The `baton` command. The CLI is TypeScript run through tsx, so the same sources serve the
// CLI, the tests and the Lambda bundles without a build step.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every start that Node 20 support ends in 2027; Lambdas run nodejs22.x,
// and the warning only hides the CLI's own output.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning, ...rest) => {
  const name = typeof warning === 'object' ? warning?.name : rest[0]?.type ?? rest[0];
  if (name === 'NodeVersionSupportWarning') return;
  emitWarning(warning, ...rest);
};

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
