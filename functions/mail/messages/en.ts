// Baton's own words in English: the reference catalogue every other language must match key for
// key, placeholder for placeholder (test/unit/mail/messages.test.ts). `{name}` is a value filled
// in; `{n, plural, one {…} other {…}}` picks a form with Intl.PluralRules (`#` is the number).
// The trainer's content is never in here: it goes out as they wrote it.
export const en = {
  // The frame of every participant email (emails/layout.ts).
  'layout.why': 'You get this because you are taking part in {title}, a training series run by {trainers}.',
  'layout.zone': 'Dates are shown in your time zone ({zone}).',
  'layout.questions': 'Questions? Just reply to this email.',
  'layout.unsubscribe': 'Unsubscribe from this series',
  'layout.calendarsOff': 'Turn off calendar entries',
  'layout.preferences': 'Choose what you get',

  // Shared by the emails that ask for an answer.
  'common.closes': 'Closes:',
  'common.yourTurn': 'Your turn',
  'common.shareStrategy': 'Share a strategy',
  'common.shareTitle': 'Share a strategy for "{title}"',
  'common.shareBySubject': 'Share a strategy: reply with the subject {subject}',
  'common.adopt': 'Adopt #{number}',
  'common.justReply': 'Or just reply to this email: write above the line at the top.',
  'common.repliesGoTo': 'Replies go to {address}',
  'common.training': 'Training {n} of {of}',
  'common.deadline': '{date}, end of your day (23:59 {zone})',

  // The reminder (emails/reminder.ts, mail/values.ts, app/planners/reminder.ts).
  'reminder.subject': 'Open until {date}: {title}',
  'reminder.friendly': 'a friendly reminder',
  'reminder.greeting': 'Hi {firstName}, {nudge}',
  'reminder.nudgeRead': "you've read it, thank you! One line on what you'll try counts as a contribution, and it helps your teammates as much as a long answer.",
  'reminder.nudgeUnread': 'this window closes soon, and we would love to hear from you. One line on what works for you, or on which strategy you would try, is plenty.',
  'reminder.lastForNow': 'This is the last reminder we send you for now: the trainings will keep coming, without nudges. Reply "resume" to any email from the series to have reminders again.',
  'reminder.sharedSoFar': 'What your teammates shared so far',
  'reminder.pickOne': "Or pick one of the strategies and say why and how you'll use it:",
  'reminder.adoptBySubject': 'Adopt #{number} ({title}): reply with the subject {subject} and say why and how',
  'reminder.preheader': 'The window for "{title}" closes {date}. One line counts.',
  'reminder.nobodyYet': 'Nobody has shared anything for this training yet: yours could be the first.',
  'reminder.more': '…and {more, plural, one {# more contribution} other {# more contributions}}.',
  'reminder.teammate': 'A teammate',
  'reminder.sharedStrategy': 'shared a strategy',
  'reminder.willTry': 'will try #{number}, {title}',
  'reminder.willTryOne': 'will try one of the strategies',
  'reminder.commentedOnIdea': "commented on a teammate's idea",
  'reminder.commented': 'commented',
  'progress.sofar': 'You have contributed to {contributed} of the {of} trainings so far',
  'progress.done': '{sofar}.',
  'progress.reached': '{sofar}: you have reached the goal of {atLeast}, thank you! This one is a bonus.',
  'progress.closer': '{sofar}; the goal is at least {atLeast}, so this one {missing, plural, one {gets you there} other {gets you closer}}.',

  // The acknowledgement (emails/ack.ts, app/receive-reply.ts, mail/doubts.ts).
  'ack.intro': 'Hi {firstName}, thanks! We got your reply to “{trainingTitle}” and read it as {understood}.',
  'ack.correct':
    'Or reply to this email and say it in a sentence ("I meant #1"): a reply to this email corrects what is recorded above. Your words above are what teammates will see in the roll-up.',
  'ack.preheader': 'We read it as {understood}.',
  'ack.recorded': 'Recorded: {what}',
  'ack.notMeant': 'Not what you meant? One click:',
  'ack.corrected': 'This replaces what we recorded before; the earlier version no longer shows anywhere.',
  'ack.question': 'We could not tell what you meant, so nothing is recorded yet. Which is it?',
  'ack.rejoin': 'You asked to rejoin: one click brings you back, and the trainers have been told.',
  'ack.resubscribeMe': 'Resubscribe me',
  'ack.resubscribe': 'Resubscribe: {url}',
  'ack.stopped': 'You will get no more {what} from this series; everything else stays as it was.',
  'ack.turnBackOn': 'Turn {what} back on',
  'ack.turnThemBackOn': 'Turn them back on: {url}',
  'ack.noText': '(no text: your files are attached to it)',
  'understood.adopt': 'your adoption of {named}',
  'understood.strategy': 'a strategy of your own',
  'understood.strategyFiles': 'a strategy of your own (with {count, plural, one {# file} other {# files}})',
  'understood.commentTeammate': "a comment on a teammate's contribution",
  'understood.commentTraining': 'a comment on the training',
  'understood.feedback': 'feedback on the series',
  'understood.followUp': 'how {named} went for you',
  'understood.followUpRated': 'how {named} went for you ({rating} of 5)',
  'understood.reply': 'a reply',
  'understood.rejoin': 'a request to rejoin the series',
  'understood.unclear': 'something we could not place',
  'understood.change': 'a change to what you get',
  'understood.preferences': 'a question about what you get',
  'recorded.adopt': 'you will adopt {named}',
  'recorded.feedback': 'feedback for the trainers',
  'strategy.named': '#{number} “{title}”',
  'strategy.unnamed': 'one of the strategies',
  'choice.ownStrategy': 'my own strategy',
  'choice.adopt': 'adopt #{number}',
  'choice.comment': 'a comment',
  'choice.feedback': 'feedback',
  'choice.nothing': 'nothing to record',
  'choice.withdraw': 'withdraw it',
  'preference.reminders': 'reminders',
  'preference.rollups': 'weekly roll-ups',
  'preference.checkIns': 'check-ins',
  'preference.calendar': 'calendar invitations',

  // Audio version (emails/training.ts).
  'audio.listen': 'Listen, {minutes} min',
} as const;

export type MessageKey = keyof typeof en;
export type Catalogue = { readonly [K in MessageKey]: string };
