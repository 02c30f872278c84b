// The one-click links' function URL: `${linksBaseUrl}/l/<token>`. Thin: parse the function URL
// event, call the links core, return its page. The core decides what a click records.
import { z } from 'zod';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { tokenSecretsFromEnv } from '#adapters/aws/secrets';
import { handleLink, type LinkReply, type LinkStore } from '#app/click-link';
import type { Secrets } from '#core/tokens';

/** The fields of a Lambda function URL event (payload format 2.0) that the links use. */
export const FunctionUrlEventSchema = z.object({
  rawPath: z.string(),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
  requestContext: z.object({ http: z.object({ method: z.string().min(1) }) }),
});

export interface FunctionUrlResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface LinksHandlerDeps {
  store: LinkStore;
  secrets: () => Promise<Secrets>;
  now: () => Date;
}

const toResult = (reply: LinkReply): FunctionUrlResult => ({ statusCode: reply.status, headers: reply.headers, body: reply.body });

export function createLinksHandler(deps: LinksHandlerDeps): (event: unknown) => Promise<FunctionUrlResult> {
  return async (event) => {
    const parsed = FunctionUrlEventSchema.safeParse(event);
    if (!parsed.success) {
      log('ERROR', 'not a function URL event', { issues: parsed.error.issues });
      return { statusCode: 400, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'Bad request.\n' };
    }
    const e = parsed.data;
    const body = e.body === undefined ? '' : e.isBase64Encoded ? Buffer.from(e.body, 'base64').toString('utf8') : e.body;
    const reply = await handleLink({ method: e.requestContext.http.method, path: e.rawPath, body }, { store: deps.store, secrets: await deps.secrets(), now: deps.now() });
    log('INFO', 'link', { method: e.requestContext.http.method, status: reply.status });
    return toResult(reply);
  };
}

let configured: ((event: unknown) => Promise<FunctionUrlResult>) | undefined;

/** The Lambda entry: TABLE_NAME and REPLY_TOKEN_SECRET_ARN come from the stack. */
export async function handler(event: unknown): Promise<FunctionUrlResult> {
  if (!configured) {
    const tableName = process.env.TABLE_NAME;
    if (!tableName) throw new Error('environment variable TABLE_NAME is not set: the stack sets it on the function; redeploy it');
    configured = createLinksHandler({
      store: createStore({ client: createDynamoClient(), tableName }),
      secrets: tokenSecretsFromEnv(),
      now: () => new Date(),
    });
  }
  return configured(event);
}

function log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
}
