// Everything Baton must not lose: the table, the mail and attachment buckets, the reply-token
// secret. It lives apart from the service stack so that redeploying or even deleting the service
// never touches data, and every resource here is retained if its stack is deleted.
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  ObjectOwnership,
  StorageClass,
  type LifecycleRule,
} from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { tableDefinition } from '#adapters/table-definition';

/** Raw inbound MIME is only needed until it is parsed and stored, and for looking into problems. */
export const INBOUND_MAIL_RETENTION_DAYS = 90;
/** SES writes each received message under this prefix of the inbound bucket. */
export const INBOUND_MAIL_PREFIX = 'inbound/';

export class StateStack extends Stack {
  readonly table: Table;
  readonly inboundMailBucket: Bucket;
  readonly attachmentBucket: Bucket;
  readonly replyTokenSecret: Secret;

  constructor(scope: Construct, id: string, props?: StackProps) {
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
  }
}

function privateBucket(
  scope: Construct,
  id: string,
  lifecycleRules: LifecycleRule[],
): Bucket {
  return new Bucket(scope, id, {
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
}
