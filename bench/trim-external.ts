// Builds a held-out trimming corpus from public reply parsers that Baton's trimmer never saw, read
// from their git mirrors (bare repositories, `git show`), into a directory OUTSIDE the repository
// in the format of ../shared/corpora/replies (manifest.jsonl + files). Nothing is copied into the
// repository; `npx tsx bench/trim.ts --corpus <dir>` (or BATON_TRIM_CORPORA=<dir> npm run bench --
// trim) then scores it as held out.
//
//   npx tsx bench/trim-external.ts <out-dir> <mirror-git-dir>...
//
// Understood layouts (each upstream's own test file is where the expected text is; tests that only
// assert a substring or a fragment count say too little and are left out):
// - crisp-oss/email-reply-parser (test/test.js): a test reading fixture X with `get_email("X")` and
//   asserting `fragments[0].toString()` or `getVisibleText()` equals a string literal or the
//   file's COMMON_FIRST_FRAGMENT: the first fragment, that is the reply (a sign-off may be in it).
// - willdurand/EmailReplyParser (tests/.../EmailReplyParserTest.php): `getFixtures('X.txt')` and
//   `assertEquals(<string or heredoc>, EmailReplyParser::parseReply($body))`: the visible text,
//   quotes and signatures removed.
// - zapier/email-reply-parser (test/test_email_reply_parser.py): `assertEqual('…',
//   EmailReplyParser.parse_reply(…))` or `assertEqual(message.reply.strip(), '…')`: the same.
// Cases whose input is already in ../shared/corpora/replies (the ports share github's fixtures)
// are left out (compared by their letters and digits: the ports redraw rules and spaces), so the
// held-out score holds only mail the trimmer was not tuned on.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface Case {
  id: string;
  input: string;
  expected: string;
}

const show = (git: string, path: string): string | undefined => {
  try {
    return execFileSync('git', ['--git-dir', git, 'show', `HEAD:${path}`], { encoding: 'utf8', maxBuffer: 16 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
};
const files = (git: string): string[] => execFileSync('git', ['--git-dir', git, 'ls-tree', '-r', '--name-only', 'HEAD'], { encoding: 'utf8' }).split('\n');

/** A JavaScript double-quoted string literal, or a single-quoted one, with backslash continuations. */
function jsString(src: string): string {
  const body = src.slice(1, -1).replace(/\\\n/g, '');
  return body.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) =>
    e.length > 1 ? String.fromCharCode(parseInt(e.slice(1), 16)) : ({ n: '\n', t: '\t', r: '\r', '0': '\0' } as Record<string, string>)[e] ?? e,
  );
}

function crisp(git: string): Case[] {
  const test = show(git, 'test/test.js');
  if (!test) return [];
  const common = /const COMMON_FIRST_FRAGMENT = ('(?:[^'\\]|\\[\s\S])*');/.exec(test)?.[1];
  const commonText = common ? jsString(common) : undefined;
  const out: Case[] = [];
  for (const block of test.split(/\nexport function /).slice(1)) {
    const name = /get_email\("([^"]+)"\)/.exec(block)?.[1];
    const m = /test\.equal\(\s*(COMMON_FIRST_FRAGMENT|"(?:[^"\\]|\\.)*")\s*,\s*(?:fragments\[0\]\.toString\(\)(?:\.trim\(\))?|email\.getVisibleText\(\)(?:\.trim\(\))?|text|reply\.fragments\[0\]\.toString\(\))\s*\)/.exec(block);
    if (!name || !m?.[1]) continue;
    const expected = m[1] === 'COMMON_FIRST_FRAGMENT' ? commonText : jsString(m[1]);
    const input = show(git, `test/fixtures/${name}.txt`);
    if (expected !== undefined && input !== undefined) out.push({ id: name, input, expected });
  }
  return out;
}

/** A PHP string literal (single or double quoted) or a heredoc. */
function phpString(src: string): string {
  const here = /^<<<'?(\w+)'?\n([\s\S]*?)\n\s*\1\s*$/.exec(src);
  if (here) return here[2]!;
  if (src.startsWith("'")) return src.slice(1, -1).replace(/\\(['\\])/g, '$1');
  return src.slice(1, -1).replace(/\\(.)/g, (_, e: string) => ({ n: '\n', t: '\t', r: '\r' } as Record<string, string>)[e] ?? e);
}

function willdurand(git: string): Case[] {
  const path = files(git).find((f) => f.endsWith('EmailReplyParserTest.php'));
  const test = path ? show(git, path) : undefined;
  if (!test) return [];
  const fixtures = files(git).find((f) => /tests\/Fixtures\/[^/]+\.txt$/.test(f));
  const dir = fixtures ? dirname(fixtures) : 'tests/Fixtures';
  const out: Case[] = [];
  for (const block of test.split(/\n\s*public function /).slice(1)) {
    const name = /getFixtures\('([^']+)'\)/.exec(block)?.[1];
    const m = /assertEquals\(\s*(<<<'?(\w+)'?\n[\s\S]*?\n\s*\2|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*,\s*EmailReplyParser::parseReply\(\$body\)\s*\)/.exec(block);
    if (!name || !m?.[1]) continue;
    const input = show(git, `${dir}/${name}`);
    if (input !== undefined) out.push({ id: name.replace(/\.txt$/, ''), input, expected: phpString(m[1]) });
  }
  return out;
}

function zapier(git: string): Case[] {
  const test = show(git, 'test/test_email_reply_parser.py');
  if (!test) return [];
  const out: Case[] = [];
  for (const block of test.split(/\n\s*def /).slice(1)) {
    const name = /open\('test\/emails\/([^']+)\.txt'\)|get_email\('([^']+)'\)/.exec(block);
    const id = name?.[1] ?? name?.[2];
    const m =
      /assertEqual\(\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*,\s*EmailReplyParser\.parse_reply\(/.exec(block) ??
      /assertEqual\(\s*message\.reply\.strip\(\)\s*,\s*('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")\s*\)/.exec(block);
    if (!id || !m?.[1]) continue;
    const input = show(git, `test/emails/${id}.txt`);
    if (input !== undefined) out.push({ id, input, expected: jsString(m[1]) });
  }
  return out;
}

const LAYOUTS: Array<{ name: string; convention: 'first_fragment' | 'strip_quotes+signatures'; read: (git: string) => Case[] }> = [
  { name: 'crisp_email_reply_parser', convention: 'first_fragment', read: crisp },
  { name: 'willdurand_email_reply_parser', convention: 'strip_quotes+signatures', read: willdurand },
  { name: 'zapier_email_reply_parser', convention: 'strip_quotes+signatures', read: zapier },
];

/** A text reduced to its letters and digits: a port's copy of a fixture with other rules or spaces is the same mail. */
const letters = (s: string) => s.replace(/[^\p{L}\p{N}]+/gu, '');

/** Every input of the corpora the trimmer was tuned on, reduced to its letters. */
function tunedInputs(): Set<string> {
  const dir = resolve(dirname(fileURLToPath(import.meta.url)), '../../shared/corpora/replies');
  const out = new Set<string>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.txt') || e.name.endsWith('.eml')) out.add(letters(readFileSync(join(d, e.name), 'utf8')));
    }
  };
  walk(dir);
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir, ...mirrors] = process.argv.slice(2);
  if (!outDir || !mirrors.length) {
    console.error('usage: npx tsx bench/trim-external.ts <out-dir outside the repository> <mirror-git-dir>...');
    process.exit(2);
  }
  const out = resolve(outDir);
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  if (out.startsWith(repo + '/')) throw new Error(`${out} is inside the repository; public fixtures are read in place, never copied in`);
  const tuned = tunedInputs();
  const manifest: string[] = [];
  const counts: Record<string, { cases: number; alreadyTuned: number }> = {};
  for (const git of mirrors) {
    for (const layout of LAYOUTS) {
      const cases = layout.read(git);
      if (!cases.length) continue;
      const c = (counts[`${layout.name} (${basename(dirname(git))})`] = { cases: 0, alreadyTuned: 0 });
      mkdirSync(join(out, layout.name), { recursive: true });
      for (const k of cases) {
        if (tuned.has(letters(k.input))) {
          c.alreadyTuned++;
          continue;
        }
        c.cases++;
        const input = join(layout.name, `${k.id}.input.txt`);
        const expected = join(layout.name, `${k.id}.expected.txt`);
        writeFileSync(join(out, input), k.input);
        writeFileSync(join(out, expected), k.expected);
        manifest.push(JSON.stringify({ source: layout.name, id: k.id, input, expected, convention: layout.convention, kind: 'full', flags: [] }));
      }
    }
  }
  writeFileSync(join(out, 'manifest.jsonl'), `${manifest.join('\n')}\n`);
  console.log(JSON.stringify({ out, counts }, null, 2));
}
