// `baton trim` as a person runs it: the CLI in its own process, reading stdin. The trimming rules
// themselves are tested in process by test/unit/core/trim.test.ts.
import { describe, expect, it } from 'vitest';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('baton trim (CLI)', () => {
  const baton = (args: string[], input: string): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(process.execPath, [join(root, 'cli/baton.js'), 'trim', ...args], {
      input,
      encoding: 'utf8',
      env: { ...process.env, AWS_SDK_JS_SUPPRESS_NODE_VERSION_WARNING: '1' },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it('prints the reply of a plain body', () => {
    const r = baton([], 'Yes, adopting it.\n\nOn Tue, Mar 4, 2025 at 9:12 AM Baton <r@b.example> wrote:\n> Training 2\n');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('Yes, adopting it.\n');
  });

  it('trims many cases in one process with --jsonl', () => {
    const input = [
      JSON.stringify({ id: 'a', text: 'Yes\n\nSent from my iPhone' }),
      '',
      JSON.stringify({ id: 7, text: 'No.\n\nFrom: x@y.example\nSent: today\nTo: z\nSubject: s\n\nold' }),
      JSON.stringify({ id: 'h', html: '<p>Hi</p><div class="gmail_quote">old</div>' }),
    ].join('\n');
    const r = baton(['--jsonl'], input);
    expect(r.status).toBe(0);
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(out).toEqual([
      { id: 'a', reply: 'Yes', signature: 'Sent from my iPhone' },
      { id: 7, reply: 'No.', signature: '' },
      { id: 'h', reply: 'Hi', signature: '' },
    ]);
  });

  it('reads HTML from stdin with --html', () => {
    const r = baton(['--html'], '<p>Count me in.</p><blockquote type="cite">old</blockquote>');
    expect(r.stdout).toBe('Count me in.\n');
  });

  it('names the bad line of --jsonl input and fails', () => {
    const r = baton(['--jsonl'], `${JSON.stringify({ id: 1, text: 'ok' })}\nnot json\n`);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('stdin line 2');
  });
});
