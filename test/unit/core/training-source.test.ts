// A published training as its Markdown file and back (core/training-source.ts): every example
// training round-trips through the three studio fields and the folder's parser unchanged, and a
// problem in a field comes back at that field and its own line.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSeries, parseTrainingText } from '#core/series';
import { checkTrainingText, trainingFile, trainingFilePath, trainingText } from '#core/training-source';
import { exampleDir } from '#test/support/example-data';

const files = [
  { path: 'series.yaml', text: readFileSync(join(exampleDir, 'series.yaml'), 'utf8') },
  ...readdirSync(join(exampleDir, 'trainings')).map((f) => ({ path: `trainings/${f}`, text: readFileSync(join(exampleDir, 'trainings', f), 'utf8') })),
];
const parsed = parseSeries(files);
if (!parsed.ok) throw new Error('the example series does not parse');
const trainings = parsed.trainings;

describe('a training as the studio edits it', () => {
  it.each(trainings.map((t) => [t.slug, t] as const))('%s round-trips through the fields and the file unchanged', (_slug, t) => {
    const checked = checkTrainingText(t, trainingText(t));
    expect(checked.ok && checked.training).toEqual(t);
    const file = parseTrainingText(trainingFilePath(t), trainingFile(t), t.order, t.slug);
    expect(file.errors).toEqual([]);
    expect(file.training).toEqual(t);
  });

  it('keeps strategy ids that the title would not give, and aliases', () => {
    const t = { ...trainings[0]!, strategies: trainings[0]!.strategies.map((s, i) => (i === 0 ? { ...s, title: 'Reworded title', aliases: ['Título nuevo'] } : s)) };
    const checked = checkTrainingText(t, trainingText(t));
    expect(checked.ok && checked.training.strategies[0]).toEqual(t.strategies[0]);
    expect(trainingText(t).strategies).toContain(`### Reworded title {#${t.strategies[0]!.id}}`);
  });

  it('reports each problem at its field and the line within it', () => {
    const t = trainings[0]!;
    const checked = checkTrainingText(t, { title: ' ', body: 'One.\n\nTwo with ![](https://x.example/i.png) and [a](relative).', strategies: '### Fine\n\nBody.' });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors).toEqual([
      { field: 'title', line: 0, message: expect.stringMatching(/^title must not be empty/) },
      { field: 'body', line: 3, message: expect.stringMatching(/^link "relative" is not an absolute http\(s\) URL/) },
    ]);
    expect(checked.warnings).toEqual([{ field: 'body', line: 3, message: expect.stringMatching(/has no alt text/) }]);
  });

  it('refuses a text without strategies, at the strategies field', () => {
    const checked = checkTrainingText(trainings[1]!, { ...trainingText(trainings[1]!), strategies: '' });
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.errors).toEqual([{ field: 'strategies', line: 0, message: expect.stringMatching(/has no strategies/) }]);
  });
});
