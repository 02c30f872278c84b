// Replies over real SMTP to the local stack: the example series is published into dynalite, a
// real training email is dispatched through aws-ses-v2-local, and participants answer it from
// nodemailer and from swaks, quoting it as Gmail and Outlook do. What ends up in the table, the
// attachment folder and the SES outbox is then read back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createSesClient, RecordingMailer, SesMailer } from '#adapters/aws/ses';
import type { InboundOutcome } from '#app/receive-reply';
import type { Strategy } from '#core/model';
import { createLocalInbound } from '#adapters/local/smtp-inbound';
import { localConfig } from '#adapters/local/config';
import { localDispatch } from '#adapters/local/scheduler';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { replyAddress, signReplyToken } from '#core/tokens';
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import type { DnsResolver } from '#adapters/local/smtp-inbound';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';

const run = promisify(execFile);
const example = join(import.meta.dirname, '..', '..', '..', 'examples', 'q1-productivity');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-inbound-'));
const SECRET = 'test-secret-for-inbound-0123456789';
const SERIES = 'q1-productivity';
const TRAINING = 'productive-one-on-ones';
const NOW = new Date('2027-01-22T10:00:00Z');
const MAX_FILE = 40_000;

let stack: RunningStack;
let store: Store;
let destroy: () => void;
let strategies: Strategy[];
let trainingOrder: number;
const outcomes: InboundOutcome[] = [];
const sent = new Map<string, ParsedMail>();
const sentRaw = new Map<string, string>();

async function sesStore(): Promise<Array<{ subject: string; destination: { to: string[] }; body: { text?: string } }>> {
  const res = await fetch(`${stack.endpoints.ses}/store`);
  return ((await res.json()) as { emails: never[] }).emails;
}

/** The training email each participant got, parsed from the raw copies in the outbox. */
async function readOutbox(): Promise<void> {
  const dir = join(dataDir, 'outbox');
  for (const file of readdirSync(dir)) {
    const raw = readFileSync(join(dir, file), 'utf8');
    const mail = await simpleParser(raw);
    const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined;
    if (to && mail.messageId?.startsWith('<training.')) {
      sent.set(to, mail);
      sentRaw.set(to, raw);
    }
  }
}

function replyToOf(email: string): string {
  const mail = sent.get(email)!;
  return mail.replyTo!.value[0]!.address!;
}

function gmailQuote(email: string, reply: string): { text: string; html: string } {
  const mail = sent.get(email)!;
  const quoted = mail.text!.split('\n').map((l) => `> ${l}`.trimEnd()).join('\n');
  return {
    text: `${reply}\n\nOn Thu, Jan 21, 2027 at 9:00 AM Maya Okafor via Baton <training@baton.localhost> wrote:\n\n${quoted}\n`,
    html: `<div dir="ltr">${reply}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Thu, Jan 21, 2027 at 9:00 AM Maya Okafor via Baton wrote:<br></div><blockquote class="gmail_quote">${mail.html}</blockquote></div>`,
  };
}

function outlookQuote(email: string, reply: string): string {
  const mail = sent.get(email)!;
  // Outlook quotes plain text without ">": only the header block and our own text mark it.
  return `${reply}\n\nFrom: Maya Okafor via Baton <training@baton.localhost>\nSent: Thursday, January 21, 2027 9:00 AM\nTo: ${email}\nSubject: ${mail.subject}\n\n${mail.text}`;
}

const transport = () => nodemailer.createTransport({ host: stack.endpoints.smtp.host, port: stack.endpoints.smtp.port, secure: false, ignoreTLS: true });

async function nodemailerSend(message: SendMailOptions): Promise<InboundOutcome> {
  const before = outcomes.length;
  await transport().sendMail(message);
  expect(outcomes.length).toBe(before + 1);
  return outcomes.at(-1)!;
}

async function swaks(args: string[]): Promise<InboundOutcome> {
  const before = outcomes.length;
  // stdin closed: swaks prompts for anything missing instead of failing.
  const child = run('swaks', ['--server', stack.endpoints.smtp.host, '--port', String(stack.endpoints.smtp.port), '--suppress-data', '--silent', '2', ...args]);
  child.child.stdin?.end();
  await child;
  expect(outcomes.length).toBe(before + 1);
  return outcomes.at(-1)!;
}

beforeAll(async () => {
  stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  destroy = () => client.destroy();
  store = createStore({ client, tableName: stack.config.tableName });
  const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  await store.putParticipants(SERIES, await loadParticipants(join(example, 'participants.csv'), published.series));
  strategies = published.trainings.find((t) => t.slug === TRAINING)!.strategies;
  trainingOrder = published.trainings.find((t) => t.slug === TRAINING)!.order;
  const send = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
  await send({ kind: 'training', seriesId: SERIES, trainingSlug: TRAINING }, new Date('2027-01-21T00:00:00Z'));
  await readOutbox();
  const mailer = new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: stack.endpoints.ses }), maxSendRate: 500 }), join(dataDir, 'outbox'));
  stack.setHandlers({
    onMail: createLocalInbound({
      store,
      config: stack.config,
      secret: SECRET,
      mailer,
      dataDir,
      now: () => NOW,
      limits: { maxFileBytes: MAX_FILE, maxTotalBytes: 3 * MAX_FILE },
      onOutcome: (o) => outcomes.push(o),
      log: (l) => { if (process.env.DEBUG_INBOUND) console.log(l); },
    }),
  });
}, 60_000);

afterAll(async () => {
  destroy?.();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('a reply from nodemailer, quoted like Gmail', () => {
  const email = 'nurul.hakim@example.com';
  let messageId: string;

  it('is stored as an adoption with credit, trimmed, and acknowledged', async () => {
    const two = strategies.find((s) => s.number === 2)!;
    const body = gmailQuote(email, "I'm going to adopt #2, starting with my next 1:1 on Monday.");
    messageId = `<adopt-${Date.now()}@mail.example.com>`;
    const outcome = await nodemailerSend({
      from: `Nurul Hakim <${email}>`,
      to: replyToOf(email),
      subject: `Re: ${sent.get(email)!.subject}`,
      inReplyTo: sent.get(email)!.messageId!,
      references: [sent.get(email)!.messageId!],
      messageId,
      ...body,
    });
    expect(outcome.status).toBe('stored');
    const responses = await store.listResponsesByParticipant(SERIES, email);
    expect(responses).toHaveLength(1);
    const r = responses[0]!;
    expect(r).toMatchObject({ intent: 'adopt', strategyId: two.id, trainingSlug: TRAINING, participantEmail: email, source: messageId });
    expect(r.text).toContain('adopt #2');
    expect(r.text).not.toContain('Reply above this line');
    expect(r.text).not.toContain('wrote:');
    expect(r.rawMessage && existsSync(r.rawMessage)).toBe(true);
    const acks = (await sesStore()).filter((m) => m.destination.to.some((t) => t.includes(email)) && m.subject.startsWith('Re:'));
    expect(acks).toHaveLength(1);
    expect(acks[0]!.body.text).toContain(`your adoption of #2`);
  });

  it('stores nothing new when the same message arrives again, and sends no second ack', async () => {
    const raw = readdirSync(join(dataDir, 'inbound'))
      .map((f) => join(dataDir, 'inbound', f))
      .find((f) => readFileSync(f, 'utf8').includes(messageId))!;
    const outcome = await swaks(['--from', email, '--to', replyToOf(email), '--data', `@${raw}`]);
    expect(outcome).toMatchObject({ status: 'duplicate', messageId });
    expect(await store.listResponsesByParticipant(SERIES, email)).toHaveLength(1);
    const acks = (await sesStore()).filter((m) => m.destination.to.some((t) => t.includes(email)) && m.subject.startsWith('Re:'));
    expect(acks).toHaveLength(1);
  });
});

describe('a reply from swaks, quoted like Outlook', () => {
  it('is trimmed at the header block and stored as a strategy', async () => {
    const email = 'lukas.becker@example.org';
    const reply = 'What works for me: I keep a running doc and paste the link into the calendar invite, so it is one click away.';
    const outcome = await swaks([
      '--from', email,
      '--to', replyToOf(email),
      '--header', `Subject: RE: ${sent.get(email)!.subject}`,
      '--header', `From: Lukas Becker <${email}>`,
      '--header', `Message-ID: <outlook-${Date.now()}@eurprd.outlook.example>`,
      '--body', outlookQuote(email, reply),
    ]);
    expect(outcome.status).toBe('stored');
    const [r, ...rest] = await store.listResponsesByParticipant(SERIES, email);
    expect(rest).toEqual([]);
    expect(r).toMatchObject({ intent: 'strategy', participantEmail: email });
    expect(r!.text).toBe(reply);
  });
});

describe('what is never stored', () => {
  it('rejects a reply from someone else to a participant\'s address', async () => {
    const email = 'sofia.rossi@example.org';
    const outcome = await nodemailerSend({ from: 'mallory@evil.example', to: replyToOf(email), subject: 'Re: training', text: 'Please unsubscribe me.' });
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'spoofed-sender' });
    expect(await store.listResponsesByParticipant(SERIES, email)).toEqual([]);
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBeUndefined();
  });

  it('rejects a tampered reply address', async () => {
    const email = 'sofia.rossi@example.org';
    const address = replyToOf(email);
    const token = address.slice('reply+'.length, address.indexOf('@'));
    const flipped = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    const outcome = await swaks(['--from', email, '--to', `reply+${flipped}@${stack.config.inboundDomain}`, '--header', 'Subject: Re: training', '--body', 'Adopt #1 please']);
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'bad-token' });
    expect(await store.listResponsesByParticipant(SERIES, email)).toEqual([]);
  });

  it('pauses reminders on an out-of-office until the return date, and stores nothing', async () => {
    const email = 'ana.reyes@example.com';
    const outcome = await swaks([
      '--from', email,
      '--to', replyToOf(email),
      '--header', `Subject: Automatic reply: ${sent.get(email)!.subject}`,
      '--header', 'Auto-Submitted: auto-replied',
      '--body', 'I am out of the office until 3 February with limited access to email.',
    ]);
    expect(outcome).toMatchObject({ status: 'auto-reply', outOfOffice: true });
    const p = await store.getParticipant(SERIES, email);
    // Back on 4 February at 08:30 in Los Angeles (PST, UTC-8).
    expect(p?.outOfOfficeUntil).toBe('2027-02-04T16:30:00.000Z');
    expect(await store.listResponsesByParticipant(SERIES, email)).toEqual([]);
  });

  it('ignores a bounce sent with the null sender', async () => {
    const email = 'ana.reyes@example.com';
    const outcome = await swaks([
      '--from', '<>',
      '--to', replyToOf(email),
      '--header', 'From: Mail Delivery System <MAILER-DAEMON@mx.example.com>',
      '--header', 'Subject: Undelivered Mail Returned to Sender',
      '--body', 'This is the mail system at host mx.example.com. I\'m sorry to have to inform you...',
    ]);
    expect(outcome.status).toBe('bounce');
    expect(await store.listResponsesByParticipant(SERIES, email)).toEqual([]);
  });

  it('survives a malformed message and stores nothing', async () => {
    const file = join(dataDir, 'garbage.eml');
    writeFileSync(file, `To: reply+zzzz@${stack.config.inboundDomain}\r\nContent-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\nContent-Type: text/plain; charset=nonsense-42\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%not base64\x00\x01\r\n--x`);
    const outcome = await swaks(['--from', 'someone@example.com', '--to', `reply+zzzz@${stack.config.inboundDomain}`, '--data', `@${file}`]);
    expect(outcome.status).toBe('rejected');
    expect((await store.listResponses(SERIES)).every((r) => r.participantEmail !== 'someone@example.com')).toBe(true);
  });

  it('quietly ignores calendar answers to rsvp@', async () => {
    const outcome = await nodemailerSend({
      from: 'marcus.lee@example.com',
      to: `rsvp@${stack.config.inboundDomain}`,
      subject: 'Accepted: Q1 Productivity',
      icalEvent: { method: 'REPLY', content: 'BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:x@baton.localhost\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:marcus.lee@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' },
    });
    expect(outcome.status).toBe('rsvp');
    expect(await store.listResponsesByParticipant(SERIES, 'marcus.lee@example.com')).toEqual([]);
  });
});

describe('attachments', () => {
  it('keeps files within the limits and answers oversized ones with an upload link', async () => {
    const email = 'rosa.martinez@example.com';
    const outcome = await nodemailerSend({
      from: email,
      to: replyToOf(email),
      subject: `Strategy: ${sent.get(email)!.subject}`,
      text: 'My tip: the agenda template is attached, and a screen recording of how I use it.',
      attachments: [
        { filename: 'agenda.pdf', content: Buffer.alloc(2_000, 1), contentType: 'application/pdf' },
        { filename: 'walkthrough.mp4', content: Buffer.alloc(MAX_FILE + 1, 2), contentType: 'video/mp4' },
        { filename: 'winmail.dat', content: Buffer.alloc(300, 3), contentType: 'application/ms-tnef' },
      ],
    });
    expect(outcome.status).toBe('stored');
    if (outcome.status !== 'stored') return;
    expect(outcome.skippedFiles).toEqual([{ filename: 'walkthrough.mp4', size: MAX_FILE + 1, reason: 'too-large' }]);
    const [r] = await store.listResponsesByParticipant(SERIES, email);
    expect(r?.intent).toBe('strategy');
    expect(r?.attachments.map((a) => [a.filename, a.contentType, a.size])).toEqual([['agenda.pdf', 'application/pdf', 2_000]]);
    expect(readFileSync(r!.attachments[0]!.key)).toEqual(Buffer.alloc(2_000, 1));
    const mails = (await sesStore()).filter((m) => m.destination.to.some((t) => t.includes(email)));
    const upload = mails.find((m) => m.body.text?.includes('walkthrough.mp4'));
    expect(upload?.body.text).toContain('share it as a link');
  });
});

describe('routing', () => {
  it('reads a short answer to the signed address as read, in the training the token names', async () => {
    const email = 'marcus.lee@example.com';
    const outcome = await nodemailerSend({
      from: email,
      to: replyToOf(email),
      subject: `Re: ${sent.get(email)!.subject}`,
      inReplyTo: sent.get(email)!.messageId!,
      text: 'Read it, thanks!',
    });
    expect(outcome.status).toBe('stored');
    const [r] = await store.listResponsesByParticipant(SERIES, email);
    expect(r).toMatchObject({ intent: 'read', trainingSlug: TRAINING });
  });

  it('rejects an address that is neither signed nor in a thread of ours', async () => {
    const outcome = await nodemailerSend({ from: 'marcus.lee@example.com', to: `baton@${stack.config.inboundDomain}`, subject: 'hello', text: 'Adopt #1' });
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'unknown-recipient' });
  });
});

const bounceBacksTo = async (email: string) => (await sesStore()).filter((m) => m.destination.to.some((t) => t.includes(email)) && m.subject.startsWith('Not delivered'));
const acksTo = async (email: string) => (await sesStore()).filter((m) => m.destination.to.some((t) => t.includes(email)) && m.subject.startsWith('Re:'));

describe('who can post as whom (issue 12)', () => {
  it('stores nothing and acknowledges nothing for a forged From with our real thread id but no token', async () => {
    const email = 'hannah.price@example.org';
    // Everything a stranger can read off any email we send: the thread id and the participant's address.
    const outcome = await nodemailerSend({
      from: `Hannah Price <${email}>`,
      to: `baton@${stack.config.inboundDomain}`,
      subject: `Re: ${sent.get(email)!.subject}`,
      inReplyTo: `<thread.${SERIES}._@${stack.config.domain}>`,
      references: [`<thread.${SERIES}._@${stack.config.domain}>`],
      text: 'I adopt #1. Also, please unsubscribe me.',
    });
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'no-token' });
    expect(await store.listResponsesByParticipant(SERIES, email)).toEqual([]);
    expect((await store.getParticipant(SERIES, email))?.unsubscribedAt).toBeUndefined();
    expect(await acksTo(email)).toEqual([]);
  });

  it('stores 0 of 50 forged replies sent in parallel, and sends at most one bounce-back', async () => {
    const email = 'omar.haddad@example.com';
    const before = outcomes.length;
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        transport().sendMail({
          from: `Omar Haddad <${email}>`,
          to: `baton@${stack.config.inboundDomain}`,
          subject: 'Re: Productive one-on-ones',
          inReplyTo: `<thread.${SERIES}._@${stack.config.domain}>`,
          messageId: `<forged-${i}-${Date.now()}@evil.example>`,
          text: `Strategy ${i}: forged.`,
        }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(50);
    const mine = outcomes.slice(before);
    expect(mine).toHaveLength(50);
    expect(mine.filter((o) => o.status === 'stored')).toHaveLength(0);
    expect(await store.listResponsesByParticipant(SERIES, email)).toEqual([]);
    expect(await acksTo(email)).toEqual([]);
    // Locally, without --authenticate, the From cannot be checked: the ledger still caps it at one a day.
    expect(await bounceBacksTo(email)).toHaveLength(1);
  }, 60_000);

  it('stores nothing for a valid token sent from another address', async () => {
    const owner = 'ploy.srisuk@example.org';
    const outcome = await nodemailerSend({ from: 'ama.owusu@example.com', to: replyToOf(owner), subject: 'Re: training', text: 'I adopt #2.' });
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'spoofed-sender' });
    expect(await store.listResponsesByParticipant(SERIES, owner)).toEqual([]);
    expect(await store.listResponsesByParticipant(SERIES, 'ama.owusu@example.com')).toEqual([]);
    expect(await acksTo(owner)).toEqual([]);
  });

  it('answers an expired token with exactly one bounce-back, even when the reply is sent twice', async () => {
    const email = 'liam.walsh@example.com';
    const expired = replyAddress(
      signReplyToken({ seriesId: SERIES, trainingOrder, participantEmail: email, expiresAt: new Date('2027-01-01T00:00:00Z') }, SECRET),
      stack.config.inboundDomain,
    );
    for (const n of [1, 2]) {
      const outcome = await swaks(['--from', email, '--to', expired, '--header', `Message-ID: <late-${n}-${Date.now()}@mail.example.com>`, '--header', 'Subject: Re: an old email', '--body', 'I adopt #1.']);
      expect(outcome).toMatchObject({ status: 'rejected', reason: 'expired-token', bouncedTo: email });
    }
    expect(await store.listResponsesByParticipant(SERIES, email)).toEqual([]);
    const bounces = await bounceBacksTo(email);
    expect(bounces).toHaveLength(1);
    expect(bounces[0]!.body.text).toContain('has expired');
    expect(await acksTo(email)).toEqual([]);
  });

  it('still stores a legitimate reply to the signed address, with its ack', async () => {
    const email = 'chloe.nguyen@example.com';
    const outcome = await nodemailerSend({ from: `Chloe Nguyen <${email}>`, to: replyToOf(email), subject: `Re: ${sent.get(email)!.subject}`, inReplyTo: sent.get(email)!.messageId!, text: 'I will adopt #1 next week.' });
    expect(outcome.status).toBe('stored');
    expect(await store.listResponsesByParticipant(SERIES, email)).toHaveLength(1);
    expect(await acksTo(email)).toHaveLength(1);
    expect(await bounceBacksTo(email)).toEqual([]);
  });
});

// mailauth against a fake DNS: no network. The records a test domain publishes, in the shape
// node's dns.promises.resolve returns them (TXT: arrays of strings); a missing name is ENOTFOUND.
describe('with --authenticate (mailauth, fake DNS)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const txt: Record<string, string> = {
    // example.com: SPF that does not list us, and a DMARC reject policy.
    'example.com': 'v=spf1 ip4:192.0.2.1 -all',
    '_dmarc.example.com': 'v=DMARC1; p=reject',
    // example.org: SPF that lists the local client, no DMARC record, a DKIM key.
    'example.org': 'v=spf1 ip4:127.0.0.1 ip6:::1 -all',
    'sel._domainkey.example.org': `v=DKIM1; k=rsa; p=${spki}`,
    // evil.example: publishes nothing useful.
    'evil.example': 'v=spf1 ?all',
  };
  const resolver: DnsResolver = async (name, rrtype) => {
    const record = rrtype === 'TXT' ? txt[name.toLowerCase().replace(/\.$/, '')] : undefined;
    if (!record) throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return [[record]];
  };

  beforeAll(() => {
    const mailer = new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: stack.endpoints.ses }), maxSendRate: 500 }), join(dataDir, 'outbox'));
    stack.setHandlers({
      onMail: createLocalInbound({ store, config: stack.config, secret: SECRET, mailer, dataDir, now: () => NOW, authenticate: { resolver }, onOutcome: (o) => outcomes.push(o) }),
    });
  });

  it('rejects a forged From of a DMARC-protected domain even with the right token, and sends no bounce-back', async () => {
    const email = 'ana.reyes@example.com';
    const outcome = await swaks(['--from', email, '--to', replyToOf(email), '--header', `From: Ana Reyes <${email}>`, '--header', 'Subject: Re: training', '--body', 'I adopt #3.']);
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'auth-failed' });
    expect((outcome as { bouncedTo?: string }).bouncedTo).toBeUndefined();
    expect(await store.listResponsesByParticipant(SERIES, email)).toEqual([]);
  });

  it('where the domain has no DMARC: stores with aligned SPF, rejects without, and does not bounce the unauthenticated', async () => {
    const email = 'hannah.price@example.org';
    const unaligned = await swaks(['--from', 'bounce@evil.example', '--to', replyToOf(email), '--header', `From: Hannah Price <${email}>`, '--header', 'Subject: Re: training', '--body', 'I adopt #3.']);
    expect(unaligned).toMatchObject({ status: 'rejected', reason: 'unauthenticated' });
    expect((unaligned as { bouncedTo?: string }).bouncedTo).toBeUndefined();
    expect(await store.listResponsesByParticipant(SERIES, email)).toEqual([]);
    const aligned = await swaks(['--from', email, '--to', replyToOf(email), '--header', `From: Hannah Price <${email}>`, '--header', 'Subject: Re: training', '--body', 'I adopt #3.']);
    expect(aligned.status).toBe('stored');
    expect(await store.listResponsesByParticipant(SERIES, email)).toHaveLength(1);
  });

  it('accepts a colleague alias by the DKIM signature that verified, not by any d= in the headers', async () => {
    const owner = 'ploy.srisuk@example.org';
    const message = (id: string) =>
      `From: Ploy S <p.srisuk@example.org>\r\nTo: ${replyToOf(owner)}\r\nSubject: Re: training\r\nMessage-ID: <${id}@example.org>\r\nDate: Fri, 22 Jan 2027 10:00:00 +0000\r\n\r\nMy tip: a shared agenda doc, linked from the invite.\r\n`;
    // A signature claiming d=example.org that does not verify, from a server SPF does not list.
    const fake = join(dataDir, 'alias-fake.eml');
    writeFileSync(fake, `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org; s=sel; h=from:to:subject; bh=AAAA; b=AAAA\r\n${message('alias-fake')}`);
    const forged = await swaks(['--from', 'x@evil.example', '--to', replyToOf(owner), '--data', `@${fake}`]);
    expect(forged.status).toBe('rejected');
    expect(await store.listResponsesByParticipant(SERIES, owner)).toEqual([]);

    const body = message('alias-real');
    const key = { signingDomain: 'example.org', selector: 'sel', privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
    // mailauth signs with the keys in signatureData; the top-level fields alone sign nothing.
    const { signatures, errors } = await dkimSign(body, { ...key, signatureData: [key] });
    expect(errors).toEqual([]);
    const real = join(dataDir, 'alias-real.eml');
    writeFileSync(real, `${signatures.replace(/\r?\n?$/, '\r\n')}${body}`);
    const signed = await swaks(['--from', 'bounces@evil.example', '--to', replyToOf(owner), '--data', `@${real}`]);
    expect(signed.status, JSON.stringify(signed)).toBe('stored');
    expect(await store.listResponsesByParticipant(SERIES, owner)).toHaveLength(1);
  });
});
