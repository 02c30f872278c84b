// The house rule (docs/architecture-notes.md, .dependency-cruiser.cjs) checked on every run, so the
// rooms cannot drift back: no circular imports, core imports nothing of Baton's, app never
// imports an adapter, nothing imports a handler or the CLI, infra sees only contract/.
import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise, type IReporterOutput } from 'dependency-cruiser';

const root = join(import.meta.dirname, '..', '..');
const require = createRequire(import.meta.url);

async function violations(): Promise<string[]> {
  const config = require(join(root, '.dependency-cruiser.cjs'));
  const previous = process.cwd();
  process.chdir(root);
  try {
    const result: IReporterOutput = await cruise(['functions', 'emails', 'cli', 'infra', 'contract'], { ...config.options, ruleSet: { forbidden: config.forbidden }, validate: true });
    if (typeof result.output === 'string') throw new Error(result.output);
    return result.output.summary.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}${v.cycle ? ` (${v.cycle.map((c) => c.name).join(' → ')})` : ''}`);
  } finally {
    process.chdir(previous);
  }
}

describe('the house', () => {
  it('keeps every room rule: one direction of imports and no circle', async () => {
    expect(await violations()).toEqual([]);
  }, 60_000);

  it('follows the #aliases, so the rule test cannot pass by seeing no imports', async () => {
    // The dispatch handler imports the run-job use case through the #app alias: if the checker
    // could not resolve aliases it would find no edge at all, and the rule test above would pass
    // vacuously. Count the modules it resolved under each room instead.
    const config = require(join(root, '.dependency-cruiser.cjs'));
    const previous = process.cwd();
    process.chdir(root);
    try {
      const result = await cruise(['functions/handlers/dispatch.ts'], { ...config.options, validate: false });
      if (typeof result.output === 'string') throw new Error(result.output);
      const reached = result.output.modules.map((m) => m.source);
      expect(reached).toContain('functions/app/run-job.ts');
      expect(reached).toContain('functions/core/audience.ts');
    } finally {
      process.chdir(previous);
    }
  }, 60_000);
});
