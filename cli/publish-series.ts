// Publishing from a series folder, as the commands (and the local stack's first start) do it:
// read and validate the folder, then run the publish use case with mjml as its template compiler.
// The use case itself (functions/app/publish.ts) never touches the disk or mjml.
import type { Store } from '#adapters/aws/dynamo';
import { publish, type PublishResult, type RemoteSchedules } from '#app/publish';
import { compileTemplates } from '#emails/compile-series';
import { loadSeries } from './series-dir.ts';

export async function publishSeries(dir: string, store: Store, now: Date, options: { remote?: RemoteSchedules } = {}): Promise<PublishResult> {
  return publish(await loadSeries(dir), { store, now, compile: compileTemplates, ...(options.remote ? { remote: options.remote } : {}) });
}
