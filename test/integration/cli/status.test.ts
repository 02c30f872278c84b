// `baton status` as a user runs it: a data folder with a published series, participants,
// deliveries and responses (written through the real Store into dynalite's LevelDB), then the CLI
// in a child process opening that folder itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createDynamoClient, createStore } from '#adapters/dynamo';
import { ensureTable, startDynaliteServer } from '#adapters/dynamo-local';
import type { Response } from '#core/model';
import { publishSeries } from '#cli/publish';
import { loadParticipants } from '#cli/series-dir';

const root = join(import.meta.dirname, '..', '..', '..');
const example = join(root, 'examples', 'q1-productivity');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-status-'));
// Never the default ports: a `baton dev` running on this machine must not be the one we read.
const env = { ...process.env, BATON_DATA_DIR: dataDir, BATON_PORT_OFFSET: String(20_000 + Math.floor(Math.random() * 20_000)) };
let seriesId = '';

async function seed(dir: string, extra: (r: Response[], emails: string[], slug: string) => void = () => {}): Promise<string> {
  const server = await startDynaliteServer({ path: join(dir, 'dynamo') });
  const client = createDynamoClient({ endpoint: server.endpoint });
  try {
    await ensureTable(client, 'baton');
    const store = createStore({ client, tableName: 'baton' });
    const published = await publishSeries(example, store, new Date('2026-12-01T00:00:00Z'));
    const id = published.series.id;
    const participants = await loadParticipants(join(example, 'participants.csv'), published.series);
    await store.putParticipants(id, participants);
    const emails = participants.map((p) => p.email);
    const slug = published.trainings[0]!.slug;
    for (const email of emails.slice(0, 8)) {
      await store.claimDelivery(id, `training#${slug}#${email}`, { now: new Date('2027-01-21T00:00:00Z'), leaseMs: 60_000 });
      await store.completeDelivery(id, `training#${slug}#${email}`, { sesMessageId: 's', sentAt: '2027-01-21T00:00:00Z' });
    }
    const base = { seriesId: id, trainingSlug: slug, links: [], attachments: [], source: 'm' };
    const responses: Response[] = [
      { ...base, id: 'r1', participantEmail: emails[0]!, intent: 'read', text: '', receivedAt: '2027-01-22T10:00:00.000Z' },
      { ...base, id: 'r2', participantEmail: emails[1]!, intent: 'strategy', text: 'Agenda the day before', receivedAt: '2027-01-22T11:00:00.000Z' },
      { ...base, id: 'r3', participantEmail: emails[2]!, intent: 'adopt', strategyId: published.trainings[0]!.strategies[0]!.id, text: 'I forget', receivedAt: '2027-01-23T10:00:00.000Z' },
      { ...base, id: 'r4', participantEmail: emails[2]!, intent: 'follow-up', strategyId: published.trainings[0]!.strategies[0]!.id, rating: 4, text: '', receivedAt: '2027-02-23T10:00:00.000Z' },
    ];
    extra(responses, emails, slug);
    for (const r of responses) await store.putResponse(r);
    return id;
  } finally {
    client.destroy();
    await server.close();
  }
}

function baton(...args: string[]) {
  return promisify(execFile)('node', [join(root, 'cli', 'baton.js'), ...args], { env, cwd: root });
}

beforeAll(async () => {
  seriesId = await seed(dataDir);
}, 120_000);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('baton status', () => {
  it('prints an aligned funnel table per training with rates', async () => {
    const { stdout } = await baton('status', seriesId);
    const lines = stdout.split('\n');
    const header = lines.findIndex((l) => /^stage\s+people\s+rate\s+of$/.test(l));
    expect(header).toBeGreaterThan(0);
    const rows = lines.slice(header + 2, header + 7);
    expect(rows.map((r) => r.split(/\s{2,}/).slice(0, 3))).toEqual([
      ['Sent', '8'],
      ['Read', '3', '38%'],
      ['Contributed', '2', '25%'],
      ['Adopted', '1', '13%'],
      ['Followed up', '1', '100%'],
    ]);
    // Aligned: every number column ends at the same place as its header.
    const end = lines[header]!.indexOf('people') + 'people'.length;
    for (const r of rows) expect(r.slice(0, end)).toMatch(/\d$/);
    expect(stdout).toMatch(/#1 .+\s+1\s+4\.0\/5/);
  }, 60_000);

  it('prints the funnel object with --json', async () => {
    const { stdout } = await baton('status', seriesId, '--json');
    const funnel = JSON.parse(stdout);
    expect(funnel.seriesId).toBe(seriesId);
    expect(funnel.trainings).toHaveLength(4);
    expect(funnel.trainings[0].stages.map((s: { count: number }) => s.count)).toEqual([8, 3, 2, 1, 1]);
    expect(funnel.notEngaged).toHaveLength(5);
  }, 60_000);

  it('says what to do about an unknown series', async () => {
    await expect(baton('status', 'no-such-series')).rejects.toMatchObject({ stderr: expect.stringContaining('no series "no-such-series" is published') });
  }, 60_000);
});
