// The disk side of the series parser: reads a series folder into the plain files the pure parser
// takes, and turns its problems into lines an editor or terminal can jump to.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { Problem, SourceFile } from '#core/problem';
import { parseSeries, SERIES_FILE } from '#core/series';
import { parseParticipantsCsv, type ParticipantsCsvResult } from '#core/participants';
import type { Participant, Series, Training } from '#core/model';
import { UserError } from '#core/user-error';
import { decodeText } from '#core/text-encoding';

export interface LoadedSeries {
  series: Series;
  trainings: Training[];
  warnings: Problem[];
}

/**
 * The files of a series folder that the parser reads: `series.yaml` and `trainings/*.md`, with
 * paths relative to the folder. Anything else (images, notes, participants.csv) is left alone.
 */
export async function readSeriesDir(dir: string): Promise<SourceFile[]> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) {
    throw new UserError(`${dir} is not a folder: pass the series folder, the one that holds ${SERIES_FILE} and trainings/`);
  }
  const files: SourceFile[] = [];
  const seriesPath = join(dir, SERIES_FILE);
  const seriesText = await readFile(seriesPath, 'utf8').catch(() => undefined);
  if (seriesText !== undefined) files.push({ path: SERIES_FILE, text: seriesText });

  const trainingsDir = join(dir, 'trainings');
  const names = await readdir(trainingsDir, { withFileTypes: true }).catch(() => []);
  for (const entry of names.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isFile() || !entry.name.endsWith('.md')) continue;
    files.push({ path: `trainings/${entry.name}`, text: await readFile(join(trainingsDir, entry.name), 'utf8') });
  }
  return files;
}

/** `path:line:col: severity: message`, the shape compilers print and editors link. */
export function formatProblem(problem: Problem, baseDir: string, severity?: 'error' | 'warning'): string {
  const path = displayPath(join(baseDir, problem.file));
  const where = problem.line > 0 ? `:${problem.line}${problem.column ? `:${problem.column}` : ''}` : '';
  return `${path}${where}: ${severity ? `${severity}: ` : ''}${problem.message}`;
}

/** A path as the person at the terminal would type it: relative to where they are. */
export function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  if (rel === '') return '.';
  // Outside the working folder, "../../tmp/x" says less than the absolute path.
  return rel.startsWith('..') ? resolve(path) : rel;
}

/** Reads and parses a series folder; throws a UserError listing every problem when it is not valid. */
export async function loadSeries(dir: string): Promise<LoadedSeries> {
  return parseSeriesDir(dir, await readSeriesDir(dir));
}

/** Parses the files readSeriesDir read from `dir`; throws a UserError listing every problem when they are not valid. */
export function parseSeriesDir(dir: string, files: SourceFile[]): LoadedSeries {
  const result = parseSeries(files);
  if (!result.ok) {
    const lines = result.errors.map((p) => `  ${formatProblem(p, dir)}`);
    throw new UserError(
      `the series in ${displayPath(dir)} has ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
    );
  }
  return { series: result.series, trainings: result.trainings, warnings: result.warnings };
}

/** Reads and checks a participants CSV with the series' defaults, without throwing on bad rows. */
export async function checkParticipants(
  csvPath: string,
  defaults: { defaultTimeZone: string; defaultWorkStart: string },
): Promise<ParticipantsCsvResult> {
  const bytes = await readFile(csvPath).catch((err: NodeJS.ErrnoException) => {
    throw new UserError(`cannot read ${displayPath(csvPath)} (${err.code ?? err.message}): check the path to the participants CSV`);
  });
  const file = displayPath(csvPath);
  const decoded = decodeText(bytes, file);
  if (!decoded.ok) return { participants: [], errors: [decoded.error], warnings: [] };
  const result = parseParticipantsCsv(decoded.text, { file, ...defaults });
  return decoded.warning ? { ...result, warnings: [decoded.warning, ...result.warnings] } : result;
}

/** Reads a participants CSV; throws a UserError listing every bad row. */
export async function loadParticipants(csvPath: string, series: Series): Promise<Participant[]> {
  const result = await checkParticipants(csvPath, series);
  if (result.errors.length > 0) {
    const lines = result.errors.map((p) => `  ${formatProblem(p, '')}`);
    throw new UserError(
      `${displayPath(csvPath)} has ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}:\n${lines.join('\n')}`,
    );
  }
  return result.participants;
}
