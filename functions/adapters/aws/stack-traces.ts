// Stack traces of a bundled Lambda, mapped back to the TypeScript sources when a trace is written,
// not at every cold start. Injected at the top of every bundle (BUNDLE_INJECT in
// infra/baton-function.ts) in place of NODE_OPTIONS=--enable-source-maps: with that flag Node reads
// and parses the bundle's map (1–2 MB of JSON) and indexes the bundle's lines while importing it,
// which was a tenth of each function's import (issue 16), for traces most starts never print.
// Here nothing happens at import but one existsSync; the map is read the first time a trace with a
// frame in the bundle is formatted (V8 formats `error.stack` on first access: the Powertools
// logger, the Lambda runtime's report of an uncaught error), and Node's own SourceMap parses it.
// Frames read as Node's would: `at name (source:line:column)`, the name the source gives where the
// map knows it. Where there is no map beside the module (tests, tsx, the CLI) it installs nothing.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * Installs the mapping for the module at `moduleUrl` if its map sits beside it; says whether it did.
 * A bundle split into chunks (infra/bundling.ts, bundleOptions) has a map beside each chunk:
 * every module of the bundle's directory with a map is mapped, each map read on its first frame.
 */
export function mapStackTracesOf(moduleUrl: string): boolean {
  if (!moduleUrl.startsWith('file:')) return false;
  const file = fileURLToPath(moduleUrl);
  if (!existsSync(`${file}.map`)) return false;
  const dir = dirname(file);
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (path: string): SourceMap | null => {
    let map = maps.get(path);
    if (map === undefined) {
      try {
        map = new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8')));
      } catch {
        map = null; // an unreadable (or absent) map leaves the frame as V8 writes it
      }
      maps.set(path, map);
    }
    return map;
  };
  /** The bundle's file a frame is in, as a path, or undefined for a frame outside the bundle. */
  const bundleFile = (site: NodeJS.CallSite | undefined): string | undefined => {
    const name = site?.getFileName();
    if (!name) return undefined;
    const path = name.startsWith('file:') ? fileURLToPath(name) : name;
    return dirname(path) === dir && /\.m?js$/.test(path) ? path : undefined;
  };
  const entryAt = (site: NodeJS.CallSite | undefined) => {
    const path = bundleFile(site);
    const map = path ? mapOf(path) : null;
    return map && path ? { path, entry: map.findEntry((site!.getLineNumber() ?? 1) - 1, (site!.getColumnNumber() ?? 1) - 1) } : undefined;
  };
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, sites) => {
    if (!sites.some((site) => bundleFile(site) && mapOf(bundleFile(site)!))) return previous ? previous(error, sites) : defaultTrace(error, sites);
    const lines = sites.map((site, i) => {
      const at = entryAt(site);
      if (!at || !('originalSource' in at.entry)) return `    at ${site}`;
      const { entry } = at;
      // As Node does: a frame's own name is the name at its caller's call site, which the map keeps.
      const callerEntry = entryAt(sites[i + 1])?.entry;
      const name = (callerEntry && 'name' in callerEntry && callerEntry.name) || site.getFunctionName();
      const where = `${sourcePath(entry.originalSource, pathToFileURL(at.path).href)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
      const prefix = site.isAsync() ? 'async ' : site.isConstructor() ? 'new ' : '';
      return name ? `    at ${prefix}${name} (${where})` : `    at ${prefix}${where}`;
    });
    return [header(error), ...lines].join('\n');
  };
  return true;
}

/** The source's path as Node writes it: the map's `sources` are relative to the bundle. */
function sourcePath(source: string, moduleUrl: string): string {
  try {
    const url = new URL(source, moduleUrl);
    return url.protocol === 'file:' ? fileURLToPath(url) : url.href;
  } catch {
    return source;
  }
}

function header(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return '<error>';
  }
}

function defaultTrace(error: Error, sites: NodeJS.CallSite[]): string {
  return [header(error), ...sites.map((site) => `    at ${site}`)].join('\n');
}

mapStackTracesOf(import.meta.url);
