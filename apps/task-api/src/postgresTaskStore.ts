import { Client, Pool, type ClientConfig, type PoolConfig } from 'pg';
import type { DatabaseConfig } from './config';
import type { Logger } from './logger';
import { runMigrations } from './migrations';
import type { Task } from './tasks';
import { StoreUnavailableError, type TaskStore } from './taskStore';

/** Ids above the `integer` column's range name no task; asking PostgreSQL would be an error. */
const MAX_TASK_ID = 2_147_483_647;
/** A lost server (no reply at all) is noticed this long after the server-side statement_timeout. */
const CLIENT_TIMEOUT_MARGIN_MS = 500;
/** Migrations may wait for another task's lock and run DDL: a budget of their own. */
const MIGRATION_TIMEOUT_MS = 60_000;
const RETRY_MIN_MS = 250;
const RETRY_MAX_MS = 5_000;
const IDLE_TIMEOUT_MS = 30_000;

export const APPLICATION_NAME = 'task-api';

/** Connection settings shared by the pool and the migration client. */
function connectionConfig(config: DatabaseConfig): ClientConfig {
  return {
    host: config.host,
    port: config.port,
    database: config.database,
    user: config.user,
    password: config.password,
    application_name: APPLICATION_NAME,
    connectionTimeoutMillis: config.connectTimeoutMs,
    keepAlive: true,
    // verify-full: the chain must end at DB_SSL_CA_FILE's CAs (the RDS bundle) and the
    // certificate must name DB_HOST (Node's default checkServerIdentity).
    ssl: config.sslMode === 'disable' ? false : config.sslMode === 'require' ? { rejectUnauthorized: false } : { rejectUnauthorized: true, ...(config.ca === undefined ? {} : { ca: config.ca }) },
  };
}

export function poolConfig(config: DatabaseConfig): PoolConfig {
  return {
    ...connectionConfig(config),
    max: config.poolMax,
    // Also the longest a request waits for a free connection when all `max` are busy.
    connectionTimeoutMillis: config.connectTimeoutMs,
    idleTimeoutMillis: IDLE_TIMEOUT_MS,
    statement_timeout: config.queryTimeoutMs,
    query_timeout: config.queryTimeoutMs + CLIENT_TIMEOUT_MARGIN_MS,
  };
}

function errorCode(err: unknown): string {
  if (err instanceof Error) return String((err as Error & { code?: unknown }).code ?? err.message);
  return String(err);
}

export interface PostgresTaskStore extends TaskStore {
  readonly pool: Pool;
  /**
   * Runs the migrations, retrying with backoff while the database cannot be reached, until they
   * succeed or the store is closed. Resolves true once migrated, false if closed first.
   */
  start(): Promise<boolean>;
}

/** The tasks in PostgreSQL through a bounded `pg` pool; every failure becomes a {@link StoreUnavailableError}. */
export function createPostgresTaskStore(config: DatabaseConfig, logger: Logger): PostgresTaskStore {
  const pool = new Pool(poolConfig(config));
  // An idle connection the server or network dropped: pg-pool discards it and opens a new one on
  // demand. Without a listener the 'error' event would crash the process.
  pool.on('error', (err) => logger.warn('database connection lost', { code: errorCode(err) }));

  let ready = false;
  let closed = false;
  let closing: Promise<void> | undefined;
  let wakeUp: (() => void) | undefined;

  async function migrateOnce(): Promise<void> {
    const client = new Client({ ...connectionConfig(config), statement_timeout: MIGRATION_TIMEOUT_MS, query_timeout: MIGRATION_TIMEOUT_MS + CLIENT_TIMEOUT_MARGIN_MS });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await runMigrations(client, logger);
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  async function start(): Promise<boolean> {
    for (let attempt = 1; !closed; attempt += 1) {
      try {
        await migrateOnce();
        if (closed) return false;
        ready = true;
        logger.info('database ready', { host: config.host, database: config.database, attempts: attempt });
        return true;
      } catch (err) {
        if (closed) return false;
        const retryInMs = Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (attempt - 1));
        logger.warn('database not ready, retrying', { attempt, retryInMs, code: errorCode(err), reason: err instanceof Error ? err.message : String(err) });
        await new Promise<void>((done) => {
          const timer = setTimeout(done, retryInMs);
          wakeUp = () => {
            clearTimeout(timer);
            done();
          };
        });
        wakeUp = undefined;
      }
    }
    return false;
  }

  // Identical reads in flight at the same moment share one query ("single flight"): under load,
  // 50 requests for the task list cost one round trip instead of queueing 50 on the pool. Each
  // still gets rows read after it arrived or at most one query's duration before.
  const inFlight = new Map<string, Promise<unknown[]>>();

  async function runQuery<Row extends object>(text: string, values: readonly (string | number)[]): Promise<Row[]> {
    try {
      const result = await pool.query<Row>(text, [...values]);
      return result.rows;
    } catch (err) {
      throw new StoreUnavailableError(`database query failed: ${errorCode(err)}`, { cause: err });
    }
  }

  function query<Row extends object>(text: string, values: readonly (string | number)[]): Promise<Row[]> {
    if (!ready) return Promise.reject(new StoreUnavailableError(closed ? 'task store closed' : 'database migrations not applied yet'));
    const key = `${text}\u0000${values.join('\u0000')}`;
    const shared = inFlight.get(key) as Promise<Row[]> | undefined;
    if (shared !== undefined) return shared;
    const started = runQuery<Row>(text, values).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  }

  return {
    pool,
    get ready() {
      return ready && !closed;
    },
    start,
    async listTasks() {
      return query<Task>('SELECT id, name, description FROM tasks ORDER BY id', []);
    },
    async getTask(id) {
      if (id > MAX_TASK_ID) return undefined;
      const rows = await query<Task>('SELECT id, name, description FROM tasks WHERE id = $1', [id]);
      return rows[0];
    },
    async ping() {
      try {
        await pool.query('SELECT 1');
        return true;
      } catch {
        return false;
      }
    },
    close() {
      closing ??= (async () => {
        closed = true;
        wakeUp?.();
        await pool.end();
        logger.info('database pool closed', { totalCount: pool.totalCount });
      })();
      return closing;
    },
  };
}
