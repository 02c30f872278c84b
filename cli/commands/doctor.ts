// `baton doctor --target aws`: the deploy preflight. Each check prints one line, pass or fail, and
// for each gap exactly what to do. Exit code 0 only when every required check passes; the optional
// ones (MX record, alarm subscription) and the sandbox note only warn.
//
// Primary course:
//   1. credentials (STS GetCallerIdentity); without them nothing else can be asked;
//   2. the region receives email (SES receiving exists only in some regions);
//   3. both stacks deployed (CloudFormation outputs);
//   4. the domain identity verified, DKIM SUCCESS (SES v2 GetEmailIdentity);
//   5. sandbox or production, and the send rate (SES v2 GetAccount);
//   6. Baton's receipt rule set is the active one (SES v1 DescribeActiveReceiptRuleSet);
//   7. the inbound domain's MX points at inbound-smtp.<region>.amazonaws.com (DNS; --skip-dns);
//   8. the alarm topic's email subscription confirmed (SNS ListSubscriptionsByTopic).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AwsPreflight, createPreflightClients, resolveRegion } from '#adapters/aws/preflight';
import { readAwsOutputs, type AwsOutputs } from '../aws-target.ts';
import { localConfig } from '#adapters/local/config';
import { UserError } from '#core/user-error';
import { connect } from 'node:net';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['doctor'];

/**
 * Regions where SES receives email: the "Email receiving endpoints" table of the AWS General
 * Reference, https://docs.aws.amazon.com/general/latest/gr/ses.html (linked from the SES guide's
 * https://docs.aws.amazon.com/ses/latest/dg/regions.html, "Email Receiving endpoints"). Checked
 * against the table as last published where it could be read (a verbatim copy of January 2024):
 * us-west-1 was on the old list from memory and is not in that table; ap-southeast-3 is and was
 * missing. AWS adds receiving regions over time (received mail headers show inbound-smtp hosts
 * outside this table since), so a region missing here is a warning that points at the page, not
 * a failure: `cdk deploy` itself fails in a region without receipt rules.
 */
export const SES_RECEIVING_REGIONS: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ap-southeast-3',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-northeast-1',
  'ca-central-1',
  'eu-central-1',
  'eu-west-1',
  'eu-west-2',
];

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface Check {
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do about it; empty when nothing is to be done. */
  fix?: string;
  /** Optional checks warn instead of failing the preflight. */
  required: boolean;
}

export type Preflight = Pick<AwsPreflight, 'callerIdentity' | 'sesAccount' | 'emailIdentity' | 'activeReceiptRuleSet' | 'subscriptions' | 'mxHosts'>;

export interface DoctorInput {
  region: string;
  preflight: Preflight;
  readOutputs(): Promise<AwsOutputs>;
  /** The sending domain, when the stacks cannot say it (not deployed yet). */
  domain?: string;
  inboundDomain?: string;
  checkDns: boolean;
}

const message = (e: unknown) => (e instanceof Error ? e.message.replace(/\.$/, '') : String(e));

const CREDENTIALS_FIX =
  'Sign in as the AWS CLI does: set AWS_PROFILE (and run `aws sso login` for SSO), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; `aws sts get-caller-identity` must answer.';

export async function runChecks(input: DoctorInput): Promise<Check[]> {
  const { region, preflight } = input;
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  const skipRest = (names: string[], why: string) => {
    for (const name of names) add({ name, status: 'skip', detail: why, required: false });
  };

  // 1. credentials
  try {
    const who = await preflight.callerIdentity();
    add({ name: 'AWS credentials', status: 'pass', detail: `signed in to account ${who.account} as ${who.arn}`, required: true });
  } catch (error) {
    add({ name: 'AWS credentials', status: 'fail', detail: `AWS did not accept the credentials (${message(error)})`, fix: CREDENTIALS_FIX, required: true });
    skipRest(['SES receives email in the region', 'Stacks deployed', 'Sending domain verified', 'SES sending limits', 'Receipt rule set active', 'Inbound MX record', 'Alarm subscription'], 'needs working credentials');
    return checks;
  }

  // 2. region
  add(
    SES_RECEIVING_REGIONS.includes(region)
      ? { name: 'SES receives email in the region', status: 'pass', detail: `${region} has an SES email receiving endpoint`, required: true }
      : {
          name: 'SES receives email in the region',
          status: 'warn',
          detail: `${region} is not in the SES email receiving endpoints table Baton knows; if SES does not receive email there, replies can never arrive`,
          fix: `Check "Email receiving endpoints" on https://docs.aws.amazon.com/general/latest/gr/ses.html. If ${region} is not listed, deploy to a region that is, e.g. export AWS_REGION=us-east-1 (or eu-west-1)`,
          required: false,
        },
  );

  // 3. stacks
  let outputs: AwsOutputs | undefined;
  try {
    outputs = await input.readOutputs();
    add({ name: 'Stacks deployed', status: 'pass', detail: `BatonState and BatonService are deployed in ${region}`, required: true });
  } catch (error) {
    add({
      name: 'Stacks deployed',
      status: 'fail',
      detail: message(error),
      fix: 'Deploy: npx cdk deploy --all -c domain=… (README, "Deploying to AWS"), then run baton doctor again.',
      required: true,
    });
  }
  const domain = outputs ? outputs.mailFromDomain.replace(/^mail\./, '') : input.domain;

  // 4. identity
  if (!domain) {
    add({ name: 'Sending domain verified', status: 'skip', detail: 'no domain known yet', fix: 'Pass --domain baton.example.com, or deploy first.', required: false });
  } else {
    try {
      const identity = await preflight.emailIdentity(domain);
      if (!identity) {
        add({ name: 'Sending domain verified', status: 'fail', detail: `SES in ${region} has no identity ${domain}`, fix: 'Deploy the stacks: BatonService creates the identity.', required: true });
      } else if (identity.verifiedForSending && identity.dkimStatus === 'SUCCESS') {
        add({ name: 'Sending domain verified', status: 'pass', detail: `${domain} is verified and DKIM signs its mail`, required: true });
      } else {
        add({
          name: 'Sending domain verified',
          status: 'fail',
          detail: `${domain}: ${identity.verifiedForSending ? 'verified' : 'not verified'} for sending, DKIM ${identity.dkimStatus}`,
          fix:
            identity.dkimStatus === 'FAILED'
              ? 'SES could not find the DKIM records for a long time and stopped looking: check the three CNAME records in the BatonService DkimRecords output at your DNS host, then redeploy the stacks to start verification again.'
              : 'Add the three CNAME records in the BatonService DkimRecords output at your DNS host; SES verifies within minutes to hours of them resolving.',
          required: true,
        });
      }
    } catch (error) {
      add({ name: 'Sending domain verified', status: 'fail', detail: `could not ask SES: ${message(error)}`, fix: 'Check that your credentials may call ses:GetEmailIdentity.', required: true });
    }
  }

  // 5. sandbox and send rate
  try {
    const account = await preflight.sesAccount();
    const rate = account.maxSendRate !== undefined ? `${account.maxSendRate} emails a second` : 'an unknown rate';
    if (!account.sendingEnabled) {
      add({ name: 'SES sending limits', status: 'fail', detail: `sending is paused for this account in ${region}`, fix: 'Open the SES console, Account dashboard, to see why and resume sending.', required: true });
    } else if (!account.productionAccess) {
      add({
        name: 'SES sending limits',
        status: 'warn',
        detail: `the account is in the SES sandbox in ${region}: only verified addresses receive mail, ${account.max24HourSend ?? 200} a day, ${rate}`,
        fix: 'Fine for a smoke test to your own verified address. For participants, request production access: SES console, Account dashboard, "Request production access" (for this region). Deploy with -c maxSendRate set to the rate SES grants.',
        required: false,
      });
    } else {
      add({ name: 'SES sending limits', status: 'pass', detail: `production access; up to ${rate}${account.max24HourSend !== undefined ? `, ${account.max24HourSend} a day` : ''} (deploy with -c maxSendRate=${account.maxSendRate ?? '…'})`, required: true });
    }
  } catch (error) {
    add({ name: 'SES sending limits', status: 'fail', detail: `could not ask SES: ${message(error)}`, fix: 'Check that your credentials may call ses:GetAccount.', required: true });
  }

  // 6. receipt rule set
  if (!outputs) {
    add({ name: 'Receipt rule set active', status: 'skip', detail: 'the stacks are not deployed yet', required: false });
  } else {
    try {
      const active = await preflight.activeReceiptRuleSet();
      const ours = outputs.receiptRuleSetName;
      add(
        active === ours
          ? { name: 'Receipt rule set active', status: 'pass', detail: `${ours} is the active receipt rule set`, required: true }
          : {
              name: 'Receipt rule set active',
              status: 'fail',
              detail: active ? `the active receipt rule set is ${active}, not Baton's ${ours}: replies are not routed to Baton` : `no receipt rule set is active in ${region}: SES rejects every reply`,
              fix: active
                ? `Either add a rule like Baton's to ${active}, or make Baton's the active one: aws ses set-active-receipt-rule-set --rule-set-name ${ours}`
                : `aws ses set-active-receipt-rule-set --rule-set-name ${ours}`,
              required: true,
            },
      );
    } catch (error) {
      add({ name: 'Receipt rule set active', status: 'fail', detail: `could not ask SES: ${message(error)}`, fix: 'Check that your credentials may call ses:DescribeActiveReceiptRuleSet.', required: true });
    }
  }

  // 7. MX (optional: DNS may be managed elsewhere and checked by other means)
  const inbound = input.inboundDomain;
  const expected = `inbound-smtp.${region}.amazonaws.com`;
  if (!input.checkDns) {
    add({ name: 'Inbound MX record', status: 'skip', detail: 'skipped (--skip-dns)', required: false });
  } else if (!inbound) {
    add({ name: 'Inbound MX record', status: 'skip', detail: 'no inbound domain known', fix: 'Pass --inbound-domain reply.baton.example.com to check it.', required: false });
  } else {
    const fix = `At your DNS host add: ${inbound} MX 10 ${expected}`;
    try {
      const hosts = await preflight.mxHosts(inbound);
      add(
        hosts.includes(expected)
          ? { name: 'Inbound MX record', status: 'pass', detail: `${inbound} receives mail at ${expected}`, required: false }
          : { name: 'Inbound MX record', status: 'warn', detail: `${inbound}'s MX is ${hosts.join(', ') || 'empty'}, not ${expected}: replies will not reach SES`, fix, required: false },
      );
    } catch (error) {
      add({ name: 'Inbound MX record', status: 'warn', detail: `${inbound} has no MX record (${message(error)})`, fix, required: false });
    }
  }

  // 8. alarm subscription (optional: alarms still fire; nobody hears them)
  if (!outputs) {
    add({ name: 'Alarm subscription', status: 'skip', detail: 'the stacks are not deployed yet', required: false });
  } else {
    try {
      const subs = await preflight.subscriptions(outputs.alarmTopicArn);
      const confirmed = subs.filter((s) => s.confirmed);
      add(
        confirmed.length
          ? { name: 'Alarm subscription', status: 'pass', detail: `alarms reach ${confirmed.map((s) => s.endpoint).join(', ')}`, required: false }
          : {
              name: 'Alarm subscription',
              status: 'warn',
              detail: subs.length ? `${subs.map((s) => s.endpoint).join(', ')} has not confirmed the subscription: nobody hears the alarms` : 'the alarm topic has no subscription: nobody hears the alarms',
              fix: subs.length
                ? 'Open the email from AWS Notifications ("Subscription Confirmation") and click "Confirm subscription"; redeploy to get a new one if it expired.'
                : 'Deploy with -c operatorEmail=you@example.com, then confirm the email from AWS Notifications.',
              required: false,
            },
      );
    } catch (error) {
      add({ name: 'Alarm subscription', status: 'warn', detail: `could not ask SNS: ${message(error)}`, required: false });
    }
  }
  return checks;
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

export function formatChecks(checks: readonly Check[]): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${MARK[c.status]}  ${c.name}: ${c.detail}`);
    if (c.fix && c.status !== 'pass') lines.push(`      → ${c.fix}`);
  }
  const failed = checks.filter((c) => c.status === 'fail' && c.required);
  lines.push('', failed.length ? `${failed.length} required check${failed.length === 1 ? '' : 's'} failed: fix ${failed.length === 1 ? 'it' : 'them'} and run baton doctor again.` : 'Ready: every required check passed.');
  return lines.join('\n');
}

export const passed = (checks: readonly Check[]) => !checks.some((c) => c.status === 'fail' && c.required);

/** The domain and inbound subdomain from cdk.json's context, for a check before the first deploy. */
function cdkContext(): { domain?: string; inboundSubdomain?: string } {
  const file = join(process.cwd(), 'cdk.json');
  if (!existsSync(file)) return {};
  try {
    const context = (JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> }).context ?? {};
    return {
      ...(typeof context.domain === 'string' ? { domain: context.domain } : {}),
      ...(typeof context.inboundSubdomain === 'string' ? { inboundSubdomain: context.inboundSubdomain } : {}),
    };
  } catch {
    return {};
  }
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function localDoctor(): Promise<number> {
  const config = localConfig();
  const lines = ['baton doctor checks a deployment: run it with --target aws. The local stack:'];
  lines.push(`  Data folder  ${config.dataDir} ${existsSync(config.dataDir) ? '(exists)' : '(not created yet: `npm start` creates it)'}`);
  for (const [name, port] of Object.entries(config.ports)) {
    lines.push(`  ${name.padEnd(12)} port ${port} ${(await portOpen(port)) ? 'in use (baton dev is running, or another program)' : 'free'}`);
  }
  console.log(lines.join('\n'));
  return 0;
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { target: { type: 'string' }, domain: { type: 'string' }, 'inbound-domain': { type: 'string' }, 'skip-dns': { type: 'boolean', default: false } },
  });
  const target = values.target ?? 'local';
  if (target === 'local') return localDoctor();
  if (target !== 'aws') throw new UserError(`unknown target "${target}": use --target aws (the deployment) or --target local.`);

  const region = await resolveRegion();
  if (!region) throw new UserError('no AWS region is set: set AWS_REGION (or a region in your AWS profile) to the region you deploy Baton to.');
  const context = cdkContext();
  const domain = values.domain ?? context.domain;
  const inboundDomain = values['inbound-domain'] ?? (domain ? `${context.inboundSubdomain ?? 'reply'}.${domain}` : undefined);
  const preflight = new AwsPreflight(createPreflightClients(region));
  try {
    const checks = await runChecks({
      region,
      preflight,
      readOutputs: () => readAwsOutputs({ region }),
      ...(domain ? { domain } : {}),
      ...(inboundDomain ? { inboundDomain } : {}),
      checkDns: !values['skip-dns'],
    });
    console.log(formatChecks(checks));
    return passed(checks) ? 0 : 1;
  } finally {
    preflight.destroy();
  }
}
