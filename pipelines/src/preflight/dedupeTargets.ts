/** One account/region the pipeline deploys to (or runs in). */
export interface PreflightTarget {
  /** 12-digit AWS account id. */
  readonly account: string;
  readonly region: string;
  /** What the target is, e.g. "staging provider", "prod consumer orders", "pipeline". */
  readonly label: string;
}

/** A distinct account/region with every label that named it, in first-seen order. */
export interface MergedTarget {
  readonly account: string;
  readonly region: string;
  readonly labels: readonly string[];
}

/** Merges targets that share account and region, keeping the first-seen order and each label once. */
export function dedupeTargets(targets: readonly PreflightTarget[]): MergedTarget[] {
  const byKey = new Map<string, { account: string; region: string; labels: string[] }>();
  for (const target of targets) {
    const key = `${target.account}/${target.region}`;
    const existing = byKey.get(key);
    if (existing === undefined) {
      byKey.set(key, { account: target.account, region: target.region, labels: [target.label] });
    } else if (!existing.labels.includes(target.label)) {
      existing.labels.push(target.label);
    }
  }
  return [...byKey.values()];
}
