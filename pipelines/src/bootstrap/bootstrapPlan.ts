import { join } from 'node:path';
import { deploymentTargets, partitionOf, type DeploymentConfig } from '@private-api/config';
import type { AccountPolicies } from './deployPolicies';

/** One file the plan writes before it runs anything. */
export interface PlannedFile {
  readonly path: string;
  readonly content: string;
}

/** Create the managed policy, or make this document its default version (pruning the oldest when IAM's 5 are used). */
export interface UpsertPolicyStep {
  readonly kind: 'upsert-policy';
  readonly description: string;
  readonly policyName: string;
  readonly policyArn: string;
  readonly file: string;
}

export interface CommandStep {
  readonly kind: 'command';
  readonly description: string;
  readonly command: readonly string[];
}

export type BootstrapStep = UpsertPolicyStep | CommandStep;

export interface BootstrapPlan {
  readonly account: string;
  readonly files: readonly PlannedFile[];
  readonly steps: readonly BootstrapStep[];
}

/**
 * How one account is bootstrapped: its permissions boundary and its CloudFormation execution
 * policies (generated from the templates that deploy to it), then `cdk bootstrap` in each of
 * its regions with the boundary, those policies, our template (no lookup trust) and trust of
 * the pipeline account only when it is a target of the pipeline.
 */
export function bootstrapPlan(
  config: DeploymentConfig,
  policies: AccountPolicies,
  outputDirectory: string,
  bootstrapTemplate: string,
  options: { readonly qualifier?: string } = {},
): BootstrapPlan {
  if (options.qualifier !== undefined && !/^[a-z0-9]{1,10}$/.test(options.qualifier)) {
    throw new Error(`--qualifier must be 1 to 10 lowercase letters or digits, got ${JSON.stringify(options.qualifier)}`);
  }
  const { account } = policies;
  const regions = [...new Set(deploymentTargets(config).filter((target) => target.account === account).map((target) => target.region))].sort();
  if (regions.length === 0) {
    const known = [...new Set(deploymentTargets(config).map((target) => target.account))].join(', ');
    throw new Error(`account ${account} is not in the deployment config (accounts: ${known})`);
  }
  const [firstRegion = 'us-east-1'] = regions;
  const partition = partitionOf(firstRegion);
  const policyArn = (name: string): string => `arn:${partition}:iam::${account}:policy/${name}`;
  const directory = join(outputDirectory, account);
  const templateFile = join(directory, 'bootstrap-template.yaml');
  const files: PlannedFile[] = [{ path: templateFile, content: bootstrapTemplate }];
  const steps: BootstrapStep[] = [];
  for (const policy of [policies.boundary, ...policies.executionPolicies]) {
    const file = join(directory, `${policy.name}.json`);
    files.push({ path: file, content: `${JSON.stringify(policy.document, null, 2)}\n` });
    steps.push({
      kind: 'upsert-policy',
      description: `${policy === policies.boundary ? 'permissions boundary' : 'CloudFormation execution policy'} ${policy.name} (${policy.size} of 6144 characters)`,
      policyName: policy.name,
      policyArn: policyArn(policy.name),
      file,
    });
  }
  const pipelineAccount = config.pipeline?.account;
  const trust = pipelineAccount === undefined || pipelineAccount === account ? [] : ['--trust', pipelineAccount];
  const whom =
    pipelineAccount === undefined
      ? ' (no pipeline: deployed by hand, trusting no other account)'
      : trust.length > 0
        ? ` trusting the pipeline account ${pipelineAccount} to deploy (not to look up)`
        : ' (the pipeline account)';
  for (const region of regions) {
    steps.push({
      kind: 'command',
      description: `bootstrap ${account}/${region} as ${policies.kinds.join(' + ')}${whom}`,
      command: [
        'npx',
        'cdk',
        'bootstrap',
        `aws://${account}/${region}`,
        '--template',
        templateFile,
        '--custom-permissions-boundary',
        policies.boundary.name,
        '--cloudformation-execution-policies',
        policies.executionPolicies.map((policy) => policyArn(policy.name)).join(','),
        ...trust,
        ...(options.qualifier === undefined ? [] : ['--qualifier', options.qualifier]),
      ],
    });
  }
  return { account, files, steps };
}
