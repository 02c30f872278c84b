// The local outbox: every email the local stack sent, by person and kind, as the person would see
// it, with its calendars and a form to answer as that person. aws-ses-v2-local's own page shows
// parsed parts without headers or tags, so it cannot say whose mail is what kind, nor reply.
//
// It reads what the stack already keeps: the raw copies under <dataDir>/outbox/<ses-id>.eml
// (RecordingMailer) and, per SES id, the delivery its tags named (<dataDir>/outbox-meta/, written
// by the Send-event proxy). A reply goes over the stack's own SMTP server, so it takes exactly the
// path a real reply takes: token, sender check, trimming, storing, acknowledgement.
//
//   GET  /outbox                      sent mail grouped by person, newest first
//   GET  /outbox/m/<id>               one email: headers, rendered HTML, calendars, reply form
//   GET  /outbox/m/<id>/html          the HTML body alone, sandboxed (the iframe's source)
//   GET  /outbox/m/<id>/ics/<n>       the n-th calendar, downloadable
//   POST /outbox/m/<id>/reply         sends the reply, then back to the email with the outcome
import type { IncomingMessage, ServerResponse } from 'node:http';
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ParsedMail, AddressObject } from 'mailparser';
import { createTransport } from 'nodemailer';
import { escapeHtml } from '#mail/escape';

export const OUTBOX_PATH = '/outbox';

// mailparser (and the tables it builds as it loads) only when the outbox is first looked at, not
// at every `baton dev` start.
const mailparser = () => import('mailparser');

export interface OutboxOptions {
  dataDir: string;
  smtp: { host: string; port: number };
}

/** The delivery a sent message was, as its SES tags named it. */
export interface SentMeta {
  seriesId: string;
  emailId: string;
}

const safeId = (id: string): string => id.replace(/[^A-Za-z0-9._-]/g, '_');

/** Called by the stack's Send-event proxy: the tags are gone once SES answers, so keep them here. */
export function recordSentMeta(dataDir: string, sesMessageId: string, meta: SentMeta): void {
  // A separate folder: readers of outbox/ (simulate, tests) take every file there for a message.
  const dir = join(dataDir, 'outbox-meta');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${safeId(sesMessageId)}.json`), JSON.stringify(meta));
}

// The first part of a delivery's emailId is its kind; these are the words a trainer would use.
const KIND_LABELS: Record<string, string> = {
  kickoff: 'Kickoff',
  training: 'Training',
  reminder: 'Reminder',
  followup: 'Follow-up',
  'follow-up': 'Follow-up',
  rollup: 'Weekly roll-up',
  digest: 'Trainer digest',
  wrapup: 'Wrap-up',
  'wrap-up': 'Wrap-up',
  update: 'Calendar update',
  cancel: 'Cancellation',
  ack: 'Acknowledgement',
  'upload-link': 'Upload link',
  'bounce-back': 'Bounce-back',
};

export function kindOf(emailId: string | undefined): string {
  if (!emailId) return 'Other';
  const head = emailId.split('#')[0] ?? '';
  return KIND_LABELS[head] ?? head.replace(/-/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

interface Entry {
  id: string;
  file: string;
  mtime: number;
  meta: SentMeta | undefined;
}

function entries(dataDir: string): Entry[] {
  const dir = join(dataDir, 'outbox');
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return files.map((f) => {
    const id = f.slice(0, -'.eml'.length);
    let meta: SentMeta | undefined;
    try {
      meta = JSON.parse(readFileSync(join(dataDir, 'outbox-meta', `${id}.json`), 'utf8')) as SentMeta;
    } catch {
      meta = undefined;
    }
    return { id, file: join(dir, f), mtime: statSync(join(dir, f)).mtimeMs, meta };
  });
}

const firstAddress = (a: AddressObject | AddressObject[] | undefined): { address: string; name: string } | undefined => {
  const one = (Array.isArray(a) ? a[0] : a)?.value[0];
  return one?.address ? { address: one.address, name: one.name } : undefined;
};

/** Calendars travel as a text/calendar alternative and as .ics attachments; mailparser gives both as attachments. */
function calendarsOf(mail: ParsedMail): { name: string; text: string }[] {
  return mail.attachments
    .filter((a) => a.contentType === 'text/calendar' || a.contentType === 'application/ics' || a.filename?.toLowerCase().endsWith('.ics'))
    .map((a, i) => ({ name: a.filename ?? `calendar-${i + 1}.ics`, text: a.content.toString('utf8') }));
}

// The page's own look: system fonts, one column, dark text on white (≥ 7:1), a visible focus ring.
const STYLE = `
:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 -apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1a1a1a;background:#fff}
main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h1,h2,p{overflow-wrap:anywhere}
h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
a{color:#0b4f9c}
a:focus-visible,button:focus-visible,textarea:focus-visible,summary:focus-visible,iframe:focus-visible{outline:3px solid #0b4f9c;outline-offset:2px}
ul.mails{list-style:none;padding:0;margin:0}
ul.mails li{border-top:1px solid #d0d0d0;padding:.5rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.kind{font-weight:600;min-width:9rem}
.when{color:#4a4a4a;font-size:.9rem}
.subject{overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem;margin:0 0 1rem}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
iframe{width:100%;height:70vh;border:1px solid #8a8a8a;background:#fff}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f3f3f3;padding:.75rem;font-size:.85rem;max-height:24rem;overflow:auto}
label{display:block;font-weight:600;margin:.5rem 0 .25rem}
textarea{width:100%;min-height:8rem;font:inherit;padding:.5rem;border:1px solid #6b6b6b;border-radius:4px}
button{font:inherit;font-weight:600;margin-top:.5rem;padding:.6rem 1.2rem;min-height:44px;border:0;border-radius:4px;background:#0b4f9c;color:#fff;cursor:pointer}
.notice{padding:.75rem;border-left:4px solid #1d6b2f;background:#eef7f0}
.notice.error{border-color:#a11;background:#fbeeee}
.empty{color:#4a4a4a}
`;

// Our own pages run no script at all; the email HTML is in a sandboxed frame of its own.
const PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
// The email itself: its images (remote or inline), its inline styles, nothing else; `sandbox`
// without allow-scripts and allow-same-origin, whether it is opened in the frame or on its own.
const EMAIL_CSP = "sandbox allow-popups allow-popups-to-escape-sandbox; default-src 'none'; img-src http: https: data: cid:; style-src 'unsafe-inline'; font-src http: https: data:";

function layout(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  res.end(html);
}

const when = (ms: number | Date): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16) + ' UTC';

async function listPage(dataDir: string): Promise<string> {
  const all = entries(dataDir).sort((a, b) => b.mtime - a.mtime);
  const parsed = await Promise.all(all.map(async (e) => ({ e, mail: await (await mailparser()).simpleParser(readFileSync(e.file)) })));
  const byPerson = new Map<string, typeof parsed>();
  for (const p of parsed) {
    const to = firstAddress(p.mail.to)?.address.toLowerCase() ?? '(no recipient)';
    byPerson.set(to, [...(byPerson.get(to) ?? []), p]);
  }
  const people = [...byPerson.keys()].sort();
  const sections = people.map((person) => {
    const mails = byPerson.get(person)!;
    const name = firstAddress(mails[0]!.mail.to)?.name;
    const items = mails
      .map(
        ({ e, mail }) =>
          `<li><span class="kind">${escapeHtml(kindOf(e.meta?.emailId))}</span><a class="subject" href="${OUTBOX_PATH}/m/${encodeURIComponent(e.id)}">${escapeHtml(mail.subject ?? '(no subject)')}</a><span class="when">${escapeHtml(when(mail.date ?? e.mtime))}</span></li>`,
      )
      .join('');
    return `<section aria-labelledby="p-${escapeHtml(safeId(person))}"><h2 id="p-${escapeHtml(safeId(person))}">${escapeHtml(name ? `${name} <${person}>` : person)} <span class="when">(${mails.length})</span></h2><ul class="mails">${items}</ul></section>`;
  });
  const body = people.length
    ? sections.join('')
    : '<p class="empty">Nothing sent yet. Publish a series (or wait for the clock) and reload this page.</p>';
  return layout('Baton outbox', `<h1>Outbox <span class="when">${parsed.length} sent</span></h1>${body}`);
}

async function findMail(dataDir: string, id: string): Promise<{ entry: Entry; mail: ParsedMail } | undefined> {
  const entry = entries(dataDir).find((e) => e.id === id);
  return entry ? { entry, mail: await (await mailparser()).simpleParser(readFileSync(entry.file)) } : undefined;
}

function mailPage(entry: Entry, mail: ParsedMail, notice: { ok: boolean; text: string } | undefined): string {
  const to = firstAddress(mail.to);
  const replyTo = firstAddress(mail.replyTo);
  const base = `${OUTBOX_PATH}/m/${encodeURIComponent(entry.id)}`;
  const calendars = calendarsOf(mail);
  const row = (k: string, v: string | undefined) => (v ? `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>` : '');
  const headers = `<dl>${row('Kind', kindOf(entry.meta?.emailId))}${row('From', mail.from?.text)}${row('To', mail.to && !Array.isArray(mail.to) ? mail.to.text : to?.address)}${row('Reply-To', replyTo?.address)}${row('Subject', mail.subject)}${row('Date', mail.date ? when(mail.date) : undefined)}${row('Message-ID', mail.messageId)}</dl>`;
  const rendered = mail.html
    ? `<h2 id="rendered">The email as sent</h2><iframe title="The email as ${escapeHtml(to?.address ?? 'its recipient')} sees it" sandbox="allow-popups allow-popups-to-escape-sandbox" src="${base}/html"></iframe>`
    : `<h2 id="rendered">The email as sent (plain text)</h2><pre>${escapeHtml(mail.text ?? '')}</pre>`;
  const plain = mail.html && mail.text ? `<details><summary>Plain-text part</summary><pre>${escapeHtml(mail.text)}</pre></details>` : '';
  const cal = calendars.length
    ? `<h2>Calendar</h2>${calendars.map((c, i) => `<p><a href="${base}/ics/${i}" download="${escapeHtml(c.name)}">Download ${escapeHtml(c.name)}</a></p><pre aria-label="${escapeHtml(c.name)} as text">${escapeHtml(c.text)}</pre>`).join('')}`
    : '';
  const reply =
    replyTo && to
      ? `<h2 id="reply">Reply as ${escapeHtml(to.name || to.address)}</h2>
<p>Sent over the local SMTP server from <strong>${escapeHtml(to.address)}</strong> to <strong>${escapeHtml(replyTo.address)}</strong>, the way a reply from their mail program arrives.</p>
<form method="post" action="${base}/reply"><label for="reply-text">Your reply</label><textarea id="reply-text" name="text" required></textarea><button type="submit">Send reply as ${escapeHtml(to.address)}</button></form>`
      : '<p>This email has no Reply-To, so there is nothing to answer.</p>';
  const note = notice ? `<p class="notice${notice.ok ? '' : ' error'}" role="status">${escapeHtml(notice.text)}</p>` : '';
  return layout(mail.subject ?? 'Email', `<p><a href="${OUTBOX_PATH}">← Outbox</a></p>${note}<h1>${escapeHtml(mail.subject ?? '(no subject)')}</h1>${headers}${rendered}${plain}${cal}${reply}`);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // A reply typed into a form; a megabyte is far more than anyone types.
    if (size > 1024 * 1024) throw new Error('reply too large');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function sendReply(opts: OutboxOptions, mail: ParsedMail, text: string): Promise<{ ok: boolean; text: string }> {
  const to = firstAddress(mail.to);
  const replyTo = firstAddress(mail.replyTo);
  if (!to || !replyTo) return { ok: false, text: 'This email has no Reply-To or recipient to answer from.' };
  const transport = createTransport({ host: opts.smtp.host, port: opts.smtp.port, secure: false, ignoreTLS: true });
  try {
    const quoted = (mail.text ?? '').split('\n').map((l) => `> ${l}`).join('\n');
    const refs = [...(Array.isArray(mail.references) ? mail.references : mail.references ? [mail.references] : []), ...(mail.messageId ? [mail.messageId] : [])];
    const info = await transport.sendMail({
      from: to.name ? { name: to.name, address: to.address } : to.address,
      to: replyTo.address,
      subject: /^re:/i.test(mail.subject ?? '') ? mail.subject : `Re: ${mail.subject ?? ''}`,
      text: `${text}\n\n${mail.date ? `On ${mail.date.toUTCString()}, ${mail.from?.text ?? 'Baton'} wrote:\n` : ''}${quoted}\n`,
      ...(mail.messageId ? { inReplyTo: mail.messageId } : {}),
      ...(refs.length ? { references: refs } : {}),
    });
    return { ok: true, text: `Reply sent as ${to.address}: ${info.response}. Its acknowledgement, if any, appears in the outbox.` };
  } catch (err) {
    // The SMTP server's refusal is the useful part: it says why Baton would not take the reply.
    const e = err as { response?: string; message?: string };
    return { ok: false, text: `The reply was refused: ${e.response ?? e.message ?? String(err)}` };
  } finally {
    transport.close();
  }
}

/** Answers requests under /outbox; false when the path is not the outbox's. */
export function createOutbox(opts: OutboxOptions): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  // Notices survive the redirect after a POST, so reloading the page never sends the reply again.
  const notices = new Map<string, { ok: boolean; text: string }>();
  let nextNotice = 0;
  return async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (path !== OUTBOX_PATH && !path.startsWith(`${OUTBOX_PATH}/`)) return false;
    const method = req.method ?? 'GET';
    if (path === OUTBOX_PATH && method === 'GET') {
      send(res, 200, await listPage(opts.dataDir));
      return true;
    }
    const m = /^\/outbox\/m\/([^/]+)(?:\/(html|reply|ics\/(\d+)))?$/.exec(path);
    const found = m ? await findMail(opts.dataDir, decodeURIComponent(m[1]!)) : undefined;
    if (!m || !found) {
      send(res, 404, layout('Not found', `<h1>Not in the outbox</h1><p><a href="${OUTBOX_PATH}">Back to the outbox</a></p>`));
      return true;
    }
    const { entry, mail } = found;
    const part = m[2];
    if (part === undefined && method === 'GET') {
      const key = url.searchParams.get('notice');
      const notice = key ? notices.get(key) : undefined;
      send(res, 200, mailPage(entry, mail, notice));
      return true;
    }
    if (part === 'html' && method === 'GET') {
      // <base target=_blank>: a link clicked inside the frame opens a new tab, not inside the frame.
      const html = typeof mail.html === 'string' ? mail.html.replace(/<head([^>]*)>/i, '<head$1><base target="_blank">') : '';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': EMAIL_CSP, 'x-content-type-options': 'nosniff' }).end(html);
      return true;
    }
    if (part?.startsWith('ics/') && method === 'GET') {
      const cal = calendarsOf(mail)[Number(m[3])];
      if (!cal) {
        send(res, 404, layout('Not found', '<h1>No such calendar</h1>'));
        return true;
      }
      res
        .writeHead(200, { 'content-type': 'text/calendar; charset=utf-8', 'content-disposition': `attachment; filename="${cal.name.replace(/[^A-Za-z0-9._-]/g, '_')}"` })
        .end(cal.text);
      return true;
    }
    if (part === 'reply' && method === 'POST') {
      const text = (await readForm(req)).get('text')?.trim() ?? '';
      const outcome = text ? await sendReply(opts, mail, text) : { ok: false, text: 'Write a reply first: the message was empty.' };
      const key = String(++nextNotice);
      notices.set(key, outcome);
      res.writeHead(303, { location: `${OUTBOX_PATH}/m/${encodeURIComponent(entry.id)}?notice=${key}` }).end();
      return true;
    }
    res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: part === 'reply' ? 'POST' : 'GET' }).end('Method not allowed.\n');
    return true;
  };
}
