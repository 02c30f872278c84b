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

/**
 * A reply that is only a word or two about what Baton sends: "preferences" (answered with the
 * preferences link) or "resume" (reminders rest no more, a pause ends). Whole replies only, so a
 * contribution that mentions "my preferences" is still a contribution.
 */
export type SettingsRequest = 'preferences' | 'resume';

const SETTINGS: ReadonlyArray<[SettingsRequest, RegExp]> = [
  [
    'preferences',
    /^(?:(?:my|email|mail|change(?:\s+my)?|show(?:\s+me)?(?:\s+my)?)\s+)?(?:preferences?|settings|options)$|^(?:einstellungen|präferenzen|preferencias|ajustes|préférences|paramètres|preferências|configurações|voorkeuren|instellingen)$/i,
  ],
  ['resume', /^(?:(?:please\s+)?(?:resume|restart|unpause)(?:\s+(?:the\s+)?(?:reminders|emails|mails|everything))?(?:\s+please)?|turn\s+(?:the\s+)?reminders\s+back\s+on)$|^(?:fortsetzen|weiter|reanudar|reprendre|retomar|hervatten)$/i],
];

/** The settings request a reply is, if all it says is one (punctuation and a greeting aside). */
export function settingsRequest(text: string): SettingsRequest | undefined {
  const bare = text
    .slice(0, 200)
    .trim()
    .replace(/^(?:hi|hello|hey|hallo|hola|bonjour|olá|ola)\b[\s,!.]*/i, '')
    .replace(/[\s.!?,;:]+$/u, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (bare.length === 0 || bare.length > 60) return undefined;
  return SETTINGS.find(([, re]) => re.test(bare))?.[0];
}
