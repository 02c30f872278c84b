// Numbers and names the stack and the functions must agree on, beyond the environment: the
// stack configures AWS with them, the functions rely on that configuration.

/**
 * Concurrent send workers: the stack caps the queue's event source at this many invocations. They
 * (and every other sender) take each send's start from one pace shared in the table, so this
 * number only bounds how much is sent at once: workers × SEND_IN_FLIGHT sends in flight, at
 * ~50–100 ms each, must exceed the account's rate (2 × 8 / 0.1 s = 160/s).
 */
export const SEND_WORKER_CONCURRENCY = 2;

/** Sends one job keeps in flight at once, each behind the shared pace. */
export const SEND_IN_FLIGHT = 8;

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
