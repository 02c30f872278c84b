// The environment variables the service stack sets on each function and the functions read
// (functions/adapters/aws/runtime-config.ts parses them). One list that both sides import, so
// a renamed variable cannot leave a function reading a name the stack no longer sets.
export const ENV_NAMES = {
  tableName: 'TABLE_NAME',
  replyTokenSecretArn: 'REPLY_TOKEN_SECRET_ARN',
  domain: 'BATON_DOMAIN',
  inboundDomain: 'BATON_INBOUND_DOMAIN',
  sender: 'BATON_SENDER',
  linksBaseUrl: 'BATON_LINKS_BASE_URL',
  maxSendRate: 'BATON_MAX_SEND_RATE',
  configurationSet: 'BATON_CONFIGURATION_SET',
  fanOutQueueUrl: 'BATON_FANOUT_QUEUE_URL',
  fanOutBatchSize: 'BATON_FANOUT_BATCH_SIZE',
  /** The inbound handler's (functions/handlers/inbound.ts) buckets. */
  inboundBucket: 'INBOUND_BUCKET',
  attachmentBucket: 'ATTACHMENT_BUCKET',
  /** Optional, inbound only: where the upload link in an ack points. The stack does not set it. */
  uploadUrl: 'BATON_UPLOAD_URL',
  region: 'AWS_REGION',
  /** The studio function plans schedules after enrolling or unenrolling: dispatch, the role, the DLQ. */
  scheduleTargetArn: 'BATON_SCHEDULE_TARGET_ARN',
  schedulerRoleArn: 'BATON_SCHEDULER_ROLE_ARN',
  schedulerDlqArn: 'BATON_SCHEDULER_DLQ_ARN',
  /** The studio hands confirmed training edits to the publish function (async invoke). */
  publishFunctionArn: 'BATON_PUBLISH_FUNCTION_ARN',
} as const;
