import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import {
  environmentsOf,
  loadDeploymentConfig,
  managedConsumers,
  selfManagedConsumers,
  type DeploymentConfig,
  type EnvironmentConfig,
} from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { fixtureConfig } from '@private-api/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildConsumerKit, ConsumerStage } from '../src/index';

const exampleConfig = resolve(import.meta.dirname, '../../../deploy.config.ts');

/** Every managed consumer stage of every environment in one app, synthesized with the compliance checks. */
function findingsAfter(config: DeploymentConfig, breakIt: (stage: ConsumerStage) => void = () => undefined): string[] {
  const app = new PrivateApiApp({ outdir: mkdtempSync(join(tmpdir(), 'consumer-nag-')) });
  const stages = environmentsOf(config).flatMap((environment: EnvironmentConfig) =>
    managedConsumers(environment).map(
      (consumer) => new ConsumerStage(app, `${environment.name}-Consumer-${consumer.name}`, { config: environment, consumer }),
    ),
  );
  const [first] = stages;
  if (first) breakIt(first);
  return unacknowledgedFindings(app).map((finding) => finding.rule);
}

describe('consumer stages compliance (AwsSolutions + PrivateLink packs, fixture config)', () => {
  it('synthesizes every unmodified managed consumer stage with zero unacknowledged findings', () => {
    expect(findingsAfter(fixtureConfig())).toEqual([]);
  });

  it('fails with PrivateLink-VPCE1 and PrivateLink-SG1 when the endpoint admits the whole internet', () => {
    const findings = findingsAfter(fixtureConfig(), (stage) => {
      stage.endpointStack.endpoint.connections.allowDefaultPortFrom(ec2.Peer.anyIpv4());
    });
    expect(findings).toEqual(expect.arrayContaining(['PrivateLink-VPCE1', 'PrivateLink-SG1']));
  });
});

describe('the example deploy.config.ts', () => {
  let config: DeploymentConfig;

  beforeAll(async () => {
    config = await loadDeploymentConfig(exampleConfig);
  });

  it('synthesizes every managed consumer stage of every environment, and every consumer kit, with zero unacknowledged findings', () => {
    // GIVEN the example config as shipped WHEN its consumer stages and kits are synthesized
    // THEN nothing is reported, whatever consumers the config names
    expect(findingsAfter(config)).toEqual([]);
    const kits = environmentsOf(config).flatMap((environment) =>
      selfManagedConsumers(environment).map((consumer) => buildConsumerKit(environment, consumer)),
    );
    expect(kits.map((kit) => `${kit.environment}/${kit.consumer}`)).toEqual(
      environmentsOf(config).flatMap((environment) => selfManagedConsumers(environment).map((consumer) => `${environment.name}/${consumer.name}`)),
    );
  });
});
