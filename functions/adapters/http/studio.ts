// The trainer studio's HTTP routing, shared by the local links server (adapters/local/studio-server.ts)
// and the Lambda function URL (handlers/studio.ts): a plain request in, a plain response out.
//
//   GET  /studio                          sign-in form, or the series you run
//   POST /studio/signin                   email → a sign-in link (rate limited)
//   GET  /studio/signin/<token>           one button; POST uses the link once and sets the cookie
//   POST /studio/signout
//   GET  /studio/s/<id>                   overview             POST …/nudge
//   GET  /studio/s/<id>/contributions[?older=]                 POST …/tag, …/correct, …/resubscribe
//   GET  /studio/s/<id>/participants[?after=|?q=]              POST …/enrol, …/enrol/confirm, …/unenrol
//   GET  /studio/s/<id>/unenrol?email=    confirmation
//   GET  /studio/s/<id>/person?email=     one person's activity (correct → back here)
//   GET  /studio/s/<id>/resend?email=&training=  confirmation      POST …/resend
//   GET  /studio/s/<id>/trainings         preview form         POST …/test-email
//   GET  /studio/s/<id>/trainings/frame   the email itself, sandboxed
//   GET  /studio/s/<id>/trainings/edit?training=  dates/title form   POST …/trainings/edit (re-plan), …/edit/confirm
//   GET  /studio/s/<id>/trainings/text?training=  text form          POST …/trainings/text (preview), …/text/confirm
//   GET  /studio/s/<id>/trainings/edit/status?edit=  applying… / published / not applied
//   GET  /studio/s/<id>/trainings/source?training=   the training file as published, a download
//   GET  /studio/s/<id>/export            the wiki as a .tar download
//
// Every series route needs a session (cookie), every POST the session's CSRF token, and every
// series the trainer's name in its trainers list (access.ts seriesOf): otherwise 404, the same as
// a series that does not exist. POSTs answer with a 303 to a page (a reload repeats nothing).
import { csrfValid, openSession, seriesOf, seriesRunBy, type Session, type StudioDeps } from '#app/studio/access';
import { isFeedCursor, loadContributions } from '#app/studio/contributions';
import { fixRecord, parseChoice, type FixRequest } from '#app/studio/fix-record';
import { sendNudge } from '#app/studio/nudge';
import { loadOverview } from '#app/studio/overview';
import { isPeopleCursor, loadParticipants } from '#app/studio/participants';
import { checkSignIn, completeSignIn, requestSignIn } from '#app/studio/sign-in';
import type { EditOutcome, TrainingEdit } from '#app/studio/edit-training';
import type { TrainingText } from '#core/training-source';
import { loadPerson } from '#app/studio/person';
import { newResendNonce, RESENDS_PER_PERSON_PER_DAY, type ResendOutcome } from '#app/studio/resend-keys';
import { UserError } from '#core/user-error';
import type { PublishedSeries } from '#core/records';
import {
  checkEmailPage,
  contributionsPage,
  EMAIL_CSP,
  enrolPreviewPage,
  messagePage,
  overviewPage,
  PAGE_CSP,
  participantsPage,
  seriesListPage,
  personPath,
  seriesPath,
  signInConfirmPage,
  signInPage,
  signInProblemPage,
  STUDIO_BASE,
  trainingsPage,
  unenrolConfirmPage,
  type Notice,
} from '#web/studio-pages';
import { personPage, resendConfirmPage } from '#web/studio-person';
import { tarArchive } from '#web/tar';

// Loaded by the routes that use them, not at every cold start (issue 16): reading a composed email
// back (mailparser and its charset tables, ~1 MB) for the previews; editing a training (the series
// parser: yaml, marked) and its pages; composing a preview, a test email, a re-send or
// a removal's cancellation (the mail room with its calendars); an enrolment (the CSV rules and the
// schedules it plans). The Lambda bundle splits each into
// chunks of its own (bundleOptions in infra/bundling.ts), which only these routes load. esbuild
// cuts chunks per file, so a page must not import even a constant from these modules: the whole
// file, with all the lazy paths use of it, would load at every start (docs/architecture-notes.md).
const mailparser = () => import('mailparser');
const editing = () => import('#app/studio/edit-training');
const trainingViews = () => import('#app/studio/trainings');
const resending = () => import('#app/studio/resend');
const unenrolling = () => import('#app/unenroll');
const enrolling = () => import('#app/studio/enrol');
const editPages = () => import('#web/studio-edit');
const trainingSource = () => import('#core/training-source');

export { STUDIO_BASE };

export interface StudioRequest {
  method: string;
  /** The path without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: Record<string, string | undefined>;
  /** The raw body (form-urlencoded or multipart). */
  body: Buffer;
  /** The client's address, for the sign-in rate limit. */
  ip: string;
}

export interface StudioResponse {
  status: number;
  headers: Record<string, string>;
  /** Set-Cookie values (function URLs take them as `cookies`, Node as repeated headers). */
  cookies: string[];
  body: string | Buffer;
}

/** A CSV upload bigger than this is refused before parsing (20,000 rows of a typical CSV fit). */
export const MAX_CSV_BYTES = 2 * 1024 * 1024;

/** The largest request body read: a CSV upload with its multipart wrapping. */
export const MAX_STUDIO_BODY = MAX_CSV_BYTES + 64 * 1024;

const COOKIE = 'baton_studio';
// On https the cookie takes the __Host- prefix: the browser then refuses it without Secure, with a
// Domain, or on another path, so no sibling host can plant or read it.
const cookieName = (secure: boolean) => (secure ? `__Host-${COOKIE}` : COOKIE);

function cookieOf(req: StudioRequest, secure: boolean): string | undefined {
  const header = req.headers.cookie ?? '';
  const name = cookieName(secure);
  for (const part of header.split(/;\s*/)) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq) === name) return part.slice(eq + 1);
  }
  return undefined;
}

function setCookie(value: string, maxAge: number, secure: boolean): string {
  return `${cookieName(secure)}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}${secure ? '; Secure' : ''}`;
}

const BASE_HEADERS = {
  'content-security-policy': PAGE_CSP,
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex',
} as const;

const html = (status: number, body: string, cookies: string[] = []): StudioResponse => ({ status, headers: { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8' }, cookies, body });
const redirect = (location: string, cookies: string[] = []): StudioResponse => ({ status: 303, headers: { ...BASE_HEADERS, location }, cookies, body: '' });

// What a redirect's ?done= shows: fixed texts, so a crafted URL cannot put words on the page.
const NOTICES: Record<string, Notice> = {
  tagged: { text: 'Recorded. Roll-ups, digests and the funnel use it from now on.' },
  corrected: { text: 'Corrected. The earlier reading no longer shows anywhere.' },
  withdrawn: { text: 'Withdrawn. It no longer shows in roll-ups, digests or the wiki.' },
  resubscribed: { text: 'Resubscribed: they get the series’ emails again.' },
  nudged: { text: 'Nudge sent.' },
  'nudge-already': { text: 'That person was nudged already: a nudge goes once.' },
  'nudge-none': { text: 'No nudge sent: they are no longer active, or no training went to them yet.', error: true },
  unenrolled: { text: 'Unenrolled: their calendar entries are cancelled and no more mail goes to them.' },
  'test-sent': { text: 'Test email sent to you.' },
  'test-none': { text: 'Nothing to send: that email has no template stored. Publish the series again.', error: true },
  'signed-out': { text: 'Signed out.' },
  resent: { text: 'Re-sent. It is listed below under “Sent to them”.' },
  'resent-already': { text: 'That confirmation was used already: the training went once. To send it again, open the re-send page again.' },
};

const RESEND_REFUSALS: Partial<Record<ResendOutcome, [number, string]>> = {
  'bad-confirmation': [400, 'The confirmation was missing or malformed. Open the re-send page again.'],
  'no-such-training': [404, 'This series has no such training.'],
  'not-enrolled': [404, 'That address is not a participant of this series.'],
  'never-sent': [409, 'That training has not gone to them yet: it goes out on its day, so there is nothing to re-send.'],
  inactive: [409, 'They get no mail from this series now (unsubscribed, bounced or paused): nothing was sent.'],
  limit: [429, `They were sent ${RESENDS_PER_PERSON_PER_DAY} re-sends today already, the most a day allows: nothing was sent. Try again tomorrow.`],
  failed: [502, 'The email could not be sent. Try again in a minute.'],
};

function noticeOf(req: StudioRequest): Notice | undefined {
  const done = req.query.get('done') ?? '';
  const enrolled = /^enrolled-(\d+)-(\d+)$/.exec(done);
  if (enrolled) return { text: `Enrolled ${enrolled[1]} people, ${enrolled[2]} of them new: they get the kickoff now, and any training whose window is open.` };
  return NOTICES[done];
}

async function formOf(req: StudioRequest): Promise<{ get(name: string): string | undefined; file(name: string): Promise<{ name: string; text: string } | undefined> }> {
  const type = req.headers['content-type'] ?? '';
  if (type.startsWith('multipart/form-data')) {
    // undici's Request parses multipart: no parser of our own for one file field.
    const data = await new Request('http://studio.invalid/', { method: 'POST', headers: { 'content-type': type }, body: req.body }).formData();
    return {
      get: (name) => {
        const v = data.get(name);
        return typeof v === 'string' ? v : undefined;
      },
      file: async (name) => {
        const v = data.get(name);
        return v && typeof v !== 'string' ? { name: v.name || 'upload.csv', text: await v.text() } : undefined;
      },
    };
  }
  const params = new URLSearchParams(req.body.toString('utf8'));
  return { get: (name) => params.get(name) ?? undefined, file: async () => undefined };
}

export type StudioDepsFactory = () => Promise<StudioDeps>;

export async function handleStudio(req: StudioRequest, makeDeps: StudioDepsFactory): Promise<StudioResponse> {
  const deps = await makeDeps();
  const secure = deps.settings.studioUrl.startsWith('https:');
  const method = req.method.toUpperCase();
  const path = req.path.replace(/\/+$/, '') || '/';
  const session = openSession(cookieOf(req, secure), deps);
  if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') return { ...html(405, messagePage('Not allowed', 'Use GET or POST.')), headers: { ...BASE_HEADERS, 'content-type': 'text/html; charset=utf-8', allow: 'GET, HEAD, POST' } };
  const post = method === 'POST';

  if (path === STUDIO_BASE) {
    if (!session) return html(200, signInPage(noticeOf(req) ? { notice: noticeOf(req)! } : {}));
    const notice = noticeOf(req);
    return html(200, seriesListPage(session, await seriesRunBy(session.email, deps), notice));
  }

  if (path === `${STUDIO_BASE}/signin` && post) {
    const form = await formOf(req);
    const email = (form.get('email') ?? '').trim();
    const outcome = await requestSignIn({ email, ip: req.ip }, deps);
    if (outcome.kind === 'invalid') return html(400, signInPage({ notice: { text: outcome.message, error: true }, email }));
    if (outcome.kind === 'rate-limited') return html(429, signInPage({ notice: { text: 'Too many sign-in requests for this address or from this network. Wait 15 minutes, then ask again.', error: true }, email }));
    return html(200, checkEmailPage(email.toLowerCase()));
  }

  const signIn = new RegExp(`^${STUDIO_BASE}/signin/([A-Za-z0-9_.-]+)$`).exec(path);
  if (signIn) {
    const token = signIn[1]!;
    if (!post) {
      const checked = checkSignIn(token, deps);
      return checked.kind === 'ready' ? html(200, signInConfirmPage(token, checked.email)) : html(checked.kind === 'expired' ? 410 : 400, signInProblemPage(checked.kind === 'expired' ? 'expired' : 'invalid'));
    }
    const outcome = await completeSignIn(token, deps);
    if (outcome.kind === 'signed-in') return redirect(STUDIO_BASE, [setCookie(outcome.session, outcome.maxAgeSeconds, secure)]);
    return html(outcome.kind === 'expired' ? 410 : outcome.kind === 'used' ? 409 : 400, signInProblemPage(outcome.kind));
  }

  if (path === `${STUDIO_BASE}/signout` && post) {
    const form = await formOf(req);
    if (!session || !csrfValid(session, form.get('csrf'), deps)) return html(403, messagePage('Not signed out', 'The form was stale or came from another page. Reload the studio and try again.'));
    return redirect(`${STUDIO_BASE}?done=signed-out`, [setCookie('', 0, secure)]);
  }

  const m = new RegExp(`^${STUDIO_BASE}/s/([^/]+)(/.*)?$`).exec(path);
  if (!m) return html(404, messagePage('There is no page here', 'Check the address, or start from the studio.', session));
  if (!session) return post ? html(401, signInPage({ notice: { text: 'Sign in first: your session has ended.', error: true } })) : html(401, signInPage({ notice: { text: 'Sign in to see this page.' } }));
  let seriesId: string;
  try {
    seriesId = decodeURIComponent(m[1]!);
  } catch {
    seriesId = '';
  }
  const sub = m[2] ?? '';
  const form = post ? await formOf(req) : undefined;
  // CSRF before anything else, even before saying whether the series exists.
  if (form && !csrfValid(session, form.get('csrf'), deps)) return html(403, messagePage('Nothing was changed', 'The form was stale or came from another page (its security token did not match). Reload the page and try again.', session));
  const published = await seriesOf(session, seriesId, deps);
  if (!published) return html(404, messagePage('No such series', 'There is no series here that lists you as a trainer.', session));
  return form ? seriesPost(published, sub, form, session, deps) : seriesGet(published, sub, req, session, deps);
}

async function seriesGet(published: PublishedSeries, sub: string, req: StudioRequest, session: Session, deps: StudioDeps): Promise<StudioResponse> {
  const notice = noticeOf(req);
  const id = published.series.id;
  switch (sub) {
    case '':
      const overview = await loadOverview(published, deps);
      return html(200, overviewPage(overview, session, notice));
    case '/contributions': {
      const older = req.query.get('older') ?? '';
      if (older && !isFeedCursor(older)) return html(400, messagePage('No such page', 'That link to older contributions is not one this studio made (its "older" part is not a time and a record id). Open the contributions page and page back from there.', session));
      return html(200, contributionsPage(await loadContributions(published, deps, { older }), session, notice));
    }
    case '/participants': {
      const after = req.query.get('after') ?? '';
      if (after && !isPeopleCursor(after)) return html(400, messagePage('No such page', 'That link to more participants is not one this studio made (its "after" part is not a name and an address). Open the participants page and page on from there.', session));
      return html(200, participantsPage(await loadParticipants(published, deps, { after, search: req.query.get('q') ?? '' }), session, deps.now, notice));
    }
    case '/unenrol': {
      const p = await deps.store.getParticipant(id, req.query.get('email') ?? '');
      return p ? html(200, unenrolConfirmPage(published, p, session)) : html(404, messagePage('Not enrolled', 'That address is not a participant of this series.', session));
    }
    case '/person': {
      const view = await loadPerson(published, req.query.get('email') ?? '', deps);
      return view ? html(200, personPage(view, session, deps.now, notice)) : html(404, messagePage('Not enrolled', 'That address is not a participant of this series.', session));
    }
    case '/resend': {
      const p = await deps.store.getParticipant(id, req.query.get('email') ?? '');
      const slug = req.query.get('training') ?? '';
      if (!p) return html(404, messagePage('Not enrolled', 'That address is not a participant of this series.', session));
      if (!published.trainings.some((t) => t.slug === slug)) return html(404, messagePage('No such training', 'This series has no such training.', session));
      return html(200, resendConfirmPage(published, p, slug, newResendNonce(deps), session));
    }
    case '/trainings': {
      const which = req.query.get('which') ?? 'kickoff';
      const width = req.query.get('width') === '375' ? 375 : 600;
      const as = req.query.get('as') || undefined;
      const preview = await (await trainingViews()).previewAs(published, which, as, deps);
      const frame = preview ? seriesPath(id, `/trainings/frame?${new URLSearchParams({ which, as: preview.as.email })}`) : undefined;
      const decoded = preview ? (await (await mailparser()).simpleParser(preview.mail.raw)).subject : undefined;
      const person = preview ? await deps.store.getParticipant(id, preview.as.email) : undefined;
      return html(
        200,
        trainingsPage(published, { which, width, ...(person ? { as: person } : {}), ...(frame ? { frame } : {}), ...(decoded ? { subject: decoded } : {}) }, session, as && !preview ? { text: `${as} is not a participant of this series, or that email has no template stored.`, error: true } : notice),
      );
    }
    case '/trainings/edit': {
      const t = published.trainings.find((x) => x.slug === req.query.get('training'));
      if (!t) return html(404, messagePage('No such training', 'This series has no such training.', session));
      const { editTrainingPage } = await editPages();
      return html(200, editTrainingPage(published, { slug: t.slug, opens: t.opens, closes: t.closes, title: t.title }, session));
    }
    case '/trainings/text': {
      const t = published.trainings.find((x) => x.slug === req.query.get('training'));
      if (!t) return html(404, messagePage('No such training', 'This series has no such training.', session));
      const [{ previewTextEdit }, { trainingText }, { editTextPage }] = await Promise.all([editing(), trainingSource(), editPages()]);
      const preview = (await previewTextEdit(published, t.slug, trainingText(t), deps))!;
      return html(200, editTextPage(published, preview, session));
    }
    case '/trainings/edit/status': {
      const [{ editStatus }, { editStatusPage }] = await Promise.all([editing(), editPages()]);
      const edit = await editStatus(published, req.query.get('edit') ?? '', deps);
      return edit ? html(200, editStatusPage(published, edit, session)) : html(404, messagePage('No such change', 'This series has no change with that id.', session));
    }
    case '/trainings/source': {
      const t = published.trainings.find((x) => x.slug === req.query.get('training'));
      if (!t) return html(404, messagePage('No such training', 'This series has no such training.', session));
      const { trainingFile, trainingFilePath } = await trainingSource();
      const name = trainingFilePath(t).slice('trainings/'.length);
      return { status: 200, headers: { ...BASE_HEADERS, 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': `attachment; filename="${name}"` }, cookies: [], body: trainingFile(t) };
    }
    case '/trainings/frame': {
      const preview = await (await trainingViews()).previewAs(published, req.query.get('which') ?? 'kickoff', req.query.get('as') ?? undefined, deps);
      if (!preview) return html(404, messagePage('Nothing to preview', 'No such email or participant.'));
      const parsed = await (await mailparser()).simpleParser(preview.mail.raw);
      return { status: 200, headers: { ...BASE_HEADERS, 'content-security-policy': EMAIL_CSP, 'x-frame-options': 'SAMEORIGIN', 'content-type': 'text/html; charset=utf-8' }, cookies: [], body: typeof parsed.html === 'string' ? parsed.html : `<pre>${parsed.text ?? ''}</pre>` };
    }
    case '/export': {
      const wiki = await (await trainingViews()).wikiExport(published, deps);
      return {
        status: 200,
        headers: { ...BASE_HEADERS, 'content-type': 'application/x-tar', 'content-disposition': `attachment; filename="${wiki.fileName}"` },
        cookies: [],
        body: tarArchive(wiki.files, deps.now),
      };
    }
    default:
      return html(404, messagePage('There is no page here', 'Check the address, or start from the series overview.', session));
  }
}

type Form = Awaited<ReturnType<typeof formOf>>;

/** After a confirmation: the edit's own page, which says applying… until the publisher is done. */
function editStarted(seriesId: string, outcome: EditOutcome): StudioResponse {
  if (outcome.kind !== 'started') return html(400, messagePage('Nothing was changed', 'The confirmation was missing or malformed. Open the training and make the change again.'));
  return redirect(seriesPath(seriesId, `/trainings/edit/status?edit=${encodeURIComponent(outcome.id)}`));
}

async function seriesPost(published: PublishedSeries, sub: string, form: Form, session: Session, deps: StudioDeps): Promise<StudioResponse> {
  const id = published.series.id;
  const back = (rest: string, done: string) => redirect(seriesPath(id, `${rest}?done=${done}`));
  const failed = (status: number, text: string) => html(status, messagePage('Nothing was changed', text, session));
  switch (sub) {
    case '/nudge': {
      const outcome = await sendNudge(published, form.get('email') ?? '', session, deps);
      return back('', outcome === 'sent' ? 'nudged' : outcome === 'already-sent' ? 'nudge-already' : 'nudge-none');
    }
    case '/tag':
    case '/correct': {
      const raw = form.get('choice');
      const withdraw = sub === '/correct' && raw === 'withdraw';
      const choice = withdraw ? undefined : parseChoice(raw);
      if (!withdraw && !choice) return failed(400, `“${raw ?? ''}” is not something a reply can be recorded as.`);
      const request: FixRequest = {
        action: sub === '/tag' ? 'tag' : withdraw ? 'withdraw' : 'correct',
        id: form.get('id') ?? '',
        ...(choice ? { choice: choice.choice, ...(choice.number !== undefined ? { number: choice.number } : {}) } : {}),
      };
      const outcome = await fixRecord(published, request, deps);
      if (!outcome.ok) return failed(outcome.status, outcome.message);
      const done = sub === '/tag' ? 'tagged' : withdraw ? 'withdrawn' : 'corrected';
      // From a person's page: back to it (the address only shapes a URL of this same series).
      const person = form.get('person');
      return person ? redirect(`${personPath(id, person)}&done=${done}`) : back('/contributions', done);
    }
    case '/resend': {
      const email = form.get('email') ?? '';
      const outcome = await (await resending()).resendTraining(published, { email, slug: form.get('training') ?? '', nonce: form.get('nonce') ?? '' }, deps);
      if (outcome === 'sent' || outcome === 'already-sent') return redirect(`${personPath(id, email)}&done=${outcome === 'sent' ? 'resent' : 'resent-already'}`);
      const [status, text] = RESEND_REFUSALS[outcome]!;
      return failed(status, text);
    }
    case '/resubscribe': {
      const outcome = await fixRecord(published, { action: 'resubscribe', email: form.get('email') ?? '' }, deps);
      return outcome.ok ? back('/contributions', 'resubscribed') : failed(outcome.status, outcome.message);
    }
    case '/enrol': {
      const file = await form.file('csv');
      if (!file) return failed(400, 'Choose a CSV file to upload.');
      const { previewEnrolment } = await enrolling();
      const preview = await previewEnrolment(published, file.name, file.text, deps);
      return html(preview.errors.length ? 422 : 200, enrolPreviewPage(published, preview, file.text, session));
    }
    case '/enrol/confirm': {
      const { enrol } = await enrolling();
      const outcome = await enrol(published, form.get('file') ?? 'upload.csv', form.get('csv') ?? '', deps);
      if (outcome.kind === 'has-errors') return html(422, enrolPreviewPage(published, outcome.preview, form.get('csv') ?? '', session));
      return back('/participants', `enrolled-${outcome.total}-${outcome.added}`);
    }
    case '/unenrol': {
      try {
        const { unenrollParticipants } = await unenrolling();
        await unenrollParticipants(deps.store, id, [form.get('email') ?? ''], deps.now, deps.remote ? { remote: deps.remote } : {});
      } catch (err) {
        if (err instanceof UserError) return failed(400, err.message);
        throw err;
      }
      return back('/participants', 'unenrolled');
    }
    case '/trainings/edit':
    case '/trainings/edit/confirm': {
      const edit: TrainingEdit = { slug: form.get('slug') ?? '', opens: form.get('opens') ?? '', closes: form.get('closes') ?? '', title: form.get('title') ?? '' };
      if (!published.trainings.some((t) => t.slug === edit.slug)) return failed(404, 'This series has no such training.');
      const [{ applyTrainingEdit, newEditId, previewTrainingEdit }, { editTrainingPage }] = await Promise.all([editing(), editPages()]);
      if (sub === '/trainings/edit') {
        const preview = await previewTrainingEdit(published, edit, deps);
        return html(preview.errors.length ? 422 : 200, editTrainingPage(published, edit, session, preview, newEditId(deps)));
      }
      const outcome = await applyTrainingEdit(published, edit, form.get('edit') ?? '', session, deps);
      if (outcome.kind === 'refused' || outcome.kind === 'no-publisher') return html(outcome.kind === 'refused' ? 422 : 409, editTrainingPage(published, edit, session, outcome.preview));
      return editStarted(id, outcome);
    }
    case '/trainings/text':
    case '/trainings/text/confirm': {
      const slug = form.get('slug') ?? '';
      const text: TrainingText = { title: form.get('title') ?? '', body: form.get('body') ?? '', strategies: form.get('strategies') ?? '' };
      const [{ applyTextEdit, newEditId, previewTextEdit }, { editTextPage }] = await Promise.all([editing(), editPages()]);
      if (sub === '/trainings/text') {
        const preview = await previewTextEdit(published, slug, text, deps);
        if (!preview) return failed(404, 'This series has no such training.');
        const ok = !preview.errors.length && !preview.refusals.length;
        return html(ok ? 200 : 422, editTextPage(published, preview, session, ok ? newEditId(deps) : undefined));
      }
      const outcome = await applyTextEdit(published, slug, text, form.get('edit') ?? '', session, deps);
      if (!outcome) return failed(404, 'This series has no such training.');
      if (outcome.kind === 'refused-text') return html(outcome.preview.canApply ? 422 : 409, editTextPage(published, outcome.preview, session));
      return editStarted(id, outcome);
    }
    case '/test-email': {
      const sent = await (await trainingViews()).sendTestEmail(published, form.get('which') ?? 'kickoff', session, deps);
      return redirect(seriesPath(id, `/trainings?${new URLSearchParams({ which: form.get('which') ?? 'kickoff', done: sent ? 'test-sent' : 'test-none' })}`));
    }
    default:
      return failed(404, 'There is no such action.');
  }
}
