// Editing a training's window or title: the form, and the re-plan shown before anything changes
// (app/studio/edit-training.ts). Plain forms with the session's CSRF token, no script.
import type { Session } from '#app/studio/access';
import type { EditPreview, TrainingEdit } from '#app/studio/edit-training';
import type { PublishedSeries } from '#core/records';
import { escapeHtml } from '#mail/escape';
import { csrfField, layout, seriesPath } from './studio-pages.ts';

const e = escapeHtml;

function fields(edit: TrainingEdit, hidden: boolean): string {
  if (hidden) return (['slug', 'opens', 'closes', 'title'] as const).map((k) => `<input type="hidden" name="${k}" value="${e(edit[k])}">`).join('');
  return (
    `<input type="hidden" name="slug" value="${e(edit.slug)}">` +
    `<label for="edit-title">Title</label><input id="edit-title" name="title" value="${e(edit.title)}" required maxlength="200">` +
    `<label for="edit-opens">Opens</label><input id="edit-opens" name="opens" type="date" value="${e(edit.opens)}" required>` +
    `<label for="edit-closes">Closes (its last day)</label><input id="edit-closes" name="closes" type="date" value="${e(edit.closes)}" required>`
  );
}

export function editTrainingPage(published: PublishedSeries, edit: TrainingEdit, session: Session, preview?: EditPreview): string {
  const id = published.series.id;
  const current = published.trainings.find((t) => t.slug === edit.slug);
  const form = `<form method="post" action="${seriesPath(id, '/trainings/edit')}">${csrfField(session)}${fields(edit, false)}<p><button type="submit">See the re-plan</button> <a href="${seriesPath(id, '/trainings')}">Cancel</a></p></form>`;
  let plan = '';
  if (preview) {
    const list = (items: string[]) => `<ul>${items.map((l) => `<li>${e(l)}</li>`).join('')}</ul>`;
    plan = preview.errors.length
      ? `<section class="card" aria-labelledby="replan"><h2 id="replan">Nothing can change yet</h2><p role="alert"><strong>Nothing was changed.</strong></p><ul class="problems">${preview.errors.map((l) => `<li>${e(l)}</li>`).join('')}</ul></section>`
      : `<section class="card" aria-labelledby="replan"><h2 id="replan">What this changes</h2>${list(preview.plan.lines)}` +
        (preview.plan.warnings.length ? `<h3>Warnings</h3>${list(preview.plan.warnings)}` : '') +
        (preview.canApply
          ? `<form method="post" action="${seriesPath(id, '/trainings/edit/confirm')}">${csrfField(session)}${fields(edit, true)}<p><button type="submit">Apply: publish the change</button></p></form>`
          : `<p role="alert">This studio cannot apply it: the emails carry the dates and titles, and rebuilding them is done where the series is published, not in the studio on AWS. Change the training file and run <code>baton publish</code> from the series folder; it shows this same plan.</p>`) +
        '</section>';
  }
  return layout({
    title: `Change “${current?.title ?? edit.slug}”`,
    session,
    series: published,
    tab: 'trainings',
    body: `<section class="card"><p class="muted">Now ${e(current?.opens ?? '')} to ${e(current?.closes ?? '')}. Nothing changes until you confirm the re-plan.</p>${form}</section>${plan}`,
  });
}
