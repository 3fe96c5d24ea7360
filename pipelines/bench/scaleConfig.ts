import { parseDeploymentConfig, type DeploymentConfig } from '@private-api/config';
import { fixtureInput } from '@private-api/testing';

/** The fixture environment the scale config keeps (it requires an approval, like a production one). */
export const SCALE_ENVIRONMENT = 'live';

/**
 * The fixture config reduced to its `live` environment, with `consumers` new-VPC consumers in
 * the provider's zones (accounts 220000000001…, VPCs 10.<n>.0.0/16), for the scale test and the
 * synth benchmark. Consumer CIDRs may overlap the provider's: PrivateLink does not route between VPCs.
 */
export function configWithConsumers(consumers: number): DeploymentConfig {
  const input = fixtureInput((draft) => {
    const environment = draft.environments.find((candidate) => candidate.name === SCALE_ENVIRONMENT);
    if (!environment) throw new Error(`the fixture config has no environment ${SCALE_ENVIRONMENT}`);
    const { region, availabilityZones } = environment.provider;
    environment.consumers = Array.from({ length: consumers }, (_, index) => ({
      name: `consumer-${String(index + 1).padStart(3, '0')}`,
      account: String(220_000_000_001 + index),
      region,
      availabilityZones: availabilityZones.slice(0, 2),
      vpcCidr: `10.${(index % 250) + 1}.0.0/16`,
    }));
    draft.environments = [environment];
  });
  return parseDeploymentConfig(input, `fixture with ${consumers} consumers`);
}
