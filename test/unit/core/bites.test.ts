// Daily bites, pure: where a training is cut, what the overview says, how `format:` is validated
// in series.yaml and front matter, and the bite jobs the schedule plan adds in each group's week.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SourceFile } from '#core/problem';
import type { Training } from '#core/model';
import { biteCount, bitesProblem, MAX_BITES, sectionsOf, splitIntoBites } from '#core/bites';
import { parseSeries } from '#core/series';
import { planSchedules } from '#core/schedule-plan';
import { utcToZoned } from '#core/time';

const EXAMPLE = join(import.meta.dirname, '../../../examples/q1-productivity');
function exampleFiles(): SourceFile[] {
  const files: SourceFile[] = [{ path: 'series.yaml', text: readFileSync(join(EXAMPLE, 'series.yaml'), 'utf8') }];
  for (const name of readdirSync(join(EXAMPLE, 'trainings')).sort()) files.push({ path: `trainings/${name}`, text: readFileSync(join(EXAMPLE, 'trainings', name), 'utf8') });
  return files;
}

const base: Training = {
  slug: 'focus',
  order: 1,
  title: 'Focus',
  opens: '2027-03-01',
  closes: '2027-03-12',
  author: 'Maya',
  media: {},
  body: 'Lead paragraph.',
  strategies: [],
};
const strategy = (n: number) => ({ id: `s${n}`, number: n, title: `Strategy ${n}`, body: `Body ${n}` });

describe('where a training is cut', () => {
  it('at its ## sections (not inside code fences), the strategies as one more part', () => {
    const body = 'Lead.\n\n## One\nFirst.\n\n```\n## not a heading\n```\n\n## Two\nSecond.';
    expect(sectionsOf(body)).toEqual({ lead: 'Lead.', sections: [{ title: 'One', body: 'First.\n\n```\n## not a heading\n```' }, { title: 'Two', body: 'Second.' }] });
    const bites = splitIntoBites({ ...base, body, strategies: [strategy(1), strategy(2)] })!;
    expect(bites.how).toBe('sections');
    expect(bites.parts.map((p) => p.title)).toEqual(['Focus · part 1 of 3: One', 'Focus · part 2 of 3: Two', 'Focus · part 3 of 3: Strategies']);
    expect(bites.parts.map((p) => p.strategies.length)).toEqual([0, 0, 2]);
    // Same slug and order: links and reply addresses belong to the training.
    expect(new Set(bites.parts.map((p) => `${p.slug}/${p.order}`))).toEqual(new Set(['focus/1']));
    expect(bites.overview.body).toContain('Lead.');
    expect(bites.overview.body).toContain('**This training comes in 3 short parts, one each working day:**\n\n1. One\n2. Two\n3. Strategies');
    expect(bites.overview.strategies).toEqual([]);
  });

  it('at its strategies when the article has fewer than two sections', () => {
    const bites = splitIntoBites({ ...base, body: 'Lead.\n\n## Only one\nText.', strategies: [strategy(1), strategy(2), strategy(3)] })!;
    expect(bites.how).toBe('strategies');
    expect(bites.parts.map((p) => p.strategies.map((s) => s.number))).toEqual([[1], [2], [3]]);
    expect(bites.overview.body).toContain('## Only one');
  });

  it('not at all with fewer than two of either, and says what to do', () => {
    const lone = { ...base, strategies: [strategy(1)] };
    expect(biteCount(lone)).toBe(0);
    expect(splitIntoBites(lone)).toBeUndefined();
    expect(bitesProblem(lone)).toBe(
      'format: bites needs a training to cut into parts, and this one has 0 "## " sections and 1 strategy: give the article two or more "## " headings, write two or more strategies, or send it whole (format: whole)',
    );
  });

  it(`into at most ${MAX_BITES} parts: the rest of the sections travel in the last one`, () => {
    const body = Array.from({ length: 12 }, (_, i) => `## S${i + 1}\nText ${i + 1}.`).join('\n\n');
    const bites = splitIntoBites({ ...base, body })!;
    expect(bites.parts).toHaveLength(MAX_BITES);
    expect(bites.parts.at(-1)!.body).toContain('## S12');
    expect(bitesProblem({ ...base, body })).toMatch(/at most 10; this training has 12 parts/);
  });
});

describe('format: in series.yaml and front matter', () => {
  const T1 = 'trainings/01-productive-one-on-ones.md';

  it('a training with format: bites it cannot be cut into is an error at the format line', () => {
    const text = [
      '---',
      'format: bites',
      'title: A productive 1:1 sync with your manager',
      'opens: 2027-01-21',
      'closes: 2027-01-31',
      'author: Maya Okafor',
      '---',
      'One short article without sections.',
      '',
      '## Strategies',
      '',
      '1. **Keep a running agenda doc.** Share one document with your manager.',
      '',
    ].join('\n');
    const files = exampleFiles().map((f) => (f.path === T1 ? { ...f, text } : f));
    const result = parseSeries(files);
    expect(result.ok).toBe(false);
    const error = !result.ok ? result.errors.find((e) => e.file === T1) : undefined;
    expect(error).toMatchObject({ line: 2, message: expect.stringMatching(/^format: bites needs a training to cut into parts, and this one has 0 "## " sections and 1 strategy/) });
  });

  it('an unknown format names the two there are', () => {
    const files = exampleFiles().map((f) => (f.path === 'series.yaml' ? { ...f, text: `${f.text}\nformat: daily\n` } : f));
    const result = parseSeries(files);
    const lines = files.find((f) => f.path === 'series.yaml')!.text.split('\n');
    expect(!result.ok && result.errors).toEqual([{ file: 'series.yaml', line: lines.indexOf('format: daily') + 1, column: 9, message: 'format is the text "daily"; use one of: whole, bites' }]);
  });

  it('series.yaml format: bites is kept on the series, a training may say whole', () => {
    const files = exampleFiles().map((f) =>
      f.path === 'series.yaml' ? { ...f, text: `${f.text}\nformat: bites\n` } : f.path === T1 ? { ...f, text: f.text.replace(/^---\n/, '---\nformat: whole\n') } : f,
    );
    const result = parseSeries(files);
    if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
    expect(result.series.format).toBe('bites');
    expect(result.trainings[0]!.format).toBe('whole');
    expect(result.trainings.slice(1).every((t) => t.format === undefined)).toBe(true);
  });
});

describe('the schedule plan', () => {
  const result = parseSeries(exampleFiles());
  if (!result.ok) throw new Error('example rejected');
  const { series, trainings } = result;
  const first = trainings[0]!;

  it('plans part n on the n-th working day after the training, in each group’s zone and week', () => {
    const specs = planSchedules({
      series,
      trainings,
      participants: [
        { timeZone: 'Asia/Brunei', workStart: '08:30', workDays: ['mon', 'tue', 'wed', 'thu', 'sat'] },
        { timeZone: 'America/Los_Angeles', workStart: '09:00' },
      ],
      publishedAt: new Date('2026-12-01T00:00:00Z'),
    });
    const bites = (zone: string) =>
      specs
        .filter((s) => s.job.kind === 'training' && s.job.trainingSlug === first.slug && s.job.timeZone === zone && s.job.part !== undefined)
        .map((s) => [s.job.part, utcToZoned(new Date(s.at!.instant), zone).date, utcToZoned(new Date(s.at!.instant), zone).time]);
    expect(biteCount(first)).toBe(4);
    expect(bites('Asia/Brunei')).toEqual([[1, '2027-01-23', '08:30'], [2, '2027-01-25', '08:30'], [3, '2027-01-26', '08:30'], [4, '2027-01-27', '08:30']]);
    expect(bites('America/Los_Angeles')).toEqual([[1, '2027-01-22', '09:00'], [2, '2027-01-25', '09:00'], [3, '2027-01-26', '09:00'], [4, '2027-01-27', '09:00']]);
    expect(new Set(specs.map((s) => s.name)).size).toBe(specs.length);
  });
});
