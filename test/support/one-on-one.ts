// The five strategies of a 1:1 training that the reply-reading unit tests read replies against.
import type { Strategy } from '#core/model';

export const ONE_ON_ONE: Strategy[] = [
  { id: 'block-prep-time', number: 1, title: 'Block 15 minutes to prepare', body: '' },
  { id: 'write-a-shared-agenda', number: 2, title: 'Write a shared 1:1 agenda', body: '' },
  { id: 'keep-a-wins-log', number: 3, title: 'Keep a running log of wins and blockers', body: '' },
  { id: 'rotate-the-meeting-time', number: 4, title: 'Rotate the meeting time across time zones', body: '' },
  { id: 'end-with-action-items', number: 5, title: 'End with written action items', body: '' },
];
