import { describe, expect, it } from 'vitest';
import mjml2html from 'mjml';
import { REPLY_MARKER } from '#core/reply-marker';
import { fillEmail, placeholdersOf } from '#mail/fill';
import { LAYOUT_PLACEHOLDERS, layoutMjml } from '#emails/layout';
import { CANCEL_PLACEHOLDERS, cancelLayout, compileCancel, compileRemoved, removedLayout } from '#emails/cancel';
import { sampleSeries } from '#emails/sample';

const layout = { unsubscribeUrl: 'https://links.example.com/l/unsub', calendarsOffUrl: 'https://links.example.com/l/cal', preferencesUrl: 'https://links.example.com/l/prefs', timeZoneName: 'Brunei Time' };

describe('the cancellation emails', () => {
  it('are strict MJML', async () => {
    for (const input of [cancelLayout(sampleSeries), removedLayout(sampleSeries)]) {
      const result = await mjml2html(layoutMjml(input), { validationLevel: 'strict' });
      expect(result.errors).toEqual([]);
    }
  });

  it('a training cancellation names the training and its window', async () => {
    const compiled = await compileCancel(sampleSeries);
    expect([...new Set([...placeholdersOf(compiled.html), ...placeholdersOf(compiled.text)])].sort()).toEqual(
      [...CANCEL_PLACEHOLDERS, ...LAYOUT_PLACEHOLDERS].sort(),
    );
    const filled = fillEmail(compiled, { ...layout, firstName: 'Ana', trainingTitle: 'Launch & learn', window: 'Sunday 28 February – Sunday 14 March' });
    expect(filled.subject).toBe('Launch & learn is cancelled');
    expect(filled.html).toContain('Launch &amp; learn is cancelled');
    expect(filled.text.startsWith(REPLY_MARKER)).toBe(true);
    expect(filled.text).toContain('Hi Ana, this training (Sunday 28 February – Sunday 14 March) will not take place.');
  });

  it('a removal names the series, authored text kept literal', async () => {
    const series = { ...sampleSeries, title: 'Q1 {{firstName}} & co' };
    const compiled = await compileRemoved(series);
    const filled = fillEmail(compiled, { ...layout, firstName: 'Ana' });
    expect(filled.subject).toBe("You've been removed from Q1 {{firstName}} & co");
    expect(filled.text).toContain("You've been removed from Q1 {{firstName}} & co");
    expect(filled.text).toContain('Hi Ana, you are no longer taking part in this series');
    expect(filled.html).toContain('Q1 {{firstName}} &amp; co');
  });
});
