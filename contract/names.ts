// Numbers and names the stack and the functions must agree on, beyond the environment: the
// stack configures AWS with them, the functions rely on that configuration.

/**
 * Concurrent send workers share the account's send rate: the stack caps the queue's event source
 * at this many concurrent invocations and each worker paces itself to its share.
 */
export const SEND_WORKER_CONCURRENCY = 2;

/**
 * Recipients per queued batch (about 15 s of sending at 14 per second): the stack sets it on
 * dispatch, whose runtime config falls back to the same number.
 */
export const FANOUT_BATCH_SIZE = 200;

/**
 * Every series' schedule group is `baton-<series>` (functions/adapters/aws/scheduler.ts
 * groupName); the scheduler role trusts only groups with this prefix.
 */
export const SCHEDULE_GROUP_PREFIX = 'baton-';

/**
 * How long a claimed delivery is held before another run may take it over. The fan-out queue's
 * visibility timeout is longer than a worker's run plus this, so a redelivered batch finds the
 * claims of a dead worker expired instead of burning a receive on them.
 */
export const DEFAULT_LEASE_MS = 10 * 60_000;
