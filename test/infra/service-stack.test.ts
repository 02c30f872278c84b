import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '#infra/baton-function';
import { parseConfig } from '#infra/config';
import { ServiceStack } from '#infra/service-stack';
import { StateStack } from '#infra/state-stack';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

describe('ServiceStack', () => {
  let outdir: string;
  let template: Template;
  let statements: Statement[];
  const config = parseConfig({
    domain: 'baton.example.com',
    inboundSubdomain: 'reply',
    sender: 'training@baton.example.com',
    operatorEmail: 'ops@example.org',
    maxSendRate: 14,
  });

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'baton-service-'));
    // cdk.json's feature flags; bundling is skipped here and exercised for real in bundle.test.ts.
    // CloudFormation's own template validation runs in the whole-app synth (config.test.ts).
    const app = new App({
      outdir,
      builtinCloudFormationValidation: false,
      context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] },
    });
    const state = new StateStack(app, 'BatonState');
    const service = new ServiceStack(app, 'BatonService', { config, state });
    template = Template.fromStack(service);
    statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

  it('runs dispatch with the house defaults: nodejs22.x on arm64, ESM bundle, traced, JSON logs', () => {
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: 512,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^dispatchLogs') } },
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    });
  });

  it('keeps its logs for a month in a log group it owns, without a log-retention custom resource', () => {
    template.resourceCountIs('AWS::Logs::LogGroup', 1);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    template.resourceCountIs('Custom::LogRetention', 0);
  });

  it('tells dispatch the configuration, the table name and the secret ARN, but not the secret', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function'));
    const variables = fn!.Properties.Environment.Variables;
    expect(variables).toMatchObject({
      BATON_DOMAIN: 'baton.example.com',
      BATON_INBOUND_DOMAIN: 'reply.baton.example.com',
      BATON_SENDER: 'training@baton.example.com',
      BATON_MAX_SEND_RATE: '14',
    });
    expect(variables[ENV.tableName]).toBeDefined();
    expect(variables[ENV.replyTokenSecretArn]).toBeDefined();
    expect(JSON.stringify(variables)).not.toMatch(/resolve:secretsmanager|SecretString/);
  });

  it('grants no wildcard actions', () => {
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/(^|:)\*$/);
    }
  });

  it('grants every resource-wide statement only for X-Ray, which has no resource-level permissions', () => {
    const resourceWide = statements.filter((s) => s.Resource === '*');
    expect(resourceWide.flatMap(actionsOf).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  it('grants read and write on the table and its indexes, and reading the secret, nothing else', () => {
    const allows = statements.filter((s) => s.Effect === 'Allow');
    const services = new Set(allows.flatMap(actionsOf).map((a) => a.split(':')[0]));
    expect([...services].sort()).toEqual(['dynamodb', 'secretsmanager', 'xray']);

    const dynamo = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.flatMap(actionsOf)).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem']),
    );
    expect(JSON.stringify(dynamo.map((s) => s.Resource))).toContain('/index/*');

    const secret = allows.filter((s) => actionsOf(s).some((a) => a.startsWith('secretsmanager:')));
    expect(secret.flatMap(actionsOf).sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
    expect(secret.every((s) => s.Resource !== '*')).toBe(true);
  });
});
