// The acknowledgement of a “preferences” or “resume” reply speaks the participant's language, as
// the rest of the ack does (functions/mail/doubts.ts, messages/<lang>.ts).
import { describe, expect, it } from 'vitest';
import { ackBody } from '#mail/doubts';
import { t } from '#mail/messages/index';
import type { Training } from '#core/model';

const training: Training = {
  slug: '01-sync',
  order: 1,
  title: 'A productive sync',
  opens: '2026-01-18',
  closes: '2026-01-31',
  author: 'Maya',
  media: {},
  body: 'Text',
  strategies: [],
};
const sign = () => 'https://links.example/x';
const preferences = 'https://links.example/prefs?t=abc';

describe('the preferences block of an acknowledgement', () => {
  it.each(['de', 'ar', 'ja'] as const)('is written in %s, with the link to the page', (language) => {
    for (const resumed of [false, true]) {
      const body = ackBody({ training, recorded: [], settings: { preferences, resumed }, sign, language });
      const line = t(language, resumed ? 'ack.resumed' : 'ack.choose');
      expect(line).not.toBe(t('en', resumed ? 'ack.resumed' : 'ack.choose'));
      expect(body.text).toContain(line);
      expect(body.text).toContain(`${t(language, 'ack.yourPreferences')}: ${preferences}`);
      expect(body.html).toContain(`href="${preferences}"`);
      expect(body.text).not.toContain('Your preferences');
    }
  });

  it('stays as it was in English', () => {
    const body = ackBody({ training, recorded: [], settings: { preferences, resumed: true }, sign });
    expect(body.text).toContain('Reminders are back on, and any pause is over: everything from the series comes again.');
    expect(body.text).toContain(`Your preferences: ${preferences}`);
  });
});
