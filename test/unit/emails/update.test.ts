import { describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { REPLY_MARKER } from '#core/reply-marker';
import { fillEmail, placeholdersOf } from '#mail/fill';
import { LAYOUT_PLACEHOLDERS, layoutMjml } from '#emails/layout';
import { compileUpdate, updateLayout, UPDATE_PLACEHOLDERS } from '#emails/update';
import { sampleSeries } from '#emails/sample';

const values = {
  unsubscribeUrl: 'https://links.example.com/l/unsub',
  calendarsOffUrl: 'https://links.example.com/l/cal',
  preferencesUrl: 'https://links.example.com/l/prefs',
  timeZoneName: 'Brunei Time',
  firstName: 'Nurul',
  trainingTitle: 'A productive <1:1> sync',
  window: 'Thursday 21 January – Wednesday 3 February',
  deadline: 'Wednesday 3 February, end of your day (23:59 Brunei Time)',
  holds: 'its window and your focus time',
};

describe('the update email', () => {
  it('is strict MJML', async () => {
    const result = await mjml2html(layoutMjml(updateLayout(sampleSeries)), { validationLevel: 'strict' });
    expect(result.errors).toEqual([]);
  });

  it('asks for exactly its placeholders and the layout’s, in the subject too', async () => {
    const compiled = await compileUpdate(sampleSeries);
    const wanted = [...UPDATE_PLACEHOLDERS, ...LAYOUT_PLACEHOLDERS].sort();
    expect([...new Set([...placeholdersOf(compiled.html), ...placeholdersOf(compiled.text)])].sort()).toEqual(wanted);
    expect(placeholdersOf(compiled.subject).sort()).toEqual(['trainingTitle', 'window']);
  });

  it('says what moved and to when, escaped in HTML and plain in text', async () => {
    const filled = fillEmail(await compileUpdate(sampleSeries), values);
    expect(filled.subject).toBe('A productive <1:1> sync moved: now Thursday 21 January – Wednesday 3 February');
    expect(filled.html).toContain('A productive &lt;1:1&gt; sync moved');
    expect(filled.html).not.toContain('<1:1>');
    expect(filled.text.startsWith(REPLY_MARKER)).toBe(true);
    expect(filled.text).toContain('Now: Thursday 21 January – Wednesday 3 February');
    expect(filled.text).toContain('Closes: Wednesday 3 February, end of your day (23:59 Brunei Time)');
    expect(filled.text).toContain('moves its window and your focus time in your calendar');
  });
});
