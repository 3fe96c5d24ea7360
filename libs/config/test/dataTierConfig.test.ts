import { describe, expect, it } from 'vitest';
import {
  assetsBucketName,
  DATA_TIER_VARIABLES,
  DEFAULT_POSTGRES_VERSION,
  environmentsOf,
  parseDeploymentConfig,
  POSTGRES_VERSIONS,
  serviceTaskRoleArn,
  serviceTaskRoleName,
  type EnvironmentConfig,
} from '../src/index';
import { errorFor } from './errorFor';

type Mutable = Record<string, unknown> & { provider: Record<string, unknown> };

/** A config with one environment (its own values, none of the example's), changed by `edit`. */
function configWith(edit: (environment: Mutable) => void = () => undefined, service?: Record<string, unknown>): Record<string, unknown> {
  const environment: Mutable = {
    name: 'qa',
    provider: { account: '101010101010', region: 'eu-central-1', availabilityZones: ['euc1-az1', 'euc1-az2'], vpcCidr: '10.60.0.0/16' },
    consumers: [{ name: 'alpha', account: '202020202020', region: 'eu-central-1', availabilityZones: ['euc1-az1', 'euc1-az2'], vpcCidr: '10.61.0.0/16' }],
  };
  edit(environment);
  return { ...(service ? { service } : {}), environments: [environment] };
}

function environmentWith(edit?: (environment: Mutable) => void, service?: Record<string, unknown>): EnvironmentConfig {
  const [environment] = environmentsOf(parseDeploymentConfig(configWith(edit, service)));
  if (!environment) throw new Error('no environment');
  return environment;
}


const ec2 = (overrides: Record<string, unknown> = {}) => ({ type: 'ec2', instanceType: 'm7i.large', minInstances: 2, maxInstances: 4, ...overrides });

describe('provider capacity and data tier', () => {
  it('runs on Fargate with no data tier unless the config says otherwise', () => {
    const { provider } = environmentWith();
    expect(provider.capacity).toEqual({ type: 'fargate' });
    expect(provider.database).toBeUndefined();
    expect(provider.fileSystem).toBeUndefined();
    expect(provider.assetsBucket).toBeUndefined();
  });

  it('applies the database defaults: Multi-AZ, 7 days of backups, deletion protection, a known PostgreSQL version', () => {
    const { provider } = environmentWith((c) => (c.provider.database = {}));
    expect(provider.database).toEqual({
      engineVersion: DEFAULT_POSTGRES_VERSION,
      instanceClass: 'db.t4g.medium',
      databaseName: 'app',
      allocatedStorageGiB: 20,
      multiAz: true,
      backupRetentionDays: 7,
      deletionProtection: true,
    });
    expect(POSTGRES_VERSIONS).toContain(DEFAULT_POSTGRES_VERSION);
  });

  it("keeps EC2 capacity as given, with a 30 GiB root volume by default", () => {
    const { provider } = environmentWith((c) => (c.provider.capacity = ec2()));
    expect(provider.capacity).toEqual({ type: 'ec2', instanceType: 'm7i.large', minInstances: 2, maxInstances: 4, rootVolumeGiB: 30 });
  });

  it("writes the file system as the service's numeric user unless the config names another", () => {
    const own = environmentWith((c) => (c.provider.fileSystem = { mountPath: '/var/lib/files' }), { name: 'svc', image: { directory: 'x' }, user: '2000:3000' });
    expect(own.provider.fileSystem).toEqual({ mountPath: '/var/lib/files', posixUser: { uid: 2000, gid: 3000 } });
    const named = environmentWith((c) => (c.provider.fileSystem = { mountPath: '/data', posixUser: '4000:4001' }), { name: 'svc', image: { directory: 'x' }, user: 'app' });
    expect(named.provider.fileSystem?.posixUser).toEqual({ uid: 4000, gid: 4001 });
  });

  it('names the task role and the assets bucket after the service, environment, account and region', () => {
    const environment = environmentWith((c) => (c.provider.assetsBucket = {}), { name: 'orders-api', image: { directory: 'x' } });
    expect(serviceTaskRoleName(environment)).toBe('orders-api-qa-task');
    expect(serviceTaskRoleArn(environment)).toBe('arn:aws:iam::101010101010:role/orders-api-qa-task');
    expect(assetsBucketName(environment)).toBe('orders-api-qa-assets-101010101010-eu-central-1');
    expect(environment.provider.assetsBucket).toEqual({ noncurrentVersionExpirationDays: 90 });
  });

  const cases: { name: string; edit: (c: Mutable) => void; service?: Record<string, unknown>; field: string; problem: RegExp }[] = [
    { name: 'an unknown capacity type', edit: (c) => (c.provider.capacity = { type: 'lambda' }), field: 'provider.capacity.type', problem: /fargate|ec2/ },
    { name: 'a malformed instance type', edit: (c) => (c.provider.capacity = ec2({ instanceType: 'large' })), field: 'provider.capacity.instanceType', problem: /EC2 instance type/ },
    {
      name: 'an arm64 instance type for an x86_64 image',
      edit: (c) => (c.provider.capacity = ec2({ instanceType: 'm7g.large' })),
      field: 'provider.capacity.instanceType',
      problem: /arm64 instance type, but the service's image is x86_64/,
    },
    {
      name: 'an x86_64 instance type for an arm64 image',
      edit: (c) => (c.provider.capacity = ec2()),
      service: { name: 'svc', image: { directory: 'x' }, cpuArchitecture: 'arm64' },
      field: 'provider.capacity.instanceType',
      problem: /x86_64 instance type, but the service's image is arm64 .*Graviton/,
    },
    { name: 'fewer maximum than minimum instances', edit: (c) => (c.provider.capacity = ec2({ minInstances: 3, maxInstances: 2 })), field: 'provider.capacity.maxInstances', problem: /at least minInstances \(3\)/ },
    { name: 'fewer instances than zones', edit: (c) => (c.provider.capacity = ec2({ minInstances: 1 })), field: 'provider.capacity.minInstances', problem: /number of provider zones \(2\)/ },
    { name: 'a root volume under 30 GiB', edit: (c) => (c.provider.capacity = ec2({ rootVolumeGiB: 8 })), field: 'provider.capacity.rootVolumeGiB', problem: /at least 30/ },
    { name: 'a PostgreSQL version aws-cdk-lib does not know', edit: (c) => (c.provider.database = { engineVersion: '9.1' }), field: 'provider.database.engineVersion', problem: /PostgreSQL version aws-cdk-lib knows/ },
    { name: 'an instance class without db.', edit: (c) => (c.provider.database = { instanceClass: 't4g.medium' }), field: 'provider.database.instanceClass', problem: /DB instance class/ },
    { name: 'backups kept under 7 days', edit: (c) => (c.provider.database = { backupRetentionDays: 1 }), field: 'provider.database.backupRetentionDays', problem: /at least 7 days/ },
    { name: 'backups kept over 35 days', edit: (c) => (c.provider.database = { backupRetentionDays: 40 }), field: 'provider.database.backupRetentionDays', problem: /at most 35/ },
    { name: 'storage under 20 GiB', edit: (c) => (c.provider.database = { allocatedStorageGiB: 10 }), field: 'provider.database.allocatedStorageGiB', problem: /at least 20/ },
    { name: 'a storage ceiling under the allocation', edit: (c) => (c.provider.database = { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 50 }), field: 'provider.database.maxAllocatedStorageGiB', problem: /above allocatedStorageGiB \(100\)/ },
    { name: 'a database name with a hyphen', edit: (c) => (c.provider.database = { databaseName: 'my-db' }), field: 'provider.database.databaseName', problem: /letters, digits or underscores/ },
    { name: 'a relative mount path', edit: (c) => (c.provider.fileSystem = { mountPath: 'data' }), field: 'provider.fileSystem.mountPath', problem: /absolute folder path/ },
    { name: 'a root POSIX user', edit: (c) => (c.provider.fileSystem = { mountPath: '/data', posixUser: '0:0' }), field: 'provider.fileSystem.posixUser', problem: /not be root/ },
    {
      name: 'a named container user and no POSIX user',
      edit: (c) => (c.provider.fileSystem = { mountPath: '/data' }),
      service: { name: 'svc', image: { directory: 'x' }, user: 'app' },
      field: 'provider.fileSystem.posixUser',
      problem: /required when service.user \(app\) is not numeric/,
    },
    {
      name: 'a mount path inside a writable path',
      edit: (c) => (c.provider.fileSystem = { mountPath: '/tmp/files' }),
      service: { name: 'svc', image: { directory: 'x' }, writablePaths: ['/tmp'] },
      field: 'provider.fileSystem.mountPath',
      problem: /overlaps service.writablePaths entry \/tmp/,
    },
    {
      name: 'a service variable the database sets',
      edit: (c) => (c.provider.database = {}),
      service: { name: 'svc', image: { directory: 'x' }, environment: { DB_HOST: 'localhost' } },
      field: 'provider.database',
      problem: /sets DB_HOST for the service, which service.environment also sets/,
    },
    {
      name: 'an assets bucket name over 63 characters',
      edit: (c) => {
        c.name = 'a-very-long-environment-name-xyz';
        c.provider.assetsBucket = {};
      },
      service: { name: 'a-long-service-name-for-buckets', image: { directory: 'x' } },
      field: 'provider.assetsBucket',
      problem: /longer than the 63 S3 allows/,
    },
  ];

  it.each(cases)('fails with one message naming the field when the config has $name', ({ edit, service, field, problem }) => {
    const error = errorFor(configWith(edit, service));
    expect(error.issues.map((issue) => issue.field)).toEqual([`environments[0].${field}`]);
    expect(error.issues[0]?.problem).toMatch(problem);
  });

  it('lists each variable the data tier sets once', () => {
    const names = Object.values(DATA_TIER_VARIABLES).flat();
    expect(new Set(names).size).toBe(names.length);
  });
});
