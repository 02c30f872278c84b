// Parsing an inbound reply, text first (issue 14). Nearly every reply is a multipart/alternative
// whose text/html part holds most of the bytes, and decoding it was the largest cost of reading a
// reply. The HTML is read only when the text is empty or missing (trimParsed, detectAutoReply), so
// the first pass leaves out a text/html part that follows a text/plain sibling in the same
// multipart/alternative; when the text comes out empty anyway, the message is parsed again in full.
// What else a reply carries (headers, attachments, related images, the raw message) is unchanged:
// only that one node is not decoded, and mailparser puts nothing of an alternative's HTML into the
// text (it converts HTML to text only outside an alternative, and skipHtmlToText is on).
import { MailParser, simpleParser, type AttachmentStream, type Headers, type MailParserOptions, type ParsedMail } from 'mailparser';

type Chunk = { type: 'node' | 'body' | 'data'; contentType?: string; disposition?: string; parentNode?: unknown };
interface ParserInternals {
  processChunk(data: Chunk, done: (err?: Error) => void): void;
  curnode: { contentType?: string; node?: { parentNode?: unknown } } | false | undefined;
}

/**
 * A MailParser that does not decode an alternative's HTML when its text/plain came first. It hooks
 * mailparser's internal processChunk: should a new mailparser lack it, the constructor throws and
 * parseMail parses in full (the receive-reply test of an undecoded HTML part then fails).
 */
class TextFirstParser extends MailParser {
  private skipping = false;
  skipped = 0;

  constructor(options: MailParserOptions) {
    super(options);
    const self = this as unknown as ParserInternals;
    const processChunk = self.processChunk.bind(this);
    self.processChunk = (data, done) => {
      if (data.type === 'node') {
        const parent = data.parentNode as { contentType?: string } | undefined;
        const current = self.curnode;
        // The node before it is its text/plain sibling: an alternative's text came first.
        this.skipping =
          data.contentType === 'text/html' &&
          parent?.contentType === 'multipart/alternative' &&
          data.disposition !== 'attachment' &&
          current !== undefined &&
          current !== false &&
          current.contentType === 'text/plain' &&
          current.node?.parentNode === parent;
        if (this.skipping) {
          this.skipped++;
          return done();
        }
      } else if (this.skipping) {
        if (data.type === 'body') return done();
        this.skipping = false;
      }
      processChunk(data, done);
    };
  }
}

/** simpleParser's reading of a MailParser's output, the parser being a TextFirstParser. */
function parseTextFirst(raw: Buffer, options: MailParserOptions): Promise<{ mail: ParsedMail; skipped: number }> {
  return new Promise((resolve, reject) => {
    const parser = new TextFirstParser(options);
    const mail = { attachments: [] as unknown[] } as Record<string, unknown> & { attachments: unknown[]; headers?: Headers };
    let settled = false;
    const settle = (err: Error | null) => {
      if (settled) return;
      settled = true;
      if (err) reject(err);
      else resolve({ mail: mail as unknown as ParsedMail, skipped: parser.skipped });
    };
    parser.on('error', settle);
    parser.on('headers', (headers: Headers) => {
      mail.headers = headers;
    });
    let reading = false;
    const reader = (): void => {
      reading = true;
      const data = parser.read() as ({ type: 'text' } & Record<string, unknown>) | AttachmentStream | null;
      if (data === null) {
        reading = false;
        return;
      }
      if (data.type === 'text') {
        for (const key of ['text', 'html', 'textAsHtml', 'textConversionError']) if (key in data) mail[key] = (data as Record<string, unknown>)[key];
        return reader();
      }
      if (data.type === 'attachment') {
        const attachment = data;
        mail.attachments.push(attachment);
        const chunks: Buffer[] = [];
        const stream = attachment.content;
        stream.on('readable', () => {
          let chunk: Buffer | null;
          while ((chunk = stream.read() as Buffer | null) !== null) chunks.push(chunk);
        });
        stream.on('end', () => {
          (attachment as unknown as { content: Buffer }).content = Buffer.concat(chunks);
          attachment.release?.();
          reader();
        });
        return;
      }
      reader();
    };
    parser.on('readable', () => {
      if (!reading) reader();
    });
    parser.on('end', () => {
      for (const key of ['subject', 'references', 'date', 'to', 'from', 'cc', 'bcc', 'message-id', 'in-reply-to', 'reply-to']) {
        if (mail.headers?.has(key)) mail[key.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase())] = mail.headers.get(key);
      }
      parser.updateImageLinks(
        (attachment, done) => done(false, `data:${attachment.contentType};base64,${(attachment.content as unknown as Buffer).toString('base64')}`),
        (err, html) => {
          if (err) return settle(err);
          mail.html = html;
          settle(null);
        },
      );
    });
    parser.end(raw);
  });
}

/**
 * The parsed message, its HTML decoded only when it has no text: a text/html alternative that
 * follows a non-empty text/plain one comes back as html undefined. Anything the first pass
 * cannot read, or whose text is empty, is parsed in full by simpleParser (its error, if any).
 */
export async function parseMail(raw: Buffer, options: MailParserOptions): Promise<ParsedMail> {
  try {
    const { mail, skipped } = await parseTextFirst(raw, options);
    if (skipped === 0 || mail.text?.trim()) return mail;
  } catch {
    // simpleParser says what is wrong with it, below.
  }
  return simpleParser(raw, options);
}
