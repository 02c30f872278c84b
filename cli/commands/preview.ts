// `baton preview`: every email a participant or trainer of the series can receive, as the files a
// trainer opens before publishing (.html in a browser, .eml in a mail client, .ics in a calendar).
//
// Primary course:
//   1. load and compile the series exactly as publishing does;
//   2. plan its schedules as publishing does, to learn when each kind of email would go out to the
//      previewed participant (so every date in a mail is the date it would really show);
//   3. invent a season of teammates' activity in memory (strategies, adoptions, comments, kudos,
//      check-in ratings, one unsubscribe), each dated inside its training's window;
//   4. compose each kind with the same planners and prepare* functions dispatch and the inbound
//      handler use, from the activity received before that email's send time — no database;
//   5. split each raw message into .eml/.html/.txt/.ics.
import { parseArgs } from 'node:util';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { NeedsLook, StoredParticipant } from '#core/records';
import { tagLinks } from '#mail/doubts';
import type { Participant, Response, Series, Training } from '#core/model';
import {
  composeUploadLink,
  emailId,
  linkSigner,
  prepareAckSend,
  prepareDigestSend,
  prepareFollowUpSend,
  prepareKickoffSend,
  prepareReminderSend,
  prepareRollupSend,
  prepareTrainingSend,
  prepareWrapUpSend,
  type ComposedMail,
  type MailSettings,
} from '#mail/compose';
import { TEMPLATE } from '#mail/template-names';
import { DEFAULT_LIMITS, understoodAs } from '#app/receive-reply';
import { renderDigestBody, weekOf, type DoubtItem } from '#app/planners/digest';
import { planFollowUp } from '#app/planners/follow-up';
import { planReminder, REMINDER_NOBODY_YET, contributedCounts } from '#app/planners/reminder';
import { prepareContribution, renderRollupBody } from '#app/planners/rollup';
import { wrapUpTotals } from '#app/planners/wrap-up';
import { computeFunnel, contributionsBetween, type DeliveryLike } from '#core/report';
import { nextCronOccurrence, planSchedules, type ScheduleSpec } from '#core/schedule-plan';
import { inGroup, workWeekKey } from '#core/audience';
import { participantKey } from '#core/short-key';
import { addDays, zonedTimeToUtc } from '#core/time';
import { excerpt, sharedHtml, sharedText } from '#mail/values';
import type { CompiledEmail } from '#mail/fill';
import { displayPath, loadParticipants, loadSeries } from '../series-dir.ts';
import { localConfig } from '#adapters/local/config';
import { UserError } from '#core/user-error';
import { progress } from '../terminal.ts';
import { COMMANDS } from '../catalogue.ts';

export const { summary, usage } = COMMANDS['preview'];

const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

export type PreviewKind = 'kickoff' | 'training' | 'reminder' | 'rollup' | 'ack' | 'upload-link' | 'follow-up' | 'digest' | 'wrap-up';

export interface PreviewMail {
  /** File stem: `05-reminder-productive-one-on-ones`. */
  name: string;
  kind: PreviewKind;
  /** Who it is for: the previewed participant, or (digest) the first trainer. */
  to: string;
  /** When it would be sent. */
  at: Date;
  mail: ComposedMail;
}

export interface Preview {
  series: Series;
  trainings: Training[];
  participant: Participant;
  mails: PreviewMail[];
}

// ---- sample activity ---------------------------------------------------------------------------

/** Teammates for a series folder without participants.csv. */
const SAMPLE_TEAMMATES: ReadonlyArray<Pick<Participant, 'name' | 'email' | 'timeZone' | 'workStart'>> = [
  { name: 'Ana Reyes', email: 'ana.reyes@example.com', timeZone: 'America/Los_Angeles', workStart: '08:30' },
  { name: 'Lukas Becker', email: 'lukas.becker@example.org', timeZone: 'Europe/Berlin', workStart: '08:00' },
  { name: 'Ama Owusu', email: 'ama.owusu@example.com', timeZone: 'Africa/Accra', workStart: '08:00' },
  { name: 'Omar Haddad', email: 'omar.haddad@example.com', timeZone: 'Asia/Dubai', workStart: '09:00' },
  { name: 'Nurul Hakim', email: 'nurul.hakim@example.com', timeZone: 'Asia/Brunei', workStart: '08:30' },
  { name: 'Priya Natarajan', email: 'priya.natarajan@example.com', timeZone: 'Asia/Kolkata', workStart: '09:30' },
  { name: 'Tom Walsh', email: 'tom.walsh@example.com', timeZone: 'Australia/Sydney', workStart: '08:30' },
];

// Generic enough to read well under any training's title: the preview shows the layout with
// realistic lengths, not advice about the trainer's topic.
const STRATEGY_TEXTS = [
  'I block 30 minutes on Friday afternoon to look back at the week and pick one thing to change on Monday. Writing it down is what makes it stick.',
  'We keep one shared doc per project where everyone adds a line a day: done, next, stuck. It replaced our stand-up across three time zones. Template: https://wiki.example.com/team/daily-notes',
  'A sticky note on my monitor with the one habit I am practising this week. Low-tech, but I see it fifty times a day.',
  'I batch everything that needs someone in another time zone into one message at the end of my day, so they wake up to a single clear ask instead of five pings.',
];
const ADOPT_TEXTS = [
  'Our team is spread from Sydney to Seattle, so anything that saves a call helps. I will try it for the next two weeks and report back.',
  'This is the one I keep meaning to do. Starting tomorrow, with a reminder in my calendar.',
  'I tried a version of this last year and dropped it; the tip about keeping it short is what I was missing.',
];
const COMMENT_TEXTS = [
  'Love this! I tried something similar, and the trick for me was keeping it to five minutes so I never skip it.',
  'Stealing this for our team. Do you share the doc with your manager too, or keep it to yourself?',
];
const MY_ADOPTION = 'I will try this before my next 1:1: five minutes the afternoon before, three lines in the shared doc.';

interface Activity {
  participants: StoredParticipant[];
  responses: Response[];
  deliveries: DeliveryLike[];
}

function stored(seriesId: string, p: Participant, status: Partial<Pick<StoredParticipant, 'unsubscribedAt'>> = {}): StoredParticipant {
  return { ...p, ...status, key: participantKey(seriesId, p.email) };
}

/**
 * A plausible season: each teammate behaves the same way throughout (some share, some adopt, some
 * only read, some never answer), the previewed participant reads everything and adopts strategy 1
 * of the first training the day before its window closes (after its reminder, so they get one).
 */
function sampleActivity(series: Series, trainings: readonly Training[], me: Participant, csv: readonly Participant[]): Activity {
  const others = csv.filter((p) => p.email !== me.email);
  const teammates: Participant[] = (others.length >= 4 ? others : [...others, ...SAMPLE_TEAMMATES.filter((s) => s.email !== me.email)]).slice(0, 9);
  const leaver = teammates.at(-1)!;
  const second = trainings[1] ?? trainings[0]!;
  const leftAt = zonedTimeToUtc(addDays(second.opens, 2), '11:00', leaver.timeZone).toISOString();
  const participants = [stored(series.id, me), ...teammates.map((t) => stored(series.id, t, t === leaver ? { unsubscribedAt: leftAt } : {}))];

  const responses: Response[] = [];
  const deliveries: DeliveryLike[] = [];
  let n = 0;
  const add = (p: Participant, training: Training, day: string, time: string, fields: Partial<Response> & Pick<Response, 'intent'>): Response => {
    const id = `preview-${String(++n).padStart(3, '0')}`;
    const r: Response = {
      id,
      seriesId: series.id,
      trainingSlug: training.slug,
      participantEmail: p.email,
      text: '',
      links: [],
      attachments: [],
      source: `<${id}@preview.invalid>`,
      receivedAt: zonedTimeToUtc(day, time, p.timeZone).toISOString(),
      ...fields,
    };
    r.links = [...r.text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);
    responses.push(r);
    return r;
  };

  trainings.forEach((t, i) => {
    const sentAt = zonedTimeToUtc(t.opens, '09:00', me.timeZone).toISOString();
    for (const p of [me, ...teammates]) {
      if (p === leaver && t.opens > leftAt.slice(0, 10)) continue;
      deliveries.push({ emailId: emailId('training', t.slug, p.email), status: 'sent', sentAt });
    }
    const strategies = [...t.strategies].sort((a, b) => a.number - b.number);
    let shared: Response | undefined;
    teammates.forEach((p, j) => {
      if (p === leaver && i > 0) return;
      const day = (k: number) => addDays(t.opens, Math.min(k, 9));
      // Roles stay with a person across trainings; the first strategy draws most adopters, so
      // "most adopted" has a leader.
      switch (j % 7) {
        case 0:
        case 3:
          shared = add(p, t, day(1 + (j % 3)), '10:15', { intent: 'strategy', text: STRATEGY_TEXTS[(i + j) % STRATEGY_TEXTS.length]! });
          break;
        case 1:
        case 2:
        case 6: {
          const s = strategies[j === 2 ? 1 % Math.max(1, strategies.length) : 0];
          add(p, t, day(1), '09:40', { intent: 'read' });
          if (!s) break;
          const adopt = add(p, t, day(2 + (j % 4)), '16:05', { intent: 'adopt', strategyId: s.id, text: ADOPT_TEXTS[(i + j) % ADOPT_TEXTS.length]! });
          const checkIn = addDays(t.closes, 7 * series.policies.followUpWeeksAfterClose + 1);
          add(p, t, checkIn, '12:30', { intent: 'follow-up', strategyId: s.id, targetResponseId: adopt.id, rating: [5, 4, 3, 5][(i + j) % 4]!, source: `link:preview-rating-${adopt.id}` });
          break;
        }
        case 4:
          add(p, t, day(2), '08:50', { intent: 'read' });
          if (shared) {
            add(p, t, day(5), '13:20', { intent: 'comment', targetResponseId: shared.id, text: COMMENT_TEXTS[(i + j) % COMMENT_TEXTS.length]! });
            add(p, t, day(5), '13:21', { intent: 'comment', targetResponseId: shared.id, source: `link:preview-kudos-${n}` });
          }
          break;
        default:
          // Never answers: the digest lists them under "not engaged yet".
          break;
      }
    });
    add(me, t, addDays(t.opens, 1), '12:10', { intent: 'read' });
  });

  const first = trainings[0]!;
  const mine = first.strategies.find((s) => s.number === 1) ?? first.strategies[0];
  if (mine) add(me, first, addDays(first.closes, -1), '17:45', { intent: 'adopt', strategyId: mine.id, text: MY_ADOPTION });
  return { participants, responses, deliveries };
}

const before = (activity: Activity, at: Date): Response[] => activity.responses.filter((r) => Date.parse(r.receivedAt) < at.getTime());

// ---- composing every kind ----------------------------------------------------------------------

function atOf(specs: readonly ScheduleSpec[], match: (s: ScheduleSpec) => boolean): Date | undefined {
  const spec = specs.find(match);
  return spec?.at ? new Date(spec.at.instant) : undefined;
}

/** Every email of the series for one participant (and the digest for the first trainer), in send order. */
export async function previewMails(dir: string, opts: { participant?: string } = {}): Promise<Preview> {
  const loaded = await loadSeries(dir);
  const series = loaded.series;
  const trainings = [...loaded.trainings].sort((a, b) => a.order - b.order);
  const csv = join(dir, 'participants.csv');
  const listed: Participant[] = existsSync(csv) ? await loadParticipants(csv, series) : [];
  let participant: Participant | undefined = listed[0];
  if (opts.participant) {
    participant = listed.find((p) => p.email === opts.participant!.toLowerCase());
    if (!participant) throw new UserError(`${opts.participant} is not in ${displayPath(csv)}; pick one of its addresses.`);
  }
  participant ??= { email: 'sample.participant@example.com', name: 'Sam Sample', timeZone: series.defaultTimeZone, workStart: series.defaultWorkStart };
  const me = participant;

  const config = localConfig();
  const settings: MailSettings = {
    domain: config.domain,
    inboundDomain: config.inboundDomain,
    senderAddress: config.sender,
    linksBaseUrl: config.linksBaseUrl,
    // Preview links are signed with a throwaway secret: they show the shape, not live links.
    secrets: 'preview-only-secret',
  };
  // mjml is loaded here, not with the command: a preview refused above (someone not in the CSV)
  // answers without loading it.
  const { compileTemplates } = await import('#emails/compile-series');
  const templates = await compileTemplates(series, trainings);
  const template = (name: string): CompiledEmail => {
    const t = templates.get(name);
    if (!t) throw new Error(`publishing compiles no "${name}" email any more: update baton preview to match`);
    return t;
  };

  const first = trainings[0]!;
  const trainer = series.trainers[0]!;
  const publishedAt = zonedTimeToUtc(addDays(first.opens, -7), '09:00', trainer.timeZone);
  const activity = sampleActivity(series, trainings, me, listed);
  const people = activity.participants;
  const myStored = people[0]!;
  const specs = planSchedules({ series, trainings, participants: people, publishedAt, includePast: true });
  const mine = (kind: string, slug?: string) => (s: ScheduleSpec) =>
    s.job.kind === kind && s.job.trainingSlug === slug && inGroup({ timeZone: s.job.timeZone, workStart: s.job.workStart ?? me.workStart, workDays: s.job.workDays }, me);
  // The reader's send group: zone, start of day and (when they have one of their own) their week.
  const group = { timeZone: me.timeZone, workStart: me.workStart, ...(me.workDays ? { workDays: workWeekKey(me.workDays) } : {}) };

  const mails: PreviewMail[] = [];
  const push = (kind: PreviewKind, stem: string, at: Date, mail: ComposedMail | undefined, to = me.email) => {
    if (mail) mails.push({ name: `${String(mails.length).padStart(2, '0')}-${stem}`, kind, to, at, mail });
  };

  push('kickoff', 'kickoff', publishedAt, prepareKickoffSend({ series, trainings, template: template(TEMPLATE.kickoff), settings, now: publishedAt })(me));
  for (const t of trainings) {
    const at = atOf(specs, mine('training', t.slug)) ?? zonedTimeToUtc(t.opens, me.workStart, me.timeZone);
    const compose = prepareTrainingSend({ series, training: t, trainings, template: template(TEMPLATE.training(t.slug)), settings, now: at });
    push('training', t.slug, at, compose(me));
  }
  // Trainings keep their own order in the names (01-…), later kinds follow on from there.
  mails.forEach((m, i) => {
    if (m.kind === 'training') m.name = `${String(trainings[i - 1]!.order).padStart(2, '0')}-${trainings[i - 1]!.slug}`;
  });

  const later: Array<{ at: Date; build: () => [PreviewKind, string, ComposedMail | undefined, string?] }> = [];

  const reminderAt = atOf(specs, mine('reminder', first.slug));
  if (reminderAt) {
    later.push({
      at: reminderAt,
      build: () => {
        const plan = planReminder({ job: { kind: 'reminder', seriesId: series.id, trainingSlug: first.slug, ...group }, training: first, trainings, participants: people, responses: before(activity, reminderAt), now: reminderAt });
        const recipient = plan.recipients.find((r) => r.participant.email === me.email);
        const compose = prepareReminderSend({
          series,
          training: first,
          trainings,
          template: template(TEMPLATE.reminder(first.slug)),
          settings,
          now: reminderAt,
          shared: { html: sharedHtml(plan.shared, REMINDER_NOBODY_YET, plan.more), text: sharedText(plan.shared, REMINDER_NOBODY_YET, plan.more) },
        });
        return ['reminder', `reminder-${first.slug}`, recipient ? compose(myStored, recipient.status) : undefined];
      },
    });
  }

  const rollupCron = specs.find((s) => s.job.kind === 'rollup' && s.job.timeZone === me.timeZone)?.cron;
  if (rollupCron) {
    const at = nextCronOccurrence(rollupCron, reminderAt ?? zonedTimeToUtc(addDays(first.opens, 5), '00:00', me.timeZone));
    later.push({
      at,
      build: () => {
        const news = contributionsBetween({ trainings, participants: people, responses: activity.responses }, new Date(at.getTime() - WEEK_MS), at);
        const prepared = news.map(prepareContribution);
        const week = weekOf(at, me.timeZone);
        const compose = prepareRollupSend({
          series,
          trainings,
          template: template(TEMPLATE.rollup),
          settings,
          now: at,
          week: week.week,
          weekLabel: week.label,
          render: (p, links) => renderRollupBody(prepared, p, links),
        });
        return ['rollup', 'rollup', compose(myStored)];
      },
    });
  }

  const myAdoption = activity.responses.find((r) => r.participantEmail === me.email && r.intent === 'adopt');
  if (myAdoption) {
    const at = new Date(Date.parse(myAdoption.receivedAt) + 60_000);
    const subject = `Re: ${first.title}`;
    const inReplyTo = myAdoption.source;
    later.push({
      at,
      build: () => {
        const compose = prepareAckSend({ series, training: first, trainings, template: templates.get(TEMPLATE.ack), settings, now: at });
        // With what was recorded and its correction links, as receive-reply sends it: the preview
        // (and the browser checks on it) show the ack participants get, not a bare thank-you.
        const mail = compose({
          participant: me,
          subject,
          inReplyTo,
          understood: understoodAs([myAdoption], first),
          excerpt: excerpt(myAdoption.text),
          hash: 'previewack01',
          ackTarget: myAdoption.id,
          body: { recorded: [{ response: myAdoption, words: excerpt(myAdoption.text) }], corrected: false },
        });
        return ['ack', `ack-${first.slug}`, mail];
      },
    });
    later.push({
      at: new Date(at.getTime() + 1000),
      build: () => [
        'upload-link',
        `upload-link-${first.slug}`,
        composeUploadLink({
          series,
          training: first,
          trainings,
          settings,
          now: at,
          participant: me,
          subject,
          inReplyTo,
          hash: 'previewupl01',
          files: [{ filename: 'my-1-1-walkthrough.mov', size: 48 * 1024 * 1024, reason: 'too-large' }],
          maxFileBytes: DEFAULT_LIMITS.maxFileBytes,
        }),
      ],
    });
  }

  const followUpAt = atOf(specs, mine('follow-up', first.slug));
  if (followUpAt) {
    later.push({
      at: followUpAt,
      build: () => {
        const checkIns = planFollowUp({ job: { kind: 'follow-up', seriesId: series.id, trainingSlug: first.slug, ...group }, training: first, participants: people, responses: before(activity, followUpAt), now: followUpAt });
        const checkIn = checkIns.find((c) => c.participant.email === me.email);
        const compose = prepareFollowUpSend({ series, training: first, trainings, template: template(TEMPLATE.followUp(first.slug)), settings, now: followUpAt });
        return ['follow-up', `follow-up-${first.slug}`, checkIn ? compose(myStored, checkIn.adoption) : undefined];
      },
    });
  }

  const digestCron = specs.find((s) => s.job.kind === 'digest' && s.job.timeZone === trainer.timeZone)?.cron;
  if (digestCron) {
    // After the first check-ins came back, so every part of the digest has something to show.
    const at = nextCronOccurrence(digestCron, new Date((followUpAt ?? reminderAt ?? publishedAt).getTime() + 2 * DAY_MS));
    later.push({
      at,
      build: () => {
        const since = new Date(at.getTime() - WEEK_MS);
        const responses = before(activity, at);
        const input = { series, trainings, participants: people, responses, deliveries: activity.deliveries.filter((d) => d.sentAt! < at.toISOString()) };
        // One reply Baton could not read, so the digest shows its "needs a look" section with tags.
        const asker = people.find((p) => p.email !== me.email) ?? me;
        const unclear: NeedsLook = {
          id: 'preview-unclear-u',
          seriesId: series.id,
          trainingSlug: first.slug,
          participantEmail: asker.email,
          kind: 'unclear',
          text: 'Hmm, maybe. It depends on how the week goes with the release.',
          answers: 'training',
          source: '<preview-unclear@mail.example.com>',
          receivedAt: new Date(at.getTime() - DAY_MS).toISOString(),
        };
        const needsLook: DoubtItem[] = [{ record: unclear, name: asker.name, trainingTitle: first.title, tags: tagLinks(linkSigner(series, trainings, settings), unclear, first) }];
        const body = renderDigestBody({ funnel: computeFunnel(input), news: contributionsBetween(input, since, at, { intents: ['strategy', 'comment'] }), since, now: at, needsLook });
        const week = weekOf(at, trainer.timeZone);
        const compose = prepareDigestSend({ series, trainings, template: template(TEMPLATE.digest), settings, now: at, week: week.week, weekLabel: week.label, body });
        return ['digest', 'digest', compose(trainer), trainer.email];
      },
    });
  }

  const wrapUpAt = atOf(specs, (s) => s.job.kind === 'wrap-up' && s.job.timeZone === me.timeZone && s.job.workStart === me.workStart);
  if (wrapUpAt) {
    later.push({
      at: wrapUpAt,
      build: () => {
        const responses = before(activity, wrapUpAt);
        const compose = prepareWrapUpSend({ series, trainings, template: template(TEMPLATE.wrapUp), settings, now: wrapUpAt, totals: wrapUpTotals({ trainings, participants: people, responses }) });
        return ['wrap-up', 'wrap-up', compose(myStored, contributedCounts(responses, trainings).get(me.email) ?? 0)];
      },
    });
  }

  for (const { at, build } of later.sort((a, b) => a.at.getTime() - b.at.getTime())) {
    const [kind, stem, mail, to] = build();
    push(kind, stem, at, mail, to);
  }
  return { series, trainings, participant: me, mails };
}

export async function run(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' }, participant: { type: 'string' } },
  });
  const [dir] = positionals;
  if (!dir || !values.out) {
    console.error(`Usage: baton ${usage}`);
    return 1;
  }
  const shown = progress('preview');
  shown.update('compiling and composing every email');
  const { participant, mails, series } = await previewMails(dir, values.participant ? { participant: values.participant } : {});

  await mkdir(values.out, { recursive: true });
  const { simpleParser } = await import('mailparser');
  const written: string[] = [];
  const lines: string[] = [];
  for (const [i, { name, mail, to, at }] of mails.entries()) {
    shown.update('writing emails', i, mails.length);
    // Split the very message that would be sent, so the preview cannot drift from the real thing.
    // Only the parts as sent: no HTML made from the text part (linkifying it is most of a parse).
    const parsed = await simpleParser(mail.raw, { skipTextToHtml: true });
    const files: [string, string | Buffer][] = [
      [`${name}.eml`, mail.raw],
      [`${name}.html`, typeof parsed.html === 'string' ? parsed.html : ''],
      [`${name}.txt`, parsed.text ?? ''],
    ];
    // Every calendar file the email carries, one calendar object each: the invitation (or the
    // first file) as <name>.ics, the others beside it under their own names.
    const calendars = parsed.attachments.filter((a) => a.filename?.endsWith('.ics'));
    calendars.forEach((ics, i) => files.push([i === 0 ? `${name}.ics` : `${name}--${ics.filename}`, ics.content]));
    for (const [file, content] of files) {
      await writeFile(join(values.out, file), content);
      written.push(file);
    }
    const forWhom = to === participant.email ? '' : `  (to ${to})`;
    lines.push(`  ${name.padEnd(42)} ${at.toISOString().slice(0, 10)}  "${parsed.subject}"${forWhom}`);
  }
  shown.done();
  console.log(`Previewed ${mails.length} emails for ${participant.name} <${participant.email}> (${participant.timeZone}, day starts ${participant.workStart}):`);
  for (const line of lines) console.log(line);
  console.log(
    `\nReminder, roll-up, acknowledgement, check-in, digest and wrap-up show made-up activity from teammates; ` +
      `the digest goes to the trainers of ${series.title}.`,
  );
  console.log(`${written.length} files in ${displayPath(values.out)}/ — open the .html in a browser, the .eml in a mail client, the .ics in a calendar.`);
  return 0;
}
