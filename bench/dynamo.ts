// Reading a big series' participants back from dynalite: 2,500 people, over 1 MB, several Query
// pages. The test (test/integration/adapters/aws/dynamo.test.ts) checks the list is complete and
// paged; how long it takes is measured here, where a busy machine cannot fail a test.
// Run alone with `npx tsx bench/dynamo.ts` (prints JSON), or call benchDynamo().
import { pathToFileURL } from 'node:url';
import { createStore } from '#adapters/aws/dynamo';
import { ParticipantSchema, type Participant } from '#core/model';
import { startDynalite } from '../test/support/dynalite.ts';

/** The test's 2,500 participants: every other one with a very long name, two zones. */
function people(n: number): Participant[] {
  return Array.from({ length: n }, (_, i) =>
    ParticipantSchema.parse({
      email: `person${String(i).padStart(4, '0')}@example.com`,
      name: i % 2 === 0 ? `Person ${i} ${'with a very long name '.repeat(25)}` : `Person ${i}`,
      timeZone: i % 2 ? 'Asia/Dubai' : 'America/New_York',
      workStart: '08:30',
    }),
  );
}

export interface DynamoBenchResult {
  participants: number;
  approxKB: number;
  queryPages: number;
  /** Median of the timed reads, in milliseconds. */
  listParticipantsMs: number;
}

export async function benchDynamo(opts: { participants?: number; runs?: number } = {}): Promise<DynamoBenchResult> {
  const n = opts.participants ?? 2_500;
  const db = await startDynalite();
  try {
    const store = createStore({ client: db.client, tableName: db.tableName });
    const list = people(n);
    await store.putParticipants('big', list);
    await store.listParticipants('big'); // warm: SDK, connections, dynalite's LevelDB
    const queriesBefore = db.operations.filter((o) => o === 'Query').length;
    const times: number[] = [];
    for (let i = 0; i < (opts.runs ?? 5); i++) {
      const started = performance.now();
      const got = await store.listParticipants('big');
      times.push(performance.now() - started);
      if (got.length !== n) throw new Error(`listParticipants returned ${got.length} of ${n} participants`);
    }
    const queryPages = (db.operations.filter((o) => o === 'Query').length - queriesBefore) / times.length;
    times.sort((a, b) => a - b);
    return {
      participants: n,
      approxKB: Math.round(list.reduce((sum, p) => sum + JSON.stringify(p).length + 120, 0) / 1024),
      queryPages,
      listParticipantsMs: Math.round(times[times.length >> 1]!),
    };
  } finally {
    await db.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchDynamo(), null, 2));
}
