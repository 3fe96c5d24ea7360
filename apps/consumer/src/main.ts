import { resolve } from 'node:path';
import { loadDeploymentConfig, selectEnvironment } from '@private-api/config';
import { PrivateApiApp, runCdkApp } from '@private-api/compliance';
import { ConsumerStage, consumerStageId } from './ConsumerStage';

/**
 * Entry point of the consumer app: one stage per consumer in the config. Deploy one with
 * `cdk deploy 'Consumer-<name>/*'`.
 */
void runCdkApp(async () => {
  const app = new PrivateApiApp();
  const file = await loadDeploymentConfig(app.deploymentConfigPath(resolve(__dirname, '../../../deploy.config.ts')));
  // `cdk synth -c environment=prod`; the first environment by default.
  const config = selectEnvironment(file, app.deploymentEnvironmentName());
  for (const consumer of config.consumers) {
    new ConsumerStage(app, consumerStageId(consumer), { config, consumer });
  }
  app.synth();
});
