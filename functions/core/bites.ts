// Daily bites: a training sent as a short overview, then one part a working day. Pure: the parts
// are cut from the training as it was parsed, so publish (templates), the schedule plan (one job
// per part) and the planners (which template for whom) all count the same parts.
//
// Where a training is cut:
//   sections     the article has two or more `## ` headings: each section is a part, and the
//                strategies (if any) are one more, last part; the text before the first heading
//                opens the overview;
//   strategies   otherwise, with two or more strategies: each strategy is a part, and the whole
//                article is the overview;
//   none         fewer than two of either: the training cannot be sent as bites.
// Every part is a Training of its own (the same slug and order, so links, reply addresses and
// replies belong to the training), which is what lets the training email's template carry it.
import type { Training } from './model.ts';

export interface Bites {
  how: 'sections' | 'strategies';
  /** Part 0: what the training is about and which parts follow on which days. */
  overview: Training;
  /** Parts 1…n, one a working day after the overview. */
  parts: Training[];
}

/** At most this many parts: two working weeks of bites is already a long training. */
export const MAX_BITES = 10;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SECTION = /^ {0,3}##[ \t]+(.+?)[ \t]*#*[ \t]*$/;

/** The article cut at its `## ` headings (outside code fences): the lead, then each section. */
export function sectionsOf(body: string): { lead: string; sections: Array<{ title: string; body: string }> } {
  const lines = body.split('\n');
  let fence: string | undefined;
  const lead: string[] = [];
  const sections: Array<{ title: string; lines: string[] }> = [];
  for (const line of lines) {
    const m = FENCE.exec(line);
    if (fence) {
      if (m && m[1]![0] === fence[0] && m[1]!.length >= fence.length && line.trim() === m[1]) fence = undefined;
    } else if (m) fence = m[1];
    else {
      const h = SECTION.exec(line);
      if (h) {
        sections.push({ title: h[1]!, lines: [] });
        continue;
      }
    }
    (sections.at(-1)?.lines ?? lead).push(line);
  }
  return { lead: lead.join('\n').trim(), sections: sections.map((s) => ({ title: s.title, body: s.lines.join('\n').trim() })) };
}

/** How many parts a training would be sent in as bites, 0 when it cannot be. */
export function biteCount(training: Pick<Training, 'body' | 'strategies'>): number {
  const { sections } = sectionsOf(training.body);
  if (sections.length >= 2) return Math.min(MAX_BITES, sections.length + (training.strategies.length > 0 ? 1 : 0));
  return training.strategies.length >= 2 ? Math.min(MAX_BITES, training.strategies.length) : 0;
}

/** Why a training cannot be sent as bites, for the trainer; undefined when it can. */
export function bitesProblem(training: Pick<Training, 'body' | 'strategies'>): string | undefined {
  const { sections } = sectionsOf(training.body);
  const parts = sections.length >= 2 ? sections.length + (training.strategies.length > 0 ? 1 : 0) : training.strategies.length;
  if (parts > MAX_BITES) {
    return `format: bites sends one part a working day, at most ${MAX_BITES}; this training has ${parts} parts: merge some "## " sections or send it whole (format: whole)`;
  }
  if (biteCount(training) === 0) {
    return (
      `format: bites needs a training to cut into parts, and this one has ${sections.length} "## " section${sections.length === 1 ? '' : 's'} ` +
      `and ${training.strategies.length} strateg${training.strategies.length === 1 ? 'y' : 'ies'}: give the article two or more "## " headings, ` +
      'write two or more strategies, or send it whole (format: whole)'
    );
  }
  return undefined;
}

const partTitle = (training: Training, n: number, of: number, title: string) => `${training.title} · part ${n} of ${of}: ${title}`;

/** The overview and the parts, or undefined when the training cannot be cut (biteCount 0). */
export function splitIntoBites(training: Training): Bites | undefined {
  const count = biteCount(training);
  if (count === 0) return undefined;
  const { lead, sections } = sectionsOf(training.body);
  const how = sections.length >= 2 ? 'sections' : 'strategies';
  const titles: string[] = [];
  const parts: Training[] = [];
  if (how === 'sections') {
    const withStrategies = training.strategies.length > 0;
    const room = count - (withStrategies ? 1 : 0);
    // Over the limit, the last sections travel together in the last part before the strategies.
    for (let i = 0; i < room; i++) {
      const own = i === room - 1 ? sections.slice(i) : [sections[i]!];
      const title = own[0]!.title;
      const body = own.map((s, j) => (j === 0 ? s.body : `## ${s.title}\n\n${s.body}`)).join('\n\n');
      titles.push(title);
      parts.push({ ...training, title: partTitle(training, i + 1, count, title), body, strategies: [] });
    }
    if (withStrategies) {
      titles.push('Strategies');
      parts.push({ ...training, title: partTitle(training, count, count, 'Strategies'), body: 'The ways to put it into practice. Adopt one, or share a way of your own.', strategies: training.strategies });
    }
  } else {
    const strategies = [...training.strategies].sort((a, b) => a.number - b.number);
    for (let i = 0; i < count; i++) {
      const own = i === count - 1 ? strategies.slice(i) : [strategies[i]!];
      titles.push(own[0]!.title);
      parts.push({ ...training, title: partTitle(training, i + 1, count, `strategy #${own[0]!.number}`), body: `Today's part of “${training.title}”: one way to put it into practice.`, strategies: own });
    }
  }
  const plan = titles.map((t, i) => `${i + 1}. ${t}`).join('\n');
  const intro = how === 'sections' ? lead : training.body;
  const overview: Training = {
    ...training,
    body: [intro, `**This training comes in ${count} short parts, one each working day:**`, plan, 'Reply to any of them: every reply counts for this training.']
      .filter((s) => s.trim() !== '')
      .join('\n\n'),
    strategies: [],
  };
  return { how, overview, parts };
}
