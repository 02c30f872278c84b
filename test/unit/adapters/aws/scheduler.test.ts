// EventBridge Scheduler has no local emulator, so the adapter is held to the exact requests it
// sends (aws-sdk-client-mock on the real client).
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { createSchedulerClient, EventBridgeSchedules, groupName, scheduleInput, type ScheduleTargets } from '#adapters/aws/scheduler';
import { JobSchema } from '#core/jobs';
import { SeriesSchema, TrainingSchema } from '#core/model';
import { diffSchedules, planSchedules, type ScheduleSpec } from '#core/schedule-plan';

const targets: ScheduleTargets = {
  targetArn: 'arn:aws:lambda:eu-west-1:123456789012:function:baton-dispatch',
  roleArn: 'arn:aws:iam::123456789012:role/baton-scheduler',
  dlqArn: 'arn:aws:sqs:eu-west-1:123456789012:baton-dispatch-dlq',
};
const NOW = new Date('2026-12-01T10:00:00Z');

const series = SeriesSchema.parse({
  id: 'q1-productivity',
  title: 'Q1',
  intro: '',
  trainers: [{ name: 'Maya', email: 'maya@example.com', timeZone: 'America/New_York' }],
  defaultTimeZone: 'UTC',
  policies: {},
});
const training = (order: number, slug: string, opens: string, closes: string) =>
  TrainingSchema.parse({ slug, order, title: slug, opens, closes, author: 'Maya', body: '', strategies: [] });

const mock = mockClient(SchedulerClient);
// Unit files share a worker's modules (vitest.config.ts): leave SchedulerClient as we found it.
afterAll(() => mock.restore());
let client: SchedulerClient;
let schedules: EventBridgeSchedules;

beforeEach(() => {
  mock.reset();
  client = createSchedulerClient({ region: 'eu-west-1' });
  schedules = new EventBridgeSchedules(client, () => NOW);
});
afterEach(() => client.destroy());

function plan(trainings = [training(1, 'one-on-ones', '2027-01-21', '2027-02-03')]): ScheduleSpec[] {
  return planSchedules({
    series,
    trainings,
    participants: [{ timeZone: 'America/New_York', workStart: '09:00' }],
    publishedAt: NOW,
  });
}

describe('scheduleInput', () => {
  it('writes a one-time job as at() on the local wall clock with its zone, deleting itself after', () => {
    const spec = plan().find((s) => s.job.kind === 'training')!;
    expect(scheduleInput('q1-productivity', spec, targets, NOW)).toEqual({
      Name: spec.name,
      GroupName: 'baton-q1-productivity',
      ScheduleExpression: 'at(2027-01-21T09:00:00)',
      ScheduleExpressionTimezone: 'America/New_York',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: {
        Arn: targets.targetArn,
        RoleArn: targets.roleArn,
        Input: JSON.stringify({ kind: 'training', seriesId: 'q1-productivity', trainingSlug: 'one-on-ones', timeZone: 'America/New_York', workStart: '09:00' }),
        RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 21_600 },
        DeadLetterConfig: { Arn: targets.dlqArn },
      },
    });
  });

  it('keeps the month right: January is 01 and March is 03 (a public sample is a month early)', () => {
    const specs = plan([training(1, 'january', '2027-01-04', '2027-01-15'), training(2, 'march', '2027-03-01', '2027-03-12')]);
    const expression = (slug: string) => scheduleInput('q1-productivity', specs.find((s) => s.job.kind === 'training' && s.job.trainingSlug === slug)!, targets, NOW).ScheduleExpression;
    expect(expression('january')).toBe('at(2027-01-04T09:00:00)');
    expect(expression('march')).toBe('at(2027-03-01T09:00:00)');
    // December → January across the year boundary.
    const dec = plan([training(1, 'newyear', '2026-12-31', '2027-01-10')]).find((s) => s.job.kind === 'reminder')!;
    expect(scheduleInput('q1-productivity', dec, targets, NOW).ScheduleExpression).toBe('at(2027-01-07T09:00:00)');
  });

  it('writes recurring jobs as cron() in their zone, ending with the series', () => {
    const digest = plan().find((s) => s.job.kind === 'digest')!;
    const input = scheduleInput('q1-productivity', digest, targets, NOW);
    expect(input).toMatchObject({
      ScheduleExpression: 'cron(0 9 ? * MON *)',
      ScheduleExpressionTimezone: 'America/New_York',
      StartDate: new Date(digest.cron!.start!),
      EndDate: new Date(digest.cron!.end!),
      FlexibleTimeWindow: { Mode: 'OFF' },
    });
    // A start already past is left out.
    expect(scheduleInput('q1-productivity', digest, targets, new Date('2027-02-01T00:00:00Z'))).not.toHaveProperty('StartDate');
  });

  it('moves a one-time job due now (the kickoff) a minute ahead, in UTC', () => {
    const kickoff = plan().find((s) => s.job.kind === 'kickoff')!;
    expect(scheduleInput('q1-productivity', kickoff, targets, new Date('2026-12-01T10:00:00.400Z'))).toMatchObject({
      ScheduleExpression: 'at(2026-12-01T10:01:01)',
      ScheduleExpressionTimezone: 'UTC',
    });
  });

  it('hands the dispatch Lambda an input that parses as a job', () => {
    for (const spec of plan()) {
      const input = scheduleInput('q1-productivity', spec, targets, NOW);
      expect(JobSchema.parse(JSON.parse(input.Target!.Input!))).toEqual(spec.job);
    }
  });

  it('refuses a name EventBridge would refuse', () => {
    const spec = { ...plan()[0]!, name: 'x'.repeat(65) };
    expect(() => scheduleInput('q1-productivity', spec, targets, NOW)).toThrow(/does not fit EventBridge/);
  });
});

describe('groupName', () => {
  it('is baton-<seriesId>, cut with a hash when longer than 64', () => {
    expect(groupName('q1-productivity')).toBe('baton-q1-productivity');
    const a = groupName('s'.repeat(70));
    const b = groupName(`${'s'.repeat(69)}t`);
    expect(a).toHaveLength(64);
    expect(a).not.toBe(b);
  });
});

describe('EventBridgeSchedules', () => {
  it('creates the series group once, accepting that it exists', async () => {
    mock.on(CreateScheduleGroupCommand).rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    await schedules.ensureGroup('q1-productivity');
    expect(mock.commandCalls(CreateScheduleGroupCommand)[0]!.args[0].input).toEqual({
      Name: 'baton-q1-productivity',
      Tags: [{ Key: 'baton:series', Value: 'q1-productivity' }],
    });
  });

  it('applies a diff as CreateSchedule, UpdateSchedule and DeleteSchedule with the exact inputs', async () => {
    const first = plan();
    const moved = plan([training(1, 'one-on-ones', '2027-01-22', '2027-02-03')]);
    const stored = first.map((s) => ({ name: s.name, job: s.job, at: s.at?.instant ?? s.cron!.start!, ...(s.cron ? { cron: s.cron } : {}), state: 'pending' as const }));
    const diff = diffSchedules(stored, moved.filter((s) => s.job.kind !== 'follow-up'));
    const result = await schedules.apply('q1-productivity', diff, targets);

    const updates = mock.commandCalls(UpdateScheduleCommand).map((c) => c.args[0].input);
    expect(updates).toEqual(diff.update.map((s) => scheduleInput('q1-productivity', s, targets, NOW)));
    expect(updates.find((u) => u.Name!.startsWith('training-'))!.ScheduleExpression).toBe('at(2027-01-22T09:00:00)');
    expect(mock.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input)).toEqual([
      { Name: first.find((s) => s.job.kind === 'follow-up')!.name, GroupName: 'baton-q1-productivity' },
    ]);
    expect(mock.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(result.deleted).toHaveLength(1);
    expect(result.updated.sort()).toEqual(diff.update.map((s) => s.name).sort());
  });

  it('updates what already exists, recreates what deleted itself, ignores deleting what is gone', async () => {
    const [kickoff, trainingSpec] = plan();
    mock.on(CreateScheduleCommand, { Name: kickoff!.name }).rejectsOnce(new ConflictException({ message: 'exists', Message: 'exists', $metadata: {} }));
    mock.on(UpdateScheduleCommand, { Name: trainingSpec!.name }).rejectsOnce(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    mock.on(DeleteScheduleCommand).rejects(new ResourceNotFoundException({ message: 'gone', Message: 'gone', $metadata: {} }));
    const result = await schedules.apply('q1-productivity', { create: [kickoff!], update: [trainingSpec!], delete: ['old'] }, targets);
    expect(result).toEqual({ created: [trainingSpec!.name], updated: [kickoff!.name], deleted: ['old'] });
    expect(mock.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input.Name)).toEqual([kickoff!.name, trainingSpec!.name]);
  });

  it('lets other errors through, so a publish stops loudly', async () => {
    mock.on(CreateScheduleCommand).rejects(new Error('AccessDenied'));
    await expect(schedules.apply('q1-productivity', { create: plan().slice(0, 1), update: [], delete: [] }, targets)).rejects.toThrow('AccessDenied');
  });
});
