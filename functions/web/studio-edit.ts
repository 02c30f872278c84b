// Changing a training: its window or title, or its text. The forms, the re-plan shown before
// anything changes (app/studio/edit-training.ts), and the page that follows a confirmation while
// the publish worker applies it (state pending/applying → applied or failed). Plain forms with the
// session's CSRF token, no script; the status page refreshes itself with a meta refresh.
import type { Session } from '#app/studio/access';
import type { EditPreview, TextEditPreview, TrainingEdit } from '#app/studio/edit-training';
import { textPlanLines } from '#app/studio/text-plan';
import type { PublishedSeries, StudioEdit } from '#core/records';
import type { FieldProblem, TextField } from '#core/training-source';
import { trainingFilePath } from '#core/training-path';
import { escapeHtml } from '#mail/escape';
import { markdownInlineToEmailHtml, markdownToEmailHtml } from '#mail/markdown';
import { csrfField, layout, seriesPath } from './studio-pages.ts';

const e = escapeHtml;
const list = (items: string[]) => `<ul>${items.map((l) => `<li>${e(l)}</li>`).join('')}</ul>`;

function fields(edit: TrainingEdit, hidden: boolean): string {
  if (hidden) return (['slug', 'opens', 'closes', 'title'] as const).map((k) => `<input type="hidden" name="${k}" value="${e(edit[k])}">`).join('');
  return (
    `<input type="hidden" name="slug" value="${e(edit.slug)}">` +
    `<label for="edit-title">Title</label><input id="edit-title" name="title" value="${e(edit.title)}" required maxlength="200">` +
    `<label for="edit-opens">Opens</label><input id="edit-opens" name="opens" type="date" value="${e(edit.opens)}" required>` +
    `<label for="edit-closes">Closes (its last day)</label><input id="edit-closes" name="closes" type="date" value="${e(edit.closes)}" required>`
  );
}

const CANNOT_APPLY =
  '<p role="alert">This studio cannot apply it: it has no publisher to rebuild the emails with. Change the training file and run <code>baton publish</code> from the series folder; it shows this same plan.</p>';

export function editTrainingPage(published: PublishedSeries, edit: TrainingEdit, session: Session, preview?: EditPreview, editId?: string): string {
  const id = published.series.id;
  const current = published.trainings.find((t) => t.slug === edit.slug);
  const form = `<form method="post" action="${seriesPath(id, '/trainings/edit')}">${csrfField(session)}${fields(edit, false)}<p><button type="submit">See the re-plan</button> <a href="${seriesPath(id, '/trainings')}">Cancel</a></p></form>`;
  let plan = '';
  if (preview) {
    plan = preview.errors.length
      ? `<section class="card" aria-labelledby="replan"><h2 id="replan">Nothing can change yet</h2><p role="alert"><strong>Nothing was changed.</strong></p><ul class="problems">${preview.errors.map((l) => `<li>${e(l)}</li>`).join('')}</ul></section>`
      : `<section class="card" aria-labelledby="replan"><h2 id="replan">What this changes</h2>${list(preview.plan.lines)}` +
        (preview.plan.warnings.length ? `<h3>Warnings</h3>${list(preview.plan.warnings)}` : '') +
        (preview.canApply && editId
          ? `<form method="post" action="${seriesPath(id, '/trainings/edit/confirm')}">${csrfField(session)}${fields(edit, true)}<input type="hidden" name="edit" value="${e(editId)}"><p><button type="submit">Apply: publish the change</button></p></form>`
          : CANNOT_APPLY) +
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

// ---------------------------------------------------------------------------------------------
// Text

const FIELD_LABEL: Record<TextField, string> = { title: 'Title', body: 'The article (Markdown)', strategies: 'Strategies (Markdown)' };

function problemsAt(field: TextField, problems: readonly FieldProblem[], kind: 'error' | 'warning'): string {
  const mine = problems.filter((p) => p.field === field);
  if (!mine.length) return '';
  return `<ul class="${kind === 'error' ? 'field-problems' : 'muted'}" id="${field}-${kind}s">${mine.map((p) => `<li>${p.line ? `Line ${p.line}: ` : ''}${e(p.message)}</li>`).join('')}</ul>`;
}

function textFields(preview: Pick<TextEditPreview, 'slug' | 'text' | 'errors' | 'warnings'>): string {
  const described = (f: TextField) => {
    const ids = [`${f}-help`, ...(preview.errors.some((p) => p.field === f) ? [`${f}-errors`] : []), ...(preview.warnings.some((p) => p.field === f) ? [`${f}-warnings`] : [])];
    return ` aria-describedby="${ids.join(' ')}"${preview.errors.some((p) => p.field === f) ? ' aria-invalid="true"' : ''}`;
  };
  return (
    `<input type="hidden" name="slug" value="${e(preview.slug)}">` +
    `<label for="text-title">${FIELD_LABEL.title}</label><p class="muted" id="title-help">As subject and heading of the email.</p>` +
    `<input id="text-title" name="title" value="${e(preview.text.title)}" required maxlength="200"${described('title')}>${problemsAt('title', preview.errors, 'error')}${problemsAt('title', preview.warnings, 'warning')}` +
    `<label for="text-body">${FIELD_LABEL.body}</label><p class="muted" id="body-help">Everything above the strategies. Links and images need full https:// addresses.</p>` +
    `<textarea class="source" id="text-body" name="body" rows="16" spellcheck="true"${described('body')}>${e(preview.text.body)}</textarea>${problemsAt('body', preview.errors, 'error')}${problemsAt('body', preview.warnings, 'warning')}` +
    `<label for="text-strategies">${FIELD_LABEL.strategies}</label><p class="muted" id="strategies-help">What goes under “## Strategies”: “### Title” sections each followed by its body, or numbered items that start with a **bold title**. Add {#id} after a title to keep its id (and the replies that name it) when you reword it.</p>` +
    `<textarea class="source" id="text-strategies" name="strategies" rows="12"${described('strategies')}>${e(preview.text.strategies)}</textarea>${problemsAt('strategies', preview.errors, 'error')}${problemsAt('strategies', preview.warnings, 'warning')}`
  );
}

function hiddenText(preview: TextEditPreview): string {
  return (
    `<input type="hidden" name="slug" value="${e(preview.slug)}"><input type="hidden" name="title" value="${e(preview.text.title)}">` +
    `<textarea name="body" hidden aria-hidden="true">${e(preview.text.body)}</textarea><textarea name="strategies" hidden aria-hidden="true">${e(preview.text.strategies)}</textarea>`
  );
}

/** The training's text as the email renders it (the article and strategies; the frame is the template's). */
function emailText(preview: TextEditPreview): string {
  const t = preview.training!;
  const source = { source: `training "${t.slug}"` };
  const strategies = [...t.strategies]
    .sort((a, b) => a.number - b.number)
    .map((s) => `<li><strong>${markdownInlineToEmailHtml(s.title, source)}</strong>${markdownToEmailHtml(s.body, source)}</li>`)
    .join('');
  return `<div class="email-text" data-testid="email-text"><h3>${markdownInlineToEmailHtml(t.title, source)}</h3>${markdownToEmailHtml(t.body, source)}<h4>Strategies</h4><ol>${strategies}</ol></div>`;
}

export function editTextPage(published: PublishedSeries, preview: TextEditPreview, session: Session, editId?: string): string {
  const id = published.series.id;
  const current = published.trainings.find((t) => t.slug === preview.slug);
  const submitted = editId !== undefined || preview.errors.length > 0 || preview.refusals.length > 0;
  const form =
    `<form method="post" action="${seriesPath(id, '/trainings/text')}">${csrfField(session)}${textFields(preview)}` +
    `<p><button type="submit">Preview the email and the re-plan</button> <a href="${seriesPath(id, '/trainings')}">Cancel</a></p></form>`;
  let result = '';
  if (submitted && preview.errors.length) {
    result = `<section class="card" aria-labelledby="replan"><h2 id="replan">Nothing can change yet</h2><p role="alert"><strong>Nothing was changed.</strong> ${preview.errors.length} problem${preview.errors.length === 1 ? '' : 's'}, shown at ${preview.errors.length === 1 ? 'its field' : 'their fields'} above:</p><ul class="problems">${preview.errors.map((p) => `<li>${FIELD_LABEL[p.field]}${p.line ? `, line ${p.line}` : ''}: ${e(p.message)}</li>`).join('')}</ul></section>`;
  } else if (submitted && preview.refusals.length) {
    result = `<section class="card" aria-labelledby="replan"><h2 id="replan">Nothing can change yet</h2><p role="alert"><strong>Nothing was changed.</strong></p><ul class="problems">${preview.refusals.map((l) => `<li>${e(l)}</li>`).join('')}</ul></section>`;
  } else if (submitted && preview.training) {
    result =
      `<section class="card" aria-labelledby="email-preview"><h2 id="email-preview">The email’s text, as it will read</h2>${emailText(preview)}</section>` +
      `<section class="card" aria-labelledby="replan"><h2 id="replan">What this changes</h2>${list(textPlanLines(preview))}` +
      (preview.plan.warnings.length ? `<h3>Warnings</h3>${list(preview.plan.warnings)}` : '') +
      `<p class="muted">After it is published, download the training file from the page that follows and save it as <code>${e(trainingFilePath(preview.training))}</code> in the series folder: <code>baton publish</code> refuses to overwrite a change made here until the folder has it.</p>` +
      (preview.canApply && editId
        ? `<form method="post" action="${seriesPath(id, '/trainings/text/confirm')}">${csrfField(session)}${hiddenText(preview)}<input type="hidden" name="edit" value="${e(editId)}"><p><button type="submit">Apply: publish the new text</button></p></form>`
        : CANNOT_APPLY) +
      '</section>';
  }
  return layout({
    title: `Change the text of “${current?.title ?? preview.slug}”`,
    session,
    series: published,
    tab: 'trainings',
    body: `<section class="card"><p class="muted">The dates, author and links stay as published (change dates from “Change dates or title”). Nothing changes until you confirm.</p>${form}</section>${result}`,
  });
}

// ---------------------------------------------------------------------------------------------
// After confirming

export function editStatusPage(published: PublishedSeries, edit: StudioEdit, session: Session): string {
  const id = published.series.id;
  const busy = edit.state === 'pending' || edit.state === 'applying';
  const download = seriesPath(id, `/trainings/source?training=${encodeURIComponent(edit.slug)}`);
  const body =
    edit.state === 'applied'
      ? `<section class="card"><p role="status"><strong>Published</strong> (version ${edit.version ?? ''}). Whoever holds this training’s calendar entry gets any updated invitation, and its emails go out with the change.</p>${list(edit.plan)}` +
        `<h2>Keep the series folder in step</h2><p>The change lives in Baton now, not in your folder. <a href="${download}" download>Download ${e(trainingFilePath(edit.training))}</a> and save it over the file in the series folder (<code>trainings/</code>). Until the folder has it, <code>baton publish</code> stops and says which training the studio changed, rather than silently putting back the old version.</p>` +
        `<p><a href="${seriesPath(id, '/trainings')}">Back to the trainings</a></p></section>`
      : edit.state === 'failed'
        ? `<section class="card"><p role="alert"><strong>Not applied.</strong> ${e(edit.error ?? '')}</p><p><a href="${seriesPath(id, '/trainings')}">Back to the trainings</a></p></section>`
        : `<section class="card"><p role="status"><strong>Applying…</strong> The emails are being rebuilt and the schedules moved. This page refreshes every few seconds; you can also leave it, the change goes on.</p>${list(edit.plan)}<p><a href="">Refresh now</a></p></section>`;
  return layout({ title: busy ? 'Applying the change' : edit.state === 'applied' ? 'Change published' : 'Change not applied', session, series: published, tab: 'trainings', body }).replace(
    '<meta name="robots" content="noindex">',
    busy ? '<meta name="robots" content="noindex"><meta http-equiv="refresh" content="3">' : '<meta name="robots" content="noindex">',
  );
}
