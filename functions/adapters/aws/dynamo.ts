// The DynamoDB store's public face, so its callers import `#adapters/aws/dynamo` whatever the
// folder behind it holds (dynamo/: one module per aggregate, table.ts for the keys).
export { createDynamoClient, createStore, MalformedItemError, type RequestCounts, type Store } from './dynamo/index.ts';
