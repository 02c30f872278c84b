// The receipt rule's first action, invoked synchronously (RequestResponse) by SES before the raw
// mail is stored: a message SES marks as spam or carrying a virus stops the rule set here, so it is
// neither written to the inbound bucket nor handed to the inbound function. This is AWS's "Drop
// spam" example (SES developer guide, receiving-email-action-lambda-example-functions) in zod.
//
// Primary course:
//   1. parse the receipt event with the same schema as inbound (adapters/aws/events.ts: AWS's
//      documented shape, no dmarcPolicy on a pass, no subject when there is none); the body never
//      reaches this function;
//   2. any record with a FAIL spam or virus verdict: STOP_RULE_SET;
//   3. otherwise CONTINUE to the S3 and inbound actions.
// An event that does not parse continues too: the inbound function parses it again and records
// why it dropped it, and a filter that bounced every reply on a schema change would lose mail.
import { describeIssues, SesReceiptEventSchema } from '#adapters/aws/events';

export type ReceiptDisposition = { disposition: 'STOP_RULE_SET' | 'CONTINUE' };

export async function handler(event: unknown): Promise<ReceiptDisposition> {
  const parsed = SesReceiptEventSchema.safeParse(event);
  if (!parsed.success) {
    log('WARN', 'not an SES receipt event; letting it through to inbound', { issues: describeIssues(parsed.error) });
    return { disposition: 'CONTINUE' };
  }
  const rejected = parsed.data.Records.filter(({ ses: { receipt } }) => receipt.spamVerdict.status === 'FAIL' || receipt.virusVerdict.status === 'FAIL');
  if (rejected.length === 0) return { disposition: 'CONTINUE' };
  // Ids and verdicts only: the sender and subject are personal data.
  for (const { ses } of rejected) {
    log('INFO', 'dropped: SES marked it as spam or virus', { sesMessageId: ses.mail.messageId, spam: ses.receipt.spamVerdict.status, virus: ses.receipt.virusVerdict.status });
  }
  return { disposition: 'STOP_RULE_SET' };
}

function log(level: 'INFO' | 'WARN', message: string, fields: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
}
