import { z } from 'zod';

/**
 * The `service` section: what the provider runs. The sample task API is the default; a fork
 * replaces it with its own image, port, health check, environment and secrets.
 */

/** Fargate task sizes: CPU units → allowed memory (MiB). */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: [1024, 2048, 3072, 4096],
  1024: [2048, 3072, 4096, 5120, 6144, 7168, 8192],
  2048: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024),
  4096: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024),
  8192: Array.from({ length: 12 }, (_, i) => 16384 + i * 4096),
  16384: Array.from({ length: 12 }, (_, i) => 32768 + i * 8192),
};

/** An ECR image URI with a tag or a digest: `<account>.dkr.ecr.<region>.amazonaws.com/<repo>(:tag|@sha256:…)`. */
const ECR_IMAGE_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::([\w][\w.-]{0,127})|@(sha256:[0-9a-f]{64}))$/;

const RELATIVE_PATH = /^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._/-]+$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/;
const SSM_PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:[a-z0-9-]+:\d{12}:parameter\/[\w/.-]+$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/(?:[0-9a-f-]{36}|mrk-[0-9a-f]{32})$/;

/** Name used in construct ids, stack names and resource names: short, lowercase, DNS-safe. */
export const slug = z
  .string({ error: 'must be a name' })
  .regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, {
    error: 'must be 2-32 characters of lowercase letters, digits and hyphens, starting with a letter',
  });

const port = z
  .number({ error: 'must be a port number' })
  .int({ error: 'must be a whole number' })
  .min(1, { error: 'must be a port between 1 and 65535' })
  .max(65535, { error: 'must be a port between 1 and 65535' });

const imageSchema = z
  .object({
    /** A folder of this repository (relative to its root) with a Dockerfile: built by CDK at deploy time. */
    directory: z
      .string()
      .regex(RELATIVE_PATH, { error: 'must be a folder of this repository, relative to its root, without ..' })
      .optional(),
    /** The Dockerfile inside `directory`. */
    file: z.string().regex(RELATIVE_PATH, { error: 'must be a path inside the image directory, without ..' }).optional(),
    /** An image already in Amazon ECR, pinned by tag or digest. */
    uri: z
      .string()
      .regex(ECR_IMAGE_URI, {
        error:
          'must be an Amazon ECR image URI with a tag or digest (<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>); tasks have no internet access, so other registries are unreachable',
      })
      .refine((uri) => !uri.endsWith(':latest'), {
        error: 'must not use the mutable tag latest: pin a version tag or a digest (@sha256:…)',
      })
      .optional(),
  })
  .strict()
  .superRefine((image, ctx) => {
    if ((image.directory === undefined) === (image.uri === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'must name either directory (a Dockerfile folder) or uri (an ECR image), not both or neither', input: image });
    } else if (image.uri !== undefined && image.file !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['file'], message: 'only applies to a directory image', input: image.file });
    }
  });

const userSchema = z
  .string({ error: 'must be a user as uid[:gid] or name[:group]' })
  .regex(/^([a-z_][a-z0-9_-]{0,31}|\d{1,10})(:([a-z_][a-z0-9_-]{0,31}|\d{1,10}))?$/, {
    error: 'must be a user as uid[:gid] or name[:group]',
  })
  // `00` is uid 0 too: compare numerically.
  .refine((user) => !/^(root|0+)$/.test(user.split(':')[0] ?? ''), {
    error: 'must not be root: the task runs as a non-root user (give the uid:gid your image runs as, e.g. 1000:1000)',
  });

const secretArn = z.string().refine((arn) => SECRETS_MANAGER_ARN.test(arn) || SSM_PARAMETER_ARN.test(arn), {
  error: 'must be the ARN of a Secrets Manager secret or an SSM parameter',
});

const secretSchema = z.union(
  [
    secretArn,
    z
      .object({
        arn: secretArn,
        /** One key of a JSON secret (Secrets Manager only). */
        jsonKey: z.string().regex(/^[\w.-]{1,128}$/, { error: 'must be a JSON key' }).optional(),
        /** The customer-managed KMS key the secret is encrypted with, if any: the task's execution role may decrypt with it. */
        kmsKeyArn: z.string().regex(KMS_KEY_ARN, { error: 'must be a KMS key ARN' }).optional(),
      })
      .strict()
      .refine((secret) => secret.jsonKey === undefined || SECRETS_MANAGER_ARN.test(secret.arn), {
        error: 'jsonKey only applies to a Secrets Manager secret',
      }),
  ],
  { error: "must be a secret ARN, or { arn, jsonKey?, kmsKeyArn? }" },
);

const smokeCheckSchema = z
  .object({
    /** Path the smoke test requests through the consumer's endpoint. */
    path: z.string().regex(/^\/[\x21-\x7e]{0,1023}$/, { error: 'must be a URL path starting with /' }),
    /** Expected HTTP status. */
    status: z.number().int().min(100).max(599).optional(),
    /** When set, the response must be exactly this JSON. */
    body: z.json().optional(),
  })
  .strict();

/** Names each key of a variables map that is not a valid environment variable name. */
function variableNames(variables: Record<string, unknown>, ctx: z.RefinementCtx): void {
  for (const name of Object.keys(variables)) {
    if (!VARIABLE_NAME.test(name)) {
      ctx.addIssue({ code: 'custom', path: [name], message: 'is not an environment variable name (letters, digits, _)', input: name });
    }
  }
}

const serviceFields = {
  image: imageSchema,
  /** Port the container listens on; `PORT` is set to it in the container's environment. */
  containerPort: port.optional(),
  /** Path the load balancers' health checks request (HTTP 200 means healthy). */
  healthCheckPath: z
    .string()
    .regex(/^\/[\x21-\x7e]{0,1023}$/, { error: 'must be a URL path starting with /' })
    .optional(),
  /** Container health check command (ECS), e.g. `['CMD', 'node', '/app/dist/healthcheck.js']`. */
  healthCheckCommand: z
    .array(z.string().min(1))
    .min(2, { error: "must be ['CMD', <executable>, ...args] or ['CMD-SHELL', <command>]" })
    .refine((command) => command[0] === 'CMD' || command[0] === 'CMD-SHELL', {
      error: "must start with 'CMD' or 'CMD-SHELL'",
    })
    .optional(),
  /** The (non-root) user the container runs as. */
  user: userSchema.optional(),
  /** CPU architecture of the image: tasks run on it and a directory image is built for it. */
  cpuArchitecture: z.enum(['x86_64', 'arm64'], { error: "must be 'x86_64' or 'arm64'" }).optional(),
  /** Fargate CPU units. */
  cpu: z.number().int({ error: 'must be a whole number' }).optional(),
  /** Fargate memory (MiB), valid for `cpu`. */
  memoryMiB: z.number().int({ error: 'must be a whole number' }).optional(),
  /** Plain environment variables (never secrets: those go in `secrets`). */
  environment: z.record(z.string(), z.string({ error: 'must be a string' })).superRefine(variableNames).optional(),
  /** Variables injected by ECS from Secrets Manager or SSM Parameter Store, by ARN. */
  secrets: z.record(z.string(), secretSchema).superRefine(variableNames).optional(),
  /**
   * Folders the container may write to (each an ephemeral task volume); the root file system
   * stays read-only.
   */
  writablePaths: z
    .array(z.string().regex(/^\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/, { error: 'must be an absolute path' }))
    .max(10)
    .refine((paths) => new Set(paths).size === paths.length, { error: 'must not name a path twice' })
    .optional(),
  /** What the consumers' smoke tests request and expect. */
  smokeChecks: z.array(smokeCheckSchema).min(1, { error: 'must name at least one check' }).max(10).optional(),
};

export const serviceInputSchema = z.object({ name: slug, ...serviceFields }).strict();

/** Per-environment changes to the service (e.g. a bigger size in prod, that account's secrets). */
export const serviceOverrideSchema = z
  .object({ ...serviceFields, image: imageSchema.optional() })
  .strict();

export type ServiceInput = z.output<typeof serviceInputSchema>;
export type ServiceOverride = z.output<typeof serviceOverrideSchema>;

/** A JSON value. */
export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** Where the service's image comes from. */
export type ServiceImage =
  | {
      readonly kind: 'directory';
      /** Relative to the repository root. */
      readonly directory: string;
      /** The Dockerfile, relative to `directory`. */
      readonly file: string;
    }
  | {
      readonly kind: 'ecr';
      readonly uri: string;
      readonly account: string;
      readonly region: string;
      readonly repositoryName: string;
      /** `v1.2.3` or `sha256:…`. */
      readonly tagOrDigest: string;
    };

/** A secret injected into the container by ECS. */
export interface ServiceSecret {
  readonly source: 'secretsmanager' | 'ssm';
  readonly arn: string;
  readonly jsonKey?: string;
  readonly kmsKeyArn?: string;
}

/** One request of the smoke test and what it must answer. */
export interface SmokeCheckConfig {
  /** Request path, starting with `/`. */
  readonly path: string;
  /** Expected HTTP status. */
  readonly status: number;
  /** When given, the response must be `application/json` and exactly this JSON. */
  readonly body?: JsonValue;
}

/** The service of one environment, every default applied. */
export interface ServiceConfig {
  readonly name: string;
  readonly image: ServiceImage;
  readonly containerPort: number;
  readonly healthCheckPath: string;
  readonly healthCheckCommand?: readonly string[];
  readonly user: string;
  readonly cpuArchitecture: 'x86_64' | 'arm64';
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, ServiceSecret>>;
  readonly writablePaths: readonly string[];
  readonly smokeChecks: readonly SmokeCheckConfig[];
}

/**
 * The sample task API (apps/task-api): the service a config without a `service` section runs,
 * and the example in deploy.config.ts.
 */
export const TASK_API_SERVICE = {
  name: 'task-api',
  image: { directory: 'apps/task-api' },
  containerPort: 8080,
  healthCheckPath: '/readyz',
  healthCheckCommand: ['CMD', 'node', '/app/dist/healthcheck.js'],
  user: '1000:1000',
  environment: { LOG_LEVEL: 'info', SHUTDOWN_TIMEOUT_MS: '20000' },
  smokeChecks: [
    {
      path: '/api/tasks',
      body: [
        { id: 1, name: 'task1', description: 'This is task 1' },
        { id: 2, name: 'task2', description: 'This is task 2' },
        { id: 3, name: 'task3', description: 'This is task 3' },
      ],
    },
    { path: '/api/task/2', body: { id: 2, name: 'task2', description: 'This is task 2' } },
  ],
} as const satisfies ServiceInput;

function toImage(image: z.output<typeof imageSchema>): ServiceImage {
  const match = image.uri === undefined ? null : ECR_IMAGE_URI.exec(image.uri);
  if (image.uri !== undefined && match) {
    const [, account = '', region = '', repositoryName = '', tag, digest] = match;
    return { kind: 'ecr', uri: image.uri, account, region, repositoryName, tagOrDigest: tag ?? digest ?? '' };
  }
  return { kind: 'directory', directory: image.directory ?? '', file: image.file ?? 'Dockerfile' };
}

function toSecret(secret: z.output<typeof secretSchema>): ServiceSecret {
  const { arn, jsonKey, kmsKeyArn } = typeof secret === 'string' ? { arn: secret, jsonKey: undefined, kmsKeyArn: undefined } : secret;
  return {
    source: SECRETS_MANAGER_ARN.test(arn) ? 'secretsmanager' : 'ssm',
    arn,
    ...(jsonKey === undefined ? {} : { jsonKey }),
    ...(kmsKeyArn === undefined ? {} : { kmsKeyArn }),
  };
}

/** The service with an environment's overrides applied (maps merge, everything else replaces) and every default. */
export function resolveService(service: ServiceInput, override: ServiceOverride = {}): ServiceConfig {
  const merged = { ...service, ...override };
  const healthCheckPath = merged.healthCheckPath ?? '/healthz';
  const secrets = { ...service.secrets, ...override.secrets };
  return {
    name: service.name,
    image: toImage(merged.image),
    containerPort: merged.containerPort ?? 8080,
    healthCheckPath,
    ...(merged.healthCheckCommand ? { healthCheckCommand: merged.healthCheckCommand } : {}),
    user: merged.user ?? '1000:1000',
    cpuArchitecture: merged.cpuArchitecture ?? 'x86_64',
    cpu: merged.cpu ?? 256,
    memoryMiB: merged.memoryMiB ?? 512,
    environment: { ...service.environment, ...override.environment },
    secrets: Object.fromEntries(Object.entries(secrets).map(([name, secret]) => [name, toSecret(secret)])),
    writablePaths: merged.writablePaths ?? [],
    smokeChecks: (merged.smokeChecks ?? [{ path: healthCheckPath }]).map((check) => ({
      path: check.path,
      status: check.status ?? 200,
      ...(check.body === undefined ? {} : { body: check.body as JsonValue }),
    })),
  };
}

/** A problem of a resolved service, and whether the environment's override introduced it. */
export interface ServiceIssue {
  readonly path: (string | number)[];
  readonly message: string;
  readonly value: unknown;
  readonly fromOverride: boolean;
}

/** Largest JSON of the smoke checks that fits the smoke function's environment (Lambda allows 4 KB in all). */
const MAX_SMOKE_CHECKS_JSON = 3000;

/** Checks across fields of a resolved service, in the provider `region` of one environment. */
export function serviceIssues(
  service: ServiceConfig,
  region: string,
  hasServiceSection: boolean,
  override: ServiceOverride = {},
): ServiceIssue[] {
  const issues: ServiceIssue[] = [];
  const from = (field: keyof ServiceOverride) => override[field] !== undefined || !hasServiceSection;
  const allowedMemory = FARGATE_MEMORY_BY_CPU[service.cpu];
  if (!allowedMemory) {
    issues.push({
      path: ['cpu'],
      message: `must be a Fargate CPU size (${Object.keys(FARGATE_MEMORY_BY_CPU).join(', ')})`,
      value: service.cpu,
      fromOverride: from('cpu'),
    });
  } else if (!allowedMemory.includes(service.memoryMiB)) {
    issues.push({
      path: ['memoryMiB'],
      message: `is not a valid Fargate memory size for cpu ${service.cpu} (allowed: ${allowedMemory.join(', ')})`,
      value: service.memoryMiB,
      fromOverride: from('memoryMiB'),
    });
  }
  if (service.image.kind === 'ecr' && service.image.region !== region) {
    issues.push({
      path: ['image', 'uri'],
      message: `must be in the provider region ${region}: tasks pull through the VPC's ECR endpoints, which reach only that region (replicate the image, or set provider.service.image per environment)`,
      value: service.image.uri,
      fromOverride: from('image'),
    });
  }
  if ('PORT' in service.environment) {
    issues.push({
      path: ['environment', 'PORT'],
      message: 'is set from service.containerPort; remove it here',
      value: service.environment['PORT'],
      fromOverride: override.environment?.['PORT'] !== undefined,
    });
  }
  for (const name of Object.keys(service.secrets)) {
    if (name in service.environment || name === 'PORT') {
      issues.push({
        path: ['secrets', name],
        message: 'is also a plain environment variable: name it in environment or in secrets, not both',
        value: name,
        fromOverride: override.secrets?.[name] !== undefined,
      });
    }
  }
  if (JSON.stringify(service.smokeChecks).length > MAX_SMOKE_CHECKS_JSON) {
    issues.push({
      path: ['smokeChecks'],
      message: `must stay under ${MAX_SMOKE_CHECKS_JSON} characters of JSON (they travel in the smoke function's environment): check fewer or smaller bodies`,
      value: `${JSON.stringify(service.smokeChecks).length} characters`,
      fromOverride: from('smokeChecks'),
    });
  }
  return issues;
}
