#!/usr/bin/env node
// Compiles the `baton` CLI ahead of time into cli/dist/, so a command starts in a few hundred
// milliseconds instead of transpiling every TypeScript module it touches on each run (3 s of CPU
// for `--help` alone). Runs from `prepare`/`postinstall`: no network, only esbuild from
// node_modules. esbuild is a dependency (not a devDependency) so `npm install --omit=dev` builds
// too; its binary comes from the @esbuild/<platform> optional package, so it works even though
// npm 11 skips esbuild's own install script.
//
// Each command is its own chunk (splitting on main.ts's dynamic imports), the packages it uses
// bundled into the chunks that need them: `baton validate` loads the validate chunk and the core,
// never the AWS SDK or mjml. When the build is missing or older than the sources, cli/baton.js
// falls back to tsx.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource } from './freshness.js';

const cliDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(cliDir);
const out = join(cliDir, 'dist');

// The packages are bundled in, as the Lambdas bundle them (infra/bundling.ts): the AWS SDK's and
// mjml's ES modules, tree-shaken, each in the chunk of the commands that use it. Resolving and
// compiling their hundreds of CommonJS files was most of every command's start (`publish
// --dry-run` 1.3 s of CPU, `preview` 2.8 s), and zod's, yaml's and marked's a third of `validate`'s.
// Only the local servers and the tools the CLI starts stay external: they read their own files
// (a native LevelDB, the SES store's web page, the TypeScript loader) at run time; and TypeScript,
// which mjml's config loader (cosmiconfig) requires only for a .ts config, never at a start.
const EXTERNAL = new Set(['dynalite', 'aws-ses-v2-local', 'smtp-server', 'esbuild', 'tsx', 'playwright-core', 'typescript']);
const externalPackages = {
  name: 'external-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./#]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      if (!EXTERNAL.has(name) || args.path.startsWith('node:')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

// zod's `z` is a namespace object, so bundling it keeps every export of zod/v4/classic/external.js,
// used or not: its 60 error-message locales (370 kB, half of zod's chunk, compiled at every start)
// and the JSON-Schema importer. Baton uses neither (zod's English messages come from locales/en.js,
// which zod imports itself), so the CLI gets `locales` with English only and a fromJSONSchema that
// says it is not in this build. Compiling less is the largest cut in `validate`'s start.
const zodLean = {
  name: 'zod-lean',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$|^\.\/from-json-schema\.js$/ }, (args) => {
      if (!/[\\/]zod[\\/]v4[\\/](core|classic)[\\/]/.test(args.importer)) return undefined;
      if (args.path.includes('locales')) return { path: join(dirname(args.importer), '..', 'locales', 'en.js'), namespace: 'zod-locales' };
      return { path: 'from-json-schema', namespace: 'zod-lean' };
    });
    build.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
    build.onLoad({ filter: /.*/, namespace: 'zod-lean' }, () => ({
      contents: "export function fromJSONSchema() { throw new Error('fromJSONSchema is not part of the baton CLI build (cli/build.js)'); }",
    }));
  },
};

export async function buildCli({ quiet = false } = {}) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    if (!quiet) console.error('baton: esbuild is not installed, so the CLI runs through tsx (slower to start). `npm install` fixes it.');
    return false;
  }
  const started = Date.now();
  // Build beside the old output and swap, so a `baton` started meanwhile never sees half a build.
  const next = `${out}.${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  try {
    await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(cliDir, 'main.ts')],
    outdir: next,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // The packages' ES modules where they ship both, so what a command does not use is left out.
    mainFields: ['module', 'main'],
    plugins: [zodLean, externalPackages],
    sourcemap: 'linked',
    // The map only has to turn stack traces into file:line; the sources would triple its size.
    sourcesContent: false,
    // Less to parse at every start; names are kept, so a bug's stack still reads.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: quiet ? 'silent' : 'warning',
    // yaml is CommonJS under Node's conditions; its require('process') needs a real require.
    banner: { js: "// Generated by cli/build.js from cli/main.ts; do not edit.\nimport { createRequire as __batonRequire } from 'node:module';\nconst require = __batonRequire(import.meta.url);" },
  });
  // A stamp of the sources it was built from: newer sources mean a stale build (cli/baton.js).
  } catch (err) {
    rmSync(next, { recursive: true, force: true });
    if (!quiet) console.error(`baton: could not compile the CLI (${err instanceof Error ? err.message : String(err)}); it runs through tsx instead.`);
    return false;
  }
  writeFileSync(join(next, 'built-from.json'), `${JSON.stringify({ newestSource: newestSource(root) })}\n`);
  mkdirSync(out, { recursive: true });
  rmSync(`${out}.old`, { recursive: true, force: true });
  renameSync(out, `${out}.old`);
  renameSync(next, out);
  rmSync(`${out}.old`, { recursive: true, force: true });
  if (!quiet) console.error(`baton: CLI compiled into cli/dist in ${Date.now() - started} ms.`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const ok = await buildCli({ quiet: process.argv.includes('--quiet') });
  // A failed build must not fail `npm install`: the tsx fallback still runs every command.
  if (!ok) process.exitCode = 0;
}
