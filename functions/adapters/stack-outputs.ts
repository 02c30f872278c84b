// A deployed stack's outputs, from CloudFormation's DescribeStacks: how the CLI's aws target
// finds the table, buckets, dispatch function and scheduler role the operator deployed.
//
// Why a signed Query-API call instead of @aws-sdk/client-cloudformation: that client is not a
// dependency (and cannot be installed here); DescribeStacks is one form-encoded POST signed with
// SigV4 (secrets.ts), and its XML answer has a fixed shape of which only Outputs is read.
import { signV4, type AwsCredentials } from './secrets.ts';

export class StackNotFoundError extends Error {
  override name = 'StackNotFoundError';
}
export class AwsAccessError extends Error {
  override name = 'AwsAccessError';
}

export interface DescribeStackOptions {
  region: string;
  credentials: AwsCredentials;
  /** Defaults to https://cloudformation.<region>.amazonaws.com (tests point it at a local server). */
  endpoint?: string;
  now?: Date;
}

export interface StackDescription {
  status: string;
  outputs: Record<string, string>;
}

const decode = (s: string) =>
  s.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name.toLowerCase()]!;
  });

const tag = (xml: string, name: string) => {
  const m = xml.match(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`));
  return m ? decode(m[1]!) : undefined;
};

/** The status and outputs of the first stack in a DescribeStacks response. */
export function parseDescribeStacks(xml: string): StackDescription {
  const stack = xml.match(/<Stacks>\s*<member>([\s\S]*)<\/member>\s*<\/Stacks>/)?.[1];
  if (!stack) throw new Error('DescribeStacks returned no stack');
  const outputs: Record<string, string> = {};
  const block = stack.match(/<Outputs>([\s\S]*?)<\/Outputs>/)?.[1] ?? '';
  for (const member of block.match(/<member>[\s\S]*?<\/member>/g) ?? []) {
    const key = tag(member, 'OutputKey');
    if (key) outputs[key] = tag(member, 'OutputValue') ?? '';
  }
  return { status: tag(stack, 'StackStatus') ?? 'UNKNOWN', outputs };
}

export async function describeStack(stackName: string, options: DescribeStackOptions): Promise<StackDescription> {
  const endpoint = new URL(options.endpoint ?? `https://cloudformation.${options.region}.amazonaws.com`);
  const body = new URLSearchParams({ Action: 'DescribeStacks', StackName: stackName, Version: '2010-05-15' }).toString();
  const headers = signV4(
    { method: 'POST', host: endpoint.host, path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body },
    { credentials: options.credentials, region: options.region, service: 'cloudformation', now: options.now ?? new Date() },
  );
  delete headers.host;
  let res: Response;
  try {
    res = await fetch(new URL('/', endpoint), { method: 'POST', headers, body });
  } catch (error) {
    throw new AwsAccessError(`could not reach CloudFormation at ${endpoint.host}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const xml = await res.text();
  if (res.ok) return parseDescribeStacks(xml);
  const code = tag(xml, 'Code') ?? `HTTP ${res.status}`;
  const message = tag(xml, 'Message') ?? xml.slice(0, 200);
  if (code === 'ValidationError' && /does not exist/.test(message)) {
    throw new StackNotFoundError(`stack ${stackName} does not exist in ${options.region}`);
  }
  throw new AwsAccessError(`CloudFormation DescribeStacks for ${stackName} in ${options.region} failed: ${code}: ${message}`);
}
