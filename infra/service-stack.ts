// The stateless half: the Lambdas and what triggers them. It can be destroyed and redeployed
// freely; everything it needs to keep lives in the state stack, passed in as props.
//
//   schedule (EventBridge Scheduler, one group per series, created by `baton publish`)
//     └─ SchedulerRole ─> dispatch ─┬─ sends a small job itself ─────────────┐
//                                   └─ FanOut queue ─> send-worker (×2) ─────┴─> SES (configuration set)
//   SES events (bounce, complaint) ─> EventBridge default bus ─> mail-events ─> suppression
//   mail to reply.<domain> ─> SES receipt rule ─> S3 inbound/ ─> inbound
//   one-click link ─> function URL ─> links
// Every function, queue and dead-letter queue has an alarm on the operator's topic.
import { Annotations, CfnOutput, Duration, Fn, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Rule, EventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  MailFromBehaviorOnMxFailure,
  ReceiptRuleSet,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Lambda as LambdaAction, LambdaInvocationType, S3 as S3Action } from 'aws-cdk-lib/aws-ses-actions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { SEND_WORKER_CONCURRENCY } from '#adapters/aws/runtime-config';
import { OperatorAlarms } from './alarms.ts';
import { BatonFunction, ENV } from './baton-function.ts';
import type { Config } from './config.ts';
import { SERVICE_OUTPUTS } from '#contract/outputs';
import { INBOUND_MAIL_PREFIX, type StateStack } from './state-stack.ts';

export type ServiceStackProps = StackProps & {
  config: Config;
  state: Pick<StateStack, 'table' | 'inboundMailBucket' | 'attachmentBucket' | 'replyTokenSecret' | 'inboundMailReader' | 'attachmentWriter'>;
};

/** Recipients per queued batch: about 15 s of sending at 14 per second. */
export const FANOUT_BATCH_SIZE = 200;
/** Queued batches one worker invocation takes. */
export const SEND_WORKER_BATCH = 5;
/** A dispatch that sends a whole digest or roll-up itself may take long; a worker's batch, less. */
export const DISPATCH_TIMEOUT = Duration.minutes(15);
export const SEND_WORKER_TIMEOUT = Duration.minutes(15);
/** Tries of a batch before its dead-letter queue. */
export const FANOUT_MAX_RECEIVES = 5;
export const SES_EVENT_DETAIL_TYPES = ['Email Bounced', 'Email Complaint Received'];

export class ServiceStack extends Stack {
  readonly dispatch: BatonFunction;
  readonly sendWorker: BatonFunction;
  readonly inbound: BatonFunction;
  readonly links: BatonFunction;
  readonly mailEvents: BatonFunction;
  readonly linksUrl: FunctionUrl;
  readonly fanOutQueue: Queue;
  readonly deadLetters: { fanOut: Queue; scheduler: Queue; mailEvents: Queue; inbound: Queue };
  readonly schedulerRole: Role;
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;
  readonly receiptRuleSet: ReceiptRuleSet;
  readonly alarms: OperatorAlarms;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const { config, state } = props;

    // --- queues --------------------------------------------------------------------------------
    this.deadLetters = {
      fanOut: deadLetterQueue(this, 'FanOutDeadLetters'),
      scheduler: deadLetterQueue(this, 'SchedulerDeadLetters'),
      mailEvents: deadLetterQueue(this, 'MailEventsDeadLetters'),
      inbound: deadLetterQueue(this, 'InboundDeadLetters'),
    };
    this.fanOutQueue = new Queue(this, 'FanOut', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Longer than a worker may run, so a batch being sent is not handed to a second worker.
      visibilityTimeout: SEND_WORKER_TIMEOUT.plus(Duration.minutes(5)),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters.fanOut, maxReceiveCount: FANOUT_MAX_RECEIVES },
    });

    // --- SES: the sending identity and the configuration set every email goes through ----------
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(config.domain),
      // A MAIL FROM under the domain lets SPF align with From for DMARC (Easy DKIM aligns already).
      mailFromDomain: `mail.${config.domain}`,
      mailFromBehaviorOnMxFailure: MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
    });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      // SES itself also stops mailing these addresses, even if the store's suppression is lost.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    // --- functions -----------------------------------------------------------------------------
    this.links = new BatonFunction(this, 'links', {
      description: 'One-click links: records read, kudos, ratings and unsubscribes from signed tokens',
      memorySize: 256,
      timeout: Duration.seconds(10),
    })
      .useTable(state.table, 'readWrite')
      .useReplyTokenSecret(state.replyTokenSecret);
    // Anyone with a link may click it: the signed token in the path is the authorisation.
    this.linksUrl = this.links.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });

    const mail = {
      domain: config.domain,
      inboundDomain: config.inboundDomain,
      sender: config.sender,
      linksBaseUrl: this.linksUrl.url,
      maxSendRate: config.maxSendRate,
    };

    this.dispatch = new BatonFunction(this, 'dispatch', {
      description: 'Runs one scheduled job: kickoff, training, reminder, roll-up, digest, follow-up or wrap-up',
      timeout: DISPATCH_TIMEOUT,
      environment: {
        [ENV.fanOutQueueUrl]: this.fanOutQueue.queueUrl,
        [ENV.fanOutBatchSize]: String(FANOUT_BATCH_SIZE),
      },
    })
      .useTable(state.table, 'readWrite')
      .useReplyTokenSecret(state.replyTokenSecret)
      .useMail(this.identity, this.configurationSet, mail);
    this.dispatch.addToRolePolicy(new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.fanOutQueue.queueArn] }));

    this.sendWorker = new BatonFunction(this, 'send-worker', {
      description: 'Sends one queued batch of a large job',
      timeout: SEND_WORKER_TIMEOUT,
    })
      .useTable(state.table, 'readWrite')
      .useReplyTokenSecret(state.replyTokenSecret)
      .useMail(this.identity, this.configurationSet, mail);
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
      // SES invokes it asynchronously; what still fails after Lambda's retries is kept here.
      deadLetterQueue: this.deadLetters.inbound,
    })
      .useTable(state.table, 'readWrite')
      .useReplyTokenSecret(state.replyTokenSecret)
      .useMail(this.identity, this.configurationSet, mail);
    this.inbound.role!.addManagedPolicy(state.inboundMailReader);
    this.inbound.role!.addManagedPolicy(state.attachmentWriter);
    this.inbound.addEnvironment(ENV.inboundBucket, state.inboundMailBucket.bucketName);
    this.inbound.addEnvironment(ENV.attachmentBucket, state.attachmentBucket.bucketName);

    this.mailEvents = new BatonFunction(this, 'mail-events', {
      description: 'Suppresses addresses that bounced for good or complained',
      memorySize: 256,
    }).useTable(state.table, 'readWrite');
    new Rule(this, 'SesEvents', {
      description: "Bounces and complaints of Baton's configuration set",
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

    // --- the scheduler's role: invoke dispatch, and nothing else --------------------------------
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Assumed by the series schedules (groups baton-*) to run dispatch',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: { 'aws:SourceArn': this.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: 'baton-*' }) },
        },
      }),
    });
    this.schedulerRole.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.dispatch.functionArn] }));
    this.schedulerRole.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetters.scheduler.queueArn] }),
    );

    // --- inbound mail: store the raw message, then hand it to the inbound function -------------
    this.receiptRuleSet = new ReceiptRuleSet(this, 'ReceiptRules');
    const rule = this.receiptRuleSet.addRule('Replies', {
      recipients: [config.inboundDomain],
      scanEnabled: true,
      actions: [
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

    // --- alarms --------------------------------------------------------------------------------
    this.alarms = new OperatorAlarms(this, 'Alarms', { operatorEmail: config.operatorEmail });
    for (const [name, fn] of Object.entries({
      Dispatch: this.dispatch,
      SendWorker: this.sendWorker,
      Inbound: this.inbound,
      Links: this.links,
      MailEvents: this.mailEvents,
    })) {
      this.alarms.watchFunction(name, fn);
    }
    this.alarms
      .watchDeadLetters('FanOutDeadLetters', this.deadLetters.fanOut, 'A batch of emails that kept failing to send')
      .watchDeadLetters('SchedulerDeadLetters', this.deadLetters.scheduler, 'A scheduled job that dispatch kept failing')
      .watchDeadLetters('MailEventsDeadLetters', this.deadLetters.mailEvents, 'A bounce or complaint that could not be recorded')
      .watchDeadLetters('InboundDeadLetters', this.deadLetters.inbound, 'A reply that could not be processed (its raw mail is in the inbound bucket)')
      .watchSesReputation();

    // --- outputs: what `baton publish --target aws` and the operator need ----------------------
    const output = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description });
    output(SERVICE_OUTPUTS.dispatchFunctionArn, this.dispatch.functionArn, 'The target of every series schedule');
    output(SERVICE_OUTPUTS.schedulerRoleArn, this.schedulerRole.roleArn, 'The role series schedules assume');
    output(SERVICE_OUTPUTS.schedulerDeadLetterQueueArn, this.deadLetters.scheduler.queueArn, 'Where jobs that keep failing go');
    output(SERVICE_OUTPUTS.fanOutQueueUrl, this.fanOutQueue.queueUrl, 'Batches of a large send');
    output(SERVICE_OUTPUTS.linksUrl, this.linksUrl.url, 'Base of one-click links');
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
