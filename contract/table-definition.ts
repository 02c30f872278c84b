// The shape of Baton's one DynamoDB table, shared by the CDK state stack and the local stack
// (dynalite) so both create exactly the same table. Which items live under which keys is
// documented in dynamo.ts, the only module that reads or writes them.
export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Secondary index for look-ups by another identity (a participant's email across series, a message id). */
  gsi1: { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
  /** Items with this attribute (epoch seconds) expire: inbound message ids, one-click nonces. */
  timeToLiveAttribute: 'expiresAt',
} as const;
