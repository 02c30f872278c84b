// Why a received reply was not taken: the inbound pipeline decides it, the bounce-back explains
// some of them to the sender, and logs and metrics count them. A type of its own so that the
// pipeline and the bounce-back (which the pipeline calls) share it without importing each other.
export type RejectReason =
  | 'unknown-recipient'
  | 'bad-token'
  | 'no-token'
  | 'expired-token'
  | 'spoofed-sender'
  | 'unauthenticated'
  | 'spam'
  | 'virus'
  | 'auth-failed'
  | 'malformed'
  | 'unknown-participant';
