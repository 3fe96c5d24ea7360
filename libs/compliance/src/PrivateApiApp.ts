import { App, Validations, type AppProps, type StageSynthesisOptions } from 'aws-cdk-lib';
import type * as cxapi from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { FEATURE_FLAGS } from './featureFlags';
import { PrivateLinkChecks } from './PrivateLinkChecks';
import { ComplianceError, readComplianceFindings, type ComplianceFinding } from './validationReport';

/**
 * The `App` every CDK app of this repository starts from:
 * - the frozen feature flags, so that the CDK CLI, Nx targets and tests synthesize the same
 *   templates;
 * - cdk-nag's `AwsSolutionsChecks` and our `PrivateLinkChecks` as policy-validation plugins:
 *   any finding that is not acknowledged on its resource fails synth, and the report names
 *   the rule, the construct path and the fix.
 */
export class PrivateApiApp extends App {
  public constructor(props: AppProps = {}) {
    super({
      ...props,
      // Entry points call synth() inside runCdkApp; an automatic second synth on process exit
      // would rethrow a failure as an uncaught error with a stack trace.
      autoSynth: props.autoSynth ?? false,
      context: {
        ...FEATURE_FLAGS,
        ...props.context,
        // We fail synth ourselves (synth() below) with one readable message; the library's own
        // failure crashes the process with a stack trace.
        '@aws-cdk/core:failSynthOnValidationErrors': false,
      },
    });
    Validations.of(this).addPlugins(new AwsSolutionsChecks(this, { verbose: true }), new PrivateLinkChecks(this));
  }

  /**
   * Synthesizes, then fails with a {@link ComplianceError} listing every finding that is not
   * acknowledged (rule, construct path, why and how to fix). Runs the same way under the CDK
   * CLI, Nx and tests.
   */
  public override synth(options?: StageSynthesisOptions): cxapi.CloudAssembly {
    const assembly = super.synth(options);
    const findings = readComplianceFindings(assembly.directory);
    if (findings.length > 0) throw new ComplianceError(findings, assembly.directory);
    return assembly;
  }

  /**
   * Path of the deployment config this app should synthesize: the `config` context value
   * (`cdk synth -c config=path/to/deploy.config.ts`), else `defaultPath`.
   */
  public deploymentConfigPath(defaultPath: string): string {
    const fromContext: unknown = this.node.tryGetContext('config');
    return typeof fromContext === 'string' && fromContext.length > 0 ? fromContext : defaultPath;
  }

  /** The environment a standalone app synthesizes: the `environment` context value, if any. */
  public deploymentEnvironmentName(): string | undefined {
    const fromContext: unknown = this.node.tryGetContext('environment');
    return typeof fromContext === 'string' && fromContext.length > 0 ? fromContext : undefined;
  }
}

/**
 * Synthesizes `app` and returns the findings no acknowledgement covers (empty when it passes).
 * Other synth errors are rethrown. For tests and tools that want the findings, not the error.
 */
export function unacknowledgedFindings(app: PrivateApiApp): readonly ComplianceFinding[] {
  try {
    app.synth();
    return [];
  } catch (error) {
    if (error instanceof ComplianceError) return error.findings;
    throw error;
  }
}
