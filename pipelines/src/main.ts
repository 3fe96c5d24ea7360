import { resolve } from 'node:path';
import { loadDeploymentConfig } from '@private-api/config';
import { PrivateApiApp, runCdkApp } from '@private-api/compliance';
import { PipelineStack } from './PipelineStack';

/** Entry point of the pipeline app: deploy it once by hand; afterwards it updates itself. */
void runCdkApp(async () => {
  const app = new PrivateApiApp();
  const config = await loadDeploymentConfig(app.deploymentConfigPath(resolve(__dirname, '../../deploy.config.ts')));
  new PipelineStack(app, `${config.serviceName}-pipeline`, {
    description: `${config.serviceName}: delivery pipeline (CDK Pipelines, cross-account)`,
    config,
  });
  app.synth();
});
