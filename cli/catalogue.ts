// Every `baton` command's name, one-line summary, usage, options and example, in one static list.
// `baton --help` prints this list without loading a single command module: loading them all
// pulled in the AWS SDK and mjml and cost seconds before anything was printed. Each command
// module takes its summary and usage from here, so the two cannot disagree.
// This file imports nothing: it is what the compiled CLI reads first.

export interface CommandInfo {
  summary: string;
  usage: string;
  /** `<argument>  what it is`, one per line, for the positionals the usage names. */
  arguments?: string[];
  /** `--option  what it does`, one per line, as `baton <command> --help` prints them. */
  options: string[];
  /** One or two command lines a trainer can copy. */
  examples: string[];
}

const TARGET = '--target local|aws   where to act: the local stack (default) or the deployed AWS stacks';

export const COMMANDS = {
  init: {
    summary: 'start a new series: write a folder with commented templates and a sample participants.csv',
    arguments: ['<dir>                a new or empty folder to write the series into'],
    usage: 'init <dir> [--title <text>] [--trainer "Name <email>"]… [--time-zone <zone>] [--opens <date>] [--trainings <n>] [--days <n>]',
    options: [
      '--title <text>         the series title (asked on a terminal; "Our training series" otherwise)',
      '--trainer "Name <email>"  a trainer running the series; repeat for more (asked on a terminal)',
      '--time-zone <zone>     the trainers\' and default participants\' IANA zone, e.g. Europe/Berlin',
      '--opens <YYYY-MM-DD>   the day the first training opens (default: next Monday)',
      '--trainings <n>        how many trainings to write (default 4)',
      '--days <n>             how long each training stays open (default 14)',
      '--yes                  take the defaults for anything not given; never ask',
    ],
    examples: ['baton init my-series', 'baton init q3-onboarding --title "Q3 onboarding" --trainer "Maya Okafor <maya@example.com>" --opens 2027-07-05 --trainings 3 --yes'],
  },
  validate: {
    summary: 'check a series folder and its participants; print every problem with file:line',
    arguments: ['<series-dir>         a series folder: series.yaml, trainings/NN-slug.md and (optional) participants.csv'],
    usage: 'validate <series-dir> [--participants <file.csv>]',
    options: ['--participants <file.csv>  check this CSV instead of the folder\'s participants.csv'],
    examples: ['baton validate examples/q1-productivity'],
  },
  publish: {
    summary: 'validate a series folder, enrol its participants.csv, print the plan and publish it',
    arguments: ['<series-dir>         a series folder: series.yaml, trainings/NN-slug.md and (optional) participants.csv'],
    usage: 'publish <series-dir> [--dry-run] [--no-participants] [--target local|aws]',
    options: [
      '--dry-run            print what would be sent to whom, and change nothing',
      '--no-participants    publish without enrolling the folder\'s participants.csv',
      TARGET,
    ],
    examples: ['baton publish examples/q1-productivity --dry-run', 'baton publish examples/q1-productivity'],
  },
  enroll: {
    summary: 'add or update the people of a published series from a CSV file',
    arguments: ['<series-id>          the id: line of its series.yaml (publish prints it in brackets), e.g. q1-productivity', "<participants.csv>   columns email,name and optionally timeZone,workStart,workDays,calendars (Excel's CSV is fine)"],
    usage: 'enroll <series-id> <participants.csv> [--target local|aws]',
    options: [TARGET],
    examples: ['baton enroll q1-productivity new-hires.csv'],
  },
  unenroll: {
    summary: 'remove people from a published series (they get a cancellation of their calendar holds)',
    arguments: ['<series-id>          the id: line of its series.yaml (publish prints it in brackets), e.g. q1-productivity', '<email>…             the address of each person to remove'],
    usage: 'unenroll <series-id> <email>… [--target local|aws]',
    options: [TARGET],
    examples: ['baton unenroll q1-productivity ana.reyes@example.com'],
  },
  status: {
    summary: 'who is enrolled, what went to how many people and what goes out when, then the funnel: sent, read, contributed, adopted, checked in',
    arguments: ['<series-id>          the id: line of its series.yaml (publish prints it in brackets), e.g. q1-productivity'],
    usage: 'status <series-id> [--json] [--target local|aws]',
    options: ['--json               the funnel as JSON, for scripts', TARGET],
    examples: ['baton status q1-productivity'],
  },
  preview: {
    summary: 'write every email of a series (all kinds, with sample activity) as .html, .txt, .ics and .eml',
    arguments: ['<series-dir>         a series folder: series.yaml, trainings/NN-slug.md and (optional) participants.csv'],
    usage: 'preview <series-dir> --out <dir> [--participant <email>]',
    options: ['--out <dir>            where to write the files (created if missing)', '--participant <email>  render as this person from participants.csv'],
    examples: ['baton preview examples/q1-productivity --out /tmp/preview'],
  },
  simulate: {
    summary: 'run a whole series on a virtual clock against the local servers, with scripted replies',
    arguments: ['<series-dir>         a series folder: series.yaml, trainings/NN-slug.md and (optional) participants.csv'],
    usage: 'simulate <series-dir> [--participants <n>] [--seed <n>] [--preferences] [--json]',
    options: [
      '--participants <n>   how many simulated people (default: the folder\'s CSV)',
      '--seed <n>           the random seed for who replies what',
      '--preferences        run twice: as is, then with some people choosing on the preferences page; compare mails per person per week',
      '--json               the report as JSON',
    ],
    examples: ['baton simulate examples/q1-productivity --participants 50', 'baton simulate examples/q1-productivity --preferences'],
  },
  export: {
    summary: 'export a series to wiki pages: Markdown, a static HTML site and the attachments',
    arguments: ['<series-id>          the id: line of its series.yaml (publish prints it in brackets), e.g. q1-productivity'],
    usage: 'export <series-id> --wiki <dir> [--target local|aws]',
    options: ['--wiki <dir>         where to write the pages', TARGET],
    examples: ['baton export q1-productivity --wiki /tmp/wiki'],
  },
  dev: {
    summary: 'run the whole product locally (what `npm start` runs)',
    usage: 'dev [--speed <factor>] [--from <date>] [--example <series-dir>] [--authenticate]',
    options: [
      '--speed <factor>       run the clock faster: 3600 runs an hour a second',
      '--from <date>          start the clock at this date, e.g. 2027-01-20',
      '--example <dir>        the series published on first start (default examples/q1-productivity)',
      '--no-example           publish nothing on first start',
      '--authenticate         check replies\' SPF/DKIM/DMARC as in production',
    ],
    examples: ['baton dev', 'baton dev --from 2027-01-20 --speed 3600'],
  },
  'parse-reply': {
    summary: 'show how a reply would be routed, verified, trimmed and classified (stores nothing)',
    arguments: ['<file.eml>           a reply saved from a mail program (raw message, .eml)'],
    usage:
      'parse-reply <file.eml> [--series <dir> [--answers <kind>] [--training <slug>] [--strategy <n>] [--teammate <email>]] [--json] [--target local]\n' +
      '  kind: kickoff | training | reminder | rollup | contribution | ack | upload-link | check-in | wrap-up',
    options: [
      '--series <dir>       read strategies from this series folder',
      '--answers <kind>     the email the reply answers (what its signed address says in production)',
      '--training <slug>    the training the reply answers',
      '--strategy <n>       for a check-in: the strategy number it asked about',
      '--teammate <email>   for a comment: whose contribution it answers',
      '--json               the result as JSON',
      TARGET,
    ],
    examples: ['baton parse-reply reply.eml --series examples/q1-productivity --answers training --training productive-one-on-ones --json'],
  },
  trim: {
    summary: 'print the reply text of a mail body: quoted history and signature removed',
    usage: 'trim [--jsonl] [--html]',
    options: ['--jsonl              read one JSON body per line, write one result per line', '--html               the body on stdin is HTML'],
    examples: ['baton trim < body.txt'],
  },
  recount: {
    summary: "rebuild a series' studio overview counters (and its pages' pointers) from everything it holds",
    arguments: ['<series-id>          the id: line of its series.yaml (publish prints it in brackets), e.g. q1-productivity'],
    usage: 'recount <series-id> [--target local|aws]',
    options: [TARGET],
    examples: ['baton recount q1-productivity'],
  },
  dlq: {
    summary: 'list what failed (jobs, send batches, replies, bounces) and re-drive it',
    usage: 'dlq list|replay [--target local|aws] [--queue <name>] [--id <id>… | --all]',
    options: ['--queue <name>       only this dead-letter queue', '--id <id>            replay this message (repeatable)', '--all                replay everything listed', TARGET],
    examples: ['baton dlq list', 'baton dlq replay --all'],
  },
  doctor: {
    summary: 'check that an AWS account and region are ready for Baton (or that the deployed stacks work)',
    usage: 'doctor [--target aws|local] [--domain <domain>] [--inbound-domain <domain>] [--skip-dns]',
    options: ['--domain <domain>          the sending domain to check in SES', '--inbound-domain <domain>  the reply domain (MX to SES)', '--skip-dns                 skip the DNS look-ups', TARGET],
    examples: ['baton doctor --domain example.com --inbound-domain reply.example.com'],
  },
} as const satisfies Record<string, CommandInfo>;

export type CommandName = keyof typeof COMMANDS;

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(COMMANDS, name);
}

/** Where the local stack's settings come from; printed under every help. */
export const ENVIRONMENT = [
  'Environment:',
  '  BATON_DATA_DIR     the local stack\'s data folder (default ./.data)',
  '  BATON_PORT_OFFSET  moves every local port (dynamo 8000, SES 8005, SMTP 2525, links 8787) by this much',
  '  CI                 set (to anything but "false"): no progress lines and no questions, as whenever output is not a terminal',
];

export function commandHelp(name: CommandName): string {
  const info: CommandInfo = COMMANDS[name];
  return [
    `Usage: baton ${info.usage}`,
    '',
    `${info.summary[0]!.toUpperCase()}${info.summary.slice(1)}.`,
    ...(info.arguments?.length ? ['', 'Arguments:', ...info.arguments.map((a) => `  ${a}`)] : []),
    ...(info.options.length ? ['', 'Options:', ...info.options.map((o) => `  ${o}`)] : []),
    '',
    info.examples.length > 1 ? 'Examples:' : 'Example:',
    ...info.examples.map((e) => `  ${e}`),
    '',
    ...ENVIRONMENT,
  ].join('\n');
}

export function overallHelp(): string {
  const lines = ['baton — asynchronous training series by email', '', 'Usage: baton <command> [options]', ''];
  for (const [, info] of Object.entries(COMMANDS)) lines.push(`  baton ${info.usage}`, `      ${info.summary}`);
  lines.push(
    '',
    'A first series: baton init my-series && baton validate my-series && baton publish my-series --dry-run',
    'Run `baton <command> --help` for its options and an example.',
    '',
    ...ENVIRONMENT,
  );
  return lines.join('\n');
}
