// What `baton doctor --target aws` asks AWS before and after a deploy: who the credentials are
// (STS), the SES account and identity (SES v2), the active receipt rule set (SES v1: receiving has
// no v2 API), the alarm topic's subscriptions (SNS), and the inbound domain's MX record (DNS).
import { resolveMx } from 'node:dns/promises';
import { DescribeActiveReceiptRuleSetCommand, SESClient } from '@aws-sdk/client-ses';
import { GetAccountCommand, GetEmailIdentityCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { ListSubscriptionsByTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';

export interface PreflightClients {
  sts: STSClient;
  sesv2: SESv2Client;
  ses: SESClient;
  sns: SNSClient;
}

export function createPreflightClients(region: string): PreflightClients {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  return { sts: new STSClient({ region }), sesv2: new SESv2Client({ region }), ses: new SESClient({ region }), sns: new SNSClient({ region }) };
}

export interface SesAccount {
  productionAccess: boolean;
  sendingEnabled: boolean;
  maxSendRate?: number;
  max24HourSend?: number;
}

export interface IdentityStatus {
  verifiedForSending: boolean;
  /** PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE or NOT_STARTED. */
  dkimStatus: string;
}

export class AwsPreflight {
  constructor(
    private readonly clients: PreflightClients,
    private readonly mx: (domain: string) => Promise<Array<{ exchange: string; priority: number }>> = resolveMx,
  ) {}

  async callerIdentity(): Promise<{ account: string; arn: string }> {
    const r = await this.clients.sts.send(new GetCallerIdentityCommand({}));
    return { account: r.Account ?? '', arn: r.Arn ?? '' };
  }

  async sesAccount(): Promise<SesAccount> {
    const r = await this.clients.sesv2.send(new GetAccountCommand({}));
    return {
      productionAccess: r.ProductionAccessEnabled === true,
      sendingEnabled: r.SendingEnabled !== false,
      ...(r.SendQuota?.MaxSendRate !== undefined ? { maxSendRate: r.SendQuota.MaxSendRate } : {}),
      ...(r.SendQuota?.Max24HourSend !== undefined ? { max24HourSend: r.SendQuota.Max24HourSend } : {}),
    };
  }

  /** Undefined when SES has no such identity in this region (NotFoundException). */
  async emailIdentity(identity: string): Promise<IdentityStatus | undefined> {
    try {
      const r = await this.clients.sesv2.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
      return { verifiedForSending: r.VerifiedForSendingStatus === true, dkimStatus: r.DkimAttributes?.Status ?? 'NOT_STARTED' };
    } catch (error) {
      if (error instanceof Error && error.name === 'NotFoundException') return undefined;
      throw error;
    }
  }

  /** The name of the active receipt rule set, or undefined when none is active. */
  async activeReceiptRuleSet(): Promise<string | undefined> {
    const r = await this.clients.ses.send(new DescribeActiveReceiptRuleSetCommand({}));
    return r.Metadata?.Name;
  }

  /** Every subscription of the topic; an unconfirmed email subscription's ARN is "PendingConfirmation". */
  async subscriptions(topicArn: string): Promise<Array<{ protocol: string; endpoint: string; confirmed: boolean }>> {
    const out: Array<{ protocol: string; endpoint: string; confirmed: boolean }> = [];
    let NextToken: string | undefined;
    do {
      const r = await this.clients.sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(NextToken ? { NextToken } : {}) }));
      for (const s of r.Subscriptions ?? []) {
        out.push({ protocol: s.Protocol ?? '', endpoint: s.Endpoint ?? '', confirmed: !!s.SubscriptionArn && s.SubscriptionArn.startsWith('arn:') });
      }
      NextToken = r.NextToken;
    } while (NextToken);
    return out;
  }

  async mxHosts(domain: string): Promise<string[]> {
    const records = await this.mx(domain);
    return records.sort((a, b) => a.priority - b.priority).map((r) => r.exchange.toLowerCase().replace(/\.$/, ''));
  }

  destroy(): void {
    for (const c of Object.values(this.clients)) (c as { destroy(): void }).destroy();
  }
}

/** The region the standard chain resolves (AWS_REGION, the profile's region), or undefined. */
export async function resolveRegion(): Promise<string | undefined> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const client = new STSClient({});
  try {
    return (await client.config.region()) || undefined;
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}
