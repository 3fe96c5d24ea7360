import { expect } from 'vitest';
import { DeploymentConfigError, parseDeploymentConfig } from '../src/index';

/** Parses a config and returns its error; fails the test if parsing succeeds or throws anything else. */
export function errorFor(input: unknown): DeploymentConfigError {
  try {
    parseDeploymentConfig(input, 'test.config.ts');
  } catch (error) {
    expect(error).toBeInstanceOf(DeploymentConfigError);
    return error as DeploymentConfigError;
  }
  throw new Error('expected the config to be rejected');
}
