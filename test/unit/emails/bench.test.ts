import { describe, expect, it } from 'vitest';
import { benchFill } from '#emails/bench';

describe('benchFill', () => {
  it('measures filling a compiled training email of about 60 KB', async () => {
    // One short round: this checks what the bench measures and that it reports it. How fast is
    // `npm run bench fill`'s to say (goal 20,000/s on one idle core); a speed floor here failed
    // whenever other test files shared the CPU.
    const r = await benchFill({ minMs: 1 });
    expect(r.htmlBytes).toBeGreaterThan(50_000);
    expect(r.placeholders).toBeGreaterThanOrEqual(8);
    expect(r.htmlFillsPerSecond).toBeGreaterThan(0);
    expect(r.emailsPerSecond).toBeGreaterThan(0);
    expect(r.goals.emailsPerSecond).toBe(20_000);
  });
});
