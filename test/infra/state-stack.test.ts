import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableDefinition } from '#contract/table-definition';
import { STATE_OUTPUTS } from '#contract/outputs';
import { INBOUND_MAIL_PREFIX, INBOUND_MAIL_RETENTION_DAYS, StateStack } from '#infra/state-stack';

const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'));

describe('StateStack', () => {
  let outdir: string;
  let template: Template;
  let stack: StateStack;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'baton-state-'));
    // The same feature flags as `cdk synth`, read from cdk.json.
    // CloudFormation's own template validation runs in the whole-app synth (config.test.ts).
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: cdkJson.context });
    stack = new StateStack(app, 'BatonState', { domain: 'baton.example.com' });
    template = Template.fromStack(stack);
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  const bucketIds = () => Object.keys(template.findResources('AWS::S3::Bucket'));
  const bucketId = (bucket: typeof stack.inboundMailBucket) => stack.getLogicalId(bucket.node.defaultChild as CfnElement);

  describe('table', () => {
    it('has the keys, index and TTL attribute of the shared table definition, billed on demand', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', 1);
      template.hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: [
          { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
          { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: tableDefinition.gsi1.indexName,
            KeySchema: [
              { AttributeName: tableDefinition.gsi1.partitionKey, KeyType: 'HASH' },
              { AttributeName: tableDefinition.gsi1.sortKey, KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: tableDefinition.timeToLiveAttribute, Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
      });
    });

    it('has point-in-time recovery and survives deletion of its stack', () => {
      template.hasResource('AWS::DynamoDB::Table', {
        Properties: Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });
  });

  describe('buckets', () => {
    it('are two, encrypted, private, owner-enforced and retained', () => {
      expect(bucketIds()).toHaveLength(2);
      for (const id of bucketIds()) {
        const bucket = template.toJSON().Resources[id];
        expect(bucket.DeletionPolicy).toBe('Retain');
        expect(bucket.UpdateReplacePolicy).toBe('Retain');
        expect(bucket.Properties.BucketEncryption).toEqual({
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        });
        expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        });
        expect(bucket.Properties.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] });
      }
    });

    it('refuse every request that does not use TLS', () => {
      for (const id of bucketIds()) {
        template.hasResourceProperties('AWS::S3::BucketPolicy', {
          Bucket: { Ref: id },
          PolicyDocument: {
            Statement: Match.arrayWith([
              Match.objectLike({
                Effect: 'Deny',
                Action: 's3:*',
                Principal: { AWS: '*' },
                Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              }),
            ]),
          },
        });
      }
    });

    it('expire raw inbound mail but keep attachments', () => {
      const buckets = template.toJSON().Resources;
      const inbound = buckets[bucketId(stack.inboundMailBucket)].Properties.LifecycleConfiguration.Rules;
      const attachments = buckets[bucketId(stack.attachmentBucket)].Properties.LifecycleConfiguration.Rules;
      expect(inbound).toContainEqual(
        expect.objectContaining({ Prefix: INBOUND_MAIL_PREFIX, ExpirationInDays: INBOUND_MAIL_RETENTION_DAYS, Status: 'Enabled' }),
      );
      expect(INBOUND_MAIL_RETENTION_DAYS).toBe(90);
      expect(attachments.filter((rule: Record<string, unknown>) => 'ExpirationInDays' in rule)).toEqual([]);
      for (const rules of [inbound, attachments]) {
        expect(rules).toContainEqual(
          expect.objectContaining({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }),
        );
      }
    });

    it('let SES receipt rules of this account, and only them, write inbound mail', () => {
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: bucketId(stack.inboundMailBucket) },
        PolicyDocument: {
          Statement: Match.arrayWith([
            {
              Sid: 'AllowSesReceiptRulesOfThisAccount',
              Effect: 'Allow',
              Principal: { Service: 'ses.amazonaws.com' },
              Action: 's3:PutObject',
              Resource: {
                'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(stack.inboundMailBucket), 'Arn'] }, `/${INBOUND_MAIL_PREFIX}*`]],
              },
              Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
            },
          ]),
        },
      });
      const attachmentPolicy = Object.values(template.findResources('AWS::S3::BucketPolicy')).find(
        (p) => p.Properties.Bucket.Ref === bucketId(stack.attachmentBucket),
      );
      expect(JSON.stringify(attachmentPolicy ?? {})).not.toContain('ses.amazonaws.com');
    });
  });

  describe('reply-token secret', () => {
    it('is generated by Secrets Manager, never written into the template, and retained', () => {
      template.hasResource('AWS::SecretsManager::Secret', {
        Properties: Match.objectLike({
          GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
          SecretString: Match.absent(),
        }),
        DeletionPolicy: 'Retain',
      });
    });
  });

  describe('object access for the inbound function', () => {
    it('is one action on one prefix each: read raw mail under inbound/, write attachments', () => {
      const policies = template.findResources('AWS::IAM::ManagedPolicy');
      const statementsOf = (policy: { node: { defaultChild?: unknown } }) =>
        policies[stack.getLogicalId(policy.node.defaultChild as CfnElement)]!.Properties.PolicyDocument.Statement;
      expect(statementsOf(stack.inboundMailReader)).toEqual([
        {
          Effect: 'Allow',
          Action: 's3:GetObject',
          Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(stack.inboundMailBucket), 'Arn'] }, `/${INBOUND_MAIL_PREFIX}*`]] },
        },
      ]);
      expect(statementsOf(stack.attachmentWriter)).toEqual([
        { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId(stack.attachmentBucket), 'Arn'] }, '/*']] } },
      ]);
    });
  });

  describe('SES identity and configuration set', () => {
    // They live here because mail already sent depends on them: a replaced identity has new DKIM
    // tokens (the DNS records stop verifying), and the service stack must be free to redeploy.
    it('verify the domain with Easy DKIM and a MAIL FROM under it, and survive deletion of the stack', () => {
      template.hasResource('AWS::SES::EmailIdentity', {
        Properties: {
          EmailIdentity: 'baton.example.com',
          MailFromAttributes: { MailFromDomain: 'mail.baton.example.com', BehaviorOnMxFailure: 'USE_DEFAULT_VALUE' },
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
      // Easy DKIM is SES's default: no BYODKIM key material in the template.
      expect(JSON.stringify(template.findResources('AWS::SES::EmailIdentity'))).not.toContain('DomainSigningPrivateKey');
      template.hasResource('AWS::SES::ConfigurationSet', {
        Properties: {
          SuppressionOptions: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
          ReputationOptions: { ReputationMetricsEnabled: true },
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    });

    // Send is the AWS half of crash safety: mail-events records a delivery as sent from it
    // (test/integration/handlers/mail-events.test.ts), so a sender that died after SES accepted its
    // message is not followed by a second send.
    it('send sends, bounces and complaints to the default event bus, where the service stack picks them up', () => {
      template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
        ConfigurationSetName: { Ref: stack.getLogicalId(stack.configurationSet.node.defaultChild as CfnElement) },
        EventDestination: {
          Enabled: true,
          MatchingEventTypes: ['send', 'bounce', 'complaint'],
          EventBridgeDestination: { EventBusArn: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([':event-bus/default'])]) }) },
        },
      });
    });

    it('keep their logical ids, so no deploy replaces them', () => {
      expect(Object.keys(template.findResources('AWS::SES::EmailIdentity'))).toEqual(['Identity2D60E2CC']);
      expect(Object.keys(template.findResources('AWS::SES::ConfigurationSet'))).toEqual(['ConfigurationSet3DD38186']);
    });
  });

  it('outputs the names the CLI reads, and the secret only by its ARN', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs).sort()).toEqual(Object.values(STATE_OUTPUTS).sort());
    expect(outputs[STATE_OUTPUTS.tableName]!.Value).toEqual({ Ref: stack.getLogicalId(stack.table.node.defaultChild as CfnElement) });
    expect(outputs[STATE_OUTPUTS.replyTokenSecretArn]!.Value).toEqual({ Ref: stack.getLogicalId(stack.replyTokenSecret.node.defaultChild as CfnElement) });
  });
});
