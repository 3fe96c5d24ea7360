import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { loadDeploymentConfig, selectEnvironment, type EnvironmentConfig } from '@private-api/config';
import { PrivateApiApp, unacknowledgedFindings } from '@private-api/compliance';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConsumerStage, consumerStageId } from '../src/index';

const exampleConfig = resolve(import.meta.dirname, '../../../deploy.config.ts');

function findingsAfter(config: EnvironmentConfig, breakIt: (stage: ConsumerStage) => void = () => undefined): string[] {
  const app = new PrivateApiApp({ outdir: mkdtempSync(join(tmpdir(), 'consumer-nag-')) });
  const stages = config.consumers.map((consumer) => new ConsumerStage(app, consumerStageId(consumer), { config, consumer }));
  const [first] = stages;
  if (first) breakIt(first);
  return unacknowledgedFindings(app).map((finding) => finding.rule);
}

describe('consumer stages compliance (AwsSolutions + PrivateLink packs)', () => {
  let config: EnvironmentConfig;

  beforeAll(async () => {
    config = selectEnvironment(await loadDeploymentConfig(exampleConfig), 'staging');
  });

  it('synthesizes every unmodified consumer stage with zero unacknowledged findings', () => {
    expect(findingsAfter(config)).toEqual([]);
  });

  it('fails with PrivateLink-VPCE1 and PrivateLink-SG1 when the endpoint admits the whole internet', () => {
    const findings = findingsAfter(config, (stage) => {
      stage.endpointStack.endpoint.connections.allowDefaultPortFrom(ec2.Peer.anyIpv4());
    });
    expect(findings).toEqual(expect.arrayContaining(['PrivateLink-VPCE1', 'PrivateLink-SG1']));
  });
});
