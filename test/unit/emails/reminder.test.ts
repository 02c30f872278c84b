import { beforeAll, describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { REPLY_MARKER } from '#core/reply-marker';
import type { Participant, Series, Training } from '#core/model';
import { fillEmail, placeholdersOf, type CompiledEmail } from '#mail/fill';
import { compileReminder, reminderLayout } from '#emails/reminder';
import { layoutMjml } from '#emails/layout';
import { excerpt, progressLine, reminderValues, sharedHtml, sharedText, type SharedItem } from '#mail/values';
import { sampleLinks, sampleParticipants, sampleSeries, sampleTrainings } from '#emails/sample';

const training = sampleTrainings[0] as Training;
const brunei = sampleParticipants[0] as Participant;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#123': '{', '#125': '}' };
const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39|#123|#125);/g, (_, e: string) => ENTITIES[e] ?? _);
function anchors(html: string): Array<{ href: string; text: string }> {
  return [...html.matchAll(/<a\b[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map((m) => ({
    href: decode(m[1] ?? ''),
    text: decode((m[2] ?? '').replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim(),
  }));
}
/** The visible text of an HTML email, roughly as a reader sees it. */
const visible = (html: string) =>
  decode(html.replace(/<head>[\s\S]*?<\/head>/, '').replace(/<[^>]+>/g, ' ')).replace(/\s+/g, ' ');

const teammates: SharedItem[] = [
  { name: 'Ana', what: 'shared a strategy', text: 'I keep a doc pinned in Slack with three bullets per week.' },
  { name: 'Omar', what: 'will try #2, Start with the one thing you need', text: '' },
];

function values(participant: Participant, opts: { hasRead?: boolean; contributed?: number; shared?: SharedItem[] } = {}) {
  const shared = opts.shared ?? teammates;
  return reminderValues({
    series: sampleSeries,
    training,
    trainings: sampleTrainings,
    participant,
    links: sampleLinks(participant),
    hasRead: opts.hasRead ?? false,
    contributed: opts.contributed ?? 0,
    shared: { html: sharedHtml(shared, 'Nobody yet.'), text: sharedText(shared, 'Nobody yet.') },
  });
}

let compiled: CompiledEmail;
beforeAll(async () => {
  compiled = await compileReminder(sampleSeries, training, sampleTrainings);
});

describe('the reminder template', () => {
  const noEncourage: Series = { ...sampleSeries, policies: { ...sampleSeries.policies, encourage: undefined } };
  const bare: Training = { ...training, strategies: [] };
  it.each([
    ['with strategies', sampleSeries, training, sampleTrainings],
    ['without strategies or encouragement', noEncourage, bare, [bare]],
  ] as const)('passes strict MJML validation %s', async (_n, series, t, ts) => {
    const result = await mjml2html(layoutMjml(reminderLayout(series, t, ts)), { validationLevel: 'strict' });
    expect(result.errors).toEqual([]);
  });

  it('needs exactly the placeholders reminderValues provides, and fills them all', () => {
    const v = values(brunei);
    const needed = new Set([...placeholdersOf(compiled.subject), ...placeholdersOf(compiled.html), ...placeholdersOf(compiled.text)]);
    expect([...needed].sort()).toEqual(Object.keys(v).sort());
    const filled = fillEmail(compiled, v);
    expect(filled.subject + filled.html + filled.text).not.toContain('{{');
  });

  it('has the subject with the closing day and the reply marker first', () => {
    const filled = fillEmail(compiled, values(brunei));
    expect(filled.subject).toBe('Open until Sunday 31 January: Schedule a productive 1:1 with your manager');
    expect(filled.text.split('\n')[0]).toBe(REPLY_MARKER);
    expect(filled.html.indexOf(REPLY_MARKER)).toBeLessThan(filled.html.indexOf('<h1'));
  });
});

describe('the reminder for one participant', () => {
  it('shows teammates with credit and their words in HTML and text alike', () => {
    const filled = fillEmail(compiled, values(brunei));
    for (const body of [visible(filled.html), filled.text.replace(/\s+/g, ' ')]) {
      expect(body).toContain('Ana shared a strategy');
      expect(body).toContain('I keep a doc pinned in Slack with three bullets per week.');
      expect(body).toContain('Omar will try #2, Start with the one thing you need');
      expect(body).toContain('Sunday 31 January, end of your day (23:59 Brunei');
      expect(body).toContain('You have contributed to 0 of the 4 trainings so far');
      expect(body).toContain(sampleLinks(brunei).replyAddress);
    }
  });

  it('speaks to readers differently from those who have not opened it', () => {
    const quiet = fillEmail(compiled, values(brunei)).text;
    const reader = fillEmail(compiled, values(brunei, { hasRead: true })).text;
    expect(reader).toMatch(/you've read it, thank you! One line on what you'll try counts/);
    expect(quiet).not.toMatch(/you've read it/);
    expect(quiet).toMatch(/One line on what works for you/);
  });

  it('says so when nobody has shared yet', () => {
    const filled = fillEmail(compiled, values(brunei, { shared: [] }));
    expect(visible(filled.html)).toContain('Nobody yet.');
    expect(filled.text).toContain('Nobody yet.');
  });

  it('links Share and every Adopt #N to a mailto of the reply address with the subject the parser knows', () => {
    const a = anchors(fillEmail(compiled, values(brunei)).html);
    const { replyAddress } = sampleLinks(brunei);
    const share = a.find((x) => x.text === 'Share a strategy');
    expect(share?.href).toMatch(new RegExp(`^mailto:${replyAddress.replace(/[+.]/g, '\\$&')}\\?subject=Strategy%3A%20`));
    const adopts = a.filter((x) => /^Adopt #\d$/.test(x.text));
    expect(adopts.map((x) => x.text)).toEqual(training.strategies.map((s) => `Adopt #${s.number}`));
    expect(decodeURIComponent(adopts[1]!.href)).toContain(`subject=Adopt #2: ${training.strategies[1]!.title}`);
  });

  it("never lets a teammate's markup, braces or direction tricks through", () => {
    const evil: SharedItem[] = [
      { name: '<img src=x onerror=alert(1)>', what: 'shared a strategy', text: '<script>alert("x")</script> {{firstName}} {{{unsubscribeUrl}}} \u202Egnp.exe' },
    ];
    const filled = fillEmail(compiled, values(brunei, { shared: evil }));
    expect(filled.html).not.toMatch(/<script|<img src=x/i);
    expect(filled.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    // Braces show as written: neither the name nor the unsubscribe URL is filled into them.
    expect(visible(filled.html)).toContain('{{firstName}} {{{unsubscribeUrl}}}');
    expect(filled.html).not.toContain('\u202E');
    expect(filled.text).toContain('<script>alert("x")</script> {{firstName}}');
    expect(filled.text).not.toContain('\u202E');
  });
});

describe('excerpts and the goal line', () => {
  it('cuts long text on a word boundary and flattens lines', () => {
    const long = `${'word '.repeat(60)}end`;
    const cut = excerpt(long, 50);
    expect(cut.length).toBeLessThanOrEqual(50);
    expect(cut.endsWith('word…')).toBe(true);
    expect(excerpt('one\n\n two\tthree')).toBe('one two three');
    expect(excerpt('short')).toBe('short');
  });

  it('counts toward "at least N of M" and thanks those who reached it', () => {
    expect(progressLine(sampleSeries, sampleTrainings, 0)).toBe(
      'You have contributed to 0 of the 4 trainings so far; the goal is at least 2, so this one gets you closer.',
    );
    expect(progressLine(sampleSeries, sampleTrainings, 1)).toMatch(/this one gets you there\.$/);
    expect(progressLine(sampleSeries, sampleTrainings, 2)).toMatch(/you have reached the goal of 2, thank you!/);
    const none = { ...sampleSeries, policies: { ...sampleSeries.policies, encourage: undefined } };
    expect(progressLine(none, sampleTrainings, 1)).toBe('You have contributed to 1 of the 4 trainings so far.');
  });
});
