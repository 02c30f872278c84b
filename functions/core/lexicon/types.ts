// What one language contributes to reading replies. Phrases are written folded (lower case,
// accents kept or not: they are folded again), and matched as whole words in scripts with spaces
// and anywhere in scripts without (Thai, Japanese). " * " in a phrase allows up to three words in
// between. Every list is a general way of saying something, never a sentence from one reply.

export interface Lexicon {
  /** BCP 47 code of the language. */
  lang: string;
  /**
   * Frequent function words (articles, pronouns, prepositions, auxiliaries), written folded: the
   * evidence, with the words of the lists below, that a reply is written in this language.
   * Languages with a script of their own (Thai, Arabic, Japanese) are told by the script instead.
   */
  common?: string[];
  /** A request to leave the series ("take me off", "don't enrol me"). */
  unsubscribe: string[];
  /** Someone who left asking back in ("add me back", "unsubscribed by mistake"). */
  rejoin: string[];
  /** Verbs and phrases asking to stop receiving something; with a part below they make a preference. */
  stop: string[];
  /** Names of the parts of the series one can stop without leaving it. */
  parts: { reminders: string[]; rollups: string[]; 'check-ins': string[]; calendar: string[] };
  /** Commitment cues: "I'll try", "going with", "voy a probar". */
  adopt: string[];
  /** Sign-offs on a line of their own ("Kind regards", "Beste Grüße"): what follows is a name or a signature. */
  signOff: string[];
  /** Not having read it yet ("haven't had time to read it"): a comment, never a read. */
  notYet: string[];
  /** Addressing the group ("Hi team", "Hola a todos"): a reply to everyone, not to someone else. */
  everyone: string[];
  /** Speaking to someone ("you", "can you", "please"): with a name before it, the message is for that person. */
  you: string[];
  /** An opinion of one's own ("I disagree with", "in my experience"): with it a reply is a comment. */
  opinion: string[];
  /** Words that open a contrasting clause ("but", "pero", "แต่"): negation and declining stop there. */
  contrast: string[];
  /** Words that, just before a commitment cue, cancel it ("won't", "no voy a"). */
  negation: string[];
  /** Turning a named strategy down or saying one already does it ("not for me", "already do"). */
  decline: string[];
  /** Sharing one's own practice ("what works for me", "my tip"). */
  strategyStrong: string[];
  /** First-person habits; a strategy only when the reply says nothing else. */
  strategyWeak: string[];
  /** Said of one's own practice, it makes it a strategy ("works great"). */
  itWorks: string[];
  /** About the series, the emails, links, timing, format rather than the content. */
  feedback: string[];
  /** Praise and politeness: framing, never a contribution of its own. */
  praise: string[];
  /** A bare acknowledgement: "read", "got it", "thanks". */
  ack: string[];
  /** Joining the series or looking forward to it (a kickoff answer that is an acknowledgement). */
  join: string[];
  greeting: string[];
  /** Asking something ("I wonder", "how do you"), besides a question mark. */
  question: string[];
  /** Number words 1–10 ("four", "vier"). */
  numbers: Record<string, number>;
  /** Ordinals ("fourth", "la cuarta" -> cuarta). */
  ordinals: Record<string, number>;
  /** Nouns that name a strategy by number ("number", "option", "strategi"). */
  refNouns: string[];
  /** Counters written right before a number in scripts without spaces ("ข้อ 2"). */
  refBefore?: string[];
  /** Counters written right after a number ("3番", "2番目"). */
  refAfter?: string[];
  /** Ways of saying "n out of m" between the two numbers ("out of", "von", "จาก"). */
  outOf: string[];
  /** Ways of saying "on a scale of m, n" with the scale first ("5点満点中3点"). */
  scaleFirst?: string[];
  /** Star words after a number ("stars", "Sterne"). */
  stars: string[];
  /** Words that introduce a rating ("rating", "nota", "評価"). */
  ratingLead: string[];
  /** Out-of-office phrases of an auto-reply body. */
  outOfOffice: string[];
}
