// Everything Baton must not lose: the table, the mail and attachment buckets, the reply-token
// secret, and the SES sending identity with its configuration set. It lives apart from the service
// stack so that redeploying or even deleting the service never touches data, and every resource
// here is retained if its stack is deleted. The identity is here because mail already sent depends
// on it: a new identity has new Easy DKIM tokens, so the DNS records would no longer verify.
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { ManagedPolicy, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
  type LifecycleRule,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import {
  ConfigurationSet,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  MailFromBehaviorOnMxFailure,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import type { Construct } from 'constructs';
import { tableDefinition } from '#contract/table-definition';
import { STATE_OUTPUTS } from '#contract/outputs';
import { nagArn } from './baton-function.ts';

/** Raw inbound MIME is only needed until it is parsed and stored, and for looking into problems. */
export const INBOUND_MAIL_RETENTION_DAYS = 90;
/** SES writes each received message under this prefix of the inbound bucket. */
export const INBOUND_MAIL_PREFIX = 'inbound/';

export type StateStackProps = StackProps & {
  /** The domain Baton sends from (config.domain): the SES identity verifies it. */
  domain: string;
};

export class StateStack extends Stack {
  readonly table: Table;
  readonly inboundMailBucket: Bucket;
  readonly attachmentBucket: Bucket;
  readonly replyTokenSecret: Secret;
  /** Reading raw inbound mail, and writing attachments: what the inbound function may do with the buckets. */
  readonly inboundMailReader: ManagedPolicy;
  readonly attachmentWriter: ManagedPolicy;
  /** Reading the trainings' generated audio (audio/ of the attachment bucket): what the links function plays. */
  readonly audioReader: ManagedPolicy;
  /** Checking and writing the trainings' generated audio (audio/ only): what the publish function speaks. */
  readonly audioWriter: ManagedPolicy;
  readonly identity: EmailIdentity;
  readonly configurationSet: ConfigurationSet;

  constructor(scope: Construct, id: string, props: StateStackProps) {
    super(scope, id, props);

    const { partitionKey, sortKey, gsi1, timeToLiveAttribute } = tableDefinition;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      // A series is bursty (a send, then weeks of quiet): on-demand costs nothing while idle.
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
      deletionProtection: true,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: gsi1.indexName,
      partitionKey: { name: gsi1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: gsi1.sortKey, type: AttributeType.STRING },
    });

    this.inboundMailBucket = privateBucket(this, 'InboundMail', [
      { id: 'expire-raw-mail', prefix: INBOUND_MAIL_PREFIX, expiration: Duration.days(INBOUND_MAIL_RETENTION_DAYS) },
    ]);
    // SES receipt rules write raw mail here; only for this account, so another account's rule
    // cannot fill the bucket.
    this.inboundMailBucket.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowSesReceiptRulesOfThisAccount',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['s3:PutObject'],
        resources: [this.inboundMailBucket.arnForObjects(`${INBOUND_MAIL_PREFIX}*`)],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    // Attachments are contributions people made; they are exported to the wiki with credit and
    // kept. Rarely read after the series, so they drift to cheaper storage by themselves.
    this.attachmentBucket = privateBucket(this, 'Attachments', [
      {
        id: 'intelligent-tiering',
        transitions: [{ storageClass: StorageClass.INTELLIGENT_TIERING, transitionAfter: Duration.days(0) }],
      },
    ]);

    this.replyTokenSecret = new Secret(this, 'ReplyTokenSecret', {
      description: 'HMAC key that signs reply addresses and one-click links. Rotating it invalidates links already sent.',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      // Losing it would orphan every reply to mail already sent.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Object access is defined here, next to the buckets, and attached to the inbound function by
    // the service stack: the grants stay as narrow as S3 allows (one action, one prefix).
    this.inboundMailReader = new ManagedPolicy(this, 'InboundMailReader', {
      description: 'Read raw inbound mail (only objects under inbound/)',
      statements: [new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.inboundMailBucket.arnForObjects(`${INBOUND_MAIL_PREFIX}*`)] })],
    });
    Validations.of(this.inboundMailReader).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(this.inboundMailBucket)}/${INBOUND_MAIL_PREFIX}*]`,
      reason: 'Only s3:GetObject, only under inbound/: SES names each raw message by its message id, so the key is not known in advance.',
    });
    this.attachmentWriter = new ManagedPolicy(this, 'AttachmentWriter', {
      description: 'Write attachments of replies (put only: no read, no delete)',
      statements: [new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.attachmentBucket.arnForObjects('*')] })],
    });
    Validations.of(this.attachmentWriter).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(this.attachmentBucket)}/*]`,
      reason: 'Only s3:PutObject: attachment keys are made from series, response and file names at run time.',
    });
    this.audioReader = new ManagedPolicy(this, 'AudioReader', {
      description: "Read the trainings' generated audio (get only, only under audio/: never the replies' attachments)",
      statements: [new PolicyStatement({ actions: ['s3:GetObject'], resources: [this.attachmentBucket.arnForObjects('audio/*')] })],
    });
    Validations.of(this.audioReader).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(this.attachmentBucket)}/audio/*]`,
      reason: 'Only s3:GetObject, only under audio/: each file is named by the hash of its text, made at publish time.',
    });
    // HeadObject (is this text spoken already?) is authorised as s3:GetObject.
    this.audioWriter = new ManagedPolicy(this, 'AudioWriter', {
      description: "Check and write the trainings' generated audio (get and put, only under audio/: never the replies' attachments, never delete)",
      statements: [new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [this.attachmentBucket.arnForObjects('audio/*')] })],
    });
    Validations.of(this.audioWriter).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${nagArn(this.attachmentBucket)}/audio/*]`,
      reason: 'Only s3:GetObject and s3:PutObject, only under audio/: each file is named by the hash of its text, made when a studio edit is published.',
    });

    Validations.of(this.replyTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Not rotated on a timer: rotation would break the reply address and links of every email already sent. ' +
        'To rotate by hand, store a JSON array with the new secret first; tokens made with the old one still verify.',
    });

    // --- SES: the sending identity and the configuration set every email goes through ----------
    this.identity = new EmailIdentity(this, 'Identity', {
      identity: Identity.domain(props.domain),
      // A MAIL FROM under the domain lets SPF align with From for DMARC (Easy DKIM aligns already).
      mailFromDomain: `mail.${props.domain}`,
      mailFromBehaviorOnMxFailure: MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
    });
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      reputationMetrics: true,
      // SES itself also stops mailing these addresses, even if the store's suppression is lost.
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    // Events go to the default bus; the service stack's rule picks them up by configuration set,
    // so this destination never has to change when the service does. SEND is what closes the
    // crash gap on AWS: SES publishes it for every message it accepts, with the message's tags,
    // so mail-events records a delivery as sent even when its sender died before doing so
    // (functions/app/deliver.ts). The construct id predates SEND and is kept: a new id would
    // replace the destination on deploy.
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.eventBus(EventBus.fromEventBusName(this, 'DefaultBus', 'default')),
      events: [EmailSendingEvent.SEND, EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });
    // Deleting the identity would invalidate the DKIM records in DNS and stop all sending.
    this.identity.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.configurationSet.applyRemovalPolicy(RemovalPolicy.RETAIN);

    // What the CLI's aws target and the service stack read.
    const output = (key: string, value: string, description: string) => new CfnOutput(this, key, { value, description });
    output(STATE_OUTPUTS.tableName, this.table.tableName, "Baton's one DynamoDB table");
    output(STATE_OUTPUTS.inboundMailBucket, this.inboundMailBucket.bucketName, 'Raw inbound mail, kept 90 days');
    output(STATE_OUTPUTS.attachmentBucket, this.attachmentBucket.bucketName, 'Attachments of replies');
    output(STATE_OUTPUTS.replyTokenSecretArn, this.replyTokenSecret.secretArn, 'The reply-token secret (its ARN, not its value)');
  }
}

function privateBucket(
  scope: Construct,
  id: string,
  lifecycleRules: LifecycleRule[],
): Bucket {
  const bucket = new Bucket(scope, id, {
    encryption: BucketEncryption.S3_MANAGED,
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    enforceSSL: true,
    removalPolicy: RemovalPolicy.RETAIN,
    lifecycleRules: [
      ...lifecycleRules,
      { id: 'abort-incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
    ],
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'No server access log bucket: only SES and two Baton roles may touch these objects, and CloudTrail data events ' +
      'are the audit trail to switch on when one is needed (a log bucket would itself need a log bucket).',
  });
  return bucket;
}
