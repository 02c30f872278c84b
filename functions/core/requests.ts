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
