import { existsSync, readFileSync } from 'node:fs';
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
  /** Where the tasks live: PostgreSQL when DB_HOST is set, else (absent) in memory. */
  readonly database?: DatabaseConfig;
}

/**
 * `verify-full`: TLS, the server certificate verified against DB_SSL_CA_FILE (or Node's trust
 * store) and matched to DB_HOST. `require`: TLS without verification (not for production).
 * `disable`: no TLS (a local server).
 */
export const DB_SSL_MODES = ['verify-full', 'require', 'disable'] as const;
export type DatabaseSslMode = (typeof DB_SSL_MODES)[number];

export interface DatabaseConfig {
  /** DB_HOST. */
  readonly host: string;
  /** DB_PORT. */
  readonly port: number;
  /** DB_NAME. */
  readonly database: string;
  /** DB_USER (injected by ECS from the database secret). */
  readonly user: string;
  /** DB_PASSWORD (injected by ECS from the database secret); never logged. */
  readonly password: string;
  /** DB_SSL. */
  readonly sslMode: DatabaseSslMode;
  /**
   * DB_SSL_CA_FILE: path of the PEM bundle the server certificate must chain to; when unset with
   * verify-full, the image's RDS bundle ({@link IMAGE_CA_BUNDLE}) if the image ships one.
   */
  readonly caFile?: string;
  /** The contents of `caFile`, read once at start. */
  readonly ca?: string;
  /** DB_POOL_MAX: the most connections one task opens. */
  readonly poolMax: number;
  /** DB_CONNECT_TIMEOUT_MS: the longest wait for a connection, new or from the pool. */
  readonly connectTimeoutMs: number;
  /** DB_QUERY_TIMEOUT_MS: the longest a statement may run (server and client side). */
  readonly queryTimeoutMs: number;
}

export const DEFAULTS = {
  port: 8080,
  host: '0.0.0.0',
  logLevel: 'info',
  shutdownTimeoutMs: 10_000,
  keepAliveTimeoutMs: 65_000,
} as const satisfies Partial<Config>;

export const DATABASE_DEFAULTS = {
  port: 5432,
  sslMode: 'verify-full',
  poolMax: 10,
  connectTimeoutMs: 2_000,
  queryTimeoutMs: 2_000,
} as const satisfies Partial<DatabaseConfig>;

/**
 * Where the container image puts the Amazon RDS CA bundle (see the Dockerfile and certs/README.md):
 * with DB_SSL=verify-full and no DB_SSL_CA_FILE, this file is the CA bundle when it exists.
 */
export const IMAGE_CA_BUNDLE = '/etc/ssl/rds/global-bundle.pem';

export interface LoadConfigOptions {
  /** DB_SSL_CA_FILE's default when that file exists; {@link IMAGE_CA_BUNDLE} unless a test says otherwise. */
  readonly defaultCaFile?: string;
}

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

const DB_NAME_PATTERN = /^[A-Za-z0-9_$-]{1,63}$/;
const PEM_CERTIFICATE = '-----BEGIN CERTIFICATE-----';

function required(env: NodeJS.ProcessEnv, name: string, reason: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigError(name, env[name] ?? '', reason);
  return value;
}

/** The DB_* variables; `undefined` (in memory) when none is set. */
function loadDatabaseConfig(env: NodeJS.ProcessEnv, defaultCaFile: string): DatabaseConfig | undefined {
  const host = read(env, 'DB_HOST');
  if (host === undefined) {
    const stray = ['DB_NAME', 'DB_USER', 'DB_PASSWORD', 'DB_PORT', 'DB_SSL', 'DB_SSL_CA_FILE'].find((name) => read(env, name) !== undefined);
    if (stray !== undefined) throw new ConfigError('DB_HOST', env['DB_HOST'] ?? '', `required when ${stray} is set`);
    return undefined;
  }
  if (isIP(host) === 0 && !HOSTNAME.test(host)) throw new ConfigError('DB_HOST', env['DB_HOST'] ?? '', 'must be an IP address or a host name');
  const port = integer(env, 'DB_PORT', DATABASE_DEFAULTS.port, 1, 65_535);
  const database = required(env, 'DB_NAME', 'required with DB_HOST');
  if (!DB_NAME_PATTERN.test(database)) throw new ConfigError('DB_NAME', database, 'must be 1 to 63 letters, digits, _, $ or -');
  const user = required(env, 'DB_USER', 'required with DB_HOST (ECS injects it from the database secret)');
  // Not trimmed: a password may begin or end with a space. Never echoed in an error.
  const password = env['DB_PASSWORD'] ?? '';
  if (password === '') throw new ConfigError('DB_PASSWORD', '', 'required with DB_HOST (ECS injects it from the database secret)');

  const rawSsl = read(env, 'DB_SSL')?.toLowerCase() ?? DATABASE_DEFAULTS.sslMode;
  if (!(DB_SSL_MODES as readonly string[]).includes(rawSsl)) {
    throw new ConfigError('DB_SSL', env['DB_SSL'] ?? '', `must be one of ${DB_SSL_MODES.join(', ')}`);
  }
  const sslMode = rawSsl as DatabaseSslMode;

  const explicitCaFile = read(env, 'DB_SSL_CA_FILE');
  if (explicitCaFile !== undefined && sslMode !== 'verify-full') {
    throw new ConfigError('DB_SSL_CA_FILE', explicitCaFile, `only applies with DB_SSL=verify-full (DB_SSL is ${sslMode})`);
  }
  // Unset: the bundle the image ships, if it ships one (else Node's trust store, without the RDS CAs).
  const caFile = explicitCaFile ?? (sslMode === 'verify-full' && existsSync(defaultCaFile) ? defaultCaFile : undefined);
  let ca: string | undefined;
  if (caFile !== undefined) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new ConfigError('DB_SSL_CA_FILE', caFile, `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    if (!ca.includes(PEM_CERTIFICATE)) throw new ConfigError('DB_SSL_CA_FILE', caFile, 'holds no PEM certificate');
  }

  const base = {
    host,
    port,
    database,
    user,
    password,
    sslMode,
    poolMax: integer(env, 'DB_POOL_MAX', DATABASE_DEFAULTS.poolMax, 1, 100),
    connectTimeoutMs: integer(env, 'DB_CONNECT_TIMEOUT_MS', DATABASE_DEFAULTS.connectTimeoutMs, 1, 60_000),
    queryTimeoutMs: integer(env, 'DB_QUERY_TIMEOUT_MS', DATABASE_DEFAULTS.queryTimeoutMs, 1, 60_000),
  };
  return caFile !== undefined && ca !== undefined ? { ...base, caFile, ca } : base;
}

/** Reads and validates the service configuration; throws {@link ConfigError} on the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv, options: LoadConfigOptions = {}): Config {
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

  const config: Config = {
    port,
    host,
    logLevel: level,
    shutdownTimeoutMs,
    keepAliveTimeoutMs,
    headersTimeoutMs: keepAliveTimeoutMs + HEADERS_TIMEOUT_MARGIN_MS,
  };
  const database = loadDatabaseConfig(env, options.defaultCaFile ?? IMAGE_CA_BUNDLE);
  return database === undefined ? config : { ...config, database };
}
