// Runs before every test file of a project whose files share a worker's module graph
// (isolate: false): what one file left in process-wide singletons must not reach the next.
import { createRequire } from 'node:module';

const sesLocal = createRequire(import.meta.url)('aws-ses-v2-local/dist/store.js') as { clearStore(): void };
sesLocal.clearStore();
