// A realistic series for previews, tests and the fill benchmark, built directly from the model so
// the emails do not depend on the series folder parser. Content follows the seed story (four
// trainings, one every two weeks) and deliberately includes what breaks email layouts: a wide
// screenshot, a gif, a code block, a long URL, a quote, a table and a very long unbreakable word.
import type { Participant, Series, Training } from '#core/model';

export const sampleSeries: Series = {
  id: 'q1-productivity',
  title: 'Q1 Productivity',
  intro: [
    'Over the next eight weeks we will share **four short trainings** on productivity, communication and',
    'organisation. There are no "right" strategies here, so we want yours too: every training ends with',
    'a few strategies, and a window of two weeks in which you can tell the team what works for you.',
    '',
    'No meetings, no calls: everything happens by email, whenever your day allows.',
  ].join('\n'),
  trainers: [
    { name: 'Juliet Chen', email: 'juliet@example.com', timeZone: 'America/Los_Angeles' },
    { name: 'Darcy Peters', email: 'darcy@example.com', timeZone: 'Europe/London' },
  ],
  defaultTimeZone: 'America/New_York',
  defaultWorkStart: '09:00',
  policies: {
    reminderDaysBeforeClose: 3,
    followUpWeeksAfterClose: 3,
    digest: { day: 'mon', hour: 9 },
    rollup: { day: 'fri', hour: 10 },
    encourage: { atLeast: 2, of: 4 },
    acknowledgeContributions: true,
  },
};

const article = `Our 1:1s are the one meeting where **you** set the agenda. Used well, they turn into the most
productive half hour of your week; used as a status update, they are a meeting that could have been
a message. This training is about the first kind.

## Before the meeting

Write the agenda in the shared doc *the day before*, so your manager can think about it:

1. One win from the past week (yes, always one)
2. One thing you are stuck on
3. One question about where the team is heading

![The shared 1:1 doc: three headings, a few bullet points under each, and a checklist of follow-ups](https://assets.example.com/trainings/one-on-one-doc.png)

> "The best 1:1s I have had were the ones where I came with a question I could not answer alone."
> — a teammate in Dubai

## During the meeting

- Start with the stuck thing, not the win: energy is highest at the start.
- Take notes in the doc, not in your head.
- End with who does what by when.

![A cat typing furiously on a laptop](https://assets.example.com/trainings/typing-cat.gif "width=240")

If you keep your agenda in a plain text file, this snippet turns it into a checklist you can paste
into the doc:

\`\`\`bash
grep -E '^(win|stuck|question):' agenda.txt | sed -E 's/^([a-z]+): (.*)$/- [ ] \\1 — \\2/' >> one-on-one-$(date +%Y-%m-%d).md
\`\`\`

| When | What | Who |
|------|------|-----|
| Day before | Write the agenda | You |
| During | Notes and follow-ups | Both |
| Day after | Tick off the follow-ups | You |

Further reading: the write-up that started this series,
https://buffer.com/resources/async-training-for-fully-distributed-teams/?utm_source=baton&utm_medium=email&utm_campaign=q1-productivity-training-series-2027
and our wiki page on [meeting notes](https://wiki.example.com/advocacy/meeting-notes).

Finally, a word our German colleagues taught us for the feeling after a great 1:1:
Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenzufriedenheit. (It is not a real word. It should be.)`;

const strategies: Training['strategies'] = [
  {
    id: 'agenda-the-day-before',
    number: 1,
    title: 'Write the agenda the day before',
    body: 'Put three lines in the shared doc: a win, a blocker, a question. It takes five minutes and changes the whole meeting.',
  },
  {
    id: 'stuck-first',
    number: 2,
    title: 'Start with what you are stuck on',
    body: 'Energy and attention are highest in the first ten minutes. Spend them on the hard thing.',
  },
  {
    id: 'who-what-when',
    number: 3,
    title: 'End with who, what, when',
    body: 'Before you leave, read the follow-ups aloud: *who* does *what* by *when*. Then put them in the doc.',
  },
  {
    id: 'async-1-1',
    number: 4,
    title: 'Make every other 1:1 asynchronous',
    body: 'Across many time zones, a written 1:1 in the shared doc (answered within a day) works better than a call at 11 pm. Try it every other week.',
  },
];

export const sampleTrainings: Training[] = [
  {
    slug: 'productive-one-on-ones',
    order: 1,
    title: 'Schedule a productive 1:1 with your manager',
    opens: '2027-01-21',
    closes: '2027-01-31',
    author: 'Juliet Chen',
    authorEmail: 'juliet@example.com',
    media: {
      audio: 'https://media.example.com/q1/productive-one-on-ones.mp3',
      video: 'https://media.example.com/q1/productive-one-on-ones.mp4',
      slides: 'https://slides.example.com/q1/productive-one-on-ones',
    },
    body: article,
    strategies,
  },
  {
    slug: 'keep-up-with-communications',
    order: 2,
    title: 'Keep up to date with company communications',
    opens: '2027-01-31',
    closes: '2027-02-14',
    author: 'Juliet Chen',
    media: {},
    body: 'How to read what matters without reading everything.',
    strategies: [{ id: 'weekly-digest-hour', number: 1, title: 'A weekly digest hour', body: 'One hour, once a week.' }],
  },
  {
    slug: 'performance-reviews-as-growth',
    order: 3,
    title: 'Performance reviews as a gateway to growth',
    opens: '2027-02-14',
    closes: '2027-02-28',
    author: 'Darcy Peters',
    media: {},
    body: 'Reviews are a conversation about the next year, not a verdict on the last one.',
    strategies: [{ id: 'brag-doc', number: 1, title: 'Keep a brag document', body: 'Write down wins as they happen.' }],
  },
  {
    slug: 'product-launch-prep',
    order: 4,
    title: 'Preparing for a product launch',
    opens: '2027-02-28',
    closes: '2027-03-14',
    author: 'Darcy Peters',
    media: {},
    body: 'What to do in the two weeks before customers see something new.',
    strategies: [{ id: 'launch-faq', number: 1, title: 'Draft the FAQ first', body: 'Write the answers before the questions arrive.' }],
  },
];

export const sampleParticipants: Participant[] = [
  { email: 'aisyah@example.com', name: 'Aisyah Rahman', timeZone: 'Asia/Brunei', workStart: '08:30' },
  { email: 'dave@example.com', name: 'Dave Chapman', timeZone: 'America/Los_Angeles', workStart: '09:00' },
];

/** Links as the signing service would produce them, long and full of characters that need escaping. */
export function sampleLinks(participant: Participant): { read: string; replyAddress: string; unsubscribe: string; calendarsOff: string; preferences: string } {
  const key = participant.email.split('@')[0] ?? 'x';
  return {
    read: `https://go.example.com/r?t=${key}.q1-productivity.productive-one-on-ones&sig=AbC123-_xyz`,
    replyAddress: `reply+${key}7k2mq4xz3d@in.example.com`,
    unsubscribe: `https://go.example.com/u?t=${key}.q1-productivity&sig=ZyX987-_abc`,
    calendarsOff: `https://go.example.com/c?t=${key}.q1-productivity&sig=QwE456-_cal`,
    preferences: `https://go.example.com/p?t=${key}.q1-productivity&sig=PrF789-_prefs`,
  };
}
