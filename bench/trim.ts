// Reply-trimming benchmark: accuracy on the public corpora in ../shared/corpora/replies (read in
// place, never copied into the repository), time on pathological 1 MB bodies, and throughput on
// typical replies. `npx tsx bench/trim.ts` prints JSON; `--failures` also prints each miss.
//
// Held out: the trimmer's first commit (d47b321, "≥ 90% on every public corpus") was tuned on all
// four ../shared sources at once, so their aggregate is labelled `tunedOn`. Mail it never saw
// comes from other projects' fixtures, built outside the repository by bench/trim-external.ts and
// passed as `--corpus <dir>` (repeatable) or BATON_TRIM_CORPORA=<dir>[:<dir>]; their aggregate
// is `heldOut`.
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { trimHtmlReply, trimReply, type Trimmed } from '#core/trim';

const here = dirname(fileURLToPath(import.meta.url));
const defaultCorpus = resolve(here, '../../shared/corpora/replies');

interface TextCase {
  source: string;
  id: string;
  input: string;
  expected: string;
  /** first_fragment: upstream asserted the reply's first fragment, where a sign-off may stay. */
  convention: 'strip_quotes+signatures' | 'strip_quotes_only' | 'strip_signature_only' | 'first_fragment';
  kind: string;
  flags: string[];
}

interface HtmlCase {
  source: string;
  id: string;
  input: string;
  expected_text?: string;
  must_contain?: string[];
  must_not_contain?: string[];
}

interface Score {
  n: number;
  passed: number;
  accuracy: number;
  failed: string[];
}

const fold = (s: string): string => s.replace(/\s+/g, ' ').trim();
const squash = (s: string): string => s.replace(/\s+/g, '');

/** What a convention compares: the reply alone, or the reply with its signature. */
function comparable(t: Trimmed, convention: TextCase['convention']): string {
  return convention === 'strip_quotes_only' ? `${t.reply}\n${t.signature}` : t.reply;
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as T);
}

function addTo(scores: Record<string, Score>, key: string, ok: boolean, id: string): void {
  const s = (scores[key] ??= { n: 0, passed: 0, accuracy: 0, failed: [] });
  s.n++;
  if (ok) s.passed++;
  else s.failed.push(id);
}

function finish(scores: Record<string, Score>): void {
  for (const s of Object.values(scores)) s.accuracy = Math.round((1000 * s.passed) / s.n) / 10;
}

export function accuracy(corpus = defaultCorpus, showFailures = false): {
  text: Record<string, Score>;
  html: Record<string, Score>;
  skipped: number;
} {
  const text: Record<string, Score> = {};
  const html: Record<string, Score> = {};
  let skipped = 0;
  for (const c of readJsonl<TextCase>(join(corpus, 'manifest.jsonl'))) {
    if (c.flags.some((f) => f.startsWith('upstream_needs_'))) {
      skipped++;
      continue;
    }
    const input = readFileSync(join(corpus, c.input), 'utf8');
    const expected = readFileSync(join(corpus, c.expected), 'utf8');
    const t = trimReply(input);
    const got = comparable(t, c.convention);
    const ok = fold(got) === fold(expected) || (c.convention === 'first_fragment' && fold(`${t.reply}\n${t.signature}`) === fold(expected));
    addTo(text, `${c.source} / ${c.convention}`, ok, c.id);
    if (!ok && showFailures) {
      console.error(`\n### ${c.source} ${c.id} (${t.method})\n--- expected\n${expected}\n--- got\n${got}\n--- signature\n${t.signature}`);
    }
  }
  const htmlManifest = join(corpus, 'manifest_html.jsonl');
  for (const c of existsSync(htmlManifest) ? readJsonl<HtmlCase>(htmlManifest) : []) {
    const input = readFileSync(join(corpus, c.input), 'utf8');
    const t = trimHtmlReply(input);
    const got = `${t.reply}\n${t.signature}`;
    let ok: boolean;
    if (c.expected_text !== undefined) {
      ok = squash(got) === squash(c.expected_text);
    } else {
      ok =
        (c.must_contain ?? []).every((s) => got.includes(s)) &&
        (c.must_not_contain ?? []).every((s) => !got.includes(s));
    }
    addTo(html, c.source, ok, c.id);
    if (!ok && showFailures) console.error(`\n### html ${c.source} ${c.id} (${t.method})\n--- got\n${got}`);
  }
  finish(text);
  finish(html);
  return { text, html, skipped };
}

const MB = 1 << 20;
const fill = (unit: string): string => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

/** 1 MB bodies built to hit the worst case of line-based and regex-based trimmers. */
export const PATHOLOGICAL: Record<string, () => string> = {
  'quote-lines': () => fill('> > > quoted text\n'),
  'on-repeated': () => fill('On '),
  'on-lines': () => fill('On \n'),
  'on-wrote-almost': () => fill('On Mon, 1 Jan 2024 at 10:00, someone <a@b.c> wro\n'),
  'no-newlines': () => fill('lorem ipsum dolor sit amet '),
  spaces: () => fill(' '),
  newlines: () => fill('\n'),
  'from-lines': () => fill('From: a\n'),
  'alternating-quotes': () => fill('text\n> quote\n'),
  'signatures-and-quotes': () => fill('--\n> q\n'),
  'attribution-and-quotes': () => fill('On 1 Jan 2024 at 10:00, a <a@b.c> wrote:\n> q\nanswer\n'),
  dashes: () => fill('-'),
  'angle-brackets': () => fill('<'),
};

/** The same for HTML bodies (these include html-to-text's own conversion time). */
export const PATHOLOGICAL_HTML: Record<string, () => string> = {
  'html-nested-divs': () => fill('<div>'),
  'html-unclosed-blockquotes': () => fill('<blockquote>x'),
  'html-unclosed-tags': () => fill('<div class="gmail_quote" '),
  'html-paragraphs': () => fill('<p>hello</p>\n'),
};

function measure(fn: () => void): { wallMs: number; cpuMs: number } {
  const cpu = process.cpuUsage();
  const start = performance.now();
  fn();
  const used = process.cpuUsage(cpu);
  return { wallMs: Math.round(performance.now() - start), cpuMs: Math.round((used.user + used.system) / 1000) };
}

function timeIt(fn: () => void, minMs = 200): number {
  let runs = 0;
  const start = performance.now();
  do {
    fn();
    runs++;
  } while (performance.now() - start < minMs);
  return (performance.now() - start) / runs;
}

export function pathological(): Record<string, { wallMs: number; cpuMs: number }> {
  const out: Record<string, { wallMs: number; cpuMs: number }> = {};
  // Warm the JIT as a Lambda that has handled a few replies would be.
  for (let k = 0; k < 50; k++) trimReply(typicalReply(k, 10));
  for (const [name, make] of Object.entries(PATHOLOGICAL)) {
    const body = make();
    out[name] = measure(() => trimReply(body));
  }
  for (const [name, make] of Object.entries(PATHOLOGICAL_HTML)) {
    const body = make();
    out[name] = measure(() => trimHtmlReply(body));
  }
  return out;
}

/** A typical 10–50 KB reply: a short answer above a long quoted thread. */
function typicalReply(seed: number, sizeKb: number): string {
  const para =
    'We tried the async stand-up for two weeks; the written updates made blockers visible earlier ' +
    'and people in Singapore finally had a say before the day was over in San Francisco.';
  const lines = [`Thanks for the training, number ${seed}.`, '', para, '', 'Best,', 'Dana', ''];
  lines.push(`On Tue, Mar ${(seed % 28) + 1}, 2025 at 9:0${seed % 10} AM Baton <reply+abc@baton.example> wrote:`);
  while (lines.join('\n').length < sizeKb * 1024) lines.push(`> ${para}`, '>');
  return lines.join('\n');
}

export function throughput(): { sizeKb: number; repliesPerSecond: number }[] {
  return [10, 25, 50].map((sizeKb) => {
    const bodies = Array.from({ length: 20 }, (_, i) => typicalReply(i, sizeKb));
    let k = 0;
    const ms = timeIt(() => {
      trimReply(bodies[k++ % bodies.length] ?? '');
    }, 500);
    return { sizeKb, repliesPerSecond: Math.round(1000 / ms) };
  });
}

/** Every text case of some sources, as one score. */
function aggregate(scores: Record<string, Score>[]): Omit<Score, 'failed'> {
  const all = scores.flatMap((s) => Object.values(s));
  const n = all.reduce((a, s) => a + s.n, 0);
  const passed = all.reduce((a, s) => a + s.passed, 0);
  return { n, passed, accuracy: n ? Math.round((1000 * passed) / n) / 10 : 0 };
}

/** Extra corpora from the command line (--corpus <dir>, repeatable) and BATON_TRIM_CORPORA. */
function extraCorpora(argv = process.argv): string[] {
  const dirs = (process.env.BATON_TRIM_CORPORA ?? '').split(':').filter(Boolean);
  argv.forEach((a, i) => {
    if (a === '--corpus' && argv[i + 1]) dirs.push(argv[i + 1]!);
  });
  return dirs.map((d) => resolve(d));
}

export async function benchTrim(corpus = defaultCorpus, extra = extraCorpora()): Promise<object> {
  if (!existsSync(join(corpus, 'manifest.jsonl'))) {
    return { error: `reply corpora not found at ${corpus}; expected ../shared/corpora/replies next to the repository` };
  }
  const acc = accuracy(corpus);
  const held = extra.filter((d) => existsSync(join(d, 'manifest.jsonl'))).map((d) => ({ dir: d, ...accuracy(d) }));
  return {
    accuracy: {
      text: acc.text,
      html: acc.html,
      skippedUpstreamNeeds: acc.skipped,
      ...(held.length ? { heldOutText: Object.assign({}, ...held.map((h) => h.text)) as Record<string, Score> } : {}),
    },
    aggregate: {
      tunedOn: { ...aggregate([acc.text]), sources: Object.keys(acc.text) },
      ...(held.length ? { heldOut: { ...aggregate(held.map((h) => h.text)), corpora: held.map((h) => h.dir) } } : { heldOut: 'none given: build one with bench/trim-external.ts and pass --corpus <dir>' }),
    },
    pathological1Mb: pathological(),
    throughput: throughput(),
  };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--failures')) {
    const show = (dir: string) => {
      const acc = accuracy(dir, true);
      return { text: acc.text, html: acc.html };
    };
    console.log(JSON.stringify({ [defaultCorpus]: show(defaultCorpus), ...Object.fromEntries(extraCorpora().map((d) => [d, show(d)])) }, null, 2));
  } else {
    console.log(JSON.stringify(await benchTrim(), null, 2));
  }
}
