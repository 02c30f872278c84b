// The stacks' output keys: the CLI's aws target reads these from CloudFormation, so they are one
// list that both sides import. No CDK imports here, so the CLI loads it without aws-cdk-lib.
export const STATE_STACK = 'BatonState';
export const SERVICE_STACK = 'BatonService';

export const STATE_OUTPUTS = {
  tableName: 'TableName',
  inboundMailBucket: 'InboundMailBucketName',
  attachmentBucket: 'AttachmentBucketName',
  replyTokenSecretArn: 'ReplyTokenSecretArn',
} as const;

export const SERVICE_OUTPUTS = {
  dispatchFunctionArn: 'DispatchFunctionArn',
  schedulerRoleArn: 'SchedulerRoleArn',
  schedulerDeadLetterQueueArn: 'SchedulerDeadLetterQueueArn',
  fanOutQueueUrl: 'FanOutQueueUrl',
  linksUrl: 'LinksUrl',
  studioUrl: 'StudioUrl',
  configurationSetName: 'ConfigurationSetName',
  receiptRuleSetName: 'ReceiptRuleSetName',
  alarmTopicArn: 'AlarmTopicArn',
  dkimRecords: 'DkimRecords',
  mailFromDomain: 'MailFromDomain',
  // Every queue where a failure lands, read by `baton dlq list|replay --target aws`.
  fanOutDeadLetterQueueUrl: 'FanOutDeadLetterQueueUrl',
  schedulerDeadLetterQueueUrl: 'SchedulerDeadLetterQueueUrl',
  dispatchFailureQueueUrl: 'DispatchFailureQueueUrl',
  inboundDeadLetterQueueUrl: 'InboundDeadLetterQueueUrl',
  mailEventsDeadLetterQueueUrl: 'MailEventsDeadLetterQueueUrl',
  inboundFunctionArn: 'InboundFunctionArn',
  mailEventsFunctionArn: 'MailEventsFunctionArn',
} as const;

/** Custom metrics (Powertools Metrics, EMF) that handlers publish and alarms watch. */
export const METRICS = {
  namespace: 'Baton',
  /** An event a handler could not parse or had to drop; dimension `function`. */
  droppedEvents: 'DroppedEvents',
} as const;
