// IAM by evaluation, not by reading: every role's trust and permission policies are taken from the
// synthesized templates, their CloudFormation references resolved to concrete ARNs for a test
// account and region, and evaluated request by request with @cloud-copilot/iam-simulate (identity
// policy plus the resource's own policy, where it has one).
//
// The calls each function makes are listed here from the code (functions/handlers/* and the store
// methods and adapters they reach), not from infra/, so a grant that drifts from the code fails.
// Each function must be allowed exactly its calls among everything any Baton role can do, plus a
// list of calls nobody should make.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { beforeAll, describe, expect, it } from 'vitest';
import { groupName } from '#adapters/aws/scheduler';
import { tableDefinition } from '#contract/table-definition';
import { PROJECT_ROOT } from '#infra/baton-function';
import { parseConfig } from '#infra/config';
import { ServiceStack } from '#infra/service-stack';
import { StateStack } from '#infra/state-stack';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));

const ACCOUNT = '111122223333';
const OTHER_ACCOUNT = '444455556666';
const REGION = 'eu-west-1';

type Json = any;
type Template = { Resources: Record<string, { Type: string; Properties: Json }>; Outputs?: Record<string, { Value: Json; Export?: { Name: Json } }> };
type Policy = { Version?: string; Statement: Json[] };

/** Resolves the intrinsics the stacks use to what CloudFormation would make of them in ACCOUNT/REGION. */
class Resolver {
  private readonly exports = new Map<string, { stack: string; value: Json }>();
  constructor(private readonly templates: Record<string, Template>) {
    for (const [stack, t] of Object.entries(templates)) {
      for (const output of Object.values(t.Outputs ?? {})) {
        if (output.Export) this.exports.set(this.resolve(stack, output.Export.Name) as string, { stack, value: output.Value });
      }
    }
  }

  /** Physical names are made up, but stable and distinct per logical id, as CloudFormation's are. */
  name(stack: string, id: string): string {
    return `${stack}-${id}`.toLowerCase();
  }

  ref(stack: string, id: string): string {
    const pseudo: Record<string, string> = { 'AWS::AccountId': ACCOUNT, 'AWS::Region': REGION, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
    if (pseudo[id]) return pseudo[id];
    const resource = this.templates[stack]!.Resources[id];
    if (!resource) throw new Error(`${stack}: Ref to unknown ${id}`);
    const name = this.name(stack, id);
    switch (resource.Type) {
      case 'AWS::SQS::Queue': return `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`;
      case 'AWS::SNS::Topic': return `arn:aws:sns:${REGION}:${ACCOUNT}:${name}`;
      case 'AWS::IAM::ManagedPolicy': return `arn:aws:iam::${ACCOUNT}:policy/${name}`;
      case 'AWS::SecretsManager::Secret': return `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${name}-AbCdEf`;
      case 'AWS::SES::EmailIdentity': return this.resolve(stack, resource.Properties.EmailIdentity) as string;
      default: return name;
    }
  }

  getAtt(stack: string, id: string, attribute: string): string {
    const resource = this.templates[stack]!.Resources[id];
    if (!resource) throw new Error(`${stack}: GetAtt of unknown ${id}`);
    const name = this.name(stack, id);
    const arns: Record<string, string> = {
      'AWS::DynamoDB::Table': `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${name}`,
      'AWS::SQS::Queue': `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`,
      'AWS::Lambda::Function': `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`,
      'AWS::Logs::LogGroup': `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${name}:*`,
      'AWS::S3::Bucket': `arn:aws:s3:::${name}`,
      'AWS::IAM::Role': `arn:aws:iam::${ACCOUNT}:role/${name}`,
    };
    if (attribute === 'Arn' && arns[resource.Type]) return arns[resource.Type]!;
    if (resource.Type === 'AWS::SQS::Queue' && attribute === 'QueueName') return name;
    if (resource.Type === 'AWS::Lambda::Url' && attribute === 'FunctionUrl') return `https://${name}.lambda-url.${REGION}.on.aws/`;
    return `${name}.${attribute}`;
  }

  resolve(stack: string, value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys as [string];
      const arg = value[key];
      if (key === 'Ref') return this.ref(stack, arg);
      if (key === 'Fn::GetAtt') return this.getAtt(stack, arg[0], arg[1]);
      if (key === 'Fn::Join') return (this.resolve(stack, arg[1]) as string[]).join(arg[0]);
      if (key === 'Fn::Select') return (this.resolve(stack, arg[1]) as Json[])[Number(arg[0])];
      if (key === 'Fn::Split') return (this.resolve(stack, arg[1]) as string).split(arg[0]);
      if (key === 'Fn::GetStackOutput') {
        // How this app's cdk.json feature flags reference the state stack from the service stack.
        const output = this.templates[arg.StackName]?.Outputs?.[arg.OutputName];
        if (!output) throw new Error(`${stack}: reference to unknown output ${arg.StackName}.${arg.OutputName}`);
        return this.resolve(arg.StackName, output.Value);
      }
      if (key === 'Fn::ImportValue') {
        const exported = this.exports.get(this.resolve(stack, arg));
        if (!exported) throw new Error(`${stack}: import of unknown export ${JSON.stringify(arg)}`);
        return this.resolve(exported.stack, exported.value);
      }
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(stack, v)]));
  }
}

/** An action on a resource, with the request context it is made in (iam:PassRole names the service). */
type Call = readonly [action: string, resource: string, context?: Record<string, string>];
const key = ([action, resource, context]: Call) => `${action} ${resource}${context ? ` ${JSON.stringify(context)}` : ''}`;

describe('IAM, evaluated', () => {
  let templates: Record<string, Template>;
  let r: Resolver;
  let service: ServiceStack;
  let state: StateStack;
  const config = parseConfig({ ...cdkJson.context });

  beforeAll(() => {
    // Environment-agnostic, as `cdk synth` runs offline; bundling is skipped (bundle.test.ts builds).
    const app = new App({ builtinCloudFormationValidation: false, context: { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] } });
    state = new StateStack(app, 'BatonState', { domain: config.domain });
    service = new ServiceStack(app, 'BatonService', { config, state });
    const assembly = app.synth();
    templates = { BatonState: assembly.getStackByName('BatonState').template, BatonService: assembly.getStackByName('BatonService').template };
    r = new Resolver(templates);
  });

  const S = 'BatonService';
  const T = 'BatonState';
  const idIn = (stack: { getLogicalId(e: never): string }, c: { node: { defaultChild?: unknown } }) => stack.getLogicalId(c.node.defaultChild as never);
  const sid = (c: { node: { defaultChild?: unknown } }) => idIn(service as never, c);
  const tid = (c: { node: { defaultChild?: unknown } }) => idIn(state as never, c);

  // --- concrete ARNs of what the functions touch --------------------------------------------------
  const arns = () => {
    const table = r.getAtt(T, tid(state.table), 'Arn');
    const queue = (q: { node: { defaultChild?: unknown } }) => r.getAtt(S, sid(q), 'Arn');
    const logStream = (fn: { logGroup: { node: { defaultChild?: unknown } } }) =>
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${r.name(S, sid(fn.logGroup))}:log-stream:2027/01/01/[$LATEST]abc`;
    return {
      table,
      index: `${table}/index/${tableDefinition.gsi1.indexName}`,
      fanOut: queue(service.fanOutQueue),
      dispatchFailures: queue(service.deadLetters.dispatchFailures),
      schedulerDlq: queue(service.deadLetters.scheduler),
      inboundFailures: queue(service.deadLetters.inbound),
      mailEventsFailures: queue(service.deadLetters.mailEvents),
      fanOutDlq: queue(service.deadLetters.fanOut),
      secret: r.ref(T, tid(state.replyTokenSecret)),
      rawMail: `${r.getAtt(T, tid(state.inboundMailBucket), 'Arn')}/inbound/0102abc`,
      rawMailOutsidePrefix: `${r.getAtt(T, tid(state.inboundMailBucket), 'Arn')}/elsewhere/0102abc`,
      attachment: `${r.getAtt(T, tid(state.attachmentBucket), 'Arn')}/q1/r1/notes.pdf`,
      audio: `${r.getAtt(T, tid(state.attachmentBucket), 'Arn')}/audio/0123456789abcdef0123456789abcdef.mp3`,
      domainIdentity: `arn:aws:ses:${REGION}:${ACCOUNT}:identity/${config.domain}`,
      // The SES sandbox also authorises the send against the (verified) recipient.
      sandboxRecipient: `arn:aws:ses:${REGION}:${ACCOUNT}:identity/you@example.com`,
      otherAccountIdentity: `arn:aws:ses:${REGION}:${OTHER_ACCOUNT}:identity/${config.domain}`,
      configurationSet: `arn:aws:ses:${REGION}:${ACCOUNT}:configuration-set/${r.ref(T, tid(state.configurationSet))}`,
      dispatch: r.getAtt(S, sid(service.dispatch), 'Arn'),
      inboundFn: r.getAtt(S, sid(service.inbound), 'Arn'),
      publishFn: r.getAtt(S, sid(service.publish), 'Arn'),
      publishFailures: queue(service.deadLetters.publishFailures),
      schedulerRole: r.getAtt(S, sid(service.schedulerRole), 'Arn'),
      seriesGroup: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule-group/${groupName('q1-productivity')}`,
      seriesSchedule: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/${groupName('q1-productivity')}/kickoff`,
      defaultGroupSchedule: `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/default/kickoff`,
      logStream,
    };
  };

  // --- what each function calls, read from the code ---------------------------------------------
  function callsOf(fn: 'dispatch' | 'send-worker' | 'inbound' | 'links' | 'studio' | 'publish' | 'mail-events' | 'receipt-filter'): Call[] {
    const a = arns();
    const table = (...actions: string[]): Call[] => actions.map((x) => [`dynamodb:${x}`, a.table]);
    // Every sender reads the account's send quota to pace itself (adapters/aws/pace.ts).
    const sends: Call[] = [
      ...(['ses:SendEmail', 'ses:SendRawEmail'].flatMap((action) => [
        [action, a.domainIdentity],
        [action, a.sandboxRecipient],
        [action, a.configurationSet],
      ]) as Call[]),
      ['ses:GetAccount', '*'],
    ];
    const secret: Call[] = [['secretsmanager:GetSecretValue', a.secret]];
    const runtime = (f: { logGroup: never }): Call[] => [
      ['logs:CreateLogStream', a.logStream(f)],
      ['logs:PutLogEvents', a.logStream(f)],
      ['xray:PutTraceSegments', '*'],
      ['xray:PutTelemetryRecords', '*'],
    ];
    switch (fn) {
      case 'dispatch':
        // core dispatch: getSeries, getTemplates, listParticipants, listResponses, listDeliveries,
        // getCalendars (Query); suppressedAmong (BatchGetItem); ledger claim/complete/release
        // (UpdateItem, GetItem). Fan-out: SendMessageBatch (authorised as sqs:SendMessage).
        // Lambda's on-failure destination sends with the function's role.
        return [
          ...table('GetItem', 'BatchGetItem', 'Query', 'UpdateItem'),
          ['sqs:SendMessage', a.fanOut],
          ['sqs:SendMessage', a.dispatchFailures],
          ...sends, ...secret, ...runtime(service.dispatch as never),
        ];
      case 'send-worker':
        // runJob, as dispatch; the event source mapping polls the fan-out queue with this role
        // (CDK grants the consume actions: the three Lambda needs, plus ChangeMessageVisibility and GetQueueUrl).
        return [
          ...table('GetItem', 'BatchGetItem', 'Query', 'UpdateItem'),
          ...['ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes', 'ChangeMessageVisibility', 'GetQueueUrl'].map((x) => [`sqs:${x}`, a.fanOut] as Call),
          ...sends, ...secret, ...runtime(service.sendWorker as never),
        ];
      case 'inbound':
        // core inbound: findSeriesByKey (Query gsi1), getSeries (Query), findParticipantByKey,
        // getParticipant, findResponseByKey, getTemplate (GetItem), suppressedAmong (BatchGetItem),
        // putResponse, recordInboundMessage (PutItem), setUnsubscribed, setOutOfOffice and the ack's
        // ledger (UpdateItem). S3MailStore: GetObject raw mail, PutObject attachments.
        return [
          ...table('GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'),
          ['dynamodb:Query', a.index],
          ['s3:GetObject', a.rawMail],
          ['s3:PutObject', a.attachment],
          // AttachmentWriter covers the whole bucket (attachment keys start with the series id), so
          // it reaches audio/ too; known, not narrowed here (a Deny on audio/* would refuse the
          // attachments of a series whose id is "audio").
          ['s3:PutObject', a.audio],
          ['sqs:SendMessage', a.inboundFailures],
          ...sends, ...secret, ...runtime(service.inbound as never),
        ];
      case 'links':
        // core links: getSeries (Query), getParticipant, findResponseByKey (GetItem), putResponse
        // (PutItem), setUnsubscribed, preferences, withdrawals (UpdateItem). Sends no mail: turning
        // calendars off queues its cancel job for the send workers (SendMessageBatch, as sqs:SendMessage).
        // Plays the generated audio: GetObject under audio/ only (the replies' attachments stay forbidden).
        return [...table('GetItem', 'Query', 'PutItem', 'UpdateItem'), ['sqs:SendMessage', a.fanOut], ['s3:GetObject', a.audio], ...secret, ...runtime(service.links as never)];
      case 'studio':
        // The studio's use cases (functions/app/studio/): getSeries, listParticipants, listResponses,
        // listDeliveries, listNeedsLook, listSchedules, getCalendars (Query); listSeriesOfTrainer
        // (Query gsi1); getParticipant, getTemplate, findResponseByKey, getNeedsLook (GetItem);
        // suppressedAmong, sentAmong (BatchGetItem); putResponse, putSchedule, putSignInNonce
        // (PutItem); quotas, the nonce's consumption, withdrawals, tags, the nudge's ledger
        // (UpdateItem); putParticipants (BatchWriteItem); removeParticipant, deleteSchedule
        // (DeleteItem). Sign-in links, nudges and test sends go through SES. Enrolling and
        // unenrolling apply the schedule diff as `baton enroll --target aws` does: the series'
        // group, its schedules, and the scheduler role passed to EventBridge Scheduler only.
        // A confirmed training edit is handed to the publish function (async Invoke).
        return [
          ['lambda:InvokeFunction', a.publishFn],
          ...table('GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem'),
          ['dynamodb:Query', a.index],
          ['scheduler:CreateScheduleGroup', a.seriesGroup],
          ['scheduler:CreateSchedule', a.seriesSchedule],
          ['scheduler:UpdateSchedule', a.seriesSchedule],
          ['scheduler:DeleteSchedule', a.seriesSchedule],
          ['iam:PassRole', a.schedulerRole, { 'iam:PassedToService': 'scheduler.amazonaws.com' }],
          ...sends, ...secret, ...runtime(service.studio as never),
        ];
      case 'publish':
        // app/studio/apply-edit.ts → app/publish.ts: getStudioEdit, getTemplate (GetItem);
        // prepareStudio's markers (BatchGetItem);
        // getSeries, listParticipants, listSchedules, getCalendars, pruneTemplates' read (Query);
        // the series key check of putSeries (Query gsi1); putSeries, putSchedule (PutItem); finishPublish and the
        // edit's state (UpdateItem); putTemplates, putCalendars, trainer pointers, pruned templates
        // (BatchWriteItem); deleteSchedule (DeleteItem). The schedule diff as the studio applies it.
        // Audio: Polly (no resource-level permission), HeadObject (s3:GetObject) and PutObject under
        // audio/ only. Lambda's on-failure destination sends with the function's role. No mail.
        return [
          ...table('GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem'),
          ['dynamodb:Query', a.index],
          ['scheduler:CreateScheduleGroup', a.seriesGroup],
          ['scheduler:CreateSchedule', a.seriesSchedule],
          ['scheduler:UpdateSchedule', a.seriesSchedule],
          ['scheduler:DeleteSchedule', a.seriesSchedule],
          ['iam:PassRole', a.schedulerRole, { 'iam:PassedToService': 'scheduler.amazonaws.com' }],
          ['polly:SynthesizeSpeech', '*'],
          ['s3:GetObject', a.audio],
          ['s3:PutObject', a.audio],
          ['sqs:SendMessage', a.publishFailures],
          ...runtime(service.publish as never),
        ];
      case 'mail-events':
        // suppress (PutItem), listSeriesOfParticipant (Query gsi1), setBounced/setUnsubscribed
        // (UpdateItem, GetItem), recordAccepted from a Send event (UpdateItem: no new grant).
        return [
          ...table('GetItem', 'PutItem', 'UpdateItem'),
          ['dynamodb:Query', a.index],
          ['sqs:SendMessage', a.mailEventsFailures],
          ...runtime(service.mailEvents as never),
        ];
      case 'receipt-filter':
        return runtime(service.receiptFilter as never);
    }
  }

  /** Calls no Baton function makes, each a way a wrong grant would hurt. */
  const forbidden = (): Call[] => {
    const a = arns();
    return [
      ...['DeleteTable', 'UpdateTable', 'Scan', 'DeleteItem', 'BatchWriteItem', 'PutItem', 'UpdateItem', 'ExportTableToPointInTime', 'RestoreTableToPointInTime'].map(
        (x) => [`dynamodb:${x}`, a.table] as Call,
      ),
      ['dynamodb:Scan', a.index],
      ['s3:DeleteObject', a.rawMail],
      ['s3:PutObject', a.rawMail],
      ['s3:GetObject', a.rawMailOutsidePrefix],
      ['s3:GetObject', a.attachment],
      ['s3:DeleteObject', a.attachment],
      ['secretsmanager:PutSecretValue', a.secret],
      ['secretsmanager:DeleteSecret', a.secret],
      ['ses:SendRawEmail', a.otherAccountIdentity],
      ['ses:SendEmail', a.otherAccountIdentity],
      ['sqs:PurgeQueue', a.fanOut],
      ['sqs:SendMessage', a.fanOutDlq],
      ['sqs:SendMessage', a.schedulerDlq],
      ['sqs:ReceiveMessage', a.dispatchFailures],
      ['lambda:InvokeFunction', a.dispatch],
      ['lambda:InvokeFunction', a.inboundFn],
      ['s3:DeleteObject', a.audio],
      ['sqs:ReceiveMessage', a.publishFailures],
      ['scheduler:CreateSchedule', a.defaultGroupSchedule],
      ['scheduler:DeleteSchedule', a.defaultGroupSchedule],
      ['iam:PassRole', a.schedulerRole, { 'iam:PassedToService': 'lambda.amazonaws.com' }],
    ];
  };

  const functions = () => ({
    dispatch: service.dispatch,
    'send-worker': service.sendWorker,
    inbound: service.inbound,
    links: service.links,
    studio: service.studio,
    publish: service.publish,
    'mail-events': service.mailEvents,
    'receipt-filter': service.receiptFilter,
  });

  /** The identity policies of a role: inline, attached AWS::IAM::Policy, and managed (either stack). */
  function identityPolicies(roleId: string): Simulation['identityPolicies'] {
    const role = templates[S]!.Resources[roleId]!;
    const policies: Simulation['identityPolicies'] = [];
    for (const [id, res] of Object.entries(templates[S]!.Resources)) {
      if (res.Type === 'AWS::IAM::Policy' && JSON.stringify(res.Properties.Roles).includes(`"${roleId}"`)) {
        policies.push({ name: id, policy: r.resolve(S, res.Properties.PolicyDocument) });
      }
    }
    for (const inline of role.Properties.Policies ?? []) policies.push({ name: inline.PolicyName, policy: r.resolve(S, inline.PolicyDocument) });
    for (const arn of r.resolve(S, role.Properties.ManagedPolicyArns ?? []) as string[]) {
      const found = Object.entries(templates).flatMap(([stack, t]) =>
        Object.entries(t.Resources)
          .filter(([id, res]) => res.Type === 'AWS::IAM::ManagedPolicy' && r.ref(stack, id) === arn)
          .map(([id, res]) => ({ name: id, policy: r.resolve(stack, res.Properties.PolicyDocument) })),
      );
      if (found.length !== 1) throw new Error(`managed policy ${arn} of ${roleId} is not in the templates (an AWS managed policy?)`);
      policies.push(...found);
    }
    return policies;
  }

  /** The resource's own policy (queue or bucket policy), when one of the stacks gives it one. */
  function resourcePolicyOf(resource: string): Policy | undefined {
    for (const [stack, t] of Object.entries(templates)) {
      for (const res of Object.values(t.Resources)) {
        if (res.Type === 'AWS::SQS::QueuePolicy') {
          const queues = r.resolve(stack, res.Properties.Queues) as string[];
          if (queues.some((url) => resource === `arn:aws:sqs:${REGION}:${ACCOUNT}:${url.split('/').pop()}`)) return r.resolve(stack, res.Properties.PolicyDocument);
        }
        if (res.Type === 'AWS::S3::BucketPolicy') {
          const bucket = r.resolve(stack, res.Properties.Bucket) as string;
          if (resource.startsWith(`arn:aws:s3:::${bucket}/`)) return r.resolve(stack, res.Properties.PolicyDocument);
        }
      }
    }
    return undefined;
  }

  async function evaluate(roleId: string, [action, resource, callContext]: Call, context: Record<string, string> = {}): Promise<string> {
    const resourcePolicy = resourcePolicyOf(resource);
    const result = await runSimulation(
      {
        identityPolicies: identityPolicies(roleId),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(resourcePolicy ? { resourcePolicy } : {}),
        request: {
          action,
          principal: `arn:aws:sts::${ACCOUNT}:assumed-role/${r.name(S, roleId)}/session`,
          resource: { resource, accountId: resource.split(':')[4] || ACCOUNT },
          // Every SDK call is over TLS; the queues' and buckets' policies deny anything else.
          contextVariables: { 'aws:SecureTransport': 'true', ...callContext, ...context },
        },
      },
      {},
    );
    if (result.resultType === 'error') throw new Error(`${action} on ${resource} could not be evaluated: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
  }

  describe.each(['dispatch', 'send-worker', 'inbound', 'links', 'studio', 'publish', 'mail-events', 'receipt-filter'] as const)('the %s function', (fn) => {
    it('is allowed exactly the calls it makes, and denied everything else any Baton role or a wrong grant could do', async () => {
      const roleId = sid(functions()[fn].role as never);
      const own = callsOf(fn);
      const universe = new Map<string, Call>();
      for (const name of Object.keys(functions()) as Array<keyof ReturnType<typeof functions>>) for (const c of callsOf(name)) universe.set(key(c), c);
      for (const c of forbidden()) universe.set(key(c), c);
      const allowed: string[] = [];
      for (const call of universe.values()) if ((await evaluate(roleId, call)) === 'Allowed') allowed.push(key(call));
      expect(allowed.sort()).toEqual([...new Set(own.map(key))].sort());
    });

    it('can be assumed by Lambda, and by nothing else', async () => {
      const roleId = sid(functions()[fn].role as never);
      const trust = r.resolve(S, templates[S]!.Resources[roleId]!.Properties.AssumeRolePolicyDocument);
      const assume = async (principal: string) => {
        const result = await runSimulation(
          {
            identityPolicies: [],
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: trust,
            request: { action: 'sts:AssumeRole', principal, resource: { resource: r.getAtt(S, roleId, 'Arn'), accountId: ACCOUNT }, contextVariables: {} },
          },
          {},
        );
        if (result.resultType === 'error') throw new Error(`sts:AssumeRole by ${principal} could not be evaluated: ${JSON.stringify(result.errors)}`);
        return result.overallResult;
      };
      expect(await assume('lambda.amazonaws.com')).toBe('Allowed');
      expect(await assume('scheduler.amazonaws.com')).not.toBe('Allowed');
      expect(await assume(`arn:aws:iam::${OTHER_ACCOUNT}:root`)).not.toBe('Allowed');
    });
  });

  describe('the scheduler role', () => {
    const assume = async (principal: string, sourceArn: string, sourceAccount: string) => {
      const roleId = sid(service.schedulerRole);
      const result = await runSimulation(
        {
          identityPolicies: [],
          serviceControlPolicies: [],
          resourceControlPolicies: [],
          resourcePolicy: r.resolve(S, templates[S]!.Resources[roleId]!.Properties.AssumeRolePolicyDocument),
          request: {
            action: 'sts:AssumeRole',
            principal,
            resource: { resource: r.getAtt(S, roleId, 'Arn'), accountId: ACCOUNT },
            contextVariables: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount },
          },
        },
        {},
      );
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return result.overallResult;
    };
    const group = (name: string, account = ACCOUNT) => `arn:aws:scheduler:${REGION}:${account}:schedule-group/${name}`;

    it('is assumed by EventBridge Scheduler from a Baton series’ schedule group in this account', async () => {
      expect(await assume('scheduler.amazonaws.com', group(groupName('q1-productivity')), ACCOUNT)).toBe('Allowed');
      // A long series id is cut and hashed; the group keeps its prefix.
      expect(await assume('scheduler.amazonaws.com', group(groupName('x'.repeat(90))), ACCOUNT)).toBe('Allowed');
    });

    it('is not assumed from another group, another account, a schedule ARN or by another service', async () => {
      expect(await assume('scheduler.amazonaws.com', group('default'), ACCOUNT)).not.toBe('Allowed');
      expect(await assume('scheduler.amazonaws.com', group('other-baton-q1'), ACCOUNT)).not.toBe('Allowed');
      expect(await assume('scheduler.amazonaws.com', group(groupName('q1-productivity'), OTHER_ACCOUNT), OTHER_ACCOUNT)).not.toBe('Allowed');
      // Claiming this account while the group is another's does not help either.
      expect(await assume('scheduler.amazonaws.com', group(groupName('q1-productivity'), OTHER_ACCOUNT), ACCOUNT)).not.toBe('Allowed');
      // What the role used to trust: a schedule ARN is not what the scheduler presents.
      expect(await assume('scheduler.amazonaws.com', `arn:aws:scheduler:${REGION}:${ACCOUNT}:schedule/baton-q1/kickoff`, ACCOUNT)).not.toBe('Allowed');
      expect(await assume('lambda.amazonaws.com', group(groupName('q1-productivity')), ACCOUNT)).not.toBe('Allowed');
    });

    it('may invoke dispatch and write its dead-letter queue, and nothing else', async () => {
      const a = arns();
      const roleId = sid(service.schedulerRole);
      expect(await evaluate(roleId, ['lambda:InvokeFunction', a.dispatch])).toBe('Allowed');
      expect(await evaluate(roleId, ['sqs:SendMessage', a.schedulerDlq])).toBe('Allowed');
      for (const call of [
        ['lambda:InvokeFunction', a.inboundFn],
        ['sqs:SendMessage', a.fanOut],
        ['sqs:SendMessage', a.dispatchFailures],
        ['dynamodb:GetItem', a.table],
        ['ses:SendRawEmail', a.domainIdentity],
      ] as Call[]) {
        expect(await evaluate(roleId, call), key(call)).not.toBe('Allowed');
      }
    });
  });

  describe('the calls listed here are all the code makes', () => {
    const FUNCTION_ADAPTERS = ['dynamo', 'mail-store', 'queue', 'secrets', 'ses', 'scheduler', 'pace', 'publish-invoker', 'audio-store', 'polly'];
    // The scheduler adapter is the CLI's, the studio's (enrolling plans schedules) and the publish
    // function's: no other function may reach it. audio-store and polly speak the trainings: the
    // CLI's `baton publish` and the publish function only. publish-invoker: the studio only.
    const CLI_ONLY_ADAPTERS = ['stack-outputs', 'dead-letters', 'preflight'];
    const SCHEDULING_HANDLERS = ['studio.ts', 'publish.ts'];
    const ONLY_IN: Record<string, string[]> = { 'audio-store': ['publish.ts'], polly: ['publish.ts'], 'publish-invoker': ['studio.ts'] };
    // If an adapter starts making a new AWS call, this fails first: add the call to callsOf()
    // above for the functions that reach it, and grant it in infra/service-stack.ts.
    // A file, or a folder of them (the store: dynamo/, one module per aggregate).
    const commandsIn = (name: string): string[] => {
      const path = join(PROJECT_ROOT, 'functions', 'adapters', 'aws', name);
      if (statSync(path).isDirectory()) return readdirSync(path).flatMap((f) => commandsIn(join(name, f))).sort();
      return [...readFileSync(path, 'utf8').matchAll(/new (\w+Command)\(/g)].map((m) => m[1] as string).sort();
    };

    it('the store makes only the DynamoDB calls granted above (no transactions, no Scan)', () => {
      expect([...new Set(commandsIn('dynamo'))]).toEqual(['BatchGetCommand', 'BatchWriteCommand', 'DeleteCommand', 'GetCommand', 'PutCommand', 'QueryCommand', 'UpdateCommand']);
    });

    it('the other adapters the functions use make only the calls listed above', () => {
      // GetObject twice: the inbound function's raw mail, and the links function's generated audio.
      expect(commandsIn('mail-store.ts')).toEqual(['GetObjectCommand', 'GetObjectCommand', 'PutObjectCommand', 'PutObjectCommand']);
      expect(commandsIn('queue.ts')).toEqual(['SendMessageBatchCommand']);
      expect(commandsIn('secrets.ts')).toEqual(['GetSecretValueCommand']);
      // The mailer reads GetAccount only without a pace or a rate (locally); in AWS the pace reads it.
      expect(commandsIn('ses.ts')).toEqual(['GetAccountCommand', 'SendEmailCommand']);
      expect(commandsIn('pace.ts')).toEqual(['GetAccountCommand']);
      // The studio starts the publish function (an asynchronous Invoke); the publish function
      // speaks (Polly) and checks and stores the audio (HeadObject is authorised as s3:GetObject).
      expect(commandsIn('publish-invoker.ts')).toEqual(['InvokeCommand']);
      expect(commandsIn('polly.ts')).toEqual(['SynthesizeSpeechCommand']);
      expect(commandsIn('audio-store.ts')).toEqual(['HeadObjectCommand', 'PutObjectCommand']);
      // Every other AWS adapter that makes calls is the CLI's, and no handler may import it (below).
      const callers = readdirSync(join(PROJECT_ROOT, 'functions', 'adapters', 'aws')).filter((f) => commandsIn(f).length > 0).sort();
      expect(callers).toEqual([...FUNCTION_ADAPTERS, ...CLI_ONLY_ADAPTERS].map((a) => (a === 'dynamo' ? a : `${a}.ts`)).sort());
    });

    it('the handlers import no AWS client of their own', () => {
      for (const file of readdirSync(join(PROJECT_ROOT, 'functions', 'handlers'))) {
        const source = readFileSync(join(PROJECT_ROOT, 'functions', 'handlers', file), 'utf8');
        expect(source, file).not.toMatch(/from '@aws-sdk\//);
        // These adapters are the CLI's: no function may reach them.
        for (const cliOnly of CLI_ONLY_ADAPTERS) expect(source, file).not.toMatch(new RegExp(`#adapters/aws/${cliOnly}'`));
        if (!SCHEDULING_HANDLERS.includes(file)) expect(source, file).not.toMatch(/#adapters\/aws\/scheduler'/);
        for (const [adapter, handlers] of Object.entries(ONLY_IN)) if (!handlers.includes(file)) expect(source, file).not.toMatch(new RegExp(`#adapters/aws/${adapter}'`));
      }
    });

    it('the scheduler adapter makes only the calls granted to the studio and the publish function', () => {
      expect([...new Set(commandsIn('scheduler.ts'))]).toEqual(['CreateScheduleCommand', 'CreateScheduleGroupCommand', 'DeleteScheduleCommand', 'UpdateScheduleCommand']);
    });
  });
});
