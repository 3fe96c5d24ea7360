import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadDeploymentConfig, parseDeploymentConfig } from '@private-api/config';
import { FIXTURE_IMAGE_DIRECTORY, REPOSITORY_ROOT, SECOND_SERVICE, fixtureConfig, fixtureEnvironment, fixtureInput, writeConfigFile } from '../src/index';

describe('fixture configs', () => {
  it('validate, with two environments and all three kinds of consumer in the first', () => {
    const config = fixtureConfig();
    expect(config.environments.map((environment) => environment.name)).toEqual(['qa', 'live']);
    expect(fixtureEnvironment('qa').consumers.map((consumer) => [consumer.name, consumer.kind])).toEqual([
      ['alpha', 'new-vpc'],
      ['beta', 'existing-vpc'],
      ['gamma', 'self-managed'],
    ]);
  });

  it('apply an edit to a fresh copy only', () => {
    const edited = fixtureEnvironment('qa', (input) => {
      const provider = input.environments[0]?.provider;
      if (provider) provider.desiredCount = 7;
    });
    expect(edited.provider.desiredCount).toBe(7);
    expect(fixtureEnvironment('qa').provider.desiredCount).toBe(3);
  });

  it('name an image directory that exists, and a second service that validates', () => {
    expect(existsSync(resolve(REPOSITORY_ROOT, FIXTURE_IMAGE_DIRECTORY, 'Dockerfile'))).toBe(true);
    const config = parseDeploymentConfig(fixtureInput((input) => (input.service = structuredClone(SECOND_SERVICE) as never)));
    expect(config.serviceName).toBe('ledger');
  });

  it('write a config file the loader reads back', async () => {
    const path = writeConfigFile(fixtureInput());
    expect((await loadDeploymentConfig(path)).environments.map((environment) => environment.provider.account)).toEqual([
      '210000000001',
      '210000000005',
    ]);
  });
});
