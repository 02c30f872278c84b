// The studio's EditPublisher on AWS: a confirmed training edit is applied by the publish function
// (functions/handlers/publish.ts), the one bundle allowed mjml, invoked asynchronously so the
// studio answers at once and shows "applying…" until the edit's state says applied or failed.
// Lambda keeps the event and retries a failed run twice, then hands it to the function's
// on-failure queue; applying an edit twice publishes it once (app/studio/apply-edit.ts).
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { EditPublisher } from '#app/studio/access';

/** The event the publish function takes. */
export interface PublishEditEvent {
  seriesId: string;
  editId: string;
}

export function createLambdaClient(opts: { region?: string } = {}): LambdaClient {
  return new LambdaClient({ ...(opts.region ? { region: opts.region } : {}) });
}

export class LambdaEditPublisher implements EditPublisher {
  constructor(private readonly opts: { client: LambdaClient; functionArn: string }) {}

  async start(seriesId: string, editId: string): Promise<void> {
    const event: PublishEditEvent = { seriesId, editId };
    const out = await this.opts.client.send(new InvokeCommand({ FunctionName: this.opts.functionArn, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(event)) }));
    // An accepted asynchronous invocation answers 202; anything else means it was not queued.
    if (out.StatusCode !== 202) throw new Error(`the publish function did not accept the edit (status ${out.StatusCode ?? 'none'})`);
  }
}
