// Storage keys, checked alike by the S3 stores (adapters/aws/mail-store.ts, audio-store.ts) and
// the data folder's (adapters/local/mail-store.ts).

/** Keys are built from ids and sanitized file names, but a key must never climb out of its folder. */
export function checkKey(key: string): string {
  if (!key || key.startsWith('/') || key.split('/').some((p) => p === '..' || p === '.' || p === '') || /[\u0000-\u001f\\]/.test(key)) {
    throw new Error(`"${key}" is not a valid storage key: use relative, slash-separated names without "." or ".." parts`);
  }
  return key;
}
