// Random and mutated MIME through the whole inbound core against a real (dynalite) table: it
// never throws and always finishes. Mutations start from the labeled fixtures re-addressed to a
// real participant's signed address, so they reach trimming, classification and storage too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, type Store } from '#adapters/aws/dynamo';
import { LocalMailStore } from '#adapters/local/mail-store';
import { processInbound, type InboundConfig, type InboundOutcome } from '#app/receive-reply';
import type { BuiltMail } from '#app/deliver';
import { replyAddress, signReplyToken } from '#core/tokens';
import { publishSeries } from '#cli/publish-series';
import { loadParticipants } from '#cli/series-dir';
import { startDynalite, type TestDynalite } from '#test/support/dynalite';

const example = join(import.meta.dirname, '..', '..', 'examples', 'q1-productivity');
const labeled = join(import.meta.dirname, '..', 'fixtures', 'replies', 'labeled');
const SECRET = 'fuzz-secret-0123456789abcdef';
const EMAIL = 'nurul.hakim@example.com';
const dir = mkdtempSync(join(tmpdir(), 'baton-fuzz-'));
let db: TestDynalite;
let store: Store;
const sent: BuiltMail[] = [];
const config: InboundConfig = {
  settings: { domain: 'baton.example.com', inboundDomain: 'reply.baton.example.com', senderAddress: 'training@baton.example.com', linksBaseUrl: 'https://links.baton.example.com', secrets: SECRET },
  limits: { maxFileBytes: 50_000, maxTotalBytes: 100_000 },
};
let seeds: Buffer[] = [];
const to = replyAddress(signReplyToken({ seriesId: 'q1-productivity', trainingOrder: 1, participantEmail: EMAIL, expiresAt: new Date('2099-01-01T00:00:00Z') }, SECRET), 'reply.baton.example.com');

function readdress(raw: Buffer): Buffer {
  const text = raw.toString('latin1');
  return Buffer.from(text.replace(/^To:.*$/m, `To: ${to}`).replace(/^From:.*$/m, `From: Nurul <${EMAIL}>`), 'latin1');
}

async function feed(raw: Uint8Array): Promise<InboundOutcome> {
  return processInbound(
    { raw, envelope: { from: EMAIL, to: [to] }, receivedAt: new Date('2027-01-22T00:00:00Z') },
    config,
    { store, mailStore: new LocalMailStore(dir), send: async (m) => (sent.push(m), `ses-${sent.length}`) },
  );
}

beforeAll(async () => {
  db = await startDynalite();
  store = createStore({ client: db.client, tableName: db.tableName });
  const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
  await store.putParticipants('q1-productivity', await loadParticipants(join(example, 'participants.csv'), published.series));
  seeds = readdirSync(labeled).filter((f) => f.endsWith('.eml')).slice(0, 40).map((f) => readdress(readFileSync(join(labeled, f))));
}, 60_000);

afterAll(async () => {
  await db?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const STATUSES = ['stored', 'duplicate', 'rejected', 'auto-reply', 'bounce', 'rsvp', 'too-large', 'rate-limited', 'needs-look'];

describe('the inbound core under random input', () => {
  it('reaches storage with the unmutated seeds (so mutations exercise the whole pipeline)', async () => {
    const statuses = await Promise.all(seeds.slice(0, 10).map(async (s) => (await feed(s)).status));
    expect(statuses.filter((s) => s === 'stored').length).toBeGreaterThanOrEqual(8);
  });

  it('handles random bytes and random header/body soup', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 4000 }),
          fc.tuple(fc.array(fc.tuple(fc.constantFrom('Content-Type', 'Content-Transfer-Encoding', 'To', 'From', 'Subject', 'Message-ID', 'References', 'Auto-Submitted'), fc.string({ maxLength: 80 })), { maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 2000 }))
            .map(([headers, body]) => new TextEncoder().encode(`${headers.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\nTo: ${to}\r\n\r\n${body}`)),
        ),
        async (raw) => {
          const outcome = await feed(raw);
          expect(STATUSES).toContain(outcome.status);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('handles mutated real replies: flipped bytes, cuts and splices', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: seeds.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('flip', 'cut', 'dup', 'insert')), { minLength: 1, maxLength: 6 }),
        async (i, edits) => {
          let bytes = Buffer.from(seeds[i]!);
          for (const [at, value, kind] of edits) {
            const p = at % Math.max(1, bytes.length);
            if (kind === 'flip') bytes[p] = value;
            else if (kind === 'cut') bytes = bytes.subarray(0, p);
            else if (kind === 'dup') bytes = Buffer.concat([bytes.subarray(0, p), bytes.subarray(p, p + 200), bytes.subarray(p)]);
            else bytes = Buffer.concat([bytes.subarray(0, p), Buffer.from(['\r\n--', '=?utf-8?b?', '\r\n\r\n', '<blockquote>', '>>>>'][value % 5]!), bytes.subarray(p)]);
          }
          const outcome = await feed(bytes);
          expect(STATUSES).toContain(outcome.status);
        },
      ),
      { numRuns: 100 },
    );
  }, 180_000);
});
