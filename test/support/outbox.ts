// The local stack's outbox as tests read it: RecordingMailer's raw copies (<dataDir>/outbox/
// <ses-id>.eml), parsed by mailparser. Tests look at what was sent again and again (a sign-in link,
// a reminder, the ack to a reply), and parsing the whole outbox on every look was most of the CPU
// of the files that do it. A copy is written whole once and never changed, so each is parsed once;
// the cache is keyed by path, size and mtime all the same, so a copy read while it was being
// written, or written again, is parsed again.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';

/**
 * A sent mail as mailparser reads it, without `textAsHtml`: the tests read the text part and the
 * HTML part the mail carries, never mailparser's HTML made from the text, and linkifying every
 * text part was a good part of the parse (skipTextToHtml).
 */
export type SentMail = Omit<ParsedMail, 'textAsHtml'>;

interface Parsed {
  size: number;
  mtimeMs: number;
  mail: Promise<SentMail>;
}

/**
 * The copies of the outbox last read, by file name. One outbox at a time: the files of a worker
 * share one module graph (isolate: false), and the cache should not grow over all their outboxes.
 */
let cached: { dir: string; mails: Map<string, Parsed> } | undefined;

function parsedIn(dir: string): Map<string, Parsed> {
  if (cached?.dir !== dir) cached = { dir, mails: new Map() };
  return cached.mails;
}

/** One raw copy, parsed (once, while its size and mtime stay the same). */
export function outboxMail(path: string): Promise<SentMail> {
  const mails = parsedIn(dirname(path));
  const { size, mtimeMs } = statSync(path);
  const known = mails.get(path);
  if (known && known.size === size && known.mtimeMs === mtimeMs) return known.mail;
  const mail: Promise<SentMail> = simpleParser(readFileSync(path), { skipTextToHtml: true });
  mails.set(path, { size, mtimeMs, mail });
  return mail;
}

/** Every mail in the outbox `dir`, in the order of its file names; none while nothing was sent. */
export async function outboxMails(dir: string): Promise<SentMail[]> {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return Promise.all(files.map((f) => outboxMail(join(dir, f))));
}
