// Every Baton Lambda is a BatonFunction: the house defaults are set here once, so the service
// stack only says what differs (memory, timeout, what the function may touch).
import { AssetHashType, DockerImage, Duration, type ILocalBundling, RemovalPolicy, Stack, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, LoggingFormat, Runtime, Tracing, type FunctionOptions } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IConfigurationSet } from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { ENV_NAMES } from '#contract/env';
import { tableDefinition } from '#contract/table-definition';
import type { BundleReply, BundleRequest, BundleWorkerData } from './bundle.ts';
import { PROJECT_ROOT } from './bundling.ts';

export { BUNDLE_ALIASES, BUNDLE_BUDGET_BYTES, BUNDLE_INJECT, BUNDLE_LOADERS, BUNDLE_ONE_COPY, BUNDLE_PATCHES, BUNDLE_TARGET, bundleOptions, bundlePatches, ESM_REQUIRE_BANNER, PROJECT_ROOT } from './bundling.ts';

export const HANDLERS_DIR = join(PROJECT_ROOT, 'functions', 'handlers');

/** Names of the environment variables the grant helpers set; handlers read these (runtime-config.ts). */
export const ENV = ENV_NAMES;

/** What a function that sends mail is told: who it is, where replies and links go. */
export interface MailSettingsEnv {
  domain: string;
  inboundDomain: string;
  sender: string;
  linksBaseUrl: string;
  maxSendRate: number;
}

/**
 * How cdk-nag names a resource's ARN in a finding (`<TableCD117FA1.Arn>`), so a finding can be
 * acknowledged exactly, for that one resource, next to the grant that causes it.
 */
export function nagArn(resource: Construct): string {
  return `<${Stack.of(resource).getLogicalId(resource.node.defaultChild as CfnElement)}.Arn>`;
}

/** The table calls the store (functions/adapters/aws/dynamo/) can make: never Scan, streams or table admin. */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/**
 * What one function calls on the table, read from the store methods its handler and core reach;
 * `queryIndex` when one of them queries the gsi1 index (the only call an index takes).
 */
export interface TableAccess {
  table: readonly TableAction[];
  queryIndex?: boolean;
}

export type BatonFunctionProps = Omit<FunctionOptions, 'runtime' | 'architecture'> & {
  /** Defaults to functions/handlers/<id>.ts: a handler's file name is its construct id. */
  entry?: string;
  /**
   * Modules left out of the bundle. Only the publish function has any: `typescript`, which
   * cosmiconfig (htmlnano's config loader, under mjml) requires lazily for a `.ts` config file
   * that a Lambda never has; bundled it was 3.5 MB of the 7.6 MB (see PUBLISH_BUNDLE_EXTERNALS).
   */
  bundleExternals?: string[];
};

/**
 * What the publish function's bundle leaves out. esbuild bundles mjml 5 as it is (the bundled
 * compiler writes byte-for-byte the templates the CLI writes, test/infra/bundle.test.ts); the one
 * thing not worth shipping is TypeScript's compiler, required only inside a function that loads a
 * `.ts` config file, which is never called. Nothing else is external, so no node_modules ship.
 */
export const PUBLISH_BUNDLE_EXTERNALS: readonly string[] = ['typescript'];

/** How long one asset may take to build before the synth gives up on the worker. */
const BUNDLE_TIMEOUT_MS = 10 * 60_000;

/**
 * The worker thread that builds every asset of this process's synths (infra/bundle.ts), started by
 * the first asset: one esbuild and one TypeScript loader for all of them, where a node process per
 * asset started both again each time (twice the CPU of the builds themselves). It is unref'd, so
 * it never keeps the process alive.
 */
let bundler: { worker: Worker; replies: MessagePort; done: Int32Array } | undefined;

function startBundler(): NonNullable<typeof bundler> {
  const { port1: replies, port2 } = new MessageChannel();
  const done = new Int32Array(new SharedArrayBuffer(4));
  const data: BundleWorkerData = { replies: port2, done };
  const worker = new Worker(join(PROJECT_ROOT, 'infra', 'bundle-worker.mjs'), { workerData: data, transferList: [port2] });
  worker.unref();
  return { worker, replies, done };
}

/** Builds one asset in the worker and waits for it, as CDK's synchronous local bundling must. */
function bundleSync(request: BundleRequest): void {
  bundler ??= startBundler();
  const { worker, replies, done } = bundler;
  Atomics.store(done, 0, 0);
  worker.postMessage(request);
  const waited = Atomics.wait(done, 0, 0, BUNDLE_TIMEOUT_MS);
  const reply = receiveMessageOnPort(replies)?.message as BundleReply | undefined;
  if (!reply) {
    bundler = undefined;
    void worker.terminate();
    throw new Error(`bundling ${relative(PROJECT_ROOT, request.entry)}: the bundling worker gave no answer (${waited})`);
  }
  if (reply.error) throw new Error(`bundling ${relative(PROJECT_ROOT, request.entry)} failed: ${reply.error}`);
}

/**
 * The local esbuild step of a function's asset. Its fields are what CDK's asset cache keys on (it
 * serializes the bundling options), so each entry is bundled once and no two functions share one.
 */
class LocalEsbuild implements ILocalBundling {
  constructor(
    readonly entry: string,
    readonly externals: readonly string[],
  ) {}

  tryBundle(outputDir: string): boolean {
    // aws-sdk v3 is bundled, not taken from the runtime: the version we test against is the
    // version that runs, and only the clients we use are loaded. Each asset is its own esbuild
    // build (bundleOptions), into CDK's folder for it; the worker only keeps esbuild running.
    bundleSync({ entry: this.entry, outdir: outputDir, externals: [...this.externals] });
    return true;
  }
}

export class BatonFunction extends LambdaFunction {
  constructor(scope: Construct, id: string, props: BatonFunctionProps = {}) {
    const { environment, bundleExternals, entry: entryProp, ...rest } = props;
    const entry = entryProp ?? join(HANDLERS_DIR, `${id}.ts`);
    if (!existsSync(entry)) {
      throw new Error(
        `the ${id} function's handler ${relative(PROJECT_ROOT, entry)} does not exist: ` +
          `a handler's file name is its construct id; add the file or rename the function`,
      );
    }
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own, allowed to write only its own log group: the managed
    // AWSLambdaBasicExecutionRole would let it write to every log group in the account.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `The ${id} function: its own log group plus exactly what the service stack grants`,
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }),
    );
    super(scope, id, {
      role,
      // index.mjs, an ES module: its chunks sit beside it (bundleOptions).
      handler: 'index.handler',
      code: Code.fromAsset(PROJECT_ROOT, {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never Docker: the local esbuild from package-lock.json builds, offline. The image is
          // only named because CDK requires one; local bundling always succeeds or throws.
          image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs22.x'),
          local: new LocalEsbuild(entry, bundleExternals ?? []),
        },
      }),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      // An explicit log group rather than `logRetention`, which needs an extra custom-resource Lambda.
      logGroup,
      // No NODE_OPTIONS=--enable-source-maps: reading the map at every cold start cost a tenth of
      // the import; the injected stack-traces module maps a trace when one is written.
      environment,
      ...rest,
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray trace writes (xray:PutTraceSegments, xray:PutTelemetryRecords) and, for senders, reading the SES send quota (ses:GetAccount) have no resource-level permissions.',
    });
  }

  /**
   * Grants exactly the table calls the function makes and tells it the table's name, in one call:
   * the table itself by name, and its one index only for a function that queries it, so the grant
   * has no wildcard and a function that only reads cannot write.
   */
  useTable(table: ITable, access: TableAccess): this {
    this.addToRolePolicy(new PolicyStatement({ actions: access.table.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }));
    if (access.queryIndex) {
      this.addToRolePolicy(
        new PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${tableDefinition.gsi1.indexName}`] }),
      );
    }
    this.addEnvironment(ENV.tableName, table.tableName);
    return this;
  }

  /**
   * Lets the function read the reply-token secret and tells it the ARN, never the value: the
   * function fetches the value at cold start, so it never sits in plain text in the configuration.
   */
  useReplyTokenSecret(secret: ISecret): this {
    // GetSecretValue only: grantRead would add DescribeSecret, which the function never calls.
    this.addToRolePolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
    this.addEnvironment(ENV.replyTokenSecretArn, secret.secretArn);
    return this;
  }

  /**
   * Lets the function send mail through the configuration set (whose bounce and complaint events
   * reach mail-events), and tells it what composing mail needs.
   *
   * SES authorises a send against every identity it involves: the From domain's, and in the SES
   * sandbox each recipient's verified identity as well (an address or its domain). So the grant is
   * this account's identities in this region, never another account's: a sandbox smoke test to a
   * verified address works, and production sends (recipient identities are not checked) are the
   * same call. The From address itself is fixed by configuration (config.sender, at the domain).
   */
  useMail(configurationSet: IConfigurationSet, settings: MailSettingsEnv): this {
    const stack = Stack.of(this);
    const identities = stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' });
    this.addToRolePolicy(
      new PolicyStatement({
        // SES v2 SendEmail with raw content is authorised as both actions.
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [
          identities,
          stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: configurationSet.configurationSetName }),
        ],
      }),
    );
    // Every sender paces itself to the account's max send rate, read from SES (adapters/aws/pace.ts).
    // GetAccount names no resource: IAM authorises it only on "*".
    // (The constructor's acknowledgement of Resource::* covers it.)
    this.addToRolePolicy(new PolicyStatement({ actions: ['ses:GetAccount'], resources: ['*'] }));
    // cdk-nag names the ARN as it renders: concrete where the stack's environment is, <AWS::…> otherwise.
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<${pseudo}>` : value);
    Validations.of(this.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:${shown(stack.partition, 'AWS::Partition')}:ses:${shown(stack.region, 'AWS::Region')}:${shown(stack.account, 'AWS::AccountId')}:identity/*]`,
      reason:
        'Send only, only this account and region: in the SES sandbox the recipient identity is authorised too, and recipients are not known in advance.',
    });
    this.addEnvironment(ENV.domain, settings.domain);
    this.addEnvironment(ENV.inboundDomain, settings.inboundDomain);
    this.addEnvironment(ENV.sender, settings.sender);
    this.addEnvironment(ENV.linksBaseUrl, settings.linksBaseUrl);
    this.addEnvironment(ENV.maxSendRate, String(settings.maxSendRate));
    this.addEnvironment(ENV.configurationSet, configurationSet.configurationSetName);
    return this;
  }
}
