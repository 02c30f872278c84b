// Issue 12's crash count as a benchmark: test/integration/app/crash.test.ts's run, larger (a
// 300-person kickoff, an update and a cancel to batches of 50, the sending process SIGKILLed at
// random points), reporting the count and how long the whole run took. A fixed seed by default,
// so two runs kill at comparable points: `CRASH_SEED=123 npm run bench crash`.
import { describeCrash, runCrashPhases, startCrashStack } from '#test/support/crash-harness';

export async function benchCrash(opts: { seed?: number; participants?: number; batch?: number } = {}) {
  const seed = opts.seed ?? Number(process.env.CRASH_SEED ?? 12);
  const h = await startCrashStack({ participants: opts.participants ?? 300, prefix: 'baton-bench-crash-' });
  try {
    const r = await runCrashPhases(h, { seed, kills: { kickoff: 10, update: 6, cancel: 6 }, batch: opts.batch ?? 50 });
    const line = describeCrash(r);
    process.stderr.write(`\n${line}\n`);
    return {
      line,
      seed,
      kills: r.kills,
      runtimeMs: r.runtimeMs,
      exactlyOnce: r.phases.every((p) => p.tally.exactlyOne === p.recipients && !p.tally.duplicates.length && !p.unrecorded.length),
      kinds: Object.fromEntries(
        r.phases.map((p) => [
          p.kind,
          { recipients: p.recipients, exactlyOne: p.tally.exactlyOne, duplicates: p.tally.duplicates.length, missing: p.tally.missing.length, unrecorded: p.unrecorded.length, kills: p.kills, launches: p.launches },
        ]),
      ),
    };
  } finally {
    await h.stop();
  }
}
