import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND_WORKER_CONCURRENCY } from '#contract/names';
import { tableDefinition } from '#contract/table-definition';
import { ENV } from '#infra/baton-function';
import { parseConfig } from '#infra/config';
import { METRICS, SERVICE_OUTPUTS } from '#contract/outputs';
import { SCHEDULER_FAILURE_METRICS, SES_THROTTLES_METRIC } from '#infra/alarms';
import { ASYNC_RETRY_ATTEMPTS, FANOUT_MAX_RECEIVES, ServiceStack } from '#infra/service-stack';
import { DEFAULT_LEASE_MS } from '#app/deliver';
import { INBOUND_MAIL_PREFIX, StateStack } from '#infra/state-stack';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

const FUNCTIONS = ['dispatch', 'send-worker', 'inbound', 'links', 'studio', 'publish', 'mail-events', 'receipt-filter'] as const;

describe('ServiceStack', () => {
  let outdir: string;
  let app: App;
  let template: Template;
  let service: ServiceStack;
  let resources: Record<string, Resource>;
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
    app = new App({ outdir, builtinCloudFormationValidation: false, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    const state = new StateStack(app, 'BatonState', { domain: 'baton.example.com' });
    service = new ServiceStack(app, 'BatonService', { config, state });
    template = Template.fromStack(service);
    resources = template.toJSON().Resources;
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const idOf = (c: { node: { defaultChild?: unknown } }) => service.getLogicalId(c.node.defaultChild as CfnElement);
  const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
  /** Every statement a function's role is allowed, inline or from the managed policies it has. */
  function statementsOf(fn: keyof typeof byName): Statement[] {
    const roleId = idOf(byName[fn].role as never);
    return Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles).includes(roleId))
      .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
  }
  const byName = {
    get dispatch() { return service.dispatch; },
    get 'send-worker'() { return service.sendWorker; },
    get inbound() { return service.inbound; },
    get studio() { return service.studio; },
    get publish() { return service.publish; },
    get links() { return service.links; },
    get 'mail-events'() { return service.mailEvents; },
    get 'receipt-filter'() { return service.receiptFilter; },
  };
  const envOf = (fn: keyof typeof byName) => (resources[idOf(byName[fn])]!.Properties.Environment?.Variables ?? {}) as Record<string, unknown>;
  const allStatements = () =>
    Object.values(resources)
      .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::Role')
      .flatMap((r) => (r.Type === 'AWS::IAM::Policy' ? r.Properties.PolicyDocument.Statement : (r.Properties.Policies ?? []).flatMap((p: any) => p.PolicyDocument.Statement)) as Statement[]);

  describe('functions', () => {
    it('are the eight handlers, each with the house defaults and a month of logs in its own group', () => {
      template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
      for (const name of FUNCTIONS) {
        const fn = resources[idOf(byName[name])]!;
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogFormat: 'JSON' },
        });
        // Stack traces are mapped by the bundle itself when one is written (adapters/aws/stack-traces.ts):
        // --enable-source-maps read the whole map at every cold start.
        expect(fn.Properties.Environment?.Variables?.NODE_OPTIONS).toBeUndefined();
      }
      template.resourceCountIs('AWS::Logs::LogGroup', FUNCTIONS.length);
      template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
      template.resourceCountIs('Custom::LogRetention', 0);
    });

    it('give the long-running senders the most Lambda allows, so a send never stops half way', () => {
      expect(resources[idOf(service.dispatch)]!.Properties.Timeout).toBe(900);
      expect(resources[idOf(service.sendWorker)]!.Properties.Timeout).toBe(900);
    });

    it('tell the senders the configuration, the links URL, the queue and the secret ARN, but not the secret', () => {
      for (const name of ['dispatch', 'send-worker', 'inbound'] as const) {
        const variables = envOf(name);
        expect(variables).toMatchObject({
          [ENV.domain]: 'baton.example.com',
          [ENV.inboundDomain]: 'reply.baton.example.com',
          [ENV.sender]: 'training@baton.example.com',
          [ENV.maxSendRate]: '14',
          [ENV.linksBaseUrl]: { 'Fn::GetAtt': [expect.stringMatching(/^linksFunctionUrl/), 'FunctionUrl'] },
          [ENV.configurationSet]: expect.anything(),
        });
        expect(variables[ENV.tableName]).toBeDefined();
        expect(variables[ENV.replyTokenSecretArn]).toBeDefined();
        expect(JSON.stringify(variables)).not.toMatch(/resolve:secretsmanager|SecretString/);
      }
      expect(envOf('dispatch')[ENV.fanOutQueueUrl]).toEqual({ Ref: idOf(service.fanOutQueue) });
      expect(envOf('dispatch')[ENV.fanOutBatchSize]).toBe('200');
      expect(envOf('inbound')).toMatchObject({ [ENV.inboundBucket]: expect.anything(), [ENV.attachmentBucket]: expect.anything() });
      expect(Object.keys(envOf('mail-events'))).toEqual([ENV.tableName]);
      expect(Object.keys(envOf('receipt-filter'))).toEqual([]);
    });

    it('open two function URLs: the links, whose signed tokens are the authorisation, and the studio, whose pages check a signed session', () => {
      template.resourceCountIs('AWS::Lambda::Url', 2);
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [idOf(service.links), 'Arn'] } });
      template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [idOf(service.studio), 'Arn'] } });
    });
  });

  describe('permissions', () => {
    it('grant no wildcard actions, anywhere', () => {
      const statements = allStatements();
      expect(statements.length).toBeGreaterThan(10);
      for (const statement of statements) for (const action of actionsOf(statement)) expect(action).not.toMatch(/\*/);
    });

    it('grant resource-wide only X-Ray, reading the SES quota and Polly’s speech, which have no resource-level permissions', () => {
      const resourceWide = allStatements().filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')));
      expect([...new Set(resourceWide.flatMap(actionsOf))].sort()).toEqual(['polly:SynthesizeSpeech', 'ses:GetAccount', 'xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
      // Polly only for the publish function.
      expect(statementsOf('publish').some((s) => actionsOf(s).includes('polly:SynthesizeSpeech'))).toBe(true);
      for (const name of FUNCTIONS.filter((n) => n !== 'publish')) expect(statementsOf(name).flatMap(actionsOf), name).not.toContain('polly:SynthesizeSpeech');
    });

    it('give each function exactly the services it uses', () => {
      const services = (fn: keyof typeof byName) => [...new Set(statementsOf(fn).filter((s) => s.Effect === 'Allow').flatMap(actionsOf).map((a) => a.split(':')[0]))].sort();
      expect(services('dispatch')).toEqual(['dynamodb', 'logs', 'secretsmanager', 'ses', 'sqs', 'xray']);
      expect(services('send-worker')).toEqual(['dynamodb', 'logs', 'secretsmanager', 'ses', 'sqs', 'xray']);
      // links sends no mail: it records clicks, and queues one cancel job when calendars go off.
      expect(services('inbound')).toEqual(['dynamodb', 'logs', 'secretsmanager', 'ses', 'sqs', 'xray']);
      expect(services('links')).toEqual(['dynamodb', 'logs', 'secretsmanager', 'sqs', 'xray']);
      expect(services('mail-events')).toEqual(['dynamodb', 'logs', 'sqs', 'xray']);
      // The studio sends sign-in links and nudges, and plans schedules when enrolment changes.
      // It hands confirmed training edits to the publish function (lambda:InvokeFunction on that one).
      expect(services('studio')).toEqual(['dynamodb', 'iam', 'lambda', 'logs', 'scheduler', 'secretsmanager', 'ses', 'xray']);
      // The publish function compiles and stores (no mail), speaks the audio and moves the schedules;
      // Lambda's on-failure destination is its sqs.
      expect(services('publish')).toEqual(['dynamodb', 'iam', 'logs', 'polly', 'scheduler', 'sqs', 'xray']);
      expect(services('receipt-filter')).toEqual(['logs', 'xray']);
    });

    it('reach the table and its index by name, never with a wildcard (which calls: iam.test.ts evaluates)', () => {
      for (const name of FUNCTIONS.filter((n) => n !== 'receipt-filter')) {
        const dynamo = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
        expect(dynamo.length).toBeGreaterThan(0);
        expect(JSON.stringify(dynamo.map((s) => s.Resource))).not.toContain('*');
        // Only the studio enrols (BatchWriteItem) and unenrols (DeleteItem), as the CLI does, and
        // the publish function publishes (the same writes as `baton publish`).
        const never = name === 'studio' || name === 'publish' ? /Scan|DeleteTable/ : /Scan|DeleteTable|DeleteItem|BatchWriteItem/;
        for (const action of dynamo.flatMap(actionsOf)) expect(action).not.toMatch(never);
      }
    });

    it('let the functions write only their own log group', () => {
      for (const name of FUNCTIONS) {
        const logs = statementsOf(name).filter((s) => actionsOf(s).some((a) => a.startsWith('logs:')));
        expect(logs).toHaveLength(1);
        expect(logs[0]!.Resource).toEqual({ 'Fn::GetAtt': [idOf(byName[name].logGroup as never), 'Arn'] });
      }
    });

    it('let the senders send through the configuration set, as this account’s identities only, and read the send quota', () => {
      for (const name of ['dispatch', 'send-worker', 'inbound'] as const) {
        // CDK merges GetAccount into the one statement on "*" (with X-Ray's writes).
        const onAll = statementsOf(name).filter((s) => s.Resource === '*').flatMap(actionsOf);
        expect(onAll.filter((a) => a.startsWith('ses:'))).toEqual(['ses:GetAccount']);
        const ses = statementsOf(name).filter((s) => s.Resource !== '*' && actionsOf(s).some((a) => a.startsWith('ses:')));
        expect(ses.flatMap(actionsOf).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
        const targets = JSON.stringify(ses.map((s) => s.Resource));
        expect(targets).toContain('{"Ref":"AWS::AccountId"},":identity/*"');
        expect(targets).toContain(':configuration-set/');
      }
    });

    it('give inbound the raw mail to read and attachments to write, through the state stack’s policies', () => {
      const role = resources[idOf(service.inbound.role as never)]!;
      expect(JSON.stringify(role.Properties.ManagedPolicyArns)).toMatch(/InboundMailReader[\s\S]*AttachmentWriter/);
      // links plays the generated audio: the state stack's AudioReader, and only that.
      const links = resources[idOf(service.links.role as never)]!.Properties.ManagedPolicyArns;
      expect(links).toHaveLength(1);
      expect(JSON.stringify(links)).toMatch(/AudioReader/);
      // publish speaks the edited text into audio/: the state stack's AudioWriter, and only that.
      const publish = resources[idOf(service.publish.role as never)]!.Properties.ManagedPolicyArns;
      expect(publish).toHaveLength(1);
      expect(JSON.stringify(publish)).toMatch(/AudioWriter/);
      for (const name of FUNCTIONS.filter((n) => n !== 'inbound' && n !== 'links' && n !== 'publish')) {
        expect(resources[idOf(byName[name].role as never)]!.Properties.ManagedPolicyArns).toBeUndefined();
      }
    });
  });

  describe('scheduler role', () => {
    it('is assumed only by EventBridge Scheduler, for this account’s baton-* schedule groups', () => {
      const role = resources[idOf(service.schedulerRole)]!;
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Effect: 'Allow',
          Action: 'sts:AssumeRole',
          Principal: { Service: 'scheduler.amazonaws.com' },
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': expect.objectContaining({ 'Fn::Join': expect.anything() }) },
          },
        },
      ]);
      // The scheduler presents the group's ARN, not the schedule's (iam.test.ts evaluates both).
      expect(JSON.stringify(role.Properties.AssumeRolePolicyDocument)).toContain(':schedule-group/baton-*');
    });

    it('may invoke exactly the dispatch function and write to its dead-letter queue, nothing else', () => {
      const roleId = idOf(service.schedulerRole);
      const statements = Object.values(resources)
        .filter((r) => r.Type === 'AWS::IAM::Policy' && JSON.stringify(r.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
        .flatMap((r) => r.Properties.PolicyDocument.Statement as Statement[]);
      expect(statements).toEqual([
        { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [idOf(service.dispatch), 'Arn'] } },
        { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [idOf(service.deadLetters.scheduler), 'Arn'] } },
      ]);
    });
  });

  describe('queues', () => {
    it('are all encrypted and refuse requests without TLS', () => {
      const queues = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::SQS::Queue');
      expect(queues).toHaveLength(7);
      for (const [id, queue] of queues) {
        expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
        template.hasResourceProperties('AWS::SQS::QueuePolicy', {
          Queues: Match.arrayWith([{ Ref: id }]),
          PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
        });
      }
    });

    it('fan out to the send worker with partial batch failures, a dead-letter queue and capped concurrency', () => {
      const queue = resources[idOf(service.fanOutQueue)]!;
      expect(queue.Properties.RedrivePolicy).toEqual({
        deadLetterTargetArn: { 'Fn::GetAtt': [idOf(service.deadLetters.fanOut), 'Arn'] },
        maxReceiveCount: FANOUT_MAX_RECEIVES,
      });
      // A batch still being sent must not reappear for another worker.
      const workerTimeout = resources[idOf(service.sendWorker)]!.Properties.Timeout as number;
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThan(workerTimeout);
      // A worker that dies at the end of its run holds its last claim for the delivery lease: the
      // redelivered batch must come back after that, or it meets the held claim and fails again.
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(workerTimeout + DEFAULT_LEASE_MS / 1000);
      // Lambda's SQS guide: maxReceiveCount of at least 5, so throttling alone does not dead-letter.
      expect(FANOUT_MAX_RECEIVES).toBeGreaterThanOrEqual(5);
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: idOf(service.sendWorker) },
        EventSourceArn: { 'Fn::GetAtt': [idOf(service.fanOutQueue), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        ScalingConfig: { MaximumConcurrency: SEND_WORKER_CONCURRENCY },
      });
    });

    it('keep what failed for two weeks', () => {
      for (const queue of Object.values(service.deadLetters)) {
        expect(resources[idOf(queue)]!.Properties.MessageRetentionPeriod).toBe(14 * 86_400);
      }
    });
  });

  describe('failures of asynchronous invocations', () => {
    const invokeConfigOf = (fn: keyof typeof byName) =>
      Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::EventInvokeConfig' && r.Properties.FunctionName?.Ref === idOf(byName[fn]));

    it('land in a queue of their own for dispatch, inbound, mail-events and publish, after Lambda’s retries', () => {
      const expected = { dispatch: service.deadLetters.dispatchFailures, inbound: service.deadLetters.inbound, 'mail-events': service.deadLetters.mailEvents, publish: service.deadLetters.publishFailures };
      for (const [fn, queue] of Object.entries(expected) as Array<[keyof typeof byName, typeof service.fanOutQueue]>) {
        const configs = invokeConfigOf(fn);
        expect(configs, fn).toHaveLength(1);
        expect(configs[0]!.Properties).toMatchObject({
          Qualifier: '$LATEST',
          MaximumRetryAttempts: ASYNC_RETRY_ATTEMPTS,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [idOf(queue), 'Arn'] } } },
        });
        // The destination record, not a bare Lambda DLQ: it carries the error with the event.
        expect(resources[idOf(byName[fn])]!.Properties.DeadLetterConfig, fn).toBeUndefined();
      }
      // Invoked synchronously or by a queue: no async config to have.
      for (const fn of ['send-worker', 'links', 'receipt-filter'] as const) expect(invokeConfigOf(fn), fn).toHaveLength(0);
    });

    it('keep the scheduler’s own dead-letter queue and retries for the hand-over (set per schedule by publish)', () => {
      // The schedules are created by `baton publish` with this queue and a retry policy; the stack
      // only has to output the queue and let the role write to it (see the scheduler role tests).
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      expect(outputs[SERVICE_OUTPUTS.schedulerDeadLetterQueueArn]!.Value).toEqual({ 'Fn::GetAtt': [idOf(service.deadLetters.scheduler), 'Arn'] });
    });
  });

  describe('SES', () => {
    it('routes sends, bounces and complaints of the configuration set to mail-events, with a dead-letter queue', () => {
      template.hasResourceProperties('AWS::Events::Rule', {
        EventPattern: {
          source: ['aws.ses'],
          // The detail types of https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-ses.html
          'detail-type': ['Email Sent', 'Email Bounced', 'Email Complaint Received'],
          detail: { mail: { tags: { 'ses:configuration-set': [Match.anyValue()] } } },
        },
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [idOf(service.mailEvents), 'Arn'] },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(service.deadLetters.mailEvents), 'Arn'] } },
          }),
        ],
      });
      // The identity and configuration set are the state stack's (state-stack.test.ts).
      template.resourceCountIs('AWS::SES::EmailIdentity', 0);
      template.resourceCountIs('AWS::SES::ConfigurationSet', 0);
    });

    it('receives mail for the inbound subdomain: spam-scanned, filtered, stored under inbound/, then handed to inbound', () => {
      template.hasResourceProperties('AWS::SES::ReceiptRule', {
        RuleSetName: { Ref: idOf(service.receiptRuleSet) },
        Rule: Match.objectLike({
          Enabled: true,
          Recipients: ['reply.baton.example.com'],
          ScanEnabled: true,
          Actions: [
            // Synchronous and first: its STOP_RULE_SET keeps spam and viruses out of S3 and inbound.
            { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [idOf(service.receiptFilter), 'Arn'] }, InvocationType: 'RequestResponse' } },
            { S3Action: { BucketName: Match.anyValue(), ObjectKeyPrefix: INBOUND_MAIL_PREFIX } },
            { LambdaAction: { FunctionArn: { 'Fn::GetAtt': [idOf(service.inbound), 'Arn'] }, InvocationType: 'Event' } },
          ],
        }),
      });
      for (const fn of [service.inbound, service.receiptFilter]) {
        template.hasResourceProperties('AWS::Lambda::Permission', {
          FunctionName: { 'Fn::GetAtt': [idOf(fn), 'Arn'] },
          Principal: 'ses.amazonaws.com',
          SourceAccount: { Ref: 'AWS::AccountId' },
        });
      }
    });
  });

  describe('what mail already sent points at', () => {
    // A changed logical id makes CloudFormation replace the resource on the next deploy: a new
    // function URL (every link in mail already sent breaks) or a new, inactive receipt rule set.
    it('keeps the logical ids of the links function and URL, and of the receipt rules', () => {
      expect({
        links: idOf(service.links),
        url: service.getLogicalId(service.linksUrl.node.defaultChild as CfnElement),
        ruleSet: idOf(service.receiptRuleSet),
      }).toEqual({ links: 'links4A98BDE7', url: 'linksFunctionUrl7B291597', ruleSet: 'ReceiptRules259D9F96' });
      expect(Object.keys(template.findResources('AWS::SES::ReceiptRule'))).toEqual(['ReceiptRulesRepliesBA0C1CE1']);
      expect(Object.keys(template.findResources('AWS::Lambda::Url'))).toContain('linksFunctionUrl7B291597');
    });
  });

  describe('alarms', () => {
    const alarms = () => Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');
    const topicRef = () => ({ Ref: idOf(service.alarms.topic) });

    it('go to one topic, which emails the operator and accepts only TLS', () => {
      template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org', TopicArn: topicRef() });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
      });
      expect(alarms().length).toBeGreaterThan(0);
      for (const alarm of alarms()) expect(alarm.Properties.AlarmActions).toEqual([topicRef()]);
    });

    it('watch every dead-letter queue for its first message', () => {
      for (const queue of Object.values(service.deadLetters)) {
        const matching = alarms().filter(
          (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && JSON.stringify(a.Properties.Dimensions).includes(idOf(queue)),
        );
        expect(matching).toHaveLength(1);
        expect(matching[0]!.Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
      }
    });

    it('watch every function for errors and throttles', () => {
      for (const name of FUNCTIONS) {
        const ofFn = alarms().filter((a) => JSON.stringify(a.Properties.Dimensions) === JSON.stringify([{ Name: 'FunctionName', Value: { Ref: idOf(byName[name]) } }]));
        expect(ofFn.map((a) => a.Properties.MetricName).sort()).toEqual(['Errors', 'Throttles']);
        for (const a of ofFn) expect(a.Properties).toMatchObject({ Threshold: 1, Statistic: 'Sum', Period: 300 });
      }
    });

    it('watch the SES account’s bounce and complaint rates below the levels where SES steps in', () => {
      const ses = alarms().filter((a) => a.Properties.Namespace === 'AWS/SES');
      const byMetric = Object.fromEntries(ses.map((a) => [a.Properties.MetricName, a.Properties.Threshold]));
      expect(byMetric['Reputation.BounceRate']).toBeLessThan(0.05);
      expect(byMetric['Reputation.ComplaintRate']).toBeLessThan(0.001);
    });
  });

  describe('more alarms', () => {
    const alarms = () => Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm');

    it('watch the scheduler’s failures to run a job, account-wide', () => {
      const scheduler = alarms().filter((a) => a.Properties.Namespace === 'AWS/Scheduler');
      expect(scheduler.map((a) => a.Properties.MetricName).sort()).toEqual(Object.keys(SCHEDULER_FAILURE_METRICS).sort());
      for (const a of scheduler) {
        expect(a.Properties).toMatchObject({ Threshold: 1, Statistic: 'Sum' });
        expect(a.Properties.Dimensions).toBeUndefined();
      }
      expect(Object.keys(SCHEDULER_FAILURE_METRICS)).toEqual(expect.arrayContaining(['TargetErrorCount', 'InvocationDroppedCount', 'InvocationsSentToDeadLetterCount']));
    });

    it('watch every function for dropped events (Baton/DroppedEvents by function stem)', () => {
      const dropped = alarms().filter((a) => a.Properties.Namespace === METRICS.namespace && a.Properties.MetricName === METRICS.droppedEvents);
      expect(dropped.map((a) => a.Properties.Dimensions).sort((x: any, y: any) => x[0].Value.localeCompare(y[0].Value))).toEqual(
        [...FUNCTIONS].sort().map((stem) => [{ Name: 'function', Value: stem }]),
      );
    });

    it('watch SES throttles, counted from the senders’ logs', () => {
      const filters = Object.values(resources).filter((r) => r.Type === 'AWS::Logs::MetricFilter');
      expect(filters.map((f) => f.Properties.LogGroupName.Ref).sort()).toEqual(
        [service.dispatch, service.sendWorker, service.inbound].map((fn) => service.getLogicalId(fn.logGroup.node.defaultChild as CfnElement)).sort(),
      );
      for (const f of filters) {
        expect(f.Properties.FilterPattern).toContain('Maximum sending rate exceeded');
        expect(f.Properties.MetricTransformations).toEqual([{ MetricNamespace: METRICS.namespace, MetricName: SES_THROTTLES_METRIC, MetricValue: '1' }]);
      }
      expect(alarms().filter((a) => a.Properties.MetricName === SES_THROTTLES_METRIC)).toHaveLength(1);
    });

    it('show sends, replies, errors and failure queue depths on one dashboard', () => {
      const dashboards = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
      expect(dashboards).toHaveLength(1);
      const body = JSON.stringify(dashboards[0]!.Properties.DashboardBody);
      for (const title of ['Sends', 'Replies', 'Errors', 'Failure queue depths']) expect(body).toContain(title);
      expect(body).toContain('ApproximateNumberOfMessagesVisible');
      for (const queue of Object.values(service.deadLetters)) expect(body).toContain(idOf(queue));
    });
  });

  it('outputs what the CLI and the operator need', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(SERVICE_OUTPUTS).sort());
    expect(outputs[SERVICE_OUTPUTS.dispatchFunctionArn]!.Value).toEqual({ 'Fn::GetAtt': [idOf(service.dispatch), 'Arn'] });
    expect(outputs[SERVICE_OUTPUTS.schedulerRoleArn]!.Value).toEqual({ 'Fn::GetAtt': [idOf(service.schedulerRole), 'Arn'] });
    expect(outputs[SERVICE_OUTPUTS.schedulerDeadLetterQueueArn]!.Value).toEqual({ 'Fn::GetAtt': [idOf(service.deadLetters.scheduler), 'Arn'] });
    // Every queue where a failure lands, and the functions a replay invokes (`baton dlq`).
    expect(outputs[SERVICE_OUTPUTS.fanOutDeadLetterQueueUrl]!.Value).toEqual({ Ref: idOf(service.deadLetters.fanOut) });
    expect(outputs[SERVICE_OUTPUTS.schedulerDeadLetterQueueUrl]!.Value).toEqual({ Ref: idOf(service.deadLetters.scheduler) });
    expect(outputs[SERVICE_OUTPUTS.dispatchFailureQueueUrl]!.Value).toEqual({ Ref: idOf(service.deadLetters.dispatchFailures) });
    expect(outputs[SERVICE_OUTPUTS.inboundDeadLetterQueueUrl]!.Value).toEqual({ Ref: idOf(service.deadLetters.inbound) });
    expect(outputs[SERVICE_OUTPUTS.mailEventsDeadLetterQueueUrl]!.Value).toEqual({ Ref: idOf(service.deadLetters.mailEvents) });
    expect(outputs[SERVICE_OUTPUTS.inboundFunctionArn]!.Value).toEqual({ 'Fn::GetAtt': [idOf(service.inbound), 'Arn'] });
    expect(outputs[SERVICE_OUTPUTS.mailEventsFunctionArn]!.Value).toEqual({ 'Fn::GetAtt': [idOf(service.mailEvents), 'Arn'] });
  });

  it('passes the cdk-nag AWS Solutions rules, every exception acknowledged with a reason', () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`));
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });
});
