// One participant's page: status and preferences, every email the ledger says went to them (and
// when), and everything they answered — reads, strategies, adoptions, comments, check-ins and
// ratings — with the same correct/tag actions as the contributions page (fix-record.ts).
//
// It reads only this person's records: their responses by the participant index, and their
// deliveries by ledger prefixes (`kind#slug#email` per training, `kind#-#email` for the series-wide
// kinds, `resend#email#`), so the page costs the same in a series of 50 or 5,000.
import type { Response } from '#core/model';
import type { Delivery, PublishedSeries, StoredParticipant } from '#core/records';
import type { StudioDeps } from './access.ts';
import { resendPrefix } from './resend-keys.ts';

const PER_TRAINING = ['training', 'reminder', 'follow-up', 'update', 'cancel'] as const;
const SERIES_WIDE = ['kickoff', 'rollup', 'wrap-up', 'cancel'] as const;

export interface PersonDelivery {
  emailId: string;
  /** What it was, in words: "Training: Productive one-on-ones", "Re-sent: …". */
  what: string;
  status: Delivery['status'];
  at: string;
}

export interface PersonView {
  published: PublishedSeries;
  participant: StoredParticipant;
  deliveries: PersonDelivery[];
  /** Current responses, newest first. */
  responses: Response[];
  /** Slugs of the trainings that went to them (whole or as bites): what can be re-sent. */
  sentTrainings: string[];
}

const KIND_WORDS: Record<string, string> = {
  kickoff: 'Kickoff',
  training: 'Training',
  reminder: 'Reminder',
  'follow-up': 'Check-in',
  update: 'Updated invitation',
  cancel: 'Cancellation',
  rollup: 'Weekly roll-up',
  'wrap-up': 'Wrap-up',
  resend: 'Re-sent training',
};

export async function loadPerson(published: PublishedSeries, email: string, deps: Pick<StudioDeps, 'store'>): Promise<PersonView | undefined> {
  const id = published.series.id;
  const participant = await deps.store.getParticipant(id, email);
  if (!participant) return undefined;
  const me = participant.email;
  const prefixes = [
    ...published.trainings.flatMap((t) => PER_TRAINING.map((k) => `${k}#${t.slug}#${me}`)),
    ...SERIES_WIDE.map((k) => `${k}#-#${me}`),
    resendPrefix(me),
  ];
  const [lists, responses] = await Promise.all([Promise.all(prefixes.map((p) => deps.store.listDeliveries(id, p))), deps.store.listResponsesByParticipant(id, me)]);
  const titles = new Map(published.trainings.map((t) => [t.slug, t.title]));
  const seen = new Set<string>();
  const deliveries: PersonDelivery[] = [];
  const sentTrainings = new Set<string>();
  for (const d of lists.flat()) {
    // A prefix also matches a longer address (ana@x.com → ana@x.com.au): keep exact matches only.
    const [kind, a, b] = d.emailId.split('#');
    const [slug, to] = kind === 'resend' ? [b, a] : [a, b];
    if (to !== me || seen.has(d.emailId)) continue;
    seen.add(d.emailId);
    if (kind === 'training' && d.status === 'sent' && slug) sentTrainings.add(slug);
    const title = slug && slug !== '-' ? titles.get(slug) : undefined;
    deliveries.push({ emailId: d.emailId, what: `${KIND_WORDS[kind!] ?? kind}${title ? `: ${title}` : ''}`, status: d.status, at: d.sentAt ?? d.claimedAt });
  }
  deliveries.sort((x, y) => x.at.localeCompare(y.at));
  return {
    published,
    participant,
    deliveries,
    responses: [...responses].sort((x, y) => y.receivedAt.localeCompare(x.receivedAt)),
    sentTrainings: published.trainings.filter((t) => sentTrainings.has(t.slug)).map((t) => t.slug),
  };
}
