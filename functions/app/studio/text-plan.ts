// The lines a text edit's preview shows (and the stored edit keeps). Apart from edit-training.ts,
// which re-exports it, so the studio's pages render them without loading the folder's parser that
// checking an edit needs (yaml, marked: issue 16, the studio's cold start).
import type { PublishPlan } from '#core/publish-plan';

/** What of a text edit's preview (edit-training.ts TextEditPreview) the lines are made from. */
export interface TextPlanInput {
  plan: Pick<PublishPlan, 'lines'>;
  alreadySent: number;
  waiting: number;
}

/** What a text edit does, in the words the preview shows them (and the edit keeps). */
export function textPlanLines(p: TextPlanInput): string[] {
  const people = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;
  const renamed = p.plan.lines.filter((l) => !l.startsWith('nothing changes'));
  return [
    ...renamed,
    p.alreadySent
      ? `${people(p.alreadySent)} already had this training’s email: it is not sent again, so they keep the earlier text (re-send it from a person’s page if it matters)`
      : 'nobody has had this training’s email yet',
    ...(p.waiting ? [`${people(p.waiting)} get the new text when the training reaches them`] : []),
    'the wiki export, the studio’s preview and every later email of this training use the new text',
  ];
}
