import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { classifyLabeled, intentKey, LABELED_DIR, loadLabels } from '../../../bench/intents.ts';
import { ADVERSARIAL_REPLIES, classifyAdversarial, STRATEGIES as ONE_ON_ONE } from '../../../bench/classify-speed.ts';
import {
  classifyReply,
  CLASSIFY_RULES,
  findRating,
  parseSubject,
  readReply,
  stripReplyPrefixes,
  type AttachmentInfo,
  type Classified,
  type ReplyContext,
} from '#core/classify';
import { IntentSchema } from '#core/model';

const TRAINING: ReplyContext = { kind: 'training' };
const SUBMISSION: ReplyContext = { kind: 'submission', responseId: 'r-42' };
const CHECK_IN: ReplyContext = { kind: 'check-in', strategyId: 'write-a-shared-agenda' };

function classify(text: string, opts: { subject?: string; context?: ReplyContext; attachments?: AttachmentInfo[] } = {}): Classified[] {
  return classifyReply({
    subject: opts.subject ?? 'Re: Schedule a productive 1:1 sync with your manager',
    text,
    strategies: ONE_ON_ONE,
    context: opts.context ?? TRAINING,
    ...(opts.attachments ? { attachments: opts.attachments } : {}),
  }, failOnSwallowed);
}
// A rule that throws is a bug, even where the default intent would hide it from the answer.
const failOnSwallowed = (error: unknown) => {
  throw error;
};
const keys = (out: Classified[]) => out.map(intentKey);

describe('subjects from our buttons', () => {
  it.each([
    ['Adopt #2: Write a shared 1:1 agenda'],
    ['Re: Adopt #2: Write a shared 1:1 agenda'],
    ['RE: RE: Adopt #2: Write a shared 1:1 agenda'],
    ['AW: Adopt #2: Write a shared 1:1 agenda'],
    ['RES: Adopt #2: Write a shared 1:1 agenda'],
    ['RE : Adopt #2: Write a shared 1:1 agenda'],
    ['Fwd: Re: adopt #2 write a shared 1:1 agenda'],
    ['[External] Re: ADOPT #2'],
    ['回复：Adopt #2: Write a shared 1:1 agenda'],
    ['SV: Adopt 2'],
    ['adopt #2 - write a shared agenda'],
    ['Adopt: Write a shared 1:1 agenda'],
    ['Adopt #9: Write a shared 1:1 agenda'],
    ['RE: Schedule a productive 1:1 sync -- adopting #2'],
  ])('%s adopts #2, even with an empty body', (subject) => {
    expect(keys(classify('', { subject }))).toEqual(['adopt|write-a-shared-agenda|']);
  });

  it('strips any number of reply and forward prefixes and tags', () => {
    expect(stripReplyPrefixes('Re: Fwd: AW: WG: [EXT] RE : Antw: Strategy: x')).toBe('Strategy: x');
    expect(stripReplyPrefixes('Réponse to you')).toBe('Réponse to you');
  });

  it('tells buttons apart and ignores ordinary subjects', () => {
    expect(parseSubject('Re: Strategy: Schedule a productive 1:1 sync')).toEqual({ kind: 'strategy' });
    expect(parseSubject('strategy schedule a productive 1:1 sync')).toEqual({ kind: 'strategy' });
    expect(parseSubject('Unsubscribe')).toEqual({ kind: 'unsubscribe' });
    expect(parseSubject('Mark as read')).toEqual({ kind: 'read' });
    expect(parseSubject('Re: Schedule a productive 1:1 sync with your manager')).toBeUndefined();
    expect(parseSubject('Re: Strategy question?')).toBeUndefined();
  });

  it('gives an Adopt subject the whole body as its why, praise included', () => {
    const out = classify('Great idea. We keep forgetting what we agreed, so this is for us.', { subject: 'Adopt #5: End with written action items' });
    expect(out).toEqual([
      { intent: 'adopt', strategyId: 'end-with-action-items', text: 'Great idea. We keep forgetting what we agreed, so this is for us.', links: [] },
    ]);
  });

  it('keeps a clearly separate strategy in the body of an Adopt reply', () => {
    const out = classify("Doing this from Monday.\n\nAlso, my tip: a 'parking lot' section for mid-week items.", { subject: 'Adopt #2: Write a shared 1:1 agenda' });
    expect(keys(out)).toEqual(['adopt|write-a-shared-agenda|', 'strategy||']);
    expect(out[0]?.text).toBe('Doing this from Monday.');
    expect(out[1]?.text).toBe("Also, my tip: a 'parking lot' section for mid-week items.");
  });

  it('makes the body the strategy under a Strategy subject', () => {
    const out = classify('Every Friday I write three lines to my manager. Great training btw!', { subject: 'Strategy: Schedule a productive 1:1 sync' });
    expect(keys(out)).toEqual(['strategy||']);
  });

  it('lets an unresolvable Adopt subject give way to the body', () => {
    expect(keys(classify("I'll go with #4.", { subject: 'Adopt #9' }))).toEqual(['adopt|rotate-the-meeting-time|']);
    expect(keys(classify('', { subject: 'Adopt #9' }))).toEqual(['adopt||']);
  });

  it('makes an Unsubscribe subject win over the body', () => {
    expect(keys(classify('Great series, but I am leaving the team. Will adopt #2 in my new role!', { subject: 'Unsubscribe' }))).toEqual(['unsubscribe||']);
  });
});

describe('adopt in free text', () => {
  it.each([
    ["I'll adopt #2 starting next week.", 'write-a-shared-agenda'],
    ["I'm going to try number 5.", 'end-with-action-items'],
    ['Going with strategy 3, I forget my wins all the time.', 'keep-a-wins-log'],
    ['The fourth one is exactly our problem, going to try it.', 'rotate-the-meeting-time'],
    ['I pick the 1st option.', 'block-prep-time'],
    ['Number four for me.', 'rotate-the-meeting-time'],
    ["I'll start rotating the meeting time with my manager.", 'rotate-the-meeting-time'],
    ['Going to steal the SHARED AGENDA idea.', 'write-a-shared-agenda'],
    ['I will try the action items one.', 'end-with-action-items'],
    ['#5 but only for the Monday sync.', 'end-with-action-items'],
    ['Voy a probar la número 4.', 'rotate-the-meeting-time'],
    ['Me quedo con la 2, claramente.', 'write-a-shared-agenda'],
    ['Vou adotar a segunda.', 'write-a-shared-agenda'],
    ['Je vais essayer la troisième.', 'keep-a-wins-log'],
    ['Je vais adopter la stratégie nº5.', 'end-with-action-items'],
    ['Ich nehme die dritte.', 'keep-a-wins-log'],
    ['Ich übernehme Nummer 1.', 'block-prep-time'],
    ['Saya akan cuba strategi nombor 3.', 'keep-a-wins-log'],
    ['ลองข้อ 4 ค่ะ', 'rotate-the-meeting-time'],
  ])('%s', (text, id) => {
    expect(keys(classify(text))).toEqual([`adopt|${id}|`]);
  });

  it('finds several adoptions in one sentence, in reading order', () => {
    expect(keys(classify("I'll try #5 and #1.")).sort()).toEqual(['adopt|block-prep-time|', 'adopt|end-with-action-items|']);
    expect(keys(classify('Can I adopt two? If so, #1 and #4.'))).toEqual(['adopt|block-prep-time|', 'adopt|rotate-the-meeting-time|']);
  });

  it('treats a reference without a commitment as a comment', () => {
    expect(keys(classify('Quick question about #4: do you rotate weekly or monthly?'))).toEqual(['comment||']);
    expect(keys(classify('Number 3 is so underrated.'))).toEqual(['comment||']);
  });

  it('lets a negation cancel the commitment', () => {
    expect(keys(classify("I won't try #4, my manager is in my time zone."))).toEqual(['comment||']);
    expect(keys(classify('No voy a probar la 4.'))).toEqual(['comment||']);
  });

  it('ignores numbers that are not strategies of this training and times that look like them', () => {
    expect(keys(classify("I'll try #7."))).toEqual(['comment||']);
    expect(keys(classify('Je vais essayer le 3 mars.'))).toEqual(['comment||']);
    expect(keys(classify('I will give it a second look next week.'))).toEqual(['comment||']);
  });

  it('does not adopt a title a participant uses to describe their own method', () => {
    expect(keys(classify('What works for me is a shared agenda in Notion with a parking lot at the bottom.'))).toEqual(['strategy||']);
  });

  it('does not adopt in a check-in the strategy being asked about', () => {
    expect(keys(classify("4/5, I'll keep the shared agenda going.", { context: CHECK_IN }))).toEqual(['follow-up|write-a-shared-agenda|4']);
  });
});

describe('strategy', () => {
  it.each([
    'What works for me: I send my manager three lines the evening before.',
    'My tip: keep a note on your phone and add to it during the week.',
    'My favourite little trick is a 5-minute walk before the call.',
    'I do something a bit different: we both rate our week first.',
    "Here's how I prepare, it takes ten minutes.",
    'Lo que me funciona: preparo tres preguntas la noche anterior.',
    'O que funciona pra mim: gravo um áudio antes da reunião.',
    'Ce qui marche pour moi : trois questions envoyées la veille.',
    'Mein Tipp: das 1:1 direkt nach dem Standup.',
    'Tip saya: tulis tiga soalan sehari sebelum.',
    'We use Lattice for our 1:1s, works great.',
  ])('%s', (text) => {
    expect(keys(classify(text))).toEqual(['strategy||']);
  });

  it.each([
    'https://www.loom.com/share/3f9a2c1b7d8e4f60',
    'https://youtu.be/8KxQm3ZkVf4?t=95',
    'https://www.youtube.com/watch?v=8KxQm3ZkVf4',
    'https://vimeo.com/812345678',
    'https://drive.google.com/file/d/1AbC/view?usp=sharing',
  ])('a video link makes a strategy: %s', (url) => {
    const out = classify(`Short video of how I run it: ${url}.`);
    expect(out).toEqual([{ intent: 'strategy', text: `Short video of how I run it: ${url}.`, links: [url] }]);
  });

  it('does not count an ordinary document link as a strategy', () => {
    expect(keys(classify('Our notes are here: https://docs.google.com/document/d/1xYz/edit'))).toEqual(['comment||']);
  });

  it('counts a real attachment as a strategy, but not an inline signature image', () => {
    const file = { filename: '1on1-template.docx', contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', size: 30_000 };
    const logo = { filename: 'image001.png', contentType: 'image/png', size: 4_000 };
    expect(keys(classify('Feel like sharing this one.', { attachments: [file] }))).toEqual(['strategy||']);
    expect(keys(classify('Nice article!', { attachments: [logo] }))).toEqual(['comment||']);
  });

  it('reads first-person habits as a strategy only when the reply says nothing else', () => {
    expect(keys(classify('I always put the agenda in the invite itself.'))).toEqual(['strategy||']);
    expect(keys(classify("I'll go with the wins log. I always forget what I did by review time."))).toEqual(['adopt|keep-a-wins-log|']);
  });

  it('needs a strong phrase on a teammate’s submission, where "I do the same" is a comment', () => {
    expect(keys(classify('I do exactly the same thing!', { context: SUBMISSION }))).toEqual(['comment||']);
    expect(keys(classify('Same here. My extra trick: grayscale after 6pm.', { context: SUBMISSION }))).toEqual(['comment||', 'strategy||']);
  });
});

describe('comment and feedback', () => {
  it('makes praise of the training a comment and praise of the series feedback', () => {
    expect(keys(classify('Great article Juliet, the bit about status updates hit home.'))).toEqual(['comment||']);
    expect(keys(classify('Loving this series so far!'))).toEqual(['feedback||']);
  });

  it.each([
    'These emails are a bit long on my phone.',
    'Could you add a short summary at the top?',
    'The calendar hold landed at 3am for me.',
    'Me encanta el formato de estas capacitaciones.',
    'Merci pour cette série !',
    'Is there a recording of this? I would rather listen.',
  ])('feedback: %s', (text) => {
    expect(keys(classify(text))).toEqual(['feedback||']);
  });

  it('points a comment on a submission at that submission', () => {
    const out = classify('Love this, Marta! The parking lot idea is genius.', { context: SUBMISSION });
    expect(out).toEqual([{ intent: 'comment', text: 'Love this, Marta! The parking lot idea is genius.', links: [], targetResponseId: 'r-42' }]);
  });

  it('makes anything to the kickoff feedback, except an unsubscribe or a bare thanks', () => {
    const kickoff: ReplyContext = { kind: 'kickoff' };
    expect(keys(classify('Count me in! Looking forward to it.', { context: kickoff }))).toEqual(['feedback||']);
    expect(keys(classify('Great, love it', { context: kickoff }))).toEqual(['feedback||']);
    expect(keys(classify('Please take me off this one, I am on leave.', { context: kickoff }))).toEqual(['unsubscribe||']);
    expect(keys(classify('Thanks!', { context: kickoff }))).toEqual(['read||']);
  });
});

describe('follow-up ratings', () => {
  it.each([
    ['4/5. Helps a lot.', 4],
    ['4 / 5', 4],
    ['3 out of 5, could be better', 3],
    ["I'd give it a 5.", 5],
    ['Honestly a 3.', 3],
    ['Un 4 de 5.', 4],
    ['Je dirais 4 sur 5.', 4],
    ['Also eher eine 2.', 2],
    ['Nota 5!', 5],
    ['Saya bagi 4.', 4],
    ['★★★☆☆ it faded after a while', 3],
    ['Five stars ⭐⭐⭐⭐⭐', 5],
    ['four stars', 4],
    ['8/10', 4],
    ['4️⃣', 4],
    ['4', 4],
    ['Meh. 2. I stopped after a week.', 2],
    ["3, it's hard to stick to.", 3],
  ])('%s -> %i', (text, rating) => {
    expect(classify(text, { context: CHECK_IN })).toEqual([
      { intent: 'follow-up', strategyId: 'write-a-shared-agenda', rating, text, links: [] },
    ]);
  });

  it.each([
    'Really helped, thanks for checking in!',
    'Our 1:1 is now 15 minutes shorter.',
    'After 2 weeks we stopped, a 2-week trial was enough.',
    'We meet at 3pm now.',
    'I skipped 1:1s for a month.',
  ])('no rating in: %s', (text) => {
    expect(keys(classify(text, { context: CHECK_IN }))).toEqual(['follow-up|write-a-shared-agenda|']);
  });

  it('ignores ratings outside check-ins', () => {
    expect(findRating('4/5 would recommend')).toBe(4);
    expect(keys(classify('4/5 would recommend'))).toEqual(['comment||']);
  });

  it('splits a rating from an unsubscribe and from a new strategy', () => {
    const out = classify("2/5 for me. Also please remove me from these emails, I've left the team.", { context: CHECK_IN });
    expect(out).toEqual([
      { intent: 'follow-up', strategyId: 'write-a-shared-agenda', rating: 2, text: '2/5 for me.', links: [] },
      { intent: 'unsubscribe', text: "Also please remove me from these emails, I've left the team.", links: [] },
    ]);
    const tip = classify('3 out of 5.\n\nWhat works better for me now is a Friday reminder.', { context: CHECK_IN });
    expect(keys(tip)).toEqual(['follow-up|write-a-shared-agenda|3', 'strategy||']);
  });
});

describe('unsubscribe', () => {
  it.each([
    'Please unsubscribe me.',
    'unsubscribe',
    'Stop sending me these please',
    'Remove me from this list, thanks.',
    'Please take me off this one.',
    '¿Me pueden dar de baja de esta lista?',
    'Por favor, me descadastrem.',
    'Merci de me désabonner.',
    'Bitte melden Sie mich von dieser Schulungsreihe ab.',
    'Bitte nehmen Sie mich aus dem Verteiler.',
    'Saya nak berhenti langganan.',
    'ขอยกเลิกการสมัครค่ะ',
  ])('%s', (text) => {
    expect(keys(classify(text))).toEqual(['unsubscribe||']);
  });

  it('is not triggered by a story about unsubscribing elsewhere', () => {
    expect(keys(classify('What works for me: I unsubscribed from every newsletter.'))).toEqual(['strategy||']);
    expect(keys(classify('I had to unsubscribe from ten tools to get there.'))).toEqual(['comment||']);
  });
});

describe('read', () => {
  it.each(['Read it, thanks!', '👍', 'Done ✅', 'Got it, thank you!', 'Thanks Juliet, read.', 'Danke, gelesen.', 'Leído, ¡gracias!', 'Lido 👍', 'Terima kasih, dah baca', 'อ่านแล้วครับ ขอบคุณครับ', '', '   \n '])(
    '%j is read',
    (text) => {
      expect(keys(classify(text))).toEqual(['read||']);
    },
  );

  it('is only given when nothing else is said', () => {
    expect(keys(classify('Read it. I will try #1.'))).toEqual(['adopt|block-prep-time|']);
    expect(keys(classify('Read ✔. The calendar hold landed at 3am for me.'))).toEqual(['feedback||']);
  });

  it('is a comment on a teammate’s submission and a follow-up on a check-in', () => {
    expect(keys(classify('Thanks!', { context: SUBMISSION }))).toEqual(['comment||']);
    expect(keys(classify('Thanks!', { context: CHECK_IN }))).toEqual(['follow-up|write-a-shared-agenda|']);
  });
});

describe('several intents in one reply', () => {
  it('splits separate parts in reading order, with the why after an adoption and links per part', () => {
    const text =
      "Hi all! I'll adopt #2 because we keep re-discussing things. It should save us time.\n\n" +
      'Also, what works for me is a recorded walkthrough: https://www.loom.com/share/abc123\n\n' +
      'One suggestion for the series: an audio version.';
    const out = classify(text);
    expect(out).toEqual([
      { intent: 'adopt', strategyId: 'write-a-shared-agenda', text: "Hi all! I'll adopt #2 because we keep re-discussing things. It should save us time.", links: [] },
      { intent: 'strategy', text: 'Also, what works for me is a recorded walkthrough: https://www.loom.com/share/abc123', links: ['https://www.loom.com/share/abc123'] },
      { intent: 'feedback', text: 'One suggestion for the series: an audio version.', links: [] },
    ]);
  });

  it('gives each intent the whole text when one sentence carries them all', () => {
    const text = "I'll try #1 and #5: prep before, action items after.";
    const out = classify(text);
    expect(out.map((o) => o.text)).toEqual([text, text]);
  });

  it('joins a hard-wrapped sentence back before reading it', () => {
    const text = 'Sorry for the late reply, it has been a crazy couple of weeks here and I\nwill try number 4 with my manager.';
    expect(keys(classify(text))).toEqual(['adopt|rotate-the-meeting-time|']);
  });

  it('splits praise from an adoption', () => {
    const out = classify('Great article Juliet, the time zone section hit home. Will definitely try rotating the meeting time.');
    expect(keys(out)).toEqual(['comment||', 'adopt|rotate-the-meeting-time|']);
  });
});

describe('robustness', () => {
  it('never throws and always returns at least one known intent', () => {
    const contexts: ReplyContext[] = [TRAINING, SUBMISSION, CHECK_IN, { kind: 'kickoff' }];
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.string({ maxLength: 80 }), fc.integer({ min: 0, max: 3 }), (text, subject, c) => {
        const swallowed: unknown[] = [];
        const out = classifyReply({ subject, text, strategies: ONE_ON_ONE, context: contexts[c] ?? TRAINING }, (e) => swallowed.push(e));
        // "Never throws" by answering, not by swallowing: nothing may reach the catch-all.
        expect(swallowed).toEqual([]);
        expect(out.length).toBeGreaterThan(0);
        for (const o of out) expect(IntentSchema.options).toContain(o.intent);
      }),
      { numRuns: 300 },
    );
  });

  it('turns a failure of its rules into the default intent and reports what it swallowed', () => {
    const swallowed: unknown[] = [];
    const broken = { subject: 'Re: x', text: 'I will try number 2', strategies: null as unknown as typeof ONE_ON_ONE, context: CHECK_IN };
    const out = classifyReply(broken, (e) => swallowed.push(e));
    expect(out.map((o) => o.intent)).toEqual(['follow-up']);
    expect(swallowed).toHaveLength(1);
    expect(swallowed[0]).toBeInstanceOf(TypeError);
  });

  it('classifies long adversarial input (no catastrophic backtracking)', () => {
    // How fast is `npm run bench classify-speed` (a timed assertion here failed whenever the
    // machine was busy). Backtracking on these 20,000-100,000 character bodies takes minutes or
    // more, so the test's timeout still catches it.
    for (const text of ADVERSARIAL_REPLIES) {
      expect(classifyAdversarial(text).length).toBeGreaterThan(0);
    }
  });

  it('ignores a quote attribution line a trimmer left behind', () => {
    const text = 'Terima kasih, dah baca 👍\n\nPada Ahd, 31 Jan 2027 pada 9:02 PG Baton <trainings@baton.example> menulis:';
    expect(keys(classify(text))).toEqual(['read||']);
    const thai = 'อ่านแล้วครับ\n\nเมื่อ พฤ. 21 ม.ค. 2027 เวลา 09:01 Baton <trainings@baton.example> เขียนว่า:';
    expect(keys(classify(thai))).toEqual(['read||']);
  });

  it('documents its rules', () => {
    expect(CLASSIFY_RULES).toContain('subject');
    expect(CLASSIFY_RULES.length).toBeGreaterThan(2_000);
  });
});

describe('the labeled replies', () => {
  const labels = loadLabels();

  it('has at least 60 replies in several languages, every file present and every strategy known', async () => {
    expect(labels.replies.length).toBeGreaterThanOrEqual(60);
    expect(new Set(labels.replies.map((r) => r.language)).size).toBeGreaterThanOrEqual(6);
    for (const r of labels.replies) {
      expect(existsSync(join(LABELED_DIR, r.file)), r.file).toBe(true);
      const ids = labels.trainings[r.training]?.strategies.map((s) => s.id) ?? [];
      for (const i of r.intents) if (i.strategyId) expect(ids, r.file).toContain(i.strategyId);
      if (r.context.kind === 'check-in') expect(ids, r.file).toContain(r.context.strategyId);
    }
  });

  it('labels what each .eml really says: its subject, its text and its attachments', async () => {
    const norm = (s: string) => s.replace(/\s+/g, ' ').trim();
    for (const r of labels.replies) {
      const mail = await simpleParser(readFileSync(join(LABELED_DIR, r.file)));
      expect(mail.subject, r.file).toBe(r.subject);
      expect(norm(mail.text ?? ''), r.file).toContain(norm(r.reply));
      const files = mail.attachments.filter((a) => a.contentDisposition === 'attachment').map((a) => a.filename);
      expect(files, r.file).toEqual((r.attachments ?? []).map((a) => a.filename));
    }
  });

  it('classifies at least 95% of them exactly (intent, strategy and rating)', () => {
    const { outcomes } = classifyLabeled(labels);
    const misses = outcomes.filter((o) => !o.correct);
    for (const m of misses) console.log(`miss ${m.file}: expected ${m.expected.join(', ')}; got ${m.predicted.join(', ')}`);
    const accuracy = (outcomes.length - misses.length) / outcomes.length;
    console.log(`intent accuracy ${(accuracy * 100).toFixed(1)}% (${outcomes.length - misses.length}/${outcomes.length})`);
    expect(accuracy).toBeGreaterThanOrEqual(0.95);
  });
});

describe('a reply to the acknowledgement', () => {
  const readAck = (text: string) =>
    readReply({ subject: 'Re: Re: Schedule a productive 1:1 sync with your manager', text, strategies: ONE_ON_ONE, context: TRAINING, answered: 'ack' }, failOnSwallowed);

  it('reads "I meant #1, not #2" as the adoption of #1, a correction, with no commitment verb', () => {
    for (const text of ['I meant #1, not #2.', "Sorry, I don't mean #2, I meant #1.", 'Not #2 — #1!']) {
      const r = readAck(text);
      expect(r, text).toMatchObject({ status: 'parsed', correction: true });
      expect(r.intents.map((c) => `${c.intent}|${c.strategyId ?? ''}`), text).toEqual(['adopt|block-prep-time']);
    }
  });

  it('still asks when every reference is negated, and reads a reply to the training as before', () => {
    expect(readAck('Not #2.').status).toBe('unclear');
    expect(keys(classify('I meant #1, not #2.'))).not.toEqual(['adopt|block-prep-time|']);
  });
});
