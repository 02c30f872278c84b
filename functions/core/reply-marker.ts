// The line every Baton email prints where a reply's quoted history begins. Clients quote it
// (often with `>` or inside a blockquote) and the trimmer cuts there: it is the most reliable
// cut there is, because we wrote it. Plain ASCII letters so no client re-encodes it.
export const REPLY_MARKER = '--- Reply above this line to contribute ---';
