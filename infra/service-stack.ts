// The stateless half: the Lambdas and what triggers them. It can be redeployed freely: everything
// it must keep lives in the state stack (passed in as props), and what mail already sent points at
// (the links' function URL, the receipt rules) keeps its logical id, so an update never replaces it
// (test/infra/service-stack.test.ts pins them).
//
//   schedule (EventBridge Scheduler, one group per series, created by `baton publish`)
//     └─ SchedulerRole ─> dispatch ─┬─ sends a small job itself ─────────────┐
//                                   └─ FanOut queue ─> send-worker (×2) ─────┴─> SES (configuration set)
//   SES events (send, bounce, complaint) ─> EventBridge default bus ─> mail-events ─> ledger, suppression
//   mail to reply.<domain> ─> SES receipt rule ─> receipt-filter (spam/virus stop) ─> S3 inbound/ ─> inbound
//   one-click link ─> function URL ─> links
//   trainer ─> function URL ─> studio ─(a confirmed training edit, async invoke)─> publish ─> mjml, Polly, S3 audio/, Scheduler
// Every asynchronous invocation ends, when it keeps failing, in a queue of its own; every queue
// where failures land, every function and the scheduler have an alarm on the operator's topic.
import { Annotations, CfnOutput, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { ReceiptRuleSet, type ConfigurationSet, type EmailIdentity } from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULT_LEASE_MS, FANOUT_BATCH_SIZE, SCHEDULE_GROUP_PREFIX, SEND_WORKER_CONCURRENCY } from '#contract/names';
import { OperatorAlarms } from './alarms.ts';
import { BatonFunction, ENV, PUBLISH_BUNDLE_EXTERNALS } from './baton-function.ts';
import { operatorDashboard } from './dashboard.ts';
import type { Config } from './config.ts';
import { SERVICE_OUTPUTS } from '#contract/outputs';
import { INBOUND_MAIL_PREFIX, type StateStack } from './state-stack.ts';

export type ServiceStackProps = StackProps & {
  config: Config;
  state: Pick<
    StateStack,
    'table' | 'inboundMailBucket' | 'attachmentBucket' | 'replyTokenSecret' | 'inboundMailReader' | 'attachmentWriter' | 'audioReader' | 'audioWriter' | 'identity' | 'configurationSet'
  >;
};

/** Queued batches one worker invocation takes. */
export const SEND_WORKER_BATCH = 5;
/** A dispatch that sends a whole digest or roll-up itself may take long; a worker's batch, less. */
export const DISPATCH_TIMEOUT = Duration.minutes(15);
export const SEND_WORKER_TIMEOUT = Duration.minutes(15);
/**
 * How long a received batch stays hidden. A worker may claim a delivery in the last second of its
 * run and die there; the claim then holds for the delivery lease. A batch hidden for longer than
 * both comes back only when every claim of the run before is sent or expired, so the redelivery
 * takes the held deliveries over instead of meeting them again, failing (the worker reports held
 * items in batchItemFailures) and burning a receive. The extra five minutes absorb clock skew and
 * the event source's polling.
 */
export const FANOUT_VISIBILITY_TIMEOUT = SEND_WORKER_TIMEOUT.plus(Duration.millis(DEFAULT_LEASE_MS)).plus(Duration.minutes(5));
/**
 * Tries of a batch before its dead-letter queue. Lambda's SQS guide asks for at least 5, so a
 * batch is not dead-lettered for throttling alone; with the visibility timeout above, 5 tries span
 * 2.5 hours, far more than any lease a held delivery can be waiting on.
 */
export const FANOUT_MAX_RECEIVES = 5;
/**
 * The SES events mail-events acts on, by their EventBridge detail types (events-ref-ses): a send
 * records its delivery as sent (the crash gap), a bounce or complaint suppresses the address.
 */
export const SES_EVENT_DETAIL_TYPES = ['Email Sent', 'Email Bounced', 'Email Complaint Received'];
/**
 * Lambda's retries of a failed asynchronous invocation (its maximum) before the on-failure
 * destination. Every async handler is safe to repeat: the delivery ledger and the inbound message
 * record make a second run send and record nothing twice.
 */
export const ASYNC_RETRY_ATTEMPTS = 2;
export const ASYNC_MAX_EVENT_AGE = Duration.hours(6);

export class ServiceStack extends Stack {
  readonly dispatch: BatonFunction;
  readonly sendWorker: BatonFunction;
  readonly inbound: BatonFunction;
  readonly links: BatonFunction;
  readonly mailEvents: BatonFunction;
  readonly receiptFilter: BatonFunction;
  readonly linksUrl: FunctionUrl;
  /** The trainer studio (functions/handlers/studio.ts) and its address. */
  readonly studio: BatonFunction;
  readonly studioUrl: FunctionUrl;
  /** Applies training edits confirmed in the studio (functions/handlers/publish.ts): the one bundle with mjml. */
  readonly publish: BatonFunction;
  readonly fanOutQueue: Queue;
  /**
   * Every queue where a failure lands. Message formats differ: fanOut holds the fan-out message as
   * sent; scheduler holds the schedule's input (the job); dispatchFailures, inbound and the Lambda
   * side of mailEvents hold Lambda's on-failure record ({ requestContext, requestPayload,
   * responseContext, responsePayload }); EventBridge's side of mailEvents holds the event itself.
   */
  readonly deadLetters: { fanOut: Queue; scheduler: Queue; dispatchFailures: Queue; mailEvents: Queue; inbound: Queue; publishFailures: Queue };
  readonly schedulerRole: Role;
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly receiptRuleSet: ReceiptRuleSet;
  readonly alarms: OperatorAlarms;
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, state } = props;

    // --- queues --------------------------------------------------------------------------------
    this.deadLetters = {
      fanOut: deadLetterQueue(this, 'FanOutDeadLetters'),
      scheduler: deadLetterQueue(this, 'SchedulerDeadLetters'),
      dispatchFailures: deadLetterQueue(this, 'DispatchFailures'),
      mailEvents: deadLetterQueue(this, 'MailEventsDeadLetters'),
      inbound: deadLetterQueue(this, 'InboundDeadLetters'),
      publishFailures: deadLetterQueue(this, 'PublishFailures'),
    };
    this.fanOutQueue = new Queue(this, 'FanOut', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than a worker may run, so a batch being sent is not handed to a second worker,
      // and longer than a run plus the delivery lease, so a redelivery can take held claims over.
      visibilityTimeout: FANOUT_VISIBILITY_TIMEOUT,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters.fanOut, maxReceiveCount: FANOUT_MAX_RECEIVES },
    });

    // The identity and configuration set live in the state stack: mail already sent depends on them.
    this.identity = state.identity;
    this.configurationSet = state.configurationSet;

    // --- functions -----------------------------------------------------------------------------
    // Each useTable lists the calls that function's handler and core make through the store
    // (functions/adapters/aws/dynamo/); test/infra/iam.test.ts evaluates the result call by call.
    this.links = new BatonFunction(this, 'links', {
      description: 'One-click links: records read, kudos, ratings and unsubscribes from signed tokens',
      memorySize: 256,
      timeout: Duration.seconds(10),
    })
      // getSeries (Query), getParticipant/findResponseByKey (GetItem), putResponse (PutItem),
      // setUnsubscribed (UpdateItem).
      .useTable(state.table, { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] })
      .useReplyTokenSecret(state.replyTokenSecret);
    // Turning calendars off queues the cancellation of placed entries for the send workers.
    this.links.addEnvironment(ENV.fanOutQueueUrl, this.fanOutQueue.queueUrl);
    this.links.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.fanOutQueue.queueArn] }));
    // It plays the trainings' generated audio (`/audio/<hash>.mp3`, written by `baton publish`):
    // the audio/ prefix of the attachment bucket only, never the replies' attachments.
    this.links.addEnvironment(ENV.attachmentBucket, state.attachmentBucket.bucketName);
    this.links.role!.addManagedPolicy(state.audioReader);
    // Anyone with a link may click it: the signed token in the path is the authorisation.
    this.linksUrl = this.links.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });

    const mail = {
      domain: config.domain,
      inboundDomain: config.inboundDomain,
      sender: config.sender,
      linksBaseUrl: this.linksUrl.url,
      maxSendRate: config.maxSendRate,
    };
    // A job's sends: getSeries/getTemplates/listParticipants/listResponses/listDeliveries/
    // getCalendars (Query), suppressedAmong (BatchGetItem), the delivery ledger (UpdateItem, and
    // GetItem when a claim is contested). No Put, Delete or BatchWrite.
    const sendsAJob = { table: ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem'] } as const;

    this.dispatch = new BatonFunction(this, 'dispatch', {
      description: 'Runs one scheduled job: kickoff, training, reminder, roll-up, digest, follow-up or wrap-up',
      timeout: DISPATCH_TIMEOUT,
      environment: {
        [ENV.fanOutQueueUrl]: this.fanOutQueue.queueUrl,
        [ENV.fanOutBatchSize]: String(FANOUT_BATCH_SIZE),
      },
      // The scheduler hands the job over asynchronously: its retry policy and dead-letter queue
      // cover only the hand-over. An error inside dispatch is retried by Lambda and then kept here.
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetters.dispatchFailures),
    })
      .useTable(state.table, sendsAJob)
      .useReplyTokenSecret(state.replyTokenSecret)
      .useMail(this.configurationSet, mail);
    this.dispatch.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.fanOutQueue.queueArn] }));

    this.sendWorker = new BatonFunction(this, 'send-worker', {
      description: 'Sends one queued batch of a large job',
      timeout: SEND_WORKER_TIMEOUT,
    })
      .useTable(state.table, sendsAJob)
      .useReplyTokenSecret(state.replyTokenSecret)
      .useMail(this.configurationSet, mail);
    this.sendWorker.addEventSource(
      new SqsEventSource(this.fanOutQueue, {
        batchSize: SEND_WORKER_BATCH,
        reportBatchItemFailures: true,
        maxConcurrency: SEND_WORKER_CONCURRENCY,
      }),
    );

    this.inbound = new BatonFunction(this, 'inbound', {
      description: 'Takes in a reply SES stored in S3: routes, trims, classifies and records it',
      memorySize: 1024,
      timeout: Duration.minutes(1),
      // SES invokes it asynchronously. An on-failure destination rather than a Lambda DLQ: its
      // record carries the error (responsePayload) next to the event, so the operator sees why.
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetters.inbound),
    })
      // findSeriesByKey (Query on gsi1), getSeries (Query), findParticipantByKey/getParticipant/
      // findResponseByKey/getTemplate (GetItem), suppressedAmong (BatchGetItem), putResponse and
      // recordInboundMessage (PutItem), setUnsubscribed/setOutOfOffice and the ack's ledger (UpdateItem).
      .useTable(state.table, { table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'], queryIndex: true })
      .useReplyTokenSecret(state.replyTokenSecret)
      .useMail(this.configurationSet, mail);
    this.inbound.role!.addManagedPolicy(state.inboundMailReader);
    this.inbound.role!.addManagedPolicy(state.attachmentWriter);
    this.inbound.addEnvironment(ENV.inboundBucket, state.inboundMailBucket.bucketName);
    this.inbound.addEnvironment(ENV.attachmentBucket, state.attachmentBucket.bucketName);

    this.mailEvents = new BatonFunction(this, 'mail-events', {
      description: 'Records sends SES accepted; suppresses addresses that bounced for good or complained',
      memorySize: 256,
      // EventBridge invokes it asynchronously: the rule target's dead-letter queue below covers a
      // failed hand-over, this covers an error inside the function. Both land in one queue.
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetters.mailEvents),
    })
      // suppress (PutItem), listSeriesOfParticipant (Query on gsi1), setBounced/setUnsubscribed
      // (UpdateItem; GetItem when there is nothing to change), recordAccepted (UpdateItem).
      .useTable(state.table, { table: ['GetItem', 'PutItem', 'UpdateItem'], queryIndex: true });
    new Rule(this, 'SesEvents', {
      description: "Sends, bounces and complaints of Baton's configuration set",
      eventPattern: {
        source: ['aws.ses'],
        detailType: SES_EVENT_DETAIL_TYPES,
        detail: { mail: { tags: { 'ses:configuration-set': [this.configurationSet.configurationSetName] } } },
      },
      targets: [
        new LambdaFunction(this.mailEvents, {
          deadLetterQueue: this.deadLetters.mailEvents,
          retryAttempts: 8,
          maxEventAge: Duration.hours(24),
        }),
      ],
    });

    // Synchronous (RequestResponse) and touching nothing but its logs: it reads the verdicts in
    // the event and answers STOP_RULE_SET or CONTINUE.
    this.receiptFilter = new BatonFunction(this, 'receipt-filter', {
      description: 'Stops the receipt rule for mail SES marks as spam or virus, before it is stored',
      memorySize: 128,
      timeout: Duration.seconds(5),
    });

    // --- the scheduler's role: invoke dispatch, and nothing else --------------------------------
    // EventBridge Scheduler presents the schedule *group* as the source: one group per series,
    // named baton-<series> by adapters/scheduler.ts groupName().
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: `Assumed by the series schedules (groups ${SCHEDULE_GROUP_PREFIX}*) to run dispatch`,
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': this.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: `${SCHEDULE_GROUP_PREFIX}*` }),
          },
        },
      }),
    });
    this.schedulerRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.dispatch.functionArn] }));
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetters.scheduler.queueArn] }),
    );

    // --- the trainer studio: pages behind a function URL, the same router as `npm start`'s /studio ---
    this.studio = new BatonFunction(this, 'studio', {
      description: 'Trainer studio: sign-in by email, overview, contributions, participants, trainings',
      memorySize: 1024,
      timeout: Duration.seconds(15),
    })
      // getSeries/listParticipants/listResponses/listDeliveries/listNeedsLook/listSchedules/
      // getCalendars (Query), listSeriesOfTrainer (Query gsi1), getParticipant/getTemplate/
      // findResponseByKey/getNeedsLook (GetItem), suppressedAmong/sentAmong (BatchGetItem),
      // putResponse/putSchedule/putSignInNonce (PutItem), quotas, the sign-in nonce, withdrawals,
      // tags, the nudge's ledger (UpdateItem), enrolling (BatchWriteItem), unenrolling and
      // schedules no longer planned (DeleteItem).
      .useTable(state.table, { table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem'], queryIndex: true })
      .useReplyTokenSecret(state.replyTokenSecret)
      .useMail(this.configurationSet, mail);
    // Enrolling and unenrolling plan schedules, as `baton enroll --target aws` does: only in the
    // series' schedule groups, only targeting dispatch through the scheduler role.
    const groups = this.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: `${SCHEDULE_GROUP_PREFIX}*` });
    const schedules = this.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${SCHEDULE_GROUP_PREFIX}*/*` });
    this.studio.addToRolePolicy(new PolicyStatement({ actions: ['scheduler:CreateScheduleGroup'], resources: [groups] }));
    this.studio.addToRolePolicy(new PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'], resources: [schedules] }));
    this.studio.addToRolePolicy(
      new PolicyStatement({ actions: ['iam:PassRole'], resources: [this.schedulerRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }),
    );
    Validations.of(this.studio.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule-group/${SCHEDULE_GROUP_PREFIX}*]`,
      reason: 'One schedule group per series, created when a series is first enrolled; only Baton-prefixed groups.',
    });
    Validations.of(this.studio.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${SCHEDULE_GROUP_PREFIX}*/*]`,
      reason: 'Schedules of any series the signed-in trainer runs; the series is only known per request.',
    });
    this.studio.addEnvironment(ENV.scheduleTargetArn, this.dispatch.functionArn);
    this.studio.addEnvironment(ENV.schedulerRoleArn, this.schedulerRole.roleArn);
    this.studio.addEnvironment(ENV.schedulerDlqArn, this.deadLetters.scheduler.queueArn);
    // Sign-in is by emailed link, so the URL is public like the links' URL; every page checks the session.
    this.studioUrl = this.studio.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });

    // --- the publish function: applies a training edit confirmed in the studio ------------------
    // The same publish as `baton publish --target aws`: compile every email (mjml, which no other
    // bundle may hold), speak the edited text (Polly, into audio/), store, move the schedules. The
    // studio invokes it asynchronously and shows the edit's state; an error before the edit is
    // claimed is retried by Lambda and then kept in PublishFailures. Compiling a series takes a few
    // seconds of CPU, hence a whole vCPU (1,769 MB) and minutes, not the studio's 15 s.
    this.publish = new BatonFunction(this, 'publish', {
      description: 'Applies a training edit confirmed in the studio: compiles the emails, speaks the audio, moves the schedules',
      memorySize: 1769,
      timeout: Duration.minutes(5),
      bundleExternals: [...PUBLISH_BUNDLE_EXTERNALS],
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      onFailure: new SqsDestination(this.deadLetters.publishFailures),
    })
      // getStudioEdit/getTemplate (GetItem), prepareStudio's markers (BatchGetItem), getSeries/
      // listParticipants/listSchedules/getCalendars/pruneTemplates' read (Query), the series key
      // check (Query gsi1), putSeries/putSchedule (PutItem), the edit's state and finishPublish (UpdateItem),
      // putTemplates, putCalendars, the trainer pointers and pruned templates (BatchWriteItem),
      // schedules no longer planned (DeleteItem).
      .useTable(state.table, { table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'BatchWriteItem', 'DeleteItem'], queryIndex: true });
    this.publish.addToRolePolicy(new PolicyStatement({ actions: ['scheduler:CreateScheduleGroup'], resources: [groups] }));
    this.publish.addToRolePolicy(new PolicyStatement({ actions: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'], resources: [schedules] }));
    this.publish.addToRolePolicy(
      new PolicyStatement({ actions: ['iam:PassRole'], resources: [this.schedulerRole.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } }),
    );
    // SynthesizeSpeech has no resource-level permission: IAM authorises it on "*" only.
    this.publish.addToRolePolicy(new PolicyStatement({ actions: ['polly:SynthesizeSpeech'], resources: ['*'] }));
    this.publish.role!.addManagedPolicy(state.audioWriter);
    Validations.of(this.publish.role!).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'polly:SynthesizeSpeech and the X-Ray trace writes have no resource-level permissions.',
    });
    Validations.of(this.publish.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule-group/${SCHEDULE_GROUP_PREFIX}*]`,
      reason: 'The schedule group of the series whose edit is applied; only Baton-prefixed groups.',
    });
    Validations.of(this.publish.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${SCHEDULE_GROUP_PREFIX}*/*]`,
      reason: 'Schedules of the series whose edit is applied; the series is only known per event.',
    });
    this.publish.addEnvironment(ENV.scheduleTargetArn, this.dispatch.functionArn);
    this.publish.addEnvironment(ENV.schedulerRoleArn, this.schedulerRole.roleArn);
    this.publish.addEnvironment(ENV.schedulerDlqArn, this.deadLetters.scheduler.queueArn);
    this.publish.addEnvironment(ENV.attachmentBucket, state.attachmentBucket.bucketName);
    this.publish.addEnvironment(ENV.linksBaseUrl, this.linksUrl.url);
    // The studio may start it, and nothing else.
    this.studio.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.publish.functionArn] }));
    this.studio.addEnvironment(ENV.publishFunctionArn, this.publish.functionArn);

    // --- inbound mail: drop spam, store the raw message, then hand it to the inbound function ---
    this.receiptRuleSet = new ReceiptRuleSet(this, 'ReceiptRules');
    const rule = this.receiptRuleSet.addRule('Replies', {
      recipients: [config.inboundDomain],
      scanEnabled: true,
      actions: [
        // First and synchronous, so STOP_RULE_SET keeps spam and viruses out of S3 and inbound.
        new LambdaAction({ function: this.receiptFilter, invocationType: LambdaInvocationType.REQUEST_RESPONSE }),
        // The bucket lives in the state stack, whose policy already lets this account's receipt
        // rules write under inbound/; referencing it by name keeps this stack from editing it.
        new S3Action({
          bucket: Bucket.fromBucketName(this, 'InboundMailBucket', state.inboundMailBucket.bucketName),
          objectKeyPrefix: INBOUND_MAIL_PREFIX,
        }),
        new LambdaAction({ function: this.inbound, invocationType: LambdaInvocationType.EVENT }),
      ],
    });
    Annotations.of(rule).acknowledgeWarning(
      '@aws-cdk/s3:AddBucketPermissions',
      "The state stack's inbound bucket policy lets this account's receipt rules (and only them) write under inbound/.",
    );

    // --- alarms and the dashboard ----------------------------------------------------------------
    const functions: Record<string, BatonFunction> = {
      dispatch: this.dispatch,
      'send-worker': this.sendWorker,
      inbound: this.inbound,
      links: this.links,
      studio: this.studio,
      publish: this.publish,
      'mail-events': this.mailEvents,
      'receipt-filter': this.receiptFilter,
    };
    this.alarms = new OperatorAlarms(this, 'Alarms', { operatorEmail: config.operatorEmail });
    for (const [stem, fn] of Object.entries(functions)) {
      this.alarms.watchFunction(pascal(stem), fn).watchDroppedEvents(stem);
    }
    this.alarms
      .watchDeadLetters('FanOutDeadLetters', this.deadLetters.fanOut, 'A batch of emails that kept failing to send')
      .watchDeadLetters('SchedulerDeadLetters', this.deadLetters.scheduler, 'A scheduled job the scheduler could not hand to dispatch')
      .watchDeadLetters('DispatchFailures', this.deadLetters.dispatchFailures, 'A scheduled job that dispatch kept failing')
      .watchDeadLetters('MailEventsDeadLetters', this.deadLetters.mailEvents, 'A bounce or complaint that could not be recorded')
      .watchDeadLetters('InboundDeadLetters', this.deadLetters.inbound, 'A reply that could not be processed (its raw mail is in the inbound bucket)')
      .watchDeadLetters('PublishFailures', this.deadLetters.publishFailures, 'A training edit from the studio that the publish function kept failing to start')
      .watchScheduler()
      .watchSesThrottles({ Dispatch: this.dispatch.logGroup, SendWorker: this.sendWorker.logGroup, Inbound: this.inbound.logGroup })
      .watchSesReputation();
    this.dashboard = operatorDashboard(this, 'Dashboard', {
      functions,
      failureQueues: {
        'fan-out': this.deadLetters.fanOut,
        scheduler: this.deadLetters.scheduler,
        dispatch: this.deadLetters.dispatchFailures,
        inbound: this.deadLetters.inbound,
        'mail-events': this.deadLetters.mailEvents,
        publish: this.deadLetters.publishFailures,
      },
      inbound: this.inbound,
      receiptFilter: this.receiptFilter,
    });

    // --- outputs: what `baton publish --target aws`, `baton dlq` and the operator need ---------
    const output = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description });
    output(SERVICE_OUTPUTS.dispatchFunctionArn, this.dispatch.functionArn, 'The target of every series schedule');
    output(SERVICE_OUTPUTS.schedulerRoleArn, this.schedulerRole.roleArn, 'The role series schedules assume');
    output(SERVICE_OUTPUTS.schedulerDeadLetterQueueArn, this.deadLetters.scheduler.queueArn, 'Where jobs the scheduler could not hand over go');
    output(SERVICE_OUTPUTS.fanOutQueueUrl, this.fanOutQueue.queueUrl, 'Batches of a large send');
    output(SERVICE_OUTPUTS.linksUrl, this.linksUrl.url, 'Base of one-click links');
    output(SERVICE_OUTPUTS.studioUrl, Fn.join('', [this.studioUrl.url, 'studio']), 'The trainer studio: sign in with a trainer address of a series');
    output(SERVICE_OUTPUTS.configurationSetName, this.configurationSet.configurationSetName, 'SES configuration set of all Baton mail');
    output(SERVICE_OUTPUTS.receiptRuleSetName, this.receiptRuleSet.receiptRuleSetName, 'Activate it: aws ses set-active-receipt-rule-set --rule-set-name <this>');
    output(SERVICE_OUTPUTS.alarmTopicArn, this.alarms.topic.topicArn, 'Operator alarms (confirm the email subscription)');
    output(
      SERVICE_OUTPUTS.dkimRecords,
      Fn.join(' ', [
        this.identity.dkimDnsTokenName1, 'CNAME', this.identity.dkimDnsTokenValue1, ';',
        this.identity.dkimDnsTokenName2, 'CNAME', this.identity.dkimDnsTokenValue2, ';',
        this.identity.dkimDnsTokenName3, 'CNAME', this.identity.dkimDnsTokenValue3,
      ]),
      'Easy DKIM: add these three CNAME records',
    );
    output(SERVICE_OUTPUTS.mailFromDomain, `mail.${config.domain}`, `MX 10 feedback-smtp.<region>.amazonses.com and TXT "v=spf1 include:amazonses.com ~all"`);
    output(SERVICE_OUTPUTS.fanOutDeadLetterQueueUrl, this.deadLetters.fanOut.queueUrl, 'Fan-out batches that kept failing (the message as queued)');
    output(SERVICE_OUTPUTS.schedulerDeadLetterQueueUrl, this.deadLetters.scheduler.queueUrl, 'Jobs the scheduler gave up on (the schedule input)');
    output(SERVICE_OUTPUTS.dispatchFailureQueueUrl, this.deadLetters.dispatchFailures.queueUrl, 'Jobs dispatch kept failing (Lambda on-failure records)');
    output(SERVICE_OUTPUTS.inboundDeadLetterQueueUrl, this.deadLetters.inbound.queueUrl, 'Replies inbound kept failing (Lambda on-failure records)');
    output(
      SERVICE_OUTPUTS.mailEventsDeadLetterQueueUrl,
      this.deadLetters.mailEvents.queueUrl,
      'Bounces and complaints not recorded (EventBridge events, or Lambda on-failure records)',
    );
    output(SERVICE_OUTPUTS.inboundFunctionArn, this.inbound.functionArn, 'Replays of inbound failures invoke this');
    output(SERVICE_OUTPUTS.mailEventsFunctionArn, this.mailEvents.functionArn, 'Replays of mail-events failures invoke this');

    // --- cdk-nag: what is flagged on purpose ---------------------------------------------------
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Functions run nodejs22.x on purpose: the bundle is built and tested for node22 (BUNDLE_TARGET); moving runtime is a tested change, not a lint fix.',
    });
  }
}

function deadLetterQueue(scope: Construct, id: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // The longest SQS keeps anything: time to notice the alarm, fix the cause and redrive.
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason: 'This queue is itself a dead-letter queue, watched by an alarm.' });
  return queue;
}

const pascal = (stem: string) => stem.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
