import { resolve } from 'node:path';
import { loadDeploymentConfig } from '@private-api/config';
import { PrivateApiApp, runCdkApp } from '@private-api/compliance';
import { ProviderStage } from './ProviderStage';

/** Entry point of the provider app (`cdk synth` in apps/provider, or `nx run provider:synth`). */
void runCdkApp(async () => {
  const app = new PrivateApiApp();
  const config = await loadDeploymentConfig(app.deploymentConfigPath(resolve(__dirname, '../../../deploy.config.ts')));
  new ProviderStage(app, 'Provider', { config });
  app.synth();
});
