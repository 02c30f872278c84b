import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { editDistance, slugify } from '#core/text';

describe('text helpers', () => {
  it('makes slugs that are valid ids', () => {
    expect(slugify('Close with written next steps.')).toBe('close-with-written-next-steps');
    expect(slugify("Don't panic & carry on")).toBe('dont-panic-and-carry-on');
    expect(slugify('Café au lait')).toBe('cafe-au-lait');
    expect(slugify('🎉')).toBe('');
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (title) => {
        const slug = slugify(title);
        expect(slug.length).toBeLessThanOrEqual(60);
        if (slug) expect(slug).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      }),
    );
  });

  it('counts a swap of neighbours as one edit', () => {
    expect(editDistance('brunie', 'brunei')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
});
