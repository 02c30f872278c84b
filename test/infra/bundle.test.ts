// Every function's bundle as `cdk synth` and `cdk deploy` build it (BatonFunction's local esbuild
// step, bundleOptions), taken from the app's synth (test/support/app-synth.ts: the one config.test.ts
// checks, made once and cached), then loaded and run: dispatch's refusals, dispatch cutting a
// kickoff into batches on the queue (dynalite, and SQS a stand-in speaking its JSON protocol), the
// mail-events bundle for real against dynalite, and the publish bundle (the one with mjml) applying
// a studio edit against dynalite, with EventBridge Scheduler a recording HTTP stand-in. These run
// the SDK clients as the bundles carry them: without the schemas of operations no function calls
// (sdkSchemaKeys in infra/bundling.ts).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStore } from '#adapters/aws/dynamo';
import { BUNDLE_BUDGET_BYTES, CHARSET_TABLES, PROJECT_ROOT } from '#infra/bundling';
import { syncSchedules } from '#app/publish';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { exampleDir } from '#test/support/example-data';
import { KEYED_FOLDERS, synthApp } from '#test/support/app-synth';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

const FUNCTIONS = ['dispatch', 'send-worker', 'inbound', 'links', 'studio', 'mail-events', 'receipt-filter', 'publish'] as const;
/** The functions on the hot path: none of them may carry mjml or classic zod. */
const HOT = FUNCTIONS.filter((f) => f !== 'publish');

describe('the function bundles', () => {
  let outdir: string;
  const assetDirs: Record<string, string> = {};
  /** The Lambda functions' code in the service template: S3 keys, one per function. */
  let codeKeys: string[];
  /** The service's file assets as cdk deploy uploads them: the function each is the code of, its folder, its key. */
  let assets: { displayName: string; path: string; packaging: string; objectKey: string }[];

  beforeAll(async () => {
    // The synth's cloud assembly lies under node_modules (node_modules/.cache), so vitest hands an
    // `.mjs` bundle to Node's own import, as Lambda's runtime loads it. Elsewhere vitest would run
    // each bundle it imports through its transform first (the publish one is 4.7 MB with its map):
    // over half of this file's CPU time, spent on code the test never meant to transform.
    ({ outdir } = await synthApp());
    const manifest = JSON.parse(readFileSync(join(outdir, 'BatonService.assets.json'), 'utf8')) as {
      files: Record<string, { displayName: string; source: { path: string; packaging: string }; destinations: Record<string, { objectKey: string }> }>;
    };
    assets = Object.values(manifest.files).map((f) => ({ displayName: f.displayName, ...f.source, objectKey: Object.values(f.destinations)[0]!.objectKey }));
    const template = JSON.parse(readFileSync(join(outdir, 'BatonService.template.json'), 'utf8')) as { Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }> };
    codeKeys = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function').map((r) => r.Properties.Code!.S3Key!);
    for (const name of FUNCTIONS) {
      const asset = assets.find((a) => a.displayName === `${name}/Code`);
      if (asset) assetDirs[name] = join(outdir, asset.path);
    }
  }, 300_000);

  /** The asset's code files: index.mjs and the chunks beside it (bundleOptions splits on `import()`). */
  const codeFiles = (name: string) => readdirSync(assetDirs[name]!).filter((f) => f.endsWith('.mjs')).map((f) => join(assetDirs[name]!, f));
  const allCode = (name: string) => codeFiles(name).map((f) => readFileSync(f, 'utf8')).join('\n');
  /** The files a bundle was built from, as paths on disk (a map names them relative to itself). */
  const allSources = (name: string) =>
    codeFiles(name).flatMap((f) => (JSON.parse(readFileSync(`${f}.map`, 'utf8')) as { sources: string[] }).sources.map((s) => resolve(dirname(f), s)));
  /**
   * What a cold start compiles: index.mjs and the chunks it imports statically, transitively
   * (`import … from"./chunk-….mjs"`, not `import("./chunk-….mjs")`, which loads on a path that needs it).
   */
  const coldStartFiles = (name: string) => {
    const loaded = new Set<string>();
    const visit = (file: string) => {
      if (loaded.has(file)) return;
      loaded.add(file);
      for (const [, chunk] of readFileSync(join(assetDirs[name]!, file), 'utf8').matchAll(/(?:from|import)\s*"\.\/(chunk-[A-Z0-9]+\.mjs)"/g)) visit(chunk!);
    };
    visit('index.mjs');
    return [...loaded];
  };
  /** The packages (under node_modules) a bundle's files were built from, by their source maps. */
  const packagesOf = (name: string, files: readonly string[]) =>
    new Set(
      files.flatMap((f) =>
        (JSON.parse(readFileSync(join(assetDirs[name]!, `${f}.map`), 'utf8')) as { sources: string[] }).sources
          // Resolved first: the asset lies under node_modules/.cache, so `../../ics/…` is a package.
          .flatMap((s) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(relative(PROJECT_ROOT, resolve(assetDirs[name]!, s)))?.[1] ?? []),
      ),
    );
  const shippedBytes = (name: string) => codeFiles(name).reduce((n, f) => n + statSync(f).size, 0);
  const load = async <T>(name: string) => (await import(pathToFileURL(join(assetDirs[name]!, 'index.mjs')).href)) as T;
  /** Sets (or, for undefined, removes) variables for a bundle's run; vi.unstubAllEnvs() puts back what was there. */
  const stubEnvs = (vars: Record<string, string | undefined>) => Object.entries(vars).forEach(([k, v]) => vi.stubEnv(k, v));
  /** What a bundle needs to find dynalite as it would find DynamoDB: the standard endpoint variable. */
  const dynaliteEnv = (db: TestDynalite) => ({
    TABLE_NAME: db.tableName,
    AWS_REGION: 'eu-west-1',
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  /**
   * For one describe block: dynalite, and an HTTP stand-in for another AWS API answering each
   * request's whole body with `respond`; `url` is the stand-in's address once started.
   */
  const withDynaliteAnd = (respond: (req: IncomingMessage, body: Buffer, res: ServerResponse) => void) => {
    const ctx = { db: undefined as unknown as TestDynalite, url: '' };
    let server: Server | undefined;
    beforeAll(async () => {
      ctx.db = await startDynalite();
      const standIn = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => respond(req, Buffer.concat(chunks), res));
      });
      server = standIn;
      await new Promise<void>((resolve) => standIn.listen(0, '127.0.0.1', resolve));
      ctx.url = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await ctx.db?.stop();
      await new Promise((resolve) => server?.close(resolve));
    });
    return ctx;
  };

  it('gives each function its own asset, a folder named by the hash of its build, which the template deploys', () => {
    const code = assets.filter((a) => a.displayName.endsWith('/Code'));
    expect(code.map((a) => a.displayName.replace(/\/Code$/, '')).sort()).toEqual([...FUNCTIONS].sort());
    for (const asset of code) {
      expect(asset.path).toMatch(/^asset\.[0-9a-f]{64}$/);
      expect(asset.packaging).toBe('zip');
      expect(asset.objectKey).toBe(`${asset.path.slice('asset.'.length)}.zip`);
      expect(existsSync(join(outdir, asset.path, 'index.mjs')), asset.path).toBe(true);
    }
    expect(codeKeys.sort()).toEqual(code.map((a) => a.objectKey).sort());
  });

  it('bundles only sources the synth cache keys on: a folder it hashes, or an installed package', () => {
    // test/support/app-synth.ts reuses a synth while the files it hashes are unchanged; a bundle
    // built from a file outside them (a new top-level folder) would be served stale after an edit.
    const keyed = KEYED_FOLDERS.map((f) => join(PROJECT_ROOT, f) + sep);
    const installed = join(PROJECT_ROOT, 'node_modules') + sep;
    for (const name of FUNCTIONS) {
      const sources = allSources(name);
      expect(sources.length, name).toBeGreaterThan(0);
      const outside = sources.filter((s) => !s.startsWith(installed) && !keyed.some((k) => s.startsWith(k)));
      expect(outside.map((s) => relative(PROJECT_ROOT, s)), name).toEqual([]);
      expect(sources.some((s) => s.startsWith(join(PROJECT_ROOT, 'functions') + sep)), name).toBe(true);
    }
  });

  it.each(HOT)('%s is minified ES modules (index.mjs and its chunks) with source maps, within budget, with nothing of mjml, classic zod or the credential chain', (name) => {
    const bundle = join(assetDirs[name]!, 'index.mjs');
    expect(existsSync(bundle)).toBe(true);
    for (const file of codeFiles(name)) expect(existsSync(`${file}.map`), file).toBe(true);
    const bytes = shippedBytes(name);
    process.stdout.write(`${name} bundle: ${bytes} bytes in ${codeFiles(name).length} files\n`);
    expect(bytes).toBeLessThan(BUNDLE_BUDGET_BYTES[name]!);
    const code = allCode(name);
    expect(code).toMatch(/createRequire/);
    expect(code).not.toMatch(/mjml/i);
    // Cold start (issue 16): the schemas are zod/mini, whose schema names say so; classic zod's
    // would mean a classic import (or Powertools' parser schemas) brought ~450 KB back.
    expect(code).toContain('"ZodMiniObject"');
    // The studio checks an edited training with the folder's own parser (core/series.ts, classic
    // zod and yaml: ~150 KB of its 2.4 MB), so a text edit meets exactly `baton validate`'s problems.
    if (name !== 'studio') expect(code).not.toContain('"ZodObject"');
    // The SDK's credential chain is the environment link only: no SSO, INI or web-identity links.
    expect(code).not.toContain('defaultProvider::fromSSO');
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith(`functions/handlers/${name}.ts`))).toBe(true);
  });

  it.each(['dispatch', 'send-worker', 'links', 'inbound', 'studio'])('%s ships the ten other languages as catalogue files beside its code, not in it', (name) => {
    const files = readdirSync(assetDirs[name]!).filter((f) => f.includes('.catalogue-') && f.endsWith('.json'));
    expect(files.map((f) => f.slice(0, 2)).sort()).toEqual(['ar', 'de', 'es', 'fr', 'id', 'ja', 'ms', 'nl', 'pt', 'th']);
    const german = files.find((f) => f.startsWith('de.'))!;
    const text = readFileSync(join(assetDirs[name]!, german), 'utf8');
    expect(JSON.parse(text)).toMatchObject({ 'reminder.more': expect.stringContaining('weitere Beitr') });
    // The code names the file; the words themselves are not in it.
    const code = allCode(name);
    expect(code).toContain(german);
    expect(code).not.toContain('weitere Beitr');
  });

  it('compiles calendar code at a cold start only where mail with calendars is sent: not in inbound or the studio', () => {
    // ics (and yup, which it validates with: ~80 KB) builds the invitations. Inbound's acknowledgements
    // carry none, so it ships none (SIDE_EFFECT_FREE in infra/bundling.ts); the studio builds them
    // for its previews, a re-send and a removal's cancellation, in chunks only those requests load.
    const all = (name: string) => readdirSync(assetDirs[name]!).filter((f) => f.endsWith('.mjs'));
    const coldStart = Object.fromEntries(['inbound', 'studio', 'send-worker', 'dispatch'].map((n) => [n, packagesOf(n, coldStartFiles(n))]));
    const shipped = Object.fromEntries(['inbound', 'studio', 'send-worker'].map((n) => [n, packagesOf(n, all(n))]));
    expect({
      inboundColdStart: coldStart.inbound!.has('ics') || coldStart.inbound!.has('yup'),
      inboundShips: shipped.inbound!.has('ics'),
      studioColdStart: coldStart.studio!.has('ics') || coldStart.studio!.has('yup'),
      studioShips: shipped.studio!.has('ics'),
      dispatchColdStart: coldStart.dispatch!.has('ics'),
      sendWorkerColdStart: coldStart['send-worker']!.has('ics') && coldStart['send-worker']!.has('yup'),
    }).toEqual({ inboundColdStart: false, inboundShips: false, studioColdStart: false, studioShips: true, dispatchColdStart: false, sendWorkerColdStart: true });
    // The walk follows chunks (the studio's cold start is index.mjs and shared chunks) and the maps
    // name packages (inbound's cold start parses mail), so the answers above are not empty sets.
    expect(coldStartFiles('studio').length).toBeGreaterThan(1);
    expect(coldStart.inbound!.has('mailparser')).toBe(true);
  });

  it('starts the studio without its editor or enrolment: no series parser or Markdown at a cold start, and no classic zod at all', () => {
    // The edit pages, the training parser and the CSV rules load with the requests that use them;
    // the pages a trainer opens first need none of them. No function ships classic zod: the series
    // parser and the zone rules are written with zod/mini like every other schema. When classic zod
    // came with the editor, the parts of zod's core it uses (JSON Schema among them, ~45 KB) sat in
    // the chunks every cold start loads: esbuild cuts chunks per file, and both share those files.
    const sources = (files: readonly string[]) =>
      files.flatMap((f) => (JSON.parse(readFileSync(join(assetDirs.studio!, `${f}.map`), 'utf8')) as { sources: string[] }).sources.map((s) => relative(PROJECT_ROOT, resolve(assetDirs.studio!, s))));
    const coldStart = sources(coldStartFiles('studio'));
    const shipped = sources(readdirSync(assetDirs.studio!).filter((f) => f.endsWith('.mjs')));
    const has = (list: string[], pattern: RegExp) => list.some((s) => pattern.test(s));
    const parts = { classicZod: /node_modules\/zod\/v4\/classic\//, marked: /node_modules\/marked\//, yaml: /node_modules\/yaml\//, editPages: /functions\/web\/studio-edit\.ts$/, csvRules: /functions\/core\/participants\.ts$/ };
    const found = (list: string[]) => Object.fromEntries(Object.entries(parts).map(([k, re]) => [k, has(list, re)]));
    expect({ coldStart: found(coldStart), shipped: found(shipped) }).toEqual({
      coldStart: { classicZod: false, marked: false, yaml: false, editPages: false, csvRules: false },
      shipped: { classicZod: false, marked: true, yaml: true, editPages: true, csvRules: true },
    });
    // What a cold start does load: the overview's page and the sign-in.
    expect(has(coldStart, /functions\/web\/studio-pages\.ts$/) && has(coldStart, /functions\/app\/studio\/sign-in\.ts$/)).toBe(true);
  });

  it('builds only the event schemas a function reads: the studio and the receipt filter carry no SES sending events', () => {
    // events.ts holds every AWS event's schema. Written builtOnFirstUse (functions/core/
    // built-on-first-use.ts), a function's bundle keeps the ones it parses with and leaves the others
    // out; before, each bundle that imported the module built all of them (~200 zod schemas) at
    // every cold start.
    // Each shape is told by text only its schema holds: an error message, or a field only it names.
    const shapes = {
      sesSending: 'has neither eventType nor notificationType',
      sesViaSqs: 'ApproximateFirstReceiveTimestamp',
      sesReceipt: 'PROCESSING_FAILED',
      functionUrl: 'isBase64Encoded',
    };
    const holds = (name: string) => {
      const code = coldStartFiles(name).map((f) => readFileSync(join(assetDirs[name]!, f), 'utf8')).join('\n');
      return Object.fromEntries(Object.entries(shapes).map(([shape, text]) => [shape, code.includes(text)]));
    };
    expect({ studio: holds('studio'), receiptFilter: holds('receipt-filter'), mailEvents: holds('mail-events'), inbound: holds('inbound') }).toMatchObject({
      studio: { sesSending: false, sesViaSqs: false, sesReceipt: false, functionUrl: true },
      receiptFilter: { sesSending: false, sesViaSqs: false, sesReceipt: true, functionUrl: false },
      mailEvents: { sesSending: true, sesViaSqs: true, sesReceipt: false, functionUrl: false },
      inbound: { sesSending: false, sesViaSqs: false, sesReceipt: true, functionUrl: false },
    });
  });

  it.each(['inbound', 'studio'])('%s ships iconv-lite’s double-byte charset tables as files beside its code, not in it', (name) => {
    // Every table iconv-lite has, each once, named by its content's hash.
    const tables = readdirSync(assetDirs[name]!).filter((f) => f.endsWith('.json') && !f.includes('.catalogue-'));
    const iconvTables = readdirSync(join(PROJECT_ROOT, 'node_modules/iconv-lite/encodings/tables')).filter((f) => CHARSET_TABLES.test(join(PROJECT_ROOT, 'node_modules/iconv-lite/encodings/tables', f)));
    expect(tables.map((f) => f.replace(/-[A-Z0-9]+\.json$/, '.json')).sort()).toEqual(iconvTables.sort());
    expect(tables.length).toBeGreaterThanOrEqual(8);
    const code = allCode(name);
    // The code requires each file by its name when a mail needs it; the tables' text is not in it.
    for (const f of tables) expect(code.includes(`"./${f}"`), f).toBe(true);
    expect(code.includes('丂丄丅丆丏丒丗丟丠両丣並'), 'cp936 in the code').toBe(false);
  });

  it('publish is minified ES modules with source maps, within its own budget: mjml inside, TypeScript’s compiler and the credential chain not', () => {
    const bundle = join(assetDirs.publish!, 'index.mjs');
    const bytes = shippedBytes('publish');
    process.stdout.write(`publish bundle: ${bytes} bytes in ${codeFiles('publish').length} files\n`);
    expect(bytes).toBeLessThan(BUNDLE_BUDGET_BYTES.publish!);
    const code = allCode('publish');
    expect(code).toMatch(/createRequire/);
    expect(code).toMatch(/mj-column/);
    // cosmiconfig's lazy require('typescript') stays a require the function never reaches.
    expect(code).not.toContain('transpileModule=');
    expect(code).toMatch(/[\w$]+\("typescript"\)/);
    expect(code).not.toContain('defaultProvider::fromSSO');
    // Nothing else was left out: the asset is the bundle and its map, no node_modules.
    expect(existsSync(join(assetDirs.publish!, 'node_modules'))).toBe(false);
    const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
    expect(map.sources.some((s) => s.endsWith('functions/handlers/publish.ts'))).toBe(true);
    expect(allSources('publish').some((s) => s.includes('node_modules/mjml-core/'))).toBe(true);
  });

  describe('publish, when run against dynalite', () => {
    const requests: string[] = [];
    // EventBridge Scheduler's REST API, as far as this run needs it: CreateScheduleGroup is
    // POST /schedule-groups/<name>, answered with the group's ARN as AWS documents it.
    const aws = withDynaliteAnd((req, _body, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ScheduleGroupArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/baton-q1-productivity' }));
    });

    it('applies a studio text edit: the bundled mjml compiles the new text into the stored template', async () => {
      const { db } = aws;
      const store = createStore({ client: db.client, tableName: db.tableName });
      // The bundled handler reads the real clock: the series is published now (its windows are ahead).
      const now = new Date();
      const first = await publishSeries(exampleDir, store, now);
      const id = first.series.id;
      // Every training has a recording of its own, so no speech is asked for (Polly is not here).
      const trainings = first.trainings.map((t) => ({ ...t, media: { ...t.media, audio: `https://media.example.org/${t.slug}.mp3` } }));
      await store.putSeries(first.series, trainings, { publishedAt: now, version: 2 });
      await store.putParticipants(id, await loadParticipants(join(exampleDir, 'participants.csv'), first.series));
      await syncSchedules(store, id, now);
      // The kickoff went out at publishing, as it does: it is done, not planned again.
      const kickoff = (await store.listSchedules(id)).find((x) => x.name === 'kickoff')!;
      await store.putSchedule(id, { ...kickoff, state: 'done' });
      const edited = { ...trainings[0]!, body: `${trainings[0]!.body}\n\nCompiled by the bundled mjml.` };
      await store.putStudioEdit({ id: 'bundle-edit-0001', seriesId: id, slug: edited.slug, kind: 'text', training: edited, baseVersion: 2, by: 'maya.okafor@example.com', requestedAt: now.toISOString(), state: 'pending', plan: [] });
      stubEnvs({
        ...dynaliteEnv(db),
        AWS_ENDPOINT_URL_SCHEDULER: aws.url,
        BATON_SCHEDULE_TARGET_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:dispatch',
        BATON_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/scheduler',
        BATON_SCHEDULER_DLQ_ARN: 'arn:aws:sqs:eu-west-1:123456789012:scheduler-dlq',
        ATTACHMENT_BUCKET: 'attachments',
        BATON_LINKS_BASE_URL: 'https://links.example.com/',
      });
      const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      try {
        const { handler } = await load<{ handler: (e: unknown) => Promise<unknown> }>('publish');
        expect(await handler({ seriesId: id, editId: 'bundle-edit-0001' })).toEqual({ kind: 'applied', version: 3 });
      } finally {
        write.mockRestore();
        vi.unstubAllEnvs();
      }
      expect(await store.getTemplate(id, `training/${edited.slug}`)).toContain('Compiled by the bundled mjml.');
      expect((await store.getStudioEdit(id, 'bundle-edit-0001'))?.state).toBe('applied');
      // The text moved no schedule: the series' group was ensured, and that was all.
      expect(requests).toEqual([`POST /schedule-groups/baton-${id}`]);
    }, 120_000);
  });

  describe('dispatch, when run', () => {
    type Handler = (event: unknown) => Promise<unknown>;
    it('refuses to start without the environment the stack sets, naming every missing variable', async () => {
      const { handler } = await load<{ handler: Handler }>('dispatch');
      stubEnvs({ TABLE_NAME: undefined, BATON_DOMAIN: undefined, BATON_FANOUT_QUEUE_URL: undefined });
      try {
        await expect(handler({ kind: 'digest', seriesId: 'q1-productivity' })).rejects.toThrow(
          /dispatch function's environment is incomplete[\s\S]*TABLE_NAME is not set[\s\S]*BATON_DOMAIN is not set[\s\S]*BATON_FANOUT_QUEUE_URL is not set[\s\S]*redeploy/,
        );
      } finally {
        vi.unstubAllEnvs();
      }
    });
  });

  describe('dispatch, when run against dynalite and an SQS stand-in', () => {
    const received: { target: string | undefined; contentType: string | undefined; url: string | undefined; body: { QueueUrl: string; Entries: { Id: string; MessageBody: string }[] } }[] = [];
    // SQS's JSON protocol, as far as a fan-out needs it: SendMessageBatch answered as AWS documents
    // it, each entry's MD5OfMessageBody the MD5 of its body (the SDK checks it, so a wrong one fails).
    const aws = withDynaliteAnd((req, raw, res) => {
      const body = JSON.parse(raw.toString('utf8')) as (typeof received)[number]['body'];
      received.push({ target: req.headers['x-amz-target'] as string | undefined, contentType: req.headers['content-type'], url: req.url, body });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({
        Successful: body.Entries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: createHash('md5').update(e.MessageBody, 'utf8').digest('hex') })),
        Failed: [],
      }));
    });

    it('cuts a kickoff into batches and queues them through the bundled SQS client', async () => {
      const { db } = aws;
      const store = createStore({ client: db.client, tableName: db.tableName });
      const first = await publishSeries(exampleDir, store, new Date());
      const id = first.series.id;
      const people = await loadParticipants(join(exampleDir, 'participants.csv'), first.series);
      await store.putParticipants(id, people);
      const queueUrl = `${aws.url}/123456789012/baton-fanout`;
      stubEnvs({
        ...dynaliteEnv(db),
        REPLY_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:reply-token',
        BATON_DOMAIN: 'baton.example.com',
        BATON_INBOUND_DOMAIN: 'reply.baton.example.com',
        BATON_SENDER: 'training@baton.example.com',
        BATON_LINKS_BASE_URL: 'https://links.example.com/',
        BATON_MAX_SEND_RATE: '14',
        BATON_CONFIGURATION_SET: 'baton',
        BATON_FANOUT_QUEUE_URL: queueUrl,
        BATON_FANOUT_BATCH_SIZE: '5',
      });
      const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      let result: unknown;
      try {
        // A module instance of its own: the handler keeps the configuration of its first event.
        const { handler } = (await import(`${pathToFileURL(join(assetDirs.dispatch!, 'index.mjs')).href}?fan-out`)) as { handler: (e: unknown) => Promise<unknown> };
        result = await handler({ kind: 'kickoff', seriesId: id });
      } finally {
        write.mockRestore();
        vi.unstubAllEnvs();
      }
      const emails = people.map((p) => p.email).sort();
      expect(result).toMatchObject({ fannedOut: { batches: Math.ceil(emails.length / 5), recipients: emails.length } });
      // One SendMessageBatch call in SQS's JSON protocol, to the queue's own URL.
      expect(received.map((r) => [r.target, r.contentType, r.url, r.body.QueueUrl])).toEqual([['AmazonSQS.SendMessageBatch', 'application/x-amz-json-1.0', '/', queueUrl]]);
      const jobs = received[0]!.body.Entries.map((e) => JSON.parse(e.MessageBody) as { kind: string; seriesId: string; recipients: string[] });
      expect(received[0]!.body.Entries.map((e) => e.Id)).toEqual(jobs.map((_, i) => String(i)));
      expect(jobs.map((j) => j.recipients.length)).toEqual(jobs.map((_, i) => Math.min(5, emails.length - 5 * i)));
      expect(jobs.flatMap((j) => j.recipients)).toEqual(emails);
      for (const job of jobs) expect(job).toMatchObject({ kind: 'kickoff', seriesId: id });
    }, 60_000);
  });

  it('writes its stack traces in the TypeScript sources, as Lambda runs it (no --enable-source-maps)', () => {
    // A plain node process, as Lambda's runtime imports the bundle: vitest would transform it, which
    // moves the positions the map speaks of. adapters/aws/stack-traces.ts reads the map only now.
    const probe = `const { handler } = await import(process.argv[1]); try { await handler({}); } catch (e) { process.stdout.write(e.stack); }`;
    const stack = execFileSync(process.execPath, ['--input-type=module', '-e', probe, pathToFileURL(join(assetDirs.dispatch!, 'index.mjs')).href], {
      env: { PATH: process.env.PATH },
      encoding: 'utf8',
    });
    const frames = stack.split('\n').filter((l) => l.startsWith('    at '));
    expect(stack).toMatch(/^RuntimeConfigError: the dispatch function's environment is incomplete/);
    expect(frames[0]).toMatch(/^ {4}at readRuntimeConfig \(.*functions\/adapters\/aws\/runtime-config\.ts:\d+:\d+\)$/);
    expect(frames[1]).toMatch(/^ {4}at dispatchFromEnv \(.*functions\/handlers\/dispatch\.ts:\d+:\d+\)$/);
  });

  describe('mail-events, when run against dynalite', () => {
    let db: TestDynalite;
    beforeAll(async () => {
      db = await startDynalite();
    });
    afterAll(() => db?.stop());

    it('suppresses a bounced address and marks it in its series, logging JSON lines and an EMF metric without the address', async () => {
      const store = createStore({ client: db.client, tableName: db.tableName });
      await store.putParticipants('q1-productivity', [{ email: 'gone@example.com', name: 'Gone', timeZone: 'UTC', workStart: '09:00' }]);
      // The bundled SDK finds dynalite through the standard endpoint variable, as it would find AWS.
      stubEnvs({
        ...dynaliteEnv(db),
      });
      const lines: string[] = [];
      const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
        lines.push(String(chunk));
        return true;
      });
      try {
        const { handler } = await load<{ handler: (e: unknown) => Promise<unknown> }>('mail-events');
        const result = await handler({
          source: 'aws.ses',
          'detail-type': 'Email Bounced',
          detail: {
            eventType: 'Bounce',
            mail: { messageId: 'ses-1' },
            bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: 'gone@example.com' }], timestamp: '2027-02-01T10:00:00.000Z' },
          },
        });
        expect(result).toEqual({ suppressed: ['gone@example.com'], marked: ['q1-productivity:gone@example.com'] });
      } finally {
        write.mockRestore();
        vi.unstubAllEnvs();
      }
      expect(await store.isSuppressed('gone@example.com')).toBe(true);
      expect((await store.getParticipant('q1-productivity', 'gone@example.com'))?.bouncedAt).toBe('2027-02-01T10:00:00.000Z');
      // Powertools Logger and Metrics, bundled: one log line for the event, one EMF line of metrics.
      const parsed = lines.join('').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(parsed.find((l) => l.message === 'mail event')).toMatchObject({ level: 'INFO', function: 'mail-events', sesMessageId: 'ses-1', suppressed: 1, marked: 1 });
      expect(parsed.find((l) => l._aws)).toMatchObject({ function: 'mail-events', AddressesSuppressed: 1 });
      expect(lines.join('')).not.toContain('gone@example.com');
    });
  });
});
