import { describe, expect, it } from 'vitest';
import { dedupeTargets } from '../../src/preflight/index';

describe('dedupeTargets', () => {
  it('merges targets sharing account and region, keeping order and each label once', () => {
    // GIVEN targets where two consumers and the provider share an account/region, and a label repeats
    const targets = [
      { account: '222222222222', region: 'eu-west-1', label: 'staging provider' },
      { account: '333333333333', region: 'eu-west-1', label: 'staging consumer orders' },
      { account: '222222222222', region: 'eu-west-1', label: 'staging consumer billing' },
      { account: '222222222222', region: 'us-east-1', label: 'staging provider' },
      { account: '222222222222', region: 'eu-west-1', label: 'staging provider' },
    ];
    // WHEN they are deduplicated
    // THEN one entry remains per account/region, with the labels merged
    expect(dedupeTargets(targets)).toEqual([
      { account: '222222222222', region: 'eu-west-1', labels: ['staging provider', 'staging consumer billing'] },
      { account: '333333333333', region: 'eu-west-1', labels: ['staging consumer orders'] },
      { account: '222222222222', region: 'us-east-1', labels: ['staging provider'] },
    ]);
  });

  it('returns nothing for no targets', () => {
    expect(dedupeTargets([])).toEqual([]);
  });
});
