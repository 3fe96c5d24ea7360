import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * The IAM wildcards CDK Pipelines writes into the roles it generates, each with the reason it
 * is acceptable. Only `AwsSolutions-IAM5` findings matching one of these patterns, on
 * resources under the given scopes, are acknowledged — one resource at a time. Anything else
 * (another rule, another wildcard, a resource we wrote ourselves) still fails synth.
 */
export const GENERATED_POLICY_WILDCARDS: readonly {
  readonly pattern: RegExp;
  readonly reason: string;
  /** When set, the finding is acknowledged only on resources whose construct path matches. */
  readonly paths?: RegExp;
}[] = [
  {
    pattern: /^AwsSolutions-IAM5\[Action::s3:(Abort|DeleteObject|GetBucket|GetObject|List)\*\]$/,
    reason:
      'CDK Pipelines grants the S3 read/write action groups on the pipeline artifact bucket only (KMS-encrypted, TLS-only, access-logged).',
  },
  {
    pattern: /^AwsSolutions-IAM5\[Resource::<Artifacts[0-9A-F]+\.Arn>\/\*\]$/,
    reason: 'Objects of the pipeline artifact bucket: artifacts have generated keys.',
  },
  {
    pattern: /^AwsSolutions-IAM5\[Action::kms:(GenerateDataKey|ReEncrypt)\*\]$/,
    reason: 'Granted on the pipeline artifact key only, to encrypt and decrypt artifacts.',
  },
  {
    pattern: /^AwsSolutions-IAM5\[Resource::arn:[a-z-]+:logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild\/<[A-Za-z0-9]+>:\*\]$/,
    reason: "The log streams of this CodeBuild project's own log group.",
  },
  {
    pattern: /^AwsSolutions-IAM5\[Resource::arn:[a-z-]+:codebuild:[a-z0-9-]+:\d{12}:report-group\/<[A-Za-z0-9]+>-\*\]$/,
    reason: "This CodeBuild project's own test report groups.",
  },
  {
    pattern:
      /^AwsSolutions-IAM5\[Resource::arn:[a-z-]+:(logs:[a-z0-9-]+:\d{12}:log-group:\/aws\/codebuild|codebuild:[a-z0-9-]+:\d{12}:report-group)\/\*\]$/,
    paths: /\/Pipeline\/Assets\/(DockerRole|FileRole)\//,
    reason:
      'The shared asset-publishing role serves CodeBuild projects that CDK Pipelines generates per asset, whose names do not exist when the role is created.',
  },
  {
    pattern: /^AwsSolutions-IAM5\[Resource::arn:\*:iam::\d{12}:role\/\*\]$/,
    paths: /\/Pipeline\/UpdatePipeline\/SelfMutation\//,
    reason:
      'Self-mutation assumes the CDK bootstrap roles; CDK conditions the statement on the aws-cdk:bootstrap-role tag.',
  },
  {
    pattern: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    paths: /\/Pipeline\/(UpdatePipeline\/SelfMutation|Assets\/(DockerRole|FileRole))\//,
    reason:
      'cloudformation:DescribeStacks and s3:ListBucket (self-mutation) and codebuild:StartBuild/BatchGetBuilds/StopBuild on generated asset projects (asset roles): actions CDK Pipelines issues on resources it names at run time.',
  },
];

/** Acknowledges the known CDK Pipelines wildcards under `scopes`; returns how many were acknowledged. */
export function acknowledgeGeneratedPolicies(scopes: readonly IConstruct[]): number {
  let acknowledged = 0;
  for (const scope of scopes) {
    const report = new AwsSolutionsChecks().validateScope(scope);
    const constructs = new Map(scope.node.findAll().map((child) => [child.node.path, child]));
    for (const violation of report.violations) {
      const match = GENERATED_POLICY_WILDCARDS.find((known) => known.pattern.test(violation.ruleName));
      if (!match) continue;
      for (const resource of violation.violatingResources) {
        const path = (resource as { constructPath?: string }).constructPath;
        if (path === undefined || (match.paths && !match.paths.test(path))) continue;
        const construct = constructs.get(path);
        if (!construct) continue;
        Validations.of(construct).acknowledge({ id: `AwsSolutions::${violation.ruleName}`, reason: match.reason });
        acknowledged += 1;
      }
    }
  }
  return acknowledged;
}
