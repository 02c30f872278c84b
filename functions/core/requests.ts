// Requests that are not contributions, read from a reply's text: someone who left asking back in.
// Pure and small on purpose: the classifier reads intents; this only tells the app that an
// unsubscribed participant's reply is a rejoin request, which gets them a resubscribe link.
const REJOIN = new RegExp(
  [
    String.raw`\b(?:add|put|sign|take|let)\s+me\s+(?:back|in\s+again|up\s+again)`,
    String.raw`\bre-?(?:join|subscribe|enrol+)\b`,
    String.raw`\b(?:back\s+in|join\s+again|unsubscribed\s+by\s+mistake|didn'?t\s+mean\s+to\s+unsubscribe)\b`,
    String.raw`\b(?:wieder\s+(?:aufnehmen|anmelden|dabei))\b`,
    String.raw`\b(?:volver\s+a\s+(?:unirme|suscribirme)|reincorporarme)\b`,
    String.raw`\b(?:me\s+r[ée]inscrire|r[ée]abonner)\b`,
    String.raw`\b(?:voltar\s+a\s+participar|me\s+inscrever\s+de\s+novo)\b`,
    String.raw`\b(?:weer\s+(?:aanmelden|toevoegen))\b`,
  ].join('|'),
  'i',
);

/** True when the text asks to be taken back into the series. */
export function isRejoinRequest(text: string): boolean {
  return REJOIN.test(text.slice(0, 5_000));
}
