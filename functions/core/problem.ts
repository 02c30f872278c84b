// What an authored file (series folder, participants CSV) did wrong, reported at its file and
// line. Every parser in the core reports these, and the CLI prints them.

/** Something wrong (or worth a second look) in an authored file. `line` 0 means the file as a whole. */
export interface Problem {
  /** Path relative to the series folder, with forward slashes: `trainings/01-sync.md`. */
  file: string;
  line: number;
  column?: number;
  /** What is wrong and what to do about it. */
  message: string;
}

export interface SourceFile {
  path: string;
  text: string;
}
