// Daily bites end to end on the local stack: the example series published with `format: bites`
// into dynalite, its schedules fired by the local clock hour by hour through dispatch into
// aws-ses-v2-local, and a reply to the third bite sent over SMTP. Each participant gets the
// overview on the training's day and one part on each of their next working days, in their own
// zone and week; someone who chose whole trainings gets the training whole; the reply counts for
// the training.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { simpleParser, type ParsedMail } from 'mailparser';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createSesClient, RecordingMailer, SesMailer } from '#adapters/aws/ses';
import type { InboundOutcome } from '#app/receive-reply';
import type { Participant } from '#core/model';
import { workDaysOf } from '#core/audience';
import { addDays, firstWorkingDay, utcToZoned } from '#core/time';
import { createLocalInbound } from '#adapters/local/smtp-inbound';
import { localConfig } from '#adapters/local/config';
import { LocalScheduler, localDispatch } from '#adapters/local/scheduler';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { syncSchedules } from '#app/publish';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { exampleDir } from '#test/support/example-data';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-bites-'));
const seriesDir = join(dataDir, 'series');
const SECRET = 'test-secret-for-bites-0123456789';
const SERIES = 'q1-productivity';
const SLUG = 'productive-one-on-ones';
const WHOLE = 'sofia.rossi@example.org';
const NURUL = 'nurul.hakim@example.com';
const END = new Date('2027-01-29T00:00:00Z');

let stack: RunningStack;
let store: Store;
let destroy: () => void;
let people: Participant[];
const outcomes: InboundOutcome[] = [];
/** Every mail of the first training as it arrived, by recipient. */
const got = new Map<string, ParsedMail[]>();

beforeAll(async () => {
  cpSync(exampleDir, seriesDir, { recursive: true });
  const yaml = join(seriesDir, 'series.yaml');
  writeFileSync(yaml, `${readFileSync(yaml, 'utf8')}\nformat: bites\n`);
  stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  destroy = () => client.destroy();
  store = createStore({ client, tableName: stack.config.tableName });
  const publishedAt = new Date('2027-01-19T00:00:00Z');
  const published = await publishSeries(seriesDir, store, publishedAt);
  people = await loadParticipants(join(seriesDir, 'participants.csv'), published.series);
  await store.putParticipants(SERIES, people);
  // A participant's own choice beats the series': Sofia takes trainings whole.
  await store.setParticipantStatus(SERIES, WHOLE, { format: 'whole' });
  await syncSchedules(store, SERIES, publishedAt);

  const run = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
  const clock = new LocalScheduler(store);
  for (let t = publishedAt.getTime(); t <= END.getTime(); t += 3_600_000) {
    const report = await clock.fireDue(new Date(t), run);
    expect(report.failed).toEqual([]);
  }
  const outbox = join(dataDir, 'outbox');
  for (const file of readdirSync(outbox)) {
    const mail = await simpleParser(readFileSync(join(outbox, file)));
    const to = !Array.isArray(mail.to) ? mail.to?.value[0]?.address : undefined;
    if (!to || !mail.messageId?.startsWith('<training.') || !mail.subject?.startsWith('A productive 1:1')) continue;
    got.set(to, [...(got.get(to) ?? []), mail].sort((a, b) => a.date!.getTime() - b.date!.getTime()));
  }

  const mailer = new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: stack.endpoints.ses }), maxSendRate: 500 }), outbox);
  stack.setHandlers({
    onMail: createLocalInbound({ store, config: stack.config, secret: SECRET, mailer, dataDir, now: () => END, onOutcome: (o) => outcomes.push(o) }),
  });
}, 300_000);

afterAll(async () => {
  destroy?.();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const localDay = (mail: ParsedMail, timeZone: string) => utcToZoned(mail.date!, timeZone).date;
const hasCalendar = (mail: ParsedMail) => mail.attachments.some((a) => a.contentType === 'text/calendar') || /text\/calendar/.test(mail.headerLines.map((h) => h.line).join('\n'));

describe('a training sent as daily bites', () => {
  it('reaches each participant as the overview, then one part on each of their next working days, in their zone', () => {
    const biters = people.filter((p) => p.email !== WHOLE);
    expect(biters.length).toBeGreaterThan(8);
    for (const p of biters) {
      const mails = got.get(p.email) ?? [];
      expect(mails.map((m) => m.subject), p.email).toEqual([
        'A productive 1:1 sync with your manager (training 1 of 4)',
        'A productive 1:1 sync with your manager · part 1 of 4: What we expect from a 1:1 (training 1 of 4)',
        'A productive 1:1 sync with your manager · part 2 of 4: Why it so often goes sideways (training 1 of 4)',
        'A productive 1:1 sync with your manager · part 3 of 4: Further reading (training 1 of 4)',
        'A productive 1:1 sync with your manager · part 4 of 4: Strategies (training 1 of 4)',
      ]);
      // The overview arrives on the window's first working day, each part on the next working day.
      const week = workDaysOf(p);
      let day = firstWorkingDay('2027-01-21', week);
      expect(localDay(mails[0]!, p.timeZone), `${p.email} overview`).toBe(day);
      for (const [i, mail] of mails.slice(1).entries()) {
        day = firstWorkingDay(addDays(day, 1), week);
        expect(localDay(mail, p.timeZone), `${p.email} part ${i + 1}`).toBe(day);
      }
      // Same reply address for every part; the calendar came once, with the overview.
      expect(new Set(mails.map((m) => m.replyTo!.value[0]!.address)).size).toBe(1);
      expect(mails.map(hasCalendar)).toEqual([true, false, false, false, false]);
    }
    // Nurul works Monday to Thursday and Saturday: Thursday's overview, then Sat, Mon, Tue, Wed.
    expect(got.get(NURUL)!.map((m) => localDay(m, 'Asia/Brunei'))).toEqual(['2027-01-21', '2027-01-23', '2027-01-25', '2027-01-26', '2027-01-27']);
  });

  it('the overview lists the parts; the strategies part carries the Adopt buttons', () => {
    const [overview, , , , strategies] = got.get(NURUL)!;
    expect(overview!.text).toContain('This training comes in 4 short parts, one each working day:');
    expect(overview!.text).toContain('3. Further reading');
    expect(strategies!.html).toContain('Adopt #2');
  });

  it('someone who chose whole trainings gets the training whole, and no bites', () => {
    const mails = got.get(WHOLE)!;
    expect(mails.map((m) => m.subject)).toEqual(['A productive 1:1 sync with your manager (training 1 of 4)']);
    expect(mails[0]!.text).toContain('Strategies (');
    expect(mails[0]!.text).not.toContain('short parts');
  });

  it('a reply to bite 3 is recorded against the training', async () => {
    const bite3 = got.get(NURUL)![3]!;
    expect(bite3.subject).toContain('part 3 of 4');
    const transport = nodemailer.createTransport({ host: stack.endpoints.smtp.host, port: stack.endpoints.smtp.port, secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: `Nurul Hakim <${NURUL}>`,
      to: bite3.replyTo!.value[0]!.address!,
      subject: `Re: ${bite3.subject}`,
      inReplyTo: bite3.messageId!,
      messageId: `<bite3-${Date.now()}@mail.example.com>`,
      text: "I'll adopt #2, starting with my next meeting on Monday.",
    });
    expect(outcomes.at(-1)).toMatchObject({ status: 'stored', trainingSlug: SLUG, participantEmail: NURUL });
    const responses = await store.listResponsesByParticipant(SERIES, NURUL);
    const two = (await store.getSeries(SERIES))!.trainings.find((t) => t.slug === SLUG)!.strategies.find((s) => s.number === 2)!;
    expect(responses.map((r) => [r.trainingSlug, r.intent, r.strategyId])).toEqual([[SLUG, 'adopt', two.id]]);
  });
});
