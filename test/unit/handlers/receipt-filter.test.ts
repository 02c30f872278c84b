// The receipt filter on receipt events shaped as AWS documents them (SES developer guide, "Lambda
// action": event example), including the fields AWS leaves out on a DMARC pass or without a subject.
import { describe, expect, it, vi } from 'vitest';
import { SesReceiptEventSchema } from '#adapters/aws/events';
import { handler } from '#handlers/receipt-filter';
import { awsFixture } from '#test/support/lambda-output';

type Verdict = 'PASS' | 'FAIL' | 'GRAY' | 'PROCESSING_FAILED';

/** AWS's documented example event, with the verdicts and optional fields a test chooses. */
function receiptEvent(opts: { spam?: Verdict; virus?: Verdict; dmarcPolicy?: string; subject?: string } = {}) {
  const commonHeaders: Record<string, unknown> = {
    returnPath: 'prvs=144d0cba7=sender@example.com',
    from: ['sender@example.com'],
    date: 'Mon, 5 Aug 2019 21:29:57 +0000',
    to: ['reply+abc@reply.baton.example.com'],
    messageId: '<CAJ0kBt9@mail.example.com>',
  };
  if (opts.subject !== undefined) commonHeaders.subject = opts.subject;
  const receipt: Record<string, unknown> = {
    timestamp: '2019-08-05T21:30:02.028Z',
    processingTimeMillis: 574,
    recipients: ['reply+abc@reply.baton.example.com'],
    spamVerdict: { status: opts.spam ?? 'PASS' },
    virusVerdict: { status: opts.virus ?? 'PASS' },
    spfVerdict: { status: 'PASS' },
    dkimVerdict: { status: 'GRAY' },
    dmarcVerdict: { status: 'GRAY' },
    action: { type: 'Lambda', functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:receipt-filter', invocationType: 'RequestResponse' },
  };
  if (opts.dmarcPolicy !== undefined) receipt.dmarcPolicy = opts.dmarcPolicy;
  return {
    Records: [
      {
        eventSource: 'aws:ses',
        eventVersion: '1.0',
        ses: {
          mail: {
            timestamp: '2019-08-05T21:30:02.028Z',
            source: 'prvs=144d0cba7=sender@example.com',
            messageId: 'EXAMPLE7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000',
            destination: ['reply+abc@reply.baton.example.com'],
            headersTruncated: false,
            headers: [{ name: 'Return-Path', value: '<prvs=144d0cba7=sender@example.com>' }],
            commonHeaders,
          },
          receipt,
        },
      },
    ],
  };
}

describe('receipt-filter', () => {
  it('accepts the documented event without dmarcPolicy and without a subject', () => {
    expect(SesReceiptEventSchema.safeParse(receiptEvent()).success).toBe(true);
    expect(SesReceiptEventSchema.safeParse(receiptEvent({ dmarcPolicy: 'reject', subject: 'Re: Training 1' })).success).toBe(true);
  });

  it('lets clean mail continue to the S3 and inbound actions', async () => {
    await expect(handler(receiptEvent({ subject: 'Re: Training 1' }))).resolves.toEqual({ disposition: 'CONTINUE' });
  });

  it.each<[string, { spam?: Verdict; virus?: Verdict }]>([
    ['spam', { spam: 'FAIL' }],
    ['a virus', { virus: 'FAIL' }],
    ['both', { spam: 'FAIL', virus: 'FAIL' }],
  ])('stops the rule set for mail SES marks as %s', async (_, verdicts) => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await expect(handler(receiptEvent(verdicts))).resolves.toEqual({ disposition: 'STOP_RULE_SET' });
      // The log names the message, not the sender.
      const logged = write.mock.calls.map((c) => String(c[0])).join('');
      expect(logged).toContain('EXAMPLE7c191be45');
      expect(logged).not.toContain('sender@example.com');
    } finally {
      write.mockRestore();
    }
  });

  it('lets GRAY and PROCESSING_FAILED verdicts through: only a FAIL is SES saying no', async () => {
    await expect(handler(receiptEvent({ spam: 'GRAY', virus: 'PROCESSING_FAILED' }))).resolves.toEqual({ disposition: 'CONTINUE' });
  });

  it('lets an event it cannot parse continue, for inbound to record and drop', async () => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await expect(handler({ Records: [{ ses: { mail: {} } }] })).resolves.toEqual({ disposition: 'CONTINUE' });
      await expect(handler({})).resolves.toEqual({ disposition: 'CONTINUE' });
      expect(write.mock.calls.map((c) => String(c[0])).join('')).toContain('not an SES receipt event');
    } finally {
      write.mockRestore();
    }
  });

  // The same documented fixtures inbound is tested with (test/fixtures/aws/ses-receipt): one schema,
  // so the filter and inbound can never disagree about what a receipt event is.
  it.each([
    ['spam-fail.json', 'STOP_RULE_SET'],
    ['virus-fail.json', 'STOP_RULE_SET'],
    ['dmarc-pass.json', 'CONTINUE'],
    ['no-subject.json', 'CONTINUE'],
    ['scanning-disabled.json', 'CONTINUE'],
  ])('answers %s with %s', async (name, disposition) => {
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      await expect(handler(awsFixture(`ses-receipt/${name}`))).resolves.toEqual({ disposition });
      expect(write.mock.calls.map((c) => String(c[0])).join('')).not.toContain('not an SES receipt event');
    } finally {
      write.mockRestore();
    }
  });
});
