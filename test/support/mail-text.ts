// Reading what Baton's emails say in their text parts, as a participant or trainer sees them.

/** The one-click links in a text body: `  label: url` lines, as mail/doubts.ts writes them. */
export function linksIn(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of text.matchAll(/^\s*([^:\n]+): (\S+\/l\/[A-Za-z0-9_-]+)\s*$/gm)) out.set(m[1]!.trim(), m[2]!);
  return out;
}

/** One section of a digest's text part: from its capitalised heading to the next one. */
export const section = (text: string, heading: string): string =>
  text.match(new RegExp(`^${heading}[^\\n]*\\n[\\s\\S]*?(?=^[A-Z][A-Z ]+$|$(?![\\s\\S]))`, 'm'))?.[0] ?? '';
