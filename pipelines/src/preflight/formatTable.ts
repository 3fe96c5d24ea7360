import type { BootstrapRoleKind } from './bootstrapRoleArn';

/** The outcome of assuming one bootstrap role of one account/region. */
export interface PreflightRow {
  readonly account: string;
  readonly region: string;
  readonly labels: readonly string[];
  /** The bootstrap role assumed, or `bootstrap` for the check of the bootstrap stack itself. */
  readonly role: BootstrapRoleKind | 'bootstrap';
  readonly ok: boolean;
  /** Why the check failed; empty for ✓ rows. */
  readonly reason?: string;
}

export const OK_MARK = '✓';
export const FAIL_MARK = '✗';

const HEADER = ['account', 'region', 'target', 'role', 'ok', 'reason'] as const;

/** Lays the rows out as an aligned text table (header first, two spaces between columns, no trailing spaces). */
export function formatTable(rows: readonly PreflightRow[]): string[] {
  const cells: string[][] = [
    [...HEADER],
    ...rows.map((row) => [
      row.account,
      row.region,
      row.labels.join(', '),
      row.role,
      row.ok ? OK_MARK : FAIL_MARK,
      row.ok ? '' : (row.reason ?? ''),
    ]),
  ];
  const widths = HEADER.map((_, column) => Math.max(...cells.map((line) => line[column]?.length ?? 0)));
  return cells.map((line) =>
    line
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
}
