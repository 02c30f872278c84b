// Where a training lives in the series folder. Apart from training-source.ts, which re-exports it,
// so the studio's pages name the file without loading the folder's parser (yaml and
// marked), which only checking an edit needs (issue 16, the studio's cold start).
import type { Training } from './model.ts';

/** The file name in the series folder: `trainings/NN-slug.md`. */
export function trainingFilePath(t: Pick<Training, 'order' | 'slug'>): string {
  return `trainings/${String(t.order).padStart(2, '0')}-${t.slug}.md`;
}
