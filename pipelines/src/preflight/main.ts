import { resolve } from 'node:path';
import { STSClient } from '@aws-sdk/client-sts';
import { deploymentTargets, loadDeploymentConfig, permissionsBoundaryName, requirePipeline } from '@private-api/config';
import { executionPolicyNamePattern } from '../bootstrap/deployPolicies';
import { runPreflight } from './runPreflight';

/**
 * `npx nx run pipelines:preflight` (optionally `-- path/to/deploy.config.ts`): with the current
 * AWS credentials, shows who they belong to, then checks that every account of the config is
 * bootstrapped and trusts the pipeline account to deploy (not to look up), with our permissions
 * boundary and generated execution policies (not AdministratorAccess), printing the exact fix
 * for each ✗.
 */
async function main(): Promise<void> {
  const configPath = process.argv[2] ?? resolve(__dirname, '../../../deploy.config.ts');
  try {
    const config = await loadDeploymentConfig(configPath);
    // The check is whether every account trusts the pipeline account: without one, nothing to check.
    const pipeline = requirePipeline(config, 'the preflight check');
    process.exitCode = await runPreflight({
      pipelineAccount: pipeline.account,
      pipelineRegion: pipeline.region,
      targets: deploymentTargets(config),
      bootstrapExpectation: () => ({
        boundaryName: permissionsBoundaryName(config),
        executionPolicyName: executionPolicyNamePattern(config.serviceName),
      }),
      sts: new STSClient({ region: pipeline.region }),
      write: (line) => process.stdout.write(line),
    });
  } catch (error) {
    // A DeploymentConfigError message already names every bad field; other errors are one line.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`preflight failed: ${message}\n`);
    process.exitCode = 2;
  }
}

void main();
