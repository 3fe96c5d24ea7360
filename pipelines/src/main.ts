import { resolve } from 'node:path';
import { environmentsOf, loadDeploymentConfig, selectEnvironment } from '@private-api/config';
import { PrivateApiApp, runCdkApp } from '@private-api/compliance';
import { PipelineStack, pipelineStackName } from './PipelineStack';

/**
 * Entry point of the pipeline app: one pipeline stack per environment. Deploy them once by hand;
 * afterwards each updates itself. Without context every environment's pipeline is synthesized
 * (local synth, tests, the first deploy); each pipeline's own synth step passes
 * `-c environment=<name>`, so its assembly, and so its artifacts, hold that environment only.
 */
void runCdkApp(async () => {
  const app = new PrivateApiApp();
  const config = await loadDeploymentConfig(app.deploymentConfigPath(resolve(__dirname, '../../deploy.config.ts')));
  const selected = app.deploymentEnvironmentName();
  const environments = selected === undefined ? environmentsOf(config) : [selectEnvironment(config, selected)];
  for (const environment of environments) {
    new PipelineStack(app, pipelineStackName(config, environment), {
      description: `${config.serviceName}: ${environment.name} delivery pipeline (CDK Pipelines, cross-account)`,
      config,
      environment,
    });
  }
  app.synth();
});
