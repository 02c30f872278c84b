// What a handler writes while it runs, as CloudWatch Logs would receive it: Powertools Logger
// writes INFO to stdout and WARN/ERROR to stderr, Powertools Metrics writes its EMF lines to
// stdout. Both streams are captured and each JSON line parsed, so tests can assert the exact log
// fields and metrics another engineer's alarms rely on.
import { readFileSync } from 'node:fs';
import { vi } from 'vitest';

export interface LambdaOutput<T> {
  result?: T;
  error?: unknown;
  lines: Record<string, unknown>[];
}

export async function captureOutput<T>(run: () => Promise<T>): Promise<LambdaOutput<T>> {
  const chunks: string[] = [];
  const record = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(record);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(record);
  const output: LambdaOutput<T> = { lines: [] };
  try {
    output.result = await run();
  } catch (error) {
    output.error = error;
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  for (const line of chunks.join('').split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    try {
      output.lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // A line that is not one JSON object is not something Logs Insights could read either.
    }
  }
  return output;
}

/** The EMF metric values in the output: { DroppedEvents: 1, ... } per metric line, summed. */
export function metricsIn(lines: Record<string, unknown>[]): { values: Record<string, number>; dimensionSets: string[][][]; namespaces: string[] } {
  const values: Record<string, number> = {};
  const dimensionSets: string[][][] = [];
  const namespaces: string[] = [];
  for (const line of lines) {
    const aws = line._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } | undefined;
    if (!aws) continue;
    for (const m of aws.CloudWatchMetrics) {
      namespaces.push(m.Namespace);
      dimensionSets.push(m.Dimensions);
      for (const { Name } of m.Metrics) {
        const v = line[Name];
        values[Name] = (values[Name] ?? 0) + (Array.isArray(v) ? v.reduce((a: number, b: number) => a + b, 0) : Number(v));
      }
    }
  }
  return { values, dimensionSets, namespaces };
}

/** A fixture under test/fixtures/aws/, parsed fresh so a test may adapt its values. */
export function awsFixture<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/aws/${path}`, import.meta.url), 'utf8')) as T;
}
