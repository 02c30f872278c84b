// Training edits on AWS, through both Lambda entries against dynalite: the studio's function URL
// stores a confirmed edit and invokes the publish function asynchronously (Lambda's Invoke, its
// transport replaced by aws-sdk-client-mock, request asserted), shows "Applying…" until the publish
// function (handlers/publish.ts, run here with the invoke's payload) has applied it with mjml, Polly
// and the Scheduler (both mocked as AWS documents them; every request asserted), then "Published".
// A retried invoke changes nothing, and a malformed event is dropped.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { mockClient } from 'aws-sdk-client-mock';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { CreateScheduleCommand, CreateScheduleGroupCommand, DeleteScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { PollyClient, SynthesizeSpeechCommand } from '@aws-sdk/client-polly';
import { HeadObjectCommand, NotFound, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { EventBridgeSchedules, groupName } from '#adapters/aws/scheduler';
import { LambdaEditPublisher } from '#adapters/aws/publish-invoker';
import { PollySynthesizer } from '#adapters/aws/polly';
import { S3AudioStore } from '#adapters/aws/audio-store';
import { audioKey, spokenText } from '#app/audio';
import { syncSchedules } from '#app/publish';
import type { BuiltMail } from '#app/ports';
import { trainingText } from '#core/training-source';
import { compileTemplates } from '#emails/compile-series';
import { createPublishHandler } from '#handlers/publish';
import { createStudioHandler } from '#handlers/studio';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { mp3 } from '#test/support/audio';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';
import { exampleDir } from '#test/support/example-data';
import { join } from 'node:path';

const SECRET = 'lambda-studio-secret-0123456789abcdef';
const TRAINER = 'maya.okafor@example.com';
const PUBLISH_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:BatonService-publish';
const TARGETS = {
  targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:BatonService-dispatch',
  roleArn: 'arn:aws:iam::123456789012:role/BatonService-SchedulerRole',
  dlqArn: 'arn:aws:sqs:eu-west-1:123456789012:BatonService-SchedulerDeadLetters',
};
const BUCKET = 'batonstate-attachments';
const NOW = new Date('2027-01-22T12:00:00Z');
const fixture = JSON.parse(readFileSync(new URL('../../fixtures/aws/function-url/get-link.json', import.meta.url), 'utf8'));

const lambda = mockClient(LambdaClient);
const scheduler = mockClient(SchedulerClient);
const polly = mockClient(PollyClient);
const s3 = mockClient(S3Client);
const storedAudio = new Map<string, string>();
let db: TestDynalite;
let store: Store;
let seriesId: string;
let studio: ReturnType<typeof createStudioHandler>;
let publish: ReturnType<typeof createPublishHandler>;
let cookie: string;
const sent: BuiltMail[] = [];
/** What the publish function's last compile made, to compare with what it stored. */
let compiled: Awaited<ReturnType<typeof compileTemplates>> | undefined;

function event(method: string, path: string, opts: { body?: Record<string, string>; query?: string } = {}) {
  return {
    ...fixture,
    rawPath: path,
    rawQueryString: opts.query ?? '',
    headers: { ...fixture.headers, ...(opts.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(cookie ? { cookies: [cookie] } : {}),
    ...(opts.body ? { body: Buffer.from(new URLSearchParams(opts.body).toString()).toString('base64'), isBase64Encoded: true } : {}),
    requestContext: { ...fixture.requestContext, http: { ...fixture.requestContext.http, method, path } },
  };
}

/** The payloads the studio handed to the publish function. */
const invokes = () => lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input);

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const published = await publishSeries(exampleDir, store, NOW);
  seriesId = published.series.id;
  await store.putParticipants(seriesId, await loadParticipants(join(exampleDir, 'participants.csv'), published.series));
  await syncSchedules(store, seriesId, NOW);
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  scheduler.on(CreateScheduleGroupCommand).resolves({ ScheduleGroupArn: 'arn:group' });
  scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
  scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
  scheduler.on(DeleteScheduleCommand).resolves({});
  polly.on(SynthesizeSpeechCommand).callsFake(() => ({ AudioStream: { transformToByteArray: async () => mp3(200) } as never, ContentType: 'audio/mpeg' }));
  s3.on(HeadObjectCommand).callsFake((input: { Key: string }) => {
    const seconds = storedAudio.get(input.Key);
    if (seconds === undefined) throw new NotFound({ message: 'Not Found', $metadata: { httpStatusCode: 404 } });
    return { Metadata: { seconds } };
  });
  s3.on(PutObjectCommand).callsFake((input: { Key: string; Metadata: { seconds: string } }) => {
    storedAudio.set(input.Key, input.Metadata.seconds);
    return {};
  });
  let n = 0;
  const schedules = new EventBridgeSchedules(new SchedulerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), () => NOW);
  const remote = {
    async apply(id: string, diff: Parameters<EventBridgeSchedules['apply']>[1]) {
      await schedules.ensureGroup(id);
      return schedules.apply(id, diff, TARGETS);
    },
  };
  studio = createStudioHandler({
    deps: async (studioUrl) => ({
      store,
      secrets: SECRET,
      mailer: async (m) => {
        sent.push(m);
        return `ses-${++n}`;
      },
      now: NOW,
      newId: () => `id-${++n}-0123456789`,
      remote,
      publisher: new LambdaEditPublisher({ client: new LambdaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } }), functionArn: PUBLISH_ARN }),
      settings: { studioUrl, mail: { domain: 'baton.example.com', inboundDomain: 'in.baton.example.com', senderAddress: 'Baton <training@baton.example.com>', linksBaseUrl: 'https://links.example.com', secrets: SECRET } },
    }),
  });
  const client = { region: 'eu-west-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  publish = createPublishHandler({
    now: () => NOW,
    deps: () => ({
      store,
      compile: async (...args) => (compiled = await compileTemplates(...args)),
      remote,
      audio: { synthesizer: new PollySynthesizer(new PollyClient(client)), store: new S3AudioStore({ client: new S3Client(client), attachmentBucket: BUCKET }), baseUrl: 'https://links.example.com/', say: () => {} },
    }),
  });
  // Sign in as the studio on AWS does it: the emailed link, then its button.
  const asked = await studio(event('POST', '/studio/signin', { body: { email: TRAINER } }));
  expect(asked.statusCode).toBe(200);
  const link = /https:\/\/\S+\/studio\/signin\/\S+/.exec(sent[0]!.raw.replace(/=\r\n/g, ''))![0];
  const signedIn = await studio(event('POST', new URL(link).pathname));
  cookie = signedIn.cookies![0]!.split(';')[0]!;
}, 120_000);

afterAll(async () => {
  lambda.restore();
  scheduler.restore();
  polly.restore();
  s3.restore();
  await db?.stop();
});

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;
const editOf = (html: string) => /name="edit" value="([^"]+)"/.exec(html)![1]!;

describe('training edits on AWS: the studio invokes the publish function', () => {
  it('a text edit: stored, invoked once asynchronously, "Applying…" until the publish function has published it with its audio', async () => {
    const before = (await store.getSeries(seriesId))!;
    const first = before.trainings[0]!;
    const form = await studio(event('GET', `/studio/s/${seriesId}/trainings/text`, { query: `training=${first.slug}` }));
    expect(form.statusCode).toBe(200);
    const text = trainingText(first);
    const fields = { csrf: csrfOf(form.body), slug: first.slug, title: text.title, body: `${text.body}\n\nEdited on AWS.`, strategies: text.strategies };
    const preview = await studio(event('POST', `/studio/s/${seriesId}/trainings/text`, { body: fields }));
    expect(preview.statusCode).toBe(200);
    const edit = editOf(preview.body);
    const confirmed = await studio(event('POST', `/studio/s/${seriesId}/trainings/text/confirm`, { body: { ...fields, edit } }));
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe(`/studio/s/${seriesId}/trainings/edit/status?edit=${edit}`);
    // Exactly one asynchronous invocation of the publish function, naming the series and the edit.
    expect(invokes()).toHaveLength(1);
    expect(invokes()[0]).toEqual({ FunctionName: PUBLISH_ARN, InvocationType: 'Event', Payload: expect.any(Uint8Array) });
    const payload = JSON.parse(new TextDecoder().decode(invokes()[0]!.Payload as Uint8Array));
    expect(payload).toEqual({ seriesId, editId: edit });
    // Nothing is published until the function runs: the studio says so and refreshes itself.
    const waiting = await studio(event('GET', `/studio/s/${seriesId}/trainings/edit/status`, { query: `edit=${edit}` }));
    expect(waiting.body).toContain('<meta http-equiv="refresh" content="3">');
    expect(waiting.body).toContain('Applying…');
    expect(await store.getSeries(seriesId)).toEqual(before);

    expect(await publish(payload)).toEqual({ kind: 'applied', version: before.version + 1 });
    const after = (await store.getSeries(seriesId))!;
    expect(after.trainings[0]!.body).toContain('Edited on AWS.');
    expect(await store.getTemplate(seriesId, `training/${first.slug}`)).toContain('Edited on AWS.');
    // Every template the publish compiled (more than one BatchWrite's 25) is stored under its name, byte for byte.
    expect(compiled!.size).toBeGreaterThan(25);
    expect(await store.getTemplates(seriesId)).toEqual(new Map([...compiled!].map(([name, email]) => [name, JSON.stringify(email)])));
    // The schedules did not move: the group is ensured, nothing else is asked of the Scheduler.
    expect(scheduler.calls().map((c) => c.args[0].constructor.name)).toEqual(['CreateScheduleGroupCommand']);
    expect(scheduler.commandCalls(CreateScheduleGroupCommand)[0]!.args[0].input).toEqual({ Name: groupName(seriesId), Tags: [{ Key: 'baton:series', Value: seriesId }] });
    // Every training without a recording of its own gets its audio (none had any yet); the edited one is
    // spoken from its new text, under that text's key, in the attachment bucket's audio/.
    const voice = new PollySynthesizer(new PollyClient({})).voiceFor('en')!;
    const keys = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(keys.map((k) => k.Key).sort()).toEqual(after.trainings.filter((t) => !t.media.audio).map((t) => audioKey(voice, spokenText(t), 'mp3')).sort());
    expect(after.trainings[0]!.media.audio).toBeUndefined();
    for (const put of keys) expect(put).toMatchObject({ Bucket: BUCKET, ContentType: 'audio/mpeg' });
    expect(polly.commandCalls(SynthesizeSpeechCommand).every((c) => c.args[0].input.Engine === 'neural' && c.args[0].input.OutputFormat === 'mp3')).toBe(true);
    expect(polly.commandCalls(SynthesizeSpeechCommand).some((c) => (c.args[0].input.Text ?? '').includes('Edited on AWS.'))).toBe(true);
    const done = await studio(event('GET', `/studio/s/${seriesId}/trainings/edit/status`, { query: `edit=${edit}` }));
    expect(done.body).toContain('Published</strong> (version 2)');
    expect(done.body).not.toContain('http-equiv="refresh"');

    // Lambda retries an invoke it thinks failed: the edit is done, nothing more is asked of AWS.
    const calls = scheduler.calls().length;
    expect(await publish(payload)).toEqual({ kind: 'done-already', state: 'applied' });
    expect(scheduler.calls().length).toBe(calls);
    expect((await store.getSeries(seriesId))!.version).toBe(after.version);
  });

  it('a date edit: the moved training’s sends are updated in EventBridge and its update job created, exactly', async () => {
    scheduler.resetHistory();
    s3.resetHistory();
    const before = (await store.getSeries(seriesId))!;
    const second = before.trainings[1]!;
    const schedulesBefore = new Map((await store.listSchedules(seriesId)).map((s) => [s.name, s]));
    const page = await studio(event('GET', `/studio/s/${seriesId}/trainings/edit`, { query: `training=${second.slug}` }));
    const fields = { csrf: csrfOf(page.body), slug: second.slug, title: second.title, opens: '2027-02-07', closes: '2027-02-18' };
    const preview = await studio(event('POST', `/studio/s/${seriesId}/trainings/edit`, { body: fields }));
    expect(preview.statusCode).toBe(200);
    const edit = editOf(preview.body);
    expect((await studio(event('POST', `/studio/s/${seriesId}/trainings/edit/confirm`, { body: { ...fields, edit } }))).statusCode).toBe(303);
    expect(invokes()).toHaveLength(2);
    const payload = JSON.parse(new TextDecoder().decode(invokes()[1]!.Payload as Uint8Array));
    expect(payload).toEqual({ seriesId, editId: edit });
    expect(await publish(payload)).toEqual({ kind: 'applied', version: before.version + 1 });

    const after = await store.listSchedules(seriesId);
    const created = after.filter((s) => !schedulesBefore.has(s.name));
    const moved = after.filter((s) => schedulesBefore.has(s.name) && schedulesBefore.get(s.name)!.at !== s.at && s.state === 'pending');
    const gone = [...schedulesBefore.keys()].filter((name) => !after.some((s) => s.name === name));
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.every((s) => (s.job as { trainingSlug?: string }).trainingSlug === second.slug)).toBe(true);
    expect(created.map((s) => (s.job as { kind: string }).kind)).toEqual(['update']);
    // What EventBridge was asked: the group, one CreateSchedule per new job, one UpdateSchedule per
    // moved one, one DeleteSchedule per dropped one, each targeting dispatch with the job as input.
    expect(scheduler.commandCalls(CreateScheduleGroupCommand)).toHaveLength(1);
    const creates = scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input);
    const updates = scheduler.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input);
    expect(creates.map((i) => i.Name).sort()).toEqual(created.map((s) => s.name).sort());
    expect(updates.map((i) => i.Name).sort()).toEqual(moved.map((s) => s.name).sort());
    expect(scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input.Name).sort()).toEqual(gone.sort());
    for (const input of [...creates, ...updates]) {
      const record = after.find((s) => s.name === input.Name)!;
      expect(input).toMatchObject({ GroupName: groupName(seriesId), ActionAfterCompletion: 'DELETE', State: 'ENABLED', Target: { Arn: TARGETS.targetArn, RoleArn: TARGETS.roleArn, DeadLetterConfig: { Arn: TARGETS.dlqArn } } });
      expect(JSON.parse(input.Target!.Input!)).toEqual(record.job);
    }
    // The window moved, the text did not: no audio was spoken or stored again.
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
  });

  it('drops an event that is not a publish request, touching nothing', async () => {
    scheduler.resetHistory();
    expect(await publish({ seriesId: '../x', editId: 'short' })).toEqual({ kind: 'dropped' });
    expect(await publish({ seriesId, editId: 'no-such-edit-0000' })).toEqual({ kind: 'missing' });
    expect(scheduler.calls()).toHaveLength(0);
  });
});
