import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { intentKey, LABELED_DIR, loadLabels } from '../../../bench/intents.ts';
import {
  analyzeRouted,
  checkSender,
  checkVerdicts,
  DEFAULT_LIMITS,
  dkimDomains,
  parseInbound,
  planAttachments,
  responseIdFor,
  sentTexts,
  trimParsed,
  type ParsedAttachment,
  type Route,
} from '#app/receive-reply';
import type { Series } from '#core/model';

const labels = loadLabels();
const series = {
  id: 'q1-productivity',
  title: 'Q1 Productivity',
  intro: '',
  trainers: [{ name: 'Juliet Chen', email: 'juliet@example.com', timeZone: 'Europe/Berlin' }],
  defaultTimeZone: 'Europe/Berlin',
  defaultWorkStart: '09:00',
  policies: { reminderDaysBeforeClose: 3, followUpWeeksAfterClose: 3, digest: { day: 'mon', hour: 9 }, rollup: { day: 'fri', hour: 10 }, acknowledgeContributions: true },
} as Series;

function routeFor(training: string, context: Route['context'], email: string): Route {
  const t = labels.trainings[training]!;
  const trainingItem = { slug: training, order: 0, title: t.title, opens: '2027-01-21', closes: '2027-01-31', author: 'Juliet', media: {}, body: '', strategies: t.strategies };
  return {
    published: { series, trainings: [trainingItem], publishedAt: '2027-01-01T00:00:00.000Z', version: 1 },
    training: trainingItem,
    participant: { email, name: 'P', timeZone: 'Europe/Berlin', workStart: '09:00' },
    context,
    via: 'given',
    answered: undefined,
  };
}

describe('the labeled replies, end to end through parse, trim and classify', () => {
  it('parses every one and reads most as labeled (measured, not hard-coded)', async () => {
    let correct = 0;
    for (const r of labels.replies) {
      const parsed = await parseInbound(readFileSync(join(LABELED_DIR, r.file)));
      expect(parsed.messageId).toMatch(/^<[^<>\s]+>$/);
      expect(parsed.from?.address).toMatch(/@/);
      const a = analyzeRouted(parsed, routeFor(r.training, r.context as Route['context'], parsed.from!.address), [], DEFAULT_LIMITS);
      const want = [...new Set(r.intents.map(intentKey))].sort().join(',');
      const got = [...new Set(a.classified.map(intentKey))].sort().join(',');
      if (want === got) correct++;
    }
    const rate = correct / labels.replies.length;
    console.log(JSON.stringify({ labeledReplies: labels.replies.length, pipelineIntentAccuracy: Number(rate.toFixed(3)) }));
    expect(rate).toBeGreaterThan(0.8);
  });
});

describe('response ids', () => {
  it('depend only on the Message-ID and the position', () => {
    expect(responseIdFor('<a@b>', 0)).toBe(responseIdFor('<a@b>', 0));
    expect(responseIdFor('<a@b>', 0)).not.toBe(responseIdFor('<a@b>', 1));
    expect(responseIdFor('<a@b>', 0)).not.toBe(responseIdFor('<a@c>', 0));
  });
});

describe('verdicts and senders', () => {
  it('rejects virus, spam and failed authentication, and lets gray verdicts pass', () => {
    expect(checkVerdicts({ virus: 'FAIL' })?.reason).toBe('virus');
    expect(checkVerdicts({ spam: 'FAIL' })?.reason).toBe('spam');
    expect(checkVerdicts({ dmarc: 'FAIL', dmarcPolicy: 'reject' })?.reason).toBe('auth-failed');
    expect(checkVerdicts({ spf: 'FAIL', dkim: 'FAIL' })?.reason).toBe('auth-failed');
    expect(checkVerdicts({ spf: 'FAIL', dkim: 'PASS', spam: 'GRAY', dmarc: 'GRAY' })).toBeUndefined();
    expect(checkVerdicts(undefined)).toBeUndefined();
  });

  it('accepts another address of the participant\'s domain only with a passing DKIM signature of that domain', async () => {
    const raw = Buffer.from('DKIM-Signature: v=1; a=rsa-sha256;\r\n d=example.com; s=sel; b=abc\r\nFrom: Ana <a.reyes@example.com>\r\nTo: x@y.z\r\nSubject: hi\r\n\r\nhello\r\n');
    const parsed = await parseInbound(raw);
    expect(dkimDomains(raw)).toEqual(['example.com']);
    expect(checkSender(parsed, 'ana.reyes@example.com', undefined, raw)?.reason).toBe('spoofed-sender');
    expect(checkSender(parsed, 'ana.reyes@example.com', { dkim: 'FAIL' }, raw)?.reason).toBe('spoofed-sender');
    expect(checkSender(parsed, 'ana.reyes@example.com', { dkim: 'PASS' }, raw)).toBeUndefined();
    expect(checkSender(parsed, 'ana.reyes@other.example', { dkim: 'PASS' }, raw)?.reason).toBe('spoofed-sender');
    expect(checkSender(parsed, 'a.reyes@example.com', undefined, raw)).toBeUndefined();
  });
});

describe('attachment plan', () => {
  const file = (filename: string, contentType: string, size: number, inline = false): ParsedAttachment => ({ filename, contentType, size, content: Buffer.alloc(0), inline });
  it('keeps allowed files within the limits, ignores mail furniture, and lists the rest', () => {
    const plan = planAttachments(
      [
        file('plan.pdf', 'application/pdf', 1000),
        file('image001.png', 'image/png', 3000, true),
        file('winmail.dat', 'application/ms-tnef', 500),
        file('invite.ics', 'text/calendar', 500),
        file('screenshot.png', 'image/png', 300_000, true),
        file('tool.exe', 'application/x-msdownload', 100),
        file('video.mov', 'video/quicktime', 11 * 1024 * 1024),
        file('../deck.pptx', 'application/vnd.openxmlformats-officedocument.presentationml.presentation', 1000),
      ],
      DEFAULT_LIMITS,
    );
    expect(plan.keep.map((f) => f.filename)).toEqual(['plan.pdf', 'screenshot.png', 'deck.pptx']);
    expect(plan.skipped).toEqual([
      { filename: 'tool.exe', size: 100, reason: 'type' },
      { filename: 'video.mov', size: 11 * 1024 * 1024, reason: 'too-large' },
    ]);
  });
  it('holds the total under its limit', () => {
    const plan = planAttachments([file('a.pdf', 'application/pdf', 8), file('b.pdf', 'application/pdf', 8), file('c.pdf', 'application/pdf', 1)], { maxFileBytes: 10, maxTotalBytes: 12 });
    // b would pass the total; c still fits after a.
    expect(plan.keep.map((f) => f.filename)).toEqual(['a.pdf', 'c.pdf']);
    expect(plan.skipped).toEqual([{ filename: 'b.pdf', size: 8, reason: 'too-large' }]);
  });
});

describe('trimming knows what Baton sent, for every email answered', () => {
  // A reminder's template as publish stores it (emails/reminder.ts): fixed text around per-send placeholders.
  const reminder = {
    subject: 'Reminder',
    html: '<p>unused</p>',
    text: [
      'Training 1 of 4, a friendly reminder',
      'Schedule a productive 1:1 sync\n==============================',
      'Hi {{firstName}}, {{nudge}}',
      'Closes: {{deadline}}\n{{progress}}',
      'What your teammates shared so far\n---------------------------------',
      '{{shared}}',
      'Your turn\n---------',
      '- Adopt #1 (Block 15 minutes to prepare): reply with the subject "Adopt #1" and say why and how\n- Or just reply to this email: write above the line at the top.',
    ].join('\n\n'),
  };
  const store = { getTemplate: async (_series: string, name: string) => (name.startsWith('reminder/') ? JSON.stringify(reminder) : undefined) };
  const settings = { domain: 'example.com', inboundDomain: 'in.example.com', senderAddress: 'baton@example.com', linksBaseUrl: 'https://x.example.com', secrets: 'a-test-secret-of-32-bytes-or-more!' } as never;

  it('gives the trimmer the text of a reminder, and cuts it where a client quotes it without ">" or our marker', async () => {
    // Prepare
    const route = { ...routeFor('productive-one-on-one', { kind: 'training' }, 'ana@example.com'), answers: 'reminder' as const };
    // Act
    const sent = await sentTexts(route, settings, store);
    // Quoted as some clients do: no ">", no marker line, the per-send parts filled in.
    const copy = sent[0]!.replace('Hi P, ', 'Hi P, this window closes soon, and we would love to hear from you.').replace('Closes: ', 'Closes: Friday 31 January, 23:59\nYou have contributed to 1 of 4 trainings.');
    const { trimmed } = trimParsed({ text: `I will try #2 this week.\n\n${copy}\n` } as never, sent);
    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]).not.toContain('{{');
    expect(trimmed.reply.trim()).toBe('I will try #2 this week.');
  });

  it('asks for the templates of the roll-up, the check-in, the wrap-up and the ack', async () => {
    const asked: string[] = [];
    const spy = { getTemplate: async (_series: string, name: string) => (asked.push(name), undefined) };
    for (const answers of ['rollup', 'check-in', 'wrap-up', 'ack', 'contribution'] as const) {
      await sentTexts({ ...routeFor('productive-one-on-one', { kind: 'training' }, 'ana@example.com'), answers }, settings, spy);
    }
    expect(asked).toEqual(['rollup', 'follow-up/productive-one-on-one', 'training/productive-one-on-one', 'wrap-up', 'ack', 'rollup']);
  });
});

describe('parsing a reply, text first', () => {
  const mime = (body: string, type: string) =>
    Buffer.from(['From: Ana <ana@example.com>', 'To: reply@in.example.com', 'Subject: Re: Meetings', 'Message-ID: <m1@example.com>', 'MIME-Version: 1.0', `Content-Type: ${type}`, '', body].join('\r\n'));
  const alternative = (plain: string, html: string, extra = '') =>
    mime(
      [
        '--alt',
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        plain,
        '--alt',
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: quoted-printable',
        '',
        html,
        '--alt--',
        extra,
      ].join('\r\n'),
      'multipart/alternative; boundary="alt"',
    );

  it('reads the text/plain of an alternative and leaves its HTML undecoded; headers and attachments as before', async () => {
    const raw = mime(
      [
        '--mix',
        'Content-Type: multipart/alternative; boundary="alt"',
        '',
        alternative('I will try #2 next week.', '<p>I will try #2 next week.</p>').toString().split('\r\n\r\n').slice(1).join('\r\n\r\n'),
        '--mix',
        'Content-Type: text/plain; name="notes.txt"',
        'Content-Disposition: attachment; filename="notes.txt"',
        '',
        'my notes',
        '--mix--',
        '',
      ].join('\r\n'),
      'multipart/mixed; boundary="mix"',
    );
    const parsed = await parseInbound(raw);
    expect(parsed.text?.trim()).toBe('I will try #2 next week.');
    expect(parsed.html).toBeUndefined();
    expect(parsed.subject).toBe('Re: Meetings');
    expect(parsed.messageId).toBe('<m1@example.com>');
    expect(parsed.from).toEqual({ address: 'ana@example.com', name: 'Ana' });
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([['notes.txt', 'text/plain', 'my notes']]);
    expect(trimParsed(parsed, []).source).toBe('text');
  });

  it('still reads an HTML-only reply from its HTML', async () => {
    const parsed = await parseInbound(mime('<div>Adopting strategy #3 from Monday.</div>', 'text/html; charset=utf-8'));
    expect(parsed.text).toBeUndefined();
    expect(parsed.html).toContain('Adopting strategy #3 from Monday.');
    const { trimmed, source } = trimParsed(parsed, []);
    expect(source).toBe('html');
    expect(trimmed.reply).toContain('Adopting strategy #3 from Monday.');
  });

  it('falls back to the HTML of an alternative whose text/plain is empty', async () => {
    const parsed = await parseInbound(alternative('  ', '<div>Strategy #4 worked for our team.</div>'));
    expect(parsed.text).toBeUndefined();
    expect(parsed.html).toContain('Strategy #4 worked for our team.');
    const { trimmed, source } = trimParsed(parsed, []);
    expect(source).toBe('html');
    expect(trimmed.reply).toContain('Strategy #4 worked for our team.');
  });
});
