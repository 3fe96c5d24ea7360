import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One unacknowledged finding of a validation plugin (cdk-nag packs, CloudFormation checks, annotations). */
export interface ComplianceFinding {
  readonly plugin: string;
  readonly rule: string;
  readonly description: string;
  readonly constructPaths: readonly string[];
}

interface ReportJson {
  pluginReports?: {
    pluginName: string;
    conclusion: string;
    violations?: { ruleName: string; description: string; violatingConstructs?: { constructPath?: string }[] }[];
  }[];
}

/** Reads `validation-report.json` of a synthesized assembly and returns the failing findings. */
export function readComplianceFindings(assemblyDirectory: string): ComplianceFinding[] {
  const file = join(assemblyDirectory, 'validation-report.json');
  if (!existsSync(file)) return [];
  const report = JSON.parse(readFileSync(file, 'utf8')) as ReportJson;
  return (report.pluginReports ?? [])
    .filter((plugin) => plugin.conclusion === 'failure')
    .flatMap((plugin) =>
      (plugin.violations ?? []).map((violation) => ({
        plugin: plugin.pluginName,
        rule: violation.ruleName,
        description: violation.description,
        constructPaths: (violation.violatingConstructs ?? []).map((construct) => construct.constructPath ?? '(unknown)'),
      })),
    );
}

/** Thrown by `PrivateApiApp.synth()` when any finding is not acknowledged. */
export class ComplianceError extends Error {
  public readonly findings: readonly ComplianceFinding[];

  public constructor(findings: readonly ComplianceFinding[], reportDirectory: string) {
    const lines = findings.flatMap((finding) => [
      `  ${finding.rule} (${finding.plugin})`,
      ...finding.constructPaths.map((path) => `    at ${path}`),
      `    ${finding.description}`,
      `    acknowledge only with a specific reason, on that resource: Validations.of(resource).acknowledge({ id: '${finding.plugin}::${finding.rule}', reason: '…' })`,
    ]);
    super(
      `compliance checks failed with ${findings.length} finding(s); fix them (report: ${join(reportDirectory, 'validation-report.json')}):\n${lines.join('\n')}`,
    );
    this.name = 'ComplianceError';
    this.findings = findings;
  }
}
