// `npm start` as a newcomer runs it: `baton dev` in its own process, the example published on
// first start, a banner that says where things are, Ctrl-C stopping everything.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortOffset } from '#test/support/ports';

const root = join(import.meta.dirname, '..', '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'baton-dev-'));
const offset = await freePortOffset();
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

function startDev(): { child: ChildProcess; output: () => string; banner: Promise<void>; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['cli/baton.js', 'dev'], {
    cwd: root,
    env: { ...process.env, BATON_DATA_DIR: dataDir, BATON_PORT_OFFSET: String(offset) },
  });
  children.push(child);
  let out = '';
  const banner = new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (out.includes('Ctrl-C stops everything')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`baton dev exited with ${code} before its banner:\n${out}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, banner, exit };
}

describe('baton dev', () => {
  it('publishes the example on first start, prints where everything is, and stops on Ctrl-C', async () => {
    const dev = startDev();
    await dev.banner;
    const out = dev.output();
    expect(out).toContain('Published the example series "q1-productivity" and enrolled 12 participants');
    expect(out).toContain(`http://127.0.0.1:${8005 + offset}`);
    expect(out).toContain(`127.0.0.1:${2525 + offset}`);
    expect((await fetch(`http://127.0.0.1:${8005 + offset}/store`)).status).toBe(200);
    dev.child.kill('SIGINT');
    expect(await dev.exit).toBe(0);
    expect(dev.output()).toContain('Stopped.');
    await expect(fetch(`http://127.0.0.1:${8005 + offset}/store`)).rejects.toThrow();
  });

  it('on the next start keeps the data and does not enrol anyone twice', async () => {
    const dev = startDev();
    await dev.banner;
    expect(dev.output()).toMatch(/"q1-productivity" is already published here/);
    expect(dev.output()).not.toContain('enrolled');
    dev.child.kill('SIGINT');
    expect(await dev.exit).toBe(0);
  });
});
