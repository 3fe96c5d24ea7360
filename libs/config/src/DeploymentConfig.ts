import { RegionInfo } from 'aws-cdk-lib/region-info';
import { z } from 'zod';
import { zoneIdProblem, zoneNameProblem } from './availabilityZones';
import { alignedCidr, isAligned, overlaps, parseIpv4Cidr, type Ipv4Block } from './cidr';
import {
  assetsBucketNameOf,
  assetsBucketSchema,
  capacitySchema,
  dataTierIssues,
  databaseSchema,
  fileSystemPosixUser,
  fileSystemSchema,
  type AssetsBucketConfig,
  type CapacityConfig,
  type DatabaseConfig,
  type FileSystemConfig,
} from './DataTierConfig';
import {
  monitoringSchema,
  operationsIssues,
  resolveMonitoring,
  resolveScaling,
  scalingSchema,
  type MonitoringConfig,
  type ScalingConfig,
} from './OperationsConfig';
import {
  resolveService,
  serviceInputSchema,
  serviceOverrideSchema,
  serviceIssues,
  slug,
  TASK_API_SERVICE,
  type ServiceConfig,
} from './ServiceConfig';

/**
 * Regions known to the pinned aws-cdk-lib (its region-info database), so a typo such as
 * `eu-wets-1` stops synth instead of producing a stage nobody can deploy.
 */
export const KNOWN_REGIONS: readonly string[] = RegionInfo.regions.map((region) => region.name);

/** Log retention periods CloudWatch Logs accepts (any other number is rejected by the API). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const MIGRATION = '(see "Migrating a config" in README.md)';

/** A field that an earlier version of the config had: naming it says where it went. */
function moved(to: string) {
  return z.never({ error: `moved to ${to} ${MIGRATION}` }).optional();
}

const accountId = z
  .string({ error: 'must be a 12-digit AWS account id in quotes' })
  .regex(/^\d{12}$/, { error: 'must be a 12-digit AWS account id' });

const region = z
  .string({ error: 'must be an AWS region name' })
  .refine((value) => KNOWN_REGIONS.includes(value), { error: 'is not a known AWS region' });

const port = z
  .number({ error: 'must be a port number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be a port between 1 and 65535' })
  .max(65535, { error: 'must be a port between 1 and 65535' });

/** Prefix lengths a new VPC may have (what AWS allows for a VPC, short of /28 for our subnets). */
const VPC_PREFIXES = [16, 24] as const;
/** Prefix lengths an existing VPC's primary CIDR may have (what AWS allows). */
const EXISTING_VPC_PREFIXES = [16, 28] as const;
/** Prefix lengths a client range may have: never the whole internet, at most one host. */
const CLIENT_PREFIXES = [8, 32] as const;

/** An IPv4 CIDR with its host bits cleared and a prefix length inside [min, max]. */
function cidr(minPrefix: number, maxPrefix: number) {
  return z.string({ error: 'must be an IPv4 CIDR block such as 10.0.0.0/16' }).superRefine((value, ctx) => {
    const block = parseIpv4Cidr(value);
    if (!block) {
      ctx.addIssue({ code: 'custom', message: 'is not an IPv4 CIDR block (expected a.b.c.d/n)' });
      return;
    }
    if (!isAligned(block)) {
      ctx.addIssue({ code: 'custom', message: `has host bits set (did you mean ${alignedCidr(block)}?)` });
      return;
    }
    if (block.prefixLength < minPrefix || block.prefixLength > maxPrefix) {
      ctx.addIssue({ code: 'custom', message: `must have a prefix length between /${minPrefix} and /${maxPrefix}` });
    }
  });
}

/**
 * One availability zone: its zone ID (`euw1-az1`, the same physical zone in every account), or
 * its name in the account that deploys the VPC together with its ID. Checked against the
 * region where the VPC is (see {@link zoneIssues}).
 */
const zoneInput = z.union(
  [
    z.string(),
    z
      .object({
        /** The zone's name in the deploying account, e.g. `eu-west-1a`. */
        name: z.string({ error: 'must be an availability zone name' }),
        /** The zone's ID, e.g. `euw1-az3` (`aws ec2 describe-availability-zones`). */
        id: z.string({ error: 'must be an availability zone ID' }),
      })
      .strict(),
  ],
  { error: "must be a zone ID such as 'euw1-az1', or { name: 'eu-west-1a', id: 'euw1-az1' }" },
);

const zoneList = z
  .array(zoneInput, { error: 'must be a list of availability zone IDs' })
  .min(1, { error: 'must name at least one availability zone' })
  .max(6, { error: 'must name at most 6 availability zones' });

const subnetCidrMask = z.number().int().min(16).max(27).default(24);

const providerSchema = z
  .object({
    account: accountId,
    region,
    /** Zones of the provider VPC: its subnets, the NLB and the ALB span them. At least 2. */
    availabilityZones: zoneList,
    vpcCidr: cidr(...VPC_PREFIXES),
    /** Prefix length of each subnet; every AZ gets one private subnet of this size. */
    subnetCidrMask,
    /** Port the NLB and ALB listen on; consumers connect to it through their endpoint. */
    listenerPort: port.optional(),
    /** ACM certificate for TLS on the ALB; when set, the listener is HTTPS (TLS ends at the ALB). */
    certificateArn: z
      .string()
      .regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/, {
        error: 'must be an ACM certificate ARN',
      })
      .optional(),
    desiredCount: z
      .number()
      .int({ error: 'must be a whole number' })
      .min(2, { error: 'must be at least 2 (one task per AZ survives an AZ outage)' })
      .max(100, { error: 'must be at most 100' })
      .default(2),
    logRetentionDays: z
      .number()
      .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        error: `must be one of ${LOG_RETENTION_DAYS.join(', ')}`,
      })
      .default(90),
    /**
     * Whether each consumer's endpoint connection must be accepted by the provider before
     * traffic flows. Turning this off lets any allowed principal connect without review.
     */
    acceptanceRequired: z.boolean().default(true),
    /**
     * Deletion protection on both load balancers. Keep it on in production; turn it off in a
     * sandbox you want to `cdk destroy`.
     */
    deletionProtection: z.boolean().default(true),
    /** This environment's differences from the top-level `service` (size, image, env, secrets). */
    service: serviceOverrideSchema.optional(),
    /** Where the tasks run: `{ type: 'fargate' }` (the default) or `{ type: 'ec2', instanceType, minInstances, maxInstances }`. */
    capacity: capacitySchema,
    /** A PostgreSQL database on RDS for the service (README, "Data tier"). */
    database: databaseSchema.optional(),
    /** An EFS file system mounted into every task at `mountPath`. */
    fileSystem: fileSystemSchema.optional(),
    /** A private S3 bucket of static assets the tasks read through the S3 gateway endpoint. */
    assetsBucket: assetsBucketSchema.optional(),
    /** How far the ECS service's task count may scale, on ALB requests and CPU (README, "Deployment config reference"). */
    scaling: scalingSchema.optional(),
    /** Alarm thresholds, alarm emails and the pipeline's bake time (README, "Deployment config reference"). */
    monitoring: monitoringSchema.optional(),
    containerPort: moved('service.containerPort'),
    cpu: moved('service.cpu (or provider.service.cpu for one environment)'),
    memoryMiB: moved('service.memoryMiB (or provider.service.memoryMiB for one environment)'),
  })
  .strict();

const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: 'must be a subnet id (subnet-…)' });

/** A VPC that already exists in the consumer account: nothing is looked up, everything is stated. */
const existingVpcSchema = z
  .object({
    /** The VPC id, e.g. `vpc-0123456789abcdef0`. */
    id: z.string({ error: 'must be a VPC id' }).regex(/^vpc-[0-9a-f]{8,17}$/, { error: 'must be a VPC id (vpc-…)' }),
    /** The VPC's (primary) IPv4 CIDR block: the default client range of the endpoint. */
    cidr: cidr(...EXISTING_VPC_PREFIXES),
    /**
     * The subnets the endpoint (and the smoke-test function) go into, keyed by their zone ID:
     * an interface endpoint takes at most one subnet per zone.
     */
    subnets: z
      .record(z.string(), subnetId, { error: "must map zone IDs to subnet ids, e.g. { 'euw1-az1': 'subnet-…' }" })
      .refine((subnets) => Object.keys(subnets).length > 0, { error: 'must name at least one subnet' }),
  })
  .strict();

const consumerSchema = z
  .object({
    name: slug,
    account: accountId,
    region,
    /** Zones of the consumer VPC this repository creates (with `vpcCidr`); for a self-managed consumer, the zones it will use, if known. */
    availabilityZones: zoneList.optional(),
    /** CIDR of the consumer VPC this repository creates. */
    vpcCidr: cidr(...VPC_PREFIXES).optional(),
    subnetCidrMask: z.number().int().min(16).max(27).optional(),
    /** An existing VPC of the consumer to put the endpoint in, instead of creating one. */
    existingVpc: existingVpcSchema.optional(),
    /**
     * The consumer deploys its endpoint itself from the consumer kit: it is an allowed principal
     * and a RAM share target, but the pipeline deploys nothing into its account.
     */
    selfManaged: z.boolean().default(false),
    /**
     * CIDR blocks allowed to reach the interface endpoint. Defaults to the consumer VPC's CIDR;
     * name narrower blocks (or peered networks) to restrict who can call the provider.
     * Required for a self-managed consumer (its VPC is not in the config).
     */
    allowedClientCidrs: z.array(cidr(...CLIENT_PREFIXES)).min(1, { error: 'must name at least one CIDR block' }).optional(),
    /**
     * The principal the provider allows to create endpoints: the consumer account root (the
     * default) or one IAM role in that account.
     */
    principalArn: z.string().optional(),
    /**
     * Accepts, with the reason, that this consumer's client ranges overlap the provider VPC or
     * another consumer's client ranges (an overlap between two consumers needs it on both).
     * Without it an overlap stops synth: the provider's NLB admits clients by source address.
     */
    allowOverlappingClientCidrs: z
      .object({
        /** Why the overlap is safe here (who owns the addresses, what keeps them apart). */
        reason: z
          .string({ error: 'must say why the overlap is safe' })
          .trim()
          .min(10, { error: 'must say why the overlap is safe (at least 10 characters)' }),
      })
      .strict()
      .optional(),
    /**
     * The consumer's account is not in the top-level `organization`: the RAM share then has to
     * allow external principals, and the consumer accepts a share invitation.
     */
    outsideOrganization: z.boolean().default(false),
  })
  .strict();

/** An availability zone as the rest of the code sees it: always its ID, its name when the config gave one. */
export interface AvailabilityZone {
  /** Zone ID, the same physical zone in every account (`euw1-az1`). */
  readonly id: string;
  /** Zone name in the deploying account, when the config gave it (`eu-west-1a`). */
  readonly name?: string;
}

type ZoneInput = z.input<typeof zoneInput>;

function toZone(zone: ZoneInput): AvailabilityZone {
  return typeof zone === 'string' ? { id: zone } : { id: zone.id, name: zone.name };
}

/** Reports unknown zones, names without IDs and duplicates of a zone list, in `region`. */
function zoneIssues(zones: readonly ZoneInput[], region: string, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (!KNOWN_REGIONS.includes(region)) return; // reported once, on the region itself
  const seen = new Map<string, number>();
  for (const [index, zone] of zones.entries()) {
    const at = [...path, index];
    const problems =
      typeof zone === 'string'
        ? [zoneIdProblem(zone, region)]
        : [zoneNameProblem(zone.name, region), zoneIdProblem(zone.id, region)];
    const problem = problems.find((entry) => entry !== undefined);
    if (problem) {
      ctx.addIssue({ code: 'custom', path: typeof zone === 'string' ? at : [...at, problems[0] ? 'name' : 'id'], message: problem, input: typeof zone === 'string' ? zone : problems[0] ? zone.name : zone.id });
      continue;
    }
    const id = toZone(zone).id;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, index);
    else ctx.addIssue({ code: 'custom', path: at, message: `names zone ${id} again (first at [${first}])`, input: zone });
  }
}

function vpcLayoutIssues(
  vpc: { vpcCidr: string; subnetCidrMask: number; zoneCount: number },
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  const block = parseIpv4Cidr(vpc.vpcCidr);
  if (!block || !isAligned(block)) return;
  if (vpc.subnetCidrMask <= block.prefixLength) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'subnetCidrMask'],
      message: `must be longer than the VPC prefix /${block.prefixLength}`,
      input: vpc.subnetCidrMask,
    });
    return;
  }
  const subnetsThatFit = 2 ** (vpc.subnetCidrMask - block.prefixLength);
  if (subnetsThatFit < vpc.zoneCount) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'subnetCidrMask'],
      message: `/${vpc.subnetCidrMask} subnets for ${vpc.zoneCount} AZs would overlap inside ${vpc.vpcCidr} (only ${subnetsThatFit} fit)`,
      input: vpc.subnetCidrMask,
    });
  }
}

function principalIssue(principalArn: string, account: string): string | undefined {
  if (principalArn.includes('*')) return 'must not contain a wildcard';
  const match = /^arn:aws[a-z-]*:iam::(\d{12}):(root|role\/[\w+=,.@/-]{1,512})$/.exec(principalArn);
  if (!match) return 'must be an IAM account root or role ARN (arn:aws:iam::<account>:root or :role/<name>)';
  if (match[1] !== account) return `must belong to the consumer's account ${account}`;
  return undefined;
}

type ConsumerInput = z.output<typeof consumerSchema>;

/** Where a consumer's endpoint goes: which of the three shapes the entry has, or why none. */
function consumerShapeIssue(consumer: ConsumerInput): { field: string; message: string } | undefined {
  const newVpc = consumer.vpcCidr !== undefined;
  if (consumer.selfManaged) {
    if (newVpc || consumer.existingVpc || consumer.subnetCidrMask !== undefined) {
      return {
        field: consumer.existingVpc ? 'existingVpc' : 'vpcCidr',
        message: 'must not be set for a self-managed consumer (it deploys its endpoint itself, into its own VPC)',
      };
    }
    if (!consumer.allowedClientCidrs) {
      return {
        field: 'allowedClientCidrs',
        message: "is required for a self-managed consumer: the provider's NLB admits exactly these client ranges",
      };
    }
    return undefined;
  }
  if (consumer.existingVpc) {
    if (newVpc || consumer.availabilityZones || consumer.subnetCidrMask !== undefined) {
      return {
        field: newVpc ? 'vpcCidr' : consumer.availabilityZones ? 'availabilityZones' : 'subnetCidrMask',
        message: 'must not be set together with existingVpc (the zones are the keys of existingVpc.subnets)',
      };
    }
    return undefined;
  }
  if (!newVpc) {
    return {
      field: 'vpcCidr',
      message: 'is required: give vpcCidr + availabilityZones (a new VPC), existingVpc (the consumer\'s VPC) or selfManaged: true',
    };
  }
  if (!consumer.availabilityZones) {
    return { field: 'availabilityZones', message: 'is required with vpcCidr (the zones of the new VPC)' };
  }
  return undefined;
}

/** The zone IDs a consumer's endpoint uses, as stated in the config (empty when not stated). */
function consumerZoneIds(consumer: ConsumerInput): { ids: string[]; field: (string | number)[] } {
  if (consumer.existingVpc) return { ids: Object.keys(consumer.existingVpc.subnets), field: ['existingVpc', 'subnets'] };
  return { ids: (consumer.availabilityZones ?? []).map((zone) => toZone(zone).id), field: ['availabilityZones'] };
}

/** One client range of a consumer, with the field it comes from (relative to the consumer). */
interface ClientRange {
  readonly value: string;
  readonly block: Ipv4Block;
  readonly field: (string | number)[];
}

/**
 * The client ranges a consumer gets (what `allowedClientCidrs(consumer)` returns once parsed):
 * its `allowedClientCidrs`, else its existing or new VPC's CIDR. Malformed blocks are left out
 * (they are reported on their own field).
 */
function clientRanges(consumer: ConsumerInput): ClientRange[] {
  const declared: { value: string; field: (string | number)[]; prefixes: readonly [number, number] }[] =
    consumer.allowedClientCidrs
      ? consumer.allowedClientCidrs.map((value, index) => ({ value, field: ['allowedClientCidrs', index], prefixes: CLIENT_PREFIXES }))
      : consumer.existingVpc
        ? [{ value: consumer.existingVpc.cidr, field: ['existingVpc', 'cidr'], prefixes: EXISTING_VPC_PREFIXES }]
        : consumer.vpcCidr !== undefined
          ? [{ value: consumer.vpcCidr, field: ['vpcCidr'], prefixes: VPC_PREFIXES }]
          : [];
  return declared.flatMap(({ value, field, prefixes }) => {
    const block = validBlock(value, ...prefixes);
    return block ? [{ value, field, block }] : [];
  });
}

/** The block of a CIDR that passes its own field's checks ({@link cidr}), else undefined. */
function validBlock(value: string, minPrefix: number, maxPrefix: number): Ipv4Block | undefined {
  const block = parseIpv4Cidr(value);
  if (!block || !isAligned(block) || block.prefixLength < minPrefix || block.prefixLength > maxPrefix) return undefined;
  return block;
}

function fieldText(path: readonly (string | number)[]): string {
  return path.map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${key}`)).join('');
}

const OVERLAP_OPT_IN = 'allowOverlappingClientCidrs: { reason }';

/**
 * Client ranges overlapping the provider VPC, or another consumer's client ranges, unless the
 * consumer(s) opted in; and opt-ins that no overlap needs. The provider's NLB admits clients by
 * source address (README, "Client ranges never overlap"): an overlapping range lets the
 * provider's own hosts, or another consumer's clients, pass as this consumer's.
 */
function clientRangeIssues(providerVpcCidr: string, consumers: readonly ConsumerInput[], ctx: z.RefinementCtx): void {
  const provider = validBlock(providerVpcCidr, ...VPC_PREFIXES);
  const ranges = consumers.map(clientRanges);
  const overlapping = new Set<number>();
  for (const [index, consumer] of consumers.entries()) {
    const optedIn = consumer.allowOverlappingClientCidrs !== undefined;
    for (const range of ranges[index] ?? []) {
      // A fresh array per issue: zod prefixes an issue's path in place.
      const path = (): (string | number)[] => ['consumers', index, ...range.field];
      if (provider && overlaps(range.block, provider)) {
        overlapping.add(index);
        if (!optedIn) {
          ctx.addIssue({
            code: 'custom',
            path: path(),
            message: `overlaps provider.vpcCidr ${providerVpcCidr} of the same environment: the provider's NLB admits clients by source address, so hosts of the provider VPC in this range would reach it directly, past the endpoint service; use a range outside the provider VPC, or accept the overlap with ${OVERLAP_OPT_IN} on consumers[${index}]`,
            input: range.value,
          });
        }
      }
      for (const [other, otherRanges] of ranges.slice(0, index).entries()) {
        const clash = otherRanges.find((candidate) => overlaps(range.block, candidate.block));
        if (!clash) continue;
        overlapping.add(index);
        overlapping.add(other);
        if (optedIn && consumers[other]?.allowOverlappingClientCidrs !== undefined) continue;
        ctx.addIssue({
          code: 'custom',
          path: path(),
          message: `overlaps consumers[${other}].${fieldText(clash.field)} ${clash.value} (consumer ${consumers[other]?.name ?? other}) of the same environment: the provider's NLB admits clients by source address, so one consumer's addresses would pass as the other's; give the consumers disjoint ranges, or accept the overlap with ${OVERLAP_OPT_IN} on both consumers[${other}] and consumers[${index}]`,
          input: range.value,
        });
      }
    }
  }
  for (const [index, consumer] of consumers.entries()) {
    if (consumer.allowOverlappingClientCidrs !== undefined && !overlapping.has(index)) {
      ctx.addIssue({
        code: 'custom',
        path: ['consumers', index, 'allowOverlappingClientCidrs'],
        message: "accepts an overlap that does not exist (no client range of this consumer overlaps the provider VPC or another consumer's): remove it",
        input: consumer.allowOverlappingClientCidrs,
      });
    }
  }
}

const environmentSchema = z
  .object({
    /** Environment name (`staging`, `prod`); prefixes stage, stack and parameter names. */
    name: slug,
    /** Whether the pipeline waits for a manual approval before deploying this environment. */
    requiresApproval: z.boolean().default(false),
    provider: providerSchema,
    consumers: z
      .array(consumerSchema, { error: 'must be a list of consumers' })
      .min(1, { error: 'must name at least one consumer (the endpoint service would allow no principal)' }),
  })
  .strict()
  .superRefine((config, ctx) => {
    const { provider } = config;
    zoneIssues(provider.availabilityZones, provider.region, ['provider', 'availabilityZones'], ctx);
    if (provider.availabilityZones.length < 2) {
      ctx.addIssue({
        code: 'custom',
        path: ['provider', 'availabilityZones'],
        message: 'must name at least 2 availability zones (tasks and load balancers span AZs)',
        input: provider.availabilityZones,
      });
    }
    vpcLayoutIssues(
      { vpcCidr: provider.vpcCidr, subnetCidrMask: provider.subnetCidrMask, zoneCount: provider.availabilityZones.length },
      ['provider'],
      ctx,
    );
    if (provider.certificateArn && !provider.certificateArn.includes(`:${provider.region}:`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['provider', 'certificateArn'],
        message: `must be a certificate in the provider region ${provider.region}`,
        input: provider.certificateArn,
      });
    }
    const providerZoneIds = provider.availabilityZones.map((zone) => toZone(zone).id);
    // Coverage is checked only against a valid provider zone list (its own problems are reported above).
    const providerZonesValid =
      provider.availabilityZones.length >= 2 &&
      KNOWN_REGIONS.includes(provider.region) &&
      new Set(providerZoneIds).size === providerZoneIds.length &&
      provider.availabilityZones.every((zone) =>
        typeof zone === 'string'
          ? zoneIdProblem(zone, provider.region) === undefined
          : zoneIdProblem(zone.id, provider.region) === undefined && zoneNameProblem(zone.name, provider.region) === undefined,
      );
    const seenNames = new Map<string, number>();
    for (const [index, consumer] of config.consumers.entries()) {
      const path = ['consumers', index];
      const shape = consumerShapeIssue(consumer);
      if (shape) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, shape.field],
          message: shape.message,
          input: (consumer as Record<string, unknown>)[shape.field],
        });
      }
      if (consumer.availabilityZones) {
        zoneIssues(consumer.availabilityZones, consumer.region, [...path, 'availabilityZones'], ctx);
        if (consumer.vpcCidr !== undefined && consumer.availabilityZones.length < 2) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, 'availabilityZones'],
            message: 'must name at least 2 availability zones for a new VPC',
            input: consumer.availabilityZones,
          });
        }
      }
      if (consumer.existingVpc) {
        for (const zone of Object.keys(consumer.existingVpc.subnets)) {
          const problem = KNOWN_REGIONS.includes(consumer.region) ? zoneIdProblem(zone, consumer.region) : undefined;
          if (problem) {
            ctx.addIssue({ code: 'custom', path: [...path, 'existingVpc', 'subnets', zone], message: problem, input: zone });
          }
        }
      }
      if (consumer.vpcCidr !== undefined && consumer.availabilityZones) {
        vpcLayoutIssues(
          {
            vpcCidr: consumer.vpcCidr,
            subnetCidrMask: consumer.subnetCidrMask ?? 24,
            zoneCount: consumer.availabilityZones.length,
          },
          path,
          ctx,
        );
      }
      const firstIndex = seenNames.get(consumer.name);
      if (firstIndex === undefined) {
        seenNames.set(consumer.name, index);
      } else {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'name'],
          message: `duplicates the name of consumers[${firstIndex}]`,
          input: consumer.name,
        });
      }
      const regionsKnown = KNOWN_REGIONS.includes(consumer.region) && KNOWN_REGIONS.includes(provider.region);
      if (regionsKnown && consumer.region !== provider.region) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'region'],
          message: `must equal the provider region ${provider.region} (cross-region consumers are not supported yet)`,
          input: consumer.region,
        });
      } else if (regionsKnown && providerZonesValid) {
        // PrivateLink places an endpoint only in zones where the endpoint service's NLB is.
        const zones = consumerZoneIds(consumer);
        const uncovered = zones.ids.filter((id) => !providerZoneIds.includes(id));
        if (uncovered.length > 0 && zones.ids.every((id) => zoneIdProblem(id, consumer.region) === undefined)) {
          ctx.addIssue({
            code: 'custom',
            path: [...path, ...zones.field],
            message: `uses zone(s) ${uncovered.join(', ')} that the provider's NLB does not serve (consumer zones: ${zones.ids.join(', ')}; provider zones: ${providerZoneIds.join(', ')})`,
            input: zones.ids,
          });
        }
      }
      if (consumer.principalArn !== undefined) {
        const issue = principalIssue(consumer.principalArn, consumer.account);
        if (issue) {
          ctx.addIssue({ code: 'custom', path: [...path, 'principalArn'], message: issue, input: consumer.principalArn });
        }
      }
      const clientBlocks = (consumer.allowedClientCidrs ?? [])
        .map((value) => ({ value, block: parseIpv4Cidr(value) }))
        .filter((entry) => entry.block && isAligned(entry.block));
      for (const [i, a] of clientBlocks.entries()) {
        for (const b of clientBlocks.slice(i + 1)) {
          if (a.block && b.block && overlaps(a.block, b.block)) {
            ctx.addIssue({
              code: 'custom',
              path: [...path, 'allowedClientCidrs'],
              message: `${a.value} and ${b.value} overlap`,
              input: consumer.allowedClientCidrs,
            });
          }
        }
      }
    }
    clientRangeIssues(provider.vpcCidr, config.consumers, ctx);
  });

/** The AWS Organization the provider account belongs to. */
const organizationSchema = z
  .object({
    /** The organization's ID (`aws organizations describe-organization --query Organization.Id`). */
    id: z
      .string({ error: 'must be an AWS Organizations ID' })
      .regex(/^o-[a-z0-9]{10,32}$/, { error: 'must be an AWS Organizations ID: o- followed by 10 to 32 lowercase letters or digits' }),
  })
  .strict();

const pipelineSchema = z
  .object({
    /** The tooling account that runs the pipeline and trusts nothing but itself. */
    account: accountId,
    region,
    /** GitHub repository as `owner/name`. */
    repository: z
      .string({ error: 'must be a GitHub repository as owner/name' })
      .regex(/^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/, { error: 'must be a GitHub repository as owner/name' }),
    /** Branch whose pushes start the pipeline. */
    branch: z.string().regex(/^[A-Za-z0-9._/-]{1,100}$/, { error: 'must be a branch name' }).default('main'),
    /** AWS CodeConnections connection to GitHub, created once in the pipeline account. */
    connectionArn: z
      .string({ error: 'must be a CodeConnections connection ARN' })
      .regex(/^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/[0-9a-f-]{36}$/, {
        error: 'must be a CodeConnections connection ARN (arn:aws:codeconnections:<region>:<account>:connection/<id>)',
      }),
  })
  .strict()
  .superRefine((pipeline, ctx) => {
    const account = /:(\d{12}):connection\//.exec(pipeline.connectionArn)?.[1];
    if (account && /^\d{12}$/.test(pipeline.account) && account !== pipeline.account) {
      ctx.addIssue({
        code: 'custom',
        path: ['connectionArn'],
        message: `must be a connection in the pipeline account ${pipeline.account}`,
        input: pipeline.connectionArn,
      });
    }
  });

/** The pipeline section: where the delivery pipeline runs and which repository feeds it. */
export type PipelineConfig = DeepReadonly<z.output<typeof pipelineSchema>>;

/** The AWS Organization of the provider account; consumers are in it unless marked `outsideOrganization`. */
export type OrganizationConfig = DeepReadonly<z.output<typeof organizationSchema>>;

/** A provider's settings in one environment (its service is resolved into {@link EnvironmentConfig.service}). */
export interface ProviderConfig {
  readonly account: string;
  readonly region: string;
  /** Zones of the provider VPC, in config order: the NLB serves exactly these (by ID). */
  readonly availabilityZones: readonly AvailabilityZone[];
  readonly vpcCidr: string;
  readonly subnetCidrMask: number;
  readonly listenerPort?: number;
  readonly certificateArn?: string;
  readonly desiredCount: number;
  readonly logRetentionDays: number;
  readonly acceptanceRequired: boolean;
  readonly deletionProtection: boolean;
  /** Where the tasks run (Fargate unless the config says EC2). */
  readonly capacity: CapacityConfig;
  /** The RDS PostgreSQL database, when the environment has one. */
  readonly database?: DatabaseConfig;
  /** The EFS file system, when the environment has one (its POSIX user resolved). */
  readonly fileSystem?: FileSystemConfig;
  /** The S3 assets bucket, when the environment has one. */
  readonly assetsBucket?: AssetsBucketConfig;
  /** Autoscaling of the task count: from `desiredCount` to `maxCount` (equal: no autoscaling). */
  readonly scaling: ScalingConfig;
  /** Alarm thresholds, alarm emails and the pipeline's bake time. */
  readonly monitoring: MonitoringConfig;
}

interface ConsumerBase {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly principalArn?: string;
  /** Who may call the endpoint: the configured ranges, else the consumer VPC's CIDR. */
  readonly allowedClientCidrs: readonly string[];
  /** Zone IDs the consumer's endpoint uses (empty for a self-managed consumer that stated none). */
  readonly endpointZoneIds: readonly string[];
  /** The reason this consumer's client ranges may overlap the provider VPC or another consumer's. */
  readonly allowOverlappingClientCidrs?: { readonly reason: string };
  /** The account is outside the config's `organization` (always false when the config states none). */
  readonly outsideOrganization: boolean;
}

/** A consumer that gets a new VPC, created by this repository in its account. */
export interface NewVpcConsumerConfig extends ConsumerBase {
  readonly kind: 'new-vpc';
  readonly vpc: {
    readonly cidr: string;
    readonly subnetCidrMask: number;
    readonly availabilityZones: readonly AvailabilityZone[];
  };
}

/** A consumer whose endpoint goes into a VPC it already has (nothing is looked up). */
export interface ExistingVpcConsumerConfig extends ConsumerBase {
  readonly kind: 'existing-vpc';
  readonly vpc: {
    readonly id: string;
    readonly cidr: string;
    /** One subnet per zone, in config order. */
    readonly subnets: readonly { readonly zoneId: string; readonly subnetId: string }[];
  };
}

/** A consumer that deploys its endpoint itself, from the consumer kit. */
export interface SelfManagedConsumerConfig extends ConsumerBase {
  readonly kind: 'self-managed';
}

export type ManagedConsumerConfig = NewVpcConsumerConfig | ExistingVpcConsumerConfig;
export type ConsumerConfig = ManagedConsumerConfig | SelfManagedConsumerConfig;

/** One environment, with the resolved service: what a provider or consumer stage receives. */
export interface EnvironmentConfig {
  readonly name: string;
  readonly requiresApproval: boolean;
  /** `service.name`: prefixes stack, role and parameter names. */
  readonly serviceName: string;
  /** The service this environment's provider runs (the top-level `service` with this environment's overrides). */
  readonly service: ServiceConfig;
  readonly provider: ProviderConfig;
  readonly consumers: readonly ConsumerConfig[];
  /** The delivery pipeline, when the config has one. */
  readonly pipeline?: PipelineConfig;
  /** The provider's AWS Organization, when the config states it. */
  readonly organization?: OrganizationConfig;
}

/** A validated config with every default applied. */
export interface DeploymentConfig {
  readonly serviceName: string;
  readonly pipeline?: PipelineConfig;
  readonly organization?: OrganizationConfig;
  readonly environments: readonly EnvironmentConfig[];
}

function toConsumer(consumer: ConsumerInput): ConsumerConfig {
  const base = {
    name: consumer.name,
    account: consumer.account,
    region: consumer.region,
    ...(consumer.principalArn === undefined ? {} : { principalArn: consumer.principalArn }),
    endpointZoneIds: consumerZoneIds(consumer).ids,
    ...(consumer.allowOverlappingClientCidrs ? { allowOverlappingClientCidrs: consumer.allowOverlappingClientCidrs } : {}),
    outsideOrganization: consumer.outsideOrganization,
  };
  if (consumer.selfManaged) {
    return { ...base, kind: 'self-managed', allowedClientCidrs: consumer.allowedClientCidrs ?? [] };
  }
  if (consumer.existingVpc) {
    const { id, cidr: vpcCidr, subnets } = consumer.existingVpc;
    return {
      ...base,
      kind: 'existing-vpc',
      allowedClientCidrs: consumer.allowedClientCidrs ?? [vpcCidr],
      vpc: { id, cidr: vpcCidr, subnets: Object.entries(subnets).map(([zoneId, subnet]) => ({ zoneId, subnetId: subnet })) },
    };
  }
  const vpcCidr = consumer.vpcCidr ?? '';
  return {
    ...base,
    kind: 'new-vpc',
    allowedClientCidrs: consumer.allowedClientCidrs ?? [vpcCidr],
    vpc: {
      cidr: vpcCidr,
      subnetCidrMask: consumer.subnetCidrMask ?? 24,
      availabilityZones: (consumer.availabilityZones ?? []).map(toZone),
    },
  };
}

export const deploymentConfigSchema = z
  .object({
    /**
     * The service the provider runs in every environment (environments may override parts of
     * it in `provider.service`).
     * @default the sample task API in apps/task-api
     */
    service: serviceInputSchema.optional(),
    /** The delivery pipeline. Optional for teams that deploy the apps by hand. */
    pipeline: pipelineSchema.optional(),
    /**
     * The AWS Organization of the provider account. Stated, every consumer is taken to be in it
     * unless marked `outsideOrganization: true`, and an environment whose consumers are all in
     * it shares the service name parameter with organization principals only.
     * @default - unknown: every consumer is treated as outside, the RAM share allows external principals
     */
    organization: organizationSchema.optional(),
    /** Deployed in this order by the pipeline: provider first, then all consumers in parallel. */
    environments: z
      .array(environmentSchema, { error: 'must be a list of environments' })
      .min(1, { error: 'must name at least one environment' }),
    serviceName: moved('service.name'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    for (const [index, environment] of config.environments.entries()) {
      const first = seen.get(environment.name);
      if (first === undefined) seen.set(environment.name, index);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['environments', index, 'name'],
          message: `duplicates the name of environments[${first}]`,
          input: environment.name,
        });
      if (!config.organization) {
        for (const [consumerIndex, consumer] of environment.consumers.entries()) {
          if (consumer.outsideOrganization) {
            ctx.addIssue({
              code: 'custom',
              path: ['environments', index, 'consumers', consumerIndex, 'outsideOrganization'],
              message: 'means nothing without a top-level organization (without one, every consumer is treated as outside): state organization: { id } or remove it',
              input: consumer.outsideOrganization,
            });
          }
        }
      }
      const service = resolveService(config.service ?? TASK_API_SERVICE, environment.provider.service);
      for (const issue of serviceIssues(service, environment.provider.region, config.service !== undefined, environment.provider.service)) {
        ctx.addIssue({
          code: 'custom',
          path: issue.fromOverride ? ['environments', index, 'provider', 'service', ...issue.path] : ['service', ...issue.path],
          message: issue.message,
          input: issue.value,
        });
      }
      for (const issue of [...dataTierIssues(environment.provider, service, environment.provider.availabilityZones.length), ...operationsIssues(environment.provider)]) {
        ctx.addIssue({ code: 'custom', path: ['environments', index, 'provider', ...issue.path], message: issue.message, input: issue.value });
      }
      if (environment.provider.assetsBucket) {
        const bucketName = assetsBucketNameOf({ serviceName: service.name, environment: environment.name, account: environment.provider.account, region: environment.provider.region });
        if (bucketName.length > 63) {
          ctx.addIssue({
            code: 'custom',
            path: ['environments', index, 'provider', 'assetsBucket'],
            message: `would be named ${bucketName} (${bucketName.length} characters), longer than the 63 S3 allows: shorten service.name or the environment name`,
            input: environment.provider.assetsBucket,
          });
        }
      }
    }
  })
  .transform((config): DeploymentConfig => {
    const serviceInput = config.service ?? TASK_API_SERVICE;
    return {
      serviceName: serviceInput.name,
      ...(config.pipeline ? { pipeline: config.pipeline } : {}),
      ...(config.organization ? { organization: config.organization } : {}),
      environments: config.environments.map((environment) => {
        // The moved fields (containerPort, cpu, memoryMiB) never validate, so they are absent here.
        const { service: override, fileSystem, scaling, monitoring, ...provider } = environment.provider;
        const service = resolveService(serviceInput, override);
        // Validated above: the POSIX user is numeric whenever a file system is configured.
        const posixUser = fileSystem ? fileSystemPosixUser(fileSystem, service) : undefined;
        return {
          name: environment.name,
          requiresApproval: environment.requiresApproval,
          serviceName: serviceInput.name,
          service,
          provider: {
            ...provider,
            availabilityZones: provider.availabilityZones.map(toZone),
            ...(fileSystem && posixUser ? { fileSystem: { mountPath: fileSystem.mountPath, posixUser } } : {}),
            scaling: resolveScaling(scaling, provider.desiredCount),
            monitoring: resolveMonitoring(monitoring),
          },
          consumers: environment.consumers.map(toConsumer),
          ...(config.pipeline ? { pipeline: config.pipeline } : {}),
          ...(config.organization ? { organization: config.organization } : {}),
        };
      }),
    };
  });

type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * What a deployment config file declares. Write it `as const satisfies DeploymentConfigInput`
 * so a typo fails type-checking before synth's runtime validation runs.
 */
export type DeploymentConfigInput = DeepReadonly<z.input<typeof deploymentConfigSchema>>;
