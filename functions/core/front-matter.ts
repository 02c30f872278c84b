// Reading the YAML that trainers write (series.yaml and the front matter of each training) in a
// way that remembers where every value came from, so that a schema error can point at the line
// and column the trainer has to change instead of at a path they would have to work out.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';

/** A place in a file, 1-based, as editors and compilers count. */
export interface Position {
  line: number;
  column: number;
}

/** A problem found while reading YAML, positioned in the file the YAML was taken from. */
export interface YamlProblem extends Position {
  message: string;
}

export interface ParsedYaml {
  /** The plain JavaScript value, or undefined for an empty document. */
  value: unknown;
  problems: YamlProblem[];
  /**
   * Where the value at `path` was written. For a path that does not exist (a missing key) this
   * is the nearest existing parent, which is where the trainer has to add it. With `key: true`
   * it is the key's own position rather than its value's (for unknown keys).
   */
  locate(path: readonly PropertyKey[], options?: { key?: boolean }): Position;
  /**
   * For a string value written as a literal block (`key: |`), the file line of the value's first
   * line of text, so Markdown inside it can be positioned line by line; otherwise the line of
   * the value itself, and `exact` is false because folding may have joined lines.
   */
  textStart(path: readonly PropertyKey[]): { line: number; exact: boolean };
}

/**
 * Parses YAML that starts at `firstLine` of its file (1 for a whole file, 2 for front matter
 * after its opening `---`). Syntax errors come back as problems with their line; the value is
 * then whatever the parser could recover and should not be trusted.
 */
export function parseYaml(text: string, firstLine = 1): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line + firstLine - 1, column: col };
  };
  // After a syntax error the parser recovers by guessing, and later "errors" are often echoes of
  // the first one; duplicate keys are the exception, each is a real problem of its own.
  const firstSyntax = doc.errors.find((err) => err.code !== 'DUPLICATE_KEY');
  const problems: YamlProblem[] = doc.errors
    .filter((err) => err.code === 'DUPLICATE_KEY' || err === firstSyntax)
    .map((err) => {
      const pos = at(err.pos[0]);
      // The parser reports a mis-indented line as whatever it took it for ("a value containing
      // ': ' must be put in quotes"); a trainer fixes the indentation, never by quoting. When the
      // lines up to the error show an indentation slip, that slip is the problem to report.
      if (err === firstSyntax && !INDENT_CODES.has(err.code)) {
        const slip = findIndentSlip(text, pos.line - firstLine + 2);
        if (slip) return { line: slip.line + firstLine - 1, column: slip.column, message: slip.message };
      }
      return { ...pos, message: yamlErrorMessage(err.code, err.message) };
    });
  const value: unknown = problems.length === 0 ? doc.toJS() : safeToJs(doc);

  const locate = (path: readonly PropertyKey[], options: { key?: boolean } = {}): Position => {
    const found = walk(doc, path);
    const keyPos = found.keyOffset;
    if (found.complete && options.key && keyPos !== undefined) return at(keyPos);
    if (found.complete && found.node && isScalar(found.node)) return at(found.node.range?.[0] ?? 0);
    if (keyPos !== undefined) return at(keyPos);
    return at(found.node?.range?.[0] ?? 0);
  };

  const textStart = (path: readonly PropertyKey[]): { line: number; exact: boolean } => {
    const found = walk(doc, path);
    if (!found.complete || !found.node || !isScalar(found.node)) return { line: locate(path).line, exact: false };
    const start = at(found.node.range?.[0] ?? 0).line;
    if (found.node.type === 'BLOCK_LITERAL') return { line: start + 1, exact: true };
    return { line: start, exact: false };
  };

  return { value, problems, locate, textStart };
}

function safeToJs(doc: Document): unknown {
  try {
    return doc.toJS();
  } catch {
    return undefined;
  }
}

interface Walked {
  node: Node | null | undefined;
  /** Offset of the key that leads to `node`, when `node` is a mapping's value. */
  keyOffset: number | undefined;
  /** False when the path stopped early because a key or item is missing. */
  complete: boolean;
}

function walk(doc: Document, path: readonly PropertyKey[]): Walked {
  let node = doc.contents as Node | null;
  let keyOffset: number | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) return { node, keyOffset, complete: false };
      keyOffset = isScalar(pair.key) ? pair.key.range?.[0] : undefined;
      node = (pair.value as Node | null) ?? null;
      if (!node) return { node: null, keyOffset, complete: false };
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as Node | undefined;
      if (!item) return { node, keyOffset, complete: false };
      node = item;
      keyOffset = undefined;
    } else {
      return { node, keyOffset, complete: false };
    }
  }
  return { node, keyOffset, complete: true };
}

const INDENT_CODES = new Set(['DUPLICATE_KEY', 'TAB_AS_INDENT', 'BAD_INDENT']);

/**
 * The first line, up to `lastLine`, whose indentation cannot be right: deeper than the line above
 * when that line opens no group (no trailing ":" and no "- " item), or shallower than the line
 * above at a column no line above it starts at. Comments, blank lines and block text (after
 * "|" or ">") are skipped. Lines are 1-based within `text`.
 */
export function findIndentSlip(text: string, lastLine: number): { line: number; column: number; message: string } | undefined {
  const lines = text.split(/\r\n|\n|\r/);
  // Columns a later line may start at: each enclosing key's, and each "- " item's content.
  let columns: number[] = [0];
  let previous: { indent: number; opens: boolean; itemContent?: number } | undefined;
  let blockIndent: number | undefined;
  for (let i = 0; i < Math.min(lines.length, lastLine); i++) {
    const raw = lines[i]!;
    const content = raw.trimStart();
    const indent = raw.length - content.length;
    if (content === '' || content.startsWith('#')) continue;
    if (blockIndent !== undefined) {
      if (indent > blockIndent) continue;
      blockIndent = undefined;
    }
    if (raw.startsWith('---') || raw.startsWith('...')) continue;
    const line = i + 1;
    if (previous && indent > previous.indent && !previous.opens && indent !== previous.itemContent) {
      return {
        line,
        column: indent + 1,
        message: `this line is indented further than the line above, which does not start a group: indent it ${previous.itemContent ?? previous.indent} spaces, like the key above it`,
      };
    }
    if (previous && indent < previous.indent && !columns.includes(indent)) {
      const near = columns.filter((c) => c < previous!.indent).sort((a, b) => Math.abs(a - indent) - Math.abs(b - indent));
      return {
        line,
        column: indent + 1,
        message: `this line is indented ${indent} spaces, where no line above starts: indent it ${near.slice(0, 2).join(' or ')} spaces, like the keys of the group it belongs to`,
      };
    }
    columns = columns.filter((c) => c <= indent);
    if (!columns.includes(indent)) columns.push(indent);
    const item = /^-(\s+)/.exec(content);
    const itemContent = item ? indent + 1 + item[1]!.length : undefined;
    if (itemContent !== undefined) columns.push(itemContent);
    const value = content.replace(/\s+#.*$/, '');
    // An unclosed [ or { makes the next lines part of it: the bracket is the problem, not them.
    const bare = value.replace(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'/g, '');
    if ((bare.match(/[[{]/g)?.length ?? 0) > (bare.match(/[\]}]/g)?.length ?? 0)) return undefined;
    if (/:\s*[|>][+-]?\d*$/.test(value)) blockIndent = indent;
    previous = { indent, opens: /:$/.test(value) || value === '-', ...(itemContent !== undefined ? { itemContent } : {}) };
  }
  return undefined;
}

// The yaml package's messages end with " at line N, column M:" and a code excerpt, which our own
// file:line prefix already covers; some codes deserve a hint about what usually causes them.
function yamlErrorMessage(code: string, message: string): string {
  const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '').trim();
  const hints: Record<string, string> = {
    DUPLICATE_KEY: 'remove one of the two, or rename it',
    TAB_AS_INDENT: 'indent with spaces, not tabs',
    BAD_INDENT: 'check the indentation of this line against the lines above it',
    MISSING_CHAR: 'a bracket or quote is not closed',
    BLOCK_AS_IMPLICIT_KEY: 'a value containing ": " must be put in quotes',
    MULTILINE_IMPLICIT_KEY: 'look for a bracket or quote that is not closed, or put a value containing ": " in quotes',
  };
  const hint = hints[code];
  return `YAML syntax: ${first}${hint ? `; ${hint}` : ''}`;
}

export type FrontMatter =
  | {
      ok: true;
      /** The YAML between the fences. */
      yaml: string;
      /** File line of the YAML's first line. */
      yamlLine: number;
      /** Everything after the closing fence. */
      body: string;
      /** File line of the body's first line. */
      bodyLine: number;
    }
  | { ok: false; line: number; message: string };

/**
 * Splits `---` fenced YAML front matter from a Markdown file. Line endings must already be `\n`.
 * The closing fence may be `---` or `...`, as in Jekyll and Pandoc.
 */
export function splitFrontMatter(text: string): FrontMatter {
  const lines = text.split('\n');
  if ((lines[0] ?? '').trimEnd() !== '---') {
    return {
      ok: false,
      line: 1,
      message:
        'the file does not start with front matter: make its first line "---", then title, opens, closes and author, one per line, then another "---"',
    };
  }
  const close = lines.findIndex((l, i) => i > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'));
  if (close < 0) {
    return {
      ok: false,
      line: 1,
      message: 'the front matter that starts on line 1 is never closed: add a line "---" after its last key',
    };
  }
  return {
    ok: true,
    yaml: lines.slice(1, close).join('\n'),
    yamlLine: 2,
    body: lines.slice(close + 1).join('\n'),
    bodyLine: close + 2,
  };
}
