// A re-send's ledger ids, its confirmation nonce and its daily limit: what the studio's pages (the
// confirmation form, the per-person list) use without loading composition, which only the re-send
// itself (resend.ts) needs. The studio loads that on the POST (issue 16, its cold start).
//
// The prefix starts with the address so the per-person page lists someone's re-sends in one Query.
import type { StudioDeps } from './access.ts';

const RESEND_PREFIX = 'resend#';

/** The ledger prefix of everything re-sent to `email`. */
export const resendPrefix = (email: string) => `${RESEND_PREFIX}${email}#`;
export const resendEmailId = (email: string, slug: string, nonce: string) => `${resendPrefix(email)}${slug}#${nonce}`;

// Lowercase hex: it also goes into the re-send's Message-ID, which takes [a-z0-9-] only.
const NONCE = /^[a-f0-9]{16,64}$/;

/** A fresh confirmation id for the form: the studio's crypto-strong id source, as hex. */
export function newResendNonce(deps: Pick<StudioDeps, 'newId'>): string {
  return Buffer.from(deps.newId(), 'utf8').toString('hex').slice(0, 64);
}

/** Whether a posted confirmation id is one newResendNonce could have made. */
export const isResendNonce = (nonce: string): boolean => NONCE.test(nonce);

/**
 * Re-sends to one person in one series per UTC day, all trainings together: a studio session (or a
 * stolen one) must not turn into a way to flood someone's inbox.
 */
export const RESENDS_PER_PERSON_PER_DAY = 3;

export type ResendOutcome = 'sent' | 'already-sent' | 'not-enrolled' | 'no-such-training' | 'never-sent' | 'inactive' | 'bad-confirmation' | 'limit' | 'failed';
