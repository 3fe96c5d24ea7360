import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/preflight/index';

describe('formatTable', () => {
  it('aligns the columns, marks ✓/✗ and shows reasons only for ✗', () => {
    // GIVEN one passing and one failing row
    const rows = [
      { account: '111111111111', region: 'eu-west-1', labels: ['pipeline'], role: 'deploy', ok: true },
      {
        account: '222222222222',
        region: 'us-east-1',
        labels: ['staging provider', 'staging consumer orders'],
        role: 'lookup',
        ok: false,
        reason: 'not trusted by 111111111111 or missing (bootstrap with --trust)',
      },
    ] as const;
    // WHEN the table is formatted
    // THEN it has a header and one aligned line per row, with no trailing spaces
    expect(formatTable(rows)).toEqual([
      'account       region     target                                     role    ok  reason',
      '111111111111  eu-west-1  pipeline                                   deploy  ✓',
      '222222222222  us-east-1  staging provider, staging consumer orders  lookup  ✗   not trusted by 111111111111 or missing (bootstrap with --trust)',
    ]);
  });

  it('prints only the header for no rows', () => {
    expect(formatTable([])).toEqual(['account  region  target  role  ok  reason']);
  });
});
