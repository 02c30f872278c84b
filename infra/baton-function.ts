// Every Baton Lambda is a BatonFunction: the house defaults are set here once, so the service
// stack only says what differs (memory, timeout, what the function may touch).
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const HANDLERS_DIR = join(PROJECT_ROOT, 'functions', 'handlers');

/** esbuild target; keep in step with the runtime below. */
export const BUNDLE_TARGET = 'node22';

// Bundled ESM has no `require`, yet CommonJS dependencies inside the bundle still call it for
// Node built-ins ("Dynamic require of ... is not supported" at run time); this gives them one.
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __batonCreateRequire } from 'node:module';" +
  'const require = __batonCreateRequire(import.meta.url);';

/** Names of the environment variables the grant helpers set; handlers read these. */
export const ENV = {
  tableName: 'TABLE_NAME',
  replyTokenSecretArn: 'REPLY_TOKEN_SECRET_ARN',
} as const;

export type BatonFunctionProps = Omit<NodejsFunctionProps, 'runtime' | 'architecture' | 'bundling'> & {
  /** Defaults to functions/handlers/<id>.ts: a handler's file name is its construct id. */
  entry?: string;
};

export class BatonFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: BatonFunctionProps = {}) {
    const { environment, ...rest } = props;
    super(scope, id, {
      entry: join(HANDLERS_DIR, `${id}.ts`),
      handler: 'handler',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      loggingFormat: LoggingFormat.JSON,
      // An explicit log group rather than `logRetention`, which needs an extra custom-resource Lambda.
      logGroup: new LogGroup(scope, `${id}Logs`, {
        retention: RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...environment },
      bundling: {
        target: BUNDLE_TARGET,
        format: OutputFormat.ESM,
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        // The map only has to turn stack traces into file:line; the sources would double its size.
        sourcesContent: false,
        // aws-sdk v3 is external by default, but we want it bundled: the version we test against is
        // the version that runs (the runtime's copy lags and changes under us), and tree-shaking the
        // few clients we use loads faster than resolving the runtime's full copy.
        externalModules: [],
        // esbuild's size table on every synth is noise; warnings and errors still show.
        logLevel: LogLevel.WARNING,
        // Never Docker: the local esbuild from package-lock.json builds, offline.
        forceDockerBundling: false,
      },
      ...rest,
    });
  }

  /** Grants the table (read, or read and write) and tells the function its name in one call. */
  useTable(table: ITable, access: 'read' | 'readWrite'): this {
    if (access === 'read') table.grantReadData(this);
    else table.grantReadWriteData(this);
    this.addEnvironment(ENV.tableName, table.tableName);
    return this;
  }

  /**
   * Lets the function read the reply-token secret and tells it the ARN, never the value: the
   * function fetches the value at cold start, so it never sits in plain text in the configuration.
   */
  useReplyTokenSecret(secret: ISecret): this {
    secret.grantRead(this);
    this.addEnvironment(ENV.replyTokenSecretArn, secret.secretArn);
    return this;
  }
}
