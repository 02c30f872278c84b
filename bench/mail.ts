// How fast one core personalises training emails: per recipient, fill a stand-in template (60 KB
// of HTML, 8 KB of text), sign the reply and one-click tokens, build the calendar and the raw MIME.
// Goals from issue 3: ≥ 2,000 messages/s and ≥ 20,000 training calendars/s.
// Standalone: `npx tsx bench/mail.ts` prints the JSON result.
import { pathToFileURL } from 'node:url';
import { focusCalendar, windowCalendar } from '#mail/calendar';
import { listHeaders, threadHeaders } from '#mail/headers';
import { buildMessage } from '#mail/mime';
import type { Participant, Series, Training } from '#core/model';
import { participantKey } from '#core/short-key';
import { replyAddress, signLinkToken, signReplyToken } from '#core/tokens';

const RECIPIENTS = 10_000;
const DOMAIN = 'baton.example.com';
const INBOUND = 'in.baton.example.com';
const SECRET = 'bench-secret-0123456789abcdef0123456789';
const NOW = new Date('2027-01-21T08:00:00Z');

const ZONES = [
  'America/New_York',
  'America/Los_Angeles',
  'Europe/London',
  'Europe/Berlin',
  'Africa/Accra',
  'Asia/Dubai',
  'Asia/Brunei',
  'Asia/Bangkok',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Australia/Sydney',
];
const STARTS = ['08:00', '08:30', '09:00', '09:30', '10:00'];

const series: Series = {
  id: 'q1-productivity',
  title: 'Productivity, communication and organization',
  intro: '',
  trainers: [{ name: 'Juliet Chen', email: 'juliet@example.com', timeZone: 'Asia/Brunei' }],
  defaultTimeZone: 'UTC',
  defaultWorkStart: '09:00',
  policies: {
    reminderDaysBeforeClose: 3,
    followUpWeeksAfterClose: 3,
    digest: { day: 'mon', hour: 9 },
    rollup: { day: 'fri', hour: 10 },
    acknowledgeContributions: true,
  },
};

const training: Training = {
  slug: 'productive-one-on-ones',
  order: 1,
  title: 'Schedule a productive 1:1 sync with your manager',
  opens: '2027-01-21',
  closes: '2027-01-31',
  author: 'Juliet Chen',
  media: {},
  body: '',
  strategies: [],
};

/** A template cut at its placeholders once, as the real filler does at publish time. */
function template(targetBytes: number, line: string): string[] {
  let body = '';
  while (Buffer.byteLength(body) < targetBytes) body += line;
  const cut = body.length >> 1;
  return [
    `Hi {{name}},\n`,
    body.slice(0, cut),
    `\nReply: {{reply}} · Mark as read: {{read}}\n`,
    body.slice(cut),
    `\nUnsubscribe: {{unsubscribe}}\n`,
  ];
}

const HTML = template(
  60 * 1024,
  '<tr><td style="padding:0 24px;font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2933">' +
    'Block an hour on Monday for what matters — “deep work” before the inbox; write the three outcomes you want this week.</td></tr>\n',
);
const TEXT = template(8 * 1024, 'Block an hour on Monday for what matters — "deep work" before the inbox.\n');

/** The filled body as pieces: the template's static text (the same strings every time) and the values. */
function fill(parts: string[], name: string, reply: string, read: string, unsubscribe: string): string[] {
  return [parts[0]!.replace('{{name}}', name), parts[1]!, parts[2]!.replace('{{reply}}', reply).replace('{{read}}', read), parts[3]!, parts[4]!.replace('{{unsubscribe}}', unsubscribe)];
}

function participants(): Participant[] {
  return Array.from({ length: RECIPIENTS }, (_, i) => ({
    email: `person${i}@example.com`,
    name: i % 7 === 0 ? `Zoë Ærøskøbing ${i}` : `Person Number ${i}`,
    timeZone: ZONES[i % ZONES.length]!,
    workStart: STARTS[i % STARTS.length]!,
  }));
}

function perSecond(count: number, ms: number): number {
  return Math.round((count / ms) * 1000);
}

interface Timing {
  wallMs: number;
  /** This process's CPU time: what the work costs when the machine is shared with other jobs. */
  cpuMs: number;
}

function measure(work: () => void): Timing {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  work();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

export async function benchMail(): Promise<object> {
  const people = participants();
  const base = { series, training, organizer: series.trainers[0]!, domain: DOMAIN, sequence: 0, dtstamp: NOW, link: `https://${DOMAIN}/t/${series.id}/${training.slug}` };
  // Without reuse: the ics package run for every person, as a naive use of it would.
  const once = (p: Participant) => windowCalendar({ ...base, method: 'REQUEST' })(p) + focusCalendar({ ...base, method: 'PUBLISH', minutes: 30 })(p);
  const expiresAt = new Date(NOW.getTime() + 60 * 86_400_000);

  // Warm up the JIT and the zone caches so the numbers show the steady state a Lambda batch sees.
  for (const p of people.slice(0, 50)) once(p);

  const plainCalendar = measure(() => {
    for (const p of people.slice(0, 500)) once(p);
  });
  const window = windowCalendar({ ...base, method: 'REQUEST' });
  const focus = focusCalendar({ ...base, method: 'PUBLISH', minutes: 30 });
  const build = (p: Participant) => window(p) + focus(p);
  const builderCalendar = measure(() => {
    for (const p of people) build(p);
  });

  let bytes = 0;
  const send = (p: Participant): string => {
    const pkey = participantKey(series.id, p.email);
    const reply = replyAddress(signReplyToken({ seriesId: series.id, trainingOrder: training.order, participantEmail: p.email, expiresAt }, SECRET), INBOUND);
    const read = `https://${DOMAIN}/l/${signLinkToken({ action: 'read', seriesId: series.id, trainingSlug: training.slug, participantEmail: p.email, expiresAt }, SECRET)}`;
    const unsubscribe = `https://${DOMAIN}/l/${signLinkToken({ action: 'unsubscribe', seriesId: series.id, participantEmail: p.email, expiresAt }, SECRET)}`;
    const thread = threadHeaders({ kind: 'training', seriesId: series.id, trainingSlug: training.slug, participantKey: pkey, domain: DOMAIN });
    return buildMessage({
      from: { name: 'Juliet Chen via Baton', address: `training@${DOMAIN}` },
      to: { name: p.name, address: p.email },
      replyTo: reply,
      subject: `${series.title} · ${training.title}`,
      date: NOW,
      messageId: thread.messageId,
      inReplyTo: thread.inReplyTo,
      references: thread.references,
      headers: listHeaders({ unsubscribeUrl: unsubscribe, unsubscribeMailto: `unsubscribe@${INBOUND}`, listId: `${series.id}.${DOMAIN}`, listName: series.title }),
      text: fill(TEXT, p.name, reply, read, unsubscribe),
      html: fill(HTML, p.name, reply, read, unsubscribe),
      calendar: { method: 'REQUEST', ics: window(p) },
      calendarFiles: [{ filename: 'focus.ics', ics: focus(p) }],
      boundarySeed: thread.messageId,
    });
  };
  for (const p of people.slice(0, 300)) send(p);

  // Ends with the bytes SESv2 SendEmail takes (Content.Raw.Data), as the sender will.
  const mail = measure(() => {
    for (const p of people) bytes += Buffer.from(send(p), 'latin1').length;
  });

  return {
    name: 'mail',
    recipients: RECIPIENTS,
    htmlBytes: Buffer.byteLength(HTML.join('')),
    textBytes: Buffer.byteLength(TEXT.join('')),
    messagesPerSecond: perSecond(RECIPIENTS, mail.wallMs),
    messagesPerCpuSecond: perSecond(RECIPIENTS, mail.cpuMs),
    messagesGoal: 2000,
    averageMessageBytes: Math.round(bytes / RECIPIENTS),
    trainingCalendarsPerSecond: perSecond(RECIPIENTS, builderCalendar.wallMs),
    trainingCalendarsPerCpuSecond: perSecond(RECIPIENTS, builderCalendar.cpuMs),
    trainingCalendarsPerSecondWithoutReuse: perSecond(500, plainCalendar.wallMs),
    trainingCalendarsPerCpuSecondWithoutReuse: perSecond(500, plainCalendar.cpuMs),
    calendarsGoal: 20_000,
    totalMs: Math.round(mail.wallMs),
    node: process.version,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchMail(), null, 2));
}
