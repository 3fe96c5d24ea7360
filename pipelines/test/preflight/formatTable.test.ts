import { describe, expect, it } from 'vitest';
import { formatTable } from '../../src/preflight/index';

describe('formatTable', () => {
  it('aligns the columns, marks ✓/✗ and shows reasons only for ✗', () => {
    // GIVEN one passing and one failing row
    const rows = [
      { account: '210000000009', region: 'us-east-2', labels: ['pipeline'], role: 'deploy', ok: true },
      {
        account: '210000000001',
        region: 'us-east-1',
        labels: ['qa provider', 'qa consumer alpha'],
        role: 'lookup',
        ok: false,
        reason: 'not trusted by 210000000009 or missing (bootstrap with --trust)',
      },
    ] as const;
    // WHEN the table is formatted
    // THEN it has a header and one aligned line per row, with no trailing spaces
    expect(formatTable(rows)).toEqual([
      'account       region     target                          role    ok  reason',
      '210000000009  us-east-2  pipeline                        deploy  ✓',
      '210000000001  us-east-1  qa provider, qa consumer alpha  lookup  ✗   not trusted by 210000000009 or missing (bootstrap with --trust)',
    ]);
  });

  it('prints only the header for no rows', () => {
    expect(formatTable([])).toEqual(['account  region  target  role  ok  reason']);
  });
});
