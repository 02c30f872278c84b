// The files `baton init` writes: a series folder that validates as written, with every line a
// trainer must change marked and every key explained. Pure: the answers come in, the files go out.
import { addDays } from '#core/time';

export interface Trainer {
  name: string;
  email: string;
}

export interface ScaffoldAnswers {
  /** The series id: lowercase letters, digits and dashes (the folder's name by default). */
  id: string;
  title: string;
  trainers: Trainer[];
  timeZone: string;
  /** The day the first training opens, YYYY-MM-DD. */
  opens: string;
  trainings: number;
  /** Days each training stays open; the next opens the day after. */
  days: number;
}

/** "Q3 Onboarding!" or "my_series" -> a valid series id. */
export function seriesIdFrom(text: string): string {
  const id = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return id || 'my-series';
}

/** "Maya Okafor <maya@example.com>" -> a trainer, or undefined when it is not that shape. */
export function parseTrainer(text: string): Trainer | undefined {
  const match = /^\s*(.+?)\s*<\s*([^<>\s]+@[^<>\s]+)\s*>\s*$/.exec(text);
  return match ? { name: match[1]!, email: match[2]! } : undefined;
}

/** Training n's window: consecutive, without overlap. */
export function trainingWindow(answers: Pick<ScaffoldAnswers, 'opens' | 'days'>, index: number): { opens: string; closes: string } {
  const opens = addDays(answers.opens, index * answers.days);
  return { opens, closes: addDays(opens, answers.days - 1) };
}

const yamlString = (s: string) => JSON.stringify(s);

function seriesYaml(a: ScaffoldAnswers): string {
  const trainers = a.trainers
    .map((t) => `  - name: ${yamlString(t.name)}\n    email: ${t.email}\n    timeZone: ${a.timeZone}`)
    .join('\n');
  return `# A Baton series is a folder:
#
#   series.yaml            this file: who runs the series and how it behaves
#   trainings/NN-slug.md   one file per training, sent in NN order; the slug names it for good
#   participants.csv       the people; \`baton publish\` enrols them
#
# After every edit: baton validate <this folder>. Every problem comes back with the file and the
# line to fix. Keys are case-sensitive; a misspelt key is reported, not ignored. Indent with spaces.

# The series id: lowercase letters, digits and dashes. It ends up in links and calendar entries,
# so keep it once the series is published.
id: ${a.id}

title: ${yamlString(a.title)}

# The introduction in Markdown, sent in the kickoff email above the calendar of trainings.
# Links and images need full https:// addresses: the email is read far from this folder.
# TODO: say what the series is about and what you hope people take from it.
intro: |
  Hello team! Over the next weeks a new training lands in your inbox every ${a.days === 7 ? 'week' : `${a.days} days`}.
  Read it when it suits your day, then reply to the email: tell us which strategy you'd like to
  adopt and why, or share one of your own. We'll share everyone's ideas every Friday.

# The people running the series. Their time zone sets when their weekly digest arrives.
trainers:
${trainers}

# Used for participants whose timeZone or workStart cell in the CSV is empty. Time zones are IANA
# names (Region/City), so daylight saving time is handled: Asia/Kolkata, not "UTC+5:30".
defaultTimeZone: ${a.timeZone}
defaultWorkStart: "09:00"

# Every policy is optional; these are the defaults. Delete what you do not want to change.
policies:
  # The one reminder to people who have not answered yet, this many days before a window closes.
  reminderDaysBeforeClose: 3
  # "How did it go?" check-ins to everyone who adopted a strategy, weeks after the window closes.
  followUpWeeksAfterClose: 3
  # When trainers get their weekly digest, in the trainer's own time zone (day: monday … sunday).
  digest:
    day: monday
    hour: 9
  # When participants get the roll-up of their teammates' contributions, in their own time zone.
  rollup:
    day: friday
    hour: 10
  # Whether people get a short thank-you email when their contribution is recorded.
  acknowledgeContributions: true
`;
}

function trainingMd(a: ScaffoldAnswers, index: number): string {
  const { opens, closes } = trainingWindow(a, index);
  const author = a.trainers[index % a.trainers.length]!;
  return `---
# TODO: the title people see in their inbox and calendar.
title: Training ${index + 1}
# The submission window, in each participant's own time zone: first day and last day (inclusive).
opens: ${opens}
closes: ${closes}
author: ${yamlString(author.name)}
authorEmail: ${author.email}
# Optional links, shown under the article: audio, video, slides (full https:// addresses).
#
# Below: the article in Markdown, then a "## Strategies" section. Each strategy is a numbered item
# that starts with its title in bold. People answer "Adopt #2", so keep the order once it is out.
---

TODO: write the article in Markdown. A few paragraphs people can read in five minutes: why this
matters to the team, and what good looks like.

## Strategies

1. **First strategy.** TODO: what to do, in two or three sentences, and why it works.
2. **Second strategy.** TODO: another concrete practice someone can start this week.
3. **Third strategy.** TODO: one more, ideally from someone on the team.
`;
}

const SAMPLE_CSV = `email,name,timeZone,workStart
ana.reyes@example.com,Ana Reyes,America/Los_Angeles,09:00
kenji.sato@example.com,Kenji Sato,Asia/Tokyo,09:00
priya.nair@example.com,Priya Nair,Asia/Kolkata,
`;

/** Every file of a new series folder, by path relative to it. */
export function scaffoldSeries(a: ScaffoldAnswers): Map<string, string> {
  const files = new Map<string, string>([['series.yaml', seriesYaml(a)]]);
  for (let i = 0; i < a.trainings; i++) {
    files.set(`trainings/${String(i + 1).padStart(2, '0')}-training-${i + 1}.md`, trainingMd(a, i));
  }
  // The sample people: replace them with yours (columns: email, name, timeZone, workStart; an
  // empty zone or start takes the series' defaults). Spreadsheets may save it with ; too.
  files.set('participants.csv', SAMPLE_CSV);
  return files;
}
