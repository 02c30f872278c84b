// One CloudWatch dashboard for the operator: is mail going out, are replies coming in, is anything
// failing, is anything waiting in a failure queue. The alarms say when to look; this says where.
import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { METRICS } from '#contract/outputs';

export interface DashboardProps {
  /** Function name stem -> function. */
  functions: Record<string, IFunction>;
  /** Failure queue name -> queue. */
  failureQueues: Record<string, IQueue>;
  inbound: IFunction;
  receiptFilter: IFunction;
}

export function operatorDashboard(scope: Construct, id: string, props: DashboardProps): Dashboard {
  const period = Duration.minutes(5);
  const ses = (metricName: string) => new Metric({ namespace: 'AWS/SES', metricName, period, statistic: 'Sum', label: metricName });
  const dashboard = new Dashboard(scope, id, { defaultInterval: Duration.days(7) });
  dashboard.addWidgets(
    new GraphWidget({ title: 'Sends (SES, account)', left: [ses('Send'), ses('Delivery'), ses('Bounce'), ses('Complaint')], width: 12 }),
    new GraphWidget({
      title: 'Replies',
      left: [
        props.receiptFilter.metricInvocations({ period, statistic: 'Sum', label: 'mail received' }),
        props.inbound.metricInvocations({ period, statistic: 'Sum', label: 'handed to inbound' }),
        ...Object.keys(props.functions).map(
          (stem) =>
            new Metric({ namespace: METRICS.namespace, metricName: METRICS.droppedEvents, dimensionsMap: { function: stem }, period, statistic: 'Sum', label: `${stem} dropped` }),
        ),
      ],
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Errors',
      left: Object.entries(props.functions).map(([stem, fn]) => fn.metricErrors({ period, statistic: 'Sum', label: stem })),
      right: ['TargetErrorCount', 'InvocationDroppedCount'].map(
        (metricName) => new Metric({ namespace: 'AWS/Scheduler', metricName, period, statistic: 'Sum', label: `scheduler ${metricName}` }),
      ),
      width: 12,
    }),
    new GraphWidget({
      title: 'Failure queue depths',
      left: Object.entries(props.failureQueues).map(([name, queue]) =>
        queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: name }),
      ),
      width: 12,
    }),
  );
  return dashboard;
}
