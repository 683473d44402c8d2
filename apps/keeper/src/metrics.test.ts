import { pushOutcome } from './metrics';

describe('pushOutcome', () => {
  it('maps every submit result to the documented outcome enum', () => {
    expect(pushOutcome('mined')).toBe('success');
    expect(pushOutcome('landed')).toBe('success'); // mined, receipt unavailable: it landed
    expect(pushOutcome('reverted')).toBe('failed');
    expect(pushOutcome('pending')).toBe('failed');
    expect(pushOutcome('superseded')).toBe('replaced');
    expect(pushOutcome('already-updated')).toBe('skipped');
  });
});
