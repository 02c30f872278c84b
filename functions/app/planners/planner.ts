// What every planner is given and returns. Dispatch (run-job.ts) owns the map of planners by job
// kind and imports them; they import only this contract back, so the two never form a circle.
import type { PublishedSeries, StoredParticipant } from '#core/records';
import type { Job } from '#core/jobs';
import type { MailSettings } from '#mail/compose';
import type { CompiledEmail } from '#mail/fill';
import type { Outgoing } from '../deliver.ts';
import type { Clock, JobStore, Mailer } from '../ports.ts';

export interface DispatchDeps {
  store: JobStore;
  send: Mailer;
  settings: MailSettings;
  now: Clock;
  leaseMs?: number;
}

export interface JobContext {
  job: Job;
  published: PublishedSeries;
  participants: StoredParticipant[];
  deps: DispatchDeps;
  template(name: string): Promise<CompiledEmail>;
}

export type JobPlanner = (ctx: JobContext) => Promise<Outgoing[]>;

export class DispatchError extends Error {
  override name = 'DispatchError';
}
