// Every catalogue says everything English says, with the same values, and nothing more: a missing
// key would send English (or nothing) to someone who reads German; a placeholder renamed in
// translation would throw at send time. Plurals pick the language's own forms.
import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '#core/model';
import { argumentsOf, CATALOGUES, directionOf, formatMessage, listOf, t } from '#mail/messages/index';

const reference = CATALOGUES.en;
/** Words many languages borrow as they are ("feedback", "audio", "video", "kudos", French "contribution"). */
const SAME_IN_MANY = ['choice.feedback', 'page.as.feedback', 'rollup.kudos', 'survey.audio', 'survey.video', 'count.contributions'];

describe('message catalogues', () => {
  it('exist for every language Baton reads replies in', () => {
    expect(Object.keys(CATALOGUES).sort()).toEqual([...LANGUAGES].sort());
  });

  for (const language of LANGUAGES.filter((l) => l !== 'en')) {
    it(`${language}: the same keys as English, none missing and none extra`, () => {
      const keys = Object.keys(CATALOGUES[language]);
      const missing = Object.keys(reference).filter((k) => !keys.includes(k));
      const extra = keys.filter((k) => !(k in reference));
      expect({ missing, extra }).toEqual({ missing: [], extra: [] });
    });

    it(`${language}: every message parses and uses exactly English's placeholders`, () => {
      const mismatched = Object.entries(reference).flatMap(([key, english]) => {
        const theirs = (CATALOGUES[language] as Record<string, string>)[key];
        if (theirs === undefined) return [];
        const a = argumentsOf(english).join(',');
        const b = argumentsOf(theirs).join(',');
        return a === b ? [] : [`${key}: {${b}} instead of {${a}}`];
      });
      expect(mismatched).toEqual([]);
    });

    it(`${language}: no message is left empty or in English`, () => {
      const untranslated = Object.entries(reference).filter(([key, english]) => {
        const theirs = (CATALOGUES[language] as Record<string, string>)[key];
        if (theirs === undefined) return false; // reported as missing above
        return theirs.trim() === '' || (theirs === english && /[a-z]{4,}/.test(english.replace(/\{[^}]*\}/g, '')) && !SAME_IN_MANY.includes(key));
      });
      expect(untranslated.map(([k]) => k)).toEqual([]);
    });
  }

  it('English is the reference: every message parses', () => {
    for (const [key, english] of Object.entries(reference)) expect(() => argumentsOf(english), key).not.toThrow();
  });
});

describe('formatMessage', () => {
  it('fills values and picks plural forms with Intl.PluralRules', () => {
    expect(t('en', 'understood.strategyFiles', { count: 1 })).toBe('a strategy of your own (with 1 file)');
    expect(t('en', 'understood.strategyFiles', { count: 3 })).toBe('a strategy of your own (with 3 files)');
    expect(t('de', 'understood.strategyFiles', { count: 1 })).toBe('eine eigene Strategie (mit 1 Datei)');
    expect(t('de', 'reminder.more', { more: 2 })).toBe('…und 2 weitere Beiträge.');
    // Arabic has six forms: two is its own.
    expect(t('ar', 'reminder.more', { more: 2 })).toBe('…ومساهمتان أخريان.');
    expect(t('ar', 'reminder.more', { more: 5 })).toBe('…و5 مساهمات أخرى.');
    // The check-in's "a week ago" and the wrap-up's counts.
    expect(t('en', 'followUp.when', { weeks: 1, n: 2, of: 4 })).toBe('A week ago the window for training 2 of 4');
    expect(t('de', 'followUp.when', { weeks: 1, n: 2, of: 4 })).toBe('Vor einer Woche ist das Zeitfenster für Training 2 von 4');
    expect(t('de', 'followUp.when', { weeks: 3, n: 2, of: 4 })).toBe('Vor 3 Wochen ist das Zeitfenster für Training 2 von 4');
    expect(t('en', 'count.people', { n: 1 })).toBe('1 person');
    expect(t('en', 'count.people', { n: 12 })).toBe('12 people');
    expect(t('ar', 'count.people', { n: 2 })).toBe('شخصان');
    expect(t('ar', 'count.people', { n: 3 })).toBe('3 أشخاص');
    expect(t('ja', 'count.contributions', { n: 3 })).toBe('3件の投稿');
  });

  it('fails loudly on a missing value or a broken pattern', () => {
    expect(() => t('de', 'ack.recorded')).toThrow(/no value for \{what\}/);
    expect(() => formatMessage('en', 'Hi {name', {})).toThrow(/without its \}/);
    expect(() => formatMessage('en', '{n, plural, one {x}}', { n: 1 })).toThrow(/no "other" form/);
  });

  it('joins lists and knows which way a language is written', () => {
    expect(listOf('en', ['Maya', 'Daniel', 'Ana'])).toBe('Maya, Daniel and Ana');
    expect(listOf('de', ['Maya', 'Daniel'])).toBe('Maya und Daniel');
    expect(directionOf('ar')).toBe('rtl');
    expect(directionOf('de')).toBe('ltr');
  });
});
