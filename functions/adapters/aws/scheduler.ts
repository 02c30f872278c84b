// The series clock in AWS: each planned job becomes an EventBridge Scheduler schedule in the
// series' own group, invoking the dispatch Lambda with the job as its input.
//
// Primary course of a publish:
//   1. make sure the series' schedule group exists (creating it twice is not an error);
//   2. create, update and delete schedules as the plan's diff says, by deterministic name, so
//      publishing again moves schedules instead of adding copies;
//   3. one-time jobs are at() in the participant's zone, delete themselves after firing, retry
//      on failure and land in the dead-letter queue when they keep failing.
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import { SCHEDULE_GROUP_PREFIX } from '#contract/names';
import { MAX_NAME_LENGTH, shortHash, type ScheduleDiff, type ScheduleSpec } from '#core/schedule-plan';

export interface SchedulerClientOptions {
  endpoint?: string;
  region?: string;
}

export function createSchedulerClient(opts: SchedulerClientOptions = {}): SchedulerClient {
  return new SchedulerClient({
    region: opts.region ?? process.env.AWS_REGION ?? 'local',
    ...(opts.endpoint ? { endpoint: opts.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
  });
}

export interface ScheduleTargets {
  /** The dispatch Lambda. */
  targetArn: string;
  /** The role EventBridge Scheduler assumes to invoke it. */
  roleArn: string;
  /** Where a job goes when it keeps failing (an SQS queue). */
  dlqArn: string;
  /** Retries of a failing invocation before the dead-letter queue; default 5. */
  maximumRetryAttempts?: number;
  /** How long a failing invocation keeps being retried; default 6 hours. */
  maximumEventAgeInSeconds?: number;
}

export interface ApplyResult {
  created: string[];
  updated: string[];
  deleted: string[];
}

/** `baton-<seriesId>`, cut and hashed when a long series id would pass 64 characters. */
export function groupName(seriesId: string): string {
  const name = `${SCHEDULE_GROUP_PREFIX}${seriesId}`;
  if (name.length <= MAX_NAME_LENGTH) return name;
  return `${name.slice(0, MAX_NAME_LENGTH - 9)}-${shortHash(seriesId)}`;
}

// A one-time schedule too close to (or before) now might never fire: the kickoff is planned "at
// publishing", which has passed by the time the request arrives.
const MIN_LEAD_MS = 60_000;

function atExpression(spec: ScheduleSpec, now: Date): { ScheduleExpression: string; ScheduleExpressionTimezone: string } {
  const at = spec.at!;
  if (Date.parse(at.instant) < now.getTime() + MIN_LEAD_MS) {
    const soon = new Date(Math.ceil((now.getTime() + MIN_LEAD_MS) / 1000) * 1000);
    return { ScheduleExpression: `at(${soon.toISOString().slice(0, 19)})`, ScheduleExpressionTimezone: 'UTC' };
  }
  return { ScheduleExpression: `at(${at.local})`, ScheduleExpressionTimezone: at.timeZone };
}

/** The exact CreateSchedule/UpdateSchedule input for one planned job (the two take the same fields). */
export function scheduleInput(seriesId: string, spec: ScheduleSpec, targets: ScheduleTargets, now: Date): CreateScheduleCommandInput {
  if (!spec.at === !spec.cron) throw new Error(`schedule "${spec.name}" must have exactly one of at and cron`);
  if (spec.name.length > MAX_NAME_LENGTH || !/^[0-9A-Za-z_.-]+$/.test(spec.name)) {
    throw new Error(`schedule name "${spec.name}" does not fit EventBridge (≤ 64 of A-Z a-z 0-9 - _ .)`);
  }
  const when = spec.at
    ? atExpression(spec, now)
    : {
        ScheduleExpression: spec.cron!.expression,
        ScheduleExpressionTimezone: spec.cron!.timeZone,
        // A start in the past adds nothing and may be refused; the end stops a series' digests.
        ...(spec.cron!.start && Date.parse(spec.cron!.start) > now.getTime() ? { StartDate: new Date(spec.cron!.start) } : {}),
        ...(spec.cron!.end ? { EndDate: new Date(spec.cron!.end) } : {}),
      };
  return {
    Name: spec.name,
    GroupName: groupName(seriesId),
    ...when,
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    State: 'ENABLED',
    Target: {
      Arn: targets.targetArn,
      RoleArn: targets.roleArn,
      Input: JSON.stringify(spec.job),
      RetryPolicy: {
        MaximumRetryAttempts: targets.maximumRetryAttempts ?? 5,
        MaximumEventAgeInSeconds: targets.maximumEventAgeInSeconds ?? 6 * 3600,
      },
      DeadLetterConfig: { Arn: targets.dlqArn },
    },
  };
}

export class EventBridgeSchedules {
  constructor(
    private readonly client: SchedulerClient,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async ensureGroup(seriesId: string): Promise<void> {
    try {
      await this.client.send(new CreateScheduleGroupCommand({ Name: groupName(seriesId), Tags: [{ Key: 'baton:series', Value: seriesId }] }));
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  async apply(seriesId: string, diff: Pick<ScheduleDiff, 'create' | 'update' | 'delete'>, targets: ScheduleTargets): Promise<ApplyResult> {
    const result: ApplyResult = { created: [], updated: [], deleted: [] };
    const now = this.now();
    for (const spec of diff.create) {
      const input = scheduleInput(seriesId, spec, targets, now);
      try {
        await this.client.send(new CreateScheduleCommand(input));
        result.created.push(spec.name);
      } catch (error) {
        // The schedule exists though the store did not know it (a publish cut short): update it.
        if (!(error instanceof ConflictException)) throw error;
        await this.client.send(new UpdateScheduleCommand(input));
        result.updated.push(spec.name);
      }
    }
    for (const spec of diff.update) {
      const input = scheduleInput(seriesId, spec, targets, now);
      try {
        await this.client.send(new UpdateScheduleCommand(input));
        result.updated.push(spec.name);
      } catch (error) {
        // A one-time schedule deletes itself once it has fired; an update brings it back (the
        // delivery ledger keeps a second run from sending anything twice).
        if (!(error instanceof ResourceNotFoundException)) throw error;
        await this.client.send(new CreateScheduleCommand(input));
        result.created.push(spec.name);
      }
    }
    for (const name of diff.delete) {
      try {
        await this.client.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName(seriesId) }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      result.deleted.push(name);
    }
    return result;
  }
}
