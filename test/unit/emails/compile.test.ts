import { beforeAll, describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { REPLY_MARKER } from '#core/reply-marker';
import type { Participant, Training } from '#core/model';
import { compileKickoff, compileMjml, compileTraining, forgetCompiled, MjmlValidationError, type CompiledEmail } from '#emails/compile';
import { fillEmail, placeholdersOf } from '#mail/fill';
import { kickoffMjml } from '#emails/kickoff';
import { trainingMjml, trainingText } from '#emails/training';
import { kickoffValues, trainingValues } from '#mail/values';
import { sampleLinks, sampleParticipants, sampleSeries, sampleTrainings } from '#emails/sample';

const training = sampleTrainings[0] as Training;
const brunei = sampleParticipants[0] as Participant;
const la = sampleParticipants[1] as Participant;

function fillTraining(c: CompiledEmail, participant: Participant, t: Training = training) {
  return fillEmail(c, trainingValues({ series: sampleSeries, training: t, trainings: sampleTrainings, participant, links: sampleLinks(participant) }));
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };
const decodeEntities = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ENTITIES[e] ?? _);

/** Every <a href> with its visible text, entities decoded, as a browser would see them. */
function anchors(html: string): Array<{ href: string; text: string }> {
  return [...html.matchAll(/<a\b[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
    href: decodeEntities(m[1] ?? ''),
    text: decodeEntities((m[2] ?? '').replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim(),
  }));
}

// RFC 6068 by hand: URLSearchParams would take `+` for a space.
function parseMailto(href: string): { to: string; subject?: string; body?: string } {
  const [to = '', query = ''] = href.slice('mailto:'.length).split('?');
  const out: { to: string; subject?: string; body?: string } = { to: decodeURIComponent(to) };
  for (const pair of query ? query.split('&') : []) {
    const [k, v = ''] = pair.split('=');
    if (k === 'subject' || k === 'body') out[k] = decodeURIComponent(v);
  }
  return out;
}

let kickoff: CompiledEmail;
let compiled: CompiledEmail;

beforeAll(async () => {
  [kickoff, compiled] = await Promise.all([compileKickoff(sampleSeries, sampleTrainings), compileTraining(sampleSeries, training, sampleTrainings)]);
});

describe('MJML validation', () => {
  const bare: Training = { ...training, media: {}, strategies: [], body: 'Short.' };
  const noEncourage = { ...sampleSeries, policies: { ...sampleSeries.policies, encourage: undefined } };
  it.each([
    ['kickoff', () => kickoffMjml(sampleSeries, sampleTrainings)],
    ['kickoff without encouragement', () => kickoffMjml(noEncourage, sampleTrainings)],
    ['training', () => trainingMjml(sampleSeries, training, sampleTrainings)],
    ['training without media or strategies', () => trainingMjml(noEncourage, bare, [bare])],
  ])('the %s template passes at strict level', async (_name, source) => {
    const result = await mjml2html(source(), { validationLevel: 'strict' });
    expect(result.errors).toEqual([]);
  });

  it('turns an invalid template into an error that says so, every time (a failure is not remembered)', async () => {
    const invalid = '<mjml><mj-body><mj-text>outside a column</mj-text></mj-body></mjml>';
    await expect(compileMjml(invalid, 'test')).rejects.toThrow(MjmlValidationError);
    await expect(compileMjml(invalid, 'test')).rejects.toThrow(MjmlValidationError);
  });

  it('compiles the same MJML to the same HTML, so a publish may reuse what this process compiled before', async () => {
    // compileMjml remembers its recent results: that is only right while mjml is a pure function
    // of its input. A first compile (forgotten) and a remembered one must agree byte for byte.
    const source = trainingMjml(sampleSeries, training, sampleTrainings);
    forgetCompiled();
    const first = await compileMjml(source, 'training');
    forgetCompiled();
    const again = await compileMjml(source, 'training');
    expect(again).toBe(first);
    expect(await compileMjml(source, 'training')).toBe(first);
    expect(first).toBe((await mjml2html(source, { validationLevel: 'strict', keepComments: false, fonts: {} })).html);
  });
});

describe('compiled emails', () => {
  it('leave only the placeholders the values provide, in subject, HTML and text', () => {
    const t = trainingValues({ series: sampleSeries, training, trainings: sampleTrainings, participant: brunei, links: sampleLinks(brunei) });
    const k = kickoffValues({ series: sampleSeries, trainings: sampleTrainings, participant: brunei, links: sampleLinks(brunei) });
    for (const [c, values] of [
      [compiled, t],
      [kickoff, k],
    ] as const) {
      const needed = new Set([...placeholdersOf(c.subject), ...placeholdersOf(c.html), ...placeholdersOf(c.text)]);
      expect([...needed].sort()).toEqual(Object.keys(values).sort());
      const filled = fillEmail(c, values);
      expect(filled.html + filled.text + filled.subject).not.toContain('{{');
    }
  });

  it('declare English, light and dark colour schemes and dark-mode styles', () => {
    for (const c of [compiled, kickoff]) {
      expect(c.html).toMatch(/<html lang="en"/);
      expect(c.html).toContain('<meta name="color-scheme" content="light dark">');
      expect(c.html).toContain('@media (prefers-color-scheme: dark)');
      expect(c.html).not.toMatch(/<mj-/);
      expect(c.html).not.toContain('fonts.googleapis.com');
      for (const img of c.html.match(/<img\b[^>]*>/g) ?? []) expect(img).toMatch(/ alt="/);
    }
  });

  it('print the reply marker near the top of the HTML and first in the text', () => {
    const filled = fillTraining(compiled, brunei);
    const body = filled.html.indexOf('<body');
    const marker = filled.html.indexOf(REPLY_MARKER);
    expect(marker).toBeGreaterThan(body);
    expect(marker).toBeLessThan(filled.html.indexOf('<h1', body));
    expect(filled.text.split('\n')[0]).toBe(REPLY_MARKER);
    expect(fillEmail(kickoff, kickoffValues({ series: sampleSeries, trainings: sampleTrainings, participant: la, links: sampleLinks(la) })).text.startsWith(REPLY_MARKER)).toBe(true);
  });
});

describe('the training email\'s text alone', () => {
  it('is the text compileTraining writes, for every training', async () => {
    for (const t of sampleTrainings) {
      const compiled = await compileTraining(sampleSeries, t, sampleTrainings);
      expect(trainingText(sampleSeries, t, sampleTrainings)).toBe(compiled.text);
    }
  });
});

describe('the training email for one participant', () => {
  it('links Mark as read to their signed URL and unsubscribe to theirs', () => {
    const links = sampleLinks(brunei);
    const a = anchors(fillTraining(compiled, brunei).html);
    expect(a.find((x) => x.text === 'Mark as read')?.href).toBe(links.read);
    expect(a.find((x) => x.text === 'Unsubscribe from this series')?.href).toBe(links.unsubscribe);
  });

  it('prefills Share and each Adopt #N mailto with the reply address, subject and body', () => {
    const { replyAddress } = sampleLinks(brunei);
    const a = anchors(fillTraining(compiled, brunei).html);
    const share = a.find((x) => x.text === 'Share a strategy');
    expect(share && parseMailto(share.href)).toEqual({
      to: replyAddress,
      subject: 'Strategy: Schedule a productive 1:1 with your manager',
      body: 'A strategy that works for me:\r\n\r\n',
    });
    for (const s of training.strategies) {
      const adopt = a.find((x) => x.text === `Adopt #${s.number}`);
      expect(adopt, `Adopt #${s.number}`).toBeDefined();
      expect(adopt?.href).not.toMatch(/\?.*\+/); // spaces are %20, never +
      expect(parseMailto(adopt?.href ?? '')).toEqual({
        to: replyAddress,
        subject: `Adopt #${s.number}: ${s.title}`,
        body: "Why I'll adopt it / how I'll use it:\r\n\r\n",
      });
    }
    expect(a.some((x) => x.href === `mailto:${replyAddress}` && x.text === replyAddress)).toBe(true);
  });

  it('shows the window and the deadline in the participant’s own zone', () => {
    const b = fillTraining(compiled, brunei);
    const l = fillTraining(compiled, la);
    for (const e of [b, l]) {
      expect(e.html).toContain('Thursday 21 January – Sunday 31 January');
      expect(e.text).toContain('Your window: Thursday 21 January – Sunday 31 January');
    }
    expect(b.html).toContain('Sunday 31 January, end of your day (23:59 Brunei Time)');
    expect(l.html).toContain('Sunday 31 January, end of your day (23:59 Pacific Standard Time)');
    expect(b.text).toContain('Closes: Sunday 31 January, end of your day (23:59 Brunei Time)');
    expect(l.text).toContain('(23:59 Pacific Standard Time)');
    expect(l.html).not.toContain('Brunei');
  });

  it('says how many trainings everyone is encouraged to contribute to', () => {
    const e = fillTraining(compiled, brunei);
    expect(e.html).toContain('at least 2 of the 4 trainings');
    expect(e.text).toContain('at least 2 of the 4 trainings');
  });

  it('carries the audio, video and slides links', () => {
    const e = fillTraining(compiled, brunei);
    const hrefs = anchors(e.html).map((x) => x.href);
    for (const url of Object.values(training.media)) {
      expect(hrefs).toContain(url);
      expect(e.text).toContain(url);
    }
  });

  it('writes every strategy and every action out in the text version', () => {
    const links = sampleLinks(brunei);
    const text = fillTraining(compiled, brunei).text;
    for (const s of training.strategies) {
      expect(text).toContain(`${s.number}. ${s.title}`);
      expect(text).toMatch(new RegExp(`- Adopt #${s.number} \\(${s.title.replace(/[()]/g, '\\$&')}\\): reply with the subject\\s+"Adopt #${s.number}"`));
    }
    expect(text).toContain(`- Mark as read (one click):\n  ${links.read}`);
    expect(text).toContain('- Share a strategy: reply with the subject');
    expect(text).toContain('"Strategy: Schedule a productive 1:1 with your manager"');
    expect(text).toContain('- Or just reply to this email');
    expect(text).toContain(`Replies go to ${links.replyAddress}`);
    expect(text).toContain(`Unsubscribe from this series: ${links.unsubscribe}`);
    expect(text).toContain('Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenzufriedenheit');
  });

  it('escapes a hostile participant name in HTML and keeps it readable in text', () => {
    const evil: Participant = { ...brunei, name: `<script>"O'Neil"&co</script> Smith` };
    const e = fillTraining(compiled, evil);
    expect(e.html).not.toContain('<script>');
    expect(e.html).toContain('Hi &lt;script&gt;&quot;O&#39;Neil&quot;&amp;co&lt;/script&gt;, here is training 1 of 4');
    expect(e.text).toContain(`Hi <script>"O'Neil"&co</script>, here is training 1 of 4`);
  });

  it('prints authored braces literally rather than taking them for placeholders', async () => {
    const t: Training = { ...training, title: 'Templates with {{braces}}', body: 'Write `{{name}}` in the {{template}}.' };
    const c = await compileTraining(sampleSeries, t, [t]);
    const e = fillEmail(c, trainingValues({ series: sampleSeries, training: t, trainings: [t], participant: la, links: sampleLinks(la) }));
    expect(e.subject).toBe('Templates with {{braces}} (training 1 of 1)');
    expect(e.html).toContain('{{name}}');
    expect(e.text).toContain('Write {{name}} in the {{template}}.');
  });
});

describe('the kickoff email', () => {
  it('lists every training with its window, and how to take part', () => {
    const e = fillEmail(kickoff, kickoffValues({ series: sampleSeries, trainings: sampleTrainings, participant: la, links: sampleLinks(la) }));
    expect(e.subject).toBe('Welcome to Q1 Productivity: your calendar for 4 trainings');
    for (const [i, t] of sampleTrainings.entries()) {
      expect(e.html).toContain(t.title);
      expect(e.text).toContain(`${i + 1}. ${t.title}`);
    }
    for (const w of ['Thu 21 Jan – Sun 31 Jan', 'Sun 31 Jan – Sun 14 Feb', 'Sun 14 Feb – Sun 28 Feb', 'Sun 28 Feb – Sun 14 Mar']) {
      expect(e.html).toContain(w);
      expect(e.text).toContain(w);
    }
    expect(e.text).toContain('Hi Dave,');
    expect(e.text).toContain('in your time zone (Pacific Standard Time)');
    expect(e.html).toContain('at least 2 of the 4 trainings');
    expect(e.text).toContain('How to take part');
    expect(e.text).toContain('four short trainings');
  });
});
