import { App, type AppProps } from 'aws-cdk-lib';
import { FEATURE_FLAGS } from './featureFlags';

/**
 * The `App` every CDK app of this repository starts from: the frozen feature flags, so that
 * the CDK CLI, Nx targets and tests all synthesize the same templates.
 */
export class PrivateApiApp extends App {
  public constructor(props: AppProps = {}) {
    super({ ...props, context: { ...FEATURE_FLAGS, ...props.context } });
  }

  /**
   * Path of the deployment config this app should synthesize: the `config` context value
   * (`cdk synth -c config=path/to/deploy.config.ts`), else `defaultPath`.
   */
  public deploymentConfigPath(defaultPath: string): string {
    const fromContext: unknown = this.node.tryGetContext('config');
    return typeof fromContext === 'string' && fromContext.length > 0 ? fromContext : defaultPath;
  }
}
