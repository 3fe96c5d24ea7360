export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Runtime settings of the task API, read from environment variables. */
export interface TaskApiConfig {
  readonly port: number;
  readonly host: string;
  readonly logLevel: LogLevel;
  /** How long a graceful shutdown waits for in-flight requests before closing them. */
  readonly shutdownTimeoutMs: number;
  /** Idle keep-alive timeout; must exceed the ALB's idle timeout (60 s) to avoid 502s. */
  readonly keepAliveTimeoutMs: number;
}

/** A bad environment variable: printed as one line, the process exits 1. */
export class ConfigError extends Error {
  public constructor(variable: string, value: string, expected: string) {
    super(`Invalid environment variable ${variable}=${JSON.stringify(value)}: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(name, raw, `a whole number between ${min} and ${max}`);
  const value = Number(raw.trim());
  if (value < min || value > max) throw new ConfigError(name, raw, `a whole number between ${min} and ${max}`);
  return value;
}

/** Reads and validates the configuration; throws {@link ConfigError} naming the first bad variable. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): TaskApiConfig {
  const logLevel = env['LOG_LEVEL'] ?? 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new ConfigError('LOG_LEVEL', logLevel, `one of ${LOG_LEVELS.join(', ')}`);
  }
  const host = env['HOST'] ?? '0.0.0.0';
  if (host.trim() === '' || /\s/.test(host)) throw new ConfigError('HOST', host, 'an address to listen on');
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host,
    logLevel: logLevel as LogLevel,
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 65_000, 1_000, 600_000),
  };
}
