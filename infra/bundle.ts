// Builds one function's asset (BatonFunction's local bundling runs this in a child process, since
// CDK bundles synchronously and esbuild's plugins need its asynchronous API):
//   node --import tsx infra/bundle.ts <entry> <outdir> [<external>...]
import { build } from 'esbuild';
import { bundleOptions } from './bundling.ts';

const [entry, outdir, ...externals] = process.argv.slice(2);
if (!entry || !outdir) throw new Error('usage: infra/bundle.ts <entry> <outdir> [<external>...]');
await build(bundleOptions(entry, outdir, externals));
