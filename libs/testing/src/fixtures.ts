import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  parseDeploymentConfig,
  type DeploymentConfig,
  type DeploymentConfigInput,
  type EnvironmentConfig,
} from '@private-api/config';

/**
 * Deployment configs the tests own. No test depends on the example in deploy.config.ts (a fork
 * replaces it): every test builds its stacks from these fixtures and asserts the values it
 * reads from them. Accounts, region, names and zones deliberately differ from the example's.
 */

type DeepMutable<T> = T extends readonly (infer E)[]
  ? DeepMutable<E>[]
  : T extends object
    ? { -readonly [K in keyof T]: DeepMutable<T[K]> }
    : T;

/** A config as declared, editable by a test before it is parsed. */
export type MutableConfigInput = DeepMutable<DeploymentConfigInput>;

/** The repository root (the image directory of the fixture service is relative to it). */
export const REPOSITORY_ROOT = resolve(__dirname, '../../..');

/** The fixture service's Dockerfile folder, relative to the repository root. */
export const FIXTURE_IMAGE_DIRECTORY = 'libs/testing/fixtures/echo-image';

const FIXTURE: DeploymentConfigInput = {
  service: {
    name: 'fixture-api',
    image: { directory: FIXTURE_IMAGE_DIRECTORY },
    containerPort: 9000,
    healthCheckPath: '/ping',
    user: '1000:1000',
    cpu: 512,
    memoryMiB: 1024,
    environment: { GREETING: 'hello' },
    smokeChecks: [{ path: '/ping' }, { path: '/echo/1', status: 200, body: { id: 1 } }],
  },
  pipeline: {
    account: '210000000009',
    region: 'us-east-2',
    repository: 'fixture-org/fixture-repo',
    branch: 'release',
    connectionArn: 'arn:aws:codeconnections:us-east-2:210000000009:connection/11111111-2222-3333-4444-555555555555',
  },
  environments: [
    {
      name: 'qa',
      provider: {
        account: '210000000001',
        region: 'us-east-2',
        availabilityZones: ['use2-az1', 'use2-az2'],
        vpcCidr: '10.50.0.0/16',
        desiredCount: 3,
        logRetentionDays: 30,
      },
      consumers: [
        {
          name: 'alpha',
          account: '210000000002',
          region: 'us-east-2',
          availabilityZones: ['use2-az2', 'use2-az1'],
          vpcCidr: '10.60.0.0/16',
        },
        {
          name: 'beta',
          account: '210000000003',
          region: 'us-east-2',
          existingVpc: {
            id: 'vpc-0a1b2c3d4e5f60718',
            cidr: '172.31.0.0/16',
            subnets: { 'use2-az1': 'subnet-0aaaaaaaaaaaaaaa1', 'use2-az2': 'subnet-0bbbbbbbbbbbbbbb2' },
          },
          allowedClientCidrs: ['172.31.32.0/20'],
        },
        {
          name: 'gamma',
          account: '210000000004',
          region: 'us-east-2',
          selfManaged: true,
          allowedClientCidrs: ['192.168.0.0/24'],
        },
      ],
    },
    {
      name: 'live',
      requiresApproval: true,
      provider: {
        account: '210000000005',
        region: 'us-east-2',
        availabilityZones: [
          { name: 'us-east-2a', id: 'use2-az1' },
          { name: 'us-east-2b', id: 'use2-az2' },
          { name: 'us-east-2c', id: 'use2-az3' },
        ],
        vpcCidr: '10.150.0.0/16',
        service: { cpu: 1024, memoryMiB: 2048 },
      },
      consumers: [
        {
          name: 'alpha',
          account: '210000000006',
          region: 'us-east-2',
          availabilityZones: ['use2-az1', 'use2-az3'],
          vpcCidr: '10.160.0.0/16',
        },
      ],
    },
  ],
};

/**
 * A second service, unlike the fixture's default: an existing ECR image pinned by digest, arm64,
 * another port and health path, secrets from Secrets Manager (one JSON key, one with its KMS
 * key) and SSM, a writable folder and its own smoke check.
 */
export const SECOND_SERVICE = {
  name: 'ledger',
  image: {
    uri: '210000000007.dkr.ecr.us-east-2.amazonaws.com/ledger/api@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  },
  containerPort: 3000,
  healthCheckPath: '/status/ready',
  user: 'app:app',
  cpuArchitecture: 'arm64',
  cpu: 1024,
  memoryMiB: 3072,
  environment: { NODE_ENV: 'production', LEDGER_MODE: 'strict' },
  secrets: {
    DB_PASSWORD: {
      arn: 'arn:aws:secretsmanager:us-east-2:210000000001:secret:ledger/db-AbCdEf',
      jsonKey: 'password',
      kmsKeyArn: 'arn:aws:kms:us-east-2:210000000001:key/12345678-90ab-cdef-1234-567890abcdef',
    },
    API_TOKEN: 'arn:aws:ssm:us-east-2:210000000001:parameter/ledger/api-token',
  },
  writablePaths: ['/tmp', '/var/cache/ledger'],
  smokeChecks: [{ path: '/status/ready', status: 204 }],
} as const satisfies DeploymentConfigInput['service'];

/** A fresh, editable copy of the fixture config (two environments, three kinds of consumer). */
export function fixtureInput(edit: (input: MutableConfigInput) => void = () => undefined): MutableConfigInput {
  const copy = structuredClone(FIXTURE) as MutableConfigInput;
  edit(copy);
  return copy;
}

/** The fixture config, validated (after `edit`, if given). */
export function fixtureConfig(edit?: (input: MutableConfigInput) => void): DeploymentConfig {
  return parseDeploymentConfig(fixtureInput(edit), 'fixture');
}

/** One environment of the fixture config (`qa` by default), validated (after `edit`, if given). */
export function fixtureEnvironment(name = 'qa', edit?: (input: MutableConfigInput) => void): EnvironmentConfig {
  const environment = fixtureConfig(edit).environments.find((candidate) => candidate.name === name);
  if (!environment) throw new Error(`the fixture config has no environment ${name}`);
  return environment;
}

/**
 * Writes a config as a `deploy.config.ts` file in a new temporary folder and returns its path,
 * for tests that run a CDK app (`-c config=<path>`) or the loader on a real file.
 */
export function writeConfigFile(input: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'deploy-config-')), 'deploy.config.ts');
  writeFileSync(path, `export default ${JSON.stringify(input, null, 2)};\n`);
  return path;
}
