// DescribeStacks against a local HTTP server answering as CloudFormation does (XML, and its
// ValidationError for a stack that does not exist), read through the CLI's aws target.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDescribeStacks } from '#adapters/stack-outputs';
import { readAwsOutputs } from '#cli/aws-target';
import { UserError } from '#cli/user-error';
import { SERVICE_OUTPUTS, STATE_OUTPUTS } from '#infra/outputs';

const credentials = { accessKeyId: 'AKID', secretAccessKey: 'secret' };

function describeXml(status: string, outputs: Record<string, string>): string {
  const members = Object.entries(outputs)
    .map(([k, v]) => `<member><Description>d</Description><OutputKey>${k}</OutputKey><OutputValue>${v}</OutputValue></member>`)
    .join('');
  return `<DescribeStacksResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><DescribeStacksResult><Stacks><member>
    <Tags><member><Key>k</Key><Value>v</Value></member></Tags><StackStatus>${status}</StackStatus>
    <Outputs>${members}</Outputs><StackName>x</StackName></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`;
}

let server: Server;
let endpoint: string;
let stacks: Record<string, { status: string; outputs: Record<string, string> }>;
const requests: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      requests.push(`${req.headers.authorization?.split(' ')[0]} ${body}`);
      const name = new URLSearchParams(body).get('StackName')!;
      const stack = stacks[name];
      if (!stack) {
        res.writeHead(400).end(`<ErrorResponse><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${name} does not exist</Message></Error></ErrorResponse>`);
        return;
      }
      res.writeHead(200).end(describeXml(stack.status, stack.outputs));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const deployed = () => ({
  BatonState: {
    status: 'UPDATE_COMPLETE',
    outputs: Object.fromEntries(Object.values(STATE_OUTPUTS).map((k) => [k, `state-${k}`])),
  },
  BatonService: {
    status: 'CREATE_COMPLETE',
    outputs: { ...Object.fromEntries(Object.values(SERVICE_OUTPUTS).map((k) => [k, `service-${k}`])), [SERVICE_OUTPUTS.linksUrl]: 'https://x.lambda-url.eu-west-1.on.aws/?a=1&amp;b=2' },
  },
});

describe('the aws target’s outputs', () => {
  it('reads the table, buckets and schedule targets from both stacks, with signed requests', async () => {
    stacks = deployed();
    const outputs = await readAwsOutputs({ region: 'eu-west-1', credentials, endpoint });
    expect(outputs).toMatchObject({
      region: 'eu-west-1',
      tableName: 'state-TableName',
      inboundMailBucket: 'state-InboundMailBucketName',
      attachmentBucket: 'state-AttachmentBucketName',
      linksUrl: 'https://x.lambda-url.eu-west-1.on.aws/?a=1&b=2',
      schedules: { targetArn: 'service-DispatchFunctionArn', roleArn: 'service-SchedulerRoleArn', dlqArn: 'service-SchedulerDeadLetterQueueArn' },
    });
    expect(requests.at(-1)).toMatch(/^AWS4-HMAC-SHA256 Action=DescribeStacks&StackName=BatonService&Version=2010-05-15$/);
  });

  it('says to deploy first when a stack is missing, and to wait when it is mid-deployment', async () => {
    stacks = { BatonState: deployed().BatonState };
    await expect(readAwsOutputs({ region: 'eu-west-1', credentials, endpoint })).rejects.toThrow(
      new UserError('Baton is not deployed in eu-west-1: there is no BatonService stack. Deploy it first (see README, "Deploying to AWS"), or set AWS_REGION to the region you deployed to.'),
    );
    stacks = { ...deployed(), BatonService: { ...deployed().BatonService, status: 'UPDATE_ROLLBACK_COMPLETE' } };
    await expect(readAwsOutputs({ region: 'eu-west-1', credentials, endpoint })).rejects.toThrow(/BatonService stack in eu-west-1 is UPDATE_ROLLBACK_COMPLETE/);
  });

  it('names the outputs an older deployment lacks', async () => {
    stacks = deployed();
    delete stacks.BatonService!.outputs[SERVICE_OUTPUTS.schedulerRoleArn];
    await expect(readAwsOutputs({ region: 'eu-west-1', credentials, endpoint })).rejects.toThrow(/no output SchedulerRoleArn: it was deployed by an older Baton/);
  });

  it('turns an unreachable endpoint into a message about credentials and region, not a stack trace', async () => {
    await expect(readAwsOutputs({ region: 'eu-west-1', credentials, endpoint: 'http://127.0.0.1:1' })).rejects.toThrow(UserError);
  });

  it('parses outputs only from the Outputs block, unescaping XML', () => {
    const parsed = parseDescribeStacks(describeXml('CREATE_COMPLETE', { A: 'x &lt;y&gt; &amp; z' }));
    expect(parsed).toEqual({ status: 'CREATE_COMPLETE', outputs: { A: 'x <y> & z' } });
  });
});
