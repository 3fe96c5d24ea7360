import { isIP } from 'node:net';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './logger';

export interface Config {
  /** TCP port to listen on (PORT). */
  readonly port: number;
  /** Interface to bind (HOST). */
  readonly host: string;
  /** Lowest log level written (LOG_LEVEL). */
  readonly logLevel: LogLevel;
  /** How long a graceful shutdown may wait for in-flight requests (SHUTDOWN_TIMEOUT_MS). */
  readonly shutdownTimeoutMs: number;
  /**
   * Idle keep-alive timeout (KEEP_ALIVE_TIMEOUT_MS). Must exceed the load balancer's idle timeout
   * (ALB default 60 s) so the ALB, not the service, closes idle connections; otherwise the ALB can
   * reuse a connection the service is closing and answer the client with a 502.
   */
  readonly keepAliveTimeoutMs: number;
  /** Time allowed to receive a request's headers; derived: keep-alive timeout + 1 s. */
  readonly headersTimeoutMs: number;
}

export const DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  logLevel: 'info',
  shutdownTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
} as const satisfies Partial<Config>;

const HEADERS_TIMEOUT_MARGIN_MS = 1_000;
const MAX_SHUTDOWN_TIMEOUT_MS = 600_000;
const MAX_KEEP_ALIVE_TIMEOUT_MS = 3_600_000;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** An invalid environment variable. `message` is one line naming the variable and its value. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(
    readonly variable: string,
    readonly value: string,
    readonly reason: string,
  ) {
    super(`invalid ${variable}=${JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value)}: ${reason}`);
  }
}

/** Unset and empty (or blank) variables both mean "use the default". */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return raw.trim();
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = /^[0-9]{1,10}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new ConfigError(name, env[name] ?? '', `must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Reads and validates the service configuration; throws {@link ConfigError} on the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv): Config {
  const port = integer(env, 'PORT', DEFAULTS.port, 1, 65_535);

  const host = read(env, 'HOST') ?? DEFAULTS.host;
  if (isIP(host) === 0 && !HOSTNAME.test(host)) {
    throw new ConfigError('HOST', env['HOST'] ?? '', 'must be an IP address or a host name');
  }

  const rawLevel = read(env, 'LOG_LEVEL');
  const level = rawLevel?.toLowerCase() ?? DEFAULTS.logLevel;
  if (!isLogLevel(level)) {
    throw new ConfigError('LOG_LEVEL', env['LOG_LEVEL'] ?? '', `must be one of ${LOG_LEVELS.join(', ')}`);
  }

  const shutdownTimeoutMs = integer(env, 'SHUTDOWN_TIMEOUT_MS', DEFAULTS.shutdownTimeoutMs, 1, MAX_SHUTDOWN_TIMEOUT_MS);
  const keepAliveTimeoutMs = integer(env, 'KEEP_ALIVE_TIMEOUT_MS', DEFAULTS.keepAliveTimeoutMs, 1, MAX_KEEP_ALIVE_TIMEOUT_MS);

  return {
    port,
    host,
    logLevel: level,
    shutdownTimeoutMs,
    keepAliveTimeoutMs,
    headersTimeoutMs: keepAliveTimeoutMs + HEADERS_TIMEOUT_MARGIN_MS,
  };
}
