// One participant's page and the re-send confirmation: server-rendered like the other studio
// pages (studio-pages.ts), plain forms with the session's CSRF token, no script.
import type { Session } from '#app/studio/access';
import type { PersonView } from '#app/studio/person';
import { PREFERENCE_FLAGS, type PreferenceFlag, type PublishedSeries, type StoredParticipant } from '#core/records';
import { escapeHtml } from '#mail/escape';
import { correctForm, csrfField, INTENT_WORDS, layout, personPath, responseBody, seriesPath, statusOf, type Notice } from './studio-pages.ts';

const e = escapeHtml;

const PREFERENCE_WORDS: Record<PreferenceFlag, string> = { reminders: 'Reminders', rollups: 'Weekly roll-ups', checkIns: 'Check-ins', calendar: 'Calendar entries' };

function preferences(p: StoredParticipant): string {
  const rows: Array<[string, string]> = [
    ['Time zone', p.timeZone],
    ['Work starts', p.workStart],
    ...PREFERENCE_FLAGS.map((k): [string, string] => [PREFERENCE_WORDS[k], p.preferences?.[k] === false || (k === 'calendar' && (p.calendarsOffAt || p.calendars === false)) ? 'off' : 'on']),
    ['Format', p.format ?? 'as the series says'],
    ...(p.pausedUntil ? [['Paused until', p.pausedUntil.slice(0, 10)] as [string, string]] : []),
  ];
  return `<table><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${e(k)}</th><td>${e(v)}</td></tr>`).join('')}</tbody></table>`;
}

export function personPage(v: PersonView, session: Session, now: Date, notice?: Notice): string {
  const { published, participant: p } = v;
  const id = published.series.id;
  const titles = new Map(published.trainings.map((t) => [t.slug, t.title]));
  const sent = v.deliveries.length
    ? `<table><thead><tr><th scope="col">Email</th><th scope="col">When (UTC)</th><th scope="col">State</th></tr></thead><tbody>${v.deliveries
        .map((d) => `<tr data-delivery="${e(d.emailId)}"><td>${e(d.what)}</td><td>${e(d.at.slice(0, 16).replace('T', ' '))}</td><td>${d.status === 'sent' ? 'sent' : 'being sent'}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p class="muted">Nothing was sent to them yet.</p>';
  const resend = v.sentTrainings.length
    ? `<ul>${v.sentTrainings.map((slug) => `<li><a href="${e(seriesPath(id, `/resend?${new URLSearchParams({ email: p.email, training: slug })}`))}">Re-send “${e(titles.get(slug) ?? slug)}”</a></li>`).join('')}</ul>`
    : '<p class="muted">No training went to them yet, so there is nothing to re-send.</p>';
  const answered = v.responses.length
    ? `<ul class="feed">${v.responses
        .map((r) => {
          const strategy = published.trainings.find((t) => t.slug === r.trainingSlug)?.strategies.find((s) => s.id === r.strategyId);
          return (
            `<li data-response="${e(r.id)}"><p><strong>${INTENT_WORDS[r.intent] ?? e(r.intent)}</strong>${strategy ? ` #${strategy.number} ${e(strategy.title)}` : ''} <span class="muted">on “${e(titles.get(r.trainingSlug) ?? r.trainingSlug)}”, ${e(r.receivedAt.slice(0, 10))}${r.rating ? ` · rated ${r.rating} of 5` : ''}</span></p>` +
            responseBody(r) +
            correctForm(published, r, session, p.email) +
            '</li>'
          );
        })
        .join('')}</ul>`
    : '<p class="muted">No reads, contributions or check-ins yet.</p>';
  return layout({
    title: p.name,
    session,
    series: published,
    tab: 'participants',
    ...(notice ? { notice } : {}),
    body:
      `<section class="card" aria-labelledby="status"><h2 id="status">Status</h2><p>${e(p.email)} · ${e(statusOf(p, now))}</p>${preferences(p)}</section>` +
      `<section class="card" aria-labelledby="answered"><h2 id="answered">Read, contributed, adopted (${v.responses.length})</h2>${answered}</section>` +
      `<section class="card" aria-labelledby="sent"><h2 id="sent">Sent to them (${v.deliveries.length})</h2>${sent}</section>` +
      `<section class="card" aria-labelledby="resend"><h2 id="resend">Re-send a training</h2>${resend}</section>` +
      `<p><a href="${seriesPath(id, `/unenrol?email=${encodeURIComponent(p.email)}`)}">Unenrol ${e(p.name)}</a></p>`,
  });
}

export function resendConfirmPage(published: PublishedSeries, p: StoredParticipant, slug: string, nonce: string, session: Session): string {
  const id = published.series.id;
  const title = published.trainings.find((t) => t.slug === slug)?.title ?? slug;
  return layout({
    title: `Re-send “${title}” to ${p.name}?`,
    session,
    series: published,
    tab: 'participants',
    body:
      `<section class="card"><p>${e(p.name)} (${e(p.email)}) gets “${e(title)}” again, as it went out the first time: the same reply address, and the calendar entry as it stands now. One email per press of this button.</p>` +
      `<form method="post" action="${seriesPath(id, '/resend')}">${csrfField(session)}<input type="hidden" name="email" value="${e(p.email)}"><input type="hidden" name="training" value="${e(slug)}"><input type="hidden" name="nonce" value="${e(nonce)}">` +
      `<button type="submit">Re-send to ${e(p.name)}</button> <a href="${personPath(id, p.email)}">Cancel</a></form></section>`,
  });
}
