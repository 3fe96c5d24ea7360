import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as rds from 'aws-cdk-lib/aws-rds';
import { z } from 'zod';
import type { ServiceConfig } from './ServiceConfig';

/**
 * The optional, stateful parts of a provider: where its tasks run (`capacity`), and the data
 * tier it may have (`database`, `fileSystem`, `assetsBucket`). Each is off unless the
 * environment's `provider` section names it, so a stateless API stays as lean as before.
 */

/** PostgreSQL versions the pinned aws-cdk-lib knows (`rds.PostgresEngineVersion`), e.g. `17.6`. */
export const POSTGRES_VERSIONS: readonly string[] = Object.values(rds.PostgresEngineVersion)
  .filter((value): value is rds.PostgresEngineVersion => value instanceof rds.PostgresEngineVersion)
  .map((version) => version.postgresFullVersion);

/** The PostgreSQL version a database gets when the config names none. */
export const DEFAULT_POSTGRES_VERSION = '17.6';

/** Every EC2 instance type name (`m7g.large`): family, generation, attributes, size. */
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.(nano|micro|small|medium|large|metal|\d{0,2}xlarge|metal-\d+xl)$/;

const ec2CapacitySchema = z
  .object({
    type: z.literal('ec2'),
    /** Instance type of the container instances, e.g. `m7g.large`; its architecture must be the image's. */
    instanceType: z.string({ error: 'must be an EC2 instance type such as m7g.large' }).regex(INSTANCE_TYPE, {
      error: 'must be an EC2 instance type such as m7g.large',
    }),
    /** Instances the Auto Scaling group keeps at least (spread over the provider zones). */
    minInstances: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(100, { error: 'must be at most 100' }),
    /** Instances the capacity provider may scale out to. */
    maxInstances: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(100, { error: 'must be at most 100' }),
    /** Size of each instance's encrypted root volume, in GiB (the ECS-optimized AMI needs 30). */
    rootVolumeGiB: z.number().int({ error: 'must be a whole number' }).min(30, { error: 'must be at least 30 (the ECS-optimized AMI needs 30 GiB)' }).max(16384).default(30),
  })
  .strict();

const fargateCapacitySchema = z.object({ type: z.literal('fargate') }).strict();

/**
 * Where the tasks run: AWS Fargate (the default), or container instances of an EC2 Auto Scaling
 * group registered as the cluster's capacity provider.
 */
export const capacitySchema = z
  .discriminatedUnion('type', [fargateCapacitySchema, ec2CapacitySchema], {
    error: "must be { type: 'fargate' } or { type: 'ec2', instanceType, minInstances, maxInstances }",
  })
  .default({ type: 'fargate' });

/** A PostgreSQL database on Amazon RDS for the service. */
export const databaseSchema = z
  .object({
    /** PostgreSQL version (full, e.g. `17.6`), one that aws-cdk-lib knows. */
    engineVersion: z
      .string({ error: 'must be a PostgreSQL version such as 17.6' })
      .refine((version) => POSTGRES_VERSIONS.includes(version), {
        error: `must be a PostgreSQL version aws-cdk-lib knows, such as ${DEFAULT_POSTGRES_VERSION}`,
      })
      .default(DEFAULT_POSTGRES_VERSION),
    /** The DB instance class, e.g. `db.t4g.medium`. */
    instanceClass: z
      .string({ error: 'must be a DB instance class such as db.t4g.medium' })
      .regex(/^db\.[a-z][a-z0-9-]*\.(micro|small|medium|large|\d{0,2}xlarge)$/, { error: 'must be a DB instance class such as db.t4g.medium' })
      .default('db.t4g.medium'),
    /** Name of the database created with the instance. */
    databaseName: z
      .string({ error: 'must be a database name' })
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, { error: 'must be a letter then up to 62 letters, digits or underscores' })
      .default('app'),
    /** Storage allocated at creation, in GiB. */
    allocatedStorageGiB: z.number().int({ error: 'must be a whole number' }).min(20, { error: 'must be at least 20' }).max(65536, { error: 'must be at most 65536' }).default(20),
    /** Storage autoscaling up to this many GiB; omit for none. */
    maxAllocatedStorageGiB: z.number().int({ error: 'must be a whole number' }).max(65536, { error: 'must be at most 65536' }).optional(),
    /** A synchronous standby in a second zone. Turn it off only where an outage is acceptable. */
    multiAz: z.boolean().default(true),
    /** Days of automated backups (7 to 35). */
    backupRetentionDays: z.number().int({ error: 'must be a whole number' }).min(7, { error: 'must be at least 7 days' }).max(35, { error: 'must be at most 35 days (the RDS maximum)' }).default(7),
    /** Deletion protection on the instance. Keep it on in production. */
    deletionProtection: z.boolean().default(true),
  })
  .strict();

/** An Amazon EFS file system mounted into every task. */
export const fileSystemSchema = z
  .object({
    /** Where the container sees the file system: its writable, persistent folder. */
    mountPath: z
      .string({ error: 'must be an absolute folder path' })
      .regex(/^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { error: 'must be an absolute folder path other than /' }),
    /**
     * The POSIX user the access point writes as (`uid:gid`, not root).
     * @default - the service's `user` when it is numeric
     */
    posixUser: z
      .string({ error: 'must be uid:gid' })
      .regex(/^\d{1,10}:\d{1,10}$/, { error: 'must be uid:gid (numbers)' })
      .refine((user) => Number(user.split(':')[0]) !== 0, { error: 'must not be root (uid 0)' })
      .optional(),
  })
  .strict();

/** A private S3 bucket the tasks read static assets from, through the VPC's S3 gateway endpoint. */
export const assetsBucketSchema = z
  .object({
    /** Days a replaced or deleted asset's old version is kept. */
    noncurrentVersionExpirationDays: z.number().int({ error: 'must be a whole number' }).min(1, { error: 'must be at least 1' }).max(3650).default(90),
  })
  .strict();

export type CapacityConfig =
  | { readonly type: 'fargate' }
  | {
      readonly type: 'ec2';
      readonly instanceType: string;
      readonly minInstances: number;
      readonly maxInstances: number;
      readonly rootVolumeGiB: number;
    };

export type DatabaseConfig = Readonly<z.output<typeof databaseSchema>>;
export interface FileSystemConfig {
  readonly mountPath: string;
  readonly posixUser: { readonly uid: number; readonly gid: number };
}
export type AssetsBucketConfig = Readonly<z.output<typeof assetsBucketSchema>>;

/**
 * Environment variables the provider sets for the service when the data tier has the part,
 * named here once: the config's own `service.environment`/`secrets` may not use them.
 */
export const DATA_TIER_VARIABLES = {
  database: ['DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_SSL'],
  fileSystem: ['FILES_DIR'],
  assetsBucket: ['ASSETS_BUCKET'],
} as const;

interface DataTierInput {
  readonly capacity: CapacityConfig;
  readonly database?: DatabaseConfig;
  readonly fileSystem?: z.output<typeof fileSystemSchema>;
  readonly assetsBucket?: AssetsBucketConfig;
}

export interface DataTierIssue {
  readonly path: (string | number)[];
  readonly message: string;
  readonly value: unknown;
}

/** The numeric `uid:gid` of a container user, when it is numeric (`1000:1000`, or `1000` with gid = uid). */
function numericUser(user: string): { uid: number; gid: number } | undefined {
  const match = /^(\d+)(?::(\d+))?$/.exec(user);
  if (!match) return undefined;
  return { uid: Number(match[1]), gid: Number(match[2] ?? match[1]) };
}

/** The assets bucket's name: fixed (see `assetsBucketName`), unique across S3 by account and region. */
export function assetsBucketNameOf(parts: { readonly serviceName: string; readonly environment: string; readonly account: string; readonly region: string }): string {
  return `${parts.serviceName}-${parts.environment}-assets-${parts.account}-${parts.region}`;
}

/** The file system's POSIX user: the config's, else the service's numeric user. */
export function fileSystemPosixUser(fileSystem: { readonly posixUser?: string }, service: ServiceConfig): { uid: number; gid: number } | undefined {
  return fileSystem.posixUser ? numericUser(fileSystem.posixUser) : numericUser(service.user);
}

/** Checks of a provider's capacity and data tier against each other and against its service. Paths are relative to `provider`. */
export function dataTierIssues(provider: DataTierInput, service: ServiceConfig, zoneCount: number): DataTierIssue[] {
  const issues: DataTierIssue[] = [];
  const { capacity, database, fileSystem, assetsBucket } = provider;
  if (capacity.type === 'ec2') {
    if (capacity.maxInstances < capacity.minInstances) {
      issues.push({ path: ['capacity', 'maxInstances'], message: `must be at least minInstances (${capacity.minInstances})`, value: capacity.maxInstances });
    }
    if (capacity.minInstances < zoneCount) {
      issues.push({
        path: ['capacity', 'minInstances'],
        message: `must be at least the number of provider zones (${zoneCount}), so every zone keeps an instance for its tasks`,
        value: capacity.minInstances,
      });
    }
    // A malformed type is reported on its own field; only a well-formed one has an architecture.
    const architecture = !INSTANCE_TYPE.test(capacity.instanceType)
      ? undefined
      : new ec2.InstanceType(capacity.instanceType).architecture === ec2.InstanceArchitecture.ARM_64
        ? 'arm64'
        : 'x86_64';
    if (architecture !== undefined && architecture !== service.cpuArchitecture) {
      issues.push({
        path: ['capacity', 'instanceType'],
        message: `is an ${architecture} instance type, but the service's image is ${service.cpuArchitecture} (service.cpuArchitecture): pick an ${service.cpuArchitecture} type${service.cpuArchitecture === 'arm64' ? ' (a Graviton family such as m7g)' : ' (such as m7i or t3)'} or build the image for ${architecture}`,
        value: capacity.instanceType,
      });
    }
  }
  if (database?.maxAllocatedStorageGiB !== undefined && database.maxAllocatedStorageGiB <= database.allocatedStorageGiB) {
    issues.push({
      path: ['database', 'maxAllocatedStorageGiB'],
      message: `must be above allocatedStorageGiB (${database.allocatedStorageGiB}), or be left out for no storage autoscaling`,
      value: database.maxAllocatedStorageGiB,
    });
  }
  if (fileSystem) {
    const clash = service.writablePaths.find(
      (path) => path === fileSystem.mountPath || path.startsWith(`${fileSystem.mountPath}/`) || fileSystem.mountPath.startsWith(`${path}/`),
    );
    if (clash !== undefined) {
      issues.push({
        path: ['fileSystem', 'mountPath'],
        message: `overlaps service.writablePaths entry ${clash}: the file system is already writable, remove one of them`,
        value: fileSystem.mountPath,
      });
    }
    if (!fileSystemPosixUser(fileSystem, service)) {
      issues.push({
        path: ['fileSystem', 'posixUser'],
        message: `is required when service.user (${service.user}) is not numeric: give the uid:gid the container runs as`,
        value: fileSystem.posixUser,
      });
    }
  }
  const parts = { database, fileSystem, assetsBucket };
  for (const [part, names] of Object.entries(DATA_TIER_VARIABLES) as [keyof typeof DATA_TIER_VARIABLES, readonly string[]][]) {
    if (!parts[part]) continue;
    for (const name of names) {
      if (name in service.environment || name in service.secrets) {
        issues.push({
          path: [part],
          message: `sets ${name} for the service, which service.${name in service.environment ? 'environment' : 'secrets'} also sets: remove it there`,
          value: name,
        });
      }
    }
  }
  return issues;
}
