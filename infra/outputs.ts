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
  configurationSetName: 'ConfigurationSetName',
  receiptRuleSetName: 'ReceiptRuleSetName',
  alarmTopicArn: 'AlarmTopicArn',
  dkimRecords: 'DkimRecords',
  mailFromDomain: 'MailFromDomain',
} as const;
