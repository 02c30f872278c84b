// The publish function: applies one training edit confirmed in the studio (app/studio/apply-edit.ts)
// with the same publish `baton publish --target aws` runs: the emails compiled with mjml (this is
// the one bundle allowed it: .dependency-cruiser.cjs `emails-only-where-publishing`, its own
// budget in infra/baton-function.ts), the audio spoken by Polly into the attachment bucket's
// audio/ prefix, the schedules moved in EventBridge Scheduler. The studio invokes it
// asynchronously with { seriesId, editId } and reads the edit's state back.
import * as z from 'zod/mini';
import { createObservability, instrument, type Observability } from '#adapters/aws/observability';
import { createDynamoClient, createStore } from '#adapters/aws/dynamo';
import { createS3Client } from '#adapters/aws/mail-store';
import { S3AudioStore } from '#adapters/aws/audio-store';
import { createPollyClient, PollySynthesizer } from '#adapters/aws/polly';
import { PublishEnvSchema, readRuntimeConfig } from '#adapters/aws/runtime-config';
import { createSchedulerClient, EventBridgeSchedules } from '#adapters/aws/scheduler';
import { describeIssues } from '#adapters/aws/events';
import { applyStudioEdit, type ApplyEditDeps, type ApplyEditOutcome } from '#app/studio/apply-edit';
import { compileTemplates } from '#emails/compile-series';
import type { Context } from 'aws-lambda';

const PublishEditEventSchema = z.object({
  seriesId: z.string().check(z.regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)),
  editId: z.string().check(z.regex(/^[A-Za-z0-9_-]{8,64}$/)),
});

export interface PublishHandlerDeps {
  /** Everything but the clock, which is read per invocation. */
  deps: () => Omit<ApplyEditDeps, 'now'>;
  now?: () => Date;
  obs?: Observability;
}

export type PublishResult = ApplyEditOutcome | { kind: 'dropped' };

export function createPublishHandler(handlerDeps: PublishHandlerDeps): (event: unknown, context?: Context) => Promise<PublishResult> {
  const obs = handlerDeps.obs ?? createObservability('publish');
  return instrument(obs, async (event) => {
    const parsed = PublishEditEventSchema.safeParse(event);
    if (!parsed.success) {
      obs.dropped('not a publish request', { issues: describeIssues(parsed.error) });
      return { kind: 'dropped' };
    }
    const { seriesId, editId } = parsed.data;
    const outcome = await applyStudioEdit(seriesId, editId, { ...handlerDeps.deps(), now: handlerDeps.now?.() ?? new Date() });
    const fields = { seriesId, editId, outcome: outcome.kind, ...(outcome.kind === 'applied' ? { version: outcome.version } : {}) };
    if (outcome.kind === 'failed') obs.logger.warn('studio edit not applied', { ...fields, error: outcome.error });
    else obs.logger.info('studio edit', fields);
    return outcome;
  });
}

let configured: ((event: unknown, context?: Context) => Promise<PublishResult>) | undefined;

export async function handler(event: unknown, context?: Context): Promise<PublishResult> {
  if (!configured) {
    const env = readRuntimeConfig(PublishEnvSchema, 'publish');
    const store = createStore({ client: createDynamoClient({ region: env.AWS_REGION }), tableName: env.TABLE_NAME });
    const scheduler = new EventBridgeSchedules(createSchedulerClient({ region: env.AWS_REGION }));
    const targets = { targetArn: env.BATON_SCHEDULE_TARGET_ARN, roleArn: env.BATON_SCHEDULER_ROLE_ARN, dlqArn: env.BATON_SCHEDULER_DLQ_ARN };
    const obs = createObservability('publish');
    const audioStore = new S3AudioStore({ client: createS3Client({ region: env.AWS_REGION }), attachmentBucket: env.ATTACHMENT_BUCKET });
    const synthesizer = new PollySynthesizer(createPollyClient());
    configured = createPublishHandler({
      obs,
      deps: () => ({
        store,
        compile: compileTemplates,
        remote: {
          async apply(seriesId, diff) {
            await scheduler.ensureGroup(seriesId);
            return scheduler.apply(seriesId, diff, targets);
          },
        },
        audio: { synthesizer, store: audioStore, baseUrl: env.BATON_LINKS_BASE_URL, say: (line) => obs.logger.info(line) },
      }),
    });
  }
  return configured(event, context);
}
