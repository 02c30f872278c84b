// The receipt rule's first action, invoked synchronously (RequestResponse) by SES before the raw
// mail is stored: a message SES marks as spam or carrying a virus stops the rule set here, so it is
// neither written to the inbound bucket nor handed to the inbound function. This is AWS's "Drop
// spam" example (SES developer guide, receiving-email-action-lambda-example-functions) in zod.
//
// Primary course:
//   1. parse the receipt event (the verdicts only; the body never reaches this function);
//   2. any record with a FAIL spam or virus verdict: STOP_RULE_SET;
//   3. otherwise CONTINUE to the S3 and inbound actions.
// An event that does not parse continues too: the inbound function parses it again and records
// why it dropped it, and a filter that bounced every reply on a schema change would lose mail.
import { z } from 'zod';

const VerdictSchema = z.object({ status: z.string() });

/**
 * The receipt event as AWS documents it, only as strict as this function needs. `dmarcPolicy` is
 * absent when DMARC passes and `commonHeaders.subject` when the mail has none, so neither is
 * required here (Powertools' SesSchema requires both).
 */
export const ReceiptEventSchema = z.object({
  Records: z
    .array(
      z.object({
        ses: z.object({
          mail: z
            .object({
              messageId: z.string(),
              commonHeaders: z.object({ subject: z.string().optional() }).loose().optional(),
            })
            .loose(),
          receipt: z
            .object({
              spamVerdict: VerdictSchema,
              virusVerdict: VerdictSchema,
              dmarcPolicy: z.string().optional(),
            })
            .loose(),
        }),
      }),
    )
    .min(1),
});
export type ReceiptEvent = z.infer<typeof ReceiptEventSchema>;

export type ReceiptDisposition = { disposition: 'STOP_RULE_SET' | 'CONTINUE' };

export async function handler(event: unknown): Promise<ReceiptDisposition> {
  const parsed = ReceiptEventSchema.safeParse(event);
  if (!parsed.success) {
    log('WARN', 'not an SES receipt event; letting it through to inbound', { issues: parsed.error.issues.slice(0, 10) });
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
