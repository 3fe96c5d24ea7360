import { z } from 'zod';
import type { EnvironmentConfig } from './DeploymentConfig';


/**
 * The longest bake the pipeline can run: its step reads the alarms with a role it assumes from
 * CodeBuild's role, and a chained role session lasts at most one hour (IAM); 55 minutes leaves
 * room for the step's own start.
 */
export const MAX_BAKE_MINUTES = 55;
/**
 * How a provider runs once it is deployed: how far its task count may scale (`scaling`), and
 * what it alarms on and tells whom (`monitoring`). Both sections are optional in the config and
 * always present once resolved, so a stateless API gets autoscaling to twice its task count and
 * the standard alarms without naming either section.
 */

/** The highest task count autoscaling may reach by default (ECS allows far more; a runaway scale-out costs money). */
export const MAX_TASK_COUNT = 500;

/** Requests per target per minute the ALB request-count policy keeps each task at, by default. */
export const DEFAULT_REQUESTS_PER_TARGET = 6000;

/** A whole number in [min, max], with one message for every way of missing it. */
function wholeNumber(min: number, max: number, unit = '') {
  const range = `must be a whole number${unit} from ${min} to ${max}`;
  return z.number({ error: range }).refine((value) => Number.isInteger(value) && value >= min && value <= max, { error: range });
}

export const scalingSchema = z
  .object({
    /**
     * The most tasks autoscaling may run; equal to `desiredCount` turns autoscaling off.
     * @default - twice desiredCount, at most 500
     */
    maxCount: wholeNumber(1, MAX_TASK_COUNT).optional(),
    /** ALB requests per task per minute the request-count policy scales towards. */
    requestsPerTarget: wholeNumber(1, 1_000_000).default(DEFAULT_REQUESTS_PER_TARGET),
    /** Average CPU utilization (percent) the CPU policy scales towards. */
    cpuPercent: wholeNumber(10, 90, ' of percent').default(60),
  })
  .strict();

const email = z.email({ error: 'must be an email address such as ops@example.com' });

export const monitoringSchema = z
  .object({
    /** Addresses subscribed to the alarm topic (each confirms its subscription once, by email). */
    alarmEmails: z.array(email, { error: 'must be a list of email addresses' }).default([]),
    /** Target 5xx responses, in percent of ALB requests, above which the service is in alarm. */
    target5xxPercent: z
      .number({ error: 'must be a percentage above 0 and at most 100' })
      .refine((value) => value > 0 && value <= 100, { error: 'must be a percentage above 0 and at most 100' })
      .default(1),
    /** The p99 target response time, in milliseconds, above which the service is in alarm. */
    p99LatencyMs: wholeNumber(1, 600_000, ' of milliseconds').default(1000),
    /** Unhealthy ALB targets at which the service is in alarm. */
    unhealthyTargets: wholeNumber(1, 1000).default(1),
    /** TCP resets the endpoint service sends to consumers per 5 minutes at which the provider is in alarm. */
    endpointResets: wholeNumber(1, 100_000_000).default(100),
    /** Packets a consumer's endpoint drops per 5 minutes at which that consumer is in alarm (consumer side). */
    consumerPacketsDropped: wholeNumber(1, 100_000_000).default(1),
    /** @default 80 (needs provider.database) */
    databaseCpuPercent: wholeNumber(1, 100, ' of percent').optional(),
    /** @default 10 (needs provider.database) */
    databaseFreeStoragePercent: wholeNumber(1, 99, ' of percent').optional(),
    /** @default 200 (needs provider.database) */
    databaseConnections: wholeNumber(1, 100_000).optional(),
    /** Minutes the pipeline watches the deployment alarms after a deploy; 0 for no bake. */
    bakeMinutes: wholeNumber(0, MAX_BAKE_MINUTES, ' of minutes').default(10),
  })
  .strict();

/** The task count bounds and targets of the ECS service's autoscaling. */
export interface ScalingConfig {
  /** The fewest tasks: always `desiredCount`. */
  readonly minCount: number;
  /** The most tasks; equal to {@link minCount} means no autoscaling at all. */
  readonly maxCount: number;
  /** ALB requests per task per minute. */
  readonly requestsPerTarget: number;
  /** Average CPU utilization in percent. */
  readonly cpuPercent: number;
}

/** Alarm thresholds, who hears about the alarms, and the pipeline's bake time. */
export interface MonitoringConfig {
  readonly alarmEmails: readonly string[];
  readonly target5xxPercent: number;
  readonly p99LatencyMs: number;
  readonly unhealthyTargets: number;
  readonly endpointResets: number;
  readonly consumerPacketsDropped: number;
  /** Used only when the environment has a database. */
  readonly databaseCpuPercent: number;
  /** Used only when the environment has a database. */
  readonly databaseFreeStoragePercent: number;
  /** Used only when the environment has a database. */
  readonly databaseConnections: number;
  readonly bakeMinutes: number;
}

export const DATABASE_ALARM_DEFAULTS = { databaseCpuPercent: 80, databaseFreeStoragePercent: 10, databaseConnections: 200 } as const;

type ScalingInput = z.output<typeof scalingSchema>;
type MonitoringInput = z.output<typeof monitoringSchema>;

/** The scaling section with its defaults: `maxCount` defaults to twice the desired count (capped). */
export function resolveScaling(scaling: ScalingInput | undefined, desiredCount: number): ScalingConfig {
  const input = scaling ?? scalingSchema.parse({});
  return {
    minCount: desiredCount,
    maxCount: input.maxCount ?? Math.min(2 * desiredCount, MAX_TASK_COUNT),
    requestsPerTarget: input.requestsPerTarget,
    cpuPercent: input.cpuPercent,
  };
}

/** The monitoring section with its defaults. */
export function resolveMonitoring(monitoring: MonitoringInput | undefined): MonitoringConfig {
  const input = monitoring ?? monitoringSchema.parse({});
  return { ...DATABASE_ALARM_DEFAULTS, ...withoutUndefined(input) };
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}

/** Whether the ECS service gets autoscaling (a scalable target and its policies). */
export function autoscalingEnabled(scaling: ScalingConfig): boolean {
  return scaling.maxCount > scaling.minCount;
}

export interface OperationsIssue {
  /** Relative to `provider`. */
  readonly path: (string | number)[];
  readonly message: string;
  readonly value: unknown;
}

interface OperationsInput {
  readonly desiredCount: number;
  readonly database?: unknown;
  readonly scaling?: ScalingInput;
  readonly monitoring?: MonitoringInput;
}

/** Checks of the scaling and monitoring sections against the rest of the provider. Paths are relative to `provider`. */
export function operationsIssues(provider: OperationsInput): OperationsIssue[] {
  const issues: OperationsIssue[] = [];
  const maxCount = provider.scaling?.maxCount;
  if (maxCount !== undefined && maxCount < provider.desiredCount) {
    issues.push({
      path: ['scaling', 'maxCount'],
      message: `must be at least desiredCount (${provider.desiredCount}); equal to it turns autoscaling off`,
      value: maxCount,
    });
  }
  const monitoring = provider.monitoring;
  if (monitoring && provider.database === undefined) {
    for (const field of Object.keys(DATABASE_ALARM_DEFAULTS) as (keyof typeof DATABASE_ALARM_DEFAULTS)[]) {
      if (monitoring[field] !== undefined) {
        issues.push({
          path: ['monitoring', field],
          message: 'sets a database alarm threshold, but the environment has no provider.database: remove it or add the database',
          value: monitoring[field],
        });
      }
    }
  }
  const seen = new Map<string, number>();
  for (const [index, address] of (monitoring?.alarmEmails ?? []).entries()) {
    const key = address.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else issues.push({ path: ['monitoring', 'alarmEmails', index], message: `repeats alarmEmails[${first}]`, value: address });
  }
  return issues;
}

/** The provider's alarms, each with a fixed name (see {@link alarmNameOf}). */
export type ProviderAlarm =
  | 'target-5xx-rate'
  | 'unhealthy-targets'
  | 'p99-latency'
  | 'running-tasks-below-desired'
  | 'endpoint-resets'
  | 'database-cpu'
  | 'database-free-storage'
  | 'database-connections';

/**
 * The alarms that roll an ECS deployment back (ECS deployment alarms) and that the pipeline's
 * bake step watches after a deploy: what users of the API see, measured at the ALB.
 */
export const DEPLOYMENT_ALARMS: readonly ProviderAlarm[] = ['target-5xx-rate', 'unhealthy-targets', 'p99-latency'];

type NamedEnvironment = Pick<EnvironmentConfig, 'serviceName' | 'name'>;

/** What every provider alarm name starts with, `<service>-<env>-` (the alarm topic admits these alarms only). */
export function alarmNamePrefixOf(config: NamedEnvironment): string {
  return `${config.serviceName}-${config.name}-`;
}

/**
 * The fixed name of one of the provider's alarms, `<service>-<env>-<alarm>`: known before deploy,
 * so the ECS service and the pipeline name it without a reference into the provider stack.
 */
export function alarmNameOf(config: NamedEnvironment, alarm: ProviderAlarm): string {
  return `${alarmNamePrefixOf(config)}${alarm}`;
}

/** Names of the alarms that roll an ECS deployment back and that the pipeline's bake step watches. */
export function deploymentAlarmNames(config: NamedEnvironment): string[] {
  return DEPLOYMENT_ALARMS.map((alarm) => alarmNameOf(config, alarm));
}

/** The SNS topic every provider alarm notifies, `<service>-<env>-alarms`. */
export function alarmTopicName(config: NamedEnvironment): string {
  return `${config.serviceName}-${config.name}-alarms`;
}

/**
 * The CloudWatch dashboard of the provider, `<service>-<env>`. Dashboard names allow letters,
 * digits, `-` and `_` (at most 255): service and environment names are slugs, so it always fits.
 */
export function dashboardNameOf(config: NamedEnvironment): string {
  return `${config.serviceName}-${config.name}`;
}

/** The consumer-side alarm on packets a consumer's endpoint drops, `<service>-<env>-consumer-<name>-packets-dropped`. */
export function consumerAlarmName(config: NamedEnvironment, consumer: { readonly name: string }): string {
  return `${config.serviceName}-${config.name}-consumer-${consumer.name}-packets-dropped`;
}
