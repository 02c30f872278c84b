import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Problem, SourceFile } from '#core/problem';
import { parseSeries, type SeriesParseResult } from '#core/series';

const EXAMPLE = join(import.meta.dirname, '../../../examples/q1-productivity');

function exampleFiles(): SourceFile[] {
  const files: SourceFile[] = [{ path: 'series.yaml', text: readFileSync(join(EXAMPLE, 'series.yaml'), 'utf8') }];
  for (const name of readdirSync(join(EXAMPLE, 'trainings')).sort()) {
    files.push({ path: `trainings/${name}`, text: readFileSync(join(EXAMPLE, 'trainings', name), 'utf8') });
  }
  return files;
}

/** The example with one file's text changed (or the file removed when `edit` returns undefined). */
function withEdit(path: string, edit: (text: string) => string | undefined, files = exampleFiles()): SourceFile[] {
  const target = files.find((f) => f.path === path);
  if (!target) throw new Error(`no ${path} in the example`);
  const edited = edit(target.text);
  if (edited !== undefined && edited === target.text) throw new Error(`the edit of ${path} changed nothing`);
  return edited === undefined ? files.filter((f) => f !== target) : files.map((f) => (f === target ? { ...f, text: edited } : f));
}

function replaceOnce(text: string, from: string, to: string): string {
  const at = text.indexOf(from);
  if (at < 0) throw new Error(`"${from}" not found`);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** 1-based line of the first occurrence of `needle`: where a problem about it must point. */
function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" not found`);
  return text.slice(0, at).split('\n').length;
}

function errorsOf(result: SeriesParseResult): Problem[] {
  if (result.ok) throw new Error('expected the series to be rejected');
  return result.errors;
}

function textOf(files: SourceFile[], path: string): string {
  return files.find((f) => f.path === path)!.text;
}

describe('parseSeries on the example series', () => {
  const result = parseSeries(exampleFiles());
  if (!result.ok) throw new Error(`example rejected:\n${result.errors.map((e) => `${e.file}:${e.line} ${e.message}`).join('\n')}`);
  const { series, trainings, warnings } = result;

  it('reads series.yaml into the series model', () => {
    expect(series.id).toBe('q1-productivity');
    expect(series.title).toBe('Q1 training series: productivity, communication and organization');
    expect(series.trainers.map((t) => [t.name, t.timeZone])).toEqual([
      ['Maya Okafor', 'America/New_York'],
      ['Daniel Brooks', 'Europe/London'],
    ]);
    expect(series.defaultTimeZone).toBe('Europe/London');
    expect(series.defaultWorkStart).toBe('09:00');
    expect(series.policies).toMatchObject({
      reminderDaysBeforeClose: 3,
      followUpWeeksAfterClose: 3,
      digest: { day: 'mon', hour: 9 },
      rollup: { day: 'fri', hour: 10 },
      encourage: { atLeast: 2, of: 4 },
    });
    expect(series.intro).toContain('at least two of the four');
  });

  it('has the four trainings of the seed in order, with their windows', () => {
    expect(trainings.map((t) => [t.order, t.slug, t.opens, t.closes])).toEqual([
      [1, 'productive-one-on-ones', '2027-01-21', '2027-01-31'],
      [2, 'company-communications', '2027-01-31', '2027-02-14'],
      [3, 'performance-reviews', '2027-02-14', '2027-02-28'],
      [4, 'product-launch', '2027-02-28', '2027-03-14'],
    ]);
  });

  it('numbers strategies from 1 and gives them ids from titles or {#id}', () => {
    const [first, , third] = trainings;
    expect(first!.strategies.map((s) => [s.number, s.id])).toEqual([
      [1, 'running-agenda'],
      [2, 'start-with-the-one-thing-you-need'],
      [3, 'bring-one-win-and-one-struggle'],
      [4, 'close-with-written-next-steps'],
      [5, 'protect-the-slot-across-time-zones'],
    ]);
    expect(first!.strategies[0]!.title).toBe('Keep a running agenda doc');
    expect(first!.strategies[0]!.body).toMatch(/^Share one document with your manager/);
    expect(first!.strategies[0]!.body).not.toContain('{#');
    // The third training writes its strategies as ### sub-headings.
    expect(third!.strategies.map((s) => s.id)).toEqual([
      'brag-document',
      'ask-for-feedback-before-the-review',
      'write-your-goals-as-a-question-to-your-manager',
      'follow-up-monthly-on-one-goal',
    ]);
    expect(third!.strategies[1]!.body).toMatch(/^Two weeks ahead/);
    expect(trainings.map((t) => t.strategies.length)).toEqual([5, 4, 4, 5]);
  });

  it('keeps the article without its Strategies section, and reads media links', () => {
    for (const t of trainings) {
      expect(t.body).not.toMatch(/^## Strategies/m);
      expect(t.body.length).toBeGreaterThan(1500);
    }
    expect(trainings[0]!.body).toContain('## Further reading');
    expect(trainings[2]!.author).toBe('Priya Raman');
    expect(trainings[2]!.media).toEqual({
      audio: 'https://media.example.org/baton/q1/performance-reviews.mp3',
      video: 'https://media.example.org/baton/q1/performance-reviews.mp4',
      slides: 'https://slides.example.org/baton/q1/performance-reviews',
    });
    expect(trainings[0]!.media).toEqual({});
  });

  it('has no warnings', () => {
    expect(warnings).toEqual([]);
  });

  it('gives the same result for CRLF files', () => {
    const crlf = exampleFiles().map((f) => ({ ...f, text: f.text.replace(/\n/g, '\r\n') }));
    expect(parseSeries(crlf)).toEqual(result);
  });
});

describe('parseSeries on broken series.yaml', () => {
  it('reports broken YAML with its line', () => {
    const files = withEdit('series.yaml', (t) => replaceOnce(t, '  encourage:\n    atLeast: 2', '  encourage: [2, 4\n    atLeast: 2'));
    const errors = errorsOf(parseSeries(files));
    // Only the first syntax error: what the parser reports after it are echoes of its guesswork.
    expect(errors).toEqual([
      expect.objectContaining({
        file: 'series.yaml',
        line: lineOf(textOf(files, 'series.yaml'), 'encourage: [2, 4'),
        message: expect.stringMatching(/^YAML syntax: .*look for a bracket or quote that is not closed/),
      }),
    ]);
  });

  it('reports every duplicated key', () => {
    const files = withEdit('series.yaml', (t) => replaceOnce(replaceOnce(t, 'title:', 'id: again\ntitle:'), '    hour: 9', '    hour: 9\n    hour: 8'));
    const text = textOf(files, 'series.yaml');
    const errors = errorsOf(parseSeries(files));
    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [lineOf(text, 'id: again'), 'YAML syntax: Map keys must be unique; remove one of the two, or rename it'],
      [lineOf(text, 'hour: 8'), 'YAML syntax: Map keys must be unique; remove one of the two, or rename it'],
    ]);
  });

  it('names an unknown key, suggests the right one and lists the allowed ones', () => {
    const files = withEdit('series.yaml', (t) => replaceOnce(t, 'reminderDaysBeforeClose: 3', 'remindrDaysBeforeClose: 3'));
    const [error, ...rest] = errorsOf(parseSeries(files));
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ file: 'series.yaml', line: lineOf(textOf(files, 'series.yaml'), 'remindrDays'), column: 3 });
    expect(error!.message).toContain('unknown key "remindrDaysBeforeClose" in policies; did you mean "reminderDaysBeforeClose"?');
    expect(error!.message).toContain('Allowed keys: reminderDaysBeforeClose, followUpWeeksAfterClose, digest, rollup, encourage, acknowledgeContributions');
  });

  it('names an unknown top-level key', () => {
    const files = withEdit('series.yaml', (t) => `${t}\ntrainer_notes: remember the wiki\n`);
    const [error] = errorsOf(parseSeries(files));
    expect(error).toMatchObject({ line: lineOf(textOf(files, 'series.yaml'), 'trainer_notes') });
    expect(error!.message).toMatch(/^unknown key "trainer_notes" in series.yaml: remove it or use one of the allowed keys: id, title, intro, trainers/);
  });

  it('suggests the time zone a typo meant, at the value', () => {
    const files = withEdit('series.yaml', (t) => replaceOnce(t, 'timeZone: Europe/London', 'timeZone: Asia/Brunie'));
    const [error] = errorsOf(parseSeries(files));
    expect(error).toEqual({
      file: 'series.yaml',
      line: lineOf(textOf(files, 'series.yaml'), 'Asia/Brunie'),
      column: 15,
      message: 'trainers[1].timeZone "Asia/Brunie" is not a known time zone; did you mean "Asia/Brunei"?',
    });
  });

  it('reports a bad email and a missing key in one pass', () => {
    const files = withEdit('series.yaml', (t) =>
      replaceOnce(replaceOnce(t, 'maya.okafor@example.com', 'maya.okafor@'), '\ndefaultTimeZone: Europe/London', ''),
    );
    const errors = errorsOf(parseSeries(files));
    const text = textOf(files, 'series.yaml');
    expect(errors).toEqual([
      // A missing key is reported where the keys it belongs with start.
      { file: 'series.yaml', line: lineOf(text, 'id: q1'), column: 1, message: 'defaultTimeZone is missing: add defaultTimeZone: Europe/London' },
      {
        file: 'series.yaml',
        line: lineOf(text, 'maya.okafor@'),
        column: 12,
        message: 'trainers[0].email "maya.okafor@" is not a valid email address',
      },
    ]);
  });

  it('rejects encourage.of above the number of trainings, at the of line', () => {
    const files = withEdit('series.yaml', (t) => replaceOnce(t, '    of: 4', '    of: 5'));
    const [error, ...rest] = errorsOf(parseSeries(files));
    expect(rest).toEqual([]);
    expect(error).toMatchObject({
      file: 'series.yaml',
      line: lineOf(textOf(files, 'series.yaml'), '    of: 5'),
      message: 'policies.encourage.of is 5 but the series has 4 trainings: set it to 4 or fewer',
    });
  });

  it('rejects encourage.atLeast above encourage.of', () => {
    const files = withEdit('series.yaml', (t) => replaceOnce(t, 'atLeast: 2', 'atLeast: 6'));
    const errors = errorsOf(parseSeries(files));
    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [
        lineOf(textOf(files, 'series.yaml'), 'atLeast: 6'),
        'policies.encourage.atLeast is 6 but "of" is 4: nobody can contribute to more trainings than there are; lower atLeast',
      ],
    ]);
  });

  it('names a weekday it does not know and lists the ones it does', () => {
    const files = withEdit('series.yaml', (t) => replaceOnce(t, '    day: monday', '    day: mondays'));
    const [error] = errorsOf(parseSeries(files));
    expect(error!.message).toBe('policies.digest.day is the text "mondays"; use one of: mon, tue, wed, thu, fri, sat, sun');
  });

  it('says what shape a value should have, with an example', () => {
    let files = withEdit('series.yaml', (t) => replaceOnce(t, '  encourage:\n    atLeast: 2\n    of: 4', '  encourage: 2 of 4'));
    files = withEdit('series.yaml', (t) => t.replace(/trainers:\n(?: {2}.*\n)+/, 'trainers: []\n'), files);
    const text = textOf(files, 'series.yaml');
    expect(errorsOf(parseSeries(files)).map((e) => [e.line, e.message])).toEqual([
      [lineOf(text, 'trainers: []'), 'trainers is empty: add at least 1, as in trainers:  (then "- name:", "email:" and "timeZone:" for each trainer)'],
      [lineOf(text, '2 of 4'), 'policies.encourage must be a group of keys, not the text "2 of 4"; for example encourage: { atLeast: 2, of: 4 }'],
    ]);
  });

  it('says when series.yaml is missing', () => {
    const errors = errorsOf(parseSeries(withEdit('series.yaml', () => undefined)));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ file: 'series.yaml', line: 0, message: expect.stringContaining('series.yaml is missing') });
  });

  it('checks links in the intro at their line', () => {
    const files = withEdit('series.yaml', (t) => replaceOnce(t, '(https://wiki.example.com/advocacy/training)', '(/advocacy/training)'));
    const [error] = errorsOf(parseSeries(files));
    expect(error).toMatchObject({ file: 'series.yaml', line: lineOf(textOf(files, 'series.yaml'), '(/advocacy/training)') });
    expect(error!.message).toMatch(/^link "\/advocacy\/training" is not an absolute http\(s\) URL: emails are read far from this folder/);
  });
});

describe('parseSeries on broken trainings', () => {
  const T1 = 'trainings/01-productive-one-on-ones.md';
  const T3 = 'trainings/03-performance-reviews.md';

  it('rejects a window that closes before it opens, at the closes line', () => {
    const files = withEdit(T1, (t) => replaceOnce(t, 'closes: 2027-01-31', 'closes: 2027-01-11'));
    const errors = errorsOf(parseSeries(files));
    expect(errors).toEqual([
      {
        file: T1,
        line: lineOf(textOf(files, T1), 'closes:'),
        column: 9,
        message: 'closes (2027-01-11) is before opens (2027-01-21): the window must close on or after the day it opens',
      },
    ]);
  });

  it('rejects dates that are not real or not YYYY-MM-DD', () => {
    let files = withEdit(T1, (t) => replaceOnce(t, 'opens: 2027-01-21', 'opens: 2027-02-30'));
    files = withEdit(T3, (t) => replaceOnce(t, 'closes: 2027-02-28', 'closes: 28 Feb 2027'), files);
    const errors = errorsOf(parseSeries(files));
    expect(errors.map((e) => [e.file, e.line, e.message])).toEqual([
      [T1, 3, 'opens "2027-02-30" is not a real calendar date'],
      [T3, 4, 'closes "28 Feb 2027" must be a date written YYYY-MM-DD'],
    ]);
  });

  it('names an unknown front matter key and the allowed ones', () => {
    const files = withEdit(T3, (t) => replaceOnce(t, 'slides: https', 'slide: https'));
    const [error] = errorsOf(parseSeries(files));
    expect(error).toMatchObject({ file: T3, line: lineOf(textOf(files, T3), 'slide:'), column: 1 });
    expect(error!.message).toBe(
      'unknown key "slide" in the front matter; did you mean "slides"? Allowed keys: title, opens, closes, author, authorEmail, audio, video, slides, strategyTitles, format',
    );
  });

  it('puts strategyTitles (titles in other languages, by number or id) on the strategies they name', () => {
    const files = withEdit(T1, (t) =>
      replaceOnce(t, 'author: Maya Okafor', 'author: Maya Okafor\nstrategyTitles:\n  1: [Lleva un documento de agenda continuo, Führe ein laufendes Agenda-Dokument]\n  "#4": Cierra con los próximos pasos por escrito\n  running-agenda: Mantenha uma pauta contínua'),
    );
    const result = parseSeries(files);
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
    const [first, , , fourth] = result.trainings[0]!.strategies;
    expect(first!.aliases).toEqual(['Lleva un documento de agenda continuo', 'Führe ein laufendes Agenda-Dokument', 'Mantenha uma pauta contínua']);
    expect(fourth!.aliases).toEqual(['Cierra con los próximos pasos por escrito']);
    expect(result.trainings[0]!.strategies[1]!.aliases).toBeUndefined();
  });

  it('refuses strategyTitles naming no strategy, at its line, with the ones there are', () => {
    const files = withEdit(T1, (t) => replaceOnce(t, 'author: Maya Okafor', 'author: Maya Okafor\nstrategyTitles:\n  9: Nueve'));
    const [error] = errorsOf(parseSeries(files));
    expect(error).toMatchObject({ file: T1, line: lineOf(textOf(files, T1), '9: Nueve') });
    expect(error!.message).toMatch(/^strategyTitles names "9", which is no strategy of this training: use a number or an id among 1 \(running-agenda\), 2 \(/);
  });

  it('refuses a trainer name or author over 200 characters, at its line, without echoing it', () => {
    let files = withEdit('series.yaml', (t) => replaceOnce(t, '  - name: Maya Okafor', `  - name: ${'M'.repeat(201)}`));
    files = withEdit(T1, (t) => replaceOnce(t, 'author: Maya Okafor', `author: ${'Ḥ'.repeat(5000)}`), files);
    expect(errorsOf(parseSeries(files))).toEqual([
      {
        file: 'series.yaml',
        line: lineOf(textOf(files, 'series.yaml'), `name: ${'M'.repeat(201)}`),
        column: 11,
        message: 'trainers[0].name is 201 characters long; it can be at most 200: shorten it',
      },
      { file: T1, line: 5, column: 9, message: 'author is 5000 characters long; it can be at most 200: shorten it' },
    ]);
    expect(parseSeries(withEdit('series.yaml', (t) => replaceOnce(t, '  - name: Maya Okafor', `  - name: ${'M'.repeat(200)}`))).ok).toBe(true);
  });

  it('says which key is missing and what to write', () => {
    const files = withEdit(T1, (t) => replaceOnce(t, 'author: Maya Okafor\n', ''));
    const [error] = errorsOf(parseSeries(files));
    expect(error).toMatchObject({ file: T1, line: 2, message: 'author is missing: add author: Maya Okafor' });
  });

  it('rejects a file without front matter', () => {
    const files = withEdit(T1, (t) => t.slice(t.indexOf('\n---\n') + 5));
    const [error] = errorsOf(parseSeries(files));
    expect(error).toMatchObject({ file: T1, line: 1, message: expect.stringContaining('does not start with front matter') });
  });

  it('rejects relative images and links, each at its own line', () => {
    const files = withEdit(T1, (t) =>
      replaceOnce(
        replaceOnce(t, 'https://media.example.org/baton/q1/one-on-one-calendar.gif', 'images/calendar.gif'),
        'https://handbook.gitlab.com/handbook/leadership/1-1/',
        '../handbook/1-1.md',
      ),
    );
    const text = textOf(files, T1);
    const errors = errorsOf(parseSeries(files));
    expect(errors.map((e) => [e.line, e.message.split(':')[0]])).toEqual([
      [lineOf(text, '](images/calendar.gif)'), 'image "images/calendar.gif" is not an absolute http(s) URL'],
      [lineOf(text, '../handbook/1-1.md'), 'link "../handbook/1-1.md" is not an absolute http(s) URL'],
    ]);
    expect(errors[0]!.message).toContain('emails are read far from this folder');
  });

  it('warns about an image without alt text', () => {
    const files = withEdit(T1, (t) => replaceOnce(t, '![A calendar on a laptop screen with a recurring 1:1 highlighted]', '![]'));
    const result = parseSeries(files);
    expect(result.ok).toBe(true);
    expect(result.warnings).toEqual([
      expect.objectContaining({ file: T1, line: lineOf(textOf(files, T1), '![]'), message: expect.stringContaining('has no alt text') }),
    ]);
  });

  it('rejects a media link that is not absolute', () => {
    const files = withEdit(T3, (t) => replaceOnce(t, 'audio: https://media.example.org/baton/q1/performance-reviews.mp3', 'audio: performance-reviews.mp3'));
    const [error] = errorsOf(parseSeries(files));
    expect(error).toMatchObject({ file: T3, line: lineOf(textOf(files, T3), 'audio:'), message: expect.stringMatching(/^audio "performance-reviews.mp3" is not an absolute http\(s\) URL/) });
  });

  it('explains how to add a missing Strategies section', () => {
    const files = withEdit(T1, (t) => t.slice(0, t.indexOf('## Strategies')));
    const [error] = errorsOf(parseSeries(files));
    expect(error).toMatchObject({ file: T1, line: 0 });
    expect(error!.message).toContain('this training has no "## Strategies" section: end the training with a "## Strategies" heading');
  });

  it('points at a near-miss Strategies heading', () => {
    const files = withEdit(T1, (t) => replaceOnce(t, '## Strategies', '## Strategies to try'));
    const [error] = errorsOf(parseSeries(files));
    expect(error).toMatchObject({ line: lineOf(textOf(files, T1), '## Strategies to try') });
    expect(error!.message).toContain('must read exactly "## Strategies"');
  });

  it('rejects two strategies with the same id, naming both lines', () => {
    const files = withEdit(T1, (t) => replaceOnce(t, '**Close with written next steps.**', '**Close with written next steps.** {#running-agenda}'));
    const text = textOf(files, T1);
    const [error, ...rest] = errorsOf(parseSeries(files));
    expect(rest).toEqual([]);
    const first = lineOf(text, '{#running-agenda}');
    const second = lineOf(text, '4. **Close');
    expect(error).toMatchObject({
      file: T1,
      line: second,
      message: `two strategies have the id "running-agenda" (lines ${first} and ${second}): reword one title or give one a different {#id}`,
    });
  });

  it('rejects a strategy item without a bold title, and a bad custom id', () => {
    const files = withEdit(T1, (t) =>
      replaceOnce(replaceOnce(t, '2. **Start with the one thing you need.**', '2. Start with the one thing you need.'), '{#running-agenda}', '{#Running Agenda}'),
    );
    const text = textOf(files, T1);
    const errors = errorsOf(parseSeries(files));
    expect(errors.map((e) => [e.line, e.message])).toEqual([
      [lineOf(text, '{#Running'), 'the id {#Running Agenda} must be lowercase letters, digits and dashes, such as {#agenda-ahead}'],
      [
        lineOf(text, '2. Start'),
        'this strategy has no title: start the item with its title in bold, such as "1. **Send the agenda ahead.** Then the explanation"',
      ],
    ]);
  });

  it('rejects a file name that is not NN-slug.md', () => {
    const files = exampleFiles().map((f) => (f.path === T1 ? { ...f, path: 'trainings/One on ones.md' } : f));
    const errors = errorsOf(parseSeries(files));
    expect(errors).toEqual([
      {
        file: 'trainings/One on ones.md',
        line: 0,
        message:
          'training files must be named NN-slug.md (two digits, a dash, then lowercase words joined by dashes): rename it, for example to trainings/01-one-on-ones.md',
      },
    ]);
  });

  it('rejects duplicate slugs and numbers, naming the other file', () => {
    const files = exampleFiles();
    const copy = { ...files.find((f) => f.path === T1)!, path: 'trainings/05-productive-one-on-ones.md' };
    const again = { ...files.find((f) => f.path === T3)!, path: 'trainings/04-performance-reviews-again.md' };
    const errors = errorsOf(parseSeries([...files, copy, again]));
    const messages = errors.map((e) => `${e.file}: ${e.message.split(':')[0]}`);
    expect(messages).toContain(`trainings/05-productive-one-on-ones.md: the slug "productive-one-on-ones" is already used by ${T1}`);
    expect(messages).toContain('trainings/04-product-launch.md: trainings/04-performance-reviews-again.md has the same number (04)');
  });

  it('rejects windows out of file order, at the opens line', () => {
    const T2 = 'trainings/02-company-communications.md';
    const files = withEdit(T2, (t) => replaceOnce(t, 'opens: 2027-01-31', 'opens: 2027-01-15'));
    const [error, ...rest] = errorsOf(parseSeries(files));
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ file: T2, line: lineOf(textOf(files, T2), 'opens:'), column: 8 });
    expect(error!.message).toBe(
      `opens 2027-01-15, before ${T1} (which opens 2027-01-21) although it comes after it: trainings go out in file-number order, so fix the dates or renumber the files`,
    );
  });

  it('collects every error from every file in one pass, sorted by file and line', () => {
    let files = withEdit('series.yaml', (t) => replaceOnce(t, 'America/New_York', 'America/New York'));
    files = withEdit(T1, (t) => replaceOnce(t, 'closes: 2027-01-31', 'closes: 2027-01-01'), files);
    files = withEdit(T3, (t) => replaceOnce(t, 'author: Priya Raman', 'auther: Priya Raman'), files);
    const errors = errorsOf(parseSeries(files));
    expect(errors.map((e) => e.file)).toEqual(['series.yaml', T1, T3]);
    expect(errors[0]!.message).toContain('did you mean "America/New_York"?');
    expect(errors[1]!.message).toMatch(/^closes \(2027-01-01\) is before opens/);
    // "author is missing" would only repeat what the misspelling already says.
    expect(errors[2]!.message).toMatch(/^unknown key "auther" in the front matter; did you mean "author"\?/);
  });

  it('reads ### strategies and warns about text outside any strategy', () => {
    const files = withEdit(
      T1,
      (t) =>
        `${t.slice(0, t.indexOf('## Strategies'))}## Strategies\n\nPick one:\n\n### Plan the week {#plan}\n\nOn Monday.\n\n### Review the week\n\nOn Friday,\nwith tea.\n\n## Resources\n\nMore at [the wiki](https://wiki.example.com).\n`,
    );
    const result = parseSeries(files);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    const training = result.trainings[0]!;
    expect(training.strategies).toEqual([
      { id: 'plan', number: 1, title: 'Plan the week', body: 'On Monday.' },
      { id: 'review-the-week', number: 2, title: 'Review the week', body: 'On Friday,\nwith tea.' },
    ]);
    // A section after Strategies stays in the article.
    expect(training.body).toMatch(/## Resources\n\nMore at \[the wiki\]\(https:\/\/wiki.example.com\)\.$/);
    expect(result.warnings).toEqual([
      expect.objectContaining({ file: T1, line: lineOf(textOf(files, T1), 'Pick one:'), message: expect.stringContaining('not under a "### " strategy heading') }),
    ]);
  });

  it('keeps indented paragraphs and nested lists inside a list strategy', () => {
    const files = withEdit(T1, (t) =>
      `${t.slice(0, t.indexOf('## Strategies'))}## Strategies\n\n1. **One** first line\n   lazy\n\n   second paragraph\n\n   - nested\n2) __Two__: body two\n\nAfterword.\n`,
    );
    const result = parseSeries(files);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.trainings[0]!.strategies).toEqual([
      { id: 'one', number: 1, title: 'One', body: 'first line\nlazy\n\nsecond paragraph\n\n- nested' },
      { id: 'two', number: 2, title: 'Two', body: 'body two' },
    ]);
    expect(result.warnings.map((w) => w.line)).toEqual([lineOf(textOf(files, T1), 'Afterword.')]);
  });
});
