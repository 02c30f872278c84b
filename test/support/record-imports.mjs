// Preloaded with `node --import` by tests that check what a command loads: every ES module (from
// the loader hook's thread) and every CommonJS module (require's cache at exit) is appended to the
// file named by BATON_RECORD_IMPORTS, one URL or path a line.
import { register, createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';

const out = process.env.BATON_RECORD_IMPORTS;
if (out) {
  register(new URL('./record-imports-hooks.mjs', import.meta.url), { data: { out } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => appendFileSync(out, Object.keys(require.cache).map((p) => `${p}\n`).join('')));
}
