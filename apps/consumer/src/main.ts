import { resolve } from 'node:path';
import { loadDeploymentConfig, managedConsumers, selectEnvironment } from '@private-api/config';
import { PrivateApiApp, runCdkApp } from '@private-api/compliance';
import { ConsumerStacksScope } from './ConsumerStacks';
import { consumerStageId } from './ConsumerStage';

/**
 * Entry point of the consumer app: the stack of every consumer this repository deploys into
 * (new or existing VPC, one stack each), each group at the top of the app so that `cdk diff` and
 * `cdk deploy 'Consumer-<name>/*'` select them. Self-managed consumers get a consumer kit
 * instead (`nx run consumer:kit`).
 */
void runCdkApp(async () => {
  const app = new PrivateApiApp();
  const file = await loadDeploymentConfig(app.deploymentConfigPath(resolve(__dirname, '../../../deploy.config.ts')));
  // `cdk synth -c environment=prod`; the first environment by default.
  const config = selectEnvironment(file, app.deploymentEnvironmentName());
  for (const consumer of managedConsumers(config)) {
    new ConsumerStacksScope(app, consumerStageId(consumer), { config, consumer });
  }
  app.synth();
});
