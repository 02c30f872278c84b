// Debian's python3-icalendar as a second reader of the calendars Baton writes (python-ical.py):
// one Python process per test file, asked over a pipe, since starting Python and importing
// icalendar again for every calendar cost more than all the rest of a calendar test.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const HELPER = fileURLToPath(new URL('python-ical.py', import.meta.url));
// Debian's interpreter: python3-icalendar is installed for it, not for a pyenv python3 on PATH.
const PYTHON = '/usr/bin/python3';

export interface PyWhen {
  kind: 'date' | 'instant' | 'floating';
  value: string;
}
export interface PyPerson {
  value: string;
  cn: string | null;
  rsvp: string | null;
  partstat: string | null;
}
export interface PyEvent {
  uid: string;
  sequence: number;
  status: string | null;
  summary: string;
  description: string | null;
  dtstart: PyWhen;
  dtend: PyWhen;
  dtstamp: PyWhen;
  organizer: PyPerson | null;
  attendees: PyPerson[];
}
export interface PyCalendar {
  method: string;
  version: string;
  events: PyEvent[];
}

export interface PythonIcal {
  /** What python3-icalendar read in each calendar, in order; rejects with Python's error. */
  parse(...calendars: string[]): Promise<PyCalendar[]>;
  /** Ends the Python process (in the file's afterAll: a file must not leave a child running). */
  close(): Promise<void>;
}

/** A reader whose Python process starts at the first question. */
export function pythonIcal(): PythonIcal {
  let child: ChildProcessWithoutNullStreams | undefined;
  let stderr = '';
  const waiting: { resolve: (line: string) => void; reject: (error: Error) => void }[] = [];
  const start = () => {
    const c = spawn(PYTHON, [HELPER, '--serve']);
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    createInterface({ input: c.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
    const fail = (why: string) => {
      for (const w of waiting.splice(0)) w.reject(new Error(`python-ical.py ${why}: ${stderr.slice(-2000)}`));
    };
    c.on('error', (e) => fail(e.message));
    c.on('exit', (code, signal) => fail(`exited (${code ?? signal})`));
    return c;
  };
  return {
    async parse(...calendars) {
      child ??= start();
      const line = await new Promise<string>((resolve, reject) => {
        waiting.push({ resolve, reject });
        child!.stdin.write(`${JSON.stringify(calendars)}\n`);
      });
      const answer = JSON.parse(line) as PyCalendar[] | { error: string };
      if (!Array.isArray(answer)) throw new Error(`python3-icalendar could not read a calendar: ${answer.error}`);
      return answer;
    },
    async close() {
      const c = child;
      child = undefined;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        c.once('exit', () => resolve());
        c.stdin.end();
      });
    },
  };
}
