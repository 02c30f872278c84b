// Requests that are not contributions, read from a reply's text: someone who left asking back in.
// Pure and small on purpose: the classifier reads intents; this only tells the app that an
// unsubscribed participant's reply is a rejoin request, which gets them a resubscribe link. The
// phrases are each language's `rejoin` list (functions/core/lexicon), all of them at once: asking
// back in is rare and specific enough that a reply in any language may say it.
import { fold, phrases } from './classify.ts';
import { all } from './lexicon/index.ts';

const REJOIN = phrases(all('rejoin'));

/** True when the text asks to be taken back into the series. */
export function isRejoinRequest(text: string): boolean {
  return REJOIN.test(fold(text.slice(0, 5_000)));
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
