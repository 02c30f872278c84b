// `baton doctor --target aws` through the real STS, SES v2, SES and SNS clients with their transport
// replaced by aws-sdk-client-mock (no AWS calls, no credentials). Responses are shaped as the API
// references document them (GetCallerIdentity, GetAccount, GetEmailIdentity,
// DescribeActiveReceiptRuleSet, ListSubscriptionsByTopic); the MX look-up is a plain function.
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeActiveReceiptRuleSetCommand, SESClient } from '@aws-sdk/client-ses';
import { GetAccountCommand, GetEmailIdentityCommand, NotFoundException, SESv2Client } from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { AwsPreflight } from '#adapters/aws/preflight';
import type { AwsOutputs } from '#cli/aws-target';
import { formatChecks, passed, runChecks, SES_RECEIVING_REGIONS, type DoctorInput } from '#cli/commands/doctor';

const sts = mockClient(STSClient);
const sesv2 = mockClient(SESv2Client);
const ses = mockClient(SESClient);
const sns = mockClient(SNSClient);
afterAll(() => [sts, sesv2, ses, sns].forEach((m) => m.restore()));

const REGION = 'eu-west-1';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:BatonService-Alarms';
const outputs = { mailFromDomain: 'mail.baton.example.com', receiptRuleSetName: 'BatonService-ReceiptRules1234', alarmTopicArn: TOPIC } as AwsOutputs;

let mx: Array<{ exchange: string; priority: number }>;
beforeEach(() => {
  [sts, sesv2, ses, sns].forEach((m) => m.reset());
  sts.on(GetCallerIdentityCommand).resolves({ UserId: 'AIDAEXAMPLE', Account: '123456789012', Arn: 'arn:aws:iam::123456789012:user/ops' });
  sesv2.on(GetAccountCommand).resolves({
    ProductionAccessEnabled: true,
    SendingEnabled: true,
    EnforcementStatus: 'HEALTHY',
    SendQuota: { Max24HourSend: 50000, MaxSendRate: 14, SentLast24Hours: 0 },
  });
  sesv2.on(GetEmailIdentityCommand).resolves({
    IdentityType: 'DOMAIN',
    VerifiedForSendingStatus: true,
    VerificationStatus: 'SUCCESS',
    DkimAttributes: { SigningEnabled: true, Status: 'SUCCESS', Tokens: ['a', 'b', 'c'], SigningAttributesOrigin: 'AWS_SES' },
  });
  ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: outputs.receiptRuleSetName, CreatedTimestamp: new Date() }, Rules: [] });
  sns.on(ListSubscriptionsByTopicCommand).resolves({
    Subscriptions: [{ SubscriptionArn: `${TOPIC}:0b5f5c1e-1111-2222-3333-444455556666`, Owner: '123456789012', Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: TOPIC }],
  });
  mx = [{ exchange: 'inbound-smtp.eu-west-1.amazonaws.com', priority: 10 }];
});

const preflight = () =>
  new AwsPreflight(
    { sts: new STSClient({ region: REGION }), sesv2: new SESv2Client({ region: REGION }), ses: new SESClient({ region: REGION }), sns: new SNSClient({ region: REGION }) },
    async () => mx,
  );
const input = (over: Partial<DoctorInput> = {}): DoctorInput => ({
  region: REGION,
  preflight: preflight(),
  readOutputs: async () => outputs,
  inboundDomain: 'reply.baton.example.com',
  checkDns: true,
  ...over,
});

describe('baton doctor --target aws', () => {
  it('passes every check of a ready deployment, asking exactly what it needs', async () => {
    const checks = await runChecks(input());

    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ['AWS credentials', 'pass'],
      ['SES receives email in the region', 'pass'],
      ['Stacks deployed', 'pass'],
      ['Sending domain verified', 'pass'],
      ['SES sending limits', 'pass'],
      ['Receipt rule set active', 'pass'],
      ['Inbound MX record', 'pass'],
      ['Alarm subscription', 'pass'],
    ]);
    expect(passed(checks)).toBe(true);
    expect(formatChecks(checks)).toContain('Ready: every required check passed.');
    expect(sts.commandCalls(GetCallerIdentityCommand).map((c) => c.args[0].input)).toEqual([{}]);
    expect(sesv2.commandCalls(GetEmailIdentityCommand).map((c) => c.args[0].input)).toEqual([{ EmailIdentity: 'baton.example.com' }]);
    expect(sesv2.commandCalls(GetAccountCommand)).toHaveLength(1);
    expect(ses.commandCalls(DescribeActiveReceiptRuleSetCommand).map((c) => c.args[0].input)).toEqual([{}]);
    expect(sns.commandCalls(ListSubscriptionsByTopicCommand).map((c) => c.args[0].input)).toEqual([{ TopicArn: TOPIC }]);
  });

  it('stops at bad credentials and says how to sign in', async () => {
    sts.on(GetCallerIdentityCommand).rejects(Object.assign(new Error('The security token included in the request is invalid.'), { name: 'InvalidClientTokenId' }));

    const checks = await runChecks(input());
    const text = formatChecks(checks);

    expect(passed(checks)).toBe(false);
    expect(text).toContain('FAIL  AWS credentials: AWS did not accept the credentials (The security token included in the request is invalid)');
    expect(text).toContain('→ Sign in as the AWS CLI does: set AWS_PROFILE');
    expect(sesv2.commandCalls(GetAccountCommand)).toHaveLength(0);
  });

  // The table grows (cli/commands/doctor.ts SES_RECEIVING_REGIONS): a region Baton does not know is
  // a warning with the page to check, never a verdict that blocks a region AWS has since added.
  it('warns about a region not in the documented SES receiving table, naming the page and one that is', async () => {
    const checks = await runChecks(input({ region: 'eu-south-1' }));
    const text = formatChecks(checks);
    expect(checks.find((c) => c.name === 'SES receives email in the region')).toMatchObject({ status: 'warn', required: false });
    expect(text).toContain('WARN  SES receives email in the region: eu-south-1 is not in the SES email receiving endpoints table');
    expect(text).toContain('https://docs.aws.amazon.com/general/latest/gr/ses.html');
    expect(text).toContain('export AWS_REGION=us-east-1');
  });

  it('knows the regions of the documented table', () => {
    expect(SES_RECEIVING_REGIONS).toEqual(expect.arrayContaining(['us-east-1', 'us-east-2', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-3']));
  });

  it('fails when the stacks are not deployed, and says to deploy', async () => {
    const checks = await runChecks(input({ readOutputs: async () => Promise.reject(new Error('Baton is not deployed in eu-west-1: there is no BatonState stack.')), domain: 'baton.example.com' }));
    const text = formatChecks(checks);
    expect(text).toContain('FAIL  Stacks deployed: Baton is not deployed in eu-west-1: there is no BatonState stack');
    expect(text).toContain('→ Deploy: npx cdk deploy --all');
    expect(text).toContain('SKIP  Receipt rule set active');
  });

  it('fails an unverified domain with DKIM pending, pointing at the DkimRecords output', async () => {
    sesv2.on(GetEmailIdentityCommand).resolves({ IdentityType: 'DOMAIN', VerifiedForSendingStatus: false, DkimAttributes: { Status: 'PENDING', SigningEnabled: true } });
    const text = formatChecks(await runChecks(input()));
    expect(text).toContain('FAIL  Sending domain verified: baton.example.com: not verified for sending, DKIM PENDING');
    expect(text).toContain('Add the three CNAME records in the BatonService DkimRecords output');
  });

  it('fails a missing identity', async () => {
    sesv2.on(GetEmailIdentityCommand).rejects(new NotFoundException({ message: 'Email identity baton.example.com does not exist.', $metadata: {} }));
    const text = formatChecks(await runChecks(input()));
    expect(text).toContain('FAIL  Sending domain verified: SES in eu-west-1 has no identity baton.example.com');
  });

  it('warns about the sandbox without failing, and says how to get production access', async () => {
    sesv2.on(GetAccountCommand).resolves({ ProductionAccessEnabled: false, SendingEnabled: true, SendQuota: { Max24HourSend: 200, MaxSendRate: 1, SentLast24Hours: 0 } });
    const checks = await runChecks(input());
    const text = formatChecks(checks);
    expect(passed(checks)).toBe(true);
    expect(text).toContain('WARN  SES sending limits: the account is in the SES sandbox in eu-west-1: only verified addresses receive mail, 200 a day, 1 emails a second');
    expect(text).toContain('"Request production access"');
  });

  it('fails when another receipt rule set is active, or none', async () => {
    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({ Metadata: { Name: 'legacy-rules' } });
    let text = formatChecks(await runChecks(input()));
    expect(text).toContain("FAIL  Receipt rule set active: the active receipt rule set is legacy-rules, not Baton's BatonService-ReceiptRules1234");
    expect(text).toContain('aws ses set-active-receipt-rule-set --rule-set-name BatonService-ReceiptRules1234');

    ses.on(DescribeActiveReceiptRuleSetCommand).resolves({});
    text = formatChecks(await runChecks(input()));
    expect(text).toContain('FAIL  Receipt rule set active: no receipt rule set is active in eu-west-1');
  });

  it('warns (without failing) about a wrong MX record and an unconfirmed alarm subscription', async () => {
    mx = [{ exchange: 'mx.other-provider.example.', priority: 10 }];
    sns.on(ListSubscriptionsByTopicCommand).resolves({ Subscriptions: [{ SubscriptionArn: 'PendingConfirmation', Protocol: 'email', Endpoint: 'ops@example.com', TopicArn: TOPIC }] });

    const checks = await runChecks(input());
    const text = formatChecks(checks);

    expect(passed(checks)).toBe(true);
    expect(text).toContain("WARN  Inbound MX record: reply.baton.example.com's MX is mx.other-provider.example, not inbound-smtp.eu-west-1.amazonaws.com");
    expect(text).toContain('→ At your DNS host add: reply.baton.example.com MX 10 inbound-smtp.eu-west-1.amazonaws.com');
    expect(text).toContain('WARN  Alarm subscription: ops@example.com has not confirmed the subscription');
    expect(text).toContain('click "Confirm subscription"');
  });

  it('skips the MX look-up with --skip-dns', async () => {
    let asked = false;
    const p = new AwsPreflight(
      { sts: new STSClient({ region: REGION }), sesv2: new SESv2Client({ region: REGION }), ses: new SESClient({ region: REGION }), sns: new SNSClient({ region: REGION }) },
      async () => {
        asked = true;
        return [];
      },
    );
    const text = formatChecks(await runChecks(input({ preflight: p, checkDns: false })));
    expect(asked).toBe(false);
    expect(text).toContain('SKIP  Inbound MX record: skipped (--skip-dns)');
  });
});
