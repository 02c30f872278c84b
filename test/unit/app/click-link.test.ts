// The one-click decisions, every action and every error, against a plain in-memory store:
// what is recorded (and only on POST), which page and status come back, and that nothing
// changes for tampered, expired or orphaned links.
import { beforeEach, describe, expect, it } from 'vitest';
import type { NeedsLook, PreferenceFlag, PublishedSeries, StoredParticipant } from '#core/records';
import { handleLink, isKudos, linkResponseId, tokenFromPath, type LinkStore } from '#app/click-link';
import type { Response } from '#core/model';
import { SECURITY_HEADERS } from '#mail/pages';
import { participantKey, responseKey } from '#core/short-key';
import { linkTokenId, signLinkToken, type LinkTokenPayload } from '#core/tokens';
import { sampleParticipants, sampleSeries, sampleTrainings } from '#emails/sample';

const SECRET = 'unit-test-secret-for-links-0123456789';
const NOW = new Date('2027-02-01T10:00:00Z');
const LATER = new Date('2027-02-02T09:00:00Z');
const EXPIRES = new Date('2028-06-30T00:00:00Z');
const SERIES = sampleSeries.id;
const aisyah = sampleParticipants[0]!;
const dave = sampleParticipants[1]!;
const training = sampleTrainings[0]!;

class MemoryStore implements LinkStore {
  series = new Map<string, PublishedSeries>();
  participants = new Map<string, StoredParticipant>();
  responses = new Map<string, Response>();
  writes = 0;

  async getSeries(id: string) {
    return this.series.get(id);
  }
  async getParticipant(seriesId: string, email: string) {
    return this.participants.get(`${seriesId}|${email}`);
  }
  async findResponseByKey(seriesId: string, key: string) {
    return [...this.responses.values()].find((r) => r.seriesId === seriesId && responseKey(seriesId, r.id) === key);
  }
  async putResponse(response: Response) {
    this.writes++;
    const k = `${response.seriesId}|${response.id}`;
    if (this.responses.has(k)) return { stored: false };
    this.responses.set(k, structuredClone(response));
    return { stored: true };
  }
  async setUnsubscribed(seriesId: string, email: string, at: Date | string | null) {
    this.writes++;
    const p = this.participants.get(`${seriesId}|${email}`);
    if (!p) return undefined;
    const next = { ...p };
    if (at === null) delete next.unsubscribedAt;
    else next.unsubscribedAt = new Date(at).toISOString();
    this.participants.set(`${seriesId}|${email}`, next);
    return next;
  }
  async setPreference(seriesId: string, email: string, flag: PreferenceFlag, on: boolean) {
    this.writes++;
    const p = this.participants.get(`${seriesId}|${email}`);
    if (!p) return undefined;
    const preferences = { ...p.preferences };
    if (on) delete preferences[flag];
    else preferences[flag] = false;
    const next = { ...p, preferences };
    this.participants.set(`${seriesId}|${email}`, next);
    return next;
  }
  async withdrawResponse(r: Pick<Response, 'seriesId' | 'trainingSlug' | 'id'>, change: { at: Date | string; replacedBy?: string } | null) {
    this.writes++;
    const found = this.responses.get(`${r.seriesId}|${r.id}`);
    if (!found) return undefined;
    const next: Response = { ...found };
    delete next.withdrawnAt;
    delete next.replacedBy;
    if (change) {
      next.withdrawnAt = new Date(change.at).toISOString();
      if (change.replacedBy) next.replacedBy = change.replacedBy;
    }
    this.responses.set(`${r.seriesId}|${r.id}`, next);
    return next;
  }
  needsLook = new Map<string, NeedsLook>();
  async getNeedsLook(seriesId: string, id: string) {
    return this.needsLook.get(`${seriesId}|${id}`);
  }
  async resolveNeedsLook(seriesId: string, id: string, res: { at: Date | string; resolution: string; responseId?: string }) {
    this.writes++;
    const found = this.needsLook.get(`${seriesId}|${id}`);
    if (!found) return undefined;
    const next: NeedsLook = { ...found, resolvedAt: new Date(res.at).toISOString(), resolution: res.resolution };
    delete next.responseId;
    if (res.responseId) next.responseId = res.responseId;
    this.needsLook.set(`${seriesId}|${id}`, next);
    return next;
  }
  async setParticipantStatus(seriesId: string, email: string, patch: { calendarsOffAt?: Date | string | null }) {
    this.writes++;
    const p = this.participants.get(`${seriesId}|${email}`);
    if (!p) return undefined;
    const next = { ...p };
    if (patch.calendarsOffAt === null) delete next.calendarsOffAt;
    else if (patch.calendarsOffAt !== undefined) next.calendarsOffAt = new Date(patch.calendarsOffAt).toISOString();
    this.participants.set(`${seriesId}|${email}`, next);
    return next;
  }
}

let store: MemoryStore;

const daveSubmission: Response = {
  id: 'dave-strategy-1',
  seriesId: SERIES,
  trainingSlug: training.slug,
  participantEmail: dave.email,
  intent: 'strategy',
  text: 'I keep a running doc with my manager & add to it all week.',
  links: [],
  attachments: [],
  source: '<m1@example.com>',
  receivedAt: '2027-01-25T08:00:00.000Z',
};
const aisyahAdoption: Response = {
  ...daveSubmission,
  id: 'aisyah-adopt-1',
  participantEmail: aisyah.email,
  intent: 'adopt',
  strategyId: 'agenda-the-day-before',
  text: 'Will try it.',
};

beforeEach(() => {
  store = new MemoryStore();
  store.series.set(SERIES, { series: sampleSeries, trainings: sampleTrainings, publishedAt: '2026-12-01T00:00:00.000Z', version: 1 });
  for (const p of [aisyah, dave]) store.participants.set(`${SERIES}|${p.email}`, { ...p, key: participantKey(SERIES, p.email) });
  for (const r of [daveSubmission, aisyahAdoption]) store.responses.set(`${SERIES}|${r.id}`, r);
});

function token(p: Partial<LinkTokenPayload> & Pick<LinkTokenPayload, 'action'>): string {
  return signLinkToken({ seriesId: SERIES, participantEmail: aisyah.email, expiresAt: EXPIRES, ...p }, SECRET);
}

const get = (t: string, now = NOW) => handleLink({ method: 'GET', path: `/l/${t}` }, { store, secrets: SECRET, now });
const post = (t: string, now = NOW, body = '') => handleLink({ method: 'POST', path: `/l/${t}`, body }, { store, secrets: SECRET, now });
const h1 = (html: string) => html.match(/<h1>(.*?)<\/h1>/)?.[1];
const recorded = () => [...store.responses.values()].filter((r) => r.id !== daveSubmission.id && r.id !== aisyahAdoption.id);

describe('tokenFromPath', () => {
  it('takes the token from /l/<token>, forgiving a trailing slash or punctuation added by linkifiers', () => {
    expect(tokenFromPath('/l/AbC_-9')).toBe('AbC_-9');
    expect(tokenFromPath('/l/AbC_-9/')).toBe('AbC_-9');
    expect(tokenFromPath('/l/AbC_-9).')).toBe('AbC_-9');
    expect(tokenFromPath('/l/AbC?utm=x')).toBe('AbC');
  });
  it('refuses other paths', () => {
    expect(tokenFromPath('/')).toBeUndefined();
    expect(tokenFromPath('/l/')).toBeUndefined();
    expect(tokenFromPath('/x/abc')).toBeUndefined();
    expect(tokenFromPath('/l/a b')).toBeUndefined();
  });
});

describe('read', () => {
  const t = () => token({ action: 'read', trainingSlug: training.slug });

  it('GET shows a confirmation with one POST button and records nothing', async () => {
    const reply = await get(t());
    expect(reply.status).toBe(200);
    expect(h1(reply.body)).toBe(`Mark “${training.title}” as read?`);
    expect(reply.body).toContain(`<form method="post" action="/l/${t()}">`);
    expect(reply.body.match(/<button/g)).toHaveLength(1);
    expect(store.writes).toBe(0);
  });

  it('POST records a read response with a deterministic id and the token id as source', async () => {
    const reply = await post(t());
    expect(reply.status).toBe(200);
    expect(h1(reply.body)).toBe('Marked as read — thanks, Aisyah.');
    expect(recorded()).toEqual([
      {
        id: `read.${training.slug}.${participantKey(SERIES, aisyah.email)}`,
        seriesId: SERIES,
        trainingSlug: training.slug,
        participantEmail: aisyah.email,
        intent: 'read',
        text: '',
        links: [],
        attachments: [],
        source: linkTokenId(t()),
        receivedAt: NOW.toISOString(),
      },
    ]);
  });

  it('a double click records once, and GET afterwards shows the outcome, not the button', async () => {
    await post(t());
    const again = await post(t(), LATER);
    expect(again.status).toBe(200);
    expect(recorded()).toHaveLength(1);
    expect(recorded()[0]!.receivedAt).toBe(NOW.toISOString());
    const shown = await get(t(), LATER);
    expect(h1(shown.body)).toBe('Marked as read — thanks, Aisyah.');
    expect(shown.body).not.toContain('<form');
    expect(shown.body).toContain('on Mon 1 Feb 2027');
  });

  it('the same act through another link (different expiry) is the same record', async () => {
    await post(t());
    const other = token({ action: 'read', trainingSlug: training.slug, expiresAt: new Date('2029-01-01T00:00:00Z') });
    expect(other).not.toBe(t());
    await post(other, LATER);
    expect(recorded()).toHaveLength(1);
  });

  it('a training no longer in the series is a 404 that records nothing', async () => {
    const reply = await post(token({ action: 'read', trainingSlug: 'gone-training' }));
    expect(reply.status).toBe(404);
    expect(h1(reply.body)).toBe('This training is no longer in the series');
    expect(store.writes).toBe(0);
  });
});

describe('kudos', () => {
  const t = () => token({ action: 'kudos', responseId: daveSubmission.id, trainingSlug: training.slug });

  it('GET shows the contribution, escaped, with a kudos button', async () => {
    const reply = await get(t());
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<blockquote>I keep a running doc with my manager &amp; add to it all week.</blockquote>');
    expect(reply.body).toContain('Give kudos</button>');
    expect(store.writes).toBe(0);
  });

  it('POST records a text-less comment on the submission, which isKudos recognises', async () => {
    const reply = await post(t());
    expect(h1(reply.body)).toBe('Kudos given — thanks, Aisyah.');
    const [kudos] = recorded();
    expect(kudos).toMatchObject({
      id: linkResponseId.kudos(SERIES, daveSubmission.id, aisyah.email),
      intent: 'comment',
      text: '',
      targetResponseId: daveSubmission.id,
      trainingSlug: daveSubmission.trainingSlug,
      participantEmail: aisyah.email,
    });
    expect(isKudos(kudos!)).toBe(true);
    expect(isKudos({ ...kudos!, text: 'Great idea' })).toBe(false);
    expect(isKudos({ ...kudos!, source: '<mail@example.com>' })).toBe(false);
  });

  it('double click: one kudos', async () => {
    await post(t());
    await post(t());
    expect(recorded()).toHaveLength(1);
  });

  it('a submission that is gone is a 404 that records nothing', async () => {
    const reply = await post(token({ action: 'kudos', responseId: 'no-such-response' }));
    expect(reply.status).toBe(404);
    expect(h1(reply.body)).toBe('That contribution is no longer here');
    expect(store.writes).toBe(0);
  });
});

describe('rating', () => {
  const t = (rating: number) => token({ action: 'rating', rating, responseId: aisyahAdoption.id });

  it('GET asks about the adopted strategy by name', async () => {
    const reply = await get(t(4));
    expect(reply.status).toBe(200);
    expect(h1(reply.body)).toBe('Did “Write the agenda the day before” help? Rate it 4 of 5');
    expect(store.writes).toBe(0);
  });

  it("POST records a follow-up with the rating and the adoption's strategy and training", async () => {
    const reply = await post(t(4));
    expect(h1(reply.body)).toBe('You rated “Write the agenda the day before” 4 of 5.');
    expect(recorded()).toEqual([
      expect.objectContaining({
        id: linkResponseId.rating(SERIES, aisyahAdoption.id, aisyah.email),
        intent: 'follow-up',
        rating: 4,
        strategyId: 'agenda-the-day-before',
        trainingSlug: training.slug,
        targetResponseId: aisyahAdoption.id,
        text: '',
      }),
    ]);
  });

  it('the first rating stands: a later click on another number shows the recorded one', async () => {
    await post(t(4));
    const reply = await post(t(2), LATER);
    expect(recorded()).toHaveLength(1);
    expect(recorded()[0]!.rating).toBe(4);
    expect(h1(reply.body)).toBe('You rated “Write the agenda the day before” 4 of 5 on Mon 1 Feb 2027.');
    expect(reply.body).toContain('The first rating stands');
  });

  it('an adoption without a known strategy is rated by its training', async () => {
    const own = { ...aisyahAdoption, id: 'aisyah-own', intent: 'strategy' as const, strategyId: undefined };
    delete own.strategyId;
    store.responses.set(`${SERIES}|${own.id}`, own);
    const reply = await post(token({ action: 'rating', rating: 5, responseId: own.id }));
    expect(h1(reply.body)).toBe(`You rated what you tried from “${training.title}” 5 of 5.`);
    expect(recorded()[0]).not.toHaveProperty('strategyId');
  });

  it('an adoption that is gone is a 404 that records nothing', async () => {
    const reply = await post(token({ action: 'rating', rating: 3, responseId: 'gone' }));
    expect(reply.status).toBe(404);
    expect(store.writes).toBe(0);
  });
});

describe('unsubscribe', () => {
  const t = () => token({ action: 'unsubscribe' });
  const status = () => store.participants.get(`${SERIES}|${aisyah.email}`)!.unsubscribedAt;

  it('GET asks, with a POST button that carries the RFC 8058 field, and changes nothing', async () => {
    const reply = await get(t());
    expect(reply.status).toBe(200);
    expect(h1(reply.body)).toBe(`Unsubscribe from “${sampleSeries.title}”?`);
    expect(reply.body).toContain('<input type="hidden" name="List-Unsubscribe" value="One-Click">');
    expect(status()).toBeUndefined();
    expect(store.writes).toBe(0);
  });

  it('a one-click POST unsubscribes at once and answers 200', async () => {
    const reply = await post(t(), NOW, 'List-Unsubscribe=One-Click');
    expect(reply.status).toBe(200);
    expect(h1(reply.body)).toBe(`You’re unsubscribed from “${sampleSeries.title}”.`);
    expect(status()).toBe(NOW.toISOString());
  });

  it('a second POST keeps the first instant', async () => {
    await post(t());
    await post(t(), LATER);
    expect(status()).toBe(NOW.toISOString());
    expect(store.writes).toBe(1);
  });

  it('GET once unsubscribed shows the outcome', async () => {
    await post(t());
    const reply = await get(t(), LATER);
    expect(h1(reply.body)).toBe(`You’re unsubscribed from “${sampleSeries.title}”.`);
    expect(reply.body).not.toContain('<form');
  });
});

describe('calendars-off', () => {
  it('GET only asks; POST turns calendar entries off once and keeps the first instant', async () => {
    const t = token({ action: 'calendars-off' });
    const asked = await get(t);
    expect(asked.status).toBe(200);
    expect(h1(asked.body)).toBe('Turn off calendar entries?');
    expect(store.writes).toBe(0);
    const done = await post(t);
    expect(h1(done.body)).toBe('Calendar entries are off.');
    expect(store.participants.get(`${SERIES}|${aisyah.email}`)!.calendarsOffAt).toBe(NOW.toISOString());
    await post(t, new Date(NOW.getTime() + 86_400_000));
    expect(store.participants.get(`${SERIES}|${aisyah.email}`)!.calendarsOffAt).toBe(NOW.toISOString());
    expect(store.writes).toBe(1);
  });
});

describe('errors change nothing', () => {
  const read = () => token({ action: 'read', trainingSlug: training.slug });

  it('a tampered token is a 400 "isn’t valid" page, on GET and on POST', async () => {
    const t = read();
    const i = 12;
    const tampered = t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
    for (const reply of [await get(tampered), await post(tampered)]) {
      expect(reply.status).toBe(400);
      expect(h1(reply.body)).toBe('This link isn’t valid — nothing was changed.');
    }
    expect(store.writes).toBe(0);
  });

  it('a token signed with another secret is a 400', async () => {
    const foreign = signLinkToken({ action: 'unsubscribe', seriesId: SERIES, participantEmail: aisyah.email, expiresAt: EXPIRES }, 'some-other-secret-0123456789abcdef');
    expect((await post(foreign)).status).toBe(400);
    expect(store.writes).toBe(0);
  });

  it('an expired token is a 410 that says when it expired', async () => {
    const t = token({ action: 'unsubscribe', expiresAt: new Date('2027-01-31T00:00:00Z') });
    const reply = await post(t);
    expect(reply.status).toBe(410);
    expect(h1(reply.body)).toBe('This link has expired — nothing was changed.');
    expect(reply.body).toContain('It expired on Sun 31 Jan 2027.');
    expect(reply.body).toContain(sampleSeries.title);
    expect(store.writes).toBe(0);
  });

  it('an unknown participant is a 404 and nothing is recorded', async () => {
    const t = signLinkToken({ action: 'unsubscribe', seriesId: SERIES, participantEmail: 'someone@example.com', expiresAt: EXPIRES }, SECRET);
    const reply = await post(t);
    expect(reply.status).toBe(404);
    expect(h1(reply.body)).toBe('someone@example.com is not enrolled in this series');
    expect(store.writes).toBe(0);
  });

  it('an unknown series is a 404', async () => {
    const t = signLinkToken({ action: 'read', seriesId: 'other-series', trainingSlug: 'x', participantEmail: aisyah.email, expiresAt: EXPIRES }, SECRET);
    expect((await post(t)).status).toBe(404);
    expect(store.writes).toBe(0);
  });

  it('other paths are 404 and other methods 405 with Allow', async () => {
    expect((await handleLink({ method: 'GET', path: '/' }, { store, secrets: SECRET, now: NOW })).status).toBe(404);
    const put = await handleLink({ method: 'PUT', path: `/l/${read()}` }, { store, secrets: SECRET, now: NOW });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, HEAD, POST');
    expect(store.writes).toBe(0);
  });
});

describe('every page', () => {
  it('carries the security headers and one h1, in English, with no external resource', async () => {
    const pages = [
      await get(token({ action: 'read', trainingSlug: training.slug })),
      await post(token({ action: 'unsubscribe' })),
      await get('AAAA'),
      await handleLink({ method: 'GET', path: '/nope' }, { store, secrets: SECRET, now: NOW }),
    ];
    for (const reply of pages) {
      for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect(reply.headers[name]).toBe(value);
      expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
      expect(reply.body.match(/<h1>/g)).toHaveLength(1);
      expect(reply.body).toContain('<html lang="en">');
      expect(reply.body).not.toMatch(/(src|href)=|<script|url\(/);
    }
  });
});
