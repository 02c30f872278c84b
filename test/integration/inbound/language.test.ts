// Baton speaks the participant's language, on the real local stack: the example published into
// dynalite with Lukas reading German and Omar Arabic (the CSV's `language` column), the training
// sent through aws-ses-v2-local, Lukas answering over SMTP, then the reminder job run. What SES
// accepted is read back: Lukas's acknowledgement and reminder are German (dates and zone names
// too), Omar's reminder is written right to left, and everyone else's stays English.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { createDynamoClient, createStore, type Store } from '#adapters/aws/dynamo';
import { createSesClient, RecordingMailer, SesMailer } from '#adapters/aws/ses';
import type { InboundOutcome } from '#app/receive-reply';
import { createLocalInbound } from '#adapters/local/smtp-inbound';
import { createLocalLinks } from '#adapters/local/links-server';
import { t } from '#mail/messages/index';
import { localConfig } from '#adapters/local/config';
import { localDispatch } from '#adapters/local/scheduler';
import { startLocalStack, type RunningStack } from '#adapters/local/stack';
import { parseParticipantsCsv } from '#core/participants';
import { publishSeries } from '#cli/publish-series';
import { loadSeries } from '#cli/series-dir';
import { TEMPLATE } from '#mail/template-names';
import { exampleDir } from '#test/support/example-data';
import { outboxMails, type SentMail } from '#test/support/outbox';

const dataDir = mkdtempSync(join(tmpdir(), 'baton-language-'));
const SECRET = 'test-secret-for-language-0123456789';
const SERIES = 'q1-productivity';
const TRAINING = 'productive-one-on-ones';
const LUKAS = 'lukas.becker@example.org';
const OMAR = 'omar.haddad@example.com';
const ANA = 'ana.reyes@example.com';

let stack: RunningStack;
let store: Store;
let destroy: () => void;
const outcomes: InboundOutcome[] = [];

/** Every message SES accepted so far, parsed from the raw copies the local mailer keeps. */
const sentMail = (): Promise<SentMail[]> => outboxMails(join(dataDir, 'outbox'));
/** Text with its line wrapping undone, to find sentences in. */
const flat = (m: SentMail) => (m.text ?? '').replace(/\s+/g, ' ');
const to = (m: SentMail) => (m.to && !Array.isArray(m.to) ? m.to.value[0]?.address : undefined);
/** `email` answers the training email they got, over SMTP to the local inbound server. */
async function replyToTraining(name: string, email: string, text: string): Promise<void> {
  const [training] = await ofKind('training', email);
  const transport = nodemailer.createTransport({ host: stack.endpoints.smtp.host, port: stack.endpoints.smtp.port, secure: false, ignoreTLS: true });
  await transport.sendMail({
    from: `${name} <${email}>`,
    to: training!.replyTo!.value[0]!.address!,
    subject: `Re: ${training!.subject}`,
    inReplyTo: training!.messageId!,
    text,
  });
}
const ofKind = async (kind: string, email: string) => (await sentMail()).filter((m) => to(m) === email && m.messageId?.startsWith(`<${kind}.`));

beforeAll(async () => {
  stack = await startLocalStack({ config: localConfig({ dataDir, ports: { dynamo: 0, ses: 0, smtp: 0, links: 0 } }), persist: false });
  const client = createDynamoClient({ endpoint: stack.endpoints.dynamo });
  destroy = () => client.destroy();
  store = createStore({ client, tableName: stack.config.tableName });
  // The example's sheet with a language column: de for Lukas, ar for Omar, empty for the rest.
  const { series } = await loadSeries(exampleDir);
  const lines = readFileSync(join(exampleDir, 'participants.csv'), 'utf8').trim().split('\n');
  const csv = [`${lines[0]},language`, ...lines.slice(1).map((l) => `${l},${l.startsWith(LUKAS) ? 'de' : l.startsWith(OMAR) ? 'AR' : ''}`)].join('\n');
  const parsed = parseParticipantsCsv(csv, { file: 'participants.csv', defaultTimeZone: series.defaultTimeZone, defaultWorkStart: series.defaultWorkStart });
  expect(parsed.errors).toEqual([]);
  await publishSeries(exampleDir, store, new Date('2026-12-01T00:00:00Z'), { participants: parsed.participants });
  const send = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
  await send({ kind: 'training', seriesId: SERIES, trainingSlug: TRAINING }, new Date('2027-01-21T00:00:00Z'));
  const mailer = new RecordingMailer(new SesMailer({ client: createSesClient({ endpoint: stack.endpoints.ses }), maxSendRate: 500 }), join(dataDir, 'outbox'));
  stack.setHandlers({
    onMail: createLocalInbound({ store, config: stack.config, secret: SECRET, mailer, dataDir, now: () => new Date('2027-01-22T10:00:00Z'), onOutcome: (o) => outcomes.push(o) }),
  });
}, 90_000);

afterAll(async () => {
  destroy?.();
  await stack?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the language column', () => {
  it('is stored with the participant and compiles their acknowledgement and reminders in it', async () => {
    const people = await store.listParticipants(SERIES);
    expect(people.find((p) => p.email === LUKAS)?.language).toBe('de');
    expect(people.find((p) => p.email === OMAR)?.language).toBe('ar');
    expect(people.find((p) => p.email === ANA)?.language).toBeUndefined();
    const names = [...(await store.getTemplates(SERIES)).keys()];
    expect(names).toEqual(expect.arrayContaining([TEMPLATE.inLanguage(TEMPLATE.ack, 'de'), TEMPLATE.inLanguage(TEMPLATE.reminder(TRAINING), 'de'), TEMPLATE.inLanguage(TEMPLATE.ack, 'ar')]));
    expect(names.filter((n) => n.endsWith('@en'))).toEqual([]);
  });

  it('refuses a language Baton does not speak, naming the ones it does', () => {
    const parsed = parseParticipantsCsv('email,name,language\nx@example.com,X,klingon\n', { file: 'p.csv', defaultTimeZone: 'Europe/London', defaultWorkStart: '09:00' });
    expect(parsed.errors.map((e) => e.message)).toEqual([expect.stringMatching(/^language "klingon" is not one Baton writes in: use one of en, de, es, fr, pt, nl, ms, id, th, ar, ja/)]);
  });
});

describe('a German participant', () => {
  it('gets the calendar entries of his training email in German, Ana hers in English', async () => {
    // Calendar text as clients show it: the .ics parts, folded lines joined, TEXT escapes undone.
    const calendarText = async (email: string) => {
      const [training] = await ofKind('training', email);
      return training!.attachments
        .filter((a) => a.contentType === 'text/calendar' || a.filename?.endsWith('.ics'))
        .map((a) => a.content.toString('utf8').replace(/\r\n[ \t]/g, '').replace(/\\([,;\\])/g, '$1'))
        .join('\n');
    };
    const lukas = await calendarText(LUKAS);
    expect(lukas).toMatch(/^DESCRIPTION:Training \d von 4 in „Q1 training series: productivity, communication and organization“: A productive 1:1 sync with your manager, von /m);
    expect(lukas).toContain('Das Zeitfenster für Beiträge ist offen');
    expect(lukas).toMatch(/^SUMMARY:Fokuszeit: A productive 1:1 sync with your manager/m);
    expect(lukas).not.toMatch(/submission window is open|Focus time/);
    const ana = await calendarText(ANA);
    expect(ana).toContain('The submission window is open');
    expect(ana).toMatch(/^SUMMARY:Focus time: A productive 1:1 sync with your manager/m);
  });

  it('gets a German acknowledgement of their reply', async () => {
    await replyToTraining('Lukas Becker', LUKAS, 'Ich übernehme #2 und fange am Montag mit meinem nächsten 1:1 an.');
    expect(outcomes.at(-1)?.status).toBe('stored');
    const [ack] = (await sentMail()).filter((m) => to(m) === LUKAS && m.subject?.startsWith('Re:'));
    expect(ack).toBeDefined();
    expect(flat(ack!)).toContain('Hallo Lukas, danke! Wir haben deine Antwort auf „A productive 1:1 sync with your manager“ erhalten');
    expect(flat(ack!)).toMatch(/als deine Übernahme von #2 „.+“ verstanden\./);
    expect(ack!.text).toContain('Erfasst: du übernimmst #2');
    expect(ack!.text).toContain('Nicht so gemeint? Ein Klick genügt:');
    expect(ack!.text).toContain('Von dieser Reihe abmelden: http');
    expect(ack!.html).toContain('<html lang="de"');
    expect(ack!.text).not.toMatch(/thanks!|Recorded:|Unsubscribe from this series/);
  });

  it('gets a German reminder: subject, nudge, deadline with a German date and zone name, teammates, footer', async () => {
    const send = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
    await send({ kind: 'reminder', seriesId: SERIES, trainingSlug: TRAINING }, new Date('2027-01-27T09:00:00Z'));
    const [lukas] = await ofKind('reminder', LUKAS);
    // Lukas contributed: no reminder for him. Hannah (no language: the series' English) and the others get one.
    expect(lukas).toBeUndefined();
    const [omar] = await ofKind('reminder', OMAR);
    expect(omar!.html).toContain('<html lang="ar" dir="rtl"');
    expect(omar!.subject).toMatch(/^مفتوح حتى .+: A productive 1:1 sync with your manager$/);
    expect(omar!.text).toContain('تذكير ودّي');
    expect(omar!.text).toContain('إلغاء الاشتراك في هذه السلسلة');
    const [ana] = await ofKind('reminder', ANA);
    expect(ana!.subject).toBe('Open until Sunday 31 January: A productive 1:1 sync with your manager');
    expect(ana!.html).toContain('<html lang="en" dir="auto"');
    expect(flat(ana!)).toContain('Lukas will try #2');
  });

  it('gets a German reminder when they have not answered', async () => {
    // A second training: nobody has answered it, so Lukas is reminded too.
    const send = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
    const slug = 'company-communications';
    await send({ kind: 'training', seriesId: SERIES, trainingSlug: slug }, new Date('2027-02-01T00:00:00Z'));
    await send({ kind: 'reminder', seriesId: SERIES, trainingSlug: slug }, new Date('2027-02-10T09:00:00Z'));
    const reminders = (await ofKind('reminder', LUKAS)).filter((m) => m.subject?.includes('Keeping up'));
    expect(reminders).toHaveLength(1);
    const r = reminders[0]!;
    expect(r.subject).toBe('Offen bis Sonntag, 14. Februar: Keeping up with company communications');
    expect(flat(r)).toContain('Hallo Lukas, dieses Zeitfenster schließt bald');
    expect(flat(r)).toContain('Endet: Sonntag, 14. Februar, Ende deines Tages (23:59 Mitteleuropäische Normalzeit)');
    expect(flat(r)).toContain('Du hast bisher zu 1 von 4 Trainings beigetragen; das Ziel sind mindestens 2, also bringt dich dieses ans Ziel.');
    expect(flat(r)).toContain('Zu diesem Training hat noch niemand etwas geteilt');
    expect(r.text).toContain('Du bist dran');
    expect(flat(r)).toContain('Alle Daten gelten in deiner Zeitzone (Mitteleuropäische Normalzeit).');
    expect(r.html).toContain('<html lang="de"');
    // The subjects Baton reads back stay as the classifier knows them.
    expect(flat(r)).toContain('Übernehmen #1 (Batch your catch-up): antworte mit dem Betreff "Adopt #1" und sag, warum und wie');
  });
});

describe("a German participant's check-in, roll-up and wrap-up", () => {
  it('gets a German check-in about the strategy he adopted', async () => {
    const send = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
    await send({ kind: 'follow-up', seriesId: SERIES, trainingSlug: TRAINING }, new Date('2027-02-21T09:00:00Z'));
    const [checkIn] = await ofKind('follow-up', LUKAS);
    expect(checkIn).toBeDefined();
    expect(checkIn!.subject).toMatch(/^Wie hat „.+“ für dich funktioniert\?$/);
    expect(checkIn!.text).toContain('Nachfrage');
    expect(flat(checkIn!)).toMatch(/Hallo Lukas! Vor 3 Wochen ist das Zeitfenster für Training \d von 4 zu Ende gegangen: "A productive 1:1 sync with your manager"\. Du wolltest ".+" übernehmen\./);
    expect(checkIn!.text).toMatch(/1 \(hat bei mir nicht funktioniert\):\n {2}http/);
    expect(flat(checkIn!)).toContain('Möchtest du mehr erzählen? Antworte auf diese E-Mail');
    expect(checkIn!.html).toContain('<html lang="de"');
    expect(checkIn!.text).not.toMatch(/How has it gone|One click is enough|Unsubscribe from this series/);
  });

  it("opens his check-in's rating link as a German page, and the page after the click too", async () => {
    stack.setHandlers({ onLink: createLocalLinks({ store, secret: SECRET, now: () => new Date('2027-02-21T12:00:00Z') }) });
    const [checkIn] = await ofKind('follow-up', LUKAS);
    const url = /^4 \(hat gut funktioniert\):\n {2}(\S+)$/m.exec(checkIn!.text!)?.[1];
    expect(url).toMatch(/^http/);
    const shown = await (await fetch(url!)).text();
    expect(shown).toContain('<html lang="de">');
    expect(shown).toMatch(/<h1>Hat „.+“ geholfen\? Mit 4 von 5 bewerten<\/h1>/);
    expect(shown).toContain('<button type="submit">Mit 4 von 5 bewerten</button>');
    expect(shown).toContain('Baton · Training per E-Mail');
    const done = await (await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' })).text();
    expect(done).toMatch(/<h1>Du hast „.+“ mit 4 von 5 bewertet\.<\/h1>/);
    expect(done).toContain('<p>Danke, Lukas.</p>');
    // Omar's unsubscribe page is Arabic, right to left; Ana's stays English.
    const unsubscribe = async (email: string, language: 'ar' | 'en') => {
      const [reminder] = await ofKind('reminder', email);
      const link = new RegExp(`^${t(language, 'layout.unsubscribe')}: (\\S+)$`, 'm').exec(reminder!.text!)?.[1];
      expect(link).toMatch(/^http/);
      return (await fetch(link!)).text();
    };
    const omar = await unsubscribe(OMAR, 'ar');
    expect(omar).toContain('<html lang="ar" dir="rtl">');
    expect(omar).toContain('<button type="submit">إلغاء الاشتراك</button>');
    const ana = await unsubscribe(ANA, 'en');
    expect(ana).toContain('<html lang="en">');
    expect(ana).toContain('<button type="submit">Unsubscribe</button>');
  });

  it('gets a German roll-up of what a teammate shared, while she gets hers in English', async () => {
    // Ana (no language: English) shares something the same week Lukas adopted #2.
    await replyToTraining('Ana Reyes', ANA, 'A strategy that works for me: I send my manager the agenda the evening before, so we start with the hard part.');
    expect(outcomes.at(-1)?.status).toBe('stored');
    const send = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
    await send({ kind: 'rollup', seriesId: SERIES }, new Date('2027-01-27T09:00:00Z'));
    const [lukas] = await ofKind('rollup', LUKAS);
    expect(lukas).toBeDefined();
    expect(lukas!.subject).toBe('Diese Woche in Q1 training series: productivity, communication and organization: was dein Team geteilt hat');
    expect(lukas!.text).toMatch(/^Wochenübersicht, Woche vom Mo\., 25\. Jan\. 2027$/m);
    expect(flat(lukas!)).toContain('Hallo Lukas, neu aus deinem Team diese Woche: 1 Beitrag.');
    expect(lukas!.text).toMatch(/Ana Reyes (hat eine Strategie geteilt|hat das Training kommentiert)/);
    expect(lukas!.text).toContain('Kudos (ein Klick): http');
    expect(lukas!.html).toContain('>Kommentieren</a>');
    expect(lukas!.html).toContain('<html lang="de"');
    const [ana] = await ofKind('rollup', ANA);
    expect(ana!.subject).toBe('This week in Q1 training series: productivity, communication and organization: what your teammates shared');
    expect(ana!.text).toMatch(/Lukas Becker will adopt #2 /);
    expect(ana!.text).toContain('Kudos (one click): http');
  });

  it('gets a German wrap-up with German counts and the survey, its reply subjects unchanged', async () => {
    const send = localDispatch({ store, config: stack.config, sesEndpoint: stack.endpoints.ses, secret: SECRET });
    await send({ kind: 'wrap-up', seriesId: SERIES }, new Date('2027-03-20T10:00:00Z'));
    const [lukas] = await ofKind('wrap-up', LUKAS);
    expect(lukas).toBeDefined();
    expect(lukas!.subject).toBe('Q1 training series: productivity, communication and organization: danke, und was wir geteilt haben');
    expect(lukas!.text).toContain('Danke!\n======');
    expect(flat(lukas!)).toContain('Du hast zu 1 von 4 Trainings beigetragen.');
    expect(flat(lukas!)).toContain('4 Trainings, 2 Beiträge von 2 Personen, 1 Strategie selbst entwickelt.');
    expect(flat(lukas!)).toContain('Welches Format wünschst du dir als Nächstes? schriftlich, Audio, Video, tägliche Häppchen?');
    // The subject the reply reader tallies stays English.
    expect(flat(lukas!)).toContain('"Survey: next format audio"');
    expect(lukas!.text).toContain('Lukas probiert #2 aus');
    const [omar] = await ofKind('wrap-up', OMAR);
    expect(omar!.html).toContain('<html lang="ar" dir="rtl"');
    expect(omar!.text).toContain('شكرًا لك!');
  });
});

describe('the pages a participant changes things on', () => {
  const form = (link: string, body: string) => fetch(link, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  /** The link after `label: ` in the plain text of `email`'s newest mail that has one. */
  const linkIn = async (email: string, label: string) => {
    const line = new RegExp(`^\\s*${label.replace(/[?.*+()[\]]/g, '\\$&')}: (\\S+)$`, 'm');
    const found = (await sentMail()).filter((m) => to(m) === email && line.test(m.text ?? '')).at(-1);
    const link = found ? line.exec(found.text!)?.[1] : undefined;
    expect(link, `${label} in ${email}'s mail`).toMatch(/^http/);
    return link!;
  };

  it("opens Lukas's preferences page in German, keeps a bad choice out, and stores what he saves", async () => {
    stack.setHandlers({ onLink: createLocalLinks({ store, secret: SECRET, now: () => new Date('2027-02-22T12:00:00Z') }) });
    const link = await linkIn(LUKAS, t('de', 'layout.preferences'));
    const shown = await (await fetch(link)).text();
    for (const part of [
      '<html lang="de">',
      '<h1>Was soll „Q1 training series: productivity, communication and organization“ dir schicken, Lukas?</h1>',
      '<legend>Erinnerungen</legend>',
      '<input type="radio" name="reminders" value="off"> <span>Keine Erinnerungen</span>',
      '<legend>Alles pausieren</legend>',
      '<button type="submit">Meine Auswahl speichern</button>',
    ]) {
      expect(shown).toContain(part);
    }
    expect(shown).not.toMatch(/Save my choices|Reminders|Pause everything/);

    const refused = await form(link, 'reminders=vielleicht');
    expect(refused.status).toBe(400);
    const refusal = await refused.text();
    expect(refusal).toContain('<h1>Es wurde nichts geändert</h1>');
    expect(refusal).toContain('<p>„vielleicht“ ist keine Auswahl für reminders: wähle eins von on, off.</p>');
    expect((await store.getParticipant(SERIES, LUKAS))?.preferences?.reminders).toBeUndefined();

    const saved = await form(link, 'reminders=off&rollups=weekly&calendar=on&pauseUntil=');
    expect(saved.status).toBe(200);
    const done = await saved.text();
    expect(done).toContain('<h1>Gespeichert, Lukas.</h1>');
    expect(done).toMatch(/<p>Erinnerungen aus; Übersichten wöchentlich; Kalendereinträge an; Trainings (am Stück|als tägliche Häppchen)\.<\/p>/);
    expect(done).toContain('<p>Keine Pause.</p>');
    expect((await store.getParticipant(SERIES, LUKAS))?.preferences?.reminders).toBe(false);
  });

  it("opens Omar's preferences page right to left in Arabic, and Ana's in English", async () => {
    const omar = await (await fetch(await linkIn(OMAR, t('ar', 'layout.preferences')))).text();
    expect(omar).toContain('<html lang="ar" dir="rtl">');
    expect(omar).toContain('<button type="submit">احفظ اختياراتي</button>');
    expect(omar).toContain('<legend>التذكيرات</legend>');
    const ana = await (await fetch(await linkIn(ANA, t('en', 'layout.preferences')))).text();
    expect(ana).toContain('<html lang="en">');
    expect(ana).toContain('<h1>What should “Q1 training series: productivity, communication and organization” send you, Ana?</h1>');
    expect(ana).toContain('<button type="submit">Save my choices</button>');
  });

  it("opens the corrections in Lukas's acknowledgement in German, and records the one he confirms", async () => {
    const withdraw = await (await fetch(await linkIn(LUKAS, t('de', 'choice.withdraw')))).text();
    expect(withdraw).toContain('<html lang="de">');
    expect(withdraw).toContain('<h1>Zurückziehen, was wir erfasst haben?</h1>');
    expect(withdraw).toContain('<p>Hallo Lukas, das hast du geschrieben:</p>');
    expect(withdraw).toContain('<blockquote>Ich übernehme #2 und fange am Montag mit meinem nächsten 1:1 an.</blockquote>');
    expect(withdraw).toContain('<button type="submit">Zurückziehen</button>');

    const correct = await linkIn(LUKAS, t('de', 'choice.ownStrategy'));
    const asked = await (await fetch(correct)).text();
    expect(asked).toContain('<h1>Stattdessen erfassen als: eigene Strategie?</h1>');
    expect(asked).toContain('<button type="submit">Erfassen als: eigene Strategie</button>');
    expect(asked).not.toMatch(/Record it as|Hi Lukas/);
    const done = await (await form(correct, '')).text();
    expect(done).toContain('<h1>Geändert in: eigene Strategie — danke, Lukas.</h1>');
    expect(done).toContain('<p>Die frühere Lesart erscheint nirgends mehr; Übersichten und Digests nutzen diese.</p>');
    // His adoption is now a strategy of his own; the check-in's rating stays as it was.
    const standing = (await store.listResponses(SERIES, { trainingSlug: TRAINING })).filter((r) => r.participantEmail === LUKAS);
    expect(standing.map((r) => r.intent).sort()).toEqual(['follow-up', 'strategy']);
  });
});
