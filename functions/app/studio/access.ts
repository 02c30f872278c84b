// Who is signed in to the studio, and which series they may see. The one rule: a trainer sees and
// changes only a series whose published `trainers` list names their address. Every request for a
// series goes through `seriesOf`, which reads the series itself (not the trainer index, which is
// eventually consistent and only a hint) and answers undefined for a series that does not exist and
// for one the trainer does not run alike, so a forged id in a URL learns nothing.
import type { PublishedSeries } from '#core/records';
import { csrfMatches, csrfToken, verifySession, type SessionClaims } from '#core/studio-tokens';
import type { Secrets } from '#core/tokens';
import type { MailSettings } from '#mail/compose';
import type { Mailer, Schedules, StudioStore } from '../ports.ts';

/** Starts applying a stored studio edit (StudioEdit, state pending). */
export interface EditPublisher {
  start(seriesId: string, editId: string): Promise<void>;
}

export interface StudioSettings {
  /** The studio's own address, e.g. https://studio.example.com/studio (locally http://localhost:8787/studio). */
  studioUrl: string;
  /** What the studio's emails need: sender, domains, links base, secrets. */
  mail: MailSettings;
}

export interface StudioDeps {
  store: StudioStore;
  secrets: Secrets;
  mailer: Mailer;
  now: Date;
  /** Random ids (nonces, session ids): crypto-strong, handed in so the app stays testable. */
  newId: () => string;
  settings: StudioSettings;
  /** EventBridge Scheduler on AWS; locally the store's schedule records are all there is. */
  remote?: Schedules;
  /**
   * Applies a confirmed training edit (apply-edit.ts) with a publish, which compiles the emails
   * with mjml: locally at once, on AWS by invoking the publish function (the one bundle that may
   * hold mjml). Without one the studio shows the re-plan and applies nothing.
   */
  publisher?: EditPublisher;
}

export interface Session extends SessionClaims {
  /** The CSRF token every form of this session carries. */
  csrf: string;
}

/** The session in the cookie, or undefined when there is none, it was altered, or it expired. */
export function openSession(cookie: string | undefined, deps: Pick<StudioDeps, 'secrets' | 'now'>): Session | undefined {
  if (!cookie) return undefined;
  const claims = verifySession(cookie, deps.secrets, deps.now);
  if ('error' in claims) return undefined;
  return { ...claims, csrf: csrfToken(claims.sessionId, deps.secrets) };
}

export function csrfValid(session: Session, given: string | undefined, deps: Pick<StudioDeps, 'secrets'>): boolean {
  return csrfMatches(session.sessionId, given, deps.secrets);
}

export function runs(series: PublishedSeries, email: string): boolean {
  const me = email.toLowerCase();
  return series.series.trainers.some((t) => t.email.toLowerCase() === me);
}

/** The series if this session's trainer runs it; undefined otherwise (and when there is none). */
export async function seriesOf(session: Session, seriesId: string, deps: Pick<StudioDeps, 'store'>): Promise<PublishedSeries | undefined> {
  if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(seriesId)) return undefined;
  const published = await deps.store.getSeries(seriesId);
  return published && runs(published, session.email) ? published : undefined;
}

/** Every series this address runs, checked against each series itself. */
export async function seriesRunBy(email: string, deps: Pick<StudioDeps, 'store'>): Promise<PublishedSeries[]> {
  const ids = await deps.store.listSeriesOfTrainer(email);
  const found = await Promise.all(ids.map((id) => deps.store.getSeries(id)));
  return found.filter((s): s is PublishedSeries => s !== undefined && runs(s, email)).sort((a, b) => a.series.title.localeCompare(b.series.title));
}
