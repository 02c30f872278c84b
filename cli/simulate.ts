// A whole series on a virtual clock, against the real local servers: the schedules fire in order
// through dispatch into aws-ses-v2-local, scripted participants answer the mail they actually got
// (replies over SMTP to their signed addresses, clicks on their signed links over HTTP), and at the
// end the funnel is computed from what was stored. `baton simulate` prints it; the end-to-end test
// asserts on it.
//
// Primary course:
//   1. start the local stack in a throwaway folder and publish + enrol the series;
//   2. repeat: take the earliest of (next due schedule, next scripted reaction), move the clock
//      there, fire or react;
//   3. stop after the last schedule; report the timeline, every sent mail and the funnel.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './repo-root.ts';
import nodemailer from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';
import type { Store } from '#adapters/aws/dynamo';
import type { Participant } from '#core/model';
import { readReply } from '#core/classify';
import { computeFunnel, type SeriesFunnel } from '#core/report';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { localConfig } from '#adapters/local/config';
import { LocalScheduler } from '#adapters/local/scheduler';
import { wireLocalStack } from '#adapters/local/wiring';
import { syncSchedules } from '#app/publish';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants, loadSeries } from './series-dir.ts';
import { weekOf } from '#app/planners/digest';
import { addDays, utcToZoned } from '#core/time';

export type Persona = 'quiet' | 'reader' | 'adopter' | 'sharer' | 'commenter' | 'out-of-office' | 'unsubscriber' | 'bouncer';

export interface SentMail {
  at: string;
  kind: string;
  trainingSlug?: string;
  to: string;
  subject: string;
  /** The Date header, which dispatch sets to the job's (virtual) fire time. */
  date: string;
  /** It carried a calendar part (an invitation, a hold, a cancellation). */
  calendar: boolean;
}

/**
 * The choices scripted participants make on the preferences page (the "Choose what you get" link
 * in the kickoff's footer, posted over HTTP), one each, in this order after the rare personas.
 * `pauseUntil` is filled in with the day three weeks after the kickoff.
 */
export const PREFERENCE_SCRIPT = [
  { choice: 'no reminders', form: 'reminders=off' },
  { choice: 'roll-ups never', form: 'rollups=never' },
  { choice: 'no calendar entries', form: 'calendar=off' },
  { choice: 'daily bites', form: 'format=bites' },
  { choice: 'pause for two weeks', form: 'pauseUntil=' },
] as const;

/** Mails per person per week (their Monday-to-Sunday week, in their own zone). */
export interface MailsPerWeek {
  /** Mondays of the weeks anyone got mail in, in order. */
  weeks: string[];
  perPerson: Record<string, number[]>;
  /** Over every person and week of the series. */
  average: number;
  /** The most one person got in one week. */
  max: number;
}

export function mailsPerPersonPerWeek(sent: readonly SentMail[], participants: readonly Participant[]): MailsPerWeek {
  const zones = new Map(participants.map((p) => [p.email, p.timeZone]));
  const counts = new Map<string, Map<string, number>>();
  for (const m of sent) {
    const zone = zones.get(m.to);
    if (!zone) continue;
    const week = weekOf(new Date(m.date || m.at), zone).monday;
    const mine = counts.get(m.to) ?? new Map<string, number>();
    mine.set(week, (mine.get(week) ?? 0) + 1);
    counts.set(m.to, mine);
  }
  const all = [...counts.values()].flatMap((m) => [...m.keys()]);
  const first = all.sort()[0];
  const last = all.at(-1);
  const weeks: string[] = [];
  for (let w = first; w && last && w <= last; w = addDays(w, 7)) weeks.push(w);
  const perPerson = Object.fromEntries(participants.map((p) => [p.email, weeks.map((w) => counts.get(p.email)?.get(w) ?? 0)]));
  const cells = Object.values(perPerson).flat();
  const total = cells.reduce((a, b) => a + b, 0);
  return { weeks, perPerson, average: cells.length ? Math.round((total / cells.length) * 100) / 100 : 0, max: Math.max(0, ...cells) };
}

/** Email kinds in a trainer's words, where the kind's id is not already one. */
export const KIND_WORDS: Record<string, string> = {
  rollup: 'weekly roll-up',
  digest: 'trainer digest',
  'follow-up': 'check-in',
  ack: 'acknowledgement',
  'upload-link': 'upload link',
  update: 'calendar update',
  cancel: 'cancellation',
};

/** "12 kickoffs, 45 trainings, 3 check-ins": how many emails of each kind, in the order given. */
export function countKinds(kinds: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${KIND_WORDS[k] ?? k}${n === 1 ? '' : 's'}`).join(', ');
}

/** A response Baton stored because of a scripted reply or click: what the funnel counts. */
export interface RecordedResponse {
  email: string;
  trainingSlug: string;
  intent: string;
  strategyNumber?: number;
  rating?: number;
}

export interface TimelineEntry {
  at: string;
  what: string;
  /** What Baton stored as a result of this step (replies and clicks), as the funnel reads it. */
  recorded?: RecordedResponse[];
}

export interface SimulationResult {
  seriesId: string;
  personas: Record<string, Persona>;
  participants: Participant[];
  timeline: TimelineEntry[];
  sent: SentMail[];
  funnel: SeriesFunnel;
  failedJobs: string[];
  /** What each scripted chooser picked on the preferences page (with `preferences`). */
  choices: Record<string, string>;
  perWeek: MailsPerWeek;
  /** Where the run's sent mail was kept (raw .eml files), when `keepOutbox` asked for it. */
  outbox?: string;
}

export interface SimulateOptions {
  dir: string;
  /** Synthetic participants instead of the folder's participants.csv. */
  participants?: number;
  seed?: number;
  log?: (entry: TimelineEntry) => void;
  /** Called at every step of the virtual clock: where it is and how much mail has gone out. */
  onStep?: (at: Date, sent: number) => void;
  /** A folder to keep the run's sent mail in (emptied first); the run's own data is deleted. */
  keepOutbox?: string;
  /** Some participants choose what they get on the preferences page (PREFERENCE_SCRIPT). */
  preferences?: boolean;
}

const ZONES = [
  'America/Los_Angeles', 'America/Denver', 'America/Chicago', 'America/New_York', 'America/Sao_Paulo',
  'Europe/London', 'Europe/Berlin', 'Africa/Accra', 'Africa/Lagos', 'Asia/Dubai', 'Asia/Kolkata',
  'Asia/Bangkok', 'Asia/Brunei', 'Asia/Tokyo', 'Australia/Perth', 'Australia/Sydney', 'Pacific/Auckland',
];
const STARTS = ['07:30', '08:00', '08:30', '09:00', '09:30', '10:00'];

/** A small seeded generator (mulberry32): the same seed plays the same series. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LabeledReply {
  reply: string;
  intents: { intent: string }[];
}

function readsAsComment(text: string): boolean {
  const reading = readReply({ subject: 'Re: training', text, strategies: [], context: { kind: 'training' } }, (error) => {
    throw error;
  });
  return reading.status === 'parsed' && reading.intents.some((i) => i.intent === 'comment');
}

/** Realistic reply texts from the labeled fixtures, by the single intent they carry. */
function replyBank(): Record<'strategy' | 'comment' | 'adopt', string[]> {
  const file = join(repoRoot(), 'test', 'fixtures', 'replies', 'labeled', 'labels.json');
  const labels = JSON.parse(readFileSync(file, 'utf8')) as { replies: LabeledReply[] };
  const bank = { strategy: [] as string[], comment: [] as string[], adopt: [] as string[] };
  for (const r of labels.replies) {
    if (r.intents.length !== 1 || !r.reply.trim() || /#\d/.test(r.reply)) continue;
    const intent = r.intents[0]!.intent;
    // The scripted teammates test the series clock, not the reader: a comment goes in the bank only
    // if Baton reads it as one, so a commenter is never a quiet person in disguise. (How well
    // replies are read is measured on the intents corpus, not here.)
    if (intent === 'comment' && !readsAsComment(r.reply)) continue;
    if (intent === 'strategy' || intent === 'comment' || intent === 'adopt') bank[intent].push(r.reply);
  }
  return bank;
}

export function assignPersonas(participants: readonly Participant[], next: () => number): Record<string, Persona> {
  const personas: Record<string, Persona> = {};
  // One of each of the rare cases the story needs, then a realistic mix for everyone else.
  const special: Persona[] = ['out-of-office', 'unsubscriber', 'bouncer'];
  const common: Persona[] = ['quiet', 'quiet', 'reader', 'reader', 'adopter', 'adopter', 'adopter', 'sharer', 'commenter'];
  // A seeded shuffle of the mix, dealt in turn, so every kind of participant shows up.
  const deck = [...common];
  for (let i = deck.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [deck[i], deck[j]] = [deck[j]!, deck[i]!];
  }
  const withSpecial = participants.length > 6;
  participants.forEach((p, i) => {
    personas[p.email] = withSpecial && i < special.length ? special[i]! : deck[(i - (withSpecial ? special.length : 0)) % deck.length]!;
  });
  return personas;
}

function syntheticParticipants(n: number): Participant[] {
  return Array.from({ length: n }, (_, i) => ({
    email: `participant${i + 1}@example.com`,
    name: `Participant ${i + 1}`,
    timeZone: ZONES[i % ZONES.length]!,
    workStart: STARTS[(i * 7) % STARTS.length]!,
  }));
}

interface Reaction {
  at: number;
  /** Whose reply or click it is: what Baton records is looked up by this person. */
  who: Participant;
  run: () => Promise<string | undefined>;
}

function mailKind(messageId: string | undefined): { kind: string; trainingSlug?: string } {
  const local = messageId?.replace(/^<|>$/g, '').split('@')[0] ?? '';
  const [kind, , training] = local.split('.');
  return { kind: kind ?? 'unknown', ...(training && training !== '_' ? { trainingSlug: training } : {}) };
}

function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
}

function mailto(href: string): { subject: string; body: string } {
  const query = new URL(href).searchParams;
  return { subject: query.get('subject') ?? '', body: query.get('body') ?? '' };
}

function quote(original: ParsedMail, fromName: string): string {
  const when = original.date?.toUTCString() ?? '';
  const text = (original.text ?? '').split('\n').slice(0, 40).map((l) => `> ${l}`).join('\n');
  return `\n\nOn ${when}, ${fromName} wrote:\n${text}\n`;
}

export async function simulateSeries(opts: SimulateOptions): Promise<SimulationResult> {
  const next = random(opts.seed ?? 7);
  const dataDir = mkdtempSync(join(tmpdir(), 'baton-simulate-'));
  const timeline: TimelineEntry[] = [];
  const note = (at: Date, what: string, recorded?: RecordedResponse[]) => {
    const entry: TimelineEntry = { at: at.toISOString(), what, ...(recorded?.length ? { recorded } : {}) };
    timeline.push(entry);
    opts.log?.(entry);
  };
  let now = new Date(0);
  let stack: RunningStack | undefined;
  let closeProduct: (() => void) | undefined;
  try {
    stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
    const secret = 'simulation-secret-not-for-production';
    // The same handlers `baton dev` wires, on the virtual clock; sending is not paced here.
    const product = wireLocalStack(stack, { secret, now: () => now, maxSendRate: 10_000 });
    closeProduct = product.close;
    const store: Store = product.store;

    // 1. Publish the day before the first window opens, and enrol.
    const { series, trainings } = await loadSeries(opts.dir);
    const firstOpens = trainings.map((t) => t.opens).sort()[0]!;
    now = new Date(Date.parse(`${firstOpens}T00:00:00Z`) - 36 * 3_600_000);
    await publishSeries(opts.dir, store, now);
    const csv = join(opts.dir, 'participants.csv');
    const participants = opts.participants ? syntheticParticipants(opts.participants) : await loadParticipants(csv, series);
    await store.putParticipants(series.id, participants);
    await syncSchedules(store, series.id, now);
    note(now, `published "${series.title}" with ${trainings.length} trainings; enrolled ${participants.length} participants`);

    const personas = assignPersonas(participants, next);
    const cast = new Map<Persona, string[]>();
    for (const p of participants) cast.set(personas[p.email]!, [...(cast.get(personas[p.email]!) ?? []), p.name]);
    for (const [persona, names] of cast) note(now, `  ${persona}: ${names.length > 6 ? `${names.length} people` : names.join(', ')}`);
    const byEmail = new Map(participants.map((p) => [p.email, p]));
    // Choosers: after the rare personas, one participant per scripted choice.
    const choosers = new Map<string, (typeof PREFERENCE_SCRIPT)[number]>();
    if (opts.preferences) {
      const rare = new Set<Persona>(['out-of-office', 'unsubscriber', 'bouncer']);
      const eligible = participants.filter((p) => !rare.has(personas[p.email]!));
      PREFERENCE_SCRIPT.forEach((script, i) => eligible[i] && choosers.set(eligible[i].email, script));
      for (const [email, script] of choosers) note(now, `  ${byEmail.get(email)!.name} will choose: ${script.choice}`);
    }
    const choices = Object.fromEntries([...choosers].map(([email, s]) => [email, s.choice]));
    const bank = replyBank();
    const pick = (list: string[]) => list[Math.floor(next() * list.length)] ?? 'This was useful, thank you!';

    const outbox = join(dataDir, 'outbox');
    // Nothing but this run writes its throwaway table: the clock keeps what is pending in memory.
    const scheduler = new LocalScheduler(product.store, { retryDelayMs: 10 * 60_000, soleProcess: true });
    const dispatchJob = product.dispatchJob;
    const smtp = nodemailer.createTransport({ host: stack.endpoints.smtp.host, port: stack.endpoints.smtp.port, secure: false, ignoreTLS: true });

    const reactions: Reaction[] = [];
    const later = (p: Participant, hours: number, run: Reaction['run']) => reactions.push({ at: now.getTime() + hours * 3_600_000, who: p, run });
    // What each reply or click made Baton store, so the log says what the funnel will count.
    const recordedIds = new Set<string>();
    const strategyNumber = new Map(trainings.flatMap((t) => t.strategies.map((st) => [st.id, st.number] as const)));
    const trainingTitle = new Map(trainings.map((t) => [t.slug, `training ${t.order}`]));
    const newlyRecorded = async (p: Participant): Promise<RecordedResponse[]> => {
      const fresh = (await store.listResponsesByParticipant(series.id, p.email)).filter((r) => !recordedIds.has(r.id));
      for (const r of fresh) recordedIds.add(r.id);
      return fresh.map((r) => {
        const number = r.strategyId ? strategyNumber.get(r.strategyId) : undefined;
        return { email: r.participantEmail, trainingSlug: r.trainingSlug, intent: r.intent, ...(number !== undefined ? { strategyNumber: number } : {}), ...(r.rating !== undefined ? { rating: r.rating } : {}) };
      });
    };
    const recordedWords = (list: readonly RecordedResponse[]): string =>
      list
        .map((r) => {
          const what =
            r.intent === 'adopt' ? `adopted #${r.strategyNumber ?? '?'}`
            : r.intent === 'follow-up' ? `answered the check-in${r.strategyNumber ? ` on #${r.strategyNumber}` : ''}${r.rating ? ` (${r.rating}/5)` : ''}`
            : r.intent === 'strategy' ? 'a strategy of their own'
            : r.intent === 'read' ? 'read'
            : r.intent;
          return `${what} (${trainingTitle.get(r.trainingSlug) ?? r.trainingSlug})`;
        })
        .join(', ');
    const seen = new Set<string>();
    const sent: SentMail[] = [];
    const failedJobs: string[] = [];
    const unsubscribedAt = new Map<string, number>();

    const reply = async (p: Participant, original: ParsedMail, subject: string, text: string, headers: Record<string, string> = {}) => {
      const replyTo = original.replyTo?.value[0]?.address;
      if (!replyTo) return;
      await smtp.sendMail({
        from: { name: p.name, address: p.email },
        to: replyTo,
        subject,
        text: text + quote(original, original.from?.value[0]?.name ?? 'Baton'),
        inReplyTo: original.messageId,
        references: [original.messageId ?? ''],
        headers,
      });
    };
    const click = async (url: string, body: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      return res.status;
    };

    /** What a persona does with a mail it received. */
    const react = (p: Participant, persona: Persona, mail: ParsedMail, kind: string) => {
      const html = typeof mail.html === 'string' ? mail.html : '';
      const links = hrefs(html);
      const chooser = choosers.get(p.email);
      if (kind === 'kickoff' && chooser) {
        const prefsUrl = html.match(/<a[^>]+href="([^"]+)"[^>]*>Choose what you get/i)?.[1]?.replace(/&amp;/g, '&');
        if (prefsUrl) {
          // Three weeks from the kickoff, in their own zone: long enough to miss something.
          const form = chooser.form === 'pauseUntil=' ? `pauseUntil=${addDays(utcToZoned(now, p.timeZone).date, 21)}` : chooser.form;
          later(p, 1, async () => `${p.name} chose ${chooser.choice} (${form}) on the preferences page (${await click(prefsUrl, form)})`);
        }
      }
      const readUrl = html.match(/<a[^>]+href="([^"]+)"[^>]*>(?:(?!<\/a>)[\s\S])*?Mark as read/i)?.[1]?.replace(/&amp;/g, '&');
      if (kind === 'training') {
        if (persona === 'reader' && readUrl) later(p, 3 + next() * 20, async () => `${p.name} marked it read (${await click(readUrl, '')})`);
        if (persona === 'adopter') {
          const adopt = links.filter((h) => h.startsWith('mailto:') && /subject=Adopt/i.test(h));
          const choice = adopt[Math.floor(next() * adopt.length)];
          if (choice) {
            const { subject } = mailto(choice);
            later(p, 5 + next() * 60, async () => {
              await reply(p, mail, subject, pick(bank.adopt));
              return `${p.name} replied "${subject}"`;
            });
          }
        }
        if (persona === 'sharer') {
          const share = links.find((h) => h.startsWith('mailto:') && /subject=Strategy/i.test(h));
          if (share) {
            const { subject } = mailto(share);
            later(p, 10 + next() * 80, async () => {
              await reply(p, mail, subject, pick(bank.strategy));
              return `${p.name} shared a strategy`;
            });
          }
        }
        if (persona === 'commenter') {
          later(p, 20 + next() * 100, async () => {
            await reply(p, mail, `Re: ${mail.subject ?? ''}`, pick(bank.comment));
            return `${p.name} commented on the training`;
          });
        }
        if (persona === 'out-of-office' && !seen.has(`ooo:${p.email}`)) {
          seen.add(`ooo:${p.email}`);
          const back = new Date(now.getTime() + 10 * 86_400_000).toISOString().slice(0, 10);
          later(p, 0.1, async () => {
            await reply(p, mail, `Automatic reply: ${mail.subject ?? ''}`, `I am out of the office until ${back} with limited access to email.`, {
              'Auto-Submitted': 'auto-replied',
            });
            return `${p.name}'s mailbox answered: out of office until ${back}`;
          });
        }
        if (persona === 'unsubscriber' && !unsubscribedAt.has(p.email) && mail.subject?.includes('training 2 of')) {
          const header = String(mail.headers.get('list-unsubscribe') ?? '');
          const url = (mail.headers.get('list') as { unsubscribe?: { url?: string } } | undefined)?.unsubscribe?.url ?? header.match(/<(http[^>]+)>/)?.[1];
          if (url) {
            unsubscribedAt.set(p.email, Number.POSITIVE_INFINITY);
            later(p, 2, async () => {
              unsubscribedAt.set(p.email, now.getTime());
              return `${p.name} unsubscribed with one click (${await click(url, 'List-Unsubscribe=One-Click')})`;
            });
          }
        }
        if (persona === 'bouncer' && !seen.has(`bounce:${p.email}`)) {
          seen.add(`bounce:${p.email}`);
          later(p, 0.05, async () => {
            // What the mail-events handler does with SES's bounce notification.
            await store.suppress(p.email, 'bounce', now);
            await store.setBounced(series.id, p.email, now);
            return `${p.email} bounced (mailbox does not exist); the address is suppressed`;
          });
        }
      }
      if (kind === 'follow-up') {
        const rate = links.find((h) => h.includes('/l/') && /[45]\s*<\/a>|Helped a lot|>\s*[45]/i.test(html.slice(html.indexOf(h), html.indexOf(h) + 300)));
        const target = rate ?? links.filter((h) => h.includes('/l/'))[3];
        if (target) later(p, 6 + next() * 48, async () => `${p.name} rated the strategy they adopted (${await click(target, '')})`);
      }
    };

    const collectSent = async () => {
      let files: string[] = [];
      try {
        files = readdirSync(outbox).sort();
      } catch {
        return;
      }
      for (const file of files) {
        if (seen.has(file)) continue;
        seen.add(file);
        const mail = await simpleParser(readFileSync(join(outbox, file)), { skipTextToHtml: true });
        const to = mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address ?? '' : '';
        const { kind, trainingSlug } = mailKind(mail.messageId);
        const calendar = mail.attachments.some((a) => a.contentType === 'text/calendar');
        sent.push({ at: now.toISOString(), kind, ...(trainingSlug ? { trainingSlug } : {}), to, subject: mail.subject ?? '', date: mail.date?.toISOString() ?? '', calendar });
        const p = byEmail.get(to);
        if (p) react(p, personas[to]!, mail, kind);
      }
    };

    // 2. The event loop: schedules and reactions, earliest first.
    for (let steps = 0; steps < 100_000; steps++) {
      opts.onStep?.(now, sent.length);
      // What fires next: every pending schedule due at the earliest pending instant.
      const dueNext = await scheduler.nextDue();
      const nextSchedule = dueNext[0] ? Date.parse(dueNext[0].at) : Number.POSITIVE_INFINITY;
      reactions.sort((a, b) => a.at - b.at);
      const nextReaction = reactions[0]?.at ?? Number.POSITIVE_INFINITY;
      if (nextSchedule === Number.POSITIVE_INFINITY && nextReaction === Number.POSITIVE_INFINITY) break;
      if (nextReaction < nextSchedule) {
        const reaction = reactions.shift()!;
        now = new Date(reaction.at);
        const what = await reaction.run();
        const recorded = await newlyRecorded(reaction.who);
        if (what) note(now, `  ${what}${recorded.length ? ` → Baton recorded: ${recordedWords(recorded)}` : ''}`, recorded);
        await collectSent();
        continue;
      }
      now = new Date(nextSchedule);
      const before = sent.length;
      const report = await scheduler.fireDue(now, dispatchJob, dueNext);
      // Schedule names are ids (kind, slug, zone hash); a trainer reads the kind and the title.
      const describe = (id: string): string => {
        const job = report.jobs[id] as { kind?: string; trainingSlug?: string; timeZone?: string } | undefined;
        if (!job?.kind) return id.split('/')[1] ?? id;
        const title = job.trainingSlug ? trainings.find((t) => t.slug === job.trainingSlug)?.title : undefined;
        return `${KIND_WORDS[job.kind] ?? job.kind}${title ? ` of “${title}”` : ''}${job.timeZone ? ` (${job.timeZone})` : ''}`;
      };
      await collectSent();
      failedJobs.push(...report.failed.map(describe));
      const names = [...new Set([...report.fired.map(describe), ...report.retrying.map((n) => `${describe(n)} (retrying)`), ...report.failed.map((n) => `${describe(n)} (failed)`)])];
      const newly = sent.slice(before);
      const people = new Set(newly.map((m) => m.to)).size;
      note(now, `${names.join(', ')}: ${newly.length ? `${newly.length} sent to ${people} ${people === 1 ? 'person' : 'people'}` : 'nothing to send'}`);
    }
    smtp.close();

    // 3. The funnel from what was stored.
    const published = (await store.getSeries(series.id))!;
    const funnel = computeFunnel({
      series: published.series,
      trainings: published.trainings,
      participants: await store.listParticipants(series.id),
      responses: await store.listResponses(series.id),
      deliveries: await store.listDeliveries(series.id),
    });
    // The run's data folder goes away below; its mail is what a trainer wants to read afterwards.
    if (opts.keepOutbox) {
      rmSync(opts.keepOutbox, { recursive: true, force: true });
      mkdirSync(opts.keepOutbox, { recursive: true });
      if (existsSync(outbox)) cpSync(outbox, opts.keepOutbox, { recursive: true });
    }
    return { seriesId: series.id, personas, participants, timeline, sent, funnel, failedJobs, choices, perWeek: mailsPerPersonPerWeek(sent, participants), ...(opts.keepOutbox ? { outbox: opts.keepOutbox } : {}) };
  } finally {
    closeProduct?.();
    await stack?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
