import { RegionInfo } from 'aws-cdk-lib/region-info';
import { z } from 'zod';
import { alignedCidr, isAligned, overlaps, parseIpv4Cidr } from './cidr';

/**
 * Regions known to the pinned aws-cdk-lib (its region-info database), so a typo such as
 * `eu-wets-1` stops synth instead of producing a stage nobody can deploy.
 */
export const KNOWN_REGIONS: readonly string[] = RegionInfo.regions.map((region) => region.name);

/** Log retention periods CloudWatch Logs accepts (any other number is rejected by the API). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Fargate task sizes: CPU units → allowed memory (MiB). */
const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
};

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

const availabilityZones = z
  .array(z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+[a-z]$/, { error: 'is not an availability zone name' }), {
    error: 'must be a list of availability zone names',
  })
  .min(2, { error: 'must name at least 2 availability zones (tasks and load balancers span AZs)' })
  .max(6, { error: 'must name at most 6 availability zones' })
  .refine((zones) => new Set(zones).size === zones.length, { error: 'must not name an availability zone twice' });

/** Name used in construct ids, stack names and resource names: short, lowercase, DNS-safe. */
const slug = z
  .string({ error: 'must be a name' })
  .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, {
    error: 'must be 2-32 characters of lowercase letters, digits and hyphens, starting with a letter',
  });

/** Fields shared by every VPC we create: its CIDR, its AZs and the size of each subnet. */
const vpcFields = {
  region,
  availabilityZones,
  vpcCidr: cidr(16, 24),
  /** Prefix length of each subnet; every AZ gets one private subnet of this size. */
  subnetCidrMask: z.number().int().min(16).max(27).default(24),
};

const providerSchema = z
  .object({
    account: accountId,
    ...vpcFields,
    /** Port the container listens on (the task API's PORT). */
    containerPort: port.default(8080),
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
    cpu: z.number().int().default(256),
    memoryMiB: z.number().int().default(512),
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
  })
  .strict()
  .superRefine((provider, ctx) => {
    const allowedMemory = FARGATE_MEMORY_BY_CPU[provider.cpu];
    if (!allowedMemory) {
      ctx.addIssue({
        code: 'custom',
        path: ['cpu'],
        message: `must be a Fargate CPU size (${Object.keys(FARGATE_MEMORY_BY_CPU).join(', ')})`,
        input: provider.cpu,
      });
    } else if (!allowedMemory.includes(provider.memoryMiB)) {
      ctx.addIssue({
        code: 'custom',
        path: ['memoryMiB'],
        message: `is not a valid Fargate memory size for cpu ${provider.cpu} (allowed: ${allowedMemory.join(', ')})`,
        input: provider.memoryMiB,
      });
    }
    if (provider.certificateArn && !provider.certificateArn.includes(`:${provider.region}:`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['certificateArn'],
        message: `must be a certificate in the provider region ${provider.region}`,
        input: provider.certificateArn,
      });
    }
  });

const consumerSchema = z
  .object({
    name: slug,
    account: accountId,
    ...vpcFields,
    /**
     * CIDR blocks allowed to reach the interface endpoint. Defaults to the consumer VPC's CIDR;
     * name narrower blocks (or peered networks) to restrict who can call the provider.
     */
    allowedClientCidrs: z.array(cidr(8, 32)).min(1, { error: 'must name at least one CIDR block' }).optional(),
    /**
     * The principal the provider allows to create endpoints: the consumer account root (the
     * default) or one IAM role in that account.
     */
    principalArn: z.string().optional(),
  })
  .strict();

function vpcLayoutIssues(
  vpc: { vpcCidr: string; subnetCidrMask: number; availabilityZones: readonly string[]; region: string },
  path: (string | number)[],
  ctx: z.RefinementCtx,
): void {
  // An unknown region is reported once, on its own field, not again on every AZ.
  const regionKnown = KNOWN_REGIONS.includes(vpc.region);
  for (const [index, zone] of vpc.availabilityZones.entries()) {
    if (regionKnown && !zone.startsWith(vpc.region) || zone.length !== vpc.region.length + 1) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'availabilityZones', index],
        message: `is not an availability zone of region ${vpc.region}`,
        input: zone,
      });
    }
  }
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
  if (subnetsThatFit < vpc.availabilityZones.length) {
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'subnetCidrMask'],
      message: `/${vpc.subnetCidrMask} subnets for ${vpc.availabilityZones.length} AZs would overlap inside ${vpc.vpcCidr} (only ${subnetsThatFit} fit)`,
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
    vpcLayoutIssues(config.provider, ['provider'], ctx);
    const seenNames = new Map<string, number>();
    for (const [index, consumer] of config.consumers.entries()) {
      const path = ['consumers', index];
      vpcLayoutIssues(consumer, path, ctx);
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
      const regionsKnown = KNOWN_REGIONS.includes(consumer.region) && KNOWN_REGIONS.includes(config.provider.region);
      if (regionsKnown && consumer.region !== config.provider.region) {
        ctx.addIssue({
          code: 'custom',
          path: [...path, 'region'],
          message: `must equal the provider region ${config.provider.region} (cross-region consumers are not supported yet)`,
          input: consumer.region,
        });
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
  });

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

export const deploymentConfigSchema = z
  .object({
    /** Short name of the API; prefixes resource names and the published SSM parameter. */
    serviceName: slug.default('task-api'),
    pipeline: pipelineSchema,
    /** Deployed in this order by the pipeline: provider first, then all consumers in parallel. */
    environments: z
      .array(environmentSchema, { error: 'must be a list of environments' })
      .min(1, { error: 'must name at least one environment' }),
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
    }
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

/** A validated config with every default applied. */
export type DeploymentConfig = DeepReadonly<z.output<typeof deploymentConfigSchema>>;
export type PipelineConfig = DeploymentConfig['pipeline'];

/** One environment, with the service name: what a provider or consumer stage receives. */
export type EnvironmentConfig = DeploymentConfig['environments'][number] & {
  readonly serviceName: string;
  readonly pipeline: PipelineConfig;
};
export type ProviderConfig = EnvironmentConfig['provider'];
export type ConsumerConfig = EnvironmentConfig['consumers'][number];
