import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import {
  cdkExecutionPolicyArn,
  cdkExecutionPolicyName,
  deploymentTargets,
  loadDeploymentConfig,
  type DeploymentConfig,
} from '@private-api/config';

/**
 * Bootstraps the accounts of the deployment config for cross-account CDK Pipelines deploys,
 * with a least-privilege CloudFormation execution policy instead of AdministratorAccess.
 *
 *   AWS_PROFILE=<profile of that account> npx tsx tools/bootstrap.ts --account 222222222222 [--dry-run]
 *
 * For the chosen account (one account per run: each needs its own credentials) it creates the
 * policy from bootstrap/cdk-execution-policy.json if missing, then runs `cdk bootstrap` for
 * every region the config uses in that account, trusting the pipeline account.
 */
export interface BootstrapPlanStep {
  readonly description: string;
  readonly command: readonly string[];
  /** When set, a failing command is fine if its stderr matches (e.g. the policy already exists). */
  readonly tolerate?: RegExp;
}

export function bootstrapPlan(config: DeploymentConfig, account: string, policyFile: string): BootstrapPlanStep[] {
  const regions = [...new Set(deploymentTargets(config).filter((target) => target.account === account).map((target) => target.region))];
  if (regions.length === 0) {
    throw new Error(`account ${account} is not in the deployment config (accounts: ${[...new Set(deploymentTargets(config).map((target) => target.account))].join(', ')})`);
  }
  // Without a pipeline section, accounts are deployed by hand: they trust nobody else.
  const pipelineAccount = config.pipeline?.account;
  const policyArn = cdkExecutionPolicyArn(config, account);
  const steps: BootstrapPlanStep[] = [
    {
      description: `create the CloudFormation execution policy ${cdkExecutionPolicyName(config)} in ${account}`,
      command: [
        'aws', 'iam', 'create-policy',
        '--policy-name', cdkExecutionPolicyName(config),
        '--policy-document', `file://${policyFile}`,
        '--description', 'CloudFormation execution policy for CDK deploys (least privilege, no IAM users or keys)',
      ],
      tolerate: /EntityAlreadyExists/,
    },
  ];
  for (const region of regions) {
    const trust =
      pipelineAccount === undefined || account === pipelineAccount
        ? []
        : ['--trust', pipelineAccount, '--trust-for-lookup', pipelineAccount];
    const whom =
      pipelineAccount === undefined
        ? ' (no pipeline: deployed by hand, trusting no other account)'
        : trust.length > 0
          ? ` trusting the pipeline account ${pipelineAccount}`
          : ' (the pipeline account)';
    steps.push({
      description: `bootstrap ${account}/${region}${whom}`,
      command: ['npx', 'cdk', 'bootstrap', `aws://${account}/${region}`, ...trust, '--cloudformation-execution-policies', policyArn],
    });
  }
  return steps;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const accountIndex = args.indexOf('--account');
  const account = accountIndex >= 0 ? args[accountIndex + 1] : undefined;
  const dryRun = args.includes('--dry-run');
  const configIndex = args.indexOf('--config');
  const configPath = configIndex >= 0 ? args[configIndex + 1] : resolve(__dirname, '../deploy.config.ts');
  if (!account || !/^\d{12}$/.test(account) || !configPath) {
    process.stderr.write('usage: npx tsx tools/bootstrap.ts --account <12-digit account> [--config deploy.config.ts] [--dry-run]\n');
    process.exitCode = 2;
    return;
  }
  const config = await loadDeploymentConfig(configPath);
  const steps = bootstrapPlan(config, account, resolve(__dirname, '../bootstrap/cdk-execution-policy.json'));
  for (const step of steps) {
    process.stdout.write(`# ${step.description}\n${step.command.join(' ')}\n`);
    if (dryRun) continue;
    const [command = '', ...rest] = step.command;
    const result = spawnSync(command, rest, { stdio: ['inherit', 'inherit', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0 && !(step.tolerate && step.tolerate.test(result.stderr ?? ''))) {
      process.stderr.write(result.stderr ?? '');
      process.stderr.write(`bootstrap failed at: ${step.description}\n`);
      process.exitCode = 1;
      return;
    }
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bootstrap failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
