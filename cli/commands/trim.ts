// `baton trim`: the reply trimmer on stdin. Plain mode prints the reply of one body; --jsonl
// trims many bodies in one process (what the benchmark and comparisons with other trimmers use).
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { trimHtmlReply, trimReply, type Trimmed } from '#core/trim';
import { UserError } from '#core/user-error';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['trim'];

const CaseSchema = z
  .object({
    id: z.union([z.string(), z.number()]),
    text: z.string().optional(),
    html: z.string().optional(),
    sentTexts: z.array(z.string()).optional(),
  })
  .refine((c) => c.text !== undefined || c.html !== undefined, { message: 'needs "text" or "html"' });

export async function run(args: string[]): Promise<number> {
  let values: { jsonl?: boolean; html?: boolean };
  try {
    ({ values } = parseArgs({
      args,
      options: { jsonl: { type: 'boolean' }, html: { type: 'boolean' } },
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UserError(`${(err as Error).message}\nUsage: baton ${usage}`);
  }
  const html = values.html === true;

  if (!values.jsonl) {
    const input = await readAll();
    const t = html ? trimHtmlReply(input) : trimReply(input);
    process.stdout.write(t.reply.length > 0 ? `${t.reply}\n` : '');
    return 0;
  }

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    const parsed = parseCase(line, lineNo);
    const opts = parsed.sentTexts ? { sentTexts: parsed.sentTexts } : {};
    const t: Trimmed =
      parsed.html !== undefined && (html || parsed.text === undefined)
        ? trimHtmlReply(parsed.html, opts)
        : trimReply(parsed.text ?? '', opts);
    const out = `${JSON.stringify({ id: parsed.id, reply: t.reply, signature: t.signature })}\n`;
    if (!process.stdout.write(out)) await new Promise((r) => process.stdout.once('drain', r));
  }
  return 0;
}

function parseCase(line: string, lineNo: number): z.infer<typeof CaseSchema> {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch (err) {
    throw new UserError(`stdin line ${lineNo}: not JSON (${(err as Error).message}). Each line must be {"id", "text"}.`);
  }
  const result = CaseSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? ` at "${issue.path.join('.')}"` : '';
    throw new UserError(
      `stdin line ${lineNo}: ${issue?.message ?? 'invalid'}${where}. Each line must be {"id": string|number, "text": string} (or "html").`,
    );
  }
  return result.data;
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
