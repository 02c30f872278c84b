// What tells the operator that something went wrong: one SNS topic with their email on it, and an
// alarm for each way Baton can fail quietly — a function erroring or being throttled, a message
// left in a failure queue, the scheduler failing to reach dispatch, a handler dropping an event it
// could not parse, SES throttling a send, the SES account's bounce or complaint rate nearing the
// levels at which AWS pauses sending.
import { Duration, Validations } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { FilterPattern, MetricFilter, type ILogGroup } from 'aws-cdk-lib/aws-logs';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { METRICS } from '#contract/outputs';

/** SES reviews an account at 5% bounces and 0.1% complaints; warn well before, at half of each. */
export const BOUNCE_RATE_ALARM = 0.025;
export const COMPLAINT_RATE_ALARM = 0.0005;

/**
 * EventBridge Scheduler's account-wide metrics (AWS/Scheduler, no dimension; Baton's groups are one
 * per series, so a per-group alarm could not be set up front). Each counts a job that did not run.
 */
export const SCHEDULER_FAILURE_METRICS = {
  TargetErrorCount: 'dispatch could not be invoked (a permission, a missing function, a throttle): the scheduler retries',
  TargetErrorThrottledCount: 'Lambda throttled the invocation of dispatch: the scheduler retries',
  InvocationDroppedCount: 'the scheduler gave up on a job without a dead-letter queue to keep it: the job is lost',
  InvocationsSentToDeadLetterCount: 'the scheduler gave up on a job and kept it in the scheduler dead-letter queue',
  InvocationsFailedToBeSentToDeadLetterCount: 'the scheduler gave up on a job and could not keep it in its dead-letter queue: the job is lost',
} as const;

/** What SES answers when a send exceeds the account's rate (SESv2 and the SDK's names for it). */
export const SES_THROTTLE_TERMS = ['Maximum sending rate exceeded', 'TooManyRequestsException', 'ThrottlingException'];
export const SES_THROTTLES_METRIC = 'SesThrottles';

export class OperatorAlarms extends Construct {
  readonly topic: Topic;
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: { operatorEmail: string }) {
    super(scope, id);
    this.topic = new Topic(this, 'Topic', { displayName: 'Baton alarms', enforceSSL: true });
    this.topic.addSubscription(new EmailSubscription(props.operatorEmail));
    Validations.of(this.topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key, and the notices carry ' +
        'only alarm names and metric values (no personal data); a customer-managed key would cost more than the topic.',
    });
    this.action = new SnsAction(this.topic);
  }

  private alarm(id: string, metric: IMetric, threshold: number, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No data means nothing happened: an idle series is not an incident.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }

  /** Any error or throttle of the function within five minutes. */
  watchFunction(name: string, fn: IFunction): this {
    const period = Duration.minutes(5);
    this.alarm(`${name}Errors`, fn.metricErrors({ period, statistic: 'Sum' }), 1, `The ${name} function failed. Its log group has the error.`);
    this.alarm(
      `${name}Throttles`,
      fn.metricThrottles({ period, statistic: 'Sum' }),
      1,
      `The ${name} function was throttled: raise the account's Lambda concurrency or lower the send rate.`,
    );
    return this;
  }

  /** Any message waiting in a dead-letter queue. */
  watchDeadLetters(name: string, queue: IQueue, what: string): this {
    this.alarm(
      `${name}Depth`,
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      1,
      `${what} landed in the ${name} dead-letter queue. Read the message, fix the cause, then redrive it.`,
    );
    return this;
  }

  /** Any job EventBridge Scheduler failed to hand to dispatch, or gave up on. */
  watchScheduler(): this {
    for (const [metricName, what] of Object.entries(SCHEDULER_FAILURE_METRICS)) {
      this.alarm(
        `Scheduler${metricName}`,
        new Metric({ namespace: 'AWS/Scheduler', metricName, period: Duration.minutes(5), statistic: 'Sum' }),
        1,
        `EventBridge Scheduler ${metricName}: ${what}. Check the SchedulerRole and the dispatch function.`,
      );
    }
    return this;
  }

  /** Any event a handler parsed, found wrong and dropped (Baton/DroppedEvents, dimension function). */
  watchDroppedEvents(functionStem: string): this {
    this.alarm(
      `${pascal(functionStem)}DroppedEvents`,
      new Metric({
        namespace: METRICS.namespace,
        metricName: METRICS.droppedEvents,
        dimensionsMap: { function: functionStem },
        period: Duration.minutes(5),
        statistic: 'Sum',
      }),
      1,
      `The ${functionStem} function dropped an event it could not use. Its log group says why.`,
    );
    return this;
  }

  /**
   * A send SES refused for the account's rate after the mailer's own backoff: counted from the
   * senders' logs (SES publishes no throttle metric), one metric for all of them.
   */
  watchSesThrottles(logGroups: Record<string, ILogGroup>): this {
    for (const [name, logGroup] of Object.entries(logGroups)) {
      new MetricFilter(this, `${name}SesThrottleFilter`, {
        logGroup,
        filterPattern: FilterPattern.anyTerm(...SES_THROTTLE_TERMS),
        metricNamespace: METRICS.namespace,
        metricName: SES_THROTTLES_METRIC,
        metricValue: '1',
      });
    }
    this.alarm(
      'SesThrottles',
      new Metric({ namespace: METRICS.namespace, metricName: SES_THROTTLES_METRIC, period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      "SES refused a send for the account's rate: set maxSendRate to the account's SES max send rate, or ask AWS to raise it.",
    );
    return this;
  }

  /** The account's reputation, as SES measures it. */
  watchSesReputation(): this {
    const metric = (metricName: string) =>
      new Metric({ namespace: 'AWS/SES', metricName, period: Duration.hours(1), statistic: 'Maximum' });
    this.alarm('BounceRate', metric('Reputation.BounceRate'), BOUNCE_RATE_ALARM, 'The SES bounce rate is climbing toward 5%, where SES reviews the account: check the participant lists.');
    this.alarm(
      'ComplaintRate',
      metric('Reputation.ComplaintRate'),
      COMPLAINT_RATE_ALARM,
      'The SES complaint rate is climbing toward 0.1%, where SES reviews the account: people are marking Baton mail as spam.',
    );
    return this;
  }
}

const pascal = (stem: string) => stem.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
