import { existsSync } from 'node:fs';
import * as cxapi from 'aws-cdk-lib/cx-api';

/** One deployable stage of a synthesized app, as the main job reports it. */
export interface StageSummary {
  readonly stage: string;
  readonly account: string;
  readonly region: string;
  readonly stacks: readonly { readonly name: string; readonly resources: number }[];
}

function summarizeStacks(stacks: readonly cxapi.CloudFormationStackArtifact[]) {
  return stacks.map((stack) => ({
    name: stack.stackName,
    resources: Object.keys((stack.template as { Resources?: object }).Resources ?? {}).length,
  }));
}

/** Reads a cloud assembly (`cdk.out`) and lists its stages with their stacks and resource counts. */
export function summarizeAssembly(directory: string): StageSummary[] {
  if (!existsSync(`${directory}/manifest.json`)) {
    throw new Error(`no cloud assembly at ${directory} (did synth run?)`);
  }
  const assembly = new cxapi.CloudAssembly(directory);
  const summaries: StageSummary[] = [];
  for (const artifact of assembly.artifacts) {
    if (!(artifact instanceof cxapi.NestedCloudAssemblyArtifact)) continue;
    const stacks = artifact.nestedAssembly.stacks;
    const first = stacks[0];
    summaries.push({
      stage: artifact.displayName,
      account: first?.environment.account ?? 'unknown',
      region: first?.environment.region ?? 'unknown',
      stacks: summarizeStacks(stacks),
    });
  }
  // Top-level stacks (a standalone app puts each deployable unit's stacks under one construct,
  // `Provider/Network`, so that `cdk diff` without a selector finds them): one row group per unit.
  const groups = new Map<string, cxapi.CloudFormationStackArtifact[]>();
  for (const stack of assembly.stacks) {
    const unit = stack.hierarchicalId.includes('/') ? (stack.hierarchicalId.split('/')[0] ?? '(app)') : '(app)';
    groups.set(unit, [...(groups.get(unit) ?? []), stack]);
  }
  for (const [unit, stacks] of groups) {
    const first = stacks[0];
    summaries.push({
      stage: unit,
      account: first?.environment.account ?? 'unknown',
      region: first?.environment.region ?? 'unknown',
      stacks: summarizeStacks(stacks),
    });
  }
  return summaries;
}

/** Renders the summaries as an aligned text table. */
export function formatSummary(rows: readonly (StageSummary & { project: string })[]): string {
  const lines = [['project', 'stage', 'account', 'region', 'stack', 'resources']];
  for (const row of rows) {
    for (const stack of row.stacks) {
      lines.push([row.project, row.stage, row.account, row.region, stack.name, String(stack.resources)]);
    }
  }
  const widths = lines[0]?.map((_, column) => Math.max(...lines.map((line) => line[column]?.length ?? 0))) ?? [];
  return lines
    .map((line) => line.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd())
    .join('\n');
}
