// The worker thread that builds the function assets of a synth, one after another with one esbuild
// (BatonFunction's local bundling hands it each asset and waits: CDK bundles synchronously, and
// esbuild's plugins, bundlePatches, need its asynchronous API). Loads esbuild and bundling.ts, not
// the CDK. A node process per asset, as before, cost twice the CPU of the bundles themselves.
import { build } from 'esbuild';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { bundleOptions } from './bundling.ts';

/** One asset to build: what BatonFunction's LocalEsbuild asks for. */
export interface BundleRequest {
  entry: string;
  outdir: string;
  externals: readonly string[];
}

/** What the worker answers on `replies` before it raises `done[0]`: nothing, or why it failed. */
export interface BundleReply {
  error?: string;
}

export interface BundleWorkerData {
  replies: MessagePort;
  done: Int32Array;
}

const { replies, done } = workerData as BundleWorkerData;

parentPort!.on('message', async ({ entry, outdir, externals }: BundleRequest) => {
  let reply: BundleReply = {};
  try {
    await build(bundleOptions(entry, outdir, externals));
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  replies.postMessage(reply);
  Atomics.store(done, 0, 1);
  Atomics.notify(done, 0);
});
