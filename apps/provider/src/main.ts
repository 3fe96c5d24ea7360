import { resolve } from 'node:path';
import { loadDeploymentConfig, selectEnvironment } from '@private-api/config';
import { PrivateApiApp, runCdkApp } from '@private-api/compliance';
import { Construct } from 'constructs';
import { addProviderStacks } from './addProviderStacks';

/** Entry point of the provider app (`cdk synth` in apps/provider, or `nx run provider:synth`). */
void runCdkApp(async () => {
  const app = new PrivateApiApp();
  const file = await loadDeploymentConfig(app.deploymentConfigPath(resolve(__dirname, '../../../deploy.config.ts')));
  // `cdk synth -c environment=prod`; the first environment by default.
  const config = selectEnvironment(file, app.deploymentEnvironmentName());
  // A plain construct, not a Stage: the CLI's `cdk diff`/`deploy` without a stack name select
  // top-level stacks only, and the stacks keep their `Provider/Network`, `Provider/Service` paths.
  addProviderStacks(new Construct(app, 'Provider'), { config });
  app.synth();
});
