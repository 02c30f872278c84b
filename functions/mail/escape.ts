// Escaping for the three contexts an email value lands in: HTML text and attributes, mailto URIs
// (RFC 6068) and our own {{placeholder}} syntax. Runtime code (fill) imports this, so it stays
// free of mjml and of anything heavy.

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const HTML_SPECIAL = /[&<>"']/g;
const HTML_SPECIAL_TEST = /[&<>"']/;

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(value: string): string {
  // Most values (names, dates, base32 addresses) need nothing: skip the regex replace then.
  return HTML_SPECIAL_TEST.test(value) ? value.replace(HTML_SPECIAL, (c) => HTML_ESCAPES[c] ?? c) : value;
}

/**
 * Percent-encodes a mailto header value (subject, body) as RFC 6068 requires: spaces as %20
 * (never `+`), line breaks as %0D%0A, and everything outside the unreserved set encoded.
 */
export function encodeMailtoValue(value: string): string {
  return encodeURIComponent(value.replace(/\r\n|\r|\n/g, '\r\n'));
}

/** Percent-encodes an address for the `to` part of a mailto URI; `@` and `+` stay readable. */
export function encodeMailtoAddress(address: string): string {
  return encodeURIComponent(address).replace(/%40/g, '@').replace(/%2B/g, '+');
}

/** `mailto:` URI with optional subject and body, ready for an href (escape it for HTML there). */
export function mailtoUri(to: string, headers: { subject?: string; body?: string } = {}): string {
  const query: string[] = [];
  if (headers.subject !== undefined) query.push(`subject=${encodeMailtoValue(headers.subject)}`);
  if (headers.body !== undefined) query.push(`body=${encodeMailtoValue(headers.body)}`);
  return `mailto:${to}${query.length ? `?${query.join('&')}` : ''}`;
}

/**
 * Authored content may legitimately contain `{{` (a training about templates, a code sample);
 * the filler must not mistake it for a placeholder. `{{{{}}` is the filler's escape for a
 * literal `{{`, so every authored `{{` is rewritten to it before it enters a template.
 */
export const LITERAL_OPEN = '{{{{}}';

export function protectBraces(authored: string): string {
  return authored.includes('{{') ? authored.replaceAll('{{', LITERAL_OPEN) : authored;
}

/** A placeholder for the filler: `{{name}}`. Names are identifiers so a typo fails at parse time. */
export function placeholder(name: string): string {
  if (!PLACEHOLDER_NAME.test(name)) throw new Error(`"${name}" is not a valid placeholder name: use letters and digits, starting with a letter`);
  return `{{${name}}}`;
}

export const PLACEHOLDER_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
