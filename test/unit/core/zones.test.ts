import { describe, expect, it } from 'vitest';
import { normalizeLocalTime, suggestTimeZone } from '#core/zones';

describe('zones', () => {
  it('suggests time zones for typos, spacing, case, bare cities and abbreviations', () => {
    expect(suggestTimeZone('Asia/Brunie')).toBe('Asia/Brunei');
    expect(suggestTimeZone('america/new york')).toBe('America/New_York');
    expect(suggestTimeZone('Europe/Berlim')).toBe('Europe/Berlin');
    expect(suggestTimeZone('Accra')).toBe('Africa/Accra');
    expect(suggestTimeZone('Europe/Dubai')).toBe('Asia/Dubai');
    expect(suggestTimeZone('PST')).toBe('America/Los_Angeles');
    expect(suggestTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(suggestTimeZone('')).toBeUndefined();
  });

  it('normalizes the times people write', () => {
    expect(normalizeLocalTime('9:00')).toBe('09:00');
    expect(normalizeLocalTime('08:30')).toBe('08:30');
    expect(normalizeLocalTime('9am')).toBe('09:00');
    expect(normalizeLocalTime('1:30 pm')).toBe('13:30');
    expect(normalizeLocalTime('12am')).toBe('00:00');
    expect(normalizeLocalTime('24:00')).toBeUndefined();
    expect(normalizeLocalTime('9')).toBeUndefined();
    expect(normalizeLocalTime('13pm')).toBeUndefined();
  });
});
