import { describe, expect, it } from 'vitest';
import { dedupeTargets } from '../../src/preflight/index';

describe('dedupeTargets', () => {
  it('merges targets sharing account and region, keeping order and each label once', () => {
    // GIVEN targets where two consumers and the provider share an account/region, and a label repeats
    const targets = [
      { account: '210000000001', region: 'us-east-2', label: 'qa provider' },
      { account: '210000000002', region: 'us-east-2', label: 'qa consumer alpha' },
      { account: '210000000001', region: 'us-east-2', label: 'qa consumer beta' },
      { account: '210000000001', region: 'us-east-1', label: 'qa provider' },
      { account: '210000000001', region: 'us-east-2', label: 'qa provider' },
    ];
    // WHEN they are deduplicated
    // THEN one entry remains per account/region, with the labels merged
    expect(dedupeTargets(targets)).toEqual([
      { account: '210000000001', region: 'us-east-2', labels: ['qa provider', 'qa consumer beta'] },
      { account: '210000000002', region: 'us-east-2', labels: ['qa consumer alpha'] },
      { account: '210000000001', region: 'us-east-1', labels: ['qa provider'] },
    ]);
  });

  it('returns nothing for no targets', () => {
    expect(dedupeTargets([])).toEqual([]);
  });
});
