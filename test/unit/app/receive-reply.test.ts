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
