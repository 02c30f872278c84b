// Reminder, follow-up check-in and wrap-up for real: the example series published into dynalite,
// a few responses stored, each job dispatched through the real SESv2 client into
// aws-ses-v2-local, and what arrived read back from its /store and the raw copies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import type { Store } from '#adapters/aws/dynamo';
import { dispatch, type DispatchDeps } from '#app/run-job';
import type { Response, Training } from '#core/model';
import { planReminder } from '#app/planners/reminder';
import { planFollowUp } from '#app/planners/follow-up';
import { responseKey } from '#core/short-key';
import { tokenFromAddress, verifyLinkToken, verifyReplyToken } from '#core/tokens';
import { startSendingStack, TEST_INBOUND, type SendingStack, type StoredMail } from '#test/support/sending-stack';

// Reply tokens expire (series end + grace); these emails are read back while the series runs.
const NOW_FOR_TOKENS = new Date('2027-02-01T00:00:00Z');

const SECRET = 'test-secret-for-planners';
const SERIES = 'q1-productivity';
const SLUG = 'productive-one-on-ones';
const INBOUND = TEST_INBOUND;
let sending: SendingStack;
let store: Store;
let deps: DispatchDeps;
let training: Training;
let now = new Date('2027-01-28T12:00:00Z');

const sesStore = () => sending.sesStore();

const toOf = (m: StoredMail) => m.destination.to[0]!.replace(/^.*<|>.*$/g, '');
const replyToken = (m: StoredMail) => tokenFromAddress(m.replyTo[0]!.replace(/^.*<|>.*$/g, ''), INBOUND)!;
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((x) => x[1]!.replace(/&amp;/g, '&'));

const rawText = (mail: StoredMail) => sending.rawText(mail);

let seq = 0;
function response(email: string, intent: Response['intent'], extra: Partial<Response> = {}): Response {
  seq++;
  return {
    id: `r${String(seq).padStart(3, '0')}`,
    seriesId: SERIES,
    trainingSlug: SLUG,
    participantEmail: email,
    intent,
    text: '',
    links: [],
    attachments: [],
    source: `<m${seq}@mail.example.com>`,
    receivedAt: new Date(Date.UTC(2027, 0, 22, seq)).toISOString(),
    ...extra,
  };
}

const ids: Record<string, string> = {};

beforeAll(async () => {
  sending = await startSendingStack({ secret: SECRET, prefix: 'baton-planners-' });
  store = sending.store;
  training = (await store.getSeries(SERIES))!.trainings.find((t) => t.slug === SLUG)!;
  const [s1, s2] = training.strategies;

  const rs: Response[] = [
    response('ana.reyes@example.com', 'strategy', { text: 'I pin the doc <script>alert(1)</script> and add {{firstName}} bullets.' }),
    response('marcus.lee@example.com', 'adopt', { strategyId: s1!.id, text: 'I will try it this week.' }),
    response('rosa.martinez@example.com', 'read'),
    // A kudos click is engagement, not a contribution: Hannah still gets the reminder.
    response('hannah.price@example.org', 'comment', { source: 'link:ABCDEFGH' }),
    response('lukas.becker@example.org', 'comment', { text: 'Great idea, Ana!' }),
    response('chloe.nguyen@example.com', 'adopt', { strategyId: s2!.id, text: 'First time.' }),
    response('chloe.nguyen@example.com', 'adopt', { strategyId: s2!.id, text: 'Said it again.' }),
    response('liam.walsh@example.com', 'adopt', { strategyId: s1!.id }),
    // Ploy's contribution is to another training: it counts toward her goal, not this reminder.
    response('ploy.srisuk@example.org', 'strategy', { trainingSlug: 'company-communications', text: 'Batch it.' }),
  ];
  ids.marcus = rs[1]!.id;
  ids.chloe = rs[5]!.id;
  ids.liam = rs[7]!.id;
  // Liam already said how it went, before any check-in was sent.
  rs.push(response('liam.walsh@example.com', 'follow-up', { strategyId: s1!.id, targetResponseId: ids.liam, rating: 4, text: 'Works.' }));
  for (const r of rs) expect((await store.putResponse(r)).stored).toBe(true);

  await store.setUnsubscribed(SERIES, 'ama.owusu@example.com', now);
  await store.setOutOfOffice(SERIES, 'omar.haddad@example.com', '2027-02-10T00:00:00Z');

  deps = sending.deps(() => now);
});

afterAll(() => sending?.stop());

describe('the reminder', () => {
  it('goes only to the quiet ones, worded for readers, with what teammates shared', async () => {
    const report = await dispatch({ kind: 'reminder', seriesId: SERIES, trainingSlug: SLUG }, deps);
    expect(report.failed).toEqual([]);
    expect(report.sent.sort()).toEqual(
      ['hannah.price@example.org', 'nurul.hakim@example.com', 'ploy.srisuk@example.org', 'rosa.martinez@example.com', 'sofia.rossi@example.org'].map(
        (e) => `reminder#${SLUG}#${e}`,
      ),
    );
    expect(report.skipped).toEqual(
      expect.arrayContaining([
        { emailId: `reminder#${SLUG}#ama.owusu@example.com`, reason: 'unsubscribed' },
        { emailId: `reminder#${SLUG}#omar.haddad@example.com`, reason: 'out-of-office' },
      ]),
    );
    expect(report.skipped).toHaveLength(2);

    const mails = (await sesStore()).filter((m) => m.subject.startsWith('Open until'));
    expect(mails).toHaveLength(5);
    const rosa = mails.find((m) => toOf(m) === 'rosa.martinez@example.com')!;
    const hannah = mails.find((m) => toOf(m) === 'hannah.price@example.org')!;
    const ploy = mails.find((m) => toOf(m) === 'ploy.srisuk@example.org')!;
    expect(rosa.subject).toBe('Open until Sunday 31 January: A productive 1:1 sync with your manager');
    expect(rosa.body.text).toContain("you've read it, thank you!");
    expect(hannah.body.text).not.toContain("you've read it");
    expect(rosa.body.text).toContain('You have contributed to 0 of the 4 trainings so far');
    expect(ploy.body.text).toContain('You have contributed to 1 of the 4 trainings so far');

    // Teammates' words, credited by first name, escaped: the script never becomes markup and the
    // braces are not filled with the reader's name.
    const text = rosa.body.text!.replace(/\s+/g, ' ');
    expect(text).toContain('Ana shared a strategy');
    expect(text).toContain('{{firstName}} bullets');
    // One per person, strategies first, then adoptions with the person's own words, newest first.
    expect(text).toContain('Chloe will try #2, Start with the one thing you need: "Said it again."');
    expect(text).toContain('Marcus will try #1, Keep a running agenda doc: "I will try it this week."');
    expect(text).not.toContain('Liam will try');
    expect(text).toContain('…and 3 more contributions.');
    expect(rosa.body.html).not.toContain('<script>alert(1)');
    expect(rosa.body.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(rosa.body.html).not.toContain('Rosa bullets');

    // Replies route like replies to the training itself, in the training's thread.
    expect(verifyReplyToken(replyToken(rosa), SECRET, NOW_FOR_TOKENS)).toMatchObject({ trainingOrder: training.order });
    const raw = await simpleParser(rawText(rosa));
    expect(raw.messageId).toMatch(/^<reminder\.q1-productivity\.productive-one-on-ones\.[a-z2-7]+@baton\.example\.com>$/);
    expect(raw.references).toContain('<thread.q1-productivity.productive-one-on-ones@baton.example.com>');
  });

  it('is never sent twice', async () => {
    const again = await dispatch({ kind: 'reminder', seriesId: SERIES, trainingSlug: SLUG }, deps);
    expect(again.sent).toEqual([]);
    expect(again.alreadySent).toHaveLength(5);
    expect((await sesStore()).filter((m) => m.subject.startsWith('Open until'))).toHaveLength(5);
  });

  it('leaves out people whose window has already closed in their own zone', async () => {
    const participants = await store.listParticipants(SERIES);
    const responses = await store.listResponses(SERIES);
    // 03:00 UTC on 1 February: past midnight in London, Brunei and Bangkok, still 31 January in Chicago.
    const plan = planReminder({
      job: { kind: 'reminder', seriesId: SERIES, trainingSlug: SLUG },
      training,
      trainings: (await store.getSeries(SERIES))!.trainings,
      participants,
      responses,
      now: new Date('2027-02-01T03:00:00Z'),
    });
    const to = plan.recipients.map((r) => r.participant.email);
    expect(to).toEqual(['rosa.martinez@example.com']);
    expect(to).not.toContain('sofia.rossi@example.org');
    expect(to).not.toContain('nurul.hakim@example.com');
    expect(to).not.toContain('ploy.srisuk@example.org');
  });
});

describe('the follow-up check-in', () => {
  it('goes once per adoption to adopters not yet heard from, with rating links that verify', async () => {
    now = new Date('2027-02-21T14:00:00Z');
    const report = await dispatch({ kind: 'follow-up', seriesId: SERIES, trainingSlug: SLUG }, deps);
    expect(report.failed).toEqual([]);
    const [s1, s2] = training.strategies;
    expect(report.sent.sort()).toEqual([
      `follow-up#${SLUG}#chloe.nguyen@example.com#${s2!.id}`,
      `follow-up#${SLUG}#marcus.lee@example.com#${s1!.id}`,
    ]);

    const mails = (await sesStore()).filter((m) => m.subject.startsWith('How did'));
    expect(mails).toHaveLength(2);
    const marcus = mails.find((m) => toOf(m) === 'marcus.lee@example.com')!;
    expect(marcus.subject).toBe(`How did "${s1!.title.replace(/\*/g, '')}" work for you?`);

    const ratings = hrefs(marcus.body.html!)
      .filter((h) => h.startsWith('https://links.baton.example.com/l/'))
      .map((h) => verifyLinkToken(h.split('/l/')[1]!, SECRET, now))
      .filter((p) => 'action' in p && p.action === 'rating');
    expect(ratings).toHaveLength(5);
    ratings.forEach((p, i) =>
      expect(p).toMatchObject({ action: 'rating', rating: i + 1, responseId: ids.marcus, participantEmail: 'marcus.lee@example.com', trainingSlug: SLUG }),
    );

    // A written answer routes to the adoption: the reply token targets the check-in.
    const claims = verifyReplyToken(replyToken(marcus), SECRET, NOW_FOR_TOKENS);
    expect(claims).toMatchObject({ trainingOrder: training.order, target: { kind: 'check-in', responseKey: responseKey(SERIES, ids.marcus!) } });

    // Chloe said "adopt #2" twice: one check-in, about her first adoption.
    const chloe = mails.find((m) => toOf(m) === 'chloe.nguyen@example.com')!;
    expect(verifyReplyToken(replyToken(chloe), SECRET, NOW_FOR_TOKENS)).toMatchObject({ target: { kind: 'check-in', responseKey: responseKey(SERIES, ids.chloe!) } });
  });

  it('is never sent twice, and not to someone who has since answered', async () => {
    const again = await dispatch({ kind: 'follow-up', seriesId: SERIES, trainingSlug: SLUG }, deps);
    expect(again.sent).toEqual([]);
    expect(again.alreadySent).toHaveLength(2);
    const checkIns = planFollowUp({
      now: new Date('2026-01-01T00:00:00Z'),
      job: { kind: 'follow-up', seriesId: SERIES, trainingSlug: SLUG },
      training,
      participants: await store.listParticipants(SERIES),
      responses: [
        ...(await store.listResponses(SERIES, { trainingSlug: SLUG })),
        response('marcus.lee@example.com', 'follow-up', { targetResponseId: ids.marcus, rating: 5 }),
      ],
    });
    expect(checkIns.map((c) => c.participant.email)).toEqual(['chloe.nguyen@example.com']);
  });
});

describe('the wrap-up', () => {
  it('goes to everyone still in the series, with the totals and their own part', async () => {
    now = new Date('2027-03-20T10:00:00Z');
    const report = await dispatch({ kind: 'wrap-up', seriesId: SERIES }, deps);
    expect(report.failed).toEqual([]);
    expect(report.sent).toHaveLength(11);
    expect(report.skipped).toEqual([{ emailId: 'wrap-up#-#ama.owusu@example.com', reason: 'unsubscribed' }]);

    const mails = (await sesStore()).filter((m) => m.subject.endsWith('thank you, and what we shared'));
    expect(mails).toHaveLength(11);
    const ana = mails.find((m) => toOf(m) === 'ana.reyes@example.com')!;
    const rosa = mails.find((m) => toOf(m) === 'rosa.martinez@example.com')!;
    const text = ana.body.text!.replace(/\s+/g, ' ');
    // Contributions: Ana's strategy, Marcus', Chloe's (twice) and Liam's adoptions, Lukas' comment,
    // Ploy's strategy; people: those six minus Chloe's repeat; strategies shared: Ana's and Ploy's.
    expect(text).toContain('4 trainings, 7 contributions from 6 people, 2 strategies of your own.');
    expect(text).toContain('You contributed to 1 of the 4 trainings.');
    expect(rosa.body.text).toContain('You did not get to reply this time');
    expect(text).toContain('Ploy shared a strategy: "Batch it."');
    expect(ana.body.html).not.toContain('<script>alert(1)');

    // Survey answers are replies to the participant's own address.
    const survey = hrefs(ana.body.html!).filter((h) => h.includes('subject=Survey'));
    expect(survey.length).toBe(5 + 4 + 1);
    const address = ana.replyTo[0]!.replace(/^.*<|>.*$/g, '');
    expect(survey.every((h) => h.startsWith(`mailto:${address}?`))).toBe(true);

    const again = await dispatch({ kind: 'wrap-up', seriesId: SERIES }, deps);
    expect(again.sent).toEqual([]);
  });
});
