import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket, type AddressInfo } from 'node:net';
import pg from 'pg';
import type { DatabaseConfig } from '../../src/config';
import { createLogger, type Logger } from '../../src/logger';
import { createPostgresTaskStore, type PostgresTaskStore } from '../../src/postgresTaskStore';
import type { LogLine } from '../helpers';

/** The environment variable through which globalSetup.ts hands the server to the test files. */
export const TEST_PG_ENV = 'TASK_API_TEST_POSTGRES';

export interface TestPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The CA that signed the server's `localhost` certificate. */
  readonly caFile: string;
  /** A CA that signed nothing the server presents. */
  readonly otherCaFile: string;
}

export function testPostgres(): TestPostgres {
  const raw = process.env[TEST_PG_ENV];
  if (raw === undefined) throw new Error(`${TEST_PG_ENV} is not set: run the tests through apps/task-api/vitest.config.ts (its globalSetup starts PostgreSQL)`);
  return JSON.parse(raw) as TestPostgres;
}

/** A superuser connection to `database` (default: the maintenance database). */
export async function adminClient(database = 'postgres'): Promise<pg.Client> {
  const server = testPostgres();
  const client = new pg.Client({ host: server.host, port: server.port, user: server.user, password: server.password, database });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export interface TestDatabase {
  readonly name: string;
  /** The service's settings for this database (no TLS unless overridden). */
  config(overrides?: Partial<DatabaseConfig>): DatabaseConfig;
  /** The service's environment variables for this database. */
  env(overrides?: Record<string, string>): Record<string, string>;
  query<Row extends object = Record<string, unknown>>(text: string, values?: unknown[]): Promise<Row[]>;
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

/** A fresh, empty database of its own for one test file (or one test). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const server = testPostgres();
  const name = `${label.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const admin = await adminClient();
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const base: DatabaseConfig = {
    host: server.host,
    port: server.port,
    database: name,
    user: server.user,
    password: server.password,
    sslMode: 'disable',
    poolMax: 5,
    connectTimeoutMs: 2_000,
    queryTimeoutMs: 2_000,
  };
  return {
    name,
    config: (overrides = {}) => ({ ...base, ...overrides }),
    env: (overrides = {}) => ({
      DB_HOST: server.host,
      DB_PORT: String(server.port),
      DB_NAME: name,
      DB_USER: server.user,
      DB_PASSWORD: server.password,
      DB_SSL: 'disable',
      ...overrides,
    }),
    async query<Row extends object>(text: string, values: unknown[] = []) {
      const client = await adminClient(name);
      try {
        return (await client.query<Row>(text, values)).rows;
      } finally {
        await client.end();
      }
    },
    async drop() {
      const client = await adminClient();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** A logger that collects parsed lines, for stores and servers under test. */
export function memoryLogger(): { logger: Logger; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const logger = createLogger({
    level: 'debug',
    buffered: false,
    write: (chunk) => {
      for (const line of chunk.split('\n')) if (line !== '') logs.push(JSON.parse(line) as LogLine);
    },
  });
  return { logger, logs };
}

/** A store on `config`, migrated (throws if the migrations do not succeed within the test). */
export async function startedStore(config: DatabaseConfig, logger: Logger = memoryLogger().logger): Promise<PostgresTaskStore> {
  const store = createPostgresTaskStore(config, logger);
  if (!(await store.start())) throw new Error('store closed before it was ready');
  return store;
}

export function readCa(file: string): string {
  return readFileSync(file, 'utf8');
}

/**
 * A TCP proxy in front of the test server: the way to take "the database" away from one service
 * without stopping the server the other test files share.
 */
export interface DatabaseProxy {
  readonly port: number;
  /** Closes the listener and cuts every proxied connection: connection refused from now on. */
  down(): Promise<void>;
  /** Accepts connections and forwards nothing: the database hangs. */
  blackhole(): Promise<void>;
  /** Forwards again, on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startDatabaseProxy(): Promise<DatabaseProxy> {
  const target = testPostgres();
  const sockets = new Set<Socket>();
  let mode: 'forward' | 'blackhole' = 'forward';
  let server: Server | undefined;
  let port = 0;

  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };

  const listen = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const next = createServer((client) => {
        track(client);
        if (mode === 'blackhole') return;
        const upstream = connect(target.port, target.host);
        track(upstream);
        client.pipe(upstream).pipe(client);
        client.on('close', () => upstream.destroy());
        upstream.on('close', () => client.destroy());
      });
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => {
        port = (next.address() as AddressInfo).port;
        server = next;
        resolve();
      });
    });

  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    if (current !== undefined) await new Promise<void>((done) => current.close(() => done()));
  };

  await listen();
  return {
    get port() {
      return port;
    },
    down: stop,
    async blackhole() {
      await stop();
      mode = 'blackhole';
      await listen();
    },
    async up() {
      await stop();
      mode = 'forward';
      await listen();
    },
    close: stop,
  };
}

export { createPostgresTaskStore };
