import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import {
  deploymentRoleNamePrefix,
  loadDeploymentConfig,
  permissionsBoundaryName,
  type DeploymentConfig,
} from '@private-api/config';
import { bootstrapPlan, type BootstrapPlan, type UpsertPolicyStep } from './bootstrapPlan';
import { bootstrapTemplateWithoutLookupTrust } from './bootstrapTemplate';
import { deploymentPolicies, type AccountPolicies } from './deployPolicies';
import { deploymentStacks } from './deploymentStacks';
import { cdkRolesResourceControlPolicy, cdkRolesServiceControlPolicy } from './organizationPolicies';

const USAGE =
  'usage: npm run bootstrap -- --account <12-digit account> [--config deploy.config.ts] [--qualifier <q>] [--dry-run]\n' +
  '         (run with credentials of that account, e.g. AWS_PROFILE=<profile>)\n' +
  '       npm run bootstrap -- --all [--config deploy.config.ts] [--break-glass <role ARN>,…]\n' +
  '         (writes every account\'s policies, and the SCP and RCP around the cdk-* roles, under dist/bootstrap;\n' +
  '          prints their sizes; runs nothing)\n';

/** One line per account: its kinds, regions and the size of each policy it gets. */
export function policySummary(all: readonly AccountPolicies[]): string[] {
  return all.map(
    (account) =>
      `${account.account}  ${account.kinds.join('+').padEnd(17)}  ${account.regions.join(',')}  ` +
      [account.boundary, ...account.executionPolicies].map((policy) => `${policy.name} ${policy.size}`).join(', '),
  );
}

/** Every account's boundary and execution policies, generated from the stacks the config deploys. */
export function accountPoliciesOf(config: DeploymentConfig): AccountPolicies[] {
  return deploymentPolicies(deploymentStacks(config), {
    serviceName: config.serviceName,
    roleNamePrefix: deploymentRoleNamePrefix(config),
    boundaryName: permissionsBoundaryName(config),
  });
}

function aws(args: readonly string[]): { ok: boolean; stdout: string; stderr: string } {
  const result = spawnSync('aws', [...args, '--output', 'json'], { encoding: 'utf8' });
  return { ok: result.status === 0, stdout: result.stdout ?? '', stderr: result.stderr ?? result.error?.message ?? '' };
}

/**
 * Creates the policy, or adds this document as its default version: IAM keeps 5 versions, so
 * the oldest non-default one goes first when all 5 are used.
 */
function upsertPolicy(step: UpsertPolicyStep): string | undefined {
  const document = `file://${step.file}`;
  const created = aws(['iam', 'create-policy', '--policy-name', step.policyName, '--policy-document', document]);
  if (created.ok) return undefined;
  if (!/EntityAlreadyExists/.test(created.stderr)) return created.stderr;
  const listed = aws(['iam', 'list-policy-versions', '--policy-arn', step.policyArn]);
  if (!listed.ok) return listed.stderr;
  const versions = (JSON.parse(listed.stdout) as { Versions?: { VersionId: string; IsDefaultVersion: boolean; CreateDate: string }[] }).Versions ?? [];
  if (versions.length >= 5) {
    const [oldest] = versions.filter((version) => !version.IsDefaultVersion).sort((a, b) => a.CreateDate.localeCompare(b.CreateDate));
    if (oldest) {
      const deleted = aws(['iam', 'delete-policy-version', '--policy-arn', step.policyArn, '--version-id', oldest.VersionId]);
      if (!deleted.ok) return deleted.stderr;
    }
  }
  const updated = aws(['iam', 'create-policy-version', '--policy-arn', step.policyArn, '--policy-document', document, '--set-as-default']);
  return updated.ok ? undefined : updated.stderr;
}

function print(plan: BootstrapPlan, policies: AccountPolicies): void {
  process.stdout.write(`# account ${plan.account}: ${policies.kinds.join(' + ')} in ${policies.regions.join(', ')}\n`);
  for (const file of plan.files) process.stdout.write(`# writes ${file.path}\n`);
  for (const step of plan.steps) {
    process.stdout.write(`# ${step.description}\n`);
    process.stdout.write(
      step.kind === 'command' ? `${step.command.join(' ')}\n` : `aws iam create-policy / create-policy-version --policy-arn ${step.policyArn} --policy-document file://${step.file}\n`,
    );
  }
}

/**
 * `npm run bootstrap -- --account <id>`: bootstraps one account of the config for the deploy
 * path, with the credentials of that account. It synthesizes every stack the config deploys,
 * generates the account's permissions boundary and execution policies from the templates that
 * land in it, creates or updates them, and runs `cdk bootstrap` in each of its regions with the
 * boundary, the policies, the pipeline account trusted to deploy (never to look up).
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const index = args.indexOf(name);
    return index >= 0 ? args[index + 1] : undefined;
  };
  const account = option('--account');
  const configPath = option('--config') ?? resolve(__dirname, '../../../deploy.config.ts');
  const outputDirectory = resolve(__dirname, '../../../dist/bootstrap');
  if (args.includes('--all')) {
    const config = await loadDeploymentConfig(configPath);
    const all = accountPoliciesOf(config);
    for (const policies of all) {
      for (const file of bootstrapPlan(config, policies, outputDirectory, bootstrapTemplateWithoutLookupTrust()).files) {
        mkdirSync(dirname(file.path), { recursive: true });
        writeFileSync(file.path, file.content);
      }
    }
    process.stdout.write(`# policies written to ${outputDirectory}/<account>/ (characters of IAM's 6144 per policy)\n`);
    for (const line of policySummary(all)) process.stdout.write(`${line}\n`);
    if (config.pipeline) {
      const breakGlass = (option('--break-glass') ?? '').split(',').filter((arn) => arn.length > 0);
      const organization = resolve(outputDirectory, 'organization');
      mkdirSync(organization, { recursive: true });
      writeFileSync(resolve(organization, 'service-control-policy.json'), `${JSON.stringify(cdkRolesServiceControlPolicy(config, breakGlass), null, 2)}\n`);
      writeFileSync(resolve(organization, 'resource-control-policy.json'), `${JSON.stringify(cdkRolesResourceControlPolicy(config, breakGlass), null, 2)}\n`);
      process.stdout.write(`# the SCP and RCP around the cdk-* roles: ${organization}/{service,resource}-control-policy.json\n`);
    }
    return;
  }
  if (!account || !/^\d{12}$/.test(account)) {
    process.stderr.write(USAGE);
    process.exitCode = 2;
    return;
  }
  const config = await loadDeploymentConfig(configPath);
  const all = accountPoliciesOf(config);
  const policies = all.find((candidate) => candidate.account === account);
  if (!policies) {
    const known = all.map((candidate) => candidate.account);
    throw new Error(`account ${account} is not in the deployment config (accounts: ${known.join(', ')})`);
  }
  const qualifier = option('--qualifier');
  const plan = bootstrapPlan(config, policies, outputDirectory, bootstrapTemplateWithoutLookupTrust(), qualifier === undefined ? {} : { qualifier });
  for (const file of plan.files) {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.content);
  }
  print(plan, policies);
  if (args.includes('--dry-run')) return;
  for (const step of plan.steps) {
    process.stdout.write(`> ${step.description}\n`);
    if (step.kind === 'upsert-policy') {
      const failure = upsertPolicy(step);
      if (failure !== undefined) throw new Error(`${step.description}: ${failure.trim()}`);
      continue;
    }
    const [command = '', ...rest] = step.command;
    const result = spawnSync(command, rest, { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`${step.description} failed (exit ${result.status ?? 'signal'})`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`bootstrap failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
