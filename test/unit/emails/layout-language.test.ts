// The frame in the reader's language: catalogue text escaped as HTML while its values (a bold
// title, a link) go in as HTML; Arabic marked right to left; English as it always was.
import { describe, expect, it } from 'vitest';
import { layoutMjml, layoutText, messageHtml } from '#emails/layout';
import { ackLayout } from '#emails/ack';
import type { Series } from '#core/model';

const series: Series = {
  id: 'demo',
  title: 'Q1 & friends',
  intro: '',
  trainers: [
    { name: 'Maya Okafor', email: 'maya@example.com', timeZone: 'UTC' },
    { name: 'Daniel Brooks', email: 'daniel@example.com', timeZone: 'UTC' },
  ],
  defaultTimeZone: 'UTC',
  defaultWorkStart: '09:00',
  policies: { reminderDaysBeforeClose: 3, followUpWeeksAfterClose: 3, digest: { day: 'mon', hour: 9 }, rollup: { day: 'fri', hour: 10 }, acknowledgeContributions: true },
};

describe('messageHtml', () => {
  it('escapes the message but not its values', () => {
    expect(messageHtml('en', 'common.repliesGoTo', { address: '<a href="mailto:x">x</a>' })).toBe('Replies go to <a href="mailto:x">x</a>');
    expect(messageHtml('de', 'layout.why', { title: '<strong>Q1 &amp; friends</strong>', trainers: 'Maya und Daniel' })).toBe(
      'Du bekommst diese E-Mail, weil du an <strong>Q1 &amp; friends</strong> teilnimmst, einer Trainingsreihe von Maya und Daniel.',
    );
  });
});

describe('the frame per language', () => {
  it('English keeps its words, lang="en" and no dir', () => {
    const mjml = layoutMjml(ackLayout(series, 'en'));
    expect(mjml).toMatch(/^<mjml lang="en">/);
    expect(mjml).toContain('You get this because you are taking part in <strong>Q1 &amp; friends</strong>, a training series run by Maya Okafor and Daniel Brooks.');
    expect(layoutText(ackLayout(series, 'en'))).toContain('Unsubscribe from this series: {{unsubscribeUrl}}');
  });

  it('Arabic is written right to left, with its own list of trainers', () => {
    const layout = ackLayout(series, 'ar');
    expect(layoutMjml(layout)).toMatch(/^<mjml lang="ar" dir="rtl">/);
    expect(layoutText(layout)).toContain('إلغاء الاشتراك في هذه السلسلة: {{unsubscribeUrl}}');
    expect(layoutText(layout).replace(/\s+/g, ' ')).toContain('Maya Okafor وDaniel Brooks');
  });
});
