// Signing in to the studio by email.
//
// Primary course:
//   1. a trainer enters their address; requests are counted per address and per client IP in
//      15-minute windows (Quotas: one conditional update each), and past the limit nothing is sent;
//   2. only an address that runs a published series gets mail; every address gets the same answer,
//      so the form does not tell who is a trainer;
//   3. the mail carries a signed link (15 minutes) whose nonce is stored now;
//   4. the link's GET shows one button (mail scanners open links), its POST consumes the nonce with
//      one conditional write — a second use, an expired or altered link sign nobody in — and
//      starts a signed session (the router puts it in an HttpOnly, SameSite=Lax cookie).
import { EmailSchema } from '#core/model';
import { SESSION_HOURS, SIGN_IN_MINUTES, signSession, signSignInToken, verifySignInToken } from '#core/studio-tokens';
import { signInMail, studioSender } from '#mail/studio-mail';
import { seriesRunBy, type StudioDeps } from './access.ts';

/** Sign-in requests allowed per address and per IP in each 15-minute window. */
export const SIGN_IN_LIMITS = { perAddress: 3, perIp: 20 } as const;
const WINDOW_MS = SIGN_IN_MINUTES * 60_000;

export type SignInRequestOutcome =
  | { kind: 'invalid'; message: string }
  | { kind: 'rate-limited' }
  /** Mail went out, or the address runs no series: the page says the same for both. */
  | { kind: 'accepted'; sent: boolean };

export const signInPath = (token: string) => `/signin/${token}`;

export async function requestSignIn(input: { email: string; ip: string }, deps: StudioDeps): Promise<SignInRequestOutcome> {
  const parsed = EmailSchema.safeParse(input.email);
  if (!parsed.success) return { kind: 'invalid', message: `“${input.email.slice(0, 200)}” is not an email address: write it as name@example.com.` };
  const email = parsed.data;
  const nonce = deps.newId();
  const window = Math.floor(deps.now.getTime() / WINDOW_MS);
  const quota = { at: deps.now, ttlDays: 1 };
  const byAddress = await deps.store.takeQuota(`studio-signin#email#${email}#${window}`, nonce, { ...quota, limit: SIGN_IN_LIMITS.perAddress });
  const byIp = byAddress && (await deps.store.takeQuota(`studio-signin#ip#${input.ip}#${window}`, nonce, { ...quota, limit: SIGN_IN_LIMITS.perIp }));
  if (!byAddress || !byIp) return { kind: 'rate-limited' };

  const series = await seriesRunBy(email, deps);
  if (series.length === 0) return { kind: 'accepted', sent: false };
  const { token, expiresAt } = signSignInToken({ email, nonce, now: deps.now }, deps.secrets);
  await deps.store.putSignInNonce(nonce, { email, expiresAt });
  const { mail } = deps.settings;
  await deps.mailer({
    from: studioSender(mail.senderAddress, 'Baton studio').envelope,
    to: email,
    raw: signInMail({
      from: mail.senderAddress,
      to: email,
      domain: mail.domain,
      now: deps.now,
      id: nonce,
      link: `${deps.settings.studioUrl}${signInPath(token)}`,
      minutes: SIGN_IN_MINUTES,
      seriesTitles: series.map((s) => s.series.title),
    }),
  });
  return { kind: 'accepted', sent: true };
}

export type SignInOutcome =
  | { kind: 'signed-in'; email: string; session: string; maxAgeSeconds: number }
  | { kind: 'invalid' }
  | { kind: 'expired' }
  | { kind: 'used' };

/** Checks a sign-in link without using it (the GET: its page shows the button). */
export function checkSignIn(token: string, deps: Pick<StudioDeps, 'secrets' | 'now'>): SignInOutcome | { kind: 'ready'; email: string } {
  const claims = verifySignInToken(token, deps.secrets, deps.now);
  if ('error' in claims) return { kind: claims.error === 'expired' ? 'expired' : 'invalid' };
  return { kind: 'ready', email: claims.email };
}

/** Uses a sign-in link (the POST): consumes its nonce once and starts a session. */
export async function completeSignIn(token: string, deps: StudioDeps): Promise<SignInOutcome> {
  const claims = verifySignInToken(token, deps.secrets, deps.now);
  if ('error' in claims) return { kind: claims.error === 'expired' ? 'expired' : 'invalid' };
  if (!(await deps.store.consumeSignInNonce(claims.nonce, { email: claims.email, at: deps.now }))) return { kind: 'used' };
  const session = signSession({ email: claims.email, sessionId: deps.newId(), now: deps.now }, deps.secrets);
  return { kind: 'signed-in', email: claims.email, session: session.token, maxAgeSeconds: SESSION_HOURS * 3600 };
}
