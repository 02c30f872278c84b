// Issue 4's inbound numbers in one run: intent accuracy through the whole pipeline (mailparser →
// trim → classify) on the labeled replies, and replies per second through that pipeline on one
// core for typical 10–50 KB replies (a short answer above a quoted Baton training email).
// Standalone: `npx tsx bench/inbound.ts` prints the JSON result.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeRouted, DEFAULT_LIMITS, parseInbound, type Route } from '#app/receive-reply';
import type { Series, Training } from '#core/model';
import { compileTraining } from '#emails/compile';
import { fillEmail } from '#mail/fill';
import { trainingValues } from '#mail/values';
import { loadSeries } from '#cli/series-dir';
import { PROJECT_ROOT } from '#infra/baton-function';
import { intentKey, LABELED_DIR, loadLabels } from './intents.ts';

function route(series: Series, training: Training, email: string, context: Route['context'] = { kind: 'training' }): Route {
  return {
    published: { series, trainings: [training], publishedAt: '2027-01-01T00:00:00.000Z', version: 1 },
    training,
    participant: { email, name: 'P', timeZone: 'Europe/Berlin', workStart: '09:00' },
    context,
    via: 'given',
    answered: undefined,
  };
}

async function pipelineAccuracy(series: Series) {
  const labels = loadLabels();
  let correct = 0;
  const misses: string[] = [];
  for (const r of labels.replies) {
    const t = labels.trainings[r.training]!;
    const training: Training = { slug: r.training, order: 1, title: t.title, opens: '2027-01-21', closes: '2027-01-31', author: 'A', media: {}, body: '', strategies: t.strategies };
    const parsed = await parseInbound(readFileSync(join(LABELED_DIR, r.file)));
    const a = analyzeRouted(parsed, route(series, training, parsed.from!.address, r.context as Route['context']), [], DEFAULT_LIMITS);
    const want = [...new Set(r.intents.map(intentKey))].sort().join(',');
    const got = [...new Set(a.classified.map(intentKey))].sort().join(',');
    if (want === got) correct++;
    else misses.push(r.file);
  }
  return { replies: labels.replies.length, correct, accuracy: Number((correct / labels.replies.length).toFixed(3)), misses };
}

/** A reply as Gmail sends it: text and HTML alternatives, the training email quoted below, about `targetBytes` of raw MIME. */
function replyOf(quotedText: string, quotedHtml: string, targetBytes: number, i: number): Buffer {
  const answer = `I'll adopt #2 because our 1:1s drift into status updates. Starting Monday I'll put three lines in the doc the day before. (${i})`;
  let text = `${answer}\n\nOn Thu, 21 Jan 2027 at 08:30, Maya Okafor via Baton <training@baton.example.com> wrote:\n`;
  let html = `<div dir="ltr">${answer}</div><br><div class="gmail_quote"><div class="gmail_attr">On Thu, 21 Jan 2027 at 08:30, Maya Okafor via Baton wrote:<br></div><blockquote class="gmail_quote">`;
  const textLines = quotedText.split('\n').map((l) => `> ${l}\n`);
  const htmlPieces = quotedHtml.split(/(?<=<\/tr>)/);
  // Base64 grows each part by a third; quote both alternatives in step until the message is big enough.
  for (let k = 0; ((text.length + html.length) * 4) / 3 + 600 < targetBytes; k++) {
    text += textLines[k % textLines.length];
    html += htmlPieces[k % htmlPieces.length];
  }
  html += '</blockquote></div>';
  const b64 = (s: string) => Buffer.from(s).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    [
      'From: Nurul Hakim <nurul.hakim@example.com>',
      'To: reply+abc@reply.baton.example.com',
      'Subject: Re: A productive 1:1 sync with your manager (training 1 of 4)',
      `Message-ID: <bench-${i}@mail.gmail.com>`,
      'Date: Thu, 21 Jan 2027 09:12:00 +0800',
      'MIME-Version: 1.0',
      'Content-Type: multipart/alternative; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset="UTF-8"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(text),
      '--b1',
      'Content-Type: text/html; charset="UTF-8"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(html),
      '--b1--',
      '',
    ].join('\r\n'),
  );
}

export async function benchInbound(opts: { perSize?: number } = {}) {
  const perSize = opts.perSize ?? 200;
  const { series, trainings } = await loadSeries(join(PROJECT_ROOT, 'examples', 'q1-productivity'));
  const training = trainings[0]!;
  const participant = { email: 'nurul.hakim@example.com', name: 'Nurul Hakim', timeZone: 'Asia/Brunei', workStart: '08:30' };
  const sent = fillEmail(
    await compileTraining(series, training, trainings),
    trainingValues({ series, training, trainings, participant, links: { read: 'https://l.example.com/l/x', replyAddress: 'reply+abc@reply.baton.example.com', unsubscribe: 'https://l.example.com/l/u', calendarsOff: 'https://l.example.com/l/c', preferences: 'https://l.example.com/l/p' } }),
  );
  const quotedHtml = sent.html.slice(sent.html.indexOf('<body'), sent.html.lastIndexOf('</body>'));
  const sizes: Record<string, { replies: number; averageRawBytes: number; repliesPerSecond: number; repliesPerCpuSecond: number; adoptRecognised: number }> = {};
  let all = 0;
  let allMs = 0;
  // Warm up as a Lambda that has handled a few replies is: JIT, charset tables, regexes compiled.
  for (let i = 0; i < 50; i++) {
    const parsed = await parseInbound(replyOf(sent.text, quotedHtml, 25 * 1024, -i));
    analyzeRouted(parsed, route(series, training, participant.email), [sent.text], DEFAULT_LIMITS);
  }
  for (const kb of [10, 25, 50]) {
    const replies = Array.from({ length: perSize }, (_, i) => replyOf(sent.text, quotedHtml, kb * 1024, i));
    const cpu = process.cpuUsage();
    const t = performance.now();
    let adopted = 0;
    for (const raw of replies) {
      const parsed = await parseInbound(raw);
      const a = analyzeRouted(parsed, route(series, training, participant.email), [sent.text], DEFAULT_LIMITS);
      if (a.classified.some((c) => c.intent === 'adopt' && c.strategyId === training.strategies[1]!.id)) adopted++;
    }
    const ms = performance.now() - t;
    const used = process.cpuUsage(cpu);
    sizes[`${kb}KB`] = {
      replies: perSize,
      averageRawBytes: Math.round(replies.reduce((n, r) => n + r.length, 0) / perSize),
      repliesPerSecond: Math.round((perSize / ms) * 1000),
      repliesPerCpuSecond: Math.round(perSize / ((used.user + used.system) / 1e6)),
      adoptRecognised: adopted,
    };
    all += perSize;
    allMs += ms;
  }
  const repliesPerSecond = Math.round((all / allMs) * 1000);
  return {
    pipelineIntentAccuracy: await pipelineAccuracy(series),
    throughput: sizes,
    repliesPerSecond,
    goals: { repliesPerSecond: 300, intentAccuracy: 0.95 },
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchInbound(), null, 2));
}
