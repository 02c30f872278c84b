// The bundling worker's entry (BatonFunction starts it; infra/bundle.ts is its body): plain
// JavaScript, so it starts under any loader the synth runs in (tsx's CLI, vitest), and loads the
// TypeScript body through tsx. Should that fail, every request is answered with why, so no synth
// waits forever for an answer.
import { parentPort, workerData } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

try {
  await tsImport('./bundle.ts', import.meta.url);
} catch (error) {
  parentPort.on('message', () => {
    workerData.replies.postMessage({ error: `the bundling worker could not start: ${error?.stack ?? error}` });
    Atomics.store(workerData.done, 0, 1);
    Atomics.notify(workerData.done, 0);
  });
}
