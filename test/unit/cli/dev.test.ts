import { describe, expect, it } from 'vitest';
import { authenticationLine } from '#cli/commands/dev';

describe('baton dev banner', () => {
  it('says plainly when senders are not authenticated', () => {
    expect(authenticationLine(false)).toContain("sender authentication: off — any From is trusted as long as the reply address's token matches");
    expect(authenticationLine(true)).toContain('sender authentication: on');
  });
});
