// Participants arrive as a CSV a trainer exports from a spreadsheet or an HR tool:
// `email,name,timeZone,workStart[,workDays][,calendar][,language][,team]`, a header row first, columns in any order. Spreadsheets add
// BOMs, CRLF line ends, quoted names with commas and blank rows, so the CSV reader is a real one,
// and every row problem names its line so the trainer can fix the sheet and export again.
import { EmailSchema, LANGUAGES, LanguageSchema, ParticipantSchema, type Language, type Participant } from './model.ts';
import { parseWorkDays } from './time.ts';
import { MAX_NAME_LENGTH, sanitizeLine } from './sanitize.ts';
import type { Problem } from './problem.ts';
import { FriendlyTimeZoneSchema, normalizeLocalTime, timeZoneMessage } from './zones.ts';

export interface CsvField {
  value: string;
  /** 1-based line and column where the field starts. */
  line: number;
  column: number;
}

export interface CsvRecord {
  line: number;
  fields: CsvField[];
}

/**
 * The field separator of a CSV, read from its header line: Excel in much of Europe saves "CSV"
 * with semicolons (the comma is their decimal mark), so a header with more semicolons than
 * commas outside quotes is a semicolon file.
 */
export function sniffDelimiter(text: string): ',' | ';' {
  const header = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/, 1)[0]!.replace(/"(?:[^"]|"")*"/g, '');
  const count = (ch: string) => header.split(ch).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

/**
 * RFC 4180 CSV: fields separated by commas, optionally in double quotes, with "" for a quote
 * inside quotes; quoted fields may hold commas and line breaks. Accepts CRLF, LF or CR and a
 * leading BOM. An unterminated quote is reported at the line where it opened.
 */
export function parseCsv(text: string, delimiter = sniffDelimiter(text)): { records: CsvRecord[]; error?: { line: number; column: number; message: string } } {
  const src = text.replace(/^\uFEFF/, '');
  const records: CsvRecord[] = [];
  let line = 1;
  let column = 1;
  let i = 0;
  let fields: CsvField[] = [];
  let recordLine = 1;

  const newline = () => {
    // CRLF and lone CR count as one line end.
    if (src[i] === '\r' && src[i + 1] === '\n') i++;
    i++;
    line++;
    column = 1;
  };

  while (i <= src.length) {
    const start = { line, column };
    let value = '';
    if (src[i] === '"') {
      i++;
      column++;
      for (;;) {
        if (i >= src.length) {
          return {
            records,
            error: {
              ...start,
              message: 'a quoted value is never closed: add the missing " (a quote inside a quoted value is written "")',
            },
          };
        }
        const ch = src[i]!;
        if (ch === '"') {
          if (src[i + 1] === '"') {
            value += '"';
            i += 2;
            column += 2;
            continue;
          }
          i++;
          column++;
          break;
        }
        if (ch === '\r' || ch === '\n') {
          value += '\n';
          newline();
          continue;
        }
        value += ch;
        i++;
        column++;
      }
      // Spreadsheets never write text after a closing quote, but hand-edited files might; keep it.
      while (i < src.length && src[i] !== delimiter && src[i] !== '\n' && src[i] !== '\r') {
        value += src[i];
        i++;
        column++;
      }
    } else {
      while (i < src.length && src[i] !== delimiter && src[i] !== '\n' && src[i] !== '\r') {
        value += src[i];
        i++;
        column++;
      }
    }
    fields.push({ value, ...start });
    if (i < src.length && src[i] === delimiter) {
      i++;
      column++;
      continue;
    }
    records.push({ line: recordLine, fields });
    fields = [];
    if (i >= src.length) break;
    newline();
    recordLine = line;
  }
  // A file that ends with a line break yields one empty record; so do blank lines.
  return { records: records.filter((r) => r.fields.some((f) => f.value.trim() !== '')) };
}

export interface ParticipantsCsvOptions {
  /** Name to put in problems: the path as the trainer knows it. */
  file: string;
  /** Used where the timeZone cell is empty (the series' defaultTimeZone). */
  defaultTimeZone: string;
  /** Used where the workStart cell is empty (the series' defaultWorkStart). */
  defaultWorkStart: string;
}

export interface ParticipantsCsvResult {
  /** The rows that are valid; rows with errors are left out. */
  participants: Participant[];
  errors: Problem[];
  warnings: Problem[];
}

type Column = 'email' | 'name' | 'timeZone' | 'workStart' | 'workDays' | 'calendar' | 'language' | 'team';
const COLUMNS: readonly Column[] = ['email', 'name', 'timeZone', 'workStart', 'workDays', 'calendar', 'language', 'team'];
const HEADER_EXAMPLE = 'email,name,timeZone,workStart';

// Header names as people type them in a spreadsheet.
const COLUMN_ALIASES: Record<string, Column> = {
  email: 'email',
  emailaddress: 'email',
  mail: 'email',
  name: 'name',
  fullname: 'name',
  timezone: 'timeZone',
  tz: 'timeZone',
  zone: 'timeZone',
  workstart: 'workStart',
  start: 'workStart',
  daystart: 'workStart',
  workdaystart: 'workStart',
  starttime: 'workStart',
  workdays: 'workDays',
  workingdays: 'workDays',
  workweek: 'workDays',
  days: 'workDays',
  calendar: 'calendar',
  calendars: 'calendar',
  calendarentries: 'calendar',
  language: 'language',
  lang: 'language',
  locale: 'language',
  team: 'team',
  group: 'team',
  department: 'team',
  dept: 'team',
  squad: 'team',
};

// A calendar cell: anything that clearly says no turns entries off; empty keeps them on.
const CALENDAR_OFF = new Set(['no', 'n', 'off', 'false', '0', 'none']);
const CALENDAR_ON = new Set(['yes', 'y', 'on', 'true', '1']);

/**
 * Parses and validates a participants CSV. Empty timeZone and workStart cells take the series'
 * defaults. Every bad row is reported (bad address, unknown time zone, bad time, missing name,
 * an email listed twice) with its line; valid rows are still returned.
 */
export function parseParticipantsCsv(text: string, options: ParticipantsCsvOptions): ParticipantsCsvResult {
  const { file } = options;
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const participants: Participant[] = [];
  const csv = parseCsv(text);
  if (csv.error) errors.push({ file, ...csv.error });

  const [header, ...rows] = csv.records;
  if (!header) {
    if (!csv.error) warnings.push({ file, line: 0, message: `the file has no participants: add a header row "${HEADER_EXAMPLE}" and one row per participant` });
    return { participants, errors, warnings };
  }

  const columnAt = new Map<Column, number>();
  header.fields.forEach((field, index) => {
    const key = field.value.trim().toLowerCase().replace(/[^a-z]/g, '');
    const column = COLUMN_ALIASES[key];
    if (!column) {
      if (field.value.trim() !== '') {
        warnings.push({
          file,
          line: field.line,
          column: field.column,
          message: `the column "${field.value.trim()}" is not used and will be ignored (Baton reads ${COLUMNS.join(', ')})`,
        });
      }
      return;
    }
    if (columnAt.has(column)) {
      errors.push({
        file,
        line: field.line,
        column: field.column,
        message: `the header names the ${column} column twice: remove or rename one of them`,
      });
      return;
    }
    columnAt.set(column, index);
  });
  const missing = (['email', 'name'] as const).filter((c) => !columnAt.has(c));
  if (missing.length > 0) {
    const looksLikeData = header.fields.some((f) => f.value.includes('@'));
    errors.push({
      file,
      line: header.line,
      column: 1,
      message: looksLikeData
        ? `the first line must be a header row naming the columns, such as "${HEADER_EXAMPLE}"; this one looks like a participant: insert the header above it`
        : `the header row has no ${missing.join(' or ')} column: it must name the columns, such as "${HEADER_EXAMPLE}"`,
    });
    return { participants, errors, warnings };
  }

  const firstLineOf = new Map<string, number>();
  for (const row of rows) {
    const problem = (message: string, field?: CsvField): Problem => ({
      file,
      line: field?.line ?? row.line,
      column: field?.column ?? 1,
      message,
    });
    if (row.fields.length > header.fields.length) {
      errors.push(
        problem(
          `this row has ${row.fields.length} values but the header has ${header.fields.length} columns: put a value that contains a comma in double quotes, such as "Mensah, Kwame"`,
        ),
      );
      continue;
    }
    const cell = (c: Column): CsvField | undefined => {
      const index = columnAt.get(c);
      return index === undefined ? undefined : row.fields[index];
    };
    const emailCell = cell('email');
    const nameCell = cell('name');
    const zoneCell = cell('timeZone');
    const startCell = cell('workStart');
    const daysCell = cell('workDays');
    const calendarCell = cell('calendar');
    const languageCell = cell('language');
    const teamCell = cell('team');
    const rowErrors: Problem[] = [];

    const rawEmail = emailCell?.value.trim() ?? '';
    const email = EmailSchema.safeParse(rawEmail);
    if (rawEmail === '') rowErrors.push(problem('the email is missing: add the participant\'s address or remove the row', emailCell));
    else if (!email.success) {
      rowErrors.push(problem(`"${rawEmail}" is not a valid email address: correct it or remove the row`, emailCell));
    }

    // Stored as it will be shown: the sheet may carry stray line breaks, NULs or bidi overrides.
    const name = sanitizeLine(nameCell?.value ?? '');
    if (name === '') {
      rowErrors.push(
        problem(`the name is missing${rawEmail ? ` for ${rawEmail}` : ''}: add it as it should appear in greetings`, nameCell ?? emailCell),
      );
    } else if (name.length > MAX_NAME_LENGTH) {
      rowErrors.push(
        problem(
          `the name${rawEmail ? ` for ${rawEmail}` : ''} is ${name.length} characters long; names can be at most ${MAX_NAME_LENGTH} (they appear in the To: line and every greeting): shorten it`,
          nameCell,
        ),
      );
    }

    let timeZone = options.defaultTimeZone;
    const rawZone = zoneCell?.value.trim() ?? '';
    if (rawZone !== '') {
      const zone = FriendlyTimeZoneSchema.safeParse(rawZone);
      if (zone.success) timeZone = zone.data;
      else rowErrors.push(problem(`timeZone ${timeZoneMessage(rawZone)}`, zoneCell));
    }

    let workStart = options.defaultWorkStart;
    const rawStart = startCell?.value.trim() ?? '';
    if (rawStart !== '') {
      const normalized = normalizeLocalTime(rawStart);
      if (normalized) workStart = normalized;
      else rowErrors.push(problem(`workStart "${rawStart}" is not a time: write it 24-hour as HH:MM, such as 08:30`, startCell));
    }

    // Empty: the series' week, resolved when sends are planned (a later change of the series'
    // default then reaches everyone who did not give their own).
    let workDays: string[] | undefined;
    const rawDays = daysCell?.value.trim() ?? '';
    if (rawDays !== '') {
      workDays = parseWorkDays(rawDays);
      if (!workDays) rowErrors.push(problem(`workDays "${rawDays}" is not a working week: write days or ranges such as Mon-Fri, Sun-Thu or Mon-Thu, Sat`, daysCell));
    }

    let calendars: boolean | undefined;
    const rawCalendar = calendarCell?.value.trim().toLowerCase() ?? '';
    if (CALENDAR_OFF.has(rawCalendar)) calendars = false;
    else if (rawCalendar !== '' && !CALENDAR_ON.has(rawCalendar)) {
      rowErrors.push(problem(`calendar "${calendarCell!.value.trim()}" is not yes or no: write no to send this person the emails without calendar entries`, calendarCell));
    }

    // Empty: the series' language, resolved at send time.
    let language: Language | undefined;
    const rawLanguage = languageCell?.value.trim() ?? '';
    if (rawLanguage !== '') {
      const parsed = LanguageSchema.safeParse(rawLanguage.split(/[-_]/)[0]);
      if (parsed.success) language = parsed.data;
      else rowErrors.push(problem(`language "${rawLanguage}" is not one Baton writes in: use one of ${LANGUAGES.join(', ')}, or leave it empty for the series' language`, languageCell));
    }

    // Empty: no team. Whitespace inside is kept as written; only the ends are trimmed.
    const team = teamCell?.value.trim() ?? '';
    if (team.length > 100) rowErrors.push(problem(`the team "${team.slice(0, 20)}…" is longer than 100 characters: shorten it`, teamCell));

    if (email.success) {
      const earlier = firstLineOf.get(email.data);
      if (earlier !== undefined) {
        rowErrors.push(
          problem(`${email.data} is listed twice, on lines ${earlier} and ${row.line}: keep one of the two rows`, emailCell),
        );
      } else firstLineOf.set(email.data, row.line);
    }

    if (rowErrors.length > 0) {
      errors.push(...rowErrors);
      continue;
    }
    const participant = ParticipantSchema.safeParse({
      email: rawEmail,
      name,
      timeZone,
      workStart,
      ...(workDays ? { workDays } : {}),
      ...(calendars === false ? { calendars } : {}),
      ...(language ? { language } : {}),
      ...(team ? { team } : {}),
    });
    if (participant.success) participants.push(participant.data);
    else {
      // Only reachable when the series' own defaults are invalid, which the series check reports.
      errors.push(problem(`this row does not fit the participant model: ${participant.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`));
    }
  }
  if (rows.length === 0 && errors.length === 0) {
    warnings.push({ file, line: header.line, message: 'the file has a header but no participants: add one row per participant below it' });
  }
  const byLine = (a: Problem, b: Problem) => a.line - b.line || (a.column ?? 0) - (b.column ?? 0);
  return { participants, errors: errors.sort(byLine), warnings: warnings.sort(byLine) };
}
