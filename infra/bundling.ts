// How a Lambda bundle is built: the esbuild options every BatonFunction's asset, the benches and
// the bundle tests use, and the bundles' size budgets. Apart from baton-function.ts (which re-exports
// it) so the worker thread that builds the assets (infra/bundle.ts) loads esbuild and this, not the
// CDK, and so does a test that only reads the bundles.
import type { BuildOptions, Plugin } from 'esbuild';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** esbuild target; keep in step with the runtime BatonFunction sets (baton-function.ts). */
export const BUNDLE_TARGET = 'node22';

// Bundled ESM has no `require`, yet CommonJS dependencies inside the bundle still call it for
// Node built-ins ("Dynamic require of ... is not supported" at run time); this gives them one.
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __batonCreateRequire } from 'node:module';" +
  'const require = __batonCreateRequire(import.meta.url);';

/**
 * Each bundle's size budget: all the code its asset ships (index.mjs and every chunk beside it),
 * since compiling code is most of a Lambda's init (issue 16). What an import compiles is less:
 * index.mjs and the chunks it imports statically; `npm run bench -- cold-start` reports both. The
 * budgets are what the bundles weigh plus ~10% headroom, so a dependency that slips in shows up
 * here (weighed again after the SDK schemas were pruned, the charset tables moved out and inbound
 * lost the calendar code).
 * Inbound parses MIME (mailparser and its single-byte charset tables, DKIM checks, HTML
 * sanitising), which the others never load; iconv-lite's double-byte tables ship beside the code
 * (CHARSET_TABLES) and weigh nothing here. Those that send calendars (dispatch, send-worker, and
 * the studio for its previews) carry the `ics` package (issue 15: ~80 KB with yup, which ics
 * validates with; inbound's acknowledgements carry none: SIDE_EFFECT_FREE). All that compose mail
 * carry Baton's words in English; the ten other languages ship as files beside the code
 * (BUNDLE_LOADERS), read only for the languages a job writes in, and weigh nothing here. Links plays the generated audio, so it has the S3 client too (a chunk loaded
 * by the audio path). The Lambda-side schemas are zod/mini (~35 KB) and the SDK's credential chain
 * is the environment link only (BUNDLE_ALIASES). The studio renders every page and composes emails
 * for its previews, reads the composed MIME back with mailparser (as inbound does), and carries the
 * Scheduler client for enrolling, the series parser (yaml, classic zod: ~150 KB) to check an edited
 * training's text and the Lambda client to hand the edit to the publish function, each in chunks
 * only the requests that use them load.
 */
export const BUNDLE_BUDGET_BYTES: Readonly<Record<string, number>> = {
  dispatch: 700 * 1024,
  'send-worker': 690 * 1024,
  links: 760 * 1024,
  'mail-events': 420 * 1024,
  'receipt-filter': 44 * 1024,
  inbound: 1480 * 1024,
  studio: 1800 * 1024,
  // mjml and its HTML/CSS tool chain (juice, cheerio with undici and the encoding tables, parse5,
  // htmlnano, js-beautify), the series parser's marked and yaml: publish time, off the hot path.
  publish: 3900 * 1024,
};

/**
 * Modules the Lambda bundles replace, as esbuild aliases (paths relative to the project root, where
 * esbuild runs): the SDK's default credential chain becomes the environment link Lambda always
 * takes (functions/adapters/aws/lambda-credentials.ts says why). Only the bundles: the CLI, the
 * local stack and the tests keep the whole chain.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': './functions/adapters/aws/lambda-credentials.ts',
};

/**
 * Modules esbuild runs at the top of every bundle (paths relative to the project root): the stack
 * traces, mapped to the TypeScript sources when one is written rather than by
 * NODE_OPTIONS=--enable-source-maps at every import (functions/adapters/aws/stack-traces.ts says why).
 */
export const BUNDLE_INJECT: readonly string[] = ['./functions/adapters/aws/stack-traces.ts'];

/**
 * esbuild loaders the bundles use: Baton's words in the languages other than English
 * (functions/mail/messages/<lang>.catalogue.json) are copied beside the bundle as files, and the
 * import is the file's name (`file`): messages/index.ts reads and parses one the first time a job
 * writes in that language, so the ~250 KB of text is neither compiled nor scanned at a cold start.
 */
export const BUNDLE_LOADERS: Readonly<Record<string, 'file'>> = { '.catalogue.json': 'file' };

/**
 * iconv-lite's double-byte charset tables (GBK, Big5, Shift_JIS, EUC-JP, EUC-KR: ~420 KB of JSON,
 * a quarter of inbound's import). iconv-lite requires each inside a function, the first time a
 * mail in that charset is decoded; bundled, they were compiled at every inbound cold start for the
 * few replies that need one. Copied beside the bundle instead (esbuild's `copy` loader): the
 * `require` stays a require (the bundles' banner gives chunks one), and Node reads the file then.
 */
export const CHARSET_TABLES = /node_modules[\\/]iconv-lite[\\/]encodings[\\/]tables[\\/][^\\/]+\.json$/;

/** Copies CHARSET_TABLES beside the bundle rather than into it. */
export const charsetTablesBeside: Plugin = {
  name: 'baton-charset-tables-beside',
  setup(build) {
    build.onLoad({ filter: CHARSET_TABLES }, (args) => ({ contents: readFileSync(args.path), loader: 'copy' }));
  },
};

/**
 * Work two dependencies do when they are imported, which Baton never or seldom needs, deferred to
 * first use in the bundles (issue 16: ~90 ms of CPU of every inbound cold start, by a profile of
 * the import). Each is an exact text replacement in one file; a dependency update that changes the
 * text fails the build (bundlePatches), so the patch is re-checked rather than silently dropped.
 */
export const BUNDLE_PATCHES: readonly { file: RegExp; why: string; replace: readonly [from: string, to: string][] }[] = [
  {
    // libmime builds iconv-lite's GBK codec (its decode and encode tables) at import only to know
    // the double-byte decoders by their class; a mail in a legacy double-byte charset builds it now.
    // And it loads encoding-japanese (its conversion tables, ~3 ms of inbound's import) for the
    // charsets iconv-lite lacks, ISO-2022-JP above all; a mail in one of them loads it now (a
    // `require` where it converts, which esbuild bundles as a module run on its first call).
    file: /node_modules[\\/]libmime[\\/]dist[\\/]esm[\\/]charset\.js$/,
    why: 'the GBK codec and encoding-japanese, built at import',
    replace: [
      ["const DBCS_DECODER = iconv.getCodec('gbk').decoder;", "let DBCS_DECODER_;\nconst dbcsDecoder = () => (DBCS_DECODER_ ??= iconv.getCodec('gbk').decoder);"],
      ['codec.decoder === DBCS_DECODER', 'codec.decoder === dbcsDecoder()'],
      ["import encodingJapanese from 'encoding-japanese';\n", ''],
      ['let output = encodingJapanese.convert(buf, {', "let output = require('encoding-japanese').convert(buf, {"],
    ],
  },
  {
    // mailparser compiles linkify-it with every top-level domain at import, for links in text it
    // turns into HTML; Baton's reply reader skips that (skipTextToHtml, skipTextLinks), so it is
    // compiled only if a parser ever linkifies.
    file: /node_modules[\\/]mailparser[\\/]dist[\\/]esm[\\/]mail-parser\.js$/,
    why: 'linkify-it and its domain list, compiled at import',
    replace: [
      ['const linkify = linkifyIt();\nlinkify\n', 'let linkify_;\nconst linkifier = () => linkify_ ??= (() => {\nconst linkify = linkifyIt();\nlinkify\n'],
      ['    .set({ fuzzyIP: true, fuzzyLink: true, fuzzyEmail: true });\n', "    .set({ fuzzyIP: true, fuzzyLink: true, fuzzyEmail: true });\nlinkify.add('@', twitterMentions);\nreturn linkify;\n})();\n"],
      ["linkify.add('@', {\n", 'const twitterMentions = {\n'],
      ['});\n// Deepest element nesting', '};\n// Deepest element nesting'],
      ['!linkify.pretest(str)', '!linkifier().pretest(str)'],
      ['let matches = linkify.match(segment);', 'let matches = linkifier().match(segment);'],
    ],
  },
  {
    // ics builds its yup schemas for every calendar field at import (tens of milliseconds of every
    // mail-composing function's cold start); they are built by the first calendar validated.
    file: /node_modules[\\/]ics[\\/]dist[\\/]schema[\\/]index\.js$/,
    why: 'the calendar schemas, built at import',
    replace: [
      ['var durationSchema = yup.object()', 'var built_;\nfunction build_() {\nvar durationSchema = yup.object()'],
      ['function validateHeader(candidate) {\n', 'return { headerSchema, headerAndEventSchema };\n}\nfunction validateHeader(candidate) {\n  var { headerSchema } = built_ ??= build_();\n'],
      ['function validateHeaderAndEvent(candidate) {\n', 'function validateHeaderAndEvent(candidate) {\n  var { headerAndEventSchema } = built_ ??= build_();\n'],
    ],
  },
];

/** Applies BUNDLE_PATCHES; fails the build when a file no longer holds the text a patch replaces. */
export const bundlePatches: Plugin = {
  name: 'baton-bundle-patches',
  setup(build) {
    for (const patch of BUNDLE_PATCHES) {
      build.onLoad({ filter: patch.file }, (args) => {
        let contents = readFileSync(args.path, 'utf8');
        for (const [from, to] of patch.replace) {
          if (contents.split(from).length !== 2) {
            return { errors: [{ text: `BUNDLE_PATCHES (${patch.why}): ${args.path} no longer holds exactly one ${JSON.stringify(from)}; check the dependency's update and the patch (infra/bundling.ts)` }] };
          }
          contents = contents.replace(from, () => to);
        }
        return { contents, loader: 'js' };
      });
    }
  },
};

/**
 * Each AWS SDK client's schema file (`schemas_0.js`: the shapes of every operation the service has,
 * ~100 KB for SES or S3) names its traits with computed keys, `{ [_e]: _c, [_hE]: 400 }`, where `_e`
 * is a `const` string of the same file. esbuild cannot tell a computed key has no side effect, so it
 * kept every schema holding one, and what they point to: a function that sends mail carried the
 * shapes of SES's ~110 operations for the three it calls, compiled at every cold start (issue 16).
 * sdkSchemaKeys writes each such key as the string it names (`{ "error": _c, "httpError": 400 }`),
 * the same object, so the shapes no operation in the bundle reaches are left out. A computed key
 * naming anything but a string constant of the file fails the build: the SDK changed its shape, and
 * the plugin must be looked at again rather than drop schemas silently.
 */
export const SDK_SCHEMA_FILE = /node_modules[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;

/** A schema file's text with every computed key that names a string constant written as that string. */
export function literalSchemaKeys(source: string, path: string): string {
  const strings = new Map<string, string>();
  for (const m of source.matchAll(/^const (_\w+) = ("(?:[^"\\\n]|\\.)*");$/gm)) strings.set(m[1]!, m[2]!);
  const unknown = new Set<string>();
  const written = source.replace(/(?<=[{,]\s*)\[([\w$]+)\]:/g, (key, name: string) => {
    const literal = strings.get(name);
    // A literal "__proto__" key would set the prototype, where the computed one makes a property.
    if (literal === undefined || literal === '"__proto__"') {
      unknown.add(name);
      return key;
    }
    return `${literal}:`;
  });
  if (unknown.size > 0) throw new Error(`sdkSchemaKeys: ${path} has computed keys that name no string constant of the file (${[...unknown].join(', ')}); check the SDK's update and the plugin (infra/bundling.ts)`);
  return written;
}

/** Applies literalSchemaKeys to every SDK client's schema file a bundle reaches. */
export const sdkSchemaKeys: Plugin = {
  name: 'baton-sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SDK_SCHEMA_FILE }, (args) => {
      try {
        return { contents: literalSchemaKeys(readFileSync(args.path, 'utf8'), args.path), loader: 'js' };
      } catch (error) {
        return { errors: [{ text: (error as Error).message }] };
      }
    });
  },
};

/**
 * Packages published both as CommonJS and as ES modules that a bundle reaches both ways: mailparser
 * imports them, and its @zone-eu/mailsplit requires them. esbuild then bundles two copies of each,
 * and the CommonJS libmime (outside BUNDLE_PATCHES, which patch the ES one) built iconv-lite's GBK
 * codec at every inbound cold start. Each `require` of one of these becomes the ES module's default
 * export (the same object of functions and classes the CommonJS `exports` holds), from the same
 * installed copy the `require` would have found.
 */
export const BUNDLE_ONE_COPY: readonly string[] = ['libmime', 'libqp', 'libbase64'];

/** Resolves a `require` of a BUNDLE_ONE_COPY package to the ES module an `import` of it finds. */
export const bundleOneCopy: Plugin = {
  name: 'baton-bundle-one-copy',
  setup(build) {
    const filter = new RegExp(`^(${BUNDLE_ONE_COPY.join('|')})$`);
    build.onResolve({ filter }, async (args) => {
      if (args.kind !== 'require-call') return undefined;
      const esm = await build.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, importer: args.importer });
      if (esm.errors.length > 0) return { errors: esm.errors };
      return { path: esm.path, namespace: 'baton-one-copy' };
    });
    build.onLoad({ filter: /.*/, namespace: 'baton-one-copy' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)}).default;`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

/**
 * CommonJS packages whose modules only define things (no global, no registration, no I/O when
 * loaded), declared so to esbuild, which must otherwise keep every CommonJS module a bundle
 * reaches: it cannot see that loading one does nothing. Declared, a module stays out of a bundle
 * whose code never calls it. `ics` (with yup, which it validates with: ~80 KB) is reached through
 * the mail room's compose module by inbound, whose acknowledgements carry no calendar.
 */
export const SIDE_EFFECT_FREE: readonly string[] = ['ics'];

/** Marks the SIDE_EFFECT_FREE packages' entry points as such (esbuild's `sideEffects: false`). */
export const sideEffectFree: Plugin = {
  name: 'baton-side-effect-free',
  setup(build) {
    const filter = new RegExp(`^(${SIDE_EFFECT_FREE.join('|')})$`);
    build.onResolve({ filter }, async (args) => {
      if (args.pluginData === sideEffectFree) return undefined;
      const found = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: sideEffectFree });
      if (found.errors.length > 0) return { errors: found.errors };
      return { ...found, sideEffects: false };
    });
  },
};

/**
 * The esbuild options of a Lambda bundle (the stack's, the benches' and the bundle tests'): one ES
 * module `index.mjs` in `outdir`, and what it imports with `import()` split into chunks beside it,
 * loaded only by the invocations that reach them (issue 16: compiling the bundle is most of a cold
 * start). NodejsFunction cannot split (it passes one `--outfile`), so BatonFunction runs esbuild itself.
 */
export function bundleOptions(entry: string, outdir: string, externals: readonly string[] = []): BuildOptions & { outdir: string } {
  return {
    entryPoints: { index: entry },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: BUNDLE_TARGET,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    alias: { ...BUNDLE_ALIASES },
    inject: [...BUNDLE_INJECT],
    loader: { ...BUNDLE_LOADERS },
    minify: true,
    sourcemap: true,
    // The map only has to turn stack traces into file:line; the sources would double its size.
    sourcesContent: false,
    external: [...externals],
    plugins: [bundleOneCopy, bundlePatches, sdkSchemaKeys, charsetTablesBeside, sideEffectFree],
    absWorkingDir: PROJECT_ROOT,
    // esbuild's size table on every synth is noise; warnings and errors still show.
    logLevel: 'warning',
  };
}
